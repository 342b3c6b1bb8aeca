"""Limit cases of the model that have closed forms (DESIGN section 3), run through the real
model code: each scenario in tests/model_scenarios/ isolates one mechanism, is run with
``simulate.execution.runner.run`` and its outcomes or daily series are compared with the
formula computed here by hand from the scenario's own numbers.

Tolerances: deterministic cases to 1e-9 (relative where the value is far from 0); stochastic
cases inside a 99.9% interval (|z| < 3.29, or a chi-square p-value above 0.001). Seeds are
fixed, so every check is reproducible.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from simulate.execution.runner import run
from simulate.scenario import load_scenario

HERE = Path(__file__).parent / "model_scenarios"
TOL = 1e-9
Z999 = float(stats.norm.ppf(0.9995))  # two-sided 99.9%


def _run(name: str, overrides: dict | None = None, **kw):
    kw.setdefault("progress", False)
    kw.setdefault("counterfactual", False)
    return run(HERE / f"{name}.yaml", overrides=overrides, **kw)


def _series(res, variable: str, actor: str = "", replicate: int = 0) -> np.ndarray:
    ts = res.timeseries
    sel = ts[(ts.variable == variable) & (ts.actor == actor) & (ts.replicate == replicate)]
    return sel.sort_values("day")["value"].to_numpy()


# ----- bargaining: Fearon's zone, Nash, Rubinstein ----------------------------------------

def fearon_bounds(overrides: dict | None = None) -> dict:
    """The zone of agreement of bargain.yaml at the talks on day 0, by hand.

    On day 0 the front moves before the talks (war phase before negotiation phase): control
    becomes control0 + drift (no volatility; oil revenue unchanged, so the drift is not
    scaled). Each side expects, after H days, clip(control + H (drift +/- optimism)); the
    occupier accepts X >= p_RU - H c_RU, the defender X <= p_UA + H c_UA (Fearon 1995), and
    hard demands add floors/ceilings per region.
    """
    s = load_scenario(HERE / "bargain.yaml", overrides=overrides)
    H = s.negotiation.valuation_horizon_days
    ru, ua = s.actors["RU"], s.actors["UA"]
    w = {k: r.weight for k, r in s.regions.items()}
    wsum = sum(w.values())
    control = {k: r.control + r.drift_per_day for k, r in s.regions.items()}

    def expect(bias: float) -> float:
        return sum(w[k] * min(max(control[k] + H * (s.regions[k].drift_per_day + bias), 0.0),
                              1.0) for k in w) / wsum

    p_ru, p_ua = expect(ru.optimism), expect(-ua.optimism)
    floor = {k: float(ru.demands.get(k, 0.0)) for k in w}
    ceil = {k: float(ua.demands.get(k, 1.0)) for k in w}
    agg_floor = sum(w[k] * floor[k] for k in w) / wsum
    agg_ceil = sum(w[k] * ceil[k] for k in w) / wsum
    low = max(p_ru - H * ru.war_cost_per_day, agg_floor)
    high = min(p_ua + H * ua.war_cost_per_day, agg_ceil)
    return {"p_ru": p_ru, "p_ua": p_ua, "low": low, "high": high, "floor": floor,
            "ceil": ceil, "w": w, "d_ru": ru.discount_factor, "d_ua": ua.discount_factor,
            "agg_floor": agg_floor}


def test_hand_computed_bounds_of_the_bargaining_scenario():
    """The by-hand numbers quoted in bargain.yaml's comment."""
    b = fearon_bounds()
    assert b["p_ru"] == pytest.approx(0.50575, abs=1e-12)
    assert b["p_ua"] == pytest.approx(0.37575, abs=1e-12)
    assert b["low"] == pytest.approx(0.35575, abs=1e-12)
    assert b["high"] == pytest.approx(0.62575, abs=1e-12)


