"""The simulate model written with Mesa (3.x), for the speed comparison of benchmarks/run.py.

A faithful port of the daily rules of :mod:`simulate.model` (docs/model.md), one replicate per
:class:`SanctionsModel`, driven agent by agent through Mesa's model, agents and agent sets in
the model's fixed daily order:

1. the sanctioner (US) applies dated timeline actions, then decides at its deadline;
2. each importer works out its expected tariff penalty; each buyer moves toward its target;
3. the market clears (unsold barrels, Urals discount, Brent, revenue);
4. each region's front line moves; the occupier strikes;
5. both belligerents add up their war costs (and may soften); a mediator holds talks;
6. the model records the day.

Each agent holds its own state as Python floats and applies the rules with scalar arithmetic
(``math``), in the operation order of the numpy rules, and draws its random numbers from the
same counter-based streams (``simulate.model.streams``) — so a replicate run here gives the
batch engine's outcome for that replicate, which :func:`check_against_engine` verifies (that
is what makes it a port of *this* model rather than a similar one). Parameters are read from
the scenario compiled by simulate (``compile_params``), with the replicate's sampled values.
"""

from __future__ import annotations

import bisect
import math

import mesa
import numpy as np
from scipy.special import ndtri

from simulate.model.params import NO_DAY, compile_params, sample_uncertain
from simulate.model.state import Threat
from simulate.model.streams import GAMMA, Stream, _mix_int, _poisson_cdf, stream_key

__all__ = ["SanctionsModel", "run_replicates", "check_against_engine"]

_MASK = (1 << 64) - 1
_UNIT = 1.0 / 9007199254740992.0
PENDING, CARRIED_OUT, LAPSED, NONE, LIFTED = (int(t) for t in (
    Threat.PENDING, Threat.CARRIED_OUT, Threat.LAPSED, Threat.NONE, Threat.LIFTED))


def _draw(model: SanctionsModel, stream: int, index: int = 0, n: int = 1) -> float:
    """The replicate's uniform for (day, stream, index): streams.uniforms, one value."""
    key = stream_key(model.seed, model.day, stream)
    c = ((model.replicate * n + index + 1) * GAMMA) & _MASK
    return ((_mix_int((key + c) & _MASK) >> 11) + 0.5) * _UNIT


def _pow_scalar_exponent(x: float, y: float) -> float:
    """numpy's ``ndarray ** scalar`` (its shortcuts for 0.5, 2, -1, 1, 0)."""
    if y == 0.5:
        return math.sqrt(x)
    if y == 2.0:
        return x * x
    if y == -1.0:
        return 1.0 / x
    if y == 1.0:
        return x
    if y == 0.0:
        return 1.0
    return math.pow(x, y)


def _np_sum(values: list[float]) -> float:
    """numpy's summation order for a short row (sequential below 8, pairwise from 8)."""
    n = len(values)
    if n < 8:
        res = 0.0
        for v in values:
            res += v
        return res
    r = list(values[:8])
    top = n - n % 8
    for i in range(8, top, 8):
        for j in range(8):
            r[j] += values[i + j]
    res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
    for i in range(top, n):
        res += values[i]
    return res


def _poisson(u: float, mean: float) -> int:
    if mean <= 0.0:
        return 0
    return bisect.bisect_left(_poisson_cdf(mean), u)


def _s(value) -> float:
    """A scalar parameter of a one-replicate compilation."""
    return float(np.asarray(value, dtype=float).reshape(-1)[0])


def _v(value, width: int) -> list[float]:
    """A per-actor parameter of a one-replicate compilation."""
    arr = np.asarray(value, dtype=float)
    return [float(x) for x in np.broadcast_to(arr.reshape(-1, width)[0] if arr.ndim == 2
                                              else arr, (width,))]


# ----- agents ---------------------------------------------------------------------------------

