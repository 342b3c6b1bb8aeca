"""Limits of a run, checked before any work starts: seeds, replicates, workers, memory.

A run keeps its whole outcome table in memory (one row of numbers per replicate) plus the
daily series of the kept replicates and one chunk in flight per worker (runner module doc).
:func:`check_run` refuses up front a run whose tables alone cannot fit in the memory
available, instead of growing until the machine swaps.
"""

from __future__ import annotations

import operator
from typing import Any

from .errors import ScenarioError

__all__ = ["MAX_SEED", "MAX_WORKERS", "MAX_REPLICATES", "check_seed", "check_run",
           "cap_workers", "estimate_bytes", "whole_number"]

#: seeds are 63-bit: [0, 2**63)
MAX_SEED = 2**63 - 1
#: most worker processes (or local Dask workers) a run starts
MAX_WORKERS = 256
#: most replicates of one run, whatever the memory (replicate indices stay far inside int64)
MAX_REPLICATES = 10**9
#: bytes per number in the tables
_WORD = 8


def check_seed(seed: int, key: str = "seed") -> int:
    """``seed`` if it is a whole number in [0, 2**63), else :class:`ScenarioError`."""
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
        raise ScenarioError.from_text(f"expected a whole number from 0 to {MAX_SEED} "
                                      f"(2**63 - 1), found {str(seed)[:40]}", key)
    return seed


def cap_workers(workers: int, tasks: int) -> int:
    """Processes worth starting: at most one per task and at most :data:`MAX_WORKERS`."""
    return max(1, min(int(workers), int(tasks), MAX_WORKERS))


def estimate_bytes(scenario, replicates: int, chunk_size: int, keep_series: int,
                   counterfactual: bool) -> int:
    """Memory the tables of a run need, in bytes (an estimate from above): outcome columns
    (fixed ones, per region, per importer, per uncertain parameter), the kept replicates'
    daily series and one chunk's working arrays."""
    regions = len(scenario.regions)
    actors = len(scenario.actors)
    columns = 40 + 2 * regions + 3 * actors + len(scenario.uncertainty) + \
        (3 if counterfactual else 0)
    days = scenario.horizon_days + 1
    series_per_replicate = days * 40 * (actors + regions + 1)
    kept = min(keep_series, replicates)
    chunk = min(chunk_size, replicates)
    return _WORD * (replicates * columns + kept * series_per_replicate
                    + chunk * (columns + 4 * (actors + regions) * 8))


def _available() -> int | None:
    try:
        import psutil
    except ImportError:  # pragma: no cover - psutil is a dependency
        return None
    vm = psutil.virtual_memory()
    return int(vm.available + vm.total) // 2  # between what is free and what is installed


def check_run(scenario, replicates: int, seed: int, workers: int, chunk_size: int,
              keep_series: int, counterfactual: bool) -> None:
    """Refuse, before running, a seed outside [0, 2**63), a replicate count beyond
    :data:`MAX_REPLICATES` or whose tables cannot fit in memory, and a worker count beyond
    :data:`MAX_WORKERS`."""
    check_seed(seed)
    if not 1 <= replicates <= MAX_REPLICATES:
        raise ScenarioError.from_text(f"expected from 1 to {MAX_REPLICATES:,} replicates, found "
                                      f"{replicates:,}", "replicates")
    if not 1 <= workers <= MAX_WORKERS:
        raise ScenarioError.from_text(f"expected from 1 to {MAX_WORKERS} workers, found "
                                      f"{workers}", "workers")
    need = estimate_bytes(scenario, replicates, chunk_size, keep_series, counterfactual)
    have = _available()
    if have is not None and need > have:
        raise ScenarioError.from_text(
            f"expected a run whose tables fit in memory (about {have / 2**30:.1f} GiB usable), "
            f"found {replicates:,} replicates needing about {need / 2**30:,.1f} GiB (fewer "
            "replicates, or a smaller keep_series, fit)", "replicates")


def whole_number(value: Any, key: str, minimum: int = 0, maximum: int | None = None) -> int:
    """``value`` as an int when it is a whole number (an int or a numpy integer, not a bool,
    a float or a text) in [minimum, maximum]; else :class:`ScenarioError` naming ``key``."""
    upto = f"from {minimum} to {maximum:,}" if maximum is not None else f">= {minimum}"
    try:
        if isinstance(value, bool):
            raise TypeError
        n = operator.index(value)
    except TypeError:
        raise ScenarioError.from_text(f"expected a whole number {upto}, found {value!r:.40} "
                                      f"({type(value).__name__})", key) from None
    if n < minimum or (maximum is not None and n > maximum):
        raise ScenarioError.from_text(f"expected a whole number {upto}, found {n}", key)
    return n
