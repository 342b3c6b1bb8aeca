"""Closed forms and invariants of the trade-side rules of model v2 (issue 9).

Each rule is checked against a formula worked out by hand from its inputs (docs/model.md
sections 4.7-4.11); Hypothesis checks the invariants of a whole trade day over random
markets: no negative or NaN volumes, purchases within each buyer's cap, barrels conserved.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulate.model import brent, clearing, designations, governments, wedges
from simulate.model import tradeday as T
from simulate.model.clearing import NW
from simulate.model.tradearrays import TradeInputs, TradeParams, TradeState, new_trade_state

TOL = 1e-9


# ----- market clearing ------------------------------------------------------------------

def test_clearing_with_linear_demands_matches_the_closed_form():
    """Lags of one day, no caps binding, full supply: sum_b V_b + a_b (D - pi_b - D0) = Q
    gives D = D0 + (Q - sum V + sum a pi) / sum a."""
    base = np.array([1.0, 0.8, 0.5])
    slope = np.array([0.05, 0.02, 0.03])
    premium = np.array([1.0, 0.0, 2.0])
    cap = np.full(3, 10.0)
    lag = np.ones(3)
    ref, q = 3.0, 2.6
    out = np.zeros(3)
    rows = clearing.buyer_rows(base.copy(), base, slope, premium, cap, lag)
    d, offered = clearing.clear_market(clearing.Market(80.0, 10.0, q, 0.0, 30.0, 40.0, ref,
                                                       -50.0), rows, out)
    expect = ref + (q - base.sum() + (slope * premium).sum()) / slope.sum()
    assert d == pytest.approx(expect, abs=1e-9)
    assert offered == pytest.approx(q)
    np.testing.assert_allclose(out, base + slope * (expect - premium - ref), atol=1e-9)


def test_short_run_clearing_uses_the_lagged_slopes():
    """With lags L_b the market clears on v_b (1 - 1/L_b) + (V_b + a_b (D - D0)) / L_b."""
    v = np.array([0.9, 0.4])
    base = np.array([1.0, 0.6])
    slope = np.array([0.1, 0.05])
    lag = np.array([10.0, 20.0])
    ref, q = 2.0, 1.5
    out = np.zeros(2)
    rows = clearing.buyer_rows(v, base, slope, np.zeros(2), np.full(2, 5.0), lag)
    d, _ = clearing.clear_market(clearing.Market(80.0, 8.0, q, 0.0, 30.0, 40.0, ref, -50.0),
                                 rows, out)
    fixed = (v * (1 - 1 / lag) + (base - slope * ref) / lag).sum()
    expect = (q - fixed) / (slope / lag).sum()
    assert d == pytest.approx(expect, abs=1e-9)


def test_supply_falls_linearly_between_the_shut_in_and_full_supply_prices():
    """Inelastic demand of 1 mb/d against capacity 3: the FOB price settles where
    3 (U - 30)/(40 - 30) = 1, i.e. U = 33.33, so D = P - w - U."""
    out = np.zeros(1)
    rows = clearing.buyer_rows(np.ones(1), np.ones(1), np.zeros(1), np.zeros(1), np.ones(1),
                               np.ones(1))
    d, offered = clearing.clear_market(clearing.Market(80.0, 10.0, 3.0, 0.0, 30.0, 40.0, 0.0,
                                                       0.0), rows, out)
    assert offered == pytest.approx(1.0, abs=1e-9)
    assert d == pytest.approx(80.0 - 10.0 - (30.0 + 10.0 / 3.0), abs=1e-9)
    assert clearing.supply_share(45.0, 30.0, 40.0) == 1.0
    assert clearing.supply_share(29.0, 30.0, 40.0) == 0.0
    assert clearing.supply_share(35.0, 30.0, 40.0) == pytest.approx(0.5)


def test_excess_demand_at_the_lowest_discount_is_rationed():
    out = np.zeros(2)
    rows = clearing.buyer_rows(np.ones(2), np.ones(2), np.zeros(2), np.zeros(2),
                               np.full(2, 2.0), np.ones(2))
    d, offered = clearing.clear_market(clearing.Market(80.0, 5.0, 1.0, 0.0, 30.0, 40.0, 0.0,
                                                       0.0), rows, out)
    assert d == 0.0 and offered == 1.0
    np.testing.assert_allclose(out, [0.5, 0.5])


def _bisected_root(lo, hi, args):
    """The test's own oracle: 200 halvings of [lo, hi] on the sign of excess demand."""
    if clearing.excess_demand(lo, *args) >= 0.0:
        return lo
    if clearing.excess_demand(hi, *args) < 0.0:
        return hi
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if clearing.excess_demand(mid, *args) < 0.0:
            lo = mid
        else:
            hi = mid
    return hi


market_buyers = st.tuples(st.floats(0.0, 3.0), st.floats(0.0, 3.0), st.floats(0.0, 0.5),
                          st.floats(0.0, 10.0), st.floats(0.0, 4.0), st.floats(1.0, 60.0))


@given(buyers=st.lists(market_buyers, min_size=1, max_size=8),
       brent0=st.floats(35.0, 120.0), wedge=st.floats(0.0, 20.0),
       capacity=st.floats(0.0, 10.0), released=st.floats(0.0, 1.0),
       ref=st.floats(-5.0, 20.0), guess=st.floats(-60.0, 100.0) | st.just(math.nan))
@settings(max_examples=500, deadline=None)
def test_newton_clearing_finds_the_root_bisection_finds(buyers, brent0, wedge, capacity,
                                                        released, ref, guess):
    """Excess demand is piecewise linear with kinks where caps, zero demand and the supply
    range bind: the safeguarded Newton search returns the discount 200 halvings find (the
    smallest with excess demand >= 0, within 1e-9 USD/bbl; across an interval where excess
    demand is zero up to rounding, a point of it: exact plateaus are tested below), from any
    starting guess, in a bounded number of evaluations."""
    volume, base, slope, premium, cap, lag = (np.array(c) for c in zip(*buyers, strict=True))
    args = (clearing.Market(brent0, wedge, capacity, released, 30.0, 40.0, ref, -50.0),
            clearing.buyer_rows(volume, base, slope, premium, cap, lag))
    lo, hi = -50.0, max(brent0 - wedge - 30.0, -50.0)
    d, steps = clearing.find_discount(lo, hi, guess, *args)
    expect = _bisected_root(lo, hi, args)
    assert lo <= d <= hi and steps <= clearing.MAX_STEPS
    if abs(d - expect) > 1e-9 * (1.0 + abs(expect)):
        # only across an interval where excess demand is zero up to rounding (nothing
        # trades, or demand equals supply on both sides of a kink) may the two differ
        scale = 1e-12 * (1.0 + capacity + base.sum() + volume.sum() + cap.sum())
        for x in (d, expect, 0.5 * (d + expect), 0.9 * d + 0.1 * expect):
            assert abs(clearing.excess_demand(x, *args)) <= scale


