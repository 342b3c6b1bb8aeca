"""Closed forms and invariants of the negotiation rules (issue 10): bargaining protocols on a
non-degenerate zone, Fearon's range with the expected cost of a pending threat, softening of
reservation points, terms by region priority, mediator proposals, pressure threats and
learning from the front. Each expectation is computed here by hand from the inputs.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import optimize

from simulate.model import allocation, bargaining, learning, pressure, proposals, settlement
from simulate.model.streams import normals, uniforms

NAN = float("nan")
TOL = 1e-12


def _arr(*v: float) -> np.ndarray:
    return np.array(v, dtype=float)


def _normals(seed: int, stream: int, n: int) -> np.ndarray:
    """``n`` standard normals of the project's streams (the 64-bit hash wraps around by
    design, which plain Python under NUMBA_DISABLE_JIT reports as an overflow)."""
    with np.errstate(over="ignore"):
        return normals(seed, np.arange(1), 0, stream, n)[0]


# ----- protocols on a non-degenerate zone -------------------------------------------------

LOW, HIGH, P_OCC, P_DEF = 0.30, 0.70, 0.62, 0.46


@pytest.mark.parametrize("power", [0.2, 0.5, 0.85])
def test_nash_with_power_a_maximises_the_weighted_nash_product(power: float):
    x = bargaining.protocol_terms(bargaining.Protocol(bargaining.NASH, power, True), LOW,
                                  HIGH, P_OCC, P_DEF, 0.9, 0.8)
    assert x == pytest.approx(LOW + power * (HIGH - LOW), abs=TOL)
    res = optimize.minimize_scalar(
        lambda t: -(power * math.log(t - LOW) + (1 - power) * math.log(HIGH - t)),
        bounds=(LOW + 1e-9, HIGH - 1e-9), method="bounded", options={"xatol": 1e-10})
    assert x == pytest.approx(res.x, abs=1e-7)


def test_rubinstein_with_unequal_discount_factors():
    d_occ, d_def = 0.9, 0.8
    w = HIGH - LOW
    occ = bargaining.protocol_terms(bargaining.Protocol(bargaining.ALTERNATING_OFFERS, 0.5,
                                                        True), LOW, HIGH, P_OCC, P_DEF,
                                    d_occ, d_def)
    dfd = bargaining.protocol_terms(bargaining.Protocol(bargaining.ALTERNATING_OFFERS, 0.5,
                                                        False), LOW, HIGH, P_OCC, P_DEF,
                                    d_occ, d_def)
    # occupier proposes: it keeps (1 - 0.8) / (1 - 0.72) = 5/7 of the zone above `low`
    assert occ == pytest.approx(LOW + w * 5 / 7, abs=TOL)
    # defender proposes: it keeps (1 - 0.9) / (1 - 0.72) = 5/14 of the zone below `high`
    assert dfd == pytest.approx(HIGH - w * 5 / 14, abs=TOL)
    # the more patient side gets more than half even when it responds
    assert dfd > 0.5 * (LOW + HIGH)


def test_split_the_difference_is_the_midpoint_of_expectations_clipped():
    split = bargaining.Protocol(bargaining.SPLIT_THE_DIFFERENCE, 0.5, True)
    x = bargaining.protocol_terms(split, LOW, HIGH, P_OCC, P_DEF, 0.9, 0.8)
    assert x == pytest.approx(0.54, abs=TOL)
    clipped = bargaining.protocol_terms(split, LOW, 0.5, P_OCC, P_DEF, 0.9, 0.8)
    assert clipped == 0.5


def _round(protocol: int, nash_power: float = 0.5, cost_occ: float = 0.15,
           cost_def: float = 0.25):
    """A talks round on two regions with hand-computable numbers (see the test below)."""
    occupier = settlement.Side(bias=0.0008, cost=cost_occ, reservation=_arr(0.0, 0.0),
                               demand=_arr(1.0, 1.0), delta=0.9, value=_arr(1.0, 1.0))
    defender = settlement.Side(bias=-0.0005, cost=cost_def, reservation=_arr(1.0, 1.0),
                               demand=_arr(0.0, 0.0), delta=0.8, value=_arr(1.0, 1.0))
    return settlement.talks_round(_arr(0.4, 0.2), _arr(0.001, 0.0), _arr(3.0, 1.0), 100.0,
                                  0.0, occupier, defender,
                                  bargaining.Protocol(protocol, nash_power, True))


def test_three_protocols_give_distinct_terms_each_matching_its_formula():
    # p_occ = (3 * (0.4 + 100 * 0.0018) + (0.2 + 0.08)) / 4 = 0.505
    # p_def = (3 * (0.4 + 100 * 0.0005) + (0.2 - 0.05)) / 4 = 0.375
    # low = 0.505 - 0.15 = 0.355; high = 0.375 + 0.25 = 0.625 (width 0.27)
    p_occ, p_def, low, high, ok, _, _, _, _ = _round(bargaining.NASH)
    assert (p_occ, p_def) == (pytest.approx(0.505), pytest.approx(0.375))
    assert ok and (low, high) == (pytest.approx(0.355), pytest.approx(0.625))
    nash = _round(bargaining.NASH, nash_power=0.5)[5]
    rub = _round(bargaining.ALTERNATING_OFFERS)[5]
    split = _round(bargaining.SPLIT_THE_DIFFERENCE)[5]
    assert nash == pytest.approx(0.355 + 0.5 * 0.27)
    assert rub == pytest.approx(0.355 + 0.27 * 5 / 7)
    assert split == pytest.approx(0.44)
    assert min(abs(nash - rub), abs(nash - split), abs(rub - split)) > 0.01


# ----- Fearon's range with the expected cost of a pending threat ---------------------------

def test_expected_threat_cost_closed_form_and_deadline_timing():
    # pi * L * (H - d): 0.4 * 0.001 * (180 - 23)
    assert bargaining.threat_expected_cost(0.4, 0.001, 23.0, 180.0) == pytest.approx(0.0628)
    assert bargaining.threat_expected_cost(0.4, 0.001, 200.0, 180.0) == 0.0
    assert bargaining.threat_expected_cost(0.4, 0.001, -5.0, 180.0) == pytest.approx(0.072)
    # the closer the deadline, the larger the expected cost; an extension lowers it
    near = bargaining.threat_expected_cost(0.4, 0.001, 2 + 21, 180.0)
    extended = bargaining.threat_expected_cost(0.4, 0.001, 32 + 21, 180.0)
    assert near > extended


def test_a_credible_enough_threat_opens_a_zone_that_is_empty_without_it():
    # Without the threat: low = 0.505 - H c_occ = 0.505 - 0.05 = 0.455 > high = 0.375 + 0.03
    # = 0.405 (empty by 0.05). The threat costs the occupier L = 0.001/day from day d = 30:
    # expected cost pi * 0.001 * 70, so the zone opens for pi >= 0.05 / 0.07 = 5/7.
    h, loss, days = 100.0, 0.001, 30.0

    def possible(pi: float) -> bool:
        cost_occ, _ = settlement.horizon_cost(h, 0.0005, pi, loss, days, 0.0, 0.0, 0.0)
        cost_def, _ = settlement.horizon_cost(h, 0.0003, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
        return bool(_round(bargaining.NASH, cost_occ=cost_occ, cost_def=cost_def)[4])

    threshold = 0.05 / 0.07
    assert not possible(0.0)
    assert not possible(threshold - 1e-6)
    assert possible(threshold + 1e-6)
    assert possible(1.0)


def test_pending_pressure_on_the_defender_widens_its_side_of_the_zone():
    prob, days = pressure.outlook(pressure.PENDING, 0.6, 40, -1, 10, 0)
    assert (prob, days) == (0.6, 50.0)
    cost, threats = settlement.horizon_cost(100.0, 0.0003, prob, 0.002, days, 0.5, 0.001,
                                            120.0)
    assert threats == pytest.approx(0.6 * 0.002 * 50)   # the second acts after the horizon
    assert cost == pytest.approx(0.03 + 0.06)


# ----- reservation points apart from demands, softening -------------------------------------

def test_softening_moves_reservation_points_to_the_line_then_past_it():
    x = _arr(0.76, 0.99)
    r0 = _arr(1.0, NAN)       # occupier: all of region 0, the line in region 1
    assert np.allclose(bargaining.soften_occupier(r0, x, 0.0, 0.1), [1.0, 0.99])
    assert np.allclose(bargaining.soften_occupier(r0, x, 0.5, 0.1), [0.88, 0.99])
    assert np.allclose(bargaining.soften_occupier(r0, x, 1.0, 0.1), [0.76, 0.99])
    assert np.allclose(bargaining.soften_occupier(r0, x, 3.0, 0.1), [0.56, 0.79])
    d0 = _arr(NAN, 0.5)       # defender: the line in region 0, at most 0.5 in region 1
    assert np.allclose(bargaining.soften_defender(d0, x, 0.5, 0.2), [0.76, 0.745])
    assert np.allclose(bargaining.soften_defender(d0, x, 1.5, 0.2), [0.86, 1.0])


def test_resolve_zero_softens_to_the_line_at_once_without_nan():
    """Resolve 0 gives an infinite load (docs/model.md 4.12): the reservation points are
    at the line from the start; past it only with a positive rate, then to the bound."""
    assert bargaining.softening_load(0.0, 0.0, 0.0) == math.inf
    x = _arr(0.76, 0.99)
    r0 = _arr(1.0, NAN)
    assert np.array_equal(bargaining.soften_occupier(r0, x, math.inf, 0.0), x)
    assert np.array_equal(bargaining.soften_occupier(r0, x, math.inf, 0.1), [0.0, 0.0])
    d0 = _arr(NAN, 0.5)
    assert np.array_equal(bargaining.soften_defender(d0, x, math.inf, 0.0), x)
    assert np.array_equal(bargaining.soften_defender(d0, x, math.inf, 0.2), [1.0, 1.0])


def test_softening_load_counts_borne_and_threatened_costs():
    assert bargaining.softening_load(0.1, 0.05, 0.3) == pytest.approx(0.5)
    assert bargaining.softening_load(0.1, 0.05, math.inf) == 0.0
    r_occ, r_def = settlement.reservation_points(
        _arr(0.7), settlement.Softening(_arr(1.0), 0.0, 0.0, 1.0, 0.0),
        settlement.Softening(_arr(NAN), 0.15, 0.15, 0.2, 0.1))
    # defender's load (0.15 + 0.15) / 0.2 = 1.5: past the line by 0.1 * 0.5
    assert r_occ[0] == 1.0 and r_def[0] == pytest.approx(0.75)


def test_demand_envelope_never_moves_a_region_against_the_front_of_both_demands():
    lo, hi = bargaining.demand_envelope(_arr(1.0, 1.0, 0.5), _arr(NAN, 0.3, NAN),
                                        _arr(0.93, 0.30, 0.8))
    assert np.allclose(lo, [0.93, 0.30, 0.5]) and np.allclose(hi, [1.0, 1.0, 0.8])


# ----- terms by region priority ------------------------------------------------------------

def test_priority_allocation_hand_computed_three_regions():
    # weights 2, 1, 1; line 0.5, 0.9, 0.3; bounds [line, 1]; x = 0.8.
    # start = line: aggregate (1.0 + 0.9 + 0.3) / 4 = 0.55; 0.25 * 4 = 1.0 weight-unit to add.
    # keys v_occ / (v_occ + v_def): A 2/3, B 3/4, C 1/5 -> B first (room 0.1 * 1 = 0.1),
    # then A (room 0.5 * 2 = 1.0: takes 0.9 -> 0.5 + 0.45 = 0.95); C stays frozen.
    t = allocation.allocate_terms(0.8, _arr(0.5, 0.9, 0.3), _arr(0.5, 0.9, 0.3),
                                  _arr(1.0, 1.0, 1.0), _arr(2.0, 1.0, 1.0),
                                  _arr(2.0, 3.0, 1.0), _arr(1.0, 1.0, 4.0))
    assert np.allclose(t, [0.95, 1.0, 0.3], atol=TOL)
    assert allocation.aggregate(t, _arr(2.0, 1.0, 1.0)) == pytest.approx(0.8)


def test_priority_allocation_gives_back_least_valued_first():
    # x below the line: the occupier gives back C (its lowest key) first, down to its bound
    t = allocation.allocate_terms(0.45, _arr(0.5, 0.9, 0.3), _arr(0.0, 0.0, 0.1),
                                  _arr(1.0, 1.0, 1.0), _arr(2.0, 1.0, 1.0),
                                  _arr(2.0, 3.0, 1.0), _arr(1.0, 1.0, 4.0))
    # need -0.1 * 4 = -0.4: C gives 0.2 (to 0.1), then A gives 0.2 / 2 = 0.1 (to 0.4)
    assert np.allclose(t, [0.4, 0.9, 0.1], atol=TOL)


def test_one_region_ceded_in_full_others_frozen_when_the_numbers_call_for_it():
    x = _arr(0.76, 0.99, 0.73, 0.73)
    w = np.full(4, 0.25)
    target = float(np.mean(x)) + 0.25 * 0.24        # Donetsk's missing 24% ceded
    t = allocation.allocate_terms(target, x, x, np.ones(4), w, _arr(4.0, 3.0, 2.0, 2.0),
                                  np.ones(4))
    assert np.allclose(t, [1.0, 0.99, 0.73, 0.73], atol=1e-12)


# ----- mediator proposals -------------------------------------------------------------------

def test_proposal_margins_hand_computed():
    terms = proposals.proposal_terms(_arr(1.0, NAN), _arr(0.76, 0.99))
    assert np.allclose(terms, [1.0, 0.99])
    w = _arr(1.0, 1.0)
    m_occ, m_def = proposals.proposal_margins(terms, w, 0.97, 0.99, 0.01, 0.02,
                                              _arr(0.9, 0.9), _arr(1.0, 1.0))
    assert m_occ == pytest.approx(0.995 + 0.01 - 0.97)
    assert m_def == pytest.approx(0.99 - 0.995 + 0.02)
    # a reservation point violated in one region: rejected whatever the aggregate
    m_occ, _ = proposals.proposal_margins(terms, w, 0.5, 0.99, 0.0, 0.0, _arr(0.9, 1.0),
                                          _arr(1.0, 1.0))
    assert m_occ == pytest.approx(-0.005)


@given(m_occ=st.floats(-1, 1), m_def=st.floats(-1, 1))
def test_proposal_accepted_exactly_when_both_margins_positive(m_occ: float, m_def: float):
    accepted, who = proposals.proposal_outcome(m_occ, m_def, 0.0, 0.5, 0.5)
    assert accepted == (m_occ > 0 and m_def > 0)
    assert who == (proposals.OCCUPIER if m_occ <= 0 else 0) + (
        proposals.DEFENDER if m_def <= 0 else 0)


def test_acceptance_noise_is_logistic_in_the_margin():
    with np.errstate(over="ignore"):
        u = uniforms(11, np.arange(20000), 0, 77)[:, 0]
    rate = np.mean([proposals.accepts(0.01, 0.02, ui) for ui in u])
    expected = 1 / (1 + math.exp(-0.5))
    assert abs(rate - expected) < 3.29 * math.sqrt(expected * (1 - expected) / u.size)


# ----- pressure threats ----------------------------------------------------------------------

def test_pressure_threat_decided_at_its_deadline():
    assert pressure.decide_at_deadline(pressure.PENDING, 30, 29, 0.1, 0.5) == (
        pressure.PENDING, -1)
    assert pressure.decide_at_deadline(pressure.PENDING, 30, 30, 0.1, 0.5) == (
        pressure.CARRIED_OUT, 30)
    assert pressure.decide_at_deadline(pressure.PENDING, 30, 30, 0.6, 0.5) == (
        pressure.LAPSED, -1)
    assert not pressure.in_force(pressure.CARRIED_OUT, 30, 14, 43)
    assert pressure.in_force(pressure.CARRIED_OUT, 30, 14, 44)
    assert pressure.outlook(pressure.CARRIED_OUT, 0.5, 30, 30, 14, 40) == (1.0, 4.0)
    assert pressure.outlook(pressure.CARRIED_OUT, 0.5, 30, 30, 14, 44) == (0.0, 0.0)
    assert pressure.outlook(pressure.LAPSED, 0.5, 30, -1, 14, 31) == (0.0, 0.0)
    assert pressure.pressure_effects(True, True, 0.0002, 0.0003) == (0.0, 0.0002, 0.0003)
    assert pressure.pressure_effects(False, True, 0.0002, 0.0003) == (0.0, 0.0, 0.0)


def _outlook_records(tariff_rate, tariff_lag, company_share, company_lag, threat):
    """One parameter and one state record with the fields the measures' outlook reads."""
    p = np.zeros(1, dtype=[("tariff_rate", "f8"), ("tariff_lag", "i8"),
                           ("company_share", "f8"), ("company_lag", "i8"),
                           ("credibility", "f8")]).view(np.recarray)
    p.tariff_rate, p.tariff_lag, p.company_share, p.company_lag = (
        tariff_rate, tariff_lag, company_share, company_lag)
    p.credibility = 0.4
    q = np.zeros(1, dtype=[("threat", "i8"), ("deadline", "i8"),
                           ("decision_day", "i8")]).view(np.recarray)
    q.threat, q.deadline, q.decision_day = threat, 20, -1
    return p[0], q[0]


