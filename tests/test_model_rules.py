"""The behaviour rules one by one (compiled functions of one replicate's numbers), the order
of the daily phases, and the model-level fixes found by the invariant tests (each test names
the case). Equations are those of docs/model.md."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

from simulate.execution.runner import run
from simulate.model import allocation, bargaining, brent, war
from simulate.model.params import compile_params
from simulate.model.sampling import sample_uncertain
from simulate.scenario import load_scenario

HERE = Path(__file__).parent / "model_scenarios"


def _run(name: str, overrides: dict | None = None, **kw):
    kw.setdefault("progress", False)
    kw.setdefault("counterfactual", False)
    return run(HERE / f"{name}.yaml", overrides=overrides, **kw)


# ----- rule functions (compiled, over one replicate's numbers) -----------------------------

# The v1 buyers' and market rules (country penalty, buyer target, split of unsold barrels,
# linear discount) are gone; the trade rules of v2 and their closed forms are tested in
# tests/test_trade_v2_rules.py (and through the engine in tests/test_closed_forms.py).

def test_price_ratio_is_one_without_loss_and_caps_the_loss():
    assert brent.price_ratio(0.0, 0.1, -0.25) == 1.0
    assert brent.price_ratio(2.0, 0.1, -0.25) == brent.price_ratio(0.99, 0.1, -0.25)
    assert brent.price_ratio(0.1, 0.1, -0.25) == pytest.approx(0.9 ** (-1 / 0.35))
    assert brent.net_loss(2.0, np.array([0.5, 1.0]), np.array([0.3, 0.3])) == pytest.approx(
        2.0 - 0.5 - 0.6)
    assert brent.net_loss(1.0, np.zeros(0), np.zeros(0)) == 1.0


def test_region_bounds_line_and_softening():
    """Reservation points (NaN = the line) bound each region; at a load of 1 they reach the
    line and never go past it without a past-the-line rate (negotiation v2 replaces v1's hard
    limits)."""
    control = np.array([0.6, 0.3])
    res_occ = np.array([1.0, np.nan])  # occupier: all of region 0, the line in region 1
    res_def = np.array([np.nan, 0.5])  # defender: the line in region 0, at most 0.5 in 1
    lo, hi = bargaining.demand_envelope(res_occ, res_def, control)
    r_occ = bargaining.soften_occupier(res_occ, control, 0.0, 0.0)
    r_def = bargaining.soften_defender(res_def, control, 0.0, 0.0)
    a, b, ok = bargaining.region_bounds(r_occ, r_def, lo, hi)
    np.testing.assert_array_equal(a, [1.0, 0.3])
    np.testing.assert_array_equal(b, [0.6, 0.5])
    assert not ok
    a, b, ok = bargaining.region_bounds(bargaining.soften_occupier(res_occ, control, 1.0, 0.0),
                                        bargaining.soften_defender(res_def, control, 1.0, 0.0),
                                        lo, hi)
    np.testing.assert_array_equal(a, [0.6, 0.3])   # softened to the line, never beyond
    np.testing.assert_array_equal(b, [0.6, 0.5])
    assert ok


def test_zone_requires_compatible_bounds():
    w = np.array([1.0, 1.0])
    _, _, ok = bargaining.zone(0.4, 0.6, np.array([0.7, 0.0]), np.array([0.6, 1.0]), w, False)
    assert not ok  # region 0: 0.7 > 0.6, whatever the aggregate says
    low, high, ok = bargaining.zone(0.4, 0.6, np.zeros(2), np.ones(2), w, True)
    assert ok and low == pytest.approx(0.4) and high == pytest.approx(0.6)


def test_region_terms_keep_bounds_and_the_aggregate():
    floor = np.array([0.5, 0.0, 0.2])
    ceil = np.array([1.0, 0.4, 0.2])
    w = np.array([2.0, 1.0, 1.0])
    t = allocation.allocate_terms(0.5, np.array([0.6, 0.2, 0.2]), floor, ceil, w, np.ones(3),
                                  np.ones(3))
    assert ((t >= floor) & (t <= ceil)).all()
    assert float((t * w).sum() / w.sum()) == pytest.approx(0.5)


def test_protocol_terms():
    low, high = 0.4, 0.6
    Protocol = bargaining.Protocol
    assert bargaining.protocol_terms(Protocol(0, 0.25, True), low, high, 0.0, 0.0, 0.9,
                                     0.8) == pytest.approx(0.45)
    assert bargaining.protocol_terms(Protocol(1, 0.5, True), low, high, 0.0, 0.0, 0.9,
                                     0.8) == pytest.approx(0.4 + 0.2 * 0.2 / 0.28)
    assert bargaining.protocol_terms(Protocol(1, 0.5, False), low, high, 0.0, 0.0, 0.9,
                                     0.8) == pytest.approx(0.6 - 0.2 * 0.1 / 0.28)
    assert bargaining.protocol_terms(Protocol(2, 0.5, True), low, high, 0.3, 0.9, 0.9,
                                     0.8) == 0.6


def test_rubinstein_share():
    assert bargaining.rubinstein_share(0.9, 0.8) == pytest.approx(0.2 / 0.28)
    assert bargaining.rubinstein_share(0.99, 0.99) == pytest.approx(1 / 1.99)


def test_strike_counts_are_compound_poisson():
    got = [war.strike_counts(u, u, u, 1.0, 2.0, 0.0, at_war)
           for u, at_war in ((0.01, True), (0.5, True), (0.99, True), (0.99, False))]
    assert [n for n, _, _ in got] == [0, 1, 4, 0]
    assert got[0][1] == 0 and got[3][1] == 0 and all(i == 0 for _, _, i in got)


def test_zero_start_revenue_loses_nothing():
    """Fix: with no buyers' volume the start revenue is 0; the loss share was 0/0 = NaN, which
    made every zone of agreement impossible (and warned)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert war.revenue_loss_share(0.0, 0.0) == 0.0
        assert war.revenue_loss_share(5.0, 0.0) == 0.0
        assert war.drift_factor(0.0, 0.0, 0.5) == 1.0
    assert war.revenue_loss_share(50.0, 100.0) == 0.5
    assert war.drift_factor(25.0, 100.0, 0.5) == 0.5
    over = {"actors.IN.buyers.refiners.base_volume_mbd": 0.0}
    o = _run("bargain", over).outcomes
    assert o["deal"].all() and (o["oil_revenue_busd"] == 0).all()