@pytest.mark.parametrize("guess", [-20.0, 0.0, 2.0, 15.0, math.nan])
def test_clearing_on_a_plateau_takes_the_lowest_discount(guess):
    """Inelastic buyers whose demand equals the full supply: excess demand is 0 for every
    discount that keeps the FOB price at full supply, and the market takes the lowest
    (the price the sellers can get), whatever the search starts from."""
    base = np.array([1.0, 0.8])
    market = clearing.Market(70.0, 8.0, 1.8, 0.0, 30.0, 40.0, 2.0, -30.0)
    args = (market, clearing.buyer_rows(base.copy(), base, np.zeros(2), np.zeros(2),
                                        np.full(2, 3.0), np.ones(2)))
    d, _ = clearing.find_discount(-30.0, 32.0, guess, *args)
    assert d == -30.0
    # the plateau starts at a kink: demand rises until a cap binds at D = 6
    args = (market, clearing.buyer_rows(np.array([0.8, 0.8]), np.array([0.6, 0.8]),
                                        np.array([0.1, 0.0]), np.zeros(2),
                                        np.array([1.0, 0.8]), np.ones(2)))
    d, _ = clearing.find_discount(-30.0, 32.0, guess, *args)
    assert d == pytest.approx(6.0, abs=1e-12)


def test_newton_clearing_takes_two_evaluations_within_one_linear_piece():
    """From a guess on the root's linear piece, one Newton step lands on the root and the
    second evaluation confirms it."""
    base = np.array([1.0, 0.8, 0.5])
    slope = np.array([0.05, 0.02, 0.03])
    args = (clearing.Market(80.0, 10.0, 2.6, 0.0, 30.0, 40.0, 3.0, -50.0),
            clearing.buyer_rows(base.copy(), base, slope, np.array([1.0, 0.0, 2.0]),
                                np.full(3, 10.0), np.ones(3)))
    expect = 3.0 + (2.6 - base.sum() + (slope * np.array([1.0, 0.0, 2.0])).sum()) / slope.sum()
    for guess in (expect - 3.0, expect + 0.5, expect + 7.0):
        d, steps = clearing.find_discount(-50.0, 40.0, guess, *args)
        assert d == pytest.approx(expect, abs=1e-12)
        assert steps <= 2


def test_withheld_barrels_fill_storage_then_shut_in():
    stored, shut = clearing.split_withheld(5.0, 0.0, 4.0, 9.5, 10.0, 2.0)
    assert (stored, shut) == (0.5, 0.5)
    stored, shut = clearing.split_withheld(5.0, 0.0, 2.0, 0.0, 10.0, 2.0)
    assert (stored, shut) == (2.0, 1.0)
    assert clearing.releasable(3.0, 1.0) == 1.0
    assert clearing.releasable(0.4, 1.0) == 0.4
    assert clearing.releasable(0.0, 1.0) == 0.0


@pytest.mark.parametrize(("fob", "share"), [(35.0, 0.0), (40.0, 0.0), (42.5, 0.25),
                                            (47.0, 0.7), (50.0, 1.0), (80.0, 1.0)])
def test_stock_is_offered_as_the_price_rises_above_full_supply(fob, share):
    """Supply 30-40 USD/bbl: stock is offered from 40, all of the day's release at 50."""
    assert clearing.release_share(fob, 30.0, 40.0) == pytest.approx(share, abs=1e-15)


def test_stock_release_clears_with_the_market_in_closed_form():
    """Production offered in full above 40; 1 mb/d of stock may be released. One inelastic
    buyer of 5.5 mb/d against 5 mb/d of capacity: the FOB price settles where the stock
    offered fills the gap, U = 40 + 10 x 0.5 = 45, i.e. D = 80 - 5 - 45 = 30, and 0.5 mb/d
    of stock is sold (continuous in the price: no all-or-nothing release)."""
    vol = np.array([5.5])
    out = np.zeros(1)
    rows = clearing.buyer_rows(vol, vol.copy(), np.zeros(1), np.zeros(1), np.full(1, 9.0),
                               np.ones(1))
    d, offer = clearing.clear_market(clearing.Market(80.0, 5.0, 5.0, 1.0, 30.0, 40.0, 0.0,
                                                     -50.0), rows, out)
    assert d == pytest.approx(30.0, abs=1e-9)
    assert offer == pytest.approx(5.5, abs=1e-12) and out[0] == pytest.approx(5.5, abs=1e-12)
    assert 1.0 * clearing.release_share(80.0 - d - 5.0, 30.0, 40.0) == pytest.approx(0.5)


# ----- lags, wedges, Brent ------------------------------------------------------------------

@pytest.mark.parametrize("lag", [1.0, 7.0, 30.0])
def test_geometric_lagged_adjustment(lag):
    """x_t = target + (x_0 - target)(1 - 1/L)^t."""
    x, target = 1.0, 0.25
    for t in range(1, 61):
        x = wedges.adjust_toward(x, target, lag)
        assert x == pytest.approx(target + (1.0 - target) * (1 - 1 / lag) ** t, abs=1e-12)


def test_freight_premium_target_decays_to_its_lasting_part():
    f = wedges.freight_target(0.4, 30.0, 10.0, 0.25, 30.0, False, 2.0)
    assert f == pytest.approx(10.0 * 0.4 * (0.25 + 0.75 * math.exp(-1.0)))
    assert wedges.freight_target(0.4, 1e9, 10.0, 0.25, 30.0, True, 2.0) == pytest.approx(3.0)
    assert wedges.freight_target(0.0, -1.0, 10.0, 0.25, 30.0, False, 2.0) == 0.0


def test_fob_discount_is_delivered_plus_freight_plus_premium_and_revenue_at_fob():
    disc = wedges.fob_discount(3.0, 7.0, 2.5)
    assert disc == 12.5
    assert wedges.fob_price(70.0, disc) == 57.5
    assert wedges.revenue_fob(3.0, 57.5) == pytest.approx(172.5)
    assert wedges.buyer_premium(0.8, 5.0, 0.5, 0.2, False, 1.5) == pytest.approx(
        0.8 * 5.0 * 0.7)
    assert wedges.buyer_premium(0.8, 5.0, 0.5, 0.2, True, 1.5) == pytest.approx(
        0.8 * 5.0 * 0.2 + 1.5)


