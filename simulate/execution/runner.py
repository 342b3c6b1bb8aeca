"""Run a scenario's replicates in chunks, on a backend, and gather the Results.

A task is a chunk of replicate indices; chunks are independent (design section 2), so results
do not depend on chunk size, worker count or backend. Each chunk sends back its replicates'
outcomes, the daily series of its kept replicates and a mergeable band sketch; they are merged
as they arrive (outcomes copied into place by replicate index, sketches added), so the memory
of a run is its outcome table plus one chunk in flight per worker.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Literal

import numpy as np

from ..engines.bands import BandSketch
from ..engines.batch import run_batch
from ..engines.chunk import ChunkResult
from ..engines.events import run_events
from ..errors import ScenarioError
from ..limits import MAX_SEED, check_run, whole_number
from ..model.params import compile_params
from ..model.sampling import remove_measures
from ..results.manifest import make_manifest
from ..results.results import Results, scenario_sha256
from ..results.tables import outcomes_frame, series_frame
from ..scenario import Scenario, load_scenario, validate, with_overrides
from ..scenario.posterior import posterior_provenance
from .backends import BACKENDS, DEFAULT_RETRIES, run_tasks
from .checkpoint import ChunkStore
from .progress import Progress

__all__ = ["run", "run_chunk", "chunk_ranges", "ENGINES", "as_scenario", "counterfactual_of",
           "check_seed_argument"]

ENGINES = ("batch", "events")


def check_seed_argument(seed: Any) -> int:
    """A ``seed`` argument: a whole number in [0, 2**63)."""
    return whole_number(seed, "seed", 0, MAX_SEED)


def as_scenario(scenario: Scenario | str | Path,
                overrides: Mapping[str, Any] | None = None) -> Scenario:
    """A Scenario from a Scenario, a path or a bundled name, with overrides applied."""
    if isinstance(scenario, Scenario):
        return with_overrides(scenario, overrides or {})
    return load_scenario(scenario, overrides=overrides)


def counterfactual_of(scenario: Scenario) -> Scenario:
    """The scenario with the sanctioner's measures removed (same random numbers)."""
    return validate(remove_measures(scenario.to_data()), {}, f"{scenario.name} (no measures)")


def chunk_ranges(replicates: int, chunk_size: int) -> list[tuple[int, int]]:
    """[start, stop) replicate ranges of at most ``chunk_size``."""
    return [(a, min(a + chunk_size, replicates)) for a in range(0, replicates, chunk_size)]


def _weighted(progress: Callable[[float], None] | None, weight: float):
    """An engine progress callback reporting ``weight`` per replicate done."""
    if progress is None:
        return None
    return lambda n: progress(n * weight)


def run_chunk(scenario: Scenario, seed: int, start: int, stop: int, engine: str,
              keep_series: int, counterfactual: bool, bands: bool = True,
              progress: Callable[[float], None] | None = None) -> ChunkResult:
    """Run replicates [start, stop): the task every backend executes.

    ``progress(n)`` (optional, in-process runs) is told the replicates done as it goes.
    ``bands=False``: no band sketch (sweeps and calibration score outcomes or kept series
    only; binning is about a third of a replicate-day).
    """
    reps = np.arange(start, stop, dtype=np.int64)
    weight = 0.5 if counterfactual else 1.0
    if engine == "batch":
        result = run_batch(scenario, seed, reps, keep_series,
                           progress=_weighted(progress, weight), bands=bands)
    else:
        result = run_events(scenario, seed, reps, keep_series,
                            progress=(lambda n: progress(n * weight)) if progress else None,
                            bands=bands)
    if counterfactual:
        cf_scenario = counterfactual_of(scenario)
        if engine == "batch":
            cf = run_batch(cf_scenario, seed, reps, 0, bands=False,
                           progress=_weighted(progress, weight))
        else:
            cf = run_events(cf_scenario, seed, reps, 0, bands=False,
                            progress=(lambda n: progress(n * weight)) if progress else None)
        result.outcomes["oil_revenue_cf_busd"] = cf.outcomes["oil_revenue_busd"]
        result.outcomes["oil_revenue_loss_busd"] = (cf.outcomes["oil_revenue_busd"]
                                                    - result.outcomes["oil_revenue_busd"])
        result.outcomes["deal_cf"] = cf.outcomes["deal"]
    return result


