"""The events engine: one replicate at a time, actors as SimPy processes.

Each actor is a SimPy process that wakes once a day at its phase's time (``day + phase/10``),
so the fixed daily order of the design holds, and calls the same behaviour rule as the batch
engine on a one-replicate state. What happens is written to a structured event log
(day, date, actor, event, details) that ``simulate trace`` tells as a story; when no log is
wanted (``log=False``) the narration is skipped and only the numbers are computed.
"""

from __future__ import annotations

import datetime as _dt

import numpy as np
import simpy

from ..model import day as phases
from ..model.day import Day
from ..model.streams import Counters
from ..scenario.schema import Scenario
from .bands import BandSketch
from .batch import base_outcomes
from .chunk import ChunkResult, concat_chunks
from .narrate import Narrator
from .record import Recorder

__all__ = ["run_events", "run_events_one"]


def run_events_one(scenario: Scenario, seed: int, replicate: int, keep_series: bool = True,
                   log: bool = True, bands: BandSketch | None = None) -> ChunkResult:
    """Run replicate ``replicate`` alone; its event log is in ``ChunkResult.log``.

    ``log=False`` skips the narration (same numbers, faster). ``bands``: a band sketch the
    replicate's daily values are added to (shared by the replicates of a chunk).
    """
    reps = np.array([replicate], dtype=np.int64)
    sampled, p, s = base_outcomes(scenario, seed, reps)
    rec = Recorder(p, 1, keep=np.array([keep_series]), bands=bands)
    story = Narrator(scenario, p, s) if log else None
    env = simpy.Environment()
    counters = Counters(reps)
    today: dict = {}
    days: dict[int, Day] = {}

    def day_of(t: int) -> Day:
        d = days.get(t)
        if d is None:
            days.clear()
            d = days[t] = Day(seed, reps, t, counters)
        return d

    def actor(phase: int, name: str, step):
        for t in range(p.n_days + 1):
            yield env.timeout(t + phase / 10 - env.now)
            report = step(day_of(t))
            today[name] = report
            if story is not None:
                story.tell(name, t, report)

    steps = [
        ("policy", lambda d: phases.policy_phase(s, p, d)),
        ("sanctioner", lambda d: phases.sanctioner_phase(s, p, d)),
        ("buyers", lambda d: phases.buyers_phase(s, p, d)),
        ("market", lambda d: phases.market_phase(s, p, d)),
        ("war", lambda d: phases.war_phase(s, p, d)),
        ("negotiation", lambda d: phases.negotiation_phase(s, p, d, today["war"]["drift"])),
        ("record", lambda d: rec.record(s, d.day)),
    ]
    for i, (name, step) in enumerate(steps):
        env.process(actor(i, name, step))
    env.run()
    outcomes = {"replicate": reps.copy(), **rec.outcomes(s, p.occ_id, p.def_id)}
    for key, values in sampled.items():
        outcomes[f"param:{key}"] = np.asarray(values)
    rows = [{"replicate": int(replicate), **row} for row in story.rows] if story else []
    return ChunkResult(outcomes, rec.series, reps[rec.keep], rows)


def run_events(scenario: Scenario, seed: int, replicates: np.ndarray, keep_series: int = 0,
               progress=None, bands: bool = True, log: bool | None = None) -> ChunkResult:
    """Run replicates one after another with the events engine.

    Replicates with an index below ``keep_series`` keep their daily series and (unless
    ``log`` says otherwise: True for every replicate, False for none) their event log; the
    others are run without narration. ``bands``: one band sketch for the chunk.
    """
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
