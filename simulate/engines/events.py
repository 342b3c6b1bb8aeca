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

import numpy as np
import simpy

from ..model import day as phases
from ..scenario.schema import Scenario
from .bands import BandSketch, bin_day
from .batch import base_outcomes, calendar_of
from .chunk import ChunkResult, concat_chunks
from .compiling import announce_compilation, ensure_fresh_cache
from .narrate import Narrator, report
from .record import Recorder, finish_row, record_day

__all__ = ["run_events", "run_events_one", "date_of"]


def run_events_one(scenario: Scenario, seed: int, replicate: int, keep_series: bool = True,
                   log: bool = True, bands: BandSketch | None = None) -> ChunkResult:
    """Run replicate ``replicate`` alone; its event log is in ``ChunkResult.log``.

    ``log=False`` skips the narration (same numbers, faster). ``bands``: a band sketch the
    replicate's daily values are added to (shared by the replicates of a chunk).
    """
    ensure_fresh_cache()
    reps = np.array([replicate], dtype=np.int64)
    keep = np.array([keep_series])
    sampled, p, st = base_outcomes(scenario, seed, reps, keep)
    rec = Recorder(p, 1, keep=keep)
    story = Narrator(scenario, p, st) if log else None
    calendar = calendar_of(p, seed)
    today = np.zeros(len(rec.columns))
    band_arrays = bands.arrays() if bands is not None else None
    env = simpy.Environment()
    # the replicate's parameter and state records, and the calendar (record views)
    pr, q = p.table[0], st[0]

    def record(t: int) -> None:
        record_day(pr, q, t, today, rec.all_series)
        if band_arrays is not None:
            bin_day(band_arrays, t, today)

    def phase(fn: Callable) -> Callable[[int], object]:
        return lambda t: fn(pr, q, calendar[t], t)

    steps: list[tuple[str, Callable[[int], object]]] = [
        ("policy", phase(phases.policy_phase)),
        ("sanctioner", phase(phases.sanctioner_phase)),
        ("buyers", phase(phases.buyers_phase)),
        ("market", phase(phases.market_phase)),
        ("war", phase(phases.war_phase)),
        ("negotiation", phase(phases.negotiation_phase)),
        ("record", record),
    ]

    def actor(phase: int, name: str, step: Callable[[int], object]):
        for t in range(p.n_days + 1):
            yield env.timeout(t + phase / 10 - env.now)
            result = step(t)
            if story is not None:
                story.tell(name, t, report(name, result))

    for i, (name, step) in enumerate(steps):
        env.process(actor(i, name, step))
    with announce_compilation():
        env.run()
        finish_row(pr, q)
    outcomes = {"replicate": reps.copy(), **rec.outcomes(st)}
    for key, values in sampled.items():
        outcomes[f"param:{key}"] = np.asarray(values)
    rows = [{"replicate": int(replicate), **row} for row in story.rows] if story else []
    return ChunkResult(outcomes, rec.series, reps[rec.keep], rows)


def run_events(scenario: Scenario, seed: int, replicates: np.ndarray, keep_series: int = 0,
               progress: Callable[[int], None] | None = None, bands: bool = True,
               log: bool | None = None) -> ChunkResult:
    """Run replicates one after another with the events engine.

    Replicates with an index below ``keep_series`` keep their daily series and (unless
    ``log`` says otherwise: True for every replicate, False for none) their event log; the
    others are run without narration. ``bands``: one band sketch for the chunk.
    """
    ensure_fresh_cache()
    sketch = BandSketch.for_scenario(scenario) if bands else None
    chunks = []
    for r in np.asarray(replicates, dtype=np.int64):
        kept = bool(r < keep_series)
        chunks.append(run_events_one(scenario, seed, int(r), keep_series=kept,
                                     log=kept if log is None else log, bands=sketch))
        if progress is not None:
            progress(1)
    out = concat_chunks(chunks)
    out.bands = sketch
    return out


def date_of(scenario: Scenario, day: int) -> _dt.date:
    return scenario.start + _dt.timedelta(days=int(day))
