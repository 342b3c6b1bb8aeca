"""The posterior predictive check draws a fresh observation for every draw.

The tiny scenario's Brent equals ``market.brent_usd`` every day, so a simulated observation
of a Brent target is that value plus the target's measurement error (sd 2 here). A posterior
of one particle must therefore give a predictive band of width about 2 x 1.645 x sd, not one
value repeated: a particle drawn many times gets its own error each time.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from calibration_cases import write_case

from simulate.calibration import ParticleModel, load_targets, map_targets
from simulate.calibration.diagnostics import BAND, band_coverage, coverage_table, predictive_check
from simulate.scenario import load_scenario

KEY = "market.brent_usd"


def test_one_particle_drawn_many_times_gives_independent_observations(tmp_path):
    scenario_path, targets_path = write_case(tmp_path, brent_mean=70.0, brent_end=70.0, sd=2.0)
    scenario = load_scenario(scenario_path)
    mapped = map_targets(load_targets(targets_path), scenario)
    model = ParticleModel(scenario, [KEY], mapped, seed=4)
    posterior = pd.DataFrame({"weight": [1.0], KEY: [70.0]})
    drawn = predictive_check(model, posterior, 200, seed=4)
    values = drawn[drawn["target"] == "brent_mean"]["value"].to_numpy()
    assert len(values) == 200 and len(np.unique(values)) == 200
    assert set(drawn["particle"]) == {0}
    # errors are N(0, 2): mean 70 within 4 standard errors, sd within about 15%
    assert abs(values.mean() - 70.0) < 4 * 2.0 / np.sqrt(200)
    assert 1.7 < values.std(ddof=1) < 2.3
    table = coverage_table(drawn, mapped).set_index("target")
    width = table.loc["brent_mean", "q95"] - table.loc["brent_mean", "q05"]
    assert 0.8 * 2 * 1.645 * 2.0 < width < 1.2 * 2 * 1.645 * 2.0
    # the fitted statistics (no draw index) stay a pure function of the particle's values
    assert np.array_equal(model.simulate({KEY: 70.0}), model.simulate({KEY: 70.0}))
    assert not np.array_equal(model.simulate({KEY: 70.0}, draw=0),
                              model.simulate({KEY: 70.0}, draw=1))


def test_band_coverage_is_what_a_fitting_model_scores():
    """The reference of the coverage score: a new draw falls inside np.quantile's 5-95% band
    of D draws with probability (D - 1) 0.9 / (D + 1), 0.865 at D = 50, not 0.9. Checked by
    simulation: 20,000 bands of 50 uniform draws and one more draw each."""
    assert band_coverage(50) == pytest.approx(49 * 0.9 / 51)
    assert band_coverage(50) == pytest.approx(0.8647, abs=1e-4)
    rng = np.random.default_rng(2025)
    draws, new = rng.random((20_000, 50)), rng.random(20_000)
    low, high = np.quantile(draws, BAND, axis=1)
    simulated = float(np.mean((low <= new) & (new <= high)))
    assert abs(simulated - band_coverage(50)) < 0.01
    assert abs(simulated - 0.9) > 0.02  # the nominal level is not the reference
    # more draws approach the nominal 90%; too few give no band
    assert band_coverage(1000) == pytest.approx(999 * 0.9 / 1001)
    assert np.isnan(band_coverage(1))