class Sanctioner(mesa.Agent):
    """The US: timeline actions (tariffs, company sanctions, lifts) and its deadline."""

    def __init__(self, model: SanctionsModel, p):
        super().__init__(model)
        M = len(p.importer_ids)
        self.tl_tariff, self.tl_lift, self.tl_company = p.tl_tariff, p.tl_lift, p.tl_company
        self.timeline_days = set(np.flatnonzero(p.tl_tariff.any(axis=1) | p.tl_lift.any(axis=1)
                                                | ~np.isnan(p.tl_company)).tolist())
        self.tariff_tl = [0.0] * M
        self.company_tl = 0.0
        self.deadline = int(p.deadline_day)
        has_threat = p.deadline_day != NO_DAY and (
            np.any(np.asarray(p.tariff_rate) > 0) and p.tariff_targets.any()
            or np.any(np.asarray(p.company_share) > 0))
        self.threat = PENDING if has_threat else NONE
        self.decision_day = NO_DAY
        self.extensions = 0
        self.credibility = _s(p.credibility)
        self.extension_probability = _s(p.extension_probability)
        self.extension_days = int(_s(p.extension_days))
        self.progress_window = _s(p.progress_window)
        self.lift_on_deal = bool(p.lift_on_deal)
        self.tariff_rate = _s(p.tariff_rate)
        self.targets = [1.0 if t else 0.0 for t in p.tariff_targets]
        self.tariff_lag = _s(p.tariff_lag)
        self.company_share = _s(p.company_share)
        self.company_lag = _s(p.company_lag)
        self.n_days = p.n_days

    def policy(self) -> None:
        t = self.model.day
        if t not in self.timeline_days:
            return
        live = self.model.at_war or not self.lift_on_deal
        add, lift = self.tl_tariff[t], self.tl_lift[t]
        if add.any() or lift.any():
            self.tariff_tl = [0.0 if (live and bool(lift[m])) else
                              self.tariff_tl[m] + (float(add[m]) if live else 0.0)
                              for m in range(len(self.tariff_tl))]
        if not math.isnan(self.tl_company[t]):
            if live:
                self.company_tl = float(self.tl_company[t])

    def decide(self) -> None:
        day = self.model.day
        if not (self.threat == PENDING and self.deadline == day):
            return
        carry = _draw(self.model, Stream.DEADLINE) < self.credibility
        u_extend = _draw(self.model, Stream.EXTEND)
        progress = (day - self.model.mediator.last_talks) <= self.progress_window
        new_deadline = self.deadline + self.extension_days
        extend = (not carry and progress and u_extend < self.extension_probability
                  and new_deadline <= self.n_days)
        if carry:
            self.threat = CARRIED_OUT
            self.decision_day = day
        elif extend:
            self.deadline = new_deadline
            self.extensions += 1
        else:
            self.threat = LAPSED

    def tariff_on(self, day: int) -> bool:
        return self.threat == CARRIED_OUT and self.decision_day + self.tariff_lag <= day

    def company_on(self, day: int) -> bool:
        return self.threat == CARRIED_OUT and self.decision_day + self.company_lag <= day

    def rates(self, day: int) -> list[float]:
        on = self.tariff_rate if self.tariff_on(day) else 0.0
        return [self.tariff_tl[m] + on * self.targets[m] for m in range(len(self.targets))]

    def company_in_force(self, day: int) -> float:
        return max(self.company_tl, self.company_share if self.company_on(day) else 0.0)


class Importer(mesa.Agent):
    """A country importing the occupier's crude: weighs the expected tariff penalty."""

    def __init__(self, model: SanctionsModel, m: int, p, exports0, sigma, stance, threatened):
        super().__init__(model)
        self.m, self.exports0, self.sigma, self.stance = m, exports0, sigma, stance
        self.threatened = threatened
        self.penalty = 0.0

    def step(self) -> None:
        us, model = self.model.sanctioner, self.model
        if model.no_tariffs:
            self.penalty = 0.0
            return
        t = model.rates_today[self.m]
        x0, sg = self.exports0, self.sigma
        now = x0 - x0 * (math.pow(1.0 + t, -sg) if t != 0.0 else 1.0)
        pr = model.prob_today * (0.0 if us.tariff_on(model.day) else 1.0)
        tt = t + self.threatened
        fac2 = math.pow(1.0 + tt, -sg) if (tt != 0.0 and pr != 0.0) else 1.0
        self.penalty = self.stance * (now + pr * ((x0 - x0 * fac2) - now))