@pytest.mark.parametrize("tariff_rate, company_share, company_lag, days", [
    (1.0, 0.5, 3, 23.0),    # the company sanctions act first: their lag counts
    (1.0, 0.5, 15, 30.0),   # the tariff acts first
    (0.0, 0.5, 15, 35.0),   # no tariff: the company sanctions' lag whatever it is
    (1.0, 0.0, 3, 30.0),    # no company sanctions: the tariff's lag
])
def test_measures_outlook_counts_the_earlier_measure(tariff_rate, company_share,
                                                     company_lag, days):
    from simulate.model import day
    p, q = _outlook_records(tariff_rate, 10, company_share, company_lag, pressure.PENDING)
    assert day._measures_outlook.py_func(p, q, 0) == (0.4, days)
    p, q = _outlook_records(tariff_rate, 10, company_share, company_lag, pressure.LAPSED)
    assert day._measures_outlook.py_func(p, q, 0) == (0.0, 0.0)


# ----- learning from the front ---------------------------------------------------------------

def test_learning_converges_to_the_true_drift_on_a_long_run():
    # the side expects drift 0.0001 + bias with bias ~ N(0.0004, 0.0004^2); the true aggregate
    # drift is 0.00025; observed daily moves are noisy (s.d. 0.002). After 20 years the
    # posterior s.d. matches the closed form 1 / sqrt(1/v0 + n/s^2), is a tenth of the initial
    # error, and the believed drift is within 3.29 posterior s.d. of the truth.
    n_days, ref, true, noise = 7300, 0.0001, 0.00025, 0.002
    obs_var = learning.observation_variance(_arr(0.0), _arr(1.0), noise)
    moves = true + noise * _normals(5, 901, n_days)
    mean, var = 0.0004, 0.0004 ** 2
    for move in moves:
        e = learning.front_surprise(_arr(move), _arr(0.0), _arr(ref), _arr(1.0))
        mean, var = learning.update_belief(mean, var, e, obs_var)
    assert var == pytest.approx(1 / (1 / 0.0004 ** 2 + n_days / noise ** 2), rel=1e-9)
    assert abs(ref + mean - true) < 3.29 * math.sqrt(var)
    assert math.sqrt(var) < 0.1 * abs(0.0004 + ref - true)


