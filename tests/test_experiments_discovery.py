"""Scenario discovery recovers a planted box (PRIM and CART), and robust-policy choices
follow their definitions on a hand-computed table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from experiments_common import write_small

import simulate
from simulate.errors import ScenarioError
from simulate.experiments import Experiment, cart_box, discover, prim_box, robust
from simulate.experiments.discovery import discovery_data


@pytest.fixture(scope="module")
def planted():
    rng = np.random.default_rng(11)
    x = pd.DataFrame(rng.random((3000, 4)), columns=["a", "b", "c", "d"])
    inside = (x["a"] > 0.2) & (x["a"] < 0.6) & (x["b"] > 0.5)
    # 3% label noise outside the box, so the box is not trivially separable
    y = inside | (rng.random(len(x)) < 0.03)
    return x, y.to_numpy(), inside.to_numpy()


def test_prim_recovers_the_planted_box(planted):
    x, y, _ = planted
    res = prim_box(x, y)
    assert set(res.restricted) == {"a", "b"}
    assert res.box.loc["a", "min"] == pytest.approx(0.2, abs=0.04)
    assert res.box.loc["a", "max"] == pytest.approx(0.6, abs=0.04)
    assert res.box.loc["b", "min"] == pytest.approx(0.5, abs=0.04)
    assert res.coverage > 0.8 and res.density > 0.8
    assert (res.box["qp_value"] < 1e-6).all()
    traj = res.trajectory
    assert traj["coverage"].iloc[0] == 1.0 and traj["mass"].is_monotonic_decreasing
    assert traj["density"].iloc[res.chosen] == res.density
    import matplotlib
    matplotlib.use("Agg")
    assert res.plot().get_xlabel() == "coverage"


def test_quasi_p_is_the_binomial_tail_for_whole_counts():
    from scipy.stats import binom

    from simulate.experiments.discovery import quasi_p
    for h, n, p in [(7, 10, 0.3), (1, 1, 0.5), (40, 50, 0.6), (3, 30, 0.02)]:
        assert quasi_p(h, n, p) == pytest.approx(binom.sf(h - 1, n, p), rel=1e-10)
    assert quasi_p(0, 10, 0.3) == 1.0
    # continuous in the counts: between its whole-count neighbours
    assert quasi_p(8, 10, 0.3) < quasi_p(7.5, 9.5, 0.3) < quasi_p(7, 9, 0.3)


def test_prim_quasi_p_values_with_independent_rows_are_prims(planted):
    import prim
    x, y, _ = planted
    res = prim_box(x, y, groups=np.arange(len(x)))
    box = prim.Prim(x, y.astype(int), threshold=0.5, threshold_type=">").find_box()
    box.select(res.chosen)
    theirs = box.limits["qp values"]
    assert res.icc == 0.0
    assert res.units == pytest.approx(res.coverage * res.cases / res.density)
    for k in res.restricted:
        assert res.box.loc[k, "qp_value"] == pytest.approx(theirs[k], rel=1e-6)


def test_prim_quasi_p_values_of_rows_copied_k_times_equal_the_rows_once(planted):
    x, y, _ = planted
    x, y = x.iloc[:600], y[:600]
    once = prim_box(x, y, groups=np.arange(len(x)))
    k = 5
    xs = pd.concat([x] * k, ignore_index=True)
    ys, groups = np.tile(y, k), np.tile(np.arange(len(x)), k)
    copied = prim_box(xs, ys, groups=groups)
    assert copied.icc == 1.0
    assert list(copied.box.index) == list(once.box.index)
    assert copied.units == pytest.approx(once.units, rel=1e-12)
    head = repr(copied).splitlines()[0]
    assert head.startswith(f"<PRIM box after {copied.chosen} of "
                           f"{len(copied.trajectory) - 1} peeling steps: coverage ")
    assert (f"quasi-p-values count independent units, not rows: correlation within a unit "
            f"1.00, the box's rows weigh as {copied.units:.1f} units") in head
    np.testing.assert_allclose(copied.box["qp_value"], once.box["qp_value"], rtol=1e-9)
    # treating the copies as independent rows is what made the p-values far too small
    naive = prim_box(xs, ys)
    assert (naive.box["qp_value"] < once.box["qp_value"] * 1e-6).all()


def test_prim_quasi_p_values_count_replicates_when_the_case_is_the_replicate_s():
    # 40 replicates x 12 points (common random numbers): a replicate's parameter "w"
    # decides the case at every point; "lever" varies by point and does nothing
    rng = np.random.default_rng(5)
    reps, pts = 40, 12
    w = rng.random(reps)
    case_r = (w > 0.6) | (rng.random(reps) < 0.15)
    lever = rng.random(pts)
    x = pd.DataFrame({"lever": np.tile(lever, reps), "w": np.repeat(w, pts)})
    y = np.repeat(case_r, pts)
    res = prim_box(x, y, groups=np.repeat(np.arange(reps), pts),
                   blocks=np.tile(np.arange(pts), reps))
    assert res.restricted == ["w"] and res.icc == pytest.approx(1.0)
    # the closed form: the binomial test on one row per replicate
    lo, hi = res.box.loc["w", "min"], res.box.loc["w", "max"]
    inside = (w >= lo) & (w <= hi)
    from scipy.stats import binom
    expected = binom.sf(case_r[inside].sum() - 1, inside.sum(), case_r.mean())
    assert res.units == pytest.approx(inside.sum())
    assert res.box.loc["w", "qp_value"] == pytest.approx(expected, rel=1e-9)
    assert res.box.loc["w", "qp_value"] > 1e-8  # the rows as independent give ~1e-40
    assert "weigh as" in repr(res)


def test_cart_recovers_the_planted_box(planted):
    x, y, _ = planted
    res = cart_box(x, y, max_depth=3)
    assert set(res.box.index) == {"a", "b"}
    assert res.box.loc["a", "min"] == pytest.approx(0.2, abs=0.03)
    assert res.box.loc["a", "max"] == pytest.approx(0.6, abs=0.03)
    assert res.box.loc["b", "min"] == pytest.approx(0.5, abs=0.03)
    assert res.density > 0.9 and res.coverage > 0.8
    assert "a <=" in res.rules and "b <=" in res.rules


def test_discovery_on_an_experiment_uses_replicates_and_sampled_parameters(tmp_path):
    ex = simulate.sweep(write_small(tmp_path), replicates=16, progress=False)
    p, c = discover(ex, "india_low")
    factors = set(ex.factor_keys) | set(ex.scenario.uncertainty)
    assert set(p.restricted) <= factors and set(c.box.index) <= factors
    assert p.n == 5 * 16
    # the quasi-p-values treat each replicate (shared at every point) as the unit
    x, cases = discovery_data(ex, "india_low")
    rows = ex.replicates.merge(ex.design[["point"]], on="point")
    grouped = prim_box(x, cases, groups=rows["replicate"], blocks=rows["point"])
    assert p.icc == grouped.icc and p.units == grouped.units
    np.testing.assert_array_equal(p.box["qp_value"], grouped.box["qp_value"])
    with pytest.raises(ScenarioError, match="threshold"):
        discover(ex, "oil_revenue_busd")
    low = float(ex.replicates["oil_revenue_busd"].min())
    with pytest.raises(ScenarioError, match="oil_revenue_busd: no row is a case of interest"):
        discover(ex, "oil_revenue_busd", threshold=low, below=True)
    with pytest.raises(ScenarioError, match="oil_revenue_busd: every row is a case of inter"):
        discover(ex, "oil_revenue_busd", threshold=low - 1.0)


def _fake_experiment(values: dict[tuple[str, str], float]) -> Experiment:
    """An experiment of policies (lever 'rate') x states (uncertainty 'resolve')."""
    rows = [{"point": i, "actors.US.rate": pol, "actors.RU.resolve": st}
            for i, (pol, st) in enumerate(values)]
    design = pd.DataFrame(rows)
    stats = pd.DataFrame({"point": design["point"], "outcome": "y", "kind": "mean",
                          "estimate": list(values.values()), "se": 0.0, "ci_low": 0.0,
                          "ci_high": 0.0, "n": 1})
    factors = [{"key": "actors.US.rate", "kind": "lever", "numeric": False},
               {"key": "actors.RU.resolve", "kind": "uncertainty", "numeric": False}]
    from simulate.scenario import load_scenario
    from simulate.scenario.bundled import bundled_scenarios
    return Experiment(load_scenario(bundled_scenarios()["aug2025"][0]), design, stats,
                      pd.DataFrame(), {}, factors=factors, outcomes=["y"], binary=[])


def test_regret_minimax_and_satisficing_by_hand():
    # states s1, s2, s3; policies A (steady), B (best in s1, poor in s3), C (mediocre)
    v = {("A", "s1"): 0.5, ("A", "s2"): 0.5, ("A", "s3"): 0.5,
         ("B", "s1"): 0.9, ("B", "s2"): 0.6, ("B", "s3"): 0.1,
         ("C", "s1"): 0.4, ("C", "s2"): 0.7, ("C", "s3"): 0.3}
    rob = robust(_fake_experiment(v), "y", threshold=0.45)
    t = rob.table.set_index("policy")
    # regrets: A: .4, .2, 0 -> max .4; B: 0, .1, .4 -> max .4; C: .5, 0, .2 -> max .5
    assert t.loc["rate=A", "max_regret"] == pytest.approx(0.4)
    assert t.loc["rate=B", "max_regret"] == pytest.approx(0.4)
    assert t.loc["rate=C", "max_regret"] == pytest.approx(0.5)
    assert t.loc["rate=A", "mean_regret"] == pytest.approx(0.2)
    # A and B tie on maximum regret (0.9 - 0.5 and 0.5 - 0.1 differ in their last bits);
    # B has the smaller mean regret (0.5 / 3 against 0.2), so B is named
    assert rob.minimax_regret == "rate=B"
    assert list(rob.table["policy"]) == ["rate=B", "rate=A", "rate=C"]
    assert sorted(rob.ties) == ["rate=A", "rate=B"] and "tied with 1 other policy" in repr(rob)
    import matplotlib
    matplotlib.use("Agg")
    ax = rob.plot()
    assert [t.get_text() for t in ax.get_yticklabels()] == list(rob.table["policy"])
    assert t.loc["rate=A", "satisficing_share"] == 1.0
    assert t.loc["rate=B", "satisficing_share"] == pytest.approx(2 / 3)
    assert rob.satisficing == "rate=A"
    low = robust(_fake_experiment(v), "y", maximize=False)
    # minimising: regret is value - min; A: 0.1, 0, 0.4; B: 0.5, 0, 0; C: 0, 0.2, 0.2
    assert low.minimax_regret == "rate=C"


def test_regrets_equal_but_for_float_noise_tie_and_the_smaller_mean_regret_wins():
    # the best is 0.020 in s1 and 0.015 in s2: regrets of 0.005 (one replicate in 200) come
    # as 0.020 - 0.015 and as 0.015 - 0.010, which differ in their last bits
    v = {("A", "s1"): 0.015, ("A", "s2"): 0.010, ("B", "s1"): 0.020, ("B", "s2"): 0.010,
         ("D", "s1"): 0.005, ("D", "s2"): 0.015}
    rob = robust(_fake_experiment(v), "y")
    t = rob.table.set_index("policy")
    assert t.loc["rate=A", "max_regret"] != t.loc["rate=B", "max_regret"]   # float noise
    assert sorted(rob.ties) == ["rate=A", "rate=B"]
    # A: regrets 0.005, 0.005 (mean 0.005); B: 0, 0.005 (mean 0.0025); D: 0.015, 0
    assert rob.minimax_regret == "rate=B"
    assert list(rob.table["policy"]) == ["rate=B", "rate=A", "rate=D"]


def test_an_experiments_table_names_its_outcome_and_its_plots_say_what_they_draw():
    ex = _fake_experiment({("A", "s1"): 0.5, ("B", "s1"): 0.7})
    assert ex.table().attrs["outcome"] == "y" == ex.outcomes[0]
    for name in ("lever", "heatmap", "parallel"):
        doc = getattr(ex.plot, name).__doc__
        assert doc and "Returns the axes" in doc, name


def test_no_satisficing_policy_when_none_meets_the_threshold():
    v = {("A", "s1"): 0.5, ("A", "s2"): 0.5, ("B", "s1"): 0.9, ("B", "s2"): 0.1}
    rob = robust(_fake_experiment(v), "y", threshold=0.95)
    assert rob.satisficing is None
    assert (rob.table["satisficing_share"] == 0.0).all() and len(rob.table) == 2
    text = repr(rob)
    assert "no policy meets y >= 0.95 in any state" in text and "satisficing (" not in text
    assert "rate=A" in text and "rate=B" in text  # the table is still reported
    low = robust(_fake_experiment(v), "y", maximize=False, threshold=0.05)
    assert low.satisficing is None and "no policy meets y <= 0.05" in repr(low)
    # one state met by one policy is enough to name it
    assert robust(_fake_experiment(v), "y", threshold=0.9).satisficing == "rate=B"


def test_robust_needs_every_policy_in_every_state():
    v = {("A", "s1"): 0.5, ("A", "s2"): 0.5, ("B", "s1"): 0.9}
    with pytest.raises(ScenarioError, match="crossed"):
        robust(_fake_experiment(v), "y")


def test_worst_case_and_satisficing_tie_break_follow_the_direction():
    """Maximising, a policy's worst case is its lowest value and ties in the satisficing
    share go to the higher mean; minimising, its highest and the lower mean."""
    v = {("A", "s1"): 0.6, ("A", "s2"): 0.8, ("B", "s1"): 0.7, ("B", "s2"): 0.9}
    high = robust(_fake_experiment(v), "y", threshold=0.5)
    t = high.table.set_index("policy")
    assert t.loc["rate=A", "worst"] == 0.6 and t.loc["rate=B", "worst"] == 0.7
    assert (t["satisficing_share"] == 1.0).all() and high.satisficing == "rate=B"
    low = robust(_fake_experiment(v), "y", maximize=False, threshold=1.0)
    t = low.table.set_index("policy")
    assert t.loc["rate=A", "worst"] == 0.8 and t.loc["rate=B", "worst"] == 0.9
    assert (t["satisficing_share"] == 1.0).all() and low.satisficing == "rate=A"


def test_discovery_on_points_of_a_crossed_design_counts_states_not_points():
    """Points of one state of the world share its values and random numbers: on a crossed
    design with the case decided by the state, the box weighs as its states, not as its
    points (6 policies x 8 states; the 3 highest states are the cases)."""
    rows, estimates = [], []
    for s in range(8):
        for k in range(6):
            rows.append({"point": len(rows), "actors.US.credibility": 0.1 * (k + 1),
                         "actors.RU.resolve": float(s)})
            estimates.append(float(s) + 0.01 * k)
    design = pd.DataFrame(rows)
    stats = pd.DataFrame({"point": design["point"], "outcome": "y", "kind": "mean",
                          "estimate": estimates, "se": 0.0, "ci_low": 0.0, "ci_high": 0.0,
                          "n": 1})
    factors = [{"key": "actors.US.credibility", "kind": "lever", "numeric": True},
               {"key": "actors.RU.resolve", "kind": "uncertainty", "numeric": True}]
    from simulate.scenario import load_scenario
    from simulate.scenario.bundled import bundled_scenarios
    ex = Experiment(load_scenario(bundled_scenarios()["aug2025"][0]), design, stats,
                    pd.DataFrame(), {}, factors=factors, outcomes=["y"], binary=[])
    p, _ = discover(ex, "y", threshold=4.5, on="points")
    assert p.icc == pytest.approx(1.0)
    assert p.units == pytest.approx(3.0)          # 18 points, 3 states
    assert list(p.restricted) == ["actors.RU.resolve"]
