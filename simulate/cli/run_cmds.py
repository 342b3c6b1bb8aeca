"""Commands that run the model: run, trace."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import click

from ..errors import ExecutionError, ScenarioError
from ..limits import MAX_REPLICATES, MAX_SEED, MAX_WORKERS
from .main import cli
from .numbers import finite_float
from .outputs import claim_output, output_flags, resume_command
from .scenario_cmds import load_from_cli, scenario_argument, scenario_files, set_option

__all__ = ["format_summary", "check_scheduler", "ENGINES", "BACKENDS"]

# the choices, spelled here so that `--help` need not import the engines (a test checks
# they equal simulate.execution's)
ENGINES = ("batch", "events")
BACKENDS = ("serial", "processes", "dask")


def format_summary(table, title: str) -> str:
    """The headline table as aligned text with a header row: metric, estimate, 95% CI of
    the estimate, 5-95% of replicates, unit, n."""
    from ..results.summary import HEADERS
    from ..results.units import format_number as num
    cells = []
    for row in table.itertuples(index=False):
        if row.estimate is None or (isinstance(row.estimate, float) and math.isnan(row.estimate)):
            est, ci = "n/a", "(no cases)"
        else:
            est, ci = num(row.estimate), f"[{num(row.ci_low)}, {num(row.ci_high)}]"
        spread = "" if isinstance(row.p05, float) and math.isnan(row.p05) else \
            f"{num(row.p05)} to {num(row.p95)}"
        cells.append([str(row.label), est, ci, spread, str(row.unit), f"{int(row.n):,}"])
    head = [HEADERS[k] for k in ("label", "estimate", "ci", "spread", "unit", "n")]
    widths = [max(len(c[i]) for c in [head, *cells]) for i in range(len(head))]
    right = (False, True, True, True, False, True)

    def line(c: list[str]) -> str:
        return "  " + "  ".join(x.rjust(w) if r else x.ljust(w)
                                for x, w, r in zip(c, widths, right, strict=True)).rstrip()
    rule = "  " + "  ".join("-" * w for w in widths)
    notes = ("  95% CI of estimate: Monte Carlo uncertainty of the estimate (shrinks with more "
             "replicates);\n  5-95% of replicates: spread of outcomes across replicates.")
    return "\n".join([title, "", line(head), rule, *(line(c) for c in cells), "", notes])


def check_scheduler(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """``--scheduler``: an address ``[PROTOCOL://]HOST:PORT``; a TCP scheduler must answer
    (a user's mistake, exit 2, rather than a traceback or a 30 s wait)."""
    if value is None:
        return None
    import re
    import socket
    proto = value.split("://", 1)[0].lower() if "://" in value else "tcp"
    if proto not in ("tcp", "tls", "ws", "wss", "ucx"):
        return value  # other transports (inproc://...) are Dask's to check
    m = re.fullmatch(r"(?:(?P<proto>[a-z][a-z0-9+.-]*)://)?(?P<host>\[[^\]]+\]|[^:/\s]+)"
                     r":(?P<port>\d{1,5})/?", value.strip())
    if m is None or not 0 < int(m["port"]) < 65536:
        raise ScenarioError.from_text(
            f"expected a Dask scheduler address PROTOCOL://HOST:PORT, e.g. "
            f"tcp://localhost:8786, found {value!r}", key="--scheduler")
    if (m["proto"] or "tcp") == "tcp":
        host = m["host"].strip("[]")
        try:
            socket.create_connection((host, int(m["port"])), timeout=5).close()
        except OSError as exc:
            reason = exc.strerror or str(exc) or type(exc).__name__
            raise ScenarioError.from_text(
                f"cannot reach the Dask scheduler at {value} ({reason}): expected a running "
                "scheduler (start one with `dask scheduler`) or leave out --scheduler",
                key="--scheduler") from None
    return value


@cli.command()
@scenario_argument
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Write results, figures and report into this folder.")
@click.option("--replicates", "-n", type=click.IntRange(min=1, max=MAX_REPLICATES),
              help="Number of replicates.")
@click.option("--seed", type=click.IntRange(min=0, max=MAX_SEED), help="Random seed.")
@click.option("--engine", type=click.Choice(ENGINES), default="batch", show_default=True,
              help="batch (compiled, fast) or events (SimPy, with an event log; same numbers).")
@click.option("--workers", type=click.IntRange(min=1, max=MAX_WORKERS), default=1,
              show_default=True, help="Worker processes (same numbers for any count).")
@click.option("--backend", type=click.Choice(BACKENDS), help="Default: serial for one worker, "
              "processes for several, dask with --scheduler.")
@click.option("--scheduler", metavar="ADDRESS", callback=check_scheduler,
              help="Dask scheduler, e.g. tcp://host:8786.")
@click.option("--chunk-size", type=click.IntRange(min=1), help="Replicates per task.")
@click.option("--target-se", type=finite_float(min=0, min_open=True),
              help="Add replicates in chunks until every headline probability's standard "
                   "error is at most this (--replicates then caps them). The headline "
                   "probabilities are the summary's: P(deal by deadline), P(deal within w "
                   "days) for every deal window, P(deal within horizon), P(threat carried "
                   "out); the standard error is the 95% Wilson interval's half-width / 1.96, "
                   "never 0 (docs/experiments.md, Precision).")
@set_option
@output_flags(force="Replace results already in --out.",
              resume="Continue an interrupted run in --out.",
              skip=("--no-report", "Skip figures and report."),
              json="Print the summary as JSON.", quiet="No progress bar and no summary table.")
def run(scenario: str, out: Path | None, replicates: int | None, seed: int | None, engine: str,
        workers: int, backend: str | None, scheduler: str | None, chunk_size: int | None,
        sets: tuple[str, ...], force: bool, resume: bool, no_report: bool, as_json: bool,
        quiet: bool, target_se: float | None = None) -> None:
    """Run a scenario's replicates, print the headline summary, and save results.

    \b
    Example:
      simulate run scenarios/aug2025.yaml --replicates 2000 --seed 1 --out runs/aug2025
    """
    from ..execution.runner import run as run_api
    s = load_from_cli(scenario, sets)
    if resume and out is None:
        raise ScenarioError.from_text("--resume needs --out")
    if s.experiment is not None:  # say so rather than ignore the block silently
        click.echo("note: the experiment: block is used by `simulate sweep` and `simulate "
                   "sensitivity` (and discover/robust); `run` runs the base scenario",
                   err=True)
    if out is not None:  # locked until the command ends; refuses folders not simulate's
        claim_output(out, kind="run", force=force, resume=resume,
                     inputs=scenario_files(scenario, s))
    kwargs: dict[str, Any] = dict(
        replicates=replicates, seed=seed, engine=engine, workers=workers, backend=backend,
        scheduler=scheduler, chunk_size=chunk_size, progress=not quiet)
    if out is not None:  # completed chunks are checkpointed so an interruption can --resume
        kwargs["checkpoint_dir"] = out
    if resume:
        if out is None:
            raise ScenarioError.from_text("--resume needs --out")
        kwargs["resume_dir"] = out
    try:
        if target_se is not None:  # replicates until the headline SEs reach the target
            from ..experiments.precision import run_to_target_se
            cap = kwargs.pop("replicates") or 1_000_000
            results = run_to_target_se(s, target_se, max_replicates=cap, **kwargs)
        else:
            results = run_api(s, **kwargs)
    except KeyboardInterrupt:
        if out is not None:
            click.echo(f"\ninterrupted; completed chunks are kept in {out}/. To continue:\n  "
                       f"{resume_command()}", err=True)
        raise
    except ExecutionError as exc:  # the address answered the check but is no scheduler
        if scheduler is not None and str(exc).startswith("cannot reach the Dask scheduler"):
            raise ScenarioError.from_text(str(exc), key="--scheduler") from None
        raise
    report_html = None
    if out is not None:
        results.save(out, overwrite=True)
        if not (no_report or not s.outputs.report):
            from ..report import build_report
            if not quiet:  # a few seconds of matplotlib: say what is happening (stderr)
                click.echo(f"writing figures and report to {out}/ ...", err=True)
            report_html = build_report(results, out)
    if as_json:
        click.echo(json.dumps(results.summary_dict(), indent=2))
    elif not quiet:
        n = len(results.outcomes)
        click.echo(format_summary(results.summary(), f"{s.name}: {n} replicates, seed "
                                  f"{results.manifest['seed']}, engine {engine}"))
        if out is not None:
            click.echo(f"\nresults written to {out}/")
        if report_html is not None:
            click.echo(f"report: {report_html} (open it in a browser)")


@cli.command()
@scenario_argument
@click.option("--replicate", "-r", type=click.IntRange(min=0), required=True,
              help="Index of the replicate to replay.")
@click.option("--seed", type=click.IntRange(min=0, max=MAX_SEED),
              help="Random seed (default: the scenario's).")
@set_option
@click.option("--format", "fmt", type=click.Choice(["text", "csv", "json"]), default="text",
              show_default=True, help="The event log as text, CSV or JSON.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the log to this file instead of standard output (a new file, "
                   "unless --force).")
@click.option("--force", is_flag=True, help="Replace the --out file if it exists.")
def trace(scenario: str, replicate: int, seed: int | None, sets: tuple[str, ...], fmt: str,
          out: Path | None, force: bool) -> None:
    """Replay one replicate alone and tell its story, one line per event.

    The replicate has exactly the numbers it has inside a full run with the same seed.

    \b
    Example:
      simulate trace scenarios/aug2025.yaml --replicate 7
      simulate trace scenarios/aug2025.yaml -r 7 --format csv --out trace7.csv
    """
    from ..trace import trace as trace_api
    s = load_from_cli(scenario, sets)
    write = None
    if out is not None:  # refused before the replay: an input, or a file without --force
        from .outputs import output_file
        write = output_file(out, force=force, inputs=scenario_files(scenario, s))
    t = trace_api(s, replicate, seed=seed)
    if fmt == "text":
        text = t.text() + "\n"
    elif fmt == "csv":
        text = t.log.to_csv(index=False)
    else:
        text = json.dumps(t.log.to_dict("records"), indent=2) + "\n"
    if write is None:
        click.echo(text, nl=False)
    else:
        write(text)