# ----- sampled parameters of every kind ---------------------------------------------------

def test_numeric_choice_and_protocol_choice_per_replicate():
    """Fix: a `choice` among numbers gave an object array that broke the rules; a choice of
    protocol or stance could not be compiled. Each replicate now follows its own draw."""
    over = {"uncertainty": {
        "negotiation.protocol": {"dist": "choice", "values": ["nash", "alternating_offers"]},
        "negotiation.nash_power": {"dist": "choice", "values": [0.25, 1.0]},
        "actors.IN.stance": {"dist": "choice", "values": ["defy", "comply"]}}}
    res = _run("bargain", over, replicates=40)
    o = res.outcomes
    assert o["param:negotiation.nash_power"].dtype == float
    low, high = 0.35575, 0.62575
    rub = low + (high - low) * 0.2 / 0.28
    nash = low + o["param:negotiation.nash_power"] * (high - low)
    expected = np.where(o["param:negotiation.protocol"] == "nash", nash, rub)
    np.testing.assert_allclose(o["terms_aggregate"], expected, rtol=1e-9)
    assert set(o["param:negotiation.protocol"]) == {"nash", "alternating_offers"}
    p = compile_params(res.scenario, sample_uncertain(res.scenario, 3, np.arange(40)))
    assert set(np.unique(p.column("stance_weight"))) == {0.5, 2.0}