@pytest.mark.parametrize("loss", [0.1, 1.0, 3.0])
def test_constant_elasticity_price_response(loss):
    """P = P0 (1 - s)^(-1/(es + |ed|)), s = (loss + perceived) / W."""
    p = brent.brent_price(70.0, loss, 0.5, 103.0, 0.15, -0.26, 0.0)
    assert p == pytest.approx(70.0 * (1 - (loss + 0.5) / 103.0) ** (-1 / 0.41), rel=1e-12)


def test_expected_loss_decays_geometrically_without_a_physical_loss():
    """After news n on day 0, expected = n 2^(-t/h); the price term lags behind it."""
    e, x = brent.update_expectation(0.0, 0.0, 2.0, wedges.decay_factor(5.0), 1.0)
    assert (e, x) == (2.0, 2.0)
    for t in range(1, 30):
        e, x = brent.update_expectation(e, x, 0.0, wedges.decay_factor(5.0), 1.0)
        assert e == pytest.approx(2.0 * 2 ** (-t / 5.0), rel=1e-12)
    assert brent.net_loss(2.0, np.array([0.5, 3.0]), np.array([0.5, 0.1])) == pytest.approx(
        2.0 - 0.5 - 0.2)


# ----- governments --------------------------------------------------------------------------

@pytest.mark.parametrize("t,sigma", [(0.25, 4.0), (1.0, 2.0), (0.0, 4.0)])
def test_tariffed_exports_keep_the_constant_elasticity_form(t, sigma):
    assert governments.exports_under_tariff(87.0, t, sigma) == pytest.approx(
        87.0 * (1 + t) ** -sigma, rel=1e-12)
    assert governments.tariff_cost(87.0, t, sigma) == pytest.approx(
        87.0 - 87.0 * (1 + t) ** -sigma, rel=1e-12)


def test_government_cuts_when_weighted_relief_exceeds_gain_and_political_cost():
    relief = governments.expected_relief(87.0, 4.0, 0.25, 0.75, 0.4, 0.5)
    now = 87.0 - 87.0 * 1.25 ** -4
    extra = (87.0 - 87.0 * 2.0 ** -4) - now
    assert relief == pytest.approx(0.5 * (now + 0.4 * extra))
    gain = governments.discount_gain(2.0, 0.5, 0.9)
    assert gain == pytest.approx(2.0 * 0.5 * 0.9 * 0.365)
    credit = 1.0 * 0.5 * 1.0 * relief
    assert governments.directive_cap(relief, 0.5, 0.0, gain, credit - gain - 1e-6, 1.0) == 0.0
    assert governments.directive_cap(relief, 0.5, 0.0, gain, credit - gain + 1e-6, 1.0) == 1.0
    # an unconditional tariff: cutting brings no relief
    assert governments.expected_relief(87.0, 4.0, 0.25, 0.0, 0.0, 0.0) == 0.0


# ----- designations -------------------------------------------------------------------------

def test_designation_status_and_the_stop_at_the_end_of_the_wind_down():
    assert designations.designation_status(9, 10, 30) == designations.NONE
    assert designations.designation_status(10, 10, 30) == designations.WIND_DOWN
    assert designations.designation_status(39, 10, 30) == designations.WIND_DOWN
    assert designations.designation_status(40, 10, 30) == designations.IN_FORCE
    assert designations.designation_status(40, -1, 30) == designations.NONE
    assert designations.stops(designations.IN_FORCE, 0.7, 0.5, False)
    assert not designations.stops(designations.IN_FORCE, 0.7, 0.5, True)  # seller-owned
    assert not designations.stops(designations.WIND_DOWN, 0.7, 0.5, False)
    assert not designations.stops(designations.IN_FORCE, 0.4, 0.5, False)
    assert designations.reshuffled_cap(2.0, 0.6, 0.0, 30.0) == pytest.approx(0.8)
    assert designations.reshuffled_cap(2.0, 0.6, 30.0, 30.0) == pytest.approx(
        2.0 * (1 - 0.6 * math.exp(-1)))
    assert designations.front_load_factor(designations.WIND_DOWN, 0.7, 0.5, False, 0.1) == 1.1
    # only a buyer that will stop front-loads, and only during the wind-down
    assert designations.front_load_factor(designations.IN_FORCE, 0.7, 0.5, False, 0.1) == 1.0
    assert designations.front_load_factor(designations.NONE, 0.7, 0.5, False, 0.1) == 1.0
    assert designations.front_load_factor(designations.WIND_DOWN, 0.4, 0.5, False, 0.1) == 1.0
    assert designations.front_load_factor(designations.WIND_DOWN, 0.7, 0.5, True, 0.1) == 1.0


def _market(n_buyers=2, capacity=None):
    """A small market: one importer, buyers with base 1 mb/d, lags of 1 day."""
    bp = np.zeros((n_buyers, T.NB))
    bp[:, T.B_BASE] = 1.0
    bp[:, T.B_CAP] = 1.5
    bp[:, T.B_SLOPE] = 0.05
    bp[:, T.B_LAG] = 1.0
    bp[:, T.B_CAPTURE] = 1.0
    ip = np.zeros((1, T.NI))
    ip[:, T.I_SIGMA] = 4.0
    ip[:, T.I_STANCE] = 1.0
    mp = np.zeros(T.NM)
    mp[[T.M_BRENT0, T.M_REF, T.M_FREIGHT, T.M_ZERO, T.M_FULL]] = [80.0, 2.0, 7.0, 30.0, 40.0]
    mp[T.M_CAPACITY] = float(n_buyers) if capacity is None else capacity
    mp[[T.M_FREIGHT_LAG, T.M_RESHUFFLE, T.M_THRESHOLD, T.M_WORLD]] = [1.0, 30.0, 0.5, 103.0]
    mp[[T.M_ES, T.M_ED, T.M_EXP_LAG, T.M_EXP_HALF_LIFE]] = [0.15, -0.26, 1.0, 5.0]
    mp[T.M_MIN_DISC] = -20.0
    return bp, ip, mp


