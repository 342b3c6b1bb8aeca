"""One day of the model, as phases in the fixed order of the design (section 3):

1. policy events (timeline actions; threatened measures reaching their effective day)
2. sanctioner decisions (deadlines: carry out, extend, or let lapse)
3. buyers (expected penalty vs discount; lagged move toward target volumes)
4. market (unsold barrels, Urals discount, Brent) and revenues
5. front line and strikes
6. negotiation (costs, softening, talks, zone of agreement, deal)
7. record (done by the engines)

Each phase mutates a :class:`~simulate.model.state.State` in place and returns a dict of arrays
describing what happened, which the events engine turns into its event log. Both engines call
these functions, the batch engine on a whole chunk, the events engine on one replicate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import buyers, market, negotiation, war
from .params import Params
from .state import State, Threat, baseline_revenue
from .streams import Stream, normals, uniforms

__all__ = ["Day", "PHASES", "run_day", "tariffs_in_force", "company_share_in_force"]


@dataclass(frozen=True)
class Day:
    """Coordinates of today's random draws: seed, replicate indices, day number."""

    seed: int
    replicates: np.ndarray
    day: int

    def u(self, stream: int, n: int = 1) -> np.ndarray:
        return uniforms(self.seed, self.replicates, self.day, stream, n)


def _measures_live(s: State, p: Params) -> np.ndarray:
    """Replicates whose measures still apply (no deal, or deals do not lift them)."""
    return s.at_war | (not p.lift_on_deal)


def tariffs_in_force(s: State, p: Params, day: int) -> np.ndarray:
    """Extra tariff rates in force on each importer today, (R, M)."""
    threat_on = (s.threat == Threat.CARRIED_OUT) & (s.decision_day + p.tariff_lag <= day)
    return s.tariff_tl + (threat_on * np.asarray(p.tariff_rate))[:, None] * p.tariff_targets


def company_share_in_force(s: State, p: Params, day: int) -> np.ndarray:
    """Share of the occupier's exports under company sanctions today, (R,)."""
    threat_on = (s.threat == Threat.CARRIED_OUT) & (s.decision_day + p.company_lag <= day)
    return np.maximum(s.company_tl, threat_on * np.asarray(p.company_share))


def policy_phase(s: State, p: Params, d: Day) -> dict:
    """Timeline actions dated today, for replicates whose measures are live."""
    live = _measures_live(s, p)
    t = d.day
    add, lift = p.tl_tariff[t], p.tl_lift[t]
    if add.any() or lift.any():
        s.tariff_tl[:] = np.where(live[:, None] & lift, 0.0, s.tariff_tl + live[:, None] * add)
    if not np.isnan(p.tl_company[t]):
        s.company_tl[:] = np.where(live, p.tl_company[t], s.company_tl)
    return {"live": live}


def sanctioner_phase(s: State, p: Params, d: Day) -> dict:
    """At a deadline the threat is carried out with probability ``credibility``; otherwise,
    if talks were held in the progress window, the deadline is extended with probability
    ``extension_probability``; otherwise the threat lapses."""
    due = (s.threat == Threat.PENDING) & (s.deadline == d.day)
    if not due.any():
        return {"due": due}
    u_carry = d.u(Stream.DEADLINE)[:, 0]
    u_extend = d.u(Stream.EXTEND)[:, 0]
    carry = due & (u_carry < p.credibility)
    progress = (d.day - s.last_talks) <= p.progress_window
    new_deadline = s.deadline + np.asarray(p.extension_days, dtype=np.int64)
    extend = (due & ~carry & progress & (u_extend < p.extension_probability)
              & (new_deadline <= p.n_days))
    lapse = due & ~carry & ~extend
    s.threat[carry] = Threat.CARRIED_OUT
    s.decision_day[carry] = d.day
    s.deadline[:] = np.where(extend, new_deadline, s.deadline)
    s.extensions += extend
    s.threat[lapse] = Threat.LAPSED
    return {"due": due, "carry": carry, "extend": extend, "lapse": lapse,
            "u_carry": u_carry, "u_extend": u_extend, "progress": progress}


def buyers_phase(s: State, p: Params, d: Day) -> dict:
    """Each buyer moves toward its target volume."""
    rates = tariffs_in_force(s, p, d.day)
    threatened = np.asarray(p.tariff_rate) * p.tariff_targets
    decided = (s.threat == Threat.CARRIED_OUT)
    pending = (s.threat == Threat.PENDING)
    # probability that the threatened measures come on top of what is in force
    prob = np.where(decided, 1.0, np.where(pending, p.credibility, 0.0))
    tariff_on = decided & (s.decision_day + p.tariff_lag <= d.day)
    penalty = buyers.country_penalty(p.exports0, p.trade_sigma, p.stance_weight, rates,
                                     threatened, (prob * ~tariff_on)[:, None])
    company_on = company_share_in_force(s, p, d.day)
    company_expected = np.maximum(company_on, prob * np.asarray(p.company_share))
    target = buyers.buyer_target(p.base_volume, p.buyer_importer, penalty, p.penalty_exposure,
                                 p.discount_capture, s.discount, p.sanctions_exposure,
                                 company_expected)
    s.volume[:] = buyers.adjust_volume(s.volume, target, p.adjustment_days)
    return {"tariffs": rates, "company": company_on}