class _Assembler:
    """Merges chunk results as they arrive: outcomes into preallocated columns by replicate
    index, kept series and logs into lists, band sketches by addition."""

    def __init__(self, n: int):
        self.n = n
        self.outcomes: dict[str, np.ndarray] | None = None
        self.filled = np.zeros(n, dtype=bool)
        self.series: list[tuple[np.ndarray, dict[str, np.ndarray]]] = []
        self.logs: list[tuple[int, list[dict]]] = []
        self.bands: BandSketch | None = None

    def add(self, chunk: ChunkResult) -> None:
        reps = np.asarray(chunk.outcomes["replicate"], dtype=np.int64)
        if not reps.size:
            return
        a, b = int(reps[0]), int(reps[-1]) + 1
        if self.outcomes is None:
            self.outcomes = {k: np.empty(self.n, dtype=np.asarray(v).dtype)
                             for k, v in chunk.outcomes.items()}
        for k, v in chunk.outcomes.items():
            self.outcomes[k][a:b] = v
        self.filled[a:b] = True
        if len(chunk.kept):
            self.series.append((np.asarray(chunk.kept), dict(chunk.series)))
        if chunk.log:
            self.logs.append((a, chunk.log))
        if chunk.bands is not None:
            if self.bands is None:  # the first sketch becomes the sum: no copy of ~60 MB
                self.bands = chunk.bands
            else:
                self.bands.merge_into(chunk.bands)

    def result(self) -> ChunkResult:
        if self.outcomes is None or not self.filled.all():
            missing = int((~self.filled).sum())
            raise RuntimeError(f"{missing} replicates were not run")
        self.series.sort(key=lambda kv: int(kv[0][0]))
        if self.series:
            names = self.series[0][1].keys()
            series = {k: np.concatenate([s[k] for _, s in self.series]) for k in names}
            kept = np.concatenate([k for k, _ in self.series])
        else:
            series, kept = {}, np.zeros(0, dtype=np.int64)
        self.logs.sort(key=lambda kv: kv[0])
        log = [row for _, rows in self.logs for row in rows]
        return ChunkResult(self.outcomes, series, kept, log, self.bands)