def _run(bp, ip, mp, days, actions=(), news=None):
    tp = TradeParams(bp, ip, mp, np.zeros(0), np.zeros(0))
    ts = new_trade_state(tp)
    zeros = np.zeros(ip.shape[0])
    rows = []
    for day in range(days):
        for a in actions:
            if a[0] == day:
                T.apply_action(ts.policy, ts.embargo, *a[1:2], day, *a[2:])
        T.trade_day(day, tp, ts, TradeInputs(zeros, zeros, 0.0,
                                             0.0 if news is None else news.get(day, 0.0), 0.0))
        rows.append((ts.market.copy(), ts.purchases.copy(), ts.buyers.copy()))
    return rows


@pytest.mark.parametrize("half_life", [20.0, 45.0, 90.0])
def test_discount_excess_halves_every_adaptation_half_life(half_life):
    """One buyer, lag 1, 0.5 mb/d more supply than its base at any price above full supply:
    the discount clears at D_0 + 0.5/a = 12 on day 0, and as the buyer's demand shifts out
    toward the extra volume, D_t = D_0 + (0.5/a) 2^(-t/h) exactly (docs/model.md 4.7)."""
    bp, ip, mp = _market(n_buyers=1, capacity=1.5)
    bp[0, T.B_CAP] = 3.0
    mp[T.M_ADAPT] = half_life
    rows = _run(bp, ip, mp, 200)
    for day in (0, 1, 10, int(half_life), 2 * int(half_life), 199):
        expected = 2.0 + 0.5 / 0.05 * 2.0 ** (-day / half_life)
        assert rows[day][0][T.S_DELIVERED] == pytest.approx(expected, rel=1e-9)
        assert rows[day][1][0] == pytest.approx(1.5, rel=1e-12)   # it takes all the supply
    # without adaptation the discount stays where the extra barrels pushed it
    mp[T.M_ADAPT] = 0.0
    rows = _run(bp, ip, mp, 200)
    assert rows[199][0][T.S_DELIVERED] == pytest.approx(12.0, rel=1e-12)


@pytest.mark.parametrize("lag", [1.0, 20.0])
def test_ramp_limit_makes_a_buyer_absorb_extra_barrels_linearly(lag):
    """One buyer (base 1, capacity 3, slope 0.05) and 0.5 mb/d more supply from day 0: without
    a limit it takes it as fast as its lag allows; with 0.3 mb/d a month (about 0.00986 a
    day) its purchases rise by exactly that much a day until the market clears, and the
    discount stays at the level that sells the rest (supply falls while the FOB price is
    below full supply): stylised fact 2, about 0.2 mb/d a month for India."""
    bp, ip, mp = _market(n_buyers=1, capacity=1.5)
    bp[0, T.B_CAP] = 3.0
    bp[0, T.B_LAG] = lag
    bp[0, T.B_RAMP] = 0.3 / T.DAYS_PER_MONTH
    rows = _run(bp, ip, mp, 80)
    r = 0.3 / T.DAYS_PER_MONTH
    volumes = np.array([row[1][0] for row in rows])
    # day 0 starts from the base volume 1; day t buys at most 1 + r (t + 1)
    limited = volumes < 1.5 - 1e-9
    assert limited[:40].all()
    days = np.flatnonzero(limited)
    assert volumes[days] == pytest.approx(1.0 + r * (days + 1), rel=1e-12)
    # meanwhile the unsold barrels widen the discount until supply falls to what is bought
    assert all(rows[t][0][T.S_DELIVERED] > 12.0 for t in days)
    bp[0, T.B_RAMP] = 0.0
    free = np.array([row[1][0] for row in _run(bp, ip, mp, 80)])
    assert np.all(free >= volumes - 1e-12)


def test_price_cap_pins_the_fob_price_and_rations_the_compliant_buyers():
    """A 69 USD cap (D_c = 4): with both buyers the market would clear at D = 2 (Urals 71,
    above the cap), without the compliant one far below it, so it clears at the cap: the
    other buyer takes its demand there, 1 + 0.05 (4 - 2) = 1.1, and the compliant one the
    0.9 left of the 2 mb/d offered; the price stays there day after day (no flip-flop)."""
    bp, ip, mp = _market()
    bp[0, T.B_COMPLIANT] = 1.0
    rows = _run(bp, ip, mp, 30, actions=[(2, T.A_PRICE_CAP, 0.0, 0.0, 69.0, 0)])
    for day in range(2, 30):
        assert rows[day][0][T.S_DELIVERED] == pytest.approx(4.0, rel=1e-12)
        assert rows[day][1] == pytest.approx([0.9, 1.1], rel=1e-12)
        assert rows[day][0][T.S_FOB] == pytest.approx(69.0, rel=1e-12)
    # the same in the clearing alone, and with no compliant buyer it is clear_market
    args = (clearing.Market(80.0, 7.0, 2.0, 0.0, 30.0, 40.0, 2.0, -20.0),
            clearing.buyer_rows(np.ones(2), np.ones(2), np.full(2, 0.05), np.zeros(2),
                                np.full(2, 1.5), np.ones(2)))
    out = np.zeros(2)
    d, offer = clearing.clear_under_price_cap(*args, out, np.nan, np.array([True, False]),
                                              69.0)
    assert (d, offer) == (pytest.approx(4.0), pytest.approx(2.0))
    assert out == pytest.approx([0.9, 1.1])
    plain = np.zeros(2)
    expected = clearing.clear_market(*args, plain, np.nan)
    got = clearing.clear_under_price_cap(*args, out, np.nan, np.array([False, False]), 69.0)
    assert got == expected and np.array_equal(out, plain)


@pytest.mark.parametrize("margin", [1.0, 2.5])   # 0: the test above
def test_compliant_buyers_keep_their_margin_below_the_cap(margin):
    """A compliant buyer buys only at an FOB price at or below the cap less
    ``market.cap_compliance_margin_usd`` m (docs/model.md 4.10): with the 69 USD cap of the
    test above, the market pins the FOB price at 69 - m, i.e. the delivered discount at
    D = 4 + m; the other buyer takes 1 + 0.05 (D - 2) and the compliant one the rest of
    the 2 mb/d, every day the cap is in force."""
    bp, ip, mp = _market()
    bp[0, T.B_COMPLIANT] = 1.0
    mp[T.M_CAP_MARGIN] = margin
    rows = _run(bp, ip, mp, 30, actions=[(2, T.A_PRICE_CAP, 0.0, 0.0, 69.0, 0)])
    other = 1.0 + 0.05 * (4.0 + margin - 2.0)
    for day in range(2, 30):
        assert rows[day][0][T.S_FOB] == pytest.approx(69.0 - margin, rel=1e-12)
        assert rows[day][0][T.S_DELIVERED] == pytest.approx(4.0 + margin, rel=1e-12)
        assert rows[day][1] == pytest.approx([2.0 - other, other], rel=1e-12)


