"""The bin edges of the quantile-band sketch (:mod:`simulate.engines.bands`) a scenario implies.

``lo`` and ``width`` per (day, column) come from ranges the model's rules give for the
scenario, computed with the rule functions themselves (every uncertain parameter at its
1e-6, 0.5 and 1 - 1e-6 quantiles): shares in [0, 1]; the front within six standard
deviations of its random walk, with the drift at its largest revenue factor
(:func:`~simulate.model.war.drift_factor`), or at a demanded line; Brent
(:func:`~simulate.model.brent.brent_price`) within six standard deviations of its AR(1)
shock, up to the price the largest possible supply loss and news give; the FOB discount up to
the Urals floor below Brent (the Urals FOB price from that floor up), the delivered discount
from its floor up to Brent, the freight premium up to its start value plus the largest tanker
designation's jump and the cap step, storage up to its daily rate, releases up to theirs,
shut-in barrels up to capacity plus releases (the export capacity between its lowest and
highest level on the timeline); Brent's expected and perceived loss between
the timeline's negative and positive news added up, a lasting world-market shift's level and
the largest threatened loss; each buyer's risk premium up to its exposure times the premium
scale times the largest designated and tanker shares, plus the non-designated premium;
revenue up to capacity
(plus releases from storage) at that Brent; volumes (per importer and per buyer) between 0
and the buyers' capacities (with front-loading); directives in [0, 1]; tariff rates between 0
and every rate that can add up; the designation status (0, 1, 2) and strike casualties
(integers) in unit bins centred on integers up to their 1 - 1e-9 quantile. Scalar arithmetic
in Python's ``math`` (the C library), so the edges do not depend on numpy's SIMD kernels.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special  # type: ignore[import-untyped]

from ..model import brent, tradeday, war, wedges
from ..model.params import Params, compile_params
from ..scenario.schema import Scenario
from ..scenario.series import SERIES
from .bands import DEFAULT_BINS, BandLayout
from .record import series_actors

__all__ = ["band_layout", "INTEGER_SERIES"]

#: series whose values are integers (unit bins centred on the integers)
INTEGER_SERIES = ("at_war", "killed", "injured", "designation_status")
#: tail probability left outside the range of a random quantity
_TAIL = 1e-9
_SIGMAS = 6.0


def _extremes(s: Scenario) -> Params:
    """Parameters with three rows: every uncertain parameter at its 1e-6, 0.5 and 1 - 1e-6
    quantiles (the nominal value for a discrete choice)."""
    sampled = {}
    u = np.array([1e-6, 0.5, 1 - 1e-6])
    for key, dist in s.uncertainty.items():
        values = np.asarray(dist.ppf(u))
        if values.dtype == object or values.dtype.kind not in "fiu":
            try:
                values = values.astype(float)
            except (TypeError, ValueError):
                continue
        sampled[key] = values
    try:
        return compile_params(s, sampled, 3)
    except Exception:  # an exotic sampled key: fall back to the nominal scenario
        return compile_params(s, None, 3)


def _compound_poisson_max(rate: float, per: float) -> int:
    """Smallest k with P(X > k) < _TAIL for X | N ~ Poisson(N per), N ~ Poisson(rate)."""
    if rate <= 0 or per <= 0:
        return 0
    nmax = int(rate + 12 * math.sqrt(rate) + 30)
    pn = special.pdtr(np.arange(nmax + 1), rate) - special.pdtr(np.arange(nmax + 1) - 1, rate)
    mean = rate * per
    k = int(mean + 10 * math.sqrt(rate * per * (1 + per)) + 10)
    while True:
        tail = float(np.sum(pn[1:] * special.pdtrc(k, np.arange(1, nmax + 1) * per)))
        if tail < _TAIL or k > 10**6:
            return k
        k = int(k * 1.25) + 1


def _capacity_extremes(mp: np.ndarray, actions: np.ndarray,
                       days: int) -> tuple[float, float, float]:
    """(lowest, highest, largest rise over its start) of the export capacity, mb/d, over
    every row's days: the engines' own path (:func:`tradeday.capacity_paths`) from the rows'
    market parameters ``mp`` and trade ``actions``."""
    paths = tradeday.capacity_paths(actions, mp, days)
    rise = np.maximum(paths.max(axis=1) - mp[:, tradeday.M_CAPACITY], 0.0)
    return float(paths.min()), float(paths.max()), float(rise.max())


def _ranges(p: Params) -> dict[tuple[str, str], tuple[np.ndarray, np.ndarray]]:
    """(lo, hi) per day of every continuous series column."""
    sc = p.table
    days = p.n_days + 1
    base_max = p.column("base_volume").max(axis=0)
    acts = sc.trade_actions.reshape(len(sc), -1, tradeday.NA)
    cap_lo, cap_hi, rise = _capacity_extremes(sc.trade_mp, sc.trade_actions, days)
    capacity = max(float(sc.capacity.max()), math.fsum(base_max), cap_hi)
    # Brent: the AR(1) shock's standard deviation on day t, around the equilibrium price
    rho = min(float(np.abs(sc.brent_rho).max()), 0.999999)
    vol = float(sc.brent_vol.max())
    sd = [vol * math.sqrt((1 - rho ** (2 * (t + 1))) / (1 - rho ** 2)) if rho > 0 else vol
          for t in range(days)]
    es_ed = max(float((sc.supply_elasticity + np.abs(sc.demand_elasticity)).min()), 1e-6)
    world = max(float(sc.world_demand.min()), 1e-12)
    # a rise of export capacity is a surplus (a negative loss, docs/model.md 4.11)
    brent_lo = np.array([brent.brent_price(float(sc.brent0.min()), -rise if rise > 0 else 0.0,
                                           0.0, world, es_ed, 0.0, -_SIGMAS * x) for x in sd])
    # trade v2: news adds an expected loss on top of every barrel lost
    news = sc.trade_actions[:, tradeday.NA - 1::tradeday.NA]
    news_max = float(np.nansum(np.clip(news, 0.0, None), axis=1).max()) if news.size else 0.0
    brent_hi = np.array([brent.brent_price(float(sc.brent0.max()), capacity, news_max,
                                           world, es_ed, 0.0, _SIGMAS * x) for x in sd])
    release = float(sc.trade_mp[:, tradeday.M_RELEASE_RATE].max())
    ranges: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = {}

    def const(lo: float, hi: float) -> tuple[np.ndarray, np.ndarray]:
        return np.full(days, float(lo)), np.full(days, float(hi))

    # the front: a random walk whose drift grows at most by the largest revenue factor
    revenue_max = capacity * float(brent_hi[-1])
    growth = max(war.drift_factor(revenue_max, max(float(sc.revenue0.min()), 1e-12),
                                  max(float(sc.resource_elasticity.max()), 0.0)), 1.0)
    for k, region in enumerate(p.region_names):
        c0 = p.column("control0")[:, k]
        drift = float(np.abs(p.column("drift")[:, k]).max())
        fvol = float(p.column("front_vol")[:, k].max())
        reach = np.array([drift * growth * (t + 1) + _SIGMAS * fvol * math.sqrt(t + 1)
                          for t in range(days)])
        lo, hi = float(c0.min()) - reach, float(c0.max()) + reach
        demands = np.concatenate([p.column("floor_demand")[:, k],
                                  p.column("ceil_demand")[:, k]])
        demands = demands[np.isfinite(demands)]
        if demands.size:
            lo = np.minimum(lo, demands.min())
            hi = np.maximum(hi, demands.max())
        ranges[("control", region)] = (np.clip(lo, 0.0, 1.0), np.clip(hi, 0.0, 1.0))
    ranges[("brent_usd", "")] = (brent_lo, brent_hi)
    # trade v2: the FOB discount runs from the lowest delivered discount plus freight up to
    # the Urals floor below Brent; stored barrels sold add to exports
    lowest = float((sc.trade_mp[:, tradeday.M_MIN_DISC]
                    + sc.trade_mp[:, tradeday.M_FREIGHT]).min())
    fob_lo = np.minimum(min(lowest, 0.0), brent_lo - tradeday.MIN_URALS_USD)
    fob_hi = brent_hi - tradeday.MIN_URALS_USD
    ranges[("urals_discount_usd", "")] = (fob_lo, fob_hi)
    ranges[("fob_discount_usd", "")] = (fob_lo, fob_hi)
    ranges[("urals_fob_usd", "")] = (np.full(days, tradeday.MIN_URALS_USD),
                                     brent_hi - min(lowest, 0.0))
    # the delivered discount clears between its floor and the discount at which the FOB
    # price reaches the shut-in price (below yesterday's Brent); day 0 at the reference
    mp = sc.trade_mp
    ranges[("delivered_discount_usd", "")] = (
        np.full(days, min(float(mp[:, tradeday.M_MIN_DISC].min()),
                          float(mp[:, tradeday.M_REF].min()), 0.0)),
        np.maximum(brent_hi, max(float(mp[:, tradeday.M_MIN_DISC].max()),
                                 float(mp[:, tradeday.M_REF].max()))))
    # the freight premium moves toward targets no higher than the start premium plus the
    # largest designated fleet share's jump plus the price-cap step
    tankers = np.where(acts[:, :, 1] == tradeday.A_TANKERS, acts[:, :, 2], 0.0)
    tanker_max = float(np.nanmax(np.clip(tankers, 0.0, None))) if tankers.size else 0.0
    ranges[("freight_premium_usd", "")] = const(
        min(float(mp[:, tradeday.M_PREMIUM0].min()), 0.0),
        float(mp[:, tradeday.M_PREMIUM0].max())
        + float(mp[:, tradeday.M_FREIGHT_PER_SHARE].max()) * max(tanker_max, 1e-12)
        + float(mp[:, tradeday.M_CAP_PREMIUM].max()))
    ranges[("stored_mbd", "")] = const(0.0, float(mp[:, tradeday.M_STORAGE_RATE].max()))
    ranges[("released_mbd", "")] = const(0.0, release)
    ranges[("export_capacity_mbd", "")] = const(cap_lo, cap_hi)
    for name in ("exports_mbd", "bought_mbd", "discounted_mbd", "shut_in_mbd"):
        ranges[(name, "")] = const(0.0, capacity + release)
    ranges.update(_expectation_ranges(p, acts, days))
    # each buyer's risk premium (wedges.buyer_premium): exposure x scale x (designated share
    # + tanker share), or the non-designated premium on top once it stopped
    designated = np.where(acts[:, :, 1] == tradeday.A_DESIGNATION, acts[:, :, 2], 0.0)
    share_max = max(float(np.nanmax(np.clip(designated, 0.0, None))) if designated.size else 0.0,
                    float(sc.company_share.max()), 0.0) + max(tanker_max, 0.0)
    scale = max(float(mp[:, tradeday.M_PREMIUM_SCALE].max()), 0.0)
    nondesignated = float(mp[:, tradeday.M_ND_PREMIUM].max())
    ranges[("oil_revenue_musd", "")] = (
        np.zeros(days), (capacity + release) * brent_hi)
    base_m = np.zeros(len(p.importer_ids))
    np.add.at(base_m, p.column("buyer_importer")[0], base_max)
    M = len(p.importer_ids)
    max_rate = (p.calendar.tariff[:, :M].clip(min=0).sum(axis=0)
                + p.column("threatened").max(axis=0))
    # trade v2: a buyer can take up to its capacity, more by front-loading
    B = len(p.buyer_ids)
    rows = sc.trade_bp[:, :B]
    cap_b = (rows[:, :, tradeday.B_CAP] * (1.0 + rows[:, :, tradeday.B_FLEX])).max(axis=0)
    np.add.at(base_m, p.column("buyer_importer")[0], np.maximum(cap_b - base_max, 0.0))
    for m, imp in enumerate(p.importer_ids):
        ranges[("volume_mbd", imp)] = const(0.0, base_m[m])
        ranges[("tariff_rate", imp)] = const(0.0, max_rate[m])
        ranges[("directive", imp)] = const(0.0, 1.0)
    exposure = rows[:, :, tradeday.B_EXPOSURE].max(axis=0)
    for b, buyer in enumerate(p.buyer_ids):
        ranges[("buyer_volume_mbd", buyer)] = const(0.0, max(float(base_max[b]),
                                                             float(cap_b[b])))
        ranges[("buyer_premium_usd", buyer)] = const(
            0.0, max(float(exposure[b]), 0.0) * scale * share_max + nondesignated)
    ranges[("company_sanctions_share", "")] = const(0.0, 1.0)
    return ranges


def _expectation_ranges(p: Params, acts: np.ndarray, days: int
                        ) -> dict[tuple[str, str], tuple[np.ndarray, np.ndarray]]:
    """(lo, hi) of Brent's expected and perceived loss (mb/d, brent.update_expectation):
    the expectation keeps a share <= 1 of itself and adds the day's news, so it lies between
    the timeline's one-off news added up (negative ones for the low end, positive for the
    high), plus a lasting world-market shift's level (its daily news n holds it at
    n / (1 - keep)), plus the threat's part (between 0 and the threatened loss, at most
    threat_loss_ratio x every buyer's base volume). The perceived loss follows it with a
    lag >= 1 day, so it stays in the same range."""
    sc = p.table
    oneoff = np.nan_to_num(acts[:, :, tradeday.NA - 1])
    keep = np.array([wedges.decay_factor(float(h))
                     for h in sc.trade_mp[:, tradeday.M_EXP_HALF_LIFE]])
    world = acts[:, :, 1] == tradeday.A_WORLD
    level = np.where(world, np.nan_to_num(acts[:, :, 4]), 0.0) / np.maximum(
        1.0 - keep, 1e-12)[:, None]
    threat = sc.threat_loss_ratio * p.column("base_volume").sum(axis=1)
    hi = float((np.clip(oneoff, 0.0, None).sum(axis=1) + np.clip(level, 0.0, None).max(axis=1)
                + np.clip(threat, 0.0, None)).max())
    lo = float((np.clip(oneoff, None, 0.0).sum(axis=1)
                + np.clip(level, None, 0.0).min(axis=1)).min())
    bounds = (np.full(days, lo), np.full(days, hi))
    return {("expected_loss_mbd", ""): bounds, ("perceived_loss_mbd", ""): bounds}


def band_layout(s: Scenario, bins: int = DEFAULT_BINS) -> BandLayout:
    """The bin edges of every (day, variable, actor) for a scenario (see the module doc)."""
    p = _extremes(s)
    sc = p.table
    days = p.n_days + 1
    ranges = _ranges(p)
    strikes_max = {"killed": _compound_poisson_max(float(sc.strike_rate.max()),
                                                   float(sc.killed_per_strike.max())),
                   "injured": _compound_poisson_max(float(sc.strike_rate.max()),
                                                    float(sc.injured_per_strike.max()))}
    columns, nbins, los, widths, integer = [], [], [], [], []
    for name in SERIES:
        for actor in series_actors(p, name):
            actor = actor or ""
            columns.append((name, actor))
            if name in INTEGER_SERIES:
                top = {"at_war": 1, "designation_status": 2}.get(name) or strikes_max[name]
                step = max(1, math.ceil((top + 1) / (4 * bins)))
                nb = math.ceil((top + 1) / step)
                nbins.append(nb)
                los.append(np.full(days, -0.5))
                widths.append(np.full(days, float(step)))
                integer.append(step == 1)
                continue
            lo, hi = ranges[(name, actor)]
            lo = np.asarray(lo, dtype=float)
            hi = np.maximum(np.asarray(hi, dtype=float), lo)
            span = hi - lo
            # a degenerate range still gets bins of a sensible width
            span = np.where(span > 0, span, np.maximum(np.abs(lo), 1.0) * 1e-6)
            nbins.append(bins)
            los.append(lo)
            widths.append(span / bins)
            integer.append(False)
    return BandLayout(columns=tuple(columns), nbins=np.array(nbins, dtype=np.int64),
                      lo=np.stack(los, axis=1), width=np.stack(widths, axis=1),
                      integer=np.array(integer, dtype=bool))
