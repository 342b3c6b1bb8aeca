"""The batch engine and the events engine give the same numbers, replicate by replicate
(design section 2), for every bundled scenario: every outcome column (the counterfactual
columns included), every daily series value and the quantile-band sketch.

200 replicates per scenario, split into parts so that pytest-xdist spreads them over workers
(the events engine runs one replicate at a time, ~0.06 s each). Both engines call the same
compiled phase functions on the same records, so every value is identical bit for bit.
"""

from __future__ import annotations

import numpy as np
import pytest

from simulate.engines.batch import run_batch
from simulate.engines.events import run_events
from simulate.execution.runner import counterfactual_of
from simulate.scenario import bundled_scenarios, load_scenario

REPLICATES = 200
PARTS = 4
TOL = 0.0
SCENARIOS = sorted(bundled_scenarios())


def assert_same_chunk(a, b, label: str) -> None:
    """Outcomes, kept series and bands of two chunk results are equal (floats within TOL)."""
    assert list(a.outcomes) == list(b.outcomes), label
    for col in a.outcomes:
        x, y = np.asarray(a.outcomes[col]), np.asarray(b.outcomes[col])
        assert x.shape == y.shape, (label, col)
        if x.dtype.kind == "f":
            bad = np.flatnonzero(~(np.abs(x - y) <= TOL))
            assert bad.size == 0, (f"{label}: {col} differs for replicates "
                                   f"{a.outcomes['replicate'][bad[:5]]}: {x[bad[:5]]} vs "
                                   f"{y[bad[:5]]}")
        else:
            bad = np.flatnonzero(x != y)
            assert bad.size == 0, (f"{label}: {col} differs for replicates "
                                   f"{a.outcomes['replicate'][bad[:5]]}")
    assert np.array_equal(a.kept, b.kept), label
    assert list(a.series) == list(b.series), label
    for name in a.series:
        diff = np.abs(a.series[name] - b.series[name])
        assert a.series[name].shape == b.series[name].shape, (label, name)
        assert np.all(diff <= TOL), (f"{label}: series {name} differs by up to "
                                     f"{float(diff.max()):.3g}")
    if a.bands is not None or b.bands is not None:
        assert a.bands == b.bands, f"{label}: band sketches differ"


@pytest.mark.parametrize("part", range(PARTS))
@pytest.mark.parametrize("name", SCENARIOS)
def test_batch_equals_events_replicate_by_replicate(name, part):
    s = load_scenario(bundled_scenarios()[name][0])
    seed = s.ensemble.seed
    step = REPLICATES // PARTS
    reps = np.arange(part * step, (part + 1) * step)
    batch = run_batch(s, seed, reps, keep_series=REPLICATES)
    events = run_events(s, seed, reps, keep_series=REPLICATES, log=False)
    assert batch.n == events.n == step
    assert batch.series["control"].shape == (step, s.horizon_days + 1, len(s.regions))
    assert_same_chunk(batch, events, name)
    if s.outputs.counterfactual:
        cf = counterfactual_of(s)
        assert_same_chunk(run_batch(cf, seed, reps, keep_series=REPLICATES),
                          run_events(cf, seed, reps, keep_series=REPLICATES, log=False),
                          f"{name} (counterfactual)")


def test_events_log_does_not_change_the_numbers():
    """Narration is skipped when no log is wanted; with it, the numbers are the same."""
    s = load_scenario(bundled_scenarios()["aug2025"][0])
    reps = np.arange(3)
    quiet = run_events(s, 5, reps, keep_series=3, log=False)
    told = run_events(s, 5, reps, keep_series=3, log=True)
    assert quiet.log == [] and len(told.log) > 10
    assert {row["replicate"] for row in told.log} == {0, 1, 2}
    told.log = []
    assert_same_chunk(quiet, told, "log")