def test_adaptation_does_not_lower_demand_below_base_when_a_buyer_is_held_back():
    """A buyer embargoed for months, then free again, buys as before: the shift follows only
    volumes above base, so being held back leaves no negative memory."""
    bp, ip, mp = _market(n_buyers=2, capacity=2.0)
    bp[1, T.B_EXEMPT] = 1.0            # buyer 1 keeps buying through the embargo
    mp[T.M_ADAPT] = 30.0
    rows = _run(bp, ip, mp, 120, actions=[(5, T.A_EMBARGO, 0.0, 0.0, 0.0, 0)])
    assert rows[119][1][0] == 0.0
    assert rows[119][2][0, T.BS_ADAPTED] == 0.0
    # buyer 1 absorbed buyer 0's barrels up to its cap of 1.5 from day 5 and adapted to the
    # 0.5 extra after each of the 115 days 5..119
    assert rows[119][1][1] == pytest.approx(1.5)
    assert rows[119][2][1, T.BS_ADAPTED] == pytest.approx(0.5 * (1 - 2 ** (-115 / 30)),
                                                          rel=1e-12)


def test_exposed_buyer_stops_designated_barrels_exactly_at_the_end_of_the_wind_down():
    bp, ip, mp = _market()
    bp[0, T.B_EXPOSURE] = 0.9           # exposed: stops
    bp[1, T.B_EXPOSURE] = 0.9
    bp[1, T.B_SELLER_OWNED] = 1.0       # owned by a designated seller: cannot stop
    mp[T.M_RESHUFFLE] = np.inf          # no reshuffling: the cap stays (1 - kappa) cap
    rows = _run(bp, ip, mp, 30, actions=[(5, T.A_DESIGNATION, 0.6, 10.0, 0.0, 0)])
    # before day 15, buyer 0 buys within its full cap; from day 15 at most 1.5 (1 - 0.6)
    assert rows[14][1][0] > 0.6 + 1e-6
    for day in range(15, 30):
        assert rows[day][1][0] <= 1.5 * 0.4 + 1e-12
        assert rows[day][2][0, T.BS_STOP_DAY] == 15
    assert rows[29][2][1, T.BS_STOP_DAY] == -1


def test_a_buyer_that_will_stop_front_loads_during_the_wind_down_only():
    """Two exposed buyers alike (base 1, slope 0.05, lag 2, capacity 3) but for
    ``front_load_share`` 0.2 on buyer 0; 2.4 mb/d offered at full supply; a designation
    (share 0.6) on day 5 with a 10-day wind-down. During the wind-down buyer 0's long-run
    demand is scaled by f = 1.2 (docs/model.md 4.10), so the discount that sells the 2.4 is
    D = 2 + (2.4 - 2.2) / (0.05 * 2.2) instead of 2 + 0.4 / 0.1 = 6: front-loading bids
    the Urals discount down, and each buyer moves toward f (1 + 0.05 (D - 2)) by half the gap
    a day. From day 15 both are stopped at 3 (1 - 0.6) = 1.2. Before day 5 nothing differs
    from the same market without the share."""
    def run(flex):
        bp, ip, mp = _market(n_buyers=2, capacity=2.4)
        bp[:, T.B_EXPOSURE] = 0.9
        bp[:, T.B_CAP] = 3.0
        bp[:, T.B_LAG] = 2.0
        bp[0, T.B_FLEX] = flex
        mp[T.M_RESHUFFLE] = np.inf          # no reshuffling: the stopped cap stays 1.2
        rows = _run(bp, ip, mp, 30, actions=[(5, T.A_DESIGNATION, 0.6, 10.0, 0.0, 0)])
        return (np.array([row[1] for row in rows]),
                np.array([row[0][T.S_DELIVERED] for row in rows]))

    (plain, d_plain), (front, d_front) = run(0.0), run(0.2)
    assert np.array_equal(front[:5], plain[:5]) and np.array_equal(d_front[:5], d_plain[:5])
    d = 2.0 + 0.2 / (0.05 * 2.2)
    assert d_front[5:15] == pytest.approx(np.full(10, d), rel=1e-9)
    assert d_plain[5:15] == pytest.approx(np.full(10, 6.0), rel=1e-9)
    target = np.array([1.2, 1.0]) * (1.0 + 0.05 * (d - 2.0))
    for day in range(5, 15):
        expected = target + (1.2 - target) * 0.5 ** (day - 4)
        assert front[day] == pytest.approx(expected, rel=1e-9), day
    assert np.all(front[15:] <= 1.2 + 1e-12) and front[15, 0] == pytest.approx(1.2)


def test_a_designation_that_replaces_another_restarts_the_reshuffle():
    """T6: one designation in force at a time, a new one replaces it. Sellers reshuffle
    from the day the designation in force stopped the buyer, t_d + W (docs/model.md 4.10):
    a first designation (share 0.6, day 2, wind-down 3) stops buyer 0 on day 5; a second
    (share 0.8, day 30, wind-down 5) stops it again on day 35, where its cap is
    1.5 (1 - 0.8) = 0.3, not the 1.5 (1 - 0.8 e^-3) it would be on the first one's clock."""
    bp, ip, mp = _market()
    bp[0, T.B_EXPOSURE] = 0.9
    mp[T.M_RESHUFFLE] = 10.0
    rows = _run(bp, ip, mp, 50, actions=[(2, T.A_DESIGNATION, 0.6, 3.0, 0.0, 0),
                                         (30, T.A_DESIGNATION, 0.8, 5.0, 0.0, 0)])
    for day, share, start in ((5, 0.6, 5), (20, 0.6, 5), (35, 0.8, 35), (45, 0.8, 35)):
        cap = 1.5 * (1.0 - share * np.exp(-(day - start) / 10.0))
        assert rows[day][2][0, T.BS_CAP] == pytest.approx(cap, rel=1e-12)
        assert rows[day][1][0] <= cap + 1e-12
    assert rows[35][1][0] < 0.3 + 1e-12
    # the buyer's stop day stays the first day it ever stopped (the recorded outcome)
    assert rows[49][2][0, T.BS_STOP_DAY] == 5


