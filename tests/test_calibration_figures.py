"""Calibration figures take ax=None (a new figure) or the caller's axes, and return them; the
identifiability flag and the coverage table are computed from plain tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from calibration_cases import write_case
from matplotlib.figure import Figure

from simulate.calibration.diagnostics import coverage_table, identifiability, weight_warning
from simulate.calibration.summaries import map_targets
from simulate.calibration.targets import load_targets
from simulate.figures.calibration import (
    plot_epsilon,
    plot_marginal,
    plot_pairs,
    plot_predictive,
)
from simulate.scenario import load_scenario

KEYS = ["market.brent_usd", "market.urals_discount_usd"]


def _posterior(n: int = 50) -> pd.DataFrame:
    x = np.linspace(70.0, 80.0, n)
    return pd.DataFrame({"weight": np.full(n, 1.0 / n), KEYS[0]: x,
                         KEYS[1]: np.linspace(5.0, 15.0, n)})


def test_identifiability_flags_a_posterior_equal_to_its_prior(tmp_path):
    s = load_scenario(write_case(tmp_path)[0])
    table = identifiability(s, _posterior(2001)).set_index("parameter")
    # brent: uniform on [70, 80] against the prior uniform on [50, 90]: sd ratio 1/4
    assert abs(table.loc[KEYS[0], "sd_ratio"] - 0.25) < 0.01
    assert abs(table.loc[KEYS[0], "shift"] - 5 / (40 / np.sqrt(12))) < 0.01
    assert not table.loc[KEYS[0], "like_prior"]
    # the discount's particles spread evenly over its whole prior [5, 15]: flagged
    assert abs(table.loc[KEYS[1], "sd_ratio"] - 1.0) < 0.01
    assert table.loc[KEYS[1], "like_prior"]


def test_a_posterior_resting_on_few_particles_is_flagged():
    """ESS = (sum w)^2 / sum w^2: 60 equal weights give 60 (no warning); one particle with
    0.9 of the weight and 59 sharing the rest give 1 / (0.81 + 0.01/59) ~ 1.23."""
    even = _posterior(60)
    assert weight_warning(even) is None
    skewed = even.copy()
    skewed["weight"] = np.r_[0.9, np.full(59, 0.1 / 59)]
    ess = 1.0 / (0.81 + 0.01 / 59)
    message = weight_warning(skewed)
    assert message is not None and f"about {ess:.1f} of its 60 particles" in message
    # the threshold: 10% of the particles, and never fewer than 10
    few = weight_warning(_posterior(9))     # ESS 9 < 10, but the weights are even
    assert few is not None and "has 9 particles" in few and "fewer than 10" in few
    assert "rest on" not in few
    assert weight_warning(_posterior(200)) is None


def test_coverage_table_counts_observed_values_inside_the_band(tmp_path):
    scenario, targets = write_case(tmp_path, brent_mean=75.0, brent_end=99.0)
    mapped = map_targets(load_targets(targets), load_scenario(scenario))
    draws = np.linspace(70.0, 80.0, 101)          # 5% and 95% quantiles: 70.5 and 79.5
    predicted = pd.DataFrame([{"draw": i, "particle": i, "target": name, "value": v}
                              for name in mapped.names for i, v in enumerate(draws)])
    table = coverage_table(predicted, mapped).set_index("target")
    assert table.loc["brent_mean", "inside"] and not table.loc["brent_day20", "inside"]
    assert table.loc["brent_mean", "q05"] == 70.5 and table.loc["brent_mean", "q95"] == 79.5


def test_plots_return_their_axes():
    post = _posterior()
    ax = plot_marginal(post, KEYS[0])
    assert isinstance(ax.figure, Figure)
    fig = Figure()
    mine = fig.add_subplot()
    assert plot_marginal(post, KEYS[0], ax=mine) is mine
    axes = plot_pairs(post)
    assert axes.shape == (2, 2)
    gens = pd.DataFrame({"generation": [0, 1], "epsilon": [2.0, 1.0],
                         "acceptance_rate": [0.5, 0.2]})
    assert plot_epsilon(gens, ax=mine) is mine
    table = pd.DataFrame({"target": ["a", "b"], "use": ["fit", "check"], "observed": [1.0, 2.0],
                          "sd": [0.1, 0.5], "q05": [0.9, 1.0], "q50": [1.0, 1.5],
                          "q95": [1.1, 1.9], "inside": [True, False]})
    ax = plot_predictive(table)
    assert "50% of targets inside" in ax.get_title(loc="left")


def test_identifiability_allows_for_few_particles(tmp_path):
    """The discount's prior is uniform on [5, 15] (sd 2.887); particles spread evenly over
    [5.87, 15.87] shift the mean by 0.3 prior sd. With ESS 20 that is within 2/sqrt(20) =
    0.45 of no shift (flagged); with ESS 2001 it is a real shift (not flagged)."""
    s = load_scenario(write_case(tmp_path)[0])
    for n, flagged in ((20, True), (2001, False)):
        post = _posterior(n)
        post[KEYS[1]] = np.linspace(5.0, 15.0, n) + 0.3 * 10 / np.sqrt(12)
        table = identifiability(s, post).set_index("parameter")
        assert abs(table.loc[KEYS[1], "shift"] - 0.3) < 1e-9
        assert table.loc[KEYS[1], "ess"] == pytest.approx(n)
        assert table.loc[KEYS[1], "like_prior"] == flagged
