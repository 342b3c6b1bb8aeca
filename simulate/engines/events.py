"""The events engine: one replicate at a time, actors as SimPy processes.

Each actor is a SimPy process that wakes once a day at its phase's time (``day + phase/10``),
so the fixed daily order of the design holds, and calls the same compiled phase function as
the batch engine (:mod:`simulate.model.day`) on a one-row state: the numbers are the batch
engine's by construction. What happens is written to a structured event log (day, date,
actor, event, details) that ``simulate trace`` tells as a story; when no log is wanted
(``log=False``) the narration is skipped and only the numbers are computed.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable
from dataclasses import replace

import numpy as np
import simpy
from numba import njit

from ..model import day as phases
from ..model.params import Params
from ..scenario.schema import Scenario
from .bands import BandArrays, BandSketch, bin_block
from .batch import base_outcomes, calendar_of
from .chunk import ChunkResult
from .compiling import announce_compilation, ensure_fresh_cache
from .narrate import Narrator, report
from .record import Recorder, finish_row, record_day
from .regime_cells import regime_cell

__all__ = ["run_events", "run_events_one", "date_of"]


# Python hands the phases whole arrays, not records: numba types a record argument anew from
# its dtype on every call from Python (tens of microseconds), an array by a cached
# fingerprint (about one). Each adapter calls its phase on row 0 of the one-row parameter
# and state tables and on the calendar's row ``day``. They are written out, not made by a
# factory: numba's cache keys a closure by its pickled variables, and a pickled dispatcher
# differs from process to process, so closures would compile (and add to the cache) anew in
# every process.
@njit(cache=True, error_model="numpy")
def _policy(t, s, c, day: int):
    return phases.policy_phase(t[0], s[0], c[day], day)


@njit(cache=True, error_model="numpy")
def _sanctioner(t, s, c, day: int):
    return phases.sanctioner_phase(t[0], s[0], c[day], day)


@njit(cache=True, error_model="numpy")
def _buyers(t, s, c, day: int):
    return phases.buyers_phase(t[0], s[0], c[day], day)


@njit(cache=True, error_model="numpy")
def _market(t, s, c, day: int):
    return phases.market_phase(t[0], s[0], c[day], day)


@njit(cache=True, error_model="numpy")
def _war(t, s, c, day: int):
    return phases.war_phase(t[0], s[0], c[day], day)


@njit(cache=True, error_model="numpy")
def _negotiation(t, s, c, day: int):
    return phases.negotiation_phase(t[0], s[0], c[day], day)


#: the phases of :mod:`simulate.model.day` in their daily order, each through its adapter
#: (named ``_<phase>``)
_PHASES = [(name, globals()[f"_{name}"]) for name in phases.PHASES]


@njit(cache=True, error_model="numpy")
def _record_on_row(table, st, day: int, today: np.ndarray, series: np.ndarray,
                   days: np.ndarray) -> None:
    """Phase 7 on row 0 (:func:`record_day`); the day's values into row 0 of ``days``
    (1, days, C), the replicate's values until it ends (none if ``days`` is empty)."""
    record_day(table[0], st[0], day, today, series)
    if days.shape[0]:
        for j in range(today.shape[0]):
            days[0, day, j] = today[j]


@njit(cache=True, error_model="numpy")
def _bin_row(st, days: np.ndarray, bands: BandArrays) -> None:
    """The replicate's daily values into the band cell of the regime it ended in."""
    cells = np.full(1, regime_cell(st[0].decision_day, st[0].deal_day))
    bin_block(bands, days, cells, 1)


