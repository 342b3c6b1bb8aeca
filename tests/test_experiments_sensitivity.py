"""Global sensitivity: Sobol' and Morris on the Ishigami function through the same code path
as a scenario (SALib's published tolerances and the function's known indices), a factor that
provably has no effect, the replicate-noise correction, and identical results on every
backend."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from experiments_common import SMALL, write_small

import simulate
from simulate.errors import ScenarioError
from simulate.experiments.sensitivity import index_warnings, sensitivity

ISHIGAMI_BOUNDS = {f"x{i}": (-np.pi, np.pi) for i in (1, 2, 3)}
A, B = 7.0, 0.1


def ishigami(x: np.ndarray) -> np.ndarray:
    return np.sin(x[:, 0]) + A * np.sin(x[:, 1]) ** 2 + B * x[:, 2] ** 4 * np.sin(x[:, 0])


def ishigami_indices() -> tuple[np.ndarray, np.ndarray]:
    """Closed forms (Ishigami & Homma 1990; Sobol' & Levitan 1999)."""
    v1 = 0.5 * (1 + B * np.pi ** 4 / 5) ** 2
    v2 = A ** 2 / 8
    v13 = B ** 2 * np.pi ** 8 * (1 / 18 - 1 / 50)
    var = v1 + v2 + v13
    return np.array([v1, v2, 0]) / var, np.array([v1 + v13, v2, v13]) / var


def test_ishigami_sobol_within_salib_tolerances():
    s1, st = ishigami_indices()
    res = sensitivity(ishigami, bounds=ISHIGAMI_BOUNDS, points=4096, seed=1)
    t = res.indices
    # SALib's regression test: atol 5e-2, rtol 1e-1 against S1 = [0.31, 0.44, 0], ST =
    # [0.55, 0.44, 0.24]; here against the closed forms
    np.testing.assert_allclose(t["S1"], s1, atol=5e-2, rtol=1e-1)
    np.testing.assert_allclose(t["ST"], st, atol=5e-2, rtol=1e-1)
    assert (t["S1_conf"] > 0).all() and (t["ST_conf"] > 0).all()
    assert res.noise_share == 0.0
    assert res.warnings == []


def test_ishigami_morris_ranks_and_x3_interaction():
    res = sensitivity(ishigami, bounds=ISHIGAMI_BOUNDS, points=500, method="morris", seed=2)
    t = res.indices.set_index("factor")
    # x2 enters as A sin^2: its elementary effects average to ~0 but mu* is large; x3 acts
    # only through its interaction with x1, so sigma exceeds its mean effect
    assert abs(t.loc["x2", "mu"]) < 0.2 * t.loc["x2", "mu_star"]
    assert t.loc["x3", "sigma"] > abs(t.loc["x3", "mu"])
    assert (t["mu_star"] > 0).all()


def test_replicate_noise_is_reported_and_removed():
    """Ishigami plus replicate noise of known variance: the raw ST is inflated by it, the
    corrected one is back within SALib's tolerances, and the noise share matches."""
    s1, st = ishigami_indices()
    rng = np.random.default_rng(5)

    def noisy(x: np.ndarray) -> np.ndarray:
        return ishigami(x)[:, None] + rng.normal(0, 4.0, (len(x), 16))

    res = sensitivity(noisy, bounds=ISHIGAMI_BOUNDS, points=2048, seed=3)
    t = res.indices
    var_f = 13.84  # Var of the Ishigami function (closed form: ~13.8446)
    assert res.noise_share == pytest.approx(1.0 / (var_f + 1.0), rel=0.15)  # 16 / 16 = 1
    np.testing.assert_allclose(t["S1_corrected"], s1, atol=5e-2, rtol=1e-1)
    np.testing.assert_allclose(t["ST_corrected"], st, atol=5e-2, rtol=1e-1)
    assert (t["ST"] - st).mean() > (t["ST_corrected"] - st).mean()
    assert res.warnings == []


def test_morris_sigma_corrected_for_replicate_noise():
    clean = sensitivity(ishigami, bounds=ISHIGAMI_BOUNDS, points=300, method="morris", seed=4)
    rng = np.random.default_rng(6)

    def noisy(x: np.ndarray) -> np.ndarray:
        return ishigami(x)[:, None] + rng.normal(0, 6.0, (len(x), 8))

    res = sensitivity(noisy, bounds=ISHIGAMI_BOUNDS, points=300, method="morris", seed=4)
    c, n = clean.indices.set_index("factor"), res.indices.set_index("factor")
    # the same design: noise inflates sigma; the cross-half estimate takes it back out
    assert (n["sigma"] > c["sigma"]).all()
    np.testing.assert_allclose(n["sigma_corrected"], c["sigma"], rtol=0.25)
    assert (n["noise_floor"] > 0).all()


NULL = SMALL.replace(
    "    actors.US.threat.secondary_tariff.rate: {choices: [0.25, 1.0]}\n",
    "    actors.US.threat.secondary_tariff.rate: {choices: [0.25, 1.0]}\n"
    "    outputs.keep_series: {low: 0, high: 50, integer: true}\n")


@pytest.fixture(scope="module")
def null_scenario(tmp_path_factory):
    return write_small(tmp_path_factory.mktemp("sens"), NULL)


@pytest.fixture(scope="module")
def model_sobol(null_scenario):
    return simulate.sensitivity(null_scenario, points=8, replicates=12,
                                outcome="oil_revenue_busd", progress=False)


def test_a_factor_with_no_effect_gets_index_zero(model_sobol, null_scenario):
    """``outputs.keep_series`` only chooses which series are stored: with common random
    numbers, points that differ only in it give identical outcomes, so its indices are 0
    exactly, within their intervals."""
    t = model_sobol.indices.set_index("factor")
    row = t.loc["outputs.keep_series"]
    assert row["ST"] == 0.0 and row["S1"] == 0.0
    assert row["ST_corrected"] == 0.0 and row["S1_corrected"] == 0.0
    assert t.loc["actors.US.credibility", "ST"] > 0.0
    morris = simulate.sensitivity(null_scenario, method="morris", points=4, replicates=8,
                                  outcome="oil_revenue_busd", progress=False)
    m = morris.indices.set_index("factor")
    # the result keeps the scenario swept, so its figure names the outcome's unit
    assert morris.scenario is not None and morris.scenario.name == "small"
    ax = morris.plot()
    label = " ".join(ax.get_xlabel().split())
    assert label == ("elementary effect: change in oil revenue (USD bn over horizon) "
                     "across a factor's range")
    assert m.loc["outputs.keep_series", "mu_star"] == 0.0
    assert m.loc["outputs.keep_series", "sigma"] == 0.0


def test_per_point_probability_outcome_has_noise_share(null_scenario):
    res = simulate.sensitivity(null_scenario, points=4, replicates=12, outcome="india_low",
                               progress=False)
    assert 0.0 <= res.noise_share <= 1.0
    assert set(res.indices.columns) >= {"S1", "ST", "S1_corrected", "ST_corrected"}
    assert len(res.design) == 4 * (4 + 2)


def test_figure_of_indices_returns_axes(model_sobol):
    import matplotlib
    matplotlib.use("Agg")
    ax = model_sobol.plot()
    assert len(ax.get_yticklabels()) == len(model_sobol.indices)


@pytest.mark.parametrize("points", [3, 1, 12])
def test_sobol_points_must_be_a_power_of_two(points, null_scenario):
    with pytest.raises(ScenarioError, match="power of 2") as err:
        sensitivity(ishigami, bounds=ISHIGAMI_BOUNDS, points=points)
    assert ("use 8 or 16" if points == 12 else "use 2") in str(err.value)
    # refused before anything runs, scenario or function
    with pytest.raises(ScenarioError, match="power of 2"):
        simulate.sensitivity(null_scenario, points=points, replicates=2, progress=False)
    # Morris trajectories need no power of 2
    assert len(sensitivity(ishigami, bounds=ISHIGAMI_BOUNDS, points=3, method="morris",
                           seed=1).design) == 3 * 4


def test_an_outcome_that_never_varies_has_no_indices():
    with pytest.raises(ScenarioError, match="no variance") as err:
        sensitivity(lambda x: np.zeros((len(x), 4)), bounds=ISHIGAMI_BOUNDS, points=4)
    assert "y is 0 at every one of the 20 points" in str(err.value)
    with pytest.raises(ScenarioError, match="no variance"):
        sensitivity(lambda x: np.ones(len(x)), bounds=ISHIGAMI_BOUNDS, points=4,
                    method="morris")


def test_indices_outside_the_unit_interval_beyond_their_intervals_are_flagged():
    t = pd.DataFrame({"factor": ["a", "b", "c", "d"],
                      "S1": [9.43, -0.17, 0.5, 1.3], "S1_conf": [8.76, 0.46, 0.1, 0.2],
                      "ST": [-0.26, 0.2, 1.02, 0.4], "ST_conf": [0.57, 0.1, 0.05, 0.1]})
    # 9.43 +- 8.76 (interval wider than [0, 1]), 1.3 +- 0.2 (beyond its interval) and
    # -0.26 +- 0.57 are flagged; -0.17 +- 0.46 and 1.02 +- 0.05 are noise around a bound
    (msg,) = index_warnings("sobol", "y", t, 4)
    # the two farthest outside [0, 1] are named
    assert "S1 of a = 9.43 ± 8.76, S1 of d = 1.3 ± 0.2 and 1 more" in msg
    assert "increase the points (now 4; e.g. 64)" in msg and "\n" not in msg
    t2 = t.assign(S1=[0.4, -0.17, 0.5, 0.9], ST=[0.5, 0.2, 1.02, 0.4])
    # inside [0, 1] but 0.4 +- 8.76 and ST 0.5 +- 0.57: intervals wider than [0, 1] say
    # nothing, wherever the estimate falls
    (msg2,) = index_warnings("sobol", "y", t2, 4)
    assert "S1 of a = 0.4 ± 8.76, ST of a = 0.5 ± 0.57" in msg2 and "more" not in msg2
    t3 = t2.assign(S1_conf=[0.3, 0.46, 0.1, 0.2], ST_conf=[0.3, 0.1, 0.05, 0.1])
    assert index_warnings("sobol", "y", t3, 4) == []
    assert index_warnings("morris", "y", t, 4) == []


def test_a_too_small_noisy_sample_warns_in_one_line_without_raw_warnings(capsys):
    import warnings
    rng = np.random.default_rng(0)

    def noise(x: np.ndarray) -> np.ndarray:
        return rng.normal(0, 1.0, (len(x), 4))

    with warnings.catch_warnings(record=True) as raw:
        warnings.simplefilter("always")
        res = sensitivity(noise, bounds=ISHIGAMI_BOUNDS, points=2, seed=0)
    assert [str(w.message) for w in raw] == []
    assert len(res.warnings) == 2
    assert "outside [0, 1]" in res.warnings[0] and "now 2" in res.warnings[0]
    assert "noise-corrected indices are undefined" in res.warnings[1]
    assert res.indices["S1_corrected"].isna().all()
    err = capsys.readouterr().err
    assert err.count("warning: ") == 2 and len(err.strip().splitlines()) == 2


@pytest.mark.parametrize("seed", [2**63, -1, 1.5, "3"])
def test_a_seed_outside_the_documented_range_is_refused(seed):
    """Seeds are whole numbers in [0, 2**63) for sensitivity as for run and sweep."""
    with pytest.raises(ScenarioError, match="seed"):
        sensitivity(lambda x: x[:, 0], bounds={"a": (0.0, 1.0)}, points=8, seed=seed)


def test_the_summary_line_says_points_and_the_base_sample_they_grew_from():
    bounds = {"a": (0.0, 1.0), "b": (0.0, 1.0)}
    sobol = sensitivity(lambda x: x[:, 0] + 0.5 * x[:, 1], bounds=bounds, points=8)
    assert repr(sobol).startswith("<Sensitivity (sobol) of y: 32 points from a base sample "
                                  "of 8, ")     # N (d + 2)
    morris = sensitivity(lambda x: x[:, 0] + 0.5 * x[:, 1], bounds=bounds, points=8,
                         method="morris")
    assert repr(morris).startswith("<Sensitivity (morris) of y: 24 points (8 trajectories), ")