def market_phase(s: State, p: Params, d: Day) -> dict:
    """Unsold barrels widen the discount; shut-in barrels net of spare capacity move Brent."""
    s.bought[:] = s.volume.sum(axis=-1)
    unsold = np.maximum(p.capacity - s.bought, 0.0)
    discount = market.urals_discount(p.discount0, p.discount_slope, unsold)
    s.discounted[:], s.shut_in[:] = market.split_unsold(unsold, p.reroute_share,
                                                        s.brent - discount, p.shutin_price)
    loss = market.supply_loss(s.shut_in, p.spare_capacity, p.response_share)
    z = normals(d.seed, d.replicates, d.day, Stream.BRENT)[:, 0]
    s.brent_shock[:] = p.brent_rho * s.brent_shock + p.brent_vol * z
    s.brent[:] = market.brent_price(p.brent0, loss, p.world_demand, p.supply_elasticity,
                                    p.demand_elasticity, s.brent_shock)
    s.discount[:] = np.minimum(discount, s.brent - market.MIN_URALS_USD)
    s.revenue[:] = market.oil_revenue(s.bought, s.discounted, s.brent - s.discount)
    return {"unsold": unsold, "loss": loss}


def war_phase(s: State, p: Params, d: Day) -> dict:
    """The front moves (drift fed by oil revenue); strikes on civilians."""
    drift = war.effective_drift(p.drift, s.revenue, baseline_revenue(p), p.resource_elasticity)
    z = normals(d.seed, d.replicates, d.day, Stream.FRONT, len(p.region_names))
    s.control[:] = war.advance_front(s.control, drift, p.front_vol, z, s.at_war)
    s.strikes[:], s.killed[:], s.injured[:] = war.strike_counts(
        d.u(Stream.STRIKES)[:, 0], d.u(Stream.KILLED)[:, 0], d.u(Stream.INJURED)[:, 0],
        p.strike_rate, p.killed_per_strike, p.injured_per_strike, s.at_war)
    return {"drift": drift}


def negotiation_phase(s: State, p: Params, d: Day, drift: np.ndarray) -> dict:
    """Costs accumulate and may soften hard demands; talks may end in a deal."""
    loss = war.revenue_loss_share(s.revenue, baseline_revenue(p))
    cost_occ = war.daily_cost(p.war_cost_occ, p.sens_occ, loss)
    cost_def = war.daily_cost(p.war_cost_def, p.sens_def, loss)
    s.cost_occ += cost_occ * s.at_war
    s.cost_def += cost_def * s.at_war
    soft_occ = s.at_war & ~s.soft_occ & (s.cost_occ > p.resolve_occ)
    soft_def = s.at_war & ~s.soft_def & (s.cost_def > p.resolve_def)
    s.soft_occ |= soft_occ
    s.soft_def |= soft_def
    talks = s.at_war & (p.talks_days[d.day] | (d.u(Stream.TALKS)[:, 0] < p.talks_rate))
    s.last_talks[talks] = d.day
    info = {"soft_occ": soft_occ, "soft_def": soft_def, "talks": talks}
    if not talks.any():
        return info
    h = p.horizon_value
    p_occ = negotiation.expected_outcome(s.control, drift, p.optimism_occ, h, p.weight)
    p_def = negotiation.expected_outcome(s.control, drift, -np.asarray(p.optimism_def), h,
                                         p.weight)
    floor, ceil = negotiation.hard_limits(p.floor_demand, p.ceil_demand, s.control,
                                          s.soft_occ, s.soft_def)
    low, high, possible = negotiation.zone(p_occ, p_def, h * cost_occ, h * cost_def,
                                           floor, ceil, p.weight)
    u_agree = d.u(Stream.AGREE)[:, 0]
    agree = talks & possible & (u_agree < p.p_agree)
    if agree.any():
        x = negotiation.protocol_terms(p.protocol, low, high, p_occ, p_def, p.nash_power,
                                       p.delta_occ, p.delta_def, p.occ_proposes)
        terms = negotiation.region_terms(x, floor, ceil, p.weight)
        s.terms[agree] = terms[agree]
        s.control[agree] = terms[agree]
        s.deal_day[agree] = d.day
        s.at_war[agree] = False
        s.threat[agree & (s.threat == Threat.PENDING)] = Threat.LIFTED
        if p.lift_on_deal:
            s.threat[agree & (s.threat == Threat.CARRIED_OUT)] = Threat.LIFTED
            s.tariff_tl[agree] = 0.0
            s.company_tl[agree] = 0.0
        info["terms"] = x
    info.update(p_occ=p_occ, p_def=p_def, low=low, high=high, possible=possible,
                agree=agree, u_agree=u_agree)
    return info


PHASES = ("policy", "sanctioner", "buyers", "market", "war", "negotiation")


def run_day(s: State, p: Params, d: Day) -> dict[str, dict]:
    """All phases of one day in order; returns each phase's report."""
    out = {"policy": policy_phase(s, p, d), "sanctioner": sanctioner_phase(s, p, d),
           "buyers": buyers_phase(s, p, d), "market": market_phase(s, p, d)}
    out["war"] = war_phase(s, p, d)
    out["negotiation"] = negotiation_phase(s, p, d, out["war"]["drift"])
    return out
