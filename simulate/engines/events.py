"""The events engine: one replicate at a time, actors as SimPy processes.

Each actor is a SimPy process that wakes once a day at its phase's time (``day + phase/10``),
so the fixed daily order of the design holds, and calls the same behaviour rule as the batch
engine on a one-replicate state. What happens is written to a structured event log
(day, date, actor, event, details) that ``simulate trace`` tells as a story.
"""

from __future__ import annotations

import datetime as _dt

import numpy as np
import simpy

from ..model import day as phases
from ..model.day import Day
from ..scenario.schema import Scenario
from .batch import base_outcomes
from .chunk import ChunkResult, concat_chunks
from .narrate import Narrator
from .record import Recorder

__all__ = ["run_events", "run_events_one"]


def run_events_one(scenario: Scenario, seed: int, replicate: int, keep_series: bool = True,
                   ) -> ChunkResult:
    """Run replicate ``replicate`` alone; its event log is in ``ChunkResult.log``."""
    reps = np.array([replicate], dtype=np.int64)
    sampled, p, s = base_outcomes(scenario, seed, reps)
    rec = Recorder(p, 1, keep=np.array([keep_series]))
    story = Narrator(scenario, p, s)
    env = simpy.Environment()
    today: dict = {}

    def actor(phase: int, name: str, step):
        for t in range(p.n_days + 1):
            yield env.timeout(t + phase / 10 - env.now)
            d = Day(seed, reps, t)
            report = step(d)
            today[name] = report
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
    log = [{"replicate": int(replicate), **row} for row in story.rows]
    return ChunkResult(outcomes, rec.series, reps[rec.keep], log)


def run_events(scenario: Scenario, seed: int, replicates: np.ndarray, keep_series: int = 0,
               progress=None) -> ChunkResult:
    """Run replicates one after another with the events engine."""
    chunks = []
    for r in np.asarray(replicates, dtype=np.int64):
        chunks.append(run_events_one(scenario, seed, int(r), keep_series=r < keep_series))
        if progress is not None:
            progress(1)
    return concat_chunks(chunks)


def date_of(scenario: Scenario, day: int) -> _dt.date:
    return scenario.start + _dt.timedelta(days=int(day))