def test_line_or_number_demand_per_replicate(tmp_path):
    """A demand drawn per replicate may be 'line' or a share (its outcome column is text,
    so the results can be saved)."""
    over = {"uncertainty": {"actors.RU.demands.North": {"dist": "choice",
                                                         "values": ["line", 0.6]}},
            "actors.RU.demands": {"North": 0.0}, "negotiation.protocol": "nash"}
    res = _run("bargain", over, replicates=12)
    res.save(tmp_path / "out")
    o = res.outcomes
    demand = o["param:actors.RU.demands.North"]
    assert set(demand) == {"line", "0.6"}  # one type per column: text
    low_line = max(0.35575, (3 * 0.401 + 0 * 1) / 4)   # floor = the line on North (0.401)
    low_num = max(0.35575, (3 * 0.6) / 4)
    high = 0.62575
    expected = np.where(demand == "line", 0.5 * (low_line + high), 0.5 * (low_num + high))
    np.testing.assert_allclose(o["terms_aggregate"], expected, rtol=1e-9)


@pytest.mark.parametrize("key,dist", [
    ("negotiation.proposer", {"dist": "choice", "values": ["RU", "UA"]}),
    ("actors.US.lift_on_deal", {"dist": "choice", "values": [True, False]}),
    ("actors.US.deadline", {"dist": "choice", "values": ["+2d", "+5d"]}),
])
def test_uncertain_parameters_the_model_cannot_vary_are_refused(key, dist):
    """Names, booleans and dates cannot vary per replicate: a clear error naming the key
    when the scenario is loaded (so `validate` catches it), not a failure deep inside the
    rules."""
    from simulate.errors import ScenarioError

    with pytest.raises(ScenarioError, match=f"uncertainty.{key}: expected a value a run can "
                                            "vary per replicate"):
        load_scenario(HERE / "small.yaml", overrides={"uncertainty": {key: dist}})


def test_uncertain_threatened_tariff_rate():
    """Fix: an uncertain threatened tariff rate (one per replicate) did not broadcast against
    the targets."""
    over = {"uncertainty": {"actors.US.threat.secondary_tariff.rate":
                            {"dist": "uniform", "low": 0.1, "high": 1.0}}}
    res = _run("tariff_cost", over, replicates=6)
    o = res.outcomes
    cn = res.scenario.actors["CN"]
    rate = o["param:actors.US.threat.secondary_tariff.rate"].to_numpy()
    cost = cn.exports_to_us_busd * (1 - (1 + rate) ** -cn.trade_elasticity)
    np.testing.assert_allclose(o["tariff_cost_CN_busd"], cost * (31 - 7) / 365, rtol=1e-9)


def test_counterfactual_of_a_choice_of_zero():
    s = load_scenario(HERE / "small.yaml")
    from simulate.execution.runner import counterfactual_of

    cf = counterfactual_of(s)
    assert cf.actors["US"].threat.secondary_tariff.rate == 0.0
    assert cf.actors["US"].threat.company_sanctions.share == 0.0
    assert all(a.rate in (None, 0.0) for a in cf.timeline)
    assert cf.uncertainty["actors.US.threat.secondary_tariff.rate"].dist == "choice"


# ----- the order of the phases ------------------------------------------------------------

@pytest.mark.parametrize("talks_day,extended", [(1, True), (2, False)])
def test_talks_on_the_deadline_day_come_after_the_decision(talks_day, extended):
    """The sanctioner acts before the talks of the same day: talks the day before the
    deadline count as progress, talks on the deadline day itself do not."""
    over = {"actors.US.credibility": 0.0, "actors.US.extension_probability": 1.0,
            "actors.US.progress_window_days": 3, "timeline": [],
            "negotiation.talks.scheduled": [f"+{talks_day}d"],
            "negotiation.p_agree": 0.0}
    o = _run("tariff_cost", over).outcomes
    if extended:
        assert (o["extensions"] >= 1).all()
    else:
        assert (o["extensions"] == 0).all() and (o["threat"] == "lapsed").all()