class Buyer(mesa.Agent):
    """A refiner (or group) buying the occupier's crude; moves toward a target volume."""

    def __init__(self, model: SanctionsModel, importer: Importer, base, exposure, share,
                 capture, sanctions_exposure, adjustment_days):
        super().__init__(model)
        self.importer = importer
        self.base, self.exposure, self.share = base, exposure, share
        self.capture, self.sanctions_exposure = capture, sanctions_exposure
        self.adjustment_days = adjustment_days
        self.volume = base

    def step(self) -> None:
        model = self.model
        penalty = self.exposure * self.importer.penalty * self.share
        benefit = self.capture * model.market.discount * self.base * 0.365
        denom = benefit + penalty
        keep = benefit / denom if denom > 0 else 1.0
        target = self.base * keep * (1.0 - self.sanctions_exposure * model.company_expected)
        self.volume = self.volume + (target - self.volume) / self.adjustment_days


class Market(mesa.Agent):
    """The oil market: unsold barrels, the Urals discount, Brent and the occupier's revenue."""

    def __init__(self, model: SanctionsModel, p):
        super().__init__(model)
        self.capacity = _s(p.capacity)
        self.discount0, self.slope = _s(p.discount0), _s(p.discount_slope)
        self.reroute, self.shutin_price = _s(p.reroute_share), _s(p.shutin_price)
        S = int(np.size(p.spare_capacity))
        self.spare = _v(p.spare_capacity, S) if S else []
        self.response = _v(p.response_share, S) if S else []
        self.brent0, self.world = _s(p.brent0), _s(p.world_demand)
        exponent = -1.0 / (np.asarray(p.supply_elasticity) + np.abs(p.demand_elasticity))
        self.scalar_exponent = np.ndim(exponent) == 0
        self.exponent = _s(exponent)
        self.rho, self.vol = _s(p.brent_rho), _s(p.brent_vol)
        self.brent, self.discount = self.brent0, self.discount0
        base = _v(p.base_volume, len(p.buyer_ids))
        self.bought = _np_sum(base)
        self.discounted = self.shut_in = self.shock = 0.0
        self.revenue0 = self.capacity * (self.brent0 - self.discount0)
        self.revenue = self.revenue0

    def step(self) -> None:
        bought = _np_sum([b.volume for b in self.model.buyers])
        unsold = max(self.capacity - bought, 0.0)
        d_new = self.discount0 + self.slope * unsold
        placed = self.reroute if self.brent - d_new > self.shutin_price else 0.0
        discounted = unsold * placed
        shut_in = unsold - discounted
        if self.spare:
            loss = max(shut_in - _np_sum([min(s, r * shut_in) for s, r in
                                          zip(self.spare, self.response, strict=True)]), 0.0)
        else:
            loss = shut_in
        z = float(ndtri(_draw(self.model, Stream.BRENT)))
        self.shock = self.rho * self.shock + self.vol * z
        share = min(max(loss / self.world, 0.0), 0.99)
        ratio = (_pow_scalar_exponent(1.0 - share, self.exponent) if self.scalar_exponent
                 else math.pow(1.0 - share, self.exponent))
        self.brent = self.brent0 * ratio * math.exp(self.shock)
        self.discount = min(d_new, self.brent - 1.0)
        self.bought, self.discounted, self.shut_in = bought, discounted, shut_in
        self.revenue = (bought + discounted) * (self.brent - self.discount)


class Region(mesa.Agent):
    """A contested region: the occupier's share moves with a drift fed by oil revenue."""

    def __init__(self, model: SanctionsModel, k: int, control, drift, vol, weight):
        super().__init__(model)
        self.k, self.control, self.drift, self.vol, self.weight = k, control, drift, vol, weight
        self.believed_drift = 0.0

    def step(self) -> None:
        model = self.model
        self.believed_drift = self.drift * model.drift_factor
        z = float(ndtri(_draw(model, Stream.FRONT, self.k, len(model.regions))))
        step = (self.believed_drift + self.vol * z) * (1.0 if model.at_war else 0.0)
        self.control = min(max(self.control + step, 0.0), 1.0)


