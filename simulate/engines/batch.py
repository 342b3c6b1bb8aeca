"""The batch engine: the replicates of a chunk run inside one compiled loop.

Replicate-major: each replicate runs all its days (:func:`simulate.model.day.run_day`, then
the recording of :mod:`simulate.engines.record` and the band sketch) before the next one
starts, so its state and parameters stay in the CPU cache (docs/performance.md: measured
faster than day-major). The loop runs over blocks of rows so that progress can be reported
between blocks; the numbers do not depend on the blocks.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numba import njit

from ..model.day import run_day
from ..model.params import Params, compile_params
from ..model.sampling import sample_uncertain
from ..model.state import initial_state
from ..model.streams import day_keys
from ..scenario.schema import Scenario
from .bands import BandArrays, BandSketch, bin_block
from .chunk import ChunkResult
from .compiling import announce_compilation, ensure_fresh_cache
from .record import Recorder, finish_row, record_day
from .regime_cells import regime_cell

__all__ = ["run_batch", "base_outcomes", "run_rows", "calendar_of", "BLOCK", "BAND_BLOCK"]

#: replicates per call of the compiled loop (progress is reported between calls)
BLOCK = 512


def base_outcomes(scenario: Scenario, seed: int, replicates: np.ndarray,
                  keep: np.ndarray | None = None
                  ) -> tuple[dict[str, np.ndarray], Params, np.recarray]:
    """Sampled parameters, compiled params and initial state records of a chunk."""
    replicates = np.asarray(replicates, dtype=np.int64)
    sampled = sample_uncertain(scenario, seed, replicates)
    p = compile_params(scenario, sampled, len(replicates))
    return sampled, p, initial_state(p, replicates, keep)


def calendar_of(p: Params, seed: int) -> np.recarray:
    """The calendar records of ``p`` with each day's stream keys for ``seed``."""
    calendar = p.calendar.copy()
    calendar.keys = day_keys(seed, p.n_days)
    return calendar


def no_bands(n_days: int) -> BandArrays:
    """Empty band accumulators (for runs that do not record bands)."""
    z2, z3 = np.zeros((n_days + 1, 0)), np.zeros((1, n_days + 1, 0))
    return BandArrays(counts=np.zeros((1, n_days + 1, 0), dtype=np.uint32), vmin=z3, vmax=z3,
                      qsum=np.zeros((1, n_days + 1, 0), dtype=np.int64),
                      n=np.zeros((1, n_days + 1), dtype=np.int64), lo=z2, inv=z2,
                      top=np.zeros(0), offsets=np.zeros(0, dtype=np.int64), scale=z2)


#: replicates whose daily values are buffered before they are binned into the bands
BAND_BLOCK = 128


@njit(cache=True, nogil=True, error_model="numpy")
def run_rows(table: np.ndarray, st: np.ndarray, calendar: np.ndarray, series: np.ndarray,
             bands: BandArrays, with_bands: bool, start: int, stop: int) -> None:
    """Rows [start, stop) through every day: the phases, the recording, the bands (binned
    day-major over blocks of BAND_BLOCK replicates, each into the cell of the regime it
    ended in, see :func:`bands.bin_block`)."""
    days, C = calendar.shape[0], series.shape[2]
    today = np.zeros(C)
    block = np.empty((BAND_BLOCK if with_bands else 0, days, C))  # each row written in full
    cells = np.zeros(BAND_BLOCK, dtype=np.int64)
    for first in range(start, stop, BAND_BLOCK):
        last = min(first + BAND_BLOCK, stop)
        for i in range(first, last):
            p, q = table[i], st[i]
            for day in range(days):
                c = calendar[day]
                run_day(p, q, c, day)
                record_day(p, q, day, today, series)
                if with_bands:
                    for j in range(C):
                        block[i - first, day, j] = today[j]
            finish_row(p, q)
            cells[i - first] = regime_cell(q.decision_day, q.deal_day)
        if with_bands:
            bin_block(bands, block, cells, last - first)


def run_batch(scenario: Scenario, seed: int, replicates: np.ndarray, keep_series: int = 0,
              progress: Callable[[int], None] | None = None, bands: bool = True
              ) -> ChunkResult:
    """Run the replicates ``replicates`` (indices) of ``scenario`` with seed ``seed``.

    ``keep_series``: replicates with an index below it keep their full daily series.
    ``progress(n)`` if given is told the replicates done as they complete. ``bands``:
    accumulate the quantile-band sketch of all rows (``ChunkResult.bands``).
    """
    ensure_fresh_cache()
    replicates = np.asarray(replicates, dtype=np.int64)
    keep = replicates < keep_series
    sampled, p, st = base_outcomes(scenario, seed, replicates, keep)
    sketch = BandSketch.for_scenario(scenario) if bands else None
    rec = Recorder(p, len(replicates), keep=keep)
    calendar = calendar_of(p, seed)
    band_arrays = sketch.arrays() if sketch is not None else no_bands(p.n_days)
    n = len(replicates)
    with announce_compilation():
        for start in range(0, n, BLOCK):
            stop = min(start + BLOCK, n)
            run_rows(p.table, st, calendar, rec.all_series, band_arrays, sketch is not None,
                     start, stop)
            if progress is not None:
                progress(stop - start)
    outcomes = {"replicate": replicates.copy(), **rec.outcomes(st)}
    for key, values in sampled.items():
        outcomes[f"param:{key}"] = np.asarray(values)
    return ChunkResult(outcomes, rec.series, replicates[rec.keep], bands=sketch)
