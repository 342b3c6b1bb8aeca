"""Commands on saved results: report, compare."""

from __future__ import annotations

import json
import math
from pathlib import Path

import click

from ..errors import ResultsError
from .main import cli
from .outputs import output_flags

__all__ = ["format_comparison"]

_FORMATS = ("png", "pdf", "svg")


def _formats(value: str) -> tuple[str, ...]:
    items = tuple(x.strip().lower() for x in value.split(",") if x.strip())
    unknown = [x for x in items if x not in _FORMATS]
    if unknown or not items:
        raise click.BadParameter(f"expected a comma-separated list of {', '.join(_FORMATS)}; "
                                 f"found {value!r}", param_hint="'--formats'")
    return items


_formats_option = click.option(
    "--formats", default="png,pdf", show_default=True, metavar="LIST",
    help="Figure files to write (comma-separated: png, pdf, svg); PNG is always written.")
_dpi_option = click.option(
    "--dpi", type=click.IntRange(min=30, max=1200), default=300, show_default=True,
    help="Resolution of the PNG figures (vector formats do not depend on it).")


def _num(x: float) -> str:
    from ..results.units import format_number
    return format_number(x)


def format_comparison(comparison) -> str:
    """The wide headline table as aligned text: estimate [95% interval] per run."""
    table = comparison.table()
    labels = comparison.labels
    width = max(len(str(m)) for m in table["name"])
    cells = []
    for r in table.to_dict("records"):
        row = []
        for label in labels:
            est = r[label]
            row.append("—" if isinstance(est, float) and math.isnan(est) else
                       f"{_num(est)} [{_num(r[f'{label} ci_low'])}, "
                       f"{_num(r[f'{label} ci_high'])}]")
        cells.append(row)
    widths = [max([len(label)] + [len(row[i]) for row in cells]) for i, label in
              enumerate(labels)]
    head = "  " + " " * width + "".join(f"  {label:>{w}}" for label, w in zip(labels, widths,
                                                                              strict=True))
    lines = [head.rstrip() + "   (estimate [95% CI of the estimate])"]
    for r, row in zip(table.to_dict("records"), cells, strict=True):
        lines.append(f"  {r['name']:<{width}}" + "".join(
            f"  {c:>{w}}" for c, w in zip(row, widths, strict=True)) + f"  {r['unit']}")
    diff = comparison.differences()
    if len(diff):
        designs = "; ".join(
            f"{label} {'paired' if paired else 'independent samples'}"
            for label, paired in dict(zip(diff["label"], diff["paired"], strict=True)).items())
        lines += ["", f"  differences against {labels[0]} (95% interval; {designs}):"]
        for r in diff.itertuples(index=False):
            lines.append(f"  {r.name:<{width}}  {r.label}: {_num(r.difference)} "
                         f"[{_num(r.ci_low)}, {_num(r.ci_high)}] {r.unit}")
    return "\n".join(lines)


def _same_folders(directories) -> None:
    """Refuse a results folder given twice (a run compared with itself). A scenario file
    may be given twice: it is run again, and its paired difference with itself is exactly
    zero (docs/experiments.md, the check of the pairing)."""
    seen: dict[Path, Path] = {}
    for d in directories:
        if Path(d).suffix.lower() in (".yaml", ".yml"):
            continue
        key = Path(d).expanduser().resolve()
        if key in seen:
            raise ResultsError(f"{d}: given twice (also as {seen[key]}); compare expected "
                               "different runs, found the same folder")
        seen[key] = Path(d)


#: what each kind of folder is, and where to take it instead (messages of report, compare)
_KINDS = {
    "experiment": ("a sweep folder (experiment results, from simulate sweep)",
                   "analyse it with simulate discover DIR --outcome NAME or simulate robust "
                   "DIR --outcome NAME"),
    "sensitivity": ("a sensitivity folder (from simulate sensitivity)",
                    "its indices are in DIR/indices.csv and its figure in DIR/indices.png"),
    "calibration": ("a calibration folder (from simulate calibrate)",
                    "run a scenario from its posterior with simulate run SCENARIO --set "
                    "uncertainty.from_posterior=DIR/posterior.parquet --out NEW"),
    "comparison": ("a comparison folder (from simulate compare --out)",
                   "rebuild it with simulate compare RUN RUN ... --out DIR --force"),
}


def check_run_folder(directory: Path, command: str) -> None:
    """Refuse a folder simulate wrote that is not a run's (a sweep, a sensitivity analysis,
    a calibration, a comparison) by saying what it is, before a missing file does."""
    from ..results.folders import folder_kind
    kind = folder_kind(directory)
    if kind in _KINDS:
        what, instead = _KINDS[kind]
        works = "run folders (written by simulate run --out)" + (
            " or scenario files" if command == "compare" else "")
        raise ResultsError(f"{directory} is {what}; {command} works on {works}; "
                           f"{instead.replace('DIR', str(directory))}")


@cli.command()
@click.argument("directory", type=click.Path(path_type=Path))
@_formats_option
@_dpi_option
@click.option("--force", is_flag=True,
              help="Replace report files changed since simulate wrote them (never a file "
                   "it did not write).")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing on success.")