class Belligerent(mesa.Agent):
    """The occupier or the defender: war costs, resolve, demands; the occupier strikes."""

    def __init__(self, model: SanctionsModel, occupier: bool, p):
        super().__init__(model)
        self.occupier = occupier
        K = len(p.region_names)
        if occupier:
            self.war_cost, self.sens = _s(p.war_cost_occ), _s(p.sens_occ)
            self.resolve, self.optimism = _s(p.resolve_occ), _s(p.optimism_occ)
            self.demands = _v(p.floor_demand, K)
            self.delta = _s(p.delta_occ)
            self.rate = _s(p.strike_rate)
            self.kps, self.ips = _s(p.killed_per_strike), _s(p.injured_per_strike)
        else:
            self.war_cost, self.sens = _s(p.war_cost_def), _s(p.sens_def)
            self.resolve, self.optimism = _s(p.resolve_def), _s(p.optimism_def)
            self.demands = _v(p.ceil_demand, K)
            self.delta = _s(p.delta_def)
        self.cost = 0.0
        self.cost_today = 0.0
        self.softened = False
        self.strikes = self.killed = self.injured = 0

    def strike(self) -> None:
        model = self.model
        n = _poisson(_draw(model, Stream.STRIKES), self.rate) if model.at_war else 0
        self.strikes = n
        self.killed = _poisson(_draw(model, Stream.KILLED), n * self.kps) if n else 0
        self.injured = _poisson(_draw(model, Stream.INJURED), n * self.ips) if n else 0

    def count_costs(self) -> None:
        model = self.model
        self.cost_today = self.war_cost + self.sens * model.loss_share
        self.cost += self.cost_today * (1.0 if model.at_war else 0.0)
        if model.at_war and not self.softened and self.cost > self.resolve:
            self.softened = True


class Mediator(mesa.Agent):
    """Talks: scheduled or at random; a deal when the zone of agreement is not empty."""

    def __init__(self, model: SanctionsModel, p):
        super().__init__(model)
        self.talks_days = p.talks_days
        self.rate, self.p_agree = _s(p.talks_rate), _s(p.p_agree)
        self.horizon, self.power = _s(p.horizon_value), _s(p.nash_power)
        self.protocol = int(_s(p.protocol))
        self.occ_proposes = bool(p.occ_proposes)
        self.last_talks = -(10**9)

    def step(self) -> None:
        model = self.model
        if not model.at_war:
            return
        if not (self.talks_days[model.day] or _draw(model, Stream.TALKS) < self.rate):
            return
        self.last_talks = model.day
        occ, dfd = model.occupier, model.defender
        h = self.horizon
        regions = model.regions
        w = [r.weight for r in regions]
        wsum = _np_sum(w)

        def expected(bias: float) -> float:
            believed = [min(max(r.control + h * (r.believed_drift + bias), 0.0), 1.0)
                        for r in regions]
            return _np_sum([b * x for b, x in zip(believed, w, strict=True)]) / wsum

        p_occ, p_def = expected(occ.optimism), expected(-dfd.optimism)
        floor = [r.control if math.isnan(d) else d
                 for r, d in zip(regions, occ.demands, strict=True)]
        ceil = [r.control if math.isnan(d) else d
                for r, d in zip(regions, dfd.demands, strict=True)]
        if occ.softened:
            floor = [min(f, r.control) for f, r in zip(floor, regions, strict=True)]
        if dfd.softened:
            ceil = [max(c, r.control) for c, r in zip(ceil, regions, strict=True)]
        agg_floor = _np_sum([f * x for f, x in zip(floor, w, strict=True)]) / wsum
        agg_ceil = _np_sum([c * x for c, x in zip(ceil, w, strict=True)]) / wsum
        low = max(p_occ - h * occ.cost_today, agg_floor)
        high = min(p_def + h * dfd.cost_today, agg_ceil)
        compatible = all(f <= c + 1e-12 for f, c in zip(floor, ceil, strict=True))
        possible = low <= high + 1e-12 and compatible
        if not (possible and _draw(model, Stream.AGREE) < self.p_agree):
            return
        width = high - low
        if self.protocol == 0:
            x = low + self.power * width
        elif self.protocol == 1:
            if self.occ_proposes:
                x = low + width * ((1.0 - dfd.delta) / (1.0 - occ.delta * dfd.delta))
            else:
                x = high - width * ((1.0 - occ.delta) / (1.0 - dfd.delta * occ.delta))
        else:
            x = min(max(0.5 * (p_occ + p_def), low), high)
        room = _np_sum([(c - f) * x_ for c, f, x_ in zip(ceil, floor, w, strict=True)]) / wsum
        theta = (x - agg_floor) / room if room > 0 else 0.0
        theta = min(max(theta, 0.0), 1.0)
        for r, f, c in zip(regions, floor, ceil, strict=True):
            r.control = f + theta * (c - f)
        model.deal(x)