def test_price_cap_compliant_buyer_switches_with_the_urals_price():
    """Two buyers (base 1, cap 1.5, slope 0.05), 2 mb/d offered, Brent 80, freight 7: the
    market clears at D = 2 (Urals 71). A 60 USD cap: without the compliant buyer the other
    would take 1.5 and supply would have to fall to 1.5 (Urals 37.5, far below the cap), so
    the market clears at the cap, D_c = 80 - 7 - 60 = 13, where the other takes its cap 1.5
    and the compliant buyer the 0.5 left."""
    bp, ip, mp = _market()
    bp[0, T.B_COMPLIANT] = 1.0
    rows = _run(bp, ip, mp, 6, actions=[(2, T.A_PRICE_CAP, 0.0, 0.0, 60.0, 0)])
    assert rows[1][1][0] == pytest.approx(1.0)        # Urals ~71 but no cap yet
    for day in (2, 5):
        assert rows[day][0][T.S_DELIVERED] == pytest.approx(13.0, rel=1e-12)
        assert rows[day][1] == pytest.approx([0.5, 1.5], rel=1e-12)
    # a third buyer that is not compliant takes the barrels: the cap no longer binds on
    # the market, so the compliant buyer buys nothing (Tupras, Feb-Mar 2025)
    bp3, ip3, mp3 = _market(n_buyers=3)
    bp3[0, T.B_COMPLIANT] = 1.0
    bp3[1:, T.B_SLOPE] = 0.5
    rows = _run(bp3, ip3, mp3, 6, actions=[(2, T.A_PRICE_CAP, 0.0, 0.0, 69.0, 0)])
    # without the compliant buyer: 2 + 2 x 0.5 (D - 2) = 3 gives D = 3 < D_c = 4
    assert rows[3][0][T.S_DELIVERED] == pytest.approx(3.0, rel=1e-12)
    assert rows[3][1] == pytest.approx([0.0, 1.5, 1.5], rel=1e-12)
    bp2, ip2, mp2 = _market()
    bp2[0, T.B_COMPLIANT] = 1.0
    rows = _run(bp2, ip2, mp2, 4, actions=[(2, T.A_PRICE_CAP, 0.0, 0.0, 75.0, 0)])
    assert rows[3][1][0] > 0.5          # Urals below a 75 USD cap: keeps buying


# ----- invariants of a whole day ------------------------------------------------------------

buyer_rows = st.tuples(
    st.floats(0.0, 2.0), st.floats(0.0, 1.0), st.floats(0.0, 0.3), st.floats(1.0, 60.0),
    st.floats(0.0, 1.0), st.booleans(), st.booleans(), st.booleans(), st.floats(0.0, 0.3),
    st.booleans())


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(buyer_rows, min_size=1, max_size=6),
       capacity_extra=st.floats(0.0, 2.0), brent0=st.floats(35.0, 120.0),
       ref=st.floats(0.0, 15.0), freight=st.floats(0.0, 20.0),
       storage=st.floats(0.0, 50.0), cut=st.floats(0.0, 1.0),
       des=st.tuples(st.integers(0, 20), st.floats(0.0, 1.0), st.integers(0, 30)),
       cap=st.floats(0.0, 80.0), tariff=st.floats(0.0, 1.0),
       adapt=st.sampled_from([0.0, 1.0, 30.0, 120.0]),
       ramp=st.sampled_from([0.0, 0.001, 0.01, 0.2]))
def test_trade_day_invariants(rows, capacity_extra, brent0, ref, freight, storage, cut, des,
                              cap, tariff, adapt, ramp):
    bp = np.zeros((len(rows), T.NB))
    for b, (base, extra, slope, lag, expo, state, owned, compliant, flex, exempt) in \
            enumerate(rows):
        bp[b] = [base, base + extra, slope, lag, expo, state, owned, compliant, flex, 0.0,
                 exempt, 1.0, ramp]
    ip = np.array([[87.0, 4.0, 1.0, cut, 0.0, 1.0, 0.0]])   # review daily
    mp = np.zeros(T.NM)
    mp[[T.M_BRENT0, T.M_REF, T.M_FREIGHT, T.M_ZERO, T.M_FULL]] = [brent0, ref, freight,
                                                                 30.0, 40.0]
    mp[T.M_CAPACITY] = bp[:, T.B_BASE].sum() + capacity_extra
    mp[[T.M_STORAGE_CAP, T.M_STORAGE_RATE, T.M_RELEASE_RATE]] = [storage, 0.5, 0.2]
    mp[[T.M_PREMIUM_SCALE, T.M_ND_PREMIUM, T.M_RESHUFFLE, T.M_THRESHOLD]] = [5, 1, 30, 0.5]
    mp[[T.M_FREIGHT_PER_SHARE, T.M_FREIGHT_LASTING, T.M_FREIGHT_DECAY]] = [10.0, 0.2, 40.0]
    mp[[T.M_FREIGHT_LAG, T.M_CAP_PREMIUM, T.M_WORLD, T.M_ES, T.M_ED]] = [7, 2, 103, 0.1, -0.3]
    mp[[T.M_EXP_HALF_LIFE, T.M_EXP_LAG, T.M_MIN_DISC]] = [5.0, 2.0, 0.0]
    mp[T.M_ADAPT] = adapt
    tp = TradeParams(bp, ip, mp, np.zeros(0), np.zeros(0))
    ts = new_trade_state(tp)
    ps, emb, ms, bs, out = ts.policy, ts.embargo, ts.market, ts.buyers, ts.purchases
    for day in range(60):
        if day == des[0]:
            T.apply_action(ps, emb, T.A_DESIGNATION, day, des[1], float(des[2]), 0.0, 0)
            T.apply_action(ps, emb, T.A_TANKERS, day, des[1] / 2, 0.0, 0.0, 0)
            T.apply_action(ps, emb, T.A_PRICE_CAP, day, 0.0, 0.0, cap, 0)
        if day == 40:
            T.apply_action(ps, emb, T.A_EMBARGO, day, 0.0, 0.0, 0.0, 0)
        stock = ms[T.S_STOCK]
        before = bs[:, T.BS_VOLUME].copy()
        T.trade_day(day, tp, ts, TradeInputs(np.array([tariff]), np.array([0.5]), 0.4,
                                             0.1 if day == 3 else 0.0, 0.0))
        assert np.all(np.isfinite(ms)) and np.all(np.isfinite(out))
        assert np.all(out >= 0.0)
        assert np.all(out <= bp[:, T.B_CAP] * (1 + bp[:, T.B_FLEX]) + 1e-12)
        assert np.all(out <= bs[:, T.BS_CAP] + 1e-12)
        if ramp > 0.0:            # purchases rise at most the ramp a day
            assert np.all(out <= before + ramp * (1 + 1e-12) + 1e-12)
        assert ms[T.S_EXPORTS] == pytest.approx(out.sum(), abs=1e-12)
        assert ms[T.S_EXPORTS] <= ms[T.S_OFFERED] + 1e-9
        # barrels conserved: capacity + released = exports + stored + shut in
        assert mp[T.M_CAPACITY] + ms[T.S_RELEASED] == pytest.approx(
            ms[T.S_EXPORTS] + ms[T.S_STORED] + ms[T.S_SHUT_IN], abs=1e-9)
        assert ms[T.S_STOCK] == pytest.approx(stock + ms[T.S_STORED] - ms[T.S_RELEASED])
        assert -1e-12 <= ms[T.S_STOCK] <= storage + 1e-9
        assert ms[T.S_SHUT_IN] >= -1e-12 and ms[T.S_STORED] >= 0.0
        # the adapted shift of demand is the extra volume taken, smoothed: within [0, cap]
        assert np.all(bs[:, T.BS_ADAPTED] >= 0.0)
        assert np.all(bs[:, T.BS_ADAPTED] <= bp[:, T.B_CAP] * (1 + bp[:, T.B_FLEX]) + 1e-12)
        if adapt == 0.0:
            assert np.all(bs[:, T.BS_ADAPTED] == 0.0)


