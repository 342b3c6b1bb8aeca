"""Run a scenario's replicates in chunks, on a backend, and gather the Results.

A task is a chunk of replicate indices; chunks are independent (design section 2), so results
do not depend on chunk size, worker count or backend.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import numpy as np

from ..engines.batch import run_batch
from ..engines.chunk import ChunkResult, concat_chunks
from ..engines.events import run_events
from ..errors import ScenarioError
from ..model.params import compile_params, remove_measures
from ..results.manifest import make_manifest
from ..results.results import Results, scenario_sha256
from ..results.tables import outcomes_frame, series_frame
from ..scenario import Scenario, find_scenario, load_scenario, validate, with_overrides
from .backends import run_tasks

__all__ = ["run", "run_chunk", "chunk_ranges", "ENGINES", "as_scenario"]

ENGINES = ("batch", "events")


def as_scenario(scenario: Scenario | str | Path,
                overrides: Mapping[str, Any] | None = None) -> Scenario:
    """A Scenario from a Scenario, a path or a bundled name, with overrides applied."""
    if isinstance(scenario, Scenario):
        return with_overrides(scenario, overrides or {})
    return load_scenario(find_scenario(scenario), overrides=overrides)


def counterfactual_of(scenario: Scenario) -> Scenario:
    """The scenario with the sanctioner's measures removed (same random numbers)."""
    return validate(remove_measures(scenario.to_data()), {}, f"{scenario.name} (no measures)")


def chunk_ranges(replicates: int, chunk_size: int) -> list[tuple[int, int]]:
    """[start, stop) replicate ranges of at most ``chunk_size``."""
    return [(a, min(a + chunk_size, replicates)) for a in range(0, replicates, chunk_size)]


def run_chunk(scenario: Scenario, seed: int, start: int, stop: int, engine: str,
              keep_series: int, counterfactual: bool) -> ChunkResult:
    """Run replicates [start, stop): the task every backend executes."""
    reps = np.arange(start, stop, dtype=np.int64)
    runner = run_batch if engine == "batch" else run_events
    result = runner(scenario, seed, reps, keep_series)
    if counterfactual:
        cf = runner(counterfactual_of(scenario), seed, reps, 0)
        result.outcomes["oil_revenue_cf_busd"] = cf.outcomes["oil_revenue_busd"]
        result.outcomes["oil_revenue_loss_busd"] = (cf.outcomes["oil_revenue_busd"]
                                                    - result.outcomes["oil_revenue_busd"])
        result.outcomes["deal_cf"] = cf.outcomes["deal"]
    return result


def run(scenario: Scenario | str | Path, *, replicates: int | None = None,
        seed: int | None = None, engine: Literal["batch", "events"] = "batch",
        workers: int = 1, backend: str | None = None, scheduler: str | None = None,
        chunk_size: int | None = None, keep_series: int | None = None,
        counterfactual: bool | None = None, overrides: Mapping[str, Any] | None = None,
        progress: bool = True) -> Results:
    """Run a scenario and return its :class:`~simulate.results.Results`.

    Defaults come from the scenario's ``ensemble`` and ``outputs`` blocks. ``backend`` is
    ``serial`` (default for one worker), ``processes`` (default for several) or ``dask``
    (a local cluster of ``workers``, or the cluster at ``scheduler``).
    """
    s = as_scenario(scenario, overrides)
    if engine not in ENGINES:
        raise ScenarioError.from_text(f"unknown engine {engine!r}: expected one of {ENGINES}")
    n = int(replicates if replicates is not None else s.ensemble.replicates)
    seed = int(seed if seed is not None else s.ensemble.seed)
    if n < 1:
        raise ScenarioError.from_text(f"replicates must be >= 1, found {n}")
    chunk = int(chunk_size or s.ensemble.chunk_size)
    keep = int(s.outputs.keep_series if keep_series is None else keep_series)
    cf = bool(s.outputs.counterfactual if counterfactual is None else counterfactual)
    backend = backend or ("dask" if scheduler else "serial" if workers <= 1 else "processes")
    started = _dt.datetime.now(_dt.timezone.utc)
    tasks = [(s, seed, a, b, engine, keep, cf) for a, b in chunk_ranges(n, chunk)]
    chunks = run_tasks(run_chunk, tasks, backend=backend, workers=workers, scheduler=scheduler,
                       sizes=[b - a for _, _, a, b, *_ in tasks], progress=progress)
    merged = concat_chunks(chunks)
    finished = _dt.datetime.now(_dt.timezone.utc)
    p = compile_params(s)
    manifest = make_manifest(
        scenario_name=s.name, scenario_sha256=scenario_sha256(s), seed=seed, replicates=n,
        engine=engine, backend=backend, workers=workers, chunk_size=chunk, started=started,
        finished=finished, keep_series=keep, counterfactual=cf)
    bands = merged.bands.to_frame(p, s.start) if merged.bands is not None else None
    return Results(s, outcomes_frame(merged), series_frame(merged, p, s.start), manifest,
                   bands=bands, log=merged.log)
