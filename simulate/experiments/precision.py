"""Runs that stop at a target precision: replicates added in chunks until every headline
probability's stopping standard error is at most the target.

The headline probabilities are the summary's (:func:`.stats.headline_hits`): P(deal by
deadline), P(deal within w days) for each of the run's deal windows, P(deal within horizon)
and P(threat carried out). The stopping standard error is the Wilson interval's half-width
over 1.96 (:func:`.stats.stopping_se`), never 0: the plug-in ``sqrt(p (1 - p) / n)`` is 0 at
0/n, and a rare event not yet seen would stop the run at its first chunk.

Replicate k's randomness depends only on (seed, k) (design section 2), so the first n
replicates of any run are the same whatever its size: the run that stops at n replicates is
*the* run of n replicates with that seed. The chunks that decide when to stop are scored
without the counterfactual and without kept series (what the headline probabilities need);
the returned Results is then the ordinary run of the chosen number of replicates.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ScenarioError
from ..execution.backends import run_tasks
from ..execution.progress import Progress
from ..execution.runner import as_scenario, run, run_chunk
from ..results.results import Results
from ..scenario import Scenario
from .stats import STOPPING_RULE, headline_hits, stopping_se

__all__ = ["replicates_for_target", "run_to_target_se", "DEFAULT_STEP"]

#: replicates added per step when the scenario's chunk size is larger
DEFAULT_STEP = 1000


def replicates_for_target(scenario: Scenario, target_se: float, *, seed: int, step: int,
                          max_replicates: int, engine: str = "batch", backend: str = "serial",
                          workers: int = 1, scheduler: str | None = None,
                          progress: bool = True) -> tuple[int, dict[str, float]]:
    """The first multiple of ``step`` at which every headline probability's stopping
    standard error is at most ``target_se`` (or ``max_replicates``), and those standard
    errors by metric id."""
    if target_se <= 0:
        raise ScenarioError.from_text(f"target SE must be > 0, found {target_se}")
    hits: dict[str, list[np.ndarray]] = {}
    n = 0
    ses: dict[str, float] = {}
    batch = max(1, int(workers))  # chunks per round: one per worker
    with Progress(total=max_replicates, enabled=progress, desc="to target SE") as bar:
        while n < max_replicates:
            ranges = []
            for _ in range(batch):
                if n >= max_replicates:
                    break
                ranges.append((n, min(n + step, max_replicates)))
                n = ranges[-1][1]
            results: list[Any] = run_tasks(
                run_chunk, [(scenario, seed, a, b, engine, 0, False, False) for a, b in ranges],
                backend=backend, workers=workers, scheduler=scheduler, progress=bar,
                sizes=[b - a for a, b in ranges],
                labels=[f"replicates [{a}, {b})" for a, b in ranges]) or []
            for (_a, b), res in zip(ranges, results, strict=True):
                for k, v in headline_hits(res.outcomes, scenario).items():
                    hits.setdefault(k, []).append(v)
                # stop at the first chunk boundary where the target is met
                ses = {k: stopping_se(np.concatenate(v)) for k, v in hits.items()}
                if max(ses.values()) <= target_se:
                    return b, ses
    return n, ses


def run_to_target_se(scenario: Scenario | str | Path, target_se: float, *,
                     seed: int | None = None, step: int | None = None,
                     max_replicates: int = 1_000_000,
                     overrides: Mapping[str, Any] | None = None, progress: bool = True,
                     **run_options: Any) -> Results:
    """Run with as many replicates as the headline probabilities need to reach
    ``target_se`` (standard error), adding ``step`` replicates at a time (default: the
    ``chunk_size`` option, else the scenario's chunk size up to 1,000).

    The result equals ``run(scenario, replicates=N, seed=seed)`` for the N chosen; its
    manifest records ``target_se``, the rule (``target_se_rule``) and the stopping standard
    errors reached, by metric id (``target_se_reached``).
    """
    s = as_scenario(scenario, overrides)
    seed = int(seed if seed is not None else s.ensemble.seed)
    step = int(step or run_options.get("chunk_size") or min(s.ensemble.chunk_size,
                                                             DEFAULT_STEP))
    opts = {k: run_options[k] for k in ("engine", "backend", "workers", "scheduler")
            if run_options.get(k) is not None}
    if "backend" not in opts:
        opts["backend"] = ("dask" if opts.get("scheduler") else "serial"
                           if int(opts.get("workers", 1)) <= 1 else "processes")
    n, ses = replicates_for_target(s, target_se, seed=seed, step=step,
                                   max_replicates=max_replicates, progress=progress, **opts)
    results = run(s, replicates=n, seed=seed, progress=progress, **run_options)
    results.manifest["target_se"] = target_se
    results.manifest["target_se_step"] = step
    results.manifest["target_se_rule"] = STOPPING_RULE
    results.manifest["target_se_reached"] = ses
    return results
