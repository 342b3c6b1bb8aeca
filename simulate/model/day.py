"""One day of the model for one replicate, as phases in the fixed order of the design
(section 3):

1. policy events (timeline actions)
2. sanctioner decisions (deadlines: carry out, extend, or let lapse)
3. buyers: trade policy of the day (timeline trade actions, designations, the tariffs and
   threat the governments weigh)
4. market: governments' directives, wedges, the clearing market, storage, Brent, revenue
5. front line and strikes
6. negotiation (costs, softening, talks, zone of agreement, deal)
7. record (done by the engines, :mod:`simulate.engines.record`)

Every phase is a compiled function ``phase(p, q, c, day)`` of one replicate's parameter
record ``p`` (:mod:`simulate.model.params`), its state record ``q``
(:mod:`simulate.model.state`) and the day's calendar record ``c`` (timeline actions, talks,
the day's stream keys ``c.keys``); it updates ``q`` in place and returns what happened (the
events engine's log tells it). The batch engine calls :func:`run_day` for each replicate and
day inside compiled code; the events engine calls the phases one by one at its event times:
the same code, so the same numbers.

Adding a rule: a compiled function in the module of its actor (scalars and small arrays in,
numbers out, units in the docstring), called from the phase it belongs to.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from . import (
    bargaining,
    brent,
    governments,
    learning,
    pressure,
    proposals,
    settlement,
    tradeday,
    tradephase,
    war,
)
from .measures import measures_live, tariff_due
from .state import CARRIED_OUT, LAPSED, LIFTED, PENDING
from .streams import Stream, draw, ndtri

__all__ = ["PHASES", "policy_phase", "sanctioner_phase", "buyers_phase", "market_phase",
           "war_phase", "negotiation_phase", "run_day"]

PHASES = ("policy", "sanctioner", "buyers", "market", "war", "negotiation")

_DEADLINE, _EXTEND, _BRENT, _FRONT = (int(Stream.DEADLINE), int(Stream.EXTEND),
                                      int(Stream.BRENT), int(Stream.FRONT))
_STRIKES, _KILLED, _INJURED = int(Stream.STRIKES), int(Stream.KILLED), int(Stream.INJURED)
_TALKS, _AGREE = int(Stream.TALKS), int(Stream.AGREE)
_PRESSURE = int(Stream.PRESSURE)
_ACCEPT_OCC, _ACCEPT_DEF = int(Stream.ACCEPT_OCC), int(Stream.ACCEPT_DEF)
_RELIEF = int(Stream.RELIEF)


# ----- the phases ---------------------------------------------------------------------------

@njit(cache=True, error_model="numpy")
def policy_phase(p, q, c, day: int) -> bool:
    """Timeline actions dated today, if the measures are live; returns whether they are."""
    live = measures_live(p, q)
    if live:
        for m in range(p.M):
            q.tariff_tl[m] = 0.0 if c.lift[m] else q.tariff_tl[m] + c.tariff[m]
        if not np.isnan(c.company):
            q.company_tl = c.company
    return live


@njit(cache=True, error_model="numpy")
def sanctioner_phase(p, q, c, day: int) -> tuple[bool, bool, bool, bool, float, float, bool,
                                                 bool, bool]:
    """At a deadline the threat is carried out with probability ``credibility``; otherwise,
    if talks were held in the progress window, the deadline is extended with probability
    ``extension_probability``; otherwise the threat lapses. A pressure threat on a
    belligerent is carried out at its own deadline with its own credibility, or lapses.

    Returns (due, carry, extend, lapse, u_carry, u_extend, progress, pressure_due,
    pressure_carry).
    """
    pressure_due = q.pressure == PENDING and p.pressure_deadline == day
    if pressure_due:
        q.pressure, q.pressure_day = pressure.decide_at_deadline(
            q.pressure, p.pressure_deadline, day, draw(c.keys[_PRESSURE], q.replicate, 1, 0),
            p.pressure_credibility)
    pressure_carry = pressure_due and q.pressure == CARRIED_OUT
    due = q.threat == PENDING and q.deadline == day
    if not due:
        return False, False, False, False, 0.0, 0.0, False, pressure_due, pressure_carry
    u_carry = draw(c.keys[_DEADLINE], q.replicate, 1, 0)
    u_extend = draw(c.keys[_EXTEND], q.replicate, 1, 0)
    carry = u_carry < p.credibility
    progress = (day - q.last_talks) <= p.progress_window
    new_deadline = q.deadline + p.extension_days
    extend = (not carry and progress and u_extend < p.extension_probability
              and new_deadline <= p.n_days)
    if carry:
        q.threat = CARRIED_OUT
        q.decision_day = day
    elif extend:
        q.deadline = new_deadline
        q.extensions += 1
    else:
        q.threat = LAPSED
    return (due, carry, extend, not carry and not extend, u_carry, u_extend, progress,
            pressure_due, pressure_carry)


@njit(cache=True, error_model="numpy")
def _threat_news(p, q, prob: float) -> float:
    """Brent news from the sanctioner's threat today (mb/d, docs/model.md 4.11): the threat's
    part of the expected loss is set to ``prob`` x the threatened loss whenever ``prob``
    changes (announced, carried out, lapsed, lifted) and decays in between."""
    loss = 0.0
    if prob != q.threat_prob_priced:
        loss = brent.threatened_loss(p.base_volume[:p.B], p.buyer_importer[:p.B],
                                     p.threatened[:p.M], p.company_share, p.threat_loss_ratio)
    news, q.threat_priced = brent.threat_news(q.threat_priced, q.threat_prob_priced, prob,
                                              loss, q.trade_ms[tradeday.S_EXP_KEEP])
    q.threat_prob_priced = prob
    return news


@njit(cache=True, error_model="numpy")
def _conditional_lifts(p, q, c, day: int) -> None:
    """The sanctioner's answer to a government's cut (docs/model.md 4.9): once a cut has
    stood for the tariff lag (at least a day), the tariffs and threat on that importer are
    lifted with the probability its government weighed (``tariff_conditional``; one draw
    per cut); they return the day after the cut is revoked (the directive is decided in
    the market phase, after today's tariffs; the sanctioner answers it the next day)."""
    lag = max(p.tariff_lag, 1)
    for m in range(p.M):
        began = q.trade_relief[m, tradeday.R_CUT]
        if q.directive[m] >= 1.0:
            q.suspended[m] = 0.0
        elif q.suspended[m] == 0.0 and began == began and day == int(began) + lag:
            u = draw(c.keys[_RELIEF], q.replicate, p.M, m)
            if governments.lifts_conditional_tariff(
                    u, p.trade_ip[m, tradeday.I_CONDITIONAL]):
                q.suspended[m] = 1.0


@njit(cache=True, error_model="numpy")
def buyers_phase(p, q, c, day: int) -> float:
    """Trade policy of the day (docs/model.md 4.9-4.11): the timeline's trade actions and the
    threat's designation on its effective day (while the measures are live; a deal that lifts
    them lifts designations), and what the governments weigh in the market phase: the extra
    tariff in force and still threatened on each importer and the probability that the
    threat comes; and the day's news for Brent (the timeline's and the threat's,
    :func:`_threat_news`). Returns the designated share of the occupier's exports today."""
    ps = q.trade_ps
    live = measures_live(p, q)
    # once a deal lifted the measures only dated changes of export capacity apply (no news)
    q.trade_news = tradeday.apply_actions_today(p.trade_actions, day, ps, q.embargo, live)
    if live:
        if (q.threat == CARRIED_OUT and p.company_share > 0.0
                and q.decision_day + p.company_lag == day):
            tradeday.apply_action(ps, q.embargo, tradeday.A_DESIGNATION, day, p.company_share,
                                  p.company_wind_down, 0.0, -1)
    elif ps[tradeday.P_DES_SHARE] > 0.0 or ps[tradeday.P_TANKER_SHARE] > 0.0:
        tradeday.apply_action(ps, q.embargo, tradeday.A_LIFT_DESIGNATION, day, 0.0, 0.0, 0.0,
                              -1)
        ps[tradeday.P_TANKER_SHARE] = 0.0
    decided = q.threat == CARRIED_OUT
    tariff_on = decided and q.decision_day + p.tariff_lag <= day
    prob = 1.0 if decided else (p.credibility if q.threat == PENDING else 0.0)
    q.trade_prob = 0.0 if tariff_on else prob
    q.trade_news += _threat_news(p, q, prob)
    _conditional_lifts(p, q, c, day)
    for m in range(p.M):
        q.trade_tariff[m] = tariff_due(p, q, m, day)
        q.trade_threat[m] = 0.0 if tariff_on else p.threatened[m]
    if ps[tradeday.P_DES_DAY] >= 0.0 and day >= ps[tradeday.P_DES_DAY]:
        return ps[tradeday.P_DES_SHARE]
    return 0.0


@njit(cache=True, error_model="numpy")
def market_phase(p, q, c, day: int) -> tuple[float, float]:
    """Governments' directives, designations, wedges, the clearing market, storage and Brent
    (docs/model.md 4.7-4.11, :func:`simulate.model.tradeday.trade_day`). Returns (withheld,
    loss) in mb/d: barrels produced but not exported, and the net loss to the world."""
    z = ndtri(draw(c.keys[_BRENT], q.replicate, 1, 0))
    return tradephase.trade_phase(p, q, day, z)


@njit(cache=True, error_model="numpy")
def war_phase(p, q, c, day: int) -> None:
    """The front moves (drift fed by oil revenue, kept in ``q.drift``); strikes on
    civilians."""
    factor = war.drift_factor(q.revenue, p.revenue0, p.resource_elasticity)
    extra = pressure.pressure_effects(pressure_active(p, q, day), p.pressure_on_def,
                                      p.pressure_cost, p.pressure_drift)[2]
    for k in range(p.K):
        q.drift[k] = p.drift[k] * factor + extra
        z = ndtri(draw(c.keys[_FRONT], q.replicate, p.K, k))
        q.control[k] = war.advance_front(q.control[k], q.drift[k], p.front_vol[k], z, q.at_war)
    q.strikes, q.killed, q.injured = war.strike_counts(
        draw(c.keys[_STRIKES], q.replicate, 1, 0), draw(c.keys[_KILLED], q.replicate, 1, 0),
        draw(c.keys[_INJURED], q.replicate, 1, 0), p.strike_rate, p.killed_per_strike,
        p.injured_per_strike, q.at_war)


@njit(cache=True, error_model="numpy")
def pressure_active(p, q, day: int) -> bool:
    """Whether the sanctioner's pressure threat acts today (carried out, past its lag, at
    war)."""
    return q.at_war and pressure.in_force(q.pressure, q.pressure_day, p.pressure_lag, day)


@njit(cache=True, error_model="numpy")
def _measures_outlook(p, q, day: int) -> tuple[float, float]:
    """(probability, days until they act) of the sanctioner's threatened measures not yet in
    force; the earlier of the tariff's and the company sanctions' lags."""
    lag = p.tariff_lag
    if p.company_share > 0.0 and (p.tariff_rate <= 0.0 or p.company_lag < lag):
        lag = p.company_lag
    return pressure.outlook(q.threat, p.credibility, q.deadline, q.decision_day, lag, day)


@njit(cache=True, error_model="numpy")
def _learn(p, q, control, drift, weight) -> None:
    """Both sides update their belief about the drift's bias from today's front move."""
    if q.bvar_occ <= 0.0 and q.bvar_def <= 0.0:
        return
    K = p.K
    e = learning.front_surprise(control, q.seen[:K], drift, weight)
    obs_occ = learning.observation_variance(p.front_vol[:K], weight, p.noise_occ)
    obs_def = learning.observation_variance(p.front_vol[:K], weight, p.noise_def)
    q.belief_occ, q.bvar_occ = learning.update_belief(q.belief_occ, q.bvar_occ, e, obs_occ)
    q.belief_def, q.bvar_def = learning.update_belief(q.belief_def, q.bvar_def, e, obs_def)
    for k in range(K):
        q.seen[k] = control[k]


@njit(cache=True, error_model="numpy")
def _settle(p, q, terms, day: int) -> None:
    """A deal on ``terms``: the front frozen there, the war over, pending threats lifted
    (and, with ``lift_on_deal``, the measures in force)."""
    for k in range(p.K):
        q.terms[k] = terms[k]
        q.control[k] = terms[k]
    q.deal_day = day
    q.at_war = False
    if q.threat == PENDING or (p.lift_on_deal and q.threat == CARRIED_OUT):
        q.threat = LIFTED
    if q.pressure == PENDING or q.pressure == CARRIED_OUT:
        q.pressure = LIFTED
    if p.lift_on_deal:
        for m in range(p.M):
            q.tariff_tl[m] = 0.0
        q.company_tl = 0.0


@njit(cache=True, error_model="numpy")
def _reservation_points(p, q, control, e_occ: float, e_def: float):
    """Both sides' softened reservation points today (share per region;
    :func:`settlement.reservation_points`); ``e_*`` the expected cost of each side's pending
    threats over the horizon (share-eq)."""
    K = p.K
    occupier = settlement.Softening(start=p.res_occ0[:K], borne=q.cost_occ, threat=e_occ,
                                    resolve=p.resolve_occ, past_rate=p.past_occ)
    defender = settlement.Softening(start=p.res_def0[:K], borne=q.cost_def, threat=e_def,
                                    resolve=p.resolve_def, past_rate=p.past_def)
    return settlement.reservation_points(control, occupier, defender)


@njit(cache=True, error_model="numpy")
def negotiation_phase(p, q, c, day: int):
    """War costs accumulate, beliefs learn from the front, reservation points soften; a
    mediator's proposal on the table is judged; talks may end in a deal (docs/model.md 4.6,
    4.12).

    Returns (softened_occ, softened_def, talks, p_occ, p_def, low, high, possible, agree,
    u_agree, terms, proposal, accepted, rejected_by, margin_occ, margin_def): the sides whose
    reservation points reached the line today; whether talks were held and, if so, the
    expected outcomes, the zone, the draw and the aggregate terms (NaN without a deal);
    whether a proposal was judged, its outcome and both margins (NaN without one).
    """
    K = p.K
    control, drift, weight = q.control[:K], q.drift[:K], p.weight[:K]
    h = p.horizon_value
    nan = np.nan
    loss = war.revenue_loss_share(q.revenue, p.revenue0)
    add_occ, add_def, _ = pressure.pressure_effects(pressure_active(p, q, day),
                                                    p.pressure_on_def, p.pressure_cost,
                                                    p.pressure_drift)
    cost_occ = war.daily_cost(p.war_cost_occ, p.sens_occ, loss) + add_occ
    cost_def = war.daily_cost(p.war_cost_def, p.sens_def, loss) + add_def
    if q.at_war:
        q.cost_occ += cost_occ
        q.cost_def += cost_def
        _learn(p, q, control, drift, weight)
    prob_s, days_s = _measures_outlook(p, q, day)
    prob_p, days_p = pressure.outlook(q.pressure, p.pressure_credibility,
                                      p.pressure_deadline, q.pressure_day, p.pressure_lag,
                                      day)
    on_def = p.pressure_cost if p.pressure_on_def else 0.0
    on_occ = p.pressure_cost - on_def
    c_occ, e_occ = settlement.horizon_cost(h, cost_occ, prob_s, p.sens_occ * p.threat_loss_occ,
                                           days_s, prob_p, on_occ, days_p)
    c_def, e_def = settlement.horizon_cost(h, cost_def, 0.0, 0.0, 0.0, prob_p, on_def, days_p)
    shift = bargaining.threat_expected_cost(prob_p, p.pressure_drift, days_p, h)
    soft_occ = q.at_war and not q.soft_occ and bargaining.softening_load(
        q.cost_occ, e_occ, p.resolve_occ) >= 1.0
    soft_def = q.at_war and not q.soft_def and bargaining.softening_load(
        q.cost_def, e_def, p.resolve_def) >= 1.0
    q.soft_occ = q.soft_occ or soft_occ
    q.soft_def = q.soft_def or soft_def
    judged = q.at_war and c.proposal
    accepted, who, m_occ, m_def = False, 0, nan, nan
    if judged:
        r_occ, r_def = _reservation_points(p, q, control, e_occ, e_def)
        f_occ, f_def = bargaining.fight_values(
            bargaining.expected_share(control, drift, q.belief_occ, h, weight, shift),
            bargaining.expected_share(control, drift, q.belief_def, h, weight, shift),
            c_occ, c_def)
        offered = proposals.proposal_terms(c.prop_terms[:K], control)
        m_occ, m_def = proposals.proposal_margins(offered, weight, f_occ, f_def,
                                                  c.prop_value_occ, c.prop_value_def,
                                                  r_occ, r_def)
        if c.prop_start:    # one acceptance draw per side and proposal
            q.prop_u_occ = draw(c.keys[_ACCEPT_OCC], q.replicate, 1, 0)
            q.prop_u_def = draw(c.keys[_ACCEPT_DEF], q.replicate, 1, 0)
        accepted, who = proposals.proposal_outcome(m_occ, m_def, p.acceptance_noise,
                                                   q.prop_u_occ, q.prop_u_def)
        q.prop_seen = True
        q.prop_accepted = accepted
        q.prop_rejected_by = who
        q.prop_margin_occ = m_occ
        q.prop_margin_def = m_def
        if accepted:
            _settle(p, q, offered, day)
    u_talks = draw(c.keys[_TALKS], q.replicate, 1, 0)
    talks = q.at_war and (c.talks or u_talks < p.talks_rate)
    if not talks:
        return (soft_occ, soft_def, False, nan, nan, nan, nan, False, False, nan, nan, judged,
                accepted, who, m_occ, m_def)
    q.last_talks = day
    r_occ, r_def = _reservation_points(p, q, control, e_occ, e_def)
    occupier = settlement.Side(bias=q.belief_occ, cost=c_occ, reservation=r_occ,
                               demand=p.floor_demand[:K], delta=p.delta_occ,
                               value=p.prio_occ[:K])
    defender = settlement.Side(bias=q.belief_def, cost=c_def, reservation=r_def,
                               demand=p.ceil_demand[:K], delta=p.delta_def,
                               value=p.prio_def[:K])
    protocol = bargaining.Protocol(kind=p.protocol, nash_power=p.nash_power,
                                   occ_proposes=p.occ_proposes)
    p_occ, p_def, low, high, possible, x, terms, a, b = settlement.talks_round(
        control, drift, weight, h, shift, occupier, defender, protocol)
    for k in range(K):
        q.floor[k] = a[k]
        q.ceil[k] = b[k]
    u_agree = draw(c.keys[_AGREE], q.replicate, 1, 0)
    agree = possible and u_agree < p.p_agree
    if not agree:
        return (soft_occ, soft_def, True, p_occ, p_def, low, high, possible, False, u_agree,
                nan, judged, accepted, who, m_occ, m_def)
    _settle(p, q, terms, day)
    return (soft_occ, soft_def, True, p_occ, p_def, low, high, possible, True, u_agree, x,
            judged, accepted, who, m_occ, m_def)


@njit(cache=True, error_model="numpy")
def run_day(p, q, c, day: int) -> None:
    """All phases of one day for one replicate, in order (the batch engine's day)."""
    policy_phase(p, q, c, day)
    sanctioner_phase(p, q, c, day)
    buyers_phase(p, q, c, day)
    market_phase(p, q, c, day)
    war_phase(p, q, c, day)
    negotiation_phase(p, q, c, day)