def _deal(res) -> tuple[float, dict]:
    o = res.outcomes
    assert o["deal"].all() and (o["deal_day"] == 0).all()
    x = o["terms_aggregate"].to_numpy()
    assert np.ptp(x) == 0.0  # deterministic: the same in every replicate
    return float(x[0]), {c: float(o[c].iloc[0]) for c in o.columns if c.startswith("terms_")}


def test_rubinstein_split_occupier_proposes():
    b = fearon_bounds()
    share = (1 - b["d_ua"]) / (1 - b["d_ru"] * b["d_ua"])
    expected = b["low"] + (b["high"] - b["low"]) * share
    x, terms = _deal(_run("bargain"))
    assert x == pytest.approx(expected, rel=TOL, abs=TOL)
    assert expected == pytest.approx(0.35575 + 0.27 * 0.2 / 0.28, abs=1e-12)
    # region terms by priority (docs/model.md 4.12): from the line (North 0.401, South 0.2),
    # the concession goes to the first region in priority order (equal values: file order)
    # until it is used up, so North carries all of it and South stays frozen on the line
    line = {"North": 0.401, "South": 0.2}
    assert terms["terms_North"] == pytest.approx(
        line["North"] + (expected - (3 * line["North"] + line["South"]) / 4) * 4 / 3, abs=TOL)
    assert terms["terms_South"] == pytest.approx(line["South"], abs=TOL)


def test_rubinstein_split_defender_proposes():
    b = fearon_bounds()
    share = (1 - b["d_ru"]) / (1 - b["d_ua"] * b["d_ru"])  # the defender's share
    expected = b["high"] - (b["high"] - b["low"]) * share
    x, _ = _deal(_run("bargain", {"negotiation.proposer": "UA"}))
    assert x == pytest.approx(expected, rel=TOL, abs=TOL)


@pytest.mark.parametrize("power", [0.5, 0.3, 0.0, 1.0])
def test_nash_bargaining_with_linear_utilities(power):
    """argmax (x - low)^a (high - x)^(1-a) = low + a (high - low); the midpoint for a = 1/2."""
    b = fearon_bounds()
    x, _ = _deal(_run("bargain", {"negotiation.protocol": "nash",
                                  "negotiation.nash_power": power}))
    assert x == pytest.approx(b["low"] + power * (b["high"] - b["low"]), rel=TOL, abs=TOL)
    if power == 0.5:
        assert x == pytest.approx(0.5 * (b["low"] + b["high"]), abs=TOL)


def test_split_the_difference_is_the_midpoint_of_expectations():
    b = fearon_bounds()
    x, _ = _deal(_run("bargain", {"negotiation.protocol": "split_the_difference"}))
    expected = min(max(0.5 * (b["p_ru"] + b["p_ua"]), b["low"]), b["high"])
    assert x == pytest.approx(expected, rel=TOL, abs=TOL)


def test_hard_demand_inside_the_zone_binds_per_region():
    """An occupier floor of 0.6 on North lifts the aggregate floor to 0.45 > p_RU - c_RU:
    low = 0.45. Region terms by priority (docs/model.md 4.12): start from the line within the
    bounds (North 0.6, South 0.2, aggregate 0.5), then raise North (first in file order with
    equal values) by what the aggregate still needs; South stays frozen on the line."""
    over = {"actors.RU.demands": {"North": 0.6}, "negotiation.protocol": "nash"}
    b = fearon_bounds(over)
    assert b["low"] == pytest.approx(0.45, abs=1e-12)
    x, terms = _deal(_run("bargain", over))
    expected = 0.5 * (b["low"] + b["high"])
    assert x == pytest.approx(expected, rel=TOL, abs=TOL)
    start = {"North": 0.6, "South": 0.2}
    wsum = sum(b["w"].values())
    need = (expected - sum(b["w"][k] * start[k] for k in start) / wsum) * wsum
    assert terms["terms_North"] == pytest.approx(start["North"] + need / b["w"]["North"],
                                                 abs=TOL)
    assert terms["terms_South"] == pytest.approx(start["South"], abs=TOL)
    assert terms["terms_North"] >= 0.6


