"""The batch engine: every replicate of a chunk advanced together, day by day, with
whole-array numpy operations on the same behaviour rules as the events engine."""

from __future__ import annotations

import numpy as np

from ..model.day import Day, run_day
from ..model.params import compile_params, sample_uncertain
from ..model.state import initial_state
from ..scenario.schema import Scenario
from .chunk import ChunkResult
from .record import Recorder

__all__ = ["run_batch", "base_outcomes"]


def base_outcomes(scenario: Scenario, seed: int, replicates: np.ndarray):
    """Sampled parameters, compiled params, initial state and the outcome stub of a chunk."""
    sampled = sample_uncertain(scenario, seed, replicates)
    p = compile_params(scenario, sampled)
    return sampled, p, initial_state(p, len(replicates))


def run_batch(scenario: Scenario, seed: int, replicates: np.ndarray, keep_series: int = 0,
              observer=None) -> ChunkResult:
    """Run the replicates ``replicates`` (indices) of ``scenario`` with seed ``seed``.

    ``keep_series``: replicates with an index below it keep their full daily series.
    ``observer(day, values)`` if given sees each day's values of every series (all rows).
    """
    replicates = np.asarray(replicates, dtype=np.int64)
    sampled, p, state = base_outcomes(scenario, seed, replicates)
    rec = Recorder(p, len(replicates), keep=replicates < keep_series)
    for day in range(p.n_days + 1):
        run_day(state, p, Day(seed, replicates, day))
        values = rec.record(state, day)
        if observer is not None:
            observer(day, values, state.at_war)
    outcomes = {"replicate": replicates.copy(), **rec.outcomes(state, p.occ_id, p.def_id)}
    for key, values in sampled.items():
        outcomes[f"param:{key}"] = np.asarray(values)
    return ChunkResult(outcomes, rec.series, replicates[rec.keep])