def run(scenario: Scenario | str | Path, *, replicates: int | None = None,
        seed: int | None = None, engine: Literal["batch", "events"] = "batch",
        workers: int = 1, backend: str | None = None, scheduler: str | None = None,
        chunk_size: int | None = None, keep_series: int | None = None,
        counterfactual: bool | None = None, overrides: Mapping[str, Any] | None = None,
        progress: bool = True, resume_dir: Path | str | None = None,
        checkpoint_dir: Path | str | None = None,
        retries: int = DEFAULT_RETRIES, bands: bool = True) -> Results:
    """Run a scenario and return its :class:`~simulate.results.Results`.

    Defaults come from the scenario's ``ensemble`` and ``outputs`` blocks. ``backend`` is
    ``serial`` (default for one worker), ``processes`` (default for several) or ``dask``
    (a local cluster of ``workers``, or the cluster at ``scheduler``). Results are the same
    whatever the backend, worker count and chunk size.

    ``checkpoint_dir``: write each completed chunk into ``checkpoint_dir/.chunks`` so that an
    interrupted run can be resumed; ``resume_dir``: resume the interrupted run checkpointed
    there (same scenario, seed, replicates, engine and chunk size) and keep checkpointing.
    ``retries``: how many times a failed chunk is run again before the run fails.
    ``bands=False``: no quantile bands over all replicates (``results.bands`` and
    ``regime_bands`` empty; figures then use the kept replicates), for many small runs whose
    outcomes or kept series are all that is read.
    """
    s = as_scenario(scenario, overrides)
    if engine not in ENGINES:
        raise ScenarioError.from_text(f"unknown engine {engine!r}: expected one of {ENGINES}")
    if backend is not None and backend not in BACKENDS:
        raise ScenarioError.from_text(f"unknown backend {backend!r}: expected one of "
                                      f"{BACKENDS}")
    n = whole_number(replicates if replicates is not None else s.ensemble.replicates,
                     "replicates", 1)
    seed = check_seed_argument(seed if seed is not None else s.ensemble.seed)
    workers = whole_number(workers, "workers", 1)
    chunk = whole_number(chunk_size if chunk_size is not None else s.ensemble.chunk_size,
                         "chunk_size", 1)
    keep = whole_number(s.outputs.keep_series if keep_series is None else keep_series,
                        "keep_series", 0)
    cf = bool(s.outputs.counterfactual if counterfactual is None else counterfactual)
    backend = backend or ("dask" if scheduler else "serial" if workers <= 1 else "processes")
    check_run(s, n, seed, int(workers), chunk, keep, cf)  # seed range, memory, worker bound
    started = _dt.datetime.now(_dt.UTC)
    ranges = chunk_ranges(n, chunk)
    assembler = _Assembler(n)

    store = None
    done: dict = {}
    folder = resume_dir if resume_dir is not None else checkpoint_dir
    if folder is not None:
        identity = {"scenario_sha256": scenario_sha256(s), "seed": seed, "replicates": n,
                    "engine": engine, "chunk_size": chunk, "keep_series": keep,
                    "counterfactual": cf, "scenario": s.name, "bands": bool(bands)}
        from .. import __version__
        identity["simulate_version"] = __version__
        store = ChunkStore(folder, identity)
        done = store.start(resume=resume_dir is not None)
    todo = [(a, b) for a, b in ranges if (a, b) not in done]
    tasks = [(s, seed, a, b, engine, keep, cf, bool(bands)) for a, b in todo]

    def on_result(i: int, result: ChunkResult) -> None:
        if store is not None:
            store.save(todo[i][0], todo[i][1], result)
        assembler.add(result)

    try:
        with Progress(total=n, enabled=progress) as bar:
            for (a, b), result in sorted(done.items()):
                if (a, b) in ranges:
                    assembler.add(result)
                    bar.update(b - a)
            done.clear()
            if tasks:
                run_tasks(run_chunk, tasks, backend=backend, workers=workers,
                          scheduler=scheduler, sizes=[b - a for a, b in todo], progress=bar,
                          on_result=on_result, retries=retries,
                          labels=[f"replicates [{a}, {b})" for a, b in todo])
    finally:
        if store is not None:
            store.close()  # releases the folder's lock
    merged = assembler.result()
    finished = _dt.datetime.now(_dt.UTC)
    p = compile_params(s)
    manifest = make_manifest(
        scenario_name=s.name, scenario_sha256=scenario_sha256(s), seed=seed, replicates=n,
        engine=engine, backend=backend, workers=workers, chunk_size=chunk, started=started,
        finished=finished, keep_series=keep, counterfactual=cf)
    if len(ranges) != len(todo):
        manifest["resumed_chunks"] = len(ranges) - len(todo)
    if not bands:
        manifest["bands"] = False  # no quantile bands recorded (run(..., bands=False))
    if s.fixed_keys:  # uncertain keys that overrides fixed (distributions dropped)
        manifest["fixed_uncertain"] = list(s.fixed_keys)
    if s.posterior_file is not None:  # the calibrated posterior its parameters came from
        manifest["posterior"] = posterior_provenance(s.posterior_file)
    pooled, regimes = merged.bands.frames(s.start) if merged.bands is not None else (None, None)
    return Results(s, outcomes_frame(merged), series_frame(merged, p, s.start), manifest,
                   bands=pooled, log=merged.log, regime_bands=regimes)
