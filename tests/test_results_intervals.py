"""Intervals of means (Student's t, paired t, Welch's t) and the NaN rule of the summary.

Each interval is checked against scipy's own construction of the same interval, written
independently of simulate: ``stats.t.interval`` for one mean, ``ttest_rel`` for paired runs,
``ttest_ind(equal_var=False)`` for independent runs.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from results_factory import make_results
from scipy import stats

from simulate.report.insights import threat_effect
from simulate.results.compare import Comparison
from simulate.results.summary import (
    INTERVALS,
    mean,
    proportion,
    quantile,
    summarize,
    t_half_width,
    welch_df,
)

SMALL = {2: [3.0, 7.5], 3: [1.0, 4.0, 2.5], 5: [2.0, -1.0, 0.5, 4.0, 3.5],
         10: [0.3, 1.9, -0.7, 2.2, 1.1, 0.8, -1.4, 2.6, 0.1, 1.5]}


@pytest.mark.parametrize("n", sorted(SMALL))
def test_mean_interval_is_students_t_with_n_minus_1_df(n):
    x = np.array(SMALL[n])
    row = mean("m", x, "u")
    low, high = stats.t.interval(0.95, n - 1, loc=x.mean(), scale=stats.sem(x))
    assert row["ci_low"] == pytest.approx(low, rel=1e-12)
    assert row["ci_high"] == pytest.approx(high, rel=1e-12)
    # wider than the normal interval it replaces: z = 1.96 covers 0.70 of the time at n = 2
    assert row["ci_high"] - row["estimate"] > 1.96 * row["se"]


def test_mean_interval_of_many_values_agrees_with_the_normal():
    x = np.random.default_rng(3).normal(10.0, 2.0, size=100_000)
    row = mean("m", x, "u")
    z = stats.norm.ppf(0.975) * row["se"]
    half = row["ci_high"] - row["estimate"]
    assert half == pytest.approx(z, rel=1e-4) and half > z
    assert row["estimate"] - row["ci_low"] == pytest.approx(half)


def test_t_half_width_edge_cases():
    assert t_half_width(0.0, float("nan")) == 0.0  # no spread: a point, whatever the df
    assert math.isnan(t_half_width(float("nan"), 3))
    assert math.isnan(t_half_width(1.0, 0))
    assert t_half_width(2.0, 4) == pytest.approx(2.0 * stats.t.ppf(0.975, 4))
    one = mean("m", [5.0], "u")
    assert one["estimate"] == 5.0 and math.isnan(one["ci_low"]) and math.isnan(one["ci_high"])


def test_welch_df_is_welch_satterthwaite():
    a, b = np.array([1.0, 4.0, 2.0, 8.0]), np.array([3.0, 3.5, 2.5, 3.2, 2.9, 3.1])
    va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    want = (va + vb) ** 2 / (va ** 2 / (a.size - 1) + vb ** 2 / (b.size - 1))
    assert welch_df(a.var(ddof=1), a.size, b.var(ddof=1), b.size) == pytest.approx(want)
    assert math.isnan(welch_df(1.0, 1, 1.0, 5))
    assert math.isnan(welch_df(0.0, 3, 0.0, 3))


def _runs(rev_a, rev_b, seed_a, seed_b):
    n_a, n_b = len(rev_a), len(rev_b)
    a = make_results([None] * n_a, seed=seed_a)
    b = make_results([None] * n_b, seed=seed_b)
    a.outcomes["oil_revenue_busd"] = np.asarray(rev_a, float)
    b.outcomes["oil_revenue_busd"] = np.asarray(rev_b, float)
    return a, b


def test_paired_difference_of_means_is_the_paired_t_interval():
    base = [100.0, 98.0, 103.0, 97.0, 101.0]
    alt = [101.5, 98.2, 105.0, 97.1, 103.9]
    a, b = _runs(base, alt, 5, 5)
    c = Comparison([a, b], ["base", "alt"])
    row = c.differences().set_index("metric").loc["oil_revenue"]
    assert row["paired"]
    want = stats.ttest_rel(alt, base).confidence_interval(0.95)
    assert row["ci_low"] == pytest.approx(want.low, rel=1e-10)
    assert row["ci_high"] == pytest.approx(want.high, rel=1e-10)


def test_independent_difference_of_means_is_welchs_t_interval():
    base = [100.0, 98.0, 103.0, 97.0, 101.0, 99.5, 100.5]
    alt = [110.0, 90.0, 104.0, 95.0]
    a, b = _runs(base, alt, 5, 6)
    c = Comparison([a, b], ["base", "alt"])
    row = c.differences().set_index("metric").loc["oil_revenue"]
    assert not row["paired"]
    want = stats.ttest_ind(alt, base, equal_var=False).confidence_interval(0.95)
    assert row["ci_low"] == pytest.approx(want.low, rel=1e-10)
    assert row["ci_high"] == pytest.approx(want.high, rel=1e-10)


def test_threat_effect_on_revenue_is_the_paired_t_interval():
    r = make_results([2, 5, None, 5])
    with_measures = r.outcomes["oil_revenue_busd"].to_numpy(float)  # 100, 98, 96, 94
    without = with_measures + np.array([1.0, 3.0, 0.5, 2.0])
    r.outcomes["deal_cf"] = r.outcomes["deal"].to_numpy()
    r.outcomes["oil_revenue_cf_busd"] = without
    row = threat_effect(r).loc["oil_revenue"]
    want = stats.ttest_rel(with_measures, without).confidence_interval(0.95)
    assert row["ci_low"] == pytest.approx(want.low, rel=1e-10)
    assert row["ci_high"] == pytest.approx(want.high, rel=1e-10)


# ----- missing values: a NaN makes the row NaN, for every kind ---------------------------
def test_quantile_with_a_nan_is_nan_throughout_like_mean():
    values = [1, 2, 3, 4, 5, 6, 7, float("nan")]
    q = quantile("t", values, 0.5, "")
    m = mean("t", values, "")
    for row in (q, m):
        for col in ("estimate", "ci_low", "ci_high", "p05", "p95"):
            assert math.isnan(row[col]), (row["kind"], col)
        assert row["n"] == 8
    # without the NaN the seven values have an interval (coverage 1 - 2/2^7)
    clean = quantile("t", values[:7], 0.5, "")
    assert (clean["estimate"], clean["ci_low"], clean["ci_high"]) == (4.0, 1.0, 7.0)


def test_proportion_with_a_nan_is_nan_not_a_hit():
    row = proportion("p", [1.0, 0.0, float("nan"), 1.0])
    assert math.isnan(row["estimate"]) and math.isnan(row["ci_low"]) and row["n"] == 4
    assert proportion("p", [1.0, 0.0, 1.0])["estimate"] == pytest.approx(2 / 3)


def test_summary_says_its_intervals_are_pointwise():
    r = make_results([2, 5, None, 5])
    table = summarize(r.outcomes, r.scenario)
    assert table.attrs["intervals"] == INTERVALS
    assert "individual (pointwise), not simultaneous" in INTERVALS
    assert "1 - 0.05/k" in INTERVALS