class SanctionsModel(mesa.Model):
    """One replicate of a scenario, as Mesa agents."""

    def __init__(self, scenario, seed: int, replicate: int):
        super().__init__(seed=seed)
        self.seed, self.replicate, self.day = seed, replicate, 0
        sampled = sample_uncertain(scenario, seed, np.array([replicate]))
        p = compile_params(scenario, sampled)
        self.p = p
        K, M, B = len(p.region_names), len(p.importer_ids), len(p.buyer_ids)
        self.n_days = p.n_days
        self.at_war = True
        self.deal_day = NO_DAY
        self.terms_aggregate = math.nan
        self.sanctioner = Sanctioner(self, p)
        threatened = [self.sanctioner.tariff_rate * t for t in self.sanctioner.targets]
        self.no_tariffs = not (any(threatened) or p.tl_tariff.any())
        x0, sg, st = _v(p.exports0, M), _v(p.trade_sigma, M), _v(p.stance_weight, M)
        self.importers = [Importer(self, m, p, x0[m], sg[m], st[m], threatened[m])
                          for m in range(M)]
        base = _v(p.base_volume, B)
        own = [0.0] * M
        for b in range(B):
            own[p.buyer_importer[b]] += base[b]
        exposure, capture = _v(p.penalty_exposure, B), _v(p.discount_capture, B)
        sexp, adjust = _v(p.sanctions_exposure, B), _v(p.adjustment_days, B)
        own_np = (np.asarray(base) @ (p.buyer_importer[:, None] == np.arange(M)))
        self.buyers = [Buyer(self, self.importers[p.buyer_importer[b]], base[b], exposure[b],
                             base[b] / own_np[p.buyer_importer[b]]
                             if own_np[p.buyer_importer[b]] > 0 else 0.0,
                             capture[b], sexp[b], adjust[b]) for b in range(B)]
        self.market = Market(self, p)
        control, drift = _v(p.control0, K), _v(p.drift, K)
        vol, weight = _v(p.front_vol, K), _v(p.weight, K)
        self.regions = [Region(self, k, control[k], drift[k], vol[k], weight[k])
                        for k in range(K)]
        self.occupier = Belligerent(self, True, p)
        self.defender = Belligerent(self, False, p)
        self.mediator = Mediator(self, p)
        self.elasticity = _s(p.resource_elasticity)
        self.scalar_elasticity = np.ndim(p.resource_elasticity) == 0
        self.member = [[1.0 if p.buyer_importer[b] == m else 0.0 for b in range(B)]
                       for m in range(M)]
        self.sums = dict.fromkeys(("revenue", "exports", "shut_in", "brent", "discount",
                                   "strikes", "killed", "injured"), 0.0)
        self.volume_sum = [0.0] * M
        self.tariff_cost_sum = [0.0] * M
        self.rates_today: list[float] = []
        self.prob_today = 0.0
        self.company_expected = 0.0
        self.drift_factor = 1.0
        self.loss_share = 0.0

    # ----- one day ------------------------------------------------------------------------
    def step(self) -> None:
        us = self.sanctioner
        us.policy()
        us.decide()
        # what the buyers weigh today (the sanctioner's measures, as each importer sees them)
        decided, pending = us.threat == CARRIED_OUT, us.threat == PENDING
        self.prob_today = 1.0 if decided else (us.credibility if pending else 0.0)
        self.rates_today = us.rates(self.day)
        company_on = us.company_in_force(self.day)
        self.company_expected = max(company_on, self.prob_today * us.company_share)
        self.agents_by_type[Importer].do("step")
        self.agents_by_type[Buyer].do("step")
        self.market.step()
        revenue, r0 = self.market.revenue, self.market.revenue0
        ratio = revenue / r0 if r0 > 0 else 1.0
        positive = max(ratio, 0.0)
        self.drift_factor = (_pow_scalar_exponent(positive, self.elasticity)
                             if self.scalar_elasticity else math.pow(positive,
                                                                     self.elasticity))
        self.agents_by_type[Region].do("step")
        self.occupier.strike()
        self.loss_share = min(max(1.0 - ratio, 0.0), 1.0)
        self.agents_by_type[Belligerent].do("count_costs")
        self.mediator.step()
        self.record()
        self.day += 1

    def deal(self, x: float) -> None:
        us = self.sanctioner
        self.at_war = False
        self.deal_day = self.day
        if us.threat == PENDING:
            us.threat = LIFTED
        if us.lift_on_deal:
            if us.threat == CARRIED_OUT:
                us.threat = LIFTED
            us.tariff_tl = [0.0] * len(us.tariff_tl)
            us.company_tl = 0.0

    def record(self) -> None:
        mk, us, s = self.market, self.sanctioner, self.sums
        exports = mk.bought + mk.discounted
        s["revenue"] += mk.revenue
        s["exports"] += exports
        s["shut_in"] += mk.shut_in
        s["brent"] += mk.brent
        s["discount"] += mk.discount
        s["strikes"] += self.occupier.strikes
        s["killed"] += self.occupier.killed
        s["injured"] += self.occupier.injured
        volumes = [b.volume for b in self.buyers]
        for m, row in enumerate(self.member):
            self.volume_sum[m] += _np_sum([v * x for v, x in zip(volumes, row, strict=True)])
        for m, rate in enumerate(us.rates(self.day)):
            imp = self.importers[m]
            x0 = imp.exports0
            self.tariff_cost_sum[m] += x0 - x0 * (math.pow(1.0 + rate, -imp.sigma)
                                                  if rate != 0.0 else 1.0)

    def run(self) -> dict:
        for _ in range(self.n_days + 1):
            self.step()
        return self.outcomes()

    def outcomes(self) -> dict:
        p, s, days = self.p, self.sums, self.n_days + 1
        us = self.sanctioner
        w = [r.weight for r in self.regions]
        out = {"deal": self.deal_day >= 0, "deal_day": self.deal_day, "threat": us.threat,
               "decision_day": us.decision_day, "extensions": us.extensions,
               "terms_aggregate": _np_sum([r.control * x for r, x in
                                           zip(self.regions, w, strict=True)]) / _np_sum(w),
               "oil_revenue_busd": s["revenue"] / 1000.0, "exports_mbd": s["exports"] / days,
               "shut_in_mbd": s["shut_in"] / days, "brent_mean_usd": s["brent"] / days,
               "brent_end_usd": self.market.brent,
               "urals_discount_mean_usd": s["discount"] / days,
               "strikes": int(s["strikes"]), "killed": int(s["killed"]),
               "injured": int(s["injured"])}
        for r, name in zip(self.regions, p.region_names, strict=True):
            out[f"terms_{name}"] = r.control
        for m, imp in enumerate(p.importer_ids):
            out[f"volume_{imp}_mbd"] = self.volume_sum[m] / days
            out[f"tariff_cost_{imp}_busd"] = self.tariff_cost_sum[m] / 365.0
        return out


def run_replicates(scenario, seed: int, replicates) -> list[dict]:
    """Outcomes of the given replicates, one Mesa model each."""
    return [SanctionsModel(scenario, seed, int(r)).run() for r in replicates]


def check_against_engine(scenario, seed: int, replicates) -> tuple[int, float, list[str]]:
    """Run replicates with Mesa and with the batch engine: (replicates compared, largest
    absolute difference of a numeric outcome, columns that differ beyond 1e-9)."""
    from simulate.engines.batch import run_batch
    reps = np.asarray(list(replicates), dtype=np.int64)
    engine = run_batch(scenario, seed, reps, 0, bands=False).outcomes
    mesa_rows = run_replicates(scenario, seed, reps)
    worst, bad = 0.0, []
    for col in mesa_rows[0]:
        mine = np.array([row[col] for row in mesa_rows], dtype=float)
        theirs = np.asarray(engine[col], dtype=float)
        diff = float(np.max(np.abs(mine - theirs)))
        worst = max(worst, diff)
        if not diff <= 1e-9:
            bad.append(col)
    return len(reps), worst, bad
