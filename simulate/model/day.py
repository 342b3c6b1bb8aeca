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

Speed (the batch engine's hot path, docs/performance.md): a phase does whole-array work only
where it matters. Talks are evaluated on the rows that hold talks today (a few percent), with
the same rule functions applied to those rows; deadline draws are made only on deadline days;
power functions are skipped where the tariff is zero (``x ** y`` with ``x == 1`` is exactly 1).
Every such shortcut gives the numbers the full computation gives.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special

from . import buyers, market, negotiation, war
from .params import Params
from .state import State, Threat, baseline_revenue
from .streams import Counters, Stream, counter_products, stream_key, uniforms_from

__all__ = ["Day", "PHASES", "run_day", "tariffs_in_force", "company_share_in_force"]

# Threat codes as plain ints (numpy compares an int8 array with an int much faster than with
# an IntEnum member)
_PENDING, _CARRIED_OUT, _LAPSED, _LIFTED = (int(Threat.PENDING), int(Threat.CARRIED_OUT),
                                            int(Threat.LAPSED), int(Threat.LIFTED))


@dataclass(frozen=True)
class Day:
    """Coordinates of today's random draws: seed, replicate indices, day number.

    ``counters`` (optional) holds the chunk's counter products so that a draw costs one
    hash per value; without it they are computed on each draw. Same numbers either way.
    """

    seed: int
    replicates: np.ndarray
    day: int
    counters: Counters | None = None

    def u(self, stream: int, n: int = 1, rows: np.ndarray | None = None) -> np.ndarray:
        """Uniforms ``(R, n)`` of ``stream`` today; only for ``rows`` (indices) if given."""
        if self.counters is not None:
            cg = self.counters.products(n)
        else:
            reps = self.replicates if rows is None else np.asarray(self.replicates)[rows]
            return uniforms_from(stream_key(self.seed, self.day, stream),
                                 counter_products(reps, n))
        if rows is not None:
            cg = cg[rows]
        return uniforms_from(stream_key(self.seed, self.day, stream), cg)

    def z(self, stream: int, n: int = 1) -> np.ndarray:
        """Standard normals ``(R, n)`` by inversion of :meth:`u`."""
        return special.ndtri(self.u(stream, n))


def _rows(value, rows: np.ndarray, actor_axis: bool = False):
    """The rows ``rows`` of a parameter that may carry a leading replicate axis: a scalar
    parameter has one when it is 1-D, a per-actor parameter when it is 2-D."""
    arr = np.asarray(value)
    return arr[rows] if arr.ndim > int(actor_axis) else arr


class _Static:
    """Parameters derived once per :class:`Params` (cached on it)."""

    def __init__(self, p: Params):
        self.revenue0 = baseline_revenue(p)
        self.tariff_rate = np.asarray(p.tariff_rate, dtype=float)
        # (M,) or (R, M)
        self.threatened = self.tariff_rate[..., None] * p.tariff_targets
        self.company_share = np.asarray(p.company_share, dtype=float)
        self.timeline_days = np.flatnonzero(
            p.tl_tariff.any(axis=-1) | p.tl_lift.any(axis=-1) | ~np.isnan(p.tl_company))
        self.timeline_day = np.zeros(p.n_days + 1, dtype=bool)
        self.timeline_day[self.timeline_days] = True
        self.tariff_possible = bool(self.threatened.any())
        self.company_possible = bool(np.any(self.company_share > 0))
        self.no_tariffs = not (self.tariff_possible or p.tl_tariff.any())
        self._p = p
        self._expanded: dict[int, dict[str, np.ndarray]] = {}

    def expanded(self, n: int) -> dict[str, np.ndarray]:
        """Per-actor constants repeated over ``n`` rows: numpy multiplies an (R, 1) column by
        an (R, B) array much faster than by a (B,) row (same values, same results)."""
        out = self._expanded.get(n)
        if out is None:
            p = self._p
            out = {}
            for name, value in (("discount_capture", p.discount_capture),
                                ("sanctions_exposure", p.sanctions_exposure),
                                ("drift", p.drift), ("exports0", p.exports0),
                                ("trade_sigma", p.trade_sigma),
                                ("stance_weight", p.stance_weight),
                                ("tariff_targets", p.tariff_targets),
                                ("threatened", self.threatened)):
                arr = np.asarray(value, dtype=float)
                out[name] = arr if arr.ndim != 1 or n == 1 else np.tile(arr, (n, 1))
            self._expanded = {n: out}
        return out


def static(p: Params) -> _Static:
    """The derived arrays of ``p`` (computed on first use)."""
    st = p.__dict__.get("_static")
    if st is None:
        st = p.__dict__["_static"] = _Static(p)
    return st


def _measures_live(s: State, p: Params) -> np.ndarray:
    """Replicates whose measures still apply (no deal, or deals do not lift them)."""
    return s.at_war | (not p.lift_on_deal)


def _threat_on(s: State, lag, day: int) -> np.ndarray:
    return (s.threat == _CARRIED_OUT) & (s.decision_day + lag <= day)


def tariffs_in_force(s: State, p: Params, day: int) -> np.ndarray:
    """Extra tariff rates in force on each importer today, (R, M)."""
    threat_on = _threat_on(s, p.tariff_lag, day)
    return s.tariff_tl + (threat_on * np.asarray(p.tariff_rate))[:, None] * p.tariff_targets


def company_share_in_force(s: State, p: Params, day: int) -> np.ndarray:
    """Share of the occupier's exports under company sanctions today, (R,)."""
    threat_on = _threat_on(s, p.company_lag, day)
    return np.maximum(s.company_tl, threat_on * np.asarray(p.company_share))


def policy_phase(s: State, p: Params, d: Day) -> dict:
    """Timeline actions dated today, for replicates whose measures are live."""
    live = _measures_live(s, p)
    t = d.day
    if not static(p).timeline_day[t]:
        return {"live": live}
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
    due = (s.threat == _PENDING) & (s.deadline == d.day)
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
    s.threat[carry] = _CARRIED_OUT
    s.decision_day[carry] = d.day
    s.deadline[:] = np.where(extend, new_deadline, s.deadline)
    s.extensions += extend
    s.threat[lapse] = _LAPSED
    return {"due": due, "carry": carry, "extend": extend, "lapse": lapse,
            "u_carry": u_carry, "u_extend": u_extend, "progress": progress}


def buyers_phase(s: State, p: Params, d: Day) -> dict:
    """Each buyer moves toward its target volume."""
    st = static(p)
    decided = s.threat == _CARRIED_OUT
    pending = s.threat == _PENDING
    tariff_on = decided & (s.decision_day + p.tariff_lag <= d.day)
    full = st.expanded(len(s.at_war))
    if tariff_on.any():
        rates = s.tariff_tl + (tariff_on * st.tariff_rate)[:, None] * full["tariff_targets"]
    else:
        rates = s.tariff_tl.copy()
    # probability that the threatened measures come on top of what is in force
    prob = np.where(decided, 1.0, np.where(pending, p.credibility, 0.0))
    if st.no_tariffs:
        penalty = np.zeros(rates.shape)
    else:
        penalty = buyers.country_penalty(full["exports0"], full["trade_sigma"],
                                         full["stance_weight"], rates, full["threatened"],
                                         (prob * ~tariff_on)[:, None])
    company_on = np.maximum(s.company_tl,
                            (decided & (s.decision_day + p.company_lag <= d.day))
                            * st.company_share)
    company_expected = np.maximum(company_on, prob * st.company_share)
    target = buyers.buyer_target(p.base_volume, p.buyer_importer, penalty, p.penalty_exposure,
                                 full["discount_capture"], s.discount,
                                 full["sanctions_exposure"], company_expected)
    s.volume = buyers.adjust_volume(s.volume, target, p.adjustment_days)
    return {"tariffs": rates, "company": company_on}


def market_phase(s: State, p: Params, d: Day) -> dict:
    """Unsold barrels widen the discount; shut-in barrels net of spare capacity move Brent."""
    s.bought = s.volume.sum(axis=-1)
    unsold = np.maximum(p.capacity - s.bought, 0.0)
    discount = market.urals_discount(p.discount0, p.discount_slope, unsold)
    s.discounted, s.shut_in = market.split_unsold(unsold, p.reroute_share,
                                                  s.brent - discount, p.shutin_price)
    loss = market.supply_loss(s.shut_in, p.spare_capacity, p.response_share)
    z = d.z(Stream.BRENT)[:, 0]
    s.brent_shock = p.brent_rho * s.brent_shock + p.brent_vol * z
    s.brent = market.brent_price(p.brent0, loss, p.world_demand, p.supply_elasticity,
                                 p.demand_elasticity, s.brent_shock)
    s.discount = np.minimum(discount, s.brent - market.MIN_URALS_USD)
    s.revenue = market.oil_revenue(s.bought, s.discounted, s.brent - s.discount)
    return {"unsold": unsold, "loss": loss}


def war_phase(s: State, p: Params, d: Day) -> dict:
    """The front moves (drift fed by oil revenue); strikes on civilians."""
    st = static(p)
    drift = war.effective_drift(st.expanded(len(s.at_war))["drift"], s.revenue, st.revenue0,
                                p.resource_elasticity)
    z = d.z(Stream.FRONT, len(p.region_names))
    s.control = war.advance_front(s.control, drift, p.front_vol, z, s.at_war)
    s.strikes, s.killed, s.injured = war.strike_counts(
        d.u(Stream.STRIKES)[:, 0], d.u(Stream.KILLED)[:, 0], d.u(Stream.INJURED)[:, 0],
        p.strike_rate, p.killed_per_strike, p.injured_per_strike, s.at_war)
    return {"drift": drift}


def negotiation_phase(s: State, p: Params, d: Day, drift: np.ndarray) -> dict:
    """Costs accumulate and may soften hard demands; talks may end in a deal.

    The zone of agreement and the terms are computed for the rows holding talks today
    (``info["rows"]``); the arrays ``p_occ``, ``p_def``, ``low``, ``high``, ``possible``,
    ``agree``, ``u_agree`` and ``terms`` of the report are those rows' values.
    """
    loss = war.revenue_loss_share(s.revenue, static(p).revenue0)
    cost_occ = war.daily_cost(p.war_cost_occ, p.sens_occ, loss)
    cost_def = war.daily_cost(p.war_cost_def, p.sens_def, loss)
    s.cost_occ += cost_occ * s.at_war
    s.cost_def += cost_def * s.at_war
    soft_occ = s.at_war & ~s.soft_occ & (s.cost_occ > p.resolve_occ)
    soft_def = s.at_war & ~s.soft_def & (s.cost_def > p.resolve_def)
    s.soft_occ |= soft_occ
    s.soft_def |= soft_def
    talks = s.at_war & (p.talks_days[d.day] | (d.u(Stream.TALKS)[:, 0] < p.talks_rate))
    info = {"soft_occ": soft_occ, "soft_def": soft_def, "talks": talks}
    return talks_phase(s, p, d, drift, cost_occ, cost_def, info)


def talks_phase(s: State, p: Params, d: Day, drift: np.ndarray, cost_occ: np.ndarray,
                cost_def: np.ndarray, info: dict) -> dict:
    """The second half of :func:`negotiation_phase`: the rows where ``info["talks"]`` holds
    talks today, given today's daily war costs; adds to and returns ``info``."""
    rows = info["talks"].nonzero()[0]
    if rows.size == 0:
        return info
    s.last_talks[rows] = d.day
    h = _rows(p.horizon_value, rows)
    control = s.control[rows]
    drift_r = _rows(drift, rows, actor_axis=True)
    weight = _rows(p.weight, rows, actor_axis=True)
    p_occ = negotiation.expected_outcome(control, drift_r, _rows(p.optimism_occ, rows), h,
                                         weight)
    p_def = negotiation.expected_outcome(control, drift_r,
                                         -np.asarray(_rows(p.optimism_def, rows)), h, weight)
    floor, ceil = negotiation.hard_limits(
        _rows(p.floor_demand, rows, True), _rows(p.ceil_demand, rows, True), control,
        s.soft_occ[rows], s.soft_def[rows])
    low, high, possible = negotiation.zone(p_occ, p_def, h * cost_occ[rows],
                                           h * cost_def[rows], floor, ceil, weight)
    u_agree = d.u(Stream.AGREE, rows=rows)[:, 0]
    agree = possible & (u_agree < _rows(p.p_agree, rows))
    info.update(rows=rows, p_occ=p_occ, p_def=p_def, low=low, high=high, possible=possible,
                agree=agree, u_agree=u_agree)
    if not agree.any():
        return info
    x = negotiation.protocol_terms(
        _rows(p.protocol, rows), low, high, p_occ, p_def, _rows(p.nash_power, rows),
        _rows(p.delta_occ, rows), _rows(p.delta_def, rows), p.occ_proposes)
    terms = negotiation.region_terms(x, floor, ceil, weight)
    dealt = rows[agree]
    s.terms[dealt] = terms[agree]
    s.control[dealt] = terms[agree]
    s.deal_day[dealt] = d.day
    s.at_war[dealt] = False
    threat = s.threat[dealt]
    lifted = (threat == _PENDING)
    if p.lift_on_deal:
        lifted |= threat == _CARRIED_OUT
        s.tariff_tl[dealt] = 0.0
        s.company_tl[dealt] = 0.0
    s.threat[dealt[lifted]] = _LIFTED
    info["terms"] = x
    return info


PHASES = ("policy", "sanctioner", "buyers", "market", "war", "negotiation")


def run_day(s: State, p: Params, d: Day) -> dict[str, dict]:
    """All phases of one day in order; returns each phase's report."""
    out = {"policy": policy_phase(s, p, d), "sanctioner": sanctioner_phase(s, p, d),
           "buyers": buyers_phase(s, p, d), "market": market_phase(s, p, d)}
    out["war"] = war_phase(s, p, d)
    out["negotiation"] = negotiation_phase(s, p, d, out["war"]["drift"])
    return out