def test_two_sides_with_opposite_optimism_converge_to_each_other():
    obs_var = learning.observation_variance(_arr(0.0004, 0.0001), _arr(1.0, 1.0), 0.002)
    z = _normals(6, 902, 1500)
    occ, v_occ, dfd, v_def = 0.0004, 0.0004 ** 2, -0.0002, 0.0004 ** 2
    gap0 = occ - dfd
    for zi in z:
        e = math.sqrt(obs_var) * zi
        occ, v_occ = learning.update_belief(occ, v_occ, e, obs_var)
        dfd, v_def = learning.update_belief(dfd, v_def, e, obs_var)
    assert abs(occ - dfd) < 0.05 * gap0


def test_learning_off_with_zero_prior_variance():
    assert learning.update_belief(0.0004, 0.0, 0.01, 1e-6) == (0.0004, 0.0)
    assert learning.update_belief(0.0004, 1e-8, 0.001, 0.0) == (0.001, 0.0)


# ----- invariants ---------------------------------------------------------------------------

shares = st.floats(0.0, 1.0)


@settings(max_examples=200, deadline=None)
@given(data=st.data(), k=st.integers(1, 5), protocol=st.integers(0, 2),
       power=shares, d_occ=st.floats(0.5, 0.999), d_def=st.floats(0.5, 0.999),
       occ_proposes=st.booleans(), h=st.floats(1, 720),
       b_occ=st.floats(-0.002, 0.002), b_def=st.floats(-0.002, 0.002),
       c_occ=st.floats(0, 0.5), c_def=st.floats(0, 0.5),
       load_occ=st.floats(0, 5), load_def=st.floats(0, 5))
