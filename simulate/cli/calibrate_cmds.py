"""The calibrate command: fit a scenario's uncertain parameters to observed targets."""

from __future__ import annotations

import json
from pathlib import Path

import click

from .main import cli
from .numbers import finite_float
from .outputs import claim_output, output_flags, resume_command
from .scenario_cmds import load_from_cli, scenario_argument, scenario_files, set_option

__all__ = ["calibrate", "format_parameters"]


def format_parameters(state: dict) -> str:
    """Prior and posterior of each calibrated parameter as aligned text."""
    head = ["parameter", "prior mean", "posterior mean", "posterior sd", "sd/prior sd"]
    rows = [[r["parameter"], f"{r['prior_mean']:.4g}", f"{r['posterior_mean']:.4g}",
             f"{r['posterior_sd']:.4g}", f"{r['sd_ratio']:.2f}" + (" (~prior)" if
                                                                   r["like_prior"] else "")]
            for r in state.get("parameters", [])]
    widths = [max(len(c[i]) for c in [head, *rows]) for i in range(len(head))]
    return "\n".join("  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True))
                     for row in [head, *rows])


@cli.command()
@scenario_argument
@click.argument("targets", type=click.Path(dir_okay=False, path_type=Path), metavar="TARGETS")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder for the posterior, pyabc's database, diagnostics and figures.")
@click.option("--particles", type=click.IntRange(min=2), default=200, show_default=True,
              help="Particles per generation.")
@click.option("--generations", type=click.IntRange(min=1), default=8, show_default=True,
              help="Most generations in all (a resumed calibration counts those done).")
@click.option("--param", "params", multiple=True, metavar="KEY",
              help="Calibrate only this key of uncertainty: (repeatable; default: every "
                   "continuous one).")
@click.option("--seed", type=click.IntRange(min=0, max=2**63 - 1),
              help="Calibration seed (default: the scenario's ensemble seed).")
@click.option("--replicates", type=click.IntRange(min=1), default=1, show_default=True,
              help="Replicates per particle (their statistics are averaged).")
@click.option("--min-epsilon", type=finite_float(min=0), default=0.0, show_default=True,
              help="Stop when the tolerance reaches this.")
@click.option("--predictive", type=click.IntRange(min=0), default=50, show_default=True,
              help="Posterior draws simulated for the predictive check (0: none).")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
              help="Processes (the particles are the same for any number: each is "
                   "seeded by generation and index).")
@set_option
@output_flags(force="Replace a calibration already in --out.",
              resume="Continue the calibration stored in --out.",
              skip=("--no-figures", "Skip the figures."),
              json="Print the result as JSON.", quiet="No progress lines.")
def calibrate(scenario: str, targets: Path, out: Path, particles: int, generations: int,
              params: tuple[str, ...], seed: int | None, replicates: int, min_epsilon: float,
              predictive: int, workers: int, sets: tuple[str, ...], force: bool, resume: bool,
              no_figures: bool, as_json: bool, quiet: bool) -> None:
    """Fit the uncertain parameters of SCENARIO to the observed TARGETS (ABC-SMC).

    \b
    Example:
      simulate calibrate episodes/embargo2022 scenarios/targets/embargo2022.yaml \\
          --param market.demand_adaptation_half_life_days --out cal/embargo
      simulate run aug2025 --set uncertainty.from_posterior=cal/embargo/posterior.parquet

    A posterior's columns must be parameters of the scenario that draws from it: calibrate
    only the keys both scenarios have (--param), or keep those columns (docs/calibration.md).
    """
    from ..calibration import calibrate as run_calibration
    from ..calibration.abc import STATE_FILE

    s = load_from_cli(scenario, sets)
    # locked until the command ends; the calibration makes (and marks) the folder itself
    claim_output(out, kind="calibration", force=force, resume=resume, create=False,
                 inputs=[*scenario_files(scenario, s), targets], resumable=STATE_FILE)

    def report(record: dict) -> None:
        if not quiet and not as_json:
            click.echo(f"generation {record['generation']}: epsilon {record['epsilon']:.4g}, "
                       f"{record['simulations']} simulations, acceptance rate "
                       f"{record['acceptance_rate']:.3f}", err=True)

    try:
        result = run_calibration(
            s, targets, out, particles=particles, generations=generations, seed=seed,
            keys=list(params) or None, replicates=replicates, min_epsilon=min_epsilon,
            workers=workers, resume=resume, force=force, progress=report,
            predictive=predictive, figures=not no_figures)
    except KeyboardInterrupt:
        click.echo(f"\ninterrupted; the generations finished are kept in {out}/. To "
                   f"continue:\n  {resume_command()}", err=True)
        raise
    state = result.state
    if as_json:
        click.echo(json.dumps({k: state.get(k) for k in (
            "identity", "generations", "parameters", "warnings", "skipped", "predictive")},
            indent=2, default=str))
        return
    click.echo(f"Calibration of {s.name} to {state['identity']['targets']} (data vintage "
               f"{state['targets_vintage']}): {len(result.generations)} generation(s), "
               f"{len(result.posterior)} particles")
    click.echo(format_parameters(state))
    pred = state.get("predictive")
    if pred:
        click.echo(f"posterior predictive coverage: {pred['coverage']:.0%} of "
                   f"{len(pred['targets'])} target(s) inside their 5-95% band; held-out "
                   f"targets {_share(pred['coverage_check'])}, fitted "
                   f"{_share(pred['coverage_fit'])} "
                   f"(a fitting model: about {pred['reference']:.0%} with "
                   f"{pred['draws']} draws)")
    for skipped in state.get("skipped", []):
        click.echo(f"note: target {skipped['target']} not used: {skipped['reason']}", err=True)
    for warning in state.get("warnings", []):
        click.echo(f"warning: {warning}", err=True)
    click.echo(f"posterior: {out / 'posterior.parquet'}")


def _share(x: float) -> str:
    """A coverage as a percentage, "none" when there were no such targets (NaN)."""
    return "none" if x != x else f"{x:.0%}"