def test_hard_demand_beyond_the_defenders_bound_blocks_a_deal():
    over = {"actors.RU.demands": {"North": 0.9}, "negotiation.talks.rate_per_day": 1.0}
    b = fearon_bounds(over)
    assert b["agg_floor"] > b["high"]
    o = _run("bargain", over).outcomes
    assert not o["deal"].any()


def test_fearon_range_decides_deal_or_no_deal():
    """Without hard demands and without clipping, p_RU - p_UA = H (opt_RU + opt_UA) and the
    zone (p - c_RU, p + c_UA) is empty exactly when opt_RU + opt_UA > c_RU + c_UA (per day).
    Just below the threshold every replicate settles at the first talks; just above, talks
    every day over the horizon find no zone (its width does not depend on the front)."""
    s = load_scenario(HERE / "bargain.yaml")
    ru, ua = s.actors["RU"], s.actors["UA"]
    threshold = ru.war_cost_per_day + ua.war_cost_per_day - ua.optimism
    assert threshold == pytest.approx(0.0035)
    eps = 1e-6
    below = {"actors.RU.optimism": threshold - eps, "negotiation.talks.rate_per_day": 1.0}
    above = {"actors.RU.optimism": threshold + eps, "negotiation.talks.rate_per_day": 1.0}
    b = fearon_bounds(below)
    assert 0 < b["high"] - b["low"] < 1e-3 and b["low"] > 0 and b["high"] < 1
    assert fearon_bounds(above)["high"] < fearon_bounds(above)["low"]
    o = _run("bargain", below, replicates=20).outcomes
    assert o["deal"].all() and (o["deal_day"] == 0).all()
    # a zone this narrow pins the terms (nash midpoint would differ from low by < 1e-4)
    assert o["terms_aggregate"].between(b["low"] - TOL, b["high"] + TOL).all()
    o = _run("bargain", above, replicates=20).outcomes
    assert not o["deal"].any() and (o["deal_day"] == -1).all()


# ----- oil market: constant-elasticity price response ------------------------------------

def _supply_loss_price(name: str = "supply_loss", overrides: dict | None = None):
    res = _run(name, overrides)
    s = res.scenario
    brent = _series(res, "brent_usd")
    shut = _series(res, "shut_in_mbd")
    return s, res, brent, shut


def test_constant_elasticity_price_exact():
    """P/P0 = (1 - s)^(-1/(es + |ed|)) with s = shut-in / world demand, every day."""
    s, res, brent, shut = _supply_loss_price()
    m = s.market
    lost = s.actors["EM"].buyers["sanctioned"].base_volume_mbd
    assert shut == pytest.approx(np.full(s.horizon_days + 1, lost), abs=1e-9)
    share = lost / m.world_demand_mbd
    e = m.supply_elasticity + abs(m.demand_elasticity)
    expected = m.brent_usd * (1 - share) ** (-1 / e)
    np.testing.assert_allclose(brent, expected, rtol=TOL, atol=0)
    o = res.outcomes.iloc[0]
    assert o["brent_end_usd"] == pytest.approx(expected, rel=TOL)
    # trade v2: the other buyer's 2.0 mb/d clear where the supply curve offers them, at the
    # FOB price U = 30 + (40 - 30) * 2.0 / 3.03 (docs/model.md 4.7); the market clears on
    # yesterday's Brent, so the FOB price of day t is U + P_t - P_(t-1) (P_(-1) = P0)
    other = s.actors["CN"].buyers["other"].base_volume_mbd
    assert o["exports_mbd"] == pytest.approx(other, rel=TOL)
    u = m.shutin_price_usd + (m.full_supply_price_usd - m.shutin_price_usd) * other / (
        other + lost)
    revenue = other * (u * (s.horizon_days + 1) + expected - m.brent_usd) / 1000
    assert o["oil_revenue_busd"] == pytest.approx(revenue, rel=TOL)


