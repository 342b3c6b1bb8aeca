"""Commands for experiments: sweep, sensitivity, discover, robust."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from ..limits import MAX_SEED, MAX_WORKERS
from .main import cli
from .numbers import finite_float
from .outputs import output_flags
from .run_cmds import BACKENDS, ENGINES, check_scheduler
from .scenario_cmds import load_from_cli, scenario_argument, scenario_files, set_option

__all__ = ["DESIGNS", "format_points"]

# spelled here so that `--help` need not import the experiments (a test checks they match)
DESIGNS = ("factorial", "crossed", "lhs", "sobol", "table")


def _backend_options(fn: Any) -> Any:
    for opt in reversed([
        click.option("--engine", type=click.Choice(ENGINES), default="batch", show_default=True,
                     help="batch (compiled, fast) or events (SimPy; same numbers)."),
        click.option("--workers", type=click.IntRange(min=1, max=MAX_WORKERS), default=1,
                     show_default=True, help="Worker processes (same numbers for any count)."),
        click.option("--backend", type=click.Choice(BACKENDS),
                     help="Default: serial for one worker, processes for several, dask with "
                          "--scheduler."),
        click.option("--scheduler", metavar="ADDRESS", callback=check_scheduler,
                     help="Dask scheduler address."),
        click.option("--chunk-size", type=click.IntRange(min=1), help="Replicates per task."),
    ]):
        fn = opt(fn)
    return fn


def _num(x: Any) -> str:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return str(x)
    if v != v:
        return "n/a"
    return f"{v:.4g}"


def short_names(keys: list[str]) -> list[str]:
    """The shortest dotted suffix of each key that tells it from the others:
    ``actors.RU.resolve``, ``actors.UA.resolve`` -> ``RU.resolve``, ``UA.resolve``."""
    out = []
    for key in keys:
        parts = key.split(".")
        n = 1
        while n < len(parts) and sum(k.split(".")[-n:] == parts[-n:] for k in keys) > 1:
            n += 1
        out.append(".".join(parts[-n:]))
    return out


def format_points(ex: Any, outcomes: list[str] | None = None) -> str:
    """Per-point table as text: factors, then each outcome's estimate and its 95% interval
    (Wilson for proportions, Student t for means: the ``ci_low``/``ci_high`` of
    ``points.parquet``)."""
    names = outcomes or ex.outcomes
    keys = ex.factor_keys
    stats = ex.statistics.set_index(["point", "outcome"])
    head = ["point", *short_names(keys), *names]
    rows = []
    for r in ex.design.to_dict("records"):
        cells = []
        for n in names:
            st = stats.loc[(r["point"], n)]
            cells.append(f"{_num(st['estimate'])} [{_num(st['ci_low'])}, {_num(st['ci_high'])}]")
        rows.append([str(int(r["point"])), *[_num(r[k]) for k in keys], *cells])
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(head)]
    lines = ["  ".join(h.rjust(w) for h, w in zip(head, widths, strict=True))]
    lines += ["  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(lines) + "\n\nEach outcome: estimate [95% CI] at the point."


@cli.command()
@scenario_argument
@click.option("--design", type=click.Choice(DESIGNS), help="Default: the experiment block's.")
@click.option("--points", type=click.IntRange(min=1), help="Design points (lhs, sobol, crossed).")
@click.option("--replicates", "-n", type=click.IntRange(min=1), help="Replicates per point.")
@click.option("--seed", type=click.IntRange(min=0, max=MAX_SEED),
              help="Random seed (common to all points).")
@click.option("--table", "table", type=click.Path(dir_okay=False, path_type=Path),
              help="Design points from a CSV or Parquet file (one column per dotted key).")
@click.option("--target-se", type=finite_float(min=0, min_open=True),
              help="Add replicates per point until every 0/1 outcome's standard error is at "
                   "most this.")
@_backend_options
@set_option
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Save the experiment into this folder.")
@output_flags(force="Replace an experiment already in --out.",
              resume="Continue an interrupted sweep in --out.",
              json="Print the per-point statistics as JSON.",
              quiet="No progress bar and no table.")
def sweep(scenario: str, design: str | None, points: int | None, replicates: int | None,
          seed: int | None, table: Path | None, target_se: float | None, engine: str,
          workers: int, backend: str | None, scheduler: str | None, chunk_size: int | None,
          sets: tuple[str, ...], out: Path | None, force: bool, resume: bool, as_json: bool,
          quiet: bool) -> None:
    """Run the scenario's experiment: every design point as an ensemble on common random
    numbers; print each outcome's estimate and 95% interval per point.

    \b
    Example:
      simulate sweep scenarios/experiments/aug2025_policies.yaml --design lhs --points 64 -n 500
      simulate sweep scenarios/experiments/aug2025_policies.yaml --out runs/sweep --workers 2
    """
    from ..errors import ScenarioError
    from ..experiments.sweep import sweep as sweep_api
    if resume and out is None:
        raise ScenarioError.from_text("--resume needs --out")
    s = load_from_cli(scenario, sets)
    try:
        ex = sweep_api(s, design=design, points=points, replicates=replicates, seed=seed,
                       table=table, engine=engine, backend=backend, workers=workers,
                       scheduler=scheduler, chunk_size=chunk_size, out=out, resume=resume,
                       force=force, progress=not quiet, target_se=target_se)
    except KeyboardInterrupt:
        if out is not None:
            from .outputs import resume_command
            click.echo(f"\ninterrupted; finished tasks are kept in {out}/. To continue:\n  "
                       f"{resume_command()}", err=True)
        raise
    if as_json:
        click.echo(ex.statistics.to_json(orient="records", double_precision=15, indent=2))
    elif not quiet:
        click.echo(f"{ex!r}\n")
        click.echo(format_points(ex))
        if out is not None:
            click.echo(f"\nexperiment written to {out}/")


def _experiment(source: str, sets: tuple[str, ...], points: int | None,
                replicates: int | None, quiet: bool) -> Any:
    """An experiment from a folder written by `simulate sweep` (``--set``, ``--points`` and
    ``--replicates`` are refused: they apply to running), or a sweep of a scenario."""
    from ..experiments.experiment import Experiment
    if Path(source).is_dir():
        given = [name for name, value in (("--set", sets), ("--points", points),
                                          ("--replicates", replicates))
                 if value not in (None, ())]
        if given:  # as compare refuses --replicates and --seed with saved runs
            from ..errors import ResultsError
            one = len(given) == 1
            names = ", ".join(given[:-1]) + " and " * (not one) + given[-1]
            raise ResultsError(f"{names} appl{'ies' if one else 'y'} to a scenario (swept "
                               f"here first), not to the saved experiment {source}: leave "
                               f"{'it' if one else 'them'} out, or give the scenario file")
        return Experiment.load(source)
    from ..experiments.sweep import sweep as sweep_api
    return sweep_api(load_from_cli(source, sets), points=points, replicates=replicates,
                     progress=not quiet)


@cli.command()
@scenario_argument
@click.option("--method", type=click.Choice(["sobol", "morris"]), default="sobol",
              show_default=True, help="Sobol' indices (variance shares) or Morris screening "
                                      "(elementary effects).")
@click.option("--points", type=click.IntRange(min=1), default=64, show_default=True,
              help="Base sample size N (Sobol': N (d + 2) points; Morris: N trajectories).")
@click.option("--replicates", "-n", type=click.IntRange(min=1), help="Replicates per point.")
@click.option("--outcome", help="Outcome of the experiment block (default: the first).")
@click.option("--seed", type=click.IntRange(min=0, max=MAX_SEED),
              help="Random seed (default: the scenario's).")
@_backend_options
@set_option
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Save indices, points and a figure into this folder.")
@output_flags(force="Replace --out if it holds results.", json="Print the indices as JSON.",
              quiet="No progress bar; print the indices only.")
def sensitivity(scenario: str, method: str, points: int, replicates: int | None,
                outcome: str | None, seed: int | None, engine: str, workers: int,
                backend: str | None, scheduler: str | None, chunk_size: int | None,
                sets: tuple[str, ...], out: Path | None, force: bool, as_json: bool,
                quiet: bool) -> None:
    """Global sensitivity of an outcome to the experiment's levers and uncertainties:
    Sobol' (S1, ST with 95% intervals, corrected for replicate noise) or Morris (mu*, sigma).

    \b
    Example:
      simulate sensitivity scenarios/experiments/aug2025_policies.yaml --method sobol --points 64 \\
          -n 200 --outcome deal_within_180d
    """
    from ..experiments.sensitivity import sensitivity as sens_api
    s = load_from_cli(scenario, sets)
    if out is not None:  # refused before the work; locked until the command ends
        from .outputs import claim_output
        claim_output(out, kind="sensitivity", force=force, create=False,
                     inputs=scenario_files(scenario, s))
    res = sens_api(s, method=method, points=points, replicates=replicates, outcome=outcome,
                   seed=seed, engine=engine, backend=backend, workers=workers,
                   scheduler=scheduler, chunk_size=chunk_size, progress=not quiet, out=out,
                   force=force)
    if as_json:
        click.echo(json.dumps({"method": method, "outcome": res.outcome,
                               "noise_share": res.noise_share,
                               "indices": json.loads(res.indices.to_json(orient="records"))},
                              indent=2))
    elif not quiet:
        click.echo(repr(res))


@cli.command()
@click.argument("source", metavar="EXPERIMENT_DIR|SCENARIO")
@click.option("--outcome", required=True, help="Outcome to explain, e.g. deal_within_180d.")
@click.option("--threshold", type=finite_float(), help="Case of interest: value above it (or "
              "below, with --below). Default for 0/1 outcomes: the outcome happened.")
@click.option("--below", is_flag=True, help="Case of interest: value below --threshold.")
@click.option("--on", "on", type=click.Choice(["replicates", "points"]), default="replicates",
              show_default=True, help="Rows: replicates (with sampled parameters) or points.")
@click.option("--min-density", type=finite_float(0, 1), default=0.8, show_default=True,
              help="PRIM's chosen box: the knee among boxes at least this dense.")
@click.option("--points", type=click.IntRange(min=1), help="Sweep points (scenario input).")
@click.option("--replicates", "-n", type=click.IntRange(min=1), help="Replicates per point.")
@set_option
@click.option("--quiet", "-q", is_flag=True, help="Print the result only, no progress.")
def discover(source: str, outcome: str, threshold: float | None, below: bool, on: str,
             min_density: float, points: int | None, replicates: int | None,
             sets: tuple[str, ...], quiet: bool) -> None:
    """Scenario discovery: PRIM box (coverage, density, restricted dimensions,
    quasi-p-values) and a CART tree of the conditions under which the outcome happens.

    \b
    Example:
      simulate discover runs/sweep --outcome deal_within_180d
      simulate discover runs/sweep --outcome india_volume_feb --threshold 1.0 --below
    """
    from ..experiments.discovery import discover as discover_api
    ex = _experiment(source, sets, points, replicates, quiet)
    _check_outcome(ex, outcome)
    p, c = discover_api(ex, outcome, threshold=threshold, below=below, on=on,
                        min_density=min_density)
    click.echo(repr(p))
    click.echo("\npeeling trajectory (coverage, density, restricted dimensions):")
    click.echo(p.trajectory[["coverage", "density", "res_dim", "mass"]].round(3).to_string())
    click.echo(f"\n{c!r}")


def _check_outcome(ex: Any, outcome: str) -> None:
    """``--outcome`` must be one of the experiment's outcomes (exit 2, with a suggestion)."""
    from ..errors import ResultsError
    from ..scenario.messages import suggest
    names = list(ex.outcomes)
    if outcome not in names:
        raise ResultsError(f"--outcome {outcome}: unknown outcome: expected one of "
                           f"{', '.join(names)}{suggest(outcome, names)}")


@cli.command()
@click.argument("source", metavar="EXPERIMENT_DIR|SCENARIO")
@click.option("--outcome", required=True, help="Outcome to judge policies on.")
@click.option("--minimize", is_flag=True, help="Less of the outcome is better.")
@click.option("--threshold", type=finite_float(), help="Acceptable value (satisficing choice).")
@click.option("--points", type=click.IntRange(min=1), help="States of the world (crossed).")
@click.option("--replicates", "-n", type=click.IntRange(min=1), help="Replicates per point.")
@set_option
@click.option("--quiet", "-q", is_flag=True, help="Print the result only, no progress.")
def robust(source: str, outcome: str, minimize: bool, threshold: float | None,
           points: int | None, replicates: int | None, sets: tuple[str, ...],
           quiet: bool) -> None:
    """Robust policies: each lever combination across the states of the world, its regret,
    and the minimax-regret and satisficing choices.

    \b
    Example:
      simulate robust runs/crossed --outcome deal_within_180d --threshold 0.15
    """
    from ..experiments.robust import robust as robust_api
    ex = _experiment(source, sets, points, replicates, quiet)
    click.echo(repr(robust_api(ex, outcome, maximize=not minimize, threshold=threshold)))