def test_terms_stay_in_the_zone_and_bounds(data, k, protocol, power, d_occ, d_def,
                                          occ_proposes, h, b_occ, b_def, c_occ, c_def,
                                          load_occ, load_def):
    vec = st.lists(shares, min_size=k, max_size=k).map(np.array)
    maybe_line = st.lists(st.one_of(shares, st.just(NAN)), min_size=k, max_size=k).map(
        np.array)
    x = data.draw(vec)
    drift = data.draw(st.lists(st.floats(-0.002, 0.002), min_size=k, max_size=k).map(
        np.array))
    w = data.draw(st.lists(st.floats(0.01, 5), min_size=k, max_size=k).map(np.array))
    r_occ = bargaining.soften_occupier(data.draw(maybe_line), x, load_occ, 0.1)
    r_def = bargaining.soften_defender(data.draw(maybe_line), x, load_def, 0.1)
    dem_occ, dem_def = data.draw(maybe_line), data.draw(maybe_line)
    occupier = settlement.Side(b_occ, c_occ, r_occ, dem_occ, d_occ, data.draw(vec))
    defender = settlement.Side(b_def, c_def, r_def, dem_def, d_def, data.draw(vec))
    p_occ, p_def, low, high, ok, xa, terms, a, b = settlement.talks_round(
        x, drift, w, h, 0.0, occupier, defender,
        bargaining.Protocol(protocol, power, occ_proposes))
    assert 0.0 <= p_occ <= 1.0 and 0.0 <= p_def <= 1.0
    assert not np.any(np.isnan(terms))
    assert np.all((terms >= 0.0) & (terms <= 1.0))
    if ok:
        lo, hi = bargaining.demand_envelope(dem_occ, dem_def, x)
        assert low - 1e-9 <= xa <= high + 1e-9
        assert allocation.aggregate(terms, w) == pytest.approx(xa, abs=1e-9)
        assert np.array_equal(a, np.maximum(r_occ, lo))
        assert np.array_equal(b, np.minimum(r_def, hi))
        assert np.all(terms >= a - 1e-9) and np.all(terms <= b + 1e-9)
    else:
        assert math.isnan(xa) and np.array_equal(terms, x)