def report(directory: Path, formats: str, dpi: int, force: bool, quiet: bool) -> None:
    """Rebuild figures/, report.html and report.md from saved results (no re-run).

    The data files are checked against manifest.json first; the manifest is then rewritten
    with the checksums of the new figures and report. Only files simulate wrote are
    replaced: a file of yours in figures/ is refused (move it out), and a report file
    changed since simulate wrote it (a hand-edited report.md) is replaced only with --force.

    \b
    Example:
      simulate run scenarios/aug2025.yaml --out runs/aug2025 --no-report
      simulate report runs/aug2025
    """
    from ..results.results import Results
    chosen = _formats(formats)
    from ..results.folders import folder_state, output_lock
    check_run_folder(directory, "report")
    if folder_state(directory) in ("missing", "file", "empty"):  # refused without a lock file
        Results.load(directory, ignore_derived=True)
    # no run may replace it while we write; a refusal removes the lock file it made
    with output_lock(directory, option="DIRECTORY"):
        results = Results.load(directory, ignore_derived=True)
        from ..report import check_report_files
        check_report_files(directory, force=force)  # before matplotlib: a refusal is quick
        from ..report import build_report  # matplotlib: only once the results are known good
        if not quiet:  # a few seconds of matplotlib: say what is happening (stderr)
            click.echo(f"writing figures and report to {directory}/ ...", err=True)
        html = build_report(results, directory, formats=chosen, dpi=dpi, force=force)
    if not quiet:
        n = len(list((directory / "figures").glob("*.png")))
        click.echo(f"report written to {html} ({n} figures in {directory / 'figures'}/)")


@cli.command()
@click.argument("directories", nargs=-1, required=True,
                type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Write the comparison (figures, tables, report) into this folder.")
@click.option("--label", "labels", multiple=True, metavar="TEXT",
              help="Name of each run, in order (repeat; default: scenario names).")
@_formats_option
@_dpi_option
@output_flags(force="Replace an existing --out folder.", json="Print the comparison as JSON.",
              quiet="Print no table.")
@click.option("--replicates", "-n", type=click.IntRange(min=1),
              help="Replicates of each scenario file (default: the first file's).")
@click.option("--seed", type=click.IntRange(min=0),
              help="Seed of every scenario file (default: the first file's).")
def compare(directories: tuple[Path, ...], out: Path | None, labels: tuple[str, ...],
            formats: str, dpi: int, force: bool, as_json: bool, quiet: bool,
            replicates: int | None = None, seed: int | None = None) -> None:
    """Compare saved runs side by side: headline outcomes with intervals, differences against
    the first run (paired when the runs share a seed), and overlaid deal-probability curves.
    Scenario files (.yaml) are run first with one seed, so their differences are paired.
    Runs of one seed with different replicate counts are paired on the replicates they
    share, with a warning; runs of different seeds are independent samples; runs that start
    on different dates or cover different horizons are compared with a warning (their
    windowed outcomes measure different periods); a folder given twice is refused.

    \b
    Example:
      simulate run scenarios/aug2025.yaml -n 2000 --out runs/threat
      simulate run scenarios/aug2025_no_threat.yaml -n 2000 --out runs/no_threat
      simulate compare runs/threat runs/no_threat --out runs/threat_vs_none
      simulate compare scenarios/aug2025.yaml scenarios/aug2025_no_threat.yaml -n 2000
    """
    from ..results.compare import Comparison
    chosen = _formats(formats)
    if len(directories) < 2:
        raise ResultsError("compare needs at least two results folders")
    if labels and len(labels) != len(directories):
        raise ResultsError(f"--label given {len(labels)} time(s) for {len(directories)} "
                           "folders: give one label per folder, in order")
    if labels and len(set(labels)) != len(labels):
        raise ResultsError(f"--label values must be distinct, found {list(labels)}")
    _same_folders(directories)
    for d in directories:
        if Path(d).suffix.lower() not in (".yaml", ".yml"):
            check_run_folder(Path(d), "compare")
    if out is not None:  # locked until the command ends; refuses folders not simulate's
        from .outputs import claim_output
        claim_output(out, kind="comparison", force=force, inputs=directories, create=False)
    from ..experiments.paired import load_runs
    runs = load_runs(directories, replicates=replicates, seed=seed, progress=not quiet)
    names = list(labels) or _default_labels(runs, directories)
    comparison = Comparison(runs, names, [str(d) for d in directories], warn=False)
    for warning in comparison.warnings:
        click.echo(f"warning: {warning}", err=True)
    if out is not None:
        from ..report import build_comparison_report
        build_comparison_report(comparison, out, formats=chosen, overwrite=force, dpi=dpi)
    if as_json:
        click.echo(json.dumps({
            "labels": comparison.labels,
            "table": json.loads(comparison.table().to_json(orient="records",
                                                           double_precision=15)),
            "differences": json.loads(comparison.differences().to_json(
                orient="records", double_precision=15))}, indent=2))
    elif not quiet:
        click.echo(format_comparison(comparison))
        from ..experiments.paired import format_pairing
        click.echo(format_pairing(comparison))
        if out is not None:
            click.echo(f"\ncomparison written to {out}/")


def _default_labels(runs, directories) -> list[str]:
    """Scenario names; folder names when scenarios repeat."""
    names = [r.scenario.name for r in runs]
    if len(set(names)) == len(names):
        return names
    folders = [Path(d).name or str(d) for d in directories]
    if len(set(folders)) == len(folders):
        return folders
    paths = [str(d) for d in directories]
    return paths if len(set(paths)) == len(paths) else [f"{p} #{i + 1}"
                                                         for i, p in enumerate(paths)]
