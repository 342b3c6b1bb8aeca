"""Run an experiment: every design point as an ensemble on common random numbers.

Point k runs replicates 0..R-1 with the experiment's seed, so replicate r of every point
faces the same shocks and draws the same values of the uncertainties the design does not fix
(streams are keyed by parameter name): differences between points are paired. Tasks are
(point, replicate chunk) pairs, run by :func:`simulate.execution.backends.run_tasks` on the
serial, processes or Dask backend; each task scores its replicates in the worker and sends
back only the scores. With an output folder, every finished task is checkpointed so an
interrupted sweep resumes to the identical result.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd

from ..errors import ScenarioError
from ..execution.backends import run_tasks
from ..execution.progress import Progress
from ..execution.runner import (
    as_scenario,
    check_seed_argument,
    chunk_ranges,
    run_chunk,
)
from ..limits import whole_number
from ..results.folders import output_lock
from ..results.results import scenario_sha256
from ..scenario import Scenario
from ..scenario.experiment_block import Outcomes, binary_outcomes
from .design import Design, make_design, point_scenario
from .experiment import Experiment
from .score import (
    check_outcomes,
    needs_counterfactual,
    needs_series,
    outcome_names,
    score_chunk,
)
from .stats import STOPPING_RULE, point_statistics, proportion_columns, stopping_se
from .store import TaskStore

__all__ = ["sweep", "run_point_chunk", "run_design", "reached_se", "SERIES_CHUNK"]

#: largest chunk when every replicate's daily series is kept for scoring (memory)
SERIES_CHUNK = 500


def run_point_chunk(scenario: Scenario, point: int, seed: int, start: int, stop: int,
                    engine: str, outcomes: Outcomes) -> dict[str, np.ndarray]:
    """Replicates [start, stop) of one design point, scored: the task of every backend."""
    keep = stop if needs_series(outcomes) else 0
    result = run_chunk(scenario, seed, start, stop, engine, keep,
                       needs_counterfactual(outcomes), bands=False)
    scores = score_chunk(scenario, outcomes, result.outcomes,
                         result.series if keep else None)
    scores["point"] = np.full(stop - start, point, dtype=np.int64)
    return scores


def _identity(base: Scenario, design: Design, seed: int, replicates: int, engine: str,
              chunk: int, outcomes: Outcomes) -> dict[str, Any]:
    text = design.values.to_csv(index=False)
    from .. import __version__
    return {"scenario_sha256": scenario_sha256(base), "seed": seed, "replicates": replicates,
            "engine": engine, "chunk_size": chunk, "simulate_version": __version__,
            "design_sha256": hashlib.sha256(text.encode()).hexdigest(),
            "outcomes": outcomes.model_dump(mode="json", by_alias=True)}


def run_design(base: Scenario, design: Design, outcomes: Outcomes, *, replicates: int,
               seed: int, engine: str = "batch", backend: str = "serial", workers: int = 1,
               scheduler: str | None = None, chunk_size: int | None = None,
               progress: bool = True, store: TaskStore | None = None,
               target_se: float | None = None, max_replicates: int | None = None,
               ) -> pd.DataFrame:
    """Per-replicate scores of every design point (``point``, ``replicate``, outcomes,
    ``param:`` columns), sorted by point then replicate.

    ``outcomes`` are checked against the scenario before anything runs
    (:func:`.score.check_outcomes`: a :class:`~simulate.errors.ScenarioError` for a series,
    actor, date or column the run does not have).

    ``target_se``: after the first ``replicates``, points whose 0/1 outcomes (by name:
    :func:`~simulate.scenario.experiment_block.binary_outcomes`) have a stopping standard
    error (:func:`.stats.stopping_se`,
    never 0) above it get more replicates, a chunk at a time, up to ``max_replicates``.
    """
    check_outcomes(base, outcomes)
    chunk = int(chunk_size or base.ensemble.chunk_size)
    if needs_series(outcomes):
        chunk = min(chunk, SERIES_CHUNK)
    if target_se is not None:
        chunk = min(chunk, replicates)
    scenarios = [point_scenario(base, design.overrides(i)) for i in range(len(design))]
    done: dict[tuple[int, int, int], dict[str, np.ndarray]] = store.load() if store else {}
    parts: dict[tuple[int, int, int], dict[str, np.ndarray]] = {}
    counts: list[int] = [0] * len(design)
    names = outcome_names(outcomes)
    binary = sorted(proportion_columns(None, names, binary_outcomes(outcomes)))
    cap = int(max_replicates or (replicates * 64 if target_se else replicates))

    with Progress(total=len(design), unit="point", desc="points", enabled=progress) as bar:
        want = [replicates] * len(design)
        while True:
            todo = [(i, counts[i] + a, counts[i] + b) for i in range(len(design))
                    for a, b in chunk_ranges(want[i] - counts[i], chunk)]
            fresh = [t for t in todo if t not in done]
            for t in todo:
                if t in done:
                    parts[t] = done[t]
                    bar.update((t[2] - t[1]) / want[t[0]])
            tasks = [(scenarios[i], i, seed, a, b, engine, outcomes) for i, a, b in fresh]

            def on_result(k: int, result: dict, _fresh=fresh) -> None:
                parts[_fresh[k]] = result
                if store is not None:
                    store.save(_fresh[k], result)

            if tasks:
                run_tasks(run_point_chunk, tasks, backend=backend, workers=workers,
                          scheduler=scheduler, progress=bar, on_result=on_result,
                          sizes=cast(list[int], [(b - a) / want[i] for i, a, b in fresh]),
                          labels=[f"point {i}, replicates [{a}, {b})" for i, a, b in fresh])
            counts = list(want)
            if target_se is None or not binary:
                break
            joined = [{k: np.concatenate([parts[t][k] for t in sorted(parts) if t[0] == i])
                       for k in binary} for i in range(len(design))]
            more = False
            for i in range(len(design)):
                n = counts[i]
                worst = max(stopping_se(joined[i][name]) for name in binary)
                if worst > target_se and n < cap:
                    want[i] = min(n + chunk, cap)
                    more = True
            if not more:
                break
    keys = sorted(parts)
    columns = list(parts[keys[0]])
    table = {k: np.concatenate([parts[t][k] for t in keys]) for k in columns}
    frame = pd.DataFrame(table)
    cols = ["point", "replicate", *[c for c in columns if c not in ("point", "replicate")]]
    return frame[cols].sort_values(["point", "replicate"], ignore_index=True)


def reached_se(replicates: pd.DataFrame, binary: list[str]) -> list[float]:
    """Per point, the largest stopping standard error of its 0/1 outcomes ``binary`` (what
    the ``target_se`` rule compared with the target)."""
    return [max(stopping_se(part[b].to_numpy()) for b in binary)
            for _point, part in replicates.groupby("point", sort=True)]


def sweep(scenario: Scenario | str | Path, *, design: str | None = None,
          points: int | None = None, replicates: int | None = None, seed: int | None = None,
          table: str | Path | None = None, engine: str = "batch", backend: str | None = None,
          workers: int = 1, scheduler: str | None = None, chunk_size: int | None = None,
          overrides: Mapping[str, Any] | None = None, out: str | Path | None = None,
          resume: bool = False, force: bool = False, progress: bool = True,
          target_se: float | None = None, max_replicates: int | None = None,
          design_points: Design | None = None) -> Experiment:
    """Run the scenario's ``experiment:`` block and return an :class:`Experiment`.

    ``design``/``points``/``replicates`` override the block's; ``table`` gives the points
    as a CSV/Parquet file. ``out``: save the experiment there (refused if it holds something,
    unless ``force``); with ``resume``, continue an interrupted sweep saved there.

    >>> ex = sweep("experiments/aug2025_policies", design="lhs", points=16, replicates=200)
    """
    base = as_scenario(scenario, overrides)
    if base.experiment is None:
        raise ScenarioError.from_text(f"scenario {base.name!r} has no experiment: block; add "
                                      "levers, uncertainties and outcomes (docs/experiments.md)")
    exp = base.experiment
    check_outcomes(base, exp.outcomes)
    seed = check_seed_argument(seed if seed is not None else base.ensemble.seed)
    n = whole_number(replicates if replicates is not None else exp.replicates, "replicates", 1)
    if points is not None:
        points = whole_number(points, "points", 1)
    workers = whole_number(workers, "workers", 1)
    if chunk_size is not None:
        chunk_size = whole_number(chunk_size, "chunk_size", 1)
    if max_replicates is not None:
        max_replicates = whole_number(max_replicates, "max_replicates", n)
    backend = backend or ("dask" if scheduler else "serial" if workers <= 1 else "processes")
    d = design_points or make_design(base, design="table" if table else design, points=points,
                                     seed=seed, table=table)
    started = _dt.datetime.now(_dt.UTC)
    store = None
    with contextlib.ExitStack() as stack:
        if out is not None:  # the folder's lock, held until the experiment is saved
            stack.enter_context(output_lock(Path(out)))
            chunk = int(chunk_size or base.ensemble.chunk_size)
            ident = _identity(base, d, seed, n, engine, chunk, exp.outcomes)
            ident["target_se"] = target_se
            store = TaskStore(Path(out), ident)
            store.start(resume=resume, force=force, inputs=tuple(
                Path(p) for p in (scenario, table) if isinstance(p, str | Path)))
        return _finish(base, d, store, out, seed=seed, n=n, engine=engine, backend=backend,
                       workers=workers, scheduler=scheduler, chunk_size=chunk_size,
                       progress=progress, target_se=target_se,
                       max_replicates=max_replicates, started=started)


def _finish(base: Scenario, d: Design, store: TaskStore | None, out: str | Path | None, *,
            seed: int, n: int, engine: str, backend: str, workers: int,
            scheduler: str | None, chunk_size: int | None, progress: bool,
            target_se: float | None, max_replicates: int | None,
            started: _dt.datetime) -> Experiment:
    """Run the design's tasks, gather the statistics, save into ``out`` if given."""
    exp = base.experiment
    assert exp is not None
    reps = run_design(base, d, exp.outcomes, replicates=n, seed=seed, engine=engine,
                      backend=backend, workers=workers, scheduler=scheduler,
                      chunk_size=chunk_size, progress=progress, store=store,
                      target_se=target_se, max_replicates=max_replicates)
    names = outcome_names(exp.outcomes)
    binary = sorted(proportion_columns(reps, names, binary_outcomes(exp.outcomes)))
    stats = point_statistics(reps, names, set(binary))
    finished = _dt.datetime.now(_dt.UTC)
    manifest = _manifest(base, d, seed, n, engine, backend, workers, started, finished)
    if target_se is not None:
        manifest["target_se"] = target_se
        manifest["target_se_rule"] = STOPPING_RULE
        if binary:
            manifest["target_se_reached"] = reached_se(reps, binary)
    ex = Experiment(base, d.values, stats, reps, manifest, factors=_factor_info(d),
                    outcomes=names, binary=binary)
    if out is not None:
        ex.save(out, overwrite=True)
    return ex


def _factor_info(d: Design) -> list[dict[str, Any]]:
    return [{"key": f.key, "kind": f.kind, "numeric": f.numeric} for f in d.factors]


def _manifest(base: Scenario, d: Design, seed: int, n: int, engine: str, backend: str,
              workers: int, started: _dt.datetime, finished: _dt.datetime) -> dict[str, Any]:
    from .. import __version__
    from ..results.manifest import git_commit
    m = {"kind": "experiment", "simulate_version": __version__, "scenario": base.name,
         "scenario_sha256": scenario_sha256(base), "seed": seed, "replicates": n,
         "design": d.kind, "points": len(d), "factors": d.keys, "engine": engine,
         "backend": backend, "workers": int(workers),
         "started": started.isoformat(timespec="seconds"),
         "finished": finished.isoformat(timespec="seconds"),
         "wall_seconds": round((finished - started).total_seconds(), 3),
         "git_commit": git_commit()}
    if base.fixed_keys:
        m["fixed_uncertain"] = list(base.fixed_keys)
    json.dumps(m)
    return m