def test_rules_run_as_plain_python():
    """The ``.py_func`` of each rule (what NUMBA_DISABLE_JIT runs) gives the compiled value."""
    args = (3.0, 1.0, 2.0, 0.1, 0.5, 1.5)
    demand = getattr(clearing.long_run_demand, "py_func", clearing.long_run_demand)
    cost = getattr(governments.tariff_cost, "py_func", governments.tariff_cost)
    assert demand(*args) == clearing.long_run_demand(*args) == pytest.approx(1.05)
    assert cost(87.0, 0.5, 4.0) == governments.tariff_cost(87.0, 0.5, 4.0)


# ----- the scenario check keeps barrels conserved for every draw -------------------------------

def _small_with(tmp_path, changes: dict):
    import yaml

    from simulate.scenario import load_scenario

    here = Path(__file__).parent / "model_scenarios" / "small.yaml"
    data = yaml.safe_load(here.read_text(encoding="utf-8"))
    for key, value in changes.items():
        node = data
        *path, leaf = key.split("/")
        for part in path:
            node = node.setdefault(part, {})
        node[leaf] = value
    out = tmp_path / "conservation.yaml"
    out.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return lambda: load_scenario(out)


def test_capacity_check_uses_the_support_of_uncertain_base_volumes(tmp_path):
    """Base volumes 1.2 + 0.8 + 0.9 + 0.9 = 3.8 mb/d fit a capacity of 4.2, but a draw of
    CN.state up to 1.7 makes 4.3: refused, naming the key; a capacity drawn down to 3.7 too."""
    from simulate.errors import ScenarioError

    key = "uncertainty/actors.CN.buyers.state.base_volume_mbd"
    load = _small_with(tmp_path, {key: {"dist": "uniform", "low": 1.0, "high": 1.7}})
    with pytest.raises(ScenarioError, match="export_capacity_mbd.*every draw"):
        load()
    load = _small_with(tmp_path, {key: {"dist": "uniform", "low": 1.0, "high": 1.5}})
    load()
    load = _small_with(tmp_path, {"uncertainty/market.export_capacity_mbd":
                                  {"dist": "uniform", "low": 3.7, "high": 4.5}})
    with pytest.raises(ScenarioError, match="export_capacity_mbd"):
        load()


def test_buyer_capacity_must_cover_its_base_volume_for_every_draw(tmp_path):
    from simulate.errors import ScenarioError

    load = _small_with(tmp_path, {
        "actors/IN/buyers/private/capacity_mbd": 1.0,
        "uncertainty/actors.IN.buyers.private.base_volume_mbd":
            {"dist": "uniform", "low": 0.8, "high": 1.1}})
    with pytest.raises(ScenarioError, match="capacity_mbd"):
        load()


# ----- trade actions in the parameter records ------------------------------------------------

@pytest.mark.parametrize("name, varies", [("aug2025_actual", False),
                                          ("episodes/turkey_cap2025.yaml", True)])
def test_each_replicates_trade_actions_are_its_own_timelines(name, varies):
    """The records hold each replicate's timeline actions (trade_timeline with its draws):
    one timeline copied to every row when no timeline number is sampled (aug2025_actual), one
    per replicate when shares are (turkey_cap2025)."""
    from simulate.model.params import _set, compile_params
    from simulate.model.sampling import sample_uncertain
    from simulate.model.tradeparams import trade_timeline
    from simulate.scenario import load_scenario
    from simulate.scenario.bundled import find_scenario

    path = (Path(__file__).parents[1] / "scenarios" / name if name.endswith(".yaml")
            else find_scenario(name))
    s = load_scenario(path)
    reps = np.arange(5)
    sampled = sample_uncertain(s, 3, reps)
    table = compile_params(s, sampled, len(reps)).table
    d = s.model_dump(by_alias=True)
    for key, values in sampled.items():
        _set(d, key, np.asarray(values).reshape(-1))
    for r in reps:
        actions = trade_timeline(d, s.start, s.horizon_days, r).actions
        rows = table.trade_actions[r].reshape(-1, T.NA)
        kept = rows[~np.isnan(rows[:, 0]) & (rows[:, 1] != T.A_NEWS)][:, :6]
        assert len(actions) > 0
        np.testing.assert_array_equal(kept, actions)
    differ = any(not np.array_equal(table.trade_actions[r], table.trade_actions[0],
                                    equal_nan=True) for r in reps)
    assert differ == varies


