"""The batch engine: every replicate of a chunk advanced together, day by day, with
whole-array numpy operations on the same behaviour rules as the events engine.

Replicates that have ended their war (a deal) stay in the arrays, masked by ``at_war``; the
rules freeze what a deal freezes. With numba installed, the dense part of a day (buyers,
market, front, strikes, costs, talks draws, recording) runs in compiled kernels
(:mod:`simulate.engines.fused`) that compute the same numbers; the zone of agreement and the
terms are always computed by the numpy rules, on the rows holding talks.
"""

from __future__ import annotations

import numpy as np

from ..model.day import Day, run_day
from ..model.params import compile_params, sample_uncertain
from ..model.state import initial_state
from ..model.streams import Counters
from ..scenario.schema import Scenario
from .bands import BandSketch
from .chunk import ChunkResult
from .fused import CompileError, fused_plan, run_days_fused
from .record import Recorder

__all__ = ["run_batch", "base_outcomes"]


def base_outcomes(scenario: Scenario, seed: int, replicates: np.ndarray):
    """Sampled parameters, compiled params, initial state and the outcome stub of a chunk."""
    sampled = sample_uncertain(scenario, seed, replicates)
    p = compile_params(scenario, sampled)
    return sampled, p, initial_state(p, len(replicates))


def run_batch(scenario: Scenario, seed: int, replicates: np.ndarray, keep_series: int = 0,
              observer=None, bands: bool = True, _numpy: bool = False) -> ChunkResult:
    """Run the replicates ``replicates`` (indices) of ``scenario`` with seed ``seed``.

    ``keep_series``: replicates with an index below it keep their full daily series.
    ``observer(day, values, at_war)`` if given is called after each day (``values``: the
    day's values of every series for all rows; None on the compiled path). ``bands``:
    accumulate the quantile-band sketch of all rows (``ChunkResult.bands``).
    """
    replicates = np.asarray(replicates, dtype=np.int64)
    sampled, p, state = base_outcomes(scenario, seed, replicates)
    sketch = BandSketch.for_scenario(scenario) if bands else None
    rec = Recorder(p, len(replicates), keep=replicates < keep_series, bands=sketch)
    if not _numpy and fused_plan(p, len(replicates), rec.keep):
        try:
            run_days_fused(state, p, seed, replicates, rec, observer)
        except CompileError:
            # numba could not compile for this scenario's types: the numpy path, from day 0
            return run_batch(scenario, seed, replicates, keep_series, observer, bands,
                             _numpy=True)
    else:
        counters = Counters(replicates)
        for day in range(p.n_days + 1):
            run_day(state, p, Day(seed, replicates, day, counters))
            values = rec.record(state, day)
            if observer is not None:
                observer(day, values, state.at_war)
    outcomes = {"replicate": replicates.copy(), **rec.outcomes(state, p.occ_id, p.def_id)}
    for key, values in sampled.items():
        outcomes[f"param:{key}"] = np.asarray(values)
    return ChunkResult(outcomes, rec.series, replicates[rec.keep], bands=sketch)