@pytest.mark.parametrize("window,extended", [(2, True), (1, False)])
def test_talks_exactly_the_progress_window_before_the_deadline_count(window, extended):
    """Progress is talks within the window: day - last talks <= window (talks on day 0,
    deadline on day 2: two days, inside a 2-day window, outside a 1-day one)."""
    over = {"actors.US.credibility": 0.0, "actors.US.extension_probability": 1.0,
            "actors.US.progress_window_days": window, "timeline": [],
            "negotiation.talks.scheduled": ["+0d"], "negotiation.p_agree": 0.0}
    o = _run("tariff_cost", over).outcomes
    assert (o["extensions"] >= 1).all() if extended else (o["extensions"] == 0).all()


@pytest.mark.parametrize("days,extended", [(28, True), (29, False)])
def test_an_extension_never_passes_the_horizon(days, extended):
    """Deadline day 2 of a 30-day horizon: extended by 28 days it falls on day 30 (allowed);
    by 29 it would fall past the horizon, so the threat lapses instead."""
    over = {"actors.US.credibility": 0.0, "actors.US.extension_probability": 1.0,
            "actors.US.extension_days": days, "actors.US.progress_window_days": 3,
            "timeline": [], "negotiation.talks.scheduled": ["+1d"], "negotiation.p_agree": 0.0}
    o = _run("tariff_cost", over).outcomes
    if extended:
        assert (o["extensions"] == 1).all()
    else:
        assert (o["extensions"] == 0).all() and (o["threat"] == "lapsed").all()


@pytest.mark.parametrize("lift", [True, False])
def test_a_deal_lifts_measures_only_with_lift_on_deal(lift):
    """bargain.yaml settles on day 0; a timeline tariff on day 0 acts on the buyers that day
    and is lifted by the deal the same day when lift_on_deal is true. Trade v2: the tariff
    reaches India's (state) refiners through its government's directive (docs/model.md 4.9),
    which the sanctioner answers by lifting the tariff (the threat was conditional)."""
    over = {"actors.US": {"role": "sanctioner", "lift_on_deal": lift},
            "actors.IN.exports_to_us_busd": 80.0, "actors.IN.tariff_conditional": 1.0,
            "actors.IN.buyers.refiners.ownership": "state",
            "timeline": [{"date": "+0d", "actor": "US", "action": "secondary_tariff",
                          "target": "IN", "rate": 0.5}]}
    res = _run("bargain", over, keep_series=1)
    o = res.outcomes
    assert o["deal"].all() and (o["deal_day"] == 0).all()
    cost = 80.0 * (1 - 1.5**-4.0)
    # without lift_on_deal the tariff outlives the deal, until the sanctioner answers the
    # government's day-0 cut (tariff_conditional 1: lifted a day later, docs/model.md 4.9)
    assert res.scenario.horizon_days >= 2
    expected = 0.0 if lift else cost * 1 / 365
    ts = res.timeseries
    rows = ts[(ts["replicate"] == 0) & (ts["variable"] == "tariff_rate")
              & (ts["actor"] == "IN")].sort_values("day")
    assert list(rows["value"][:3]) == ([0.0, 0.0, 0.0] if lift else [0.5, 0.0, 0.0])
    np.testing.assert_allclose(o["tariff_cost_IN_busd"], expected, rtol=1e-12, atol=1e-15)
    # the buyers moved on day 0 in both cases (the tariff was in force when they decided)
    assert (o["volume_IN_mbd"] < 1.0).all()


def test_threatened_company_sanctions_are_recorded_from_their_lag_on():
    """The recorded company_sanctions_share is the threatened share once the threat is
    carried out and its lag has passed (deadline day 2, lag 4: from day 6), 0 before."""
    over = {"actors.US.threat.company_sanctions": {"share": 0.57, "lag_days": 4}}
    res = _run("tariff_cost", over, keep_series=1)
    assert (res.outcomes["decision_day"] == 2).all()
    ts = res.timeseries
    share = ts[(ts["replicate"] == 0) & (ts["variable"] == "company_sanctions_share")]
    values = share.sort_values("day")["value"].to_numpy()
    assert (values[:6] == 0.0).all() and (values[6:] == 0.57).all()