def test_spare_capacity_offsets_part_of_the_loss():
    s, _, brent, _ = _supply_loss_price("supply_loss_spare")
    m, sa = s.market, s.actors["SA"]
    lost = s.actors["EM"].buyers["sanctioned"].base_volume_mbd
    net = lost - min(sa.spare_capacity_mbd, sa.response_share * lost)
    assert net == pytest.approx(0.83)
    e = m.supply_elasticity + abs(m.demand_elasticity)
    np.testing.assert_allclose(brent, m.brent_usd * (1 - net / m.world_demand_mbd) ** (-1 / e),
                               rtol=TOL)


@pytest.mark.parametrize("lost", [1.03, 0.515, 0.206])
def test_small_supply_loss_approximation(lost):
    """%dP = s/(es + |ed|) + O(s^2): with a = 1/(es + |ed|),
    (1-s)^-a - 1 - a s = a(a+1)/2 s^2 (1 + (a+2)/3 s + ...), so the error of the linear
    formula is positive and within [1, 1 + (a+2) s] times a(a+1)/2 s^2."""
    over = {"actors.EM.buyers.sanctioned.base_volume_mbd": lost}
    s, _, brent, _ = _supply_loss_price(overrides=over)
    m = s.market
    share = lost / m.world_demand_mbd
    a = 1 / (m.supply_elasticity + abs(m.demand_elasticity))
    pct = brent[-1] / m.brent_usd - 1
    err = pct - a * share
    c2 = a * (a + 1) / 2 * share**2
    assert c2 <= err <= c2 * (1 + (a + 2) * share)
    assert pct == pytest.approx(a * share, abs=1.1 * c2 * (1 + (a + 2) * share))
    assert abs(err) < 0.03 * pct  # the linear formula is within 3% at s <= 1%


# ----- buyers: the lagged adjustment and the market clearing (trade v2) ----------------------
# The v1 rule (a target volume from penalty and benefit, approached geometrically) is gone;
# its closed forms for v2 (geometric lags, clearing with linear demands, the stop at the end
# of the wind-down) are checked on the rules in tests/test_trade_v2_rules.py and through the
# engine in test_clearing_with_linear_demands_through_the_engine below.

def test_clearing_with_linear_demands_through_the_engine():
    """clearing.yaml: one-day lags, linear demands, full supply, no premiums: the delivered
    discount is D0 + (Q - sum V) / sum a every day, and the FOB discount adds the freight."""
    res = _run("clearing")
    s = res.scenario
    buyers = [b for a in s.actors_of("importer").values() for b in a.buyers.values()]
    q = s.market.export_capacity_mbd
    total_v = sum(b.base_volume_mbd for b in buyers)
    total_a = sum(b.demand_slope_mbd_per_usd for b in buyers)
    delivered = s.market.urals_discount_usd + (q - total_v) / total_a
    fob = _series(res, "urals_discount_usd")
    np.testing.assert_allclose(fob, delivered + s.market.freight_usd, rtol=TOL)
    exports = _series(res, "exports_mbd")
    np.testing.assert_allclose(exports, q, rtol=TOL)
    for name, a in s.actors_of("importer").items():
        (b,) = a.buyers.values()
        vol = _series(res, "volume_mbd", name)
        np.testing.assert_allclose(vol, b.base_volume_mbd + b.demand_slope_mbd_per_usd * (
            delivered - s.market.urals_discount_usd), rtol=TOL)


# ----- negotiation: geometric time to deal -----------------------------------------------

