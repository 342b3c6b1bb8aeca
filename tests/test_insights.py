"""The numbers behind the report's executive summary, computed by hand."""

import math

import numpy as np
import pandas as pd
import pytest
from interval_checks import newcombe_paired
from results_factory import make_results

from simulate.report.insights import drivers, limits, spearman_interval, threat_effect

Z = 1.959963984540054


def _with_counterfactual(r, deal_cf, revenue_cf):
    o = r.outcomes
    o["deal_cf"] = np.asarray(deal_cf, dtype=bool)
    o["oil_revenue_cf_busd"] = np.asarray(revenue_cf, dtype=float)
    return r


def test_threat_effect_is_a_paired_difference():
    # deals with the measures: 1, 1, 0, 1; without: 0, 1, 0, 0 -> differences 1, 0, 0, 1
    r = _with_counterfactual(make_results([2, 5, None, 5]), [0, 1, 0, 0],
                             [101.0, 99.0, 97.0, 95.0])
    e = threat_effect(r)
    d = e.loc["deal_within_horizon"]
    diff = np.array([1.0, 0.0, 0.0, 1.0])
    se = diff.std(ddof=1) / 2
    assert d["estimate"] == 0.5 and d["n"] == 4
    assert d["se"] == pytest.approx(se)
    # Newcombe's paired score interval (not the Wald 0.5 -/+ Z se): pairs (with, without)
    # both 1: one; with only: two; without only: none; neither: one
    low, high = newcombe_paired(a=1, b=2, c=0, d=1)
    assert d["ci_low"] == pytest.approx(low) and d["ci_high"] == pytest.approx(high)
    assert low < 0.5 < high and high - 0.5 != pytest.approx(0.5 - low)
    # revenue 100, 98, 96, 94 with; 101, 99, 97, 95 without: -1 in every replicate
    rev = e.loc["oil_revenue"]
    assert rev["estimate"] == pytest.approx(-1.0) and rev["se"] == pytest.approx(0.0)


def test_no_counterfactual_no_effect():
    assert threat_effect(make_results([2, None])) is None
    assert any("no counterfactual" in t for t in limits(make_results([2, None])))


def test_drivers_spearman_with_bonett_wright_interval():
    # credibility 0.1, 0.15, 0.2, 0.25 (rising with r); deal 1, 1, 0, 1
    r = make_results([2, 5, None, 5])
    top = drivers(r)
    assert list(top["parameter"]) == ["actors.US.credibility"]
    rho = -1 / math.sqrt(15)  # ranks (1, 2, 3, 4) against (3, 3, 1, 3)
    row = top.iloc[0]
    assert row["rho"] == pytest.approx(rho)
    # Bonett & Wright (2000): Fisher's z with se sqrt((1 + rho^2 / 2) / (n - 3)), n - 3 = 1
    half = Z * math.sqrt(1 + rho ** 2 / 2)
    assert row["ci_low"] == pytest.approx(math.tanh(math.atanh(rho) - half))
    assert row["ci_high"] == pytest.approx(math.tanh(math.atanh(rho) + half))
    assert row["n"] == 4


@pytest.mark.parametrize("rho, n", [(0.0, 50), (0.6, 30), (-0.85, 200)])
def test_spearman_interval_is_bonett_wright(rho, n):
    se = math.sqrt((1 + rho * rho / 2) / (n - 3))
    low, high = spearman_interval(rho, n)
    assert low == pytest.approx(math.tanh(math.atanh(rho) - Z * se), abs=1e-12)
    assert high == pytest.approx(math.tanh(math.atanh(rho) + Z * se), abs=1e-12)
    # wider than Pearson's 1 / sqrt(n - 3) whenever rho is not 0
    pearson = math.tanh(math.atanh(rho) + Z / math.sqrt(n - 3))
    assert high >= pearson if rho == 0 else high > pearson


@pytest.mark.parametrize("n", [2, 3])
@pytest.mark.parametrize("rho", [0.0, 0.5, -1.0])
def test_spearman_interval_is_nan_for_three_pairs_or_fewer(rho, n):
    """Bonett & Wright's standard error divides by n - 3: undefined for n <= 3 (it divided
    by zero at n = 3 and took the root of a negative number at n = 2)."""
    low, high = spearman_interval(rho, n)
    assert math.isnan(low) and math.isnan(high)


def test_spearman_interval_from_four_pairs_is_the_formula():
    rho, se = 0.5, math.sqrt(1 + 0.5 ** 2 / 2)  # n - 3 = 1
    low, high = spearman_interval(rho, 4)
    assert low == pytest.approx(math.tanh(math.atanh(rho) - Z * se))
    assert high == pytest.approx(math.tanh(math.atanh(rho) + Z * se))
    assert -1 < low < rho < high < 1


def test_limits_say_the_intervals_are_pointwise():
    text = " ".join(limits(make_results([2, None])))
    assert "individual (pointwise), not simultaneous" in text
    assert "1 - 0.05/k (Bonferroni)" in text


def test_drivers_rank_by_strength_and_keep_three():
    r = make_results([2, None, 3, None, 4, None, 5, None])
    o = r.outcomes
    deal = o["deal"].to_numpy(dtype=float)
    o["param:a.strong"] = deal + np.arange(8) * 1e-3  # perfectly ordered with deal
    o["param:a.weak"] = np.array([1, 2, 3, 4, 5, 6, 8, 7], dtype=float)
    o["param:a.mid"] = np.where(deal > 0, 1.0, 0.0) * np.array([1, 1, 1, 1, 1, 1, 0, 1]) \
        + np.arange(8) * 1e-3
    o["param:a.constant"] = 1.0
    o["param:actors.CN.stance"] = ["defy", "neutral"] * 4  # drawn among names: no rank order
    top = drivers(r)
    assert len(top) == 3
    # ranks 5..8 for the deals, 1..4 otherwise, against tied ranks 6.5 / 2.5: sqrt(32/42)
    assert top["parameter"].iloc[0] == "a.strong"
    assert top["rho"].iloc[0] == pytest.approx(math.sqrt(32 / 42))
    assert "a.constant" not in set(top["parameter"])
    assert list(top["rho"].abs()) == sorted(top["rho"].abs(), reverse=True)
    assert isinstance(top, pd.DataFrame)