def test_remembered_relief_gives_the_numbers_computed_every_day():
    """A government's expected relief is computed again only when its tariff, the threat or
    the threat's probability changes: days run with the memo give the same numbers, bit for
    bit, as days that compute it afresh, through a directive that switches on when the
    tariff comes (day 10), and the memo holds the inputs of its last computation."""
    bp = np.zeros((2, T.NB))
    bp[0] = [1.0, 1.5, 0.05, 5.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0]   # state
    bp[1] = [1.0, 1.5, 0.05, 5.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0]   # private
    ip = np.array([[87.0, 4.0, 1.0, 0.5, 8.0, 1.0, 0.0]])   # review daily
    mp = np.zeros(T.NM)
    mp[[T.M_BRENT0, T.M_REF, T.M_FREIGHT, T.M_ZERO, T.M_FULL]] = [70.0, 10.0, 5.0, 30.0, 40.0]
    mp[[T.M_CAPACITY, T.M_FREIGHT_LAG, T.M_WORLD, T.M_ES, T.M_ED]] = [2.0, 7, 103, 0.1, -0.3]
    mp[[T.M_EXP_HALF_LIFE, T.M_EXP_LAG, T.M_RESHUFFLE]] = [5.0, 2.0, 30.0]
    runs = []
    memo = np.full((1, T.NR), np.nan)
    for remember in (True, False):
        ps, emb = T.empty_policy(), -np.ones(1)
        ms, bs = np.zeros(T.NS), np.zeros((2, T.NBS))
        T.initial_market_state(bp, mp, ms, bs)
        directive, out = np.ones(1), np.zeros(2)
        days = []
        for day in range(30):
            tariff = np.array([0.25 if day >= 10 else 0.0])
            threat = np.array([0.5 if day < 20 else 0.0])
            prob = 0.4 if day < 15 else 1.0
            # remembered, or a fresh memo every day: computed every day
            relief = memo if remember else np.full((1, T.NR), np.nan)
            T.trade_day(day, TradeParams(bp, ip, mp, np.zeros(0), np.zeros(0)),
                        TradeState(ps, emb, ms, bs, directive, relief, np.zeros((NW, 2)), out),
                        TradeInputs(tariff, threat, prob, 0.0, 0.0))
            days.append((ms.copy(), bs.copy(), out.copy(), directive.copy()))
        runs.append(days)
    for a, b in zip(*runs, strict=True):
        for x, y in zip(a, b, strict=True):
            np.testing.assert_array_equal(x, y)
    assert [d[3][0] for d in runs[0]] == [1.0] * 10 + [0.5] * 20
    assert list(memo[0, [T.R_TARIFF, T.R_THREAT, T.R_PROB]]) == [0.25, 0.0, 1.0]
    assert memo[0, T.R_RELIEF] == governments.expected_relief(87.0, 4.0, 0.25, 0.0, 1.0, 1.0)


def test_government_reviews_on_news_or_after_its_review_period():
    assert governments.reviews(True, 3, 2.0, 30.0)            # what it weighs changed
    assert governments.reviews(False, 3, math.nan, 30.0)      # never decided
    assert not governments.reviews(False, 31, 2.0, 30.0)      # 29 days since
    assert governments.reviews(False, 32, 2.0, 30.0)          # 30 days since
    assert governments.reviews(False, 5, 5.0, 0.0)            # 0: every day
    assert governments.lifts_conditional_tariff(0.59, 0.6)
    assert not governments.lifts_conditional_tariff(0.6, 0.6)
    assert not governments.lifts_conditional_tariff(0.0, 0.0)  # unconditional: never


def test_directive_stands_between_reviews_and_reaches_refiners_with_their_lag():
    """The start state is observed (no decision on day 0 although a cut pays); the
    government first decides at its review on day 10 and cuts; a discount that would make
    it revoke (from day 15) reopens nothing until the next review (day 20). The cut reaches
    the state refiner from yesterday's purchases with its 5-day lag:
    ``cap_t = cap_{t-1} + (h V - cap_{t-1}) / 5``."""
    bp = np.zeros((2, T.NB))
    bp[0] = [1.0, 1.5, 0.0, 5.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0]   # state
    bp[1] = [1.0, 1.5, 0.0, 5.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0]   # private
    ip = np.array([[87.0, 4.0, 1.0, 0.5, 8.0, 1.0, 10.0]])            # reviews every 10 days
    mp = np.zeros(T.NM)
    mp[[T.M_BRENT0, T.M_REF, T.M_FREIGHT, T.M_ZERO, T.M_FULL]] = [70.0, 10.0, 5.0, 30.0, 40.0]
    mp[[T.M_CAPACITY, T.M_FREIGHT_LAG, T.M_WORLD, T.M_ES, T.M_ED]] = [2.0, 7, 103, 0.1, -0.3]
    mp[[T.M_EXP_HALF_LIFE, T.M_EXP_LAG, T.M_RESHUFFLE]] = [5.0, 2.0, 30.0]
    mp[T.M_MIN_DISC] = -50.0
    ps, emb = T.empty_policy(), -np.ones(1)
    ms, bs = np.zeros(T.NS), np.zeros((2, T.NBS))
    T.initial_market_state(bp, mp, ms, bs)
    memo = np.full((1, T.NR), np.nan)       # as init_trade_state: weighed before day 0
    memo[0, [T.R_TARIFF, T.R_THREAT, T.R_PROB, T.R_DAY]] = [0.25, 0.0, 0.0, 0.0]
    memo[0, T.R_RELIEF] = governments.expected_relief(87.0, 4.0, 0.25, 0.0, 0.0, 1.0)
    directive, out = np.ones(1), np.zeros(2)
    seen, reached = [], []
    for day in range(25):
        if day >= 15:
            ms[T.S_DELIVERED] = 1e4             # the discount gain now outweighs the relief
        before = bs[0, T.BS_VOLUME]
        T.trade_day(day, TradeParams(bp, ip, mp, np.zeros(0), np.zeros(0)),
                    TradeState(ps, emb, ms, bs, directive, memo, np.zeros((NW, 2)), out),
                    TradeInputs(np.array([0.25]), np.zeros(1), 0.0, 0.0, 0.0))
        seen.append(directive[0])
        if 10 <= day < 20:
            reached.append((before, bs[0, T.BS_DIRECTED], out[0]))
        if day == 12:
            assert memo[0, T.R_CUT] == 10.0
    assert seen == [1.0] * 10 + [0.5] * 10 + [1.0] * 5
    assert math.isnan(memo[0, T.R_CUT]) and memo[0, T.R_DAY] == 20.0
    cap = 1.0
    for before, got, bought in reached:
        cap = cap + (0.5 - cap) / 5.0 if cap != 1.0 else before + (0.5 - before) / 5.0
        assert got == pytest.approx(cap, rel=1e-12) and bought <= got + 1e-12
    assert reached[0][2] == pytest.approx(0.9, rel=1e-12)   # one fifth of the way on day 10
    assert math.isnan(bs[0, T.BS_DIRECTED])                # revoked: no cap left