def test_time_to_deal_is_geometric():
    """Talks every day, zone never empty, deal with probability q at each talks: the deal
    day T (days from 0) is geometric on {0, 1, ...}, P(T = t) = (1-q)^t q, truncated by the
    horizon n: no deal with probability (1-q)^(n+1). Mean (1-q)/q untruncated (1/q talks)."""
    res = _run("geometric_deal")
    s = res.scenario
    q, n = s.negotiation.p_agree, s.horizon_days
    o = res.outcomes
    N = len(o)
    t = np.arange(n + 1)
    pmf = (1 - q) ** t * q
    p_none = (1 - q) ** (n + 1)
    assert pmf.sum() + p_none == pytest.approx(1.0, abs=1e-12)
    days = o["deal_day"].to_numpy()
    assert ((days >= -1) & (days <= n)).all()
    assert (o["deal"].to_numpy() == (days >= 0)).all()
    # mean of T given a deal (exact truncated moments) within a 99.9% interval
    dealt = days[days >= 0]
    cond = pmf / pmf.sum()
    mean = float((t * cond).sum())
    var = float(((t - mean) ** 2 * cond).sum())
    assert mean == pytest.approx((1 - q) / q, rel=1e-5)  # truncation is negligible here
    z = (dealt.mean() - mean) / math.sqrt(var / dealt.size)
    assert abs(z) < Z999, f"mean deal day {dealt.mean():.4f} vs {mean:.4f} (z = {z:.2f})"
    # the whole distribution: chi-square over days, tail merged so every bin expects >= 5
    counts = np.array([(days == k).sum() for k in t] + [(days < 0).sum()], dtype=float)
    probs = np.append(pmf, p_none)
    last = int(np.nonzero(N * probs[:-1] >= 5)[0].max())
    obs = np.append(counts[:last], counts[last:].sum())
    exp = N * np.append(probs[:last], probs[last:].sum())
    chi2 = stats.chisquare(obs, exp)
    assert chi2.pvalue > 0.001, f"chi-square p = {chi2.pvalue:.2e}"
    # and a shifted q is rejected by the same test (the test has power)
    alt = (1 - 0.32) ** t * 0.32
    alt_exp = N * np.append(alt[:last], 1 - alt[:last].sum())
    assert stats.chisquare(obs, alt_exp).pvalue < 0.001


# ----- tariffed goods ---------------------------------------------------------------------

def test_tariff_cost_closed_form():
    """Cost per year X0 - X0 (1+t)^-sigma; the outcome adds one day's share (1/365) of it for
    every day the tariff is in force (days 0..horizon are recorded)."""
    res = _run("tariff_cost")
    s = res.scenario
    o = res.outcomes
    n_days = s.horizon_days + 1
    ind, cn = s.actors["IN"], s.actors["CN"]
    t_in = s.timeline[0].rate
    cost_in = ind.exports_to_us_busd * (1 - (1 + t_in) ** -ind.trade_elasticity)
    assert cost_in == pytest.approx(87 * (1 - 2.0**-4))
    np.testing.assert_allclose(o["tariff_cost_IN_busd"], cost_in * n_days / 365, rtol=TOL)
    # CN: threat carried out at the deadline (day 2), in force after the lag from day 7
    threat = s.actors["US"].threat.secondary_tariff
    deadline = (s.actors["US"].deadline - s.start).days
    first = deadline + threat.lag_days
    assert (o["decision_day"] == deadline).all() and (o["threat"] == "carried_out").all()
    cost_cn = cn.exports_to_us_busd * (1 - (1 + threat.rate) ** -cn.trade_elasticity)
    np.testing.assert_allclose(o["tariff_cost_CN_busd"], cost_cn * (n_days - first) / 365,
                               rtol=TOL)
    rates = _series(res, "tariff_rate", "CN")
    assert (rates[:first] == 0).all() and (rates[first:] == threat.rate).all()
    assert (_series(res, "tariff_rate", "IN") == t_in).all()


def test_exports_under_tariff_function():
    from simulate.model.trade import exports_under_tariff, tariff_cost

    x0, sigma = 439.0, 4.0
    for t in (0.0, 0.25, 1.0):
        assert exports_under_tariff(x0, t, sigma) == pytest.approx(x0 * (1 + t) ** -sigma,
                                                                   rel=1e-15)
        assert tariff_cost(x0, t, sigma) == pytest.approx(x0 - x0 * (1 + t) ** -sigma,
                                                          rel=1e-15, abs=1e-12)