def test_compiled_rules_equal_their_python_versions():
    x, w = _arr(0.76, 0.99, 0.73), _arr(1.0, 2.0, 1.0)
    args = (0.8, x, x, np.ones(3), w, _arr(3.0, 1.0, 2.0), np.ones(3))
    assert np.array_equal(allocation.allocate_terms(*args),
                          allocation.allocate_terms.py_func(*args))
    sargs = (_arr(1.0, NAN, 0.9), x, 1.7, 0.05)
    assert np.array_equal(bargaining.soften_occupier(*sargs),
                          bargaining.soften_occupier.py_func(*sargs))
    assert bargaining.expected_share(x, x * 0.001, 0.0004, 180.0, w, 0.01) == \
        bargaining.expected_share.py_func(x, x * 0.001, 0.0004, 180.0, w, 0.01)
    # the grouped values (NamedTuples of scalars and arrays) into compiled code and plain
    # (both loads 1.5: r_occ = [0.735, 0.965, 0.705], r_def = [0.81, 1.0, 0.78])
    occupier = settlement.Softening(_arr(1.0, NAN, 0.9), 0.2, 0.1, 0.2, 0.05)
    defender = settlement.Softening(_arr(NAN, 0.5, NAN), 0.3, 0.0, 0.2, 0.1)
    r = settlement.reservation_points(x, occupier, defender)
    assert np.allclose(r, [[0.735, 0.965, 0.705], [0.81, 1.0, 0.78]], rtol=0, atol=TOL)
    assert all(np.array_equal(u, v) for u, v in zip(
        r, settlement.reservation_points.py_func(x, occupier, defender), strict=True))
    sides = (settlement.Side(0.0004, 0.1, r[0], np.ones(3), 0.97, _arr(3.0, 1.0, 2.0)),
             settlement.Side(-0.0002, 0.2, r[1], _arr(NAN, 0.5, 0.0), 0.96, np.ones(3)))
    for protocol in (bargaining.Protocol(bargaining.NASH, 0.3, True),
                     bargaining.Protocol(bargaining.ALTERNATING_OFFERS, 0.5, False)):
        args = (x, x * 0.001, w, 180.0, 0.01, *sides, protocol)
        out, ref = settlement.talks_round(*args), settlement.talks_round.py_func(*args)
        assert out[4]       # a zone, so the terms are those of the protocol
        assert all(np.array_equal(u, v) for u, v in zip(out, ref, strict=True))