def _run_row(p: Params, st: np.recarray, i: int, calendar: np.ndarray, series: np.ndarray,
             bands: BandArrays | None, story: Narrator | None) -> None:
    """Row ``i`` of the chunk's records through every day, each phase a SimPy process; its
    kept series go to ``series``, its daily values to ``bands`` (if given), what happens to
    ``story`` (if given)."""
    # one-row views; plain arrays, not record arrays, for fast calls (see the adapters)
    table = p.table[i:i + 1].view(np.ndarray)
    state = st[i:i + 1].view(np.ndarray)
    today = np.zeros(series.shape[2])
    days = np.zeros((1 if bands is not None else 0, p.n_days + 1, series.shape[2]))
    env = simpy.Environment()

    def record(t: int) -> None:
        _record_on_row(table, state, t, today, series, days)

    def phase(fn: Callable) -> Callable[[int], object]:
        return lambda t: fn(table, state, calendar, t)

    steps: list[tuple[str, Callable[[int], object]]] = [
        *((name, phase(fn)) for name, fn in _PHASES), ("record", record)]

    def actor(phase: int, name: str, step: Callable[[int], object]):
        for t in range(p.n_days + 1):
            yield env.timeout(t + phase / 10 - env.now)
            result = step(t)
            if story is not None:
                story.tell(name, t, report(name, result))

    for k, (name, step) in enumerate(steps):
        env.process(actor(k, name, step))
    env.run()
    finish_row(p.table[i], st[i])
    if bands is not None:
        _bin_row(state, days, bands)


def _run_chunk(scenario: Scenario, seed: int, replicates: np.ndarray, keep: np.ndarray,
               logs: np.ndarray, sketch: BandSketch | None,
               progress: Callable[[int], None] | None = None) -> ChunkResult:
    """The replicates one after another: sampled and compiled together (the same numbers as
    one by one: every draw is keyed by its replicate), each then run by :func:`_run_row`;
    ``keep`` and ``logs`` (per replicate) say which keep their series and event log."""
    ensure_fresh_cache()
    sampled, p, st = base_outcomes(scenario, seed, replicates, keep)
    rec = Recorder(p, len(replicates), keep=keep)
    calendar = calendar_of(p, seed).view(np.ndarray)
    band_arrays = sketch.arrays() if sketch is not None else None
    rows: list[dict] = []
    with announce_compilation():
        for i, r in enumerate(replicates):
            one = replace(p, table=p.table[i:i + 1].view(np.recarray))
            story = Narrator(scenario, one, st[i:i + 1].view(np.recarray)) if logs[i] else None
            _run_row(p, st, i, calendar, rec.all_series, band_arrays, story)
            if story is not None:
                rows += [{"replicate": int(r), **row} for row in story.rows]
            if progress is not None:
                progress(1)
    outcomes = {"replicate": replicates.copy(), **rec.outcomes(st)}
    for key, values in sampled.items():
        outcomes[f"param:{key}"] = np.asarray(values)
    return ChunkResult(outcomes, rec.series, replicates[rec.keep], rows)


def run_events_one(scenario: Scenario, seed: int, replicate: int, keep_series: bool = True,
                   log: bool = True, bands: BandSketch | None = None) -> ChunkResult:
    """Run replicate ``replicate`` alone; its event log is in ``ChunkResult.log``.

    ``log=False`` skips the narration (same numbers, faster). ``bands``: a band sketch the
    replicate's daily values are added to (shared by the replicates of a chunk).
    """
    return _run_chunk(scenario, seed, np.array([replicate], dtype=np.int64),
                      np.array([keep_series]), np.array([log]), bands)


def run_events(scenario: Scenario, seed: int, replicates: np.ndarray, keep_series: int = 0,
               progress: Callable[[int], None] | None = None, bands: bool = True,
               log: bool | None = None) -> ChunkResult:
    """Run replicates one after another with the events engine.

    Replicates with an index below ``keep_series`` keep their daily series and (unless
    ``log`` says otherwise: True for every replicate, False for none) their event log; the
    others are run without narration. ``bands``: one band sketch for the chunk.
    """
    replicates = np.asarray(replicates, dtype=np.int64)
    keep = replicates < keep_series
    logs = keep if log is None else np.full(len(replicates), bool(log))
    sketch = BandSketch.for_scenario(scenario) if bands else None
    out = _run_chunk(scenario, seed, replicates, keep, logs, sketch, progress)
    out.bands = sketch
    return out


def date_of(scenario: Scenario, day: int) -> _dt.date:
    return scenario.start + _dt.timedelta(days=int(day))
