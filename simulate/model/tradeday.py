"""The trade side of one day for one replicate: governments, designations, wedges, the
clearing market, storage and Brent, in that order (docs/model.md section 4.7-4.11).

:func:`trade_day` takes three groups (:mod:`simulate.model.tradearrays`): the replicate's
parameters, its state and the day's inputs. Their arrays are float64 with named columns
(the constants below), so the compiled day of both engines takes views of its records:

* parameters: ``bp`` (B, NB) buyers', ``ip`` (M, NI) importers', ``mp`` (NM,) the market's
  (one replicate's draws), and the other suppliers' spare capacity and response shares;
* state: ``ps`` (NP,) policy set by timeline actions (designations, tanker designations,
  price cap, changes of the export capacity; :mod:`simulate.model.tradeactions`);
  ``embargo`` (M,) day from which an importer's buyers are embargoed (-1 none);
  ``ms`` (NS,) the market's; ``bs`` (B, NBS) the buyers'; ``directive`` (M,) each
  government's cap on its state refiners (share of base volume); ``relief`` (M, NR) each
  government's decision memory; the clearing's rows; the day's purchases;
* inputs: extra tariffs in force and threatened per importer (fractions), the probability
  that the threat comes, news for Brent (credibility-weighted expected loss, mb/d), a
  standard normal for the Brent shock.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from . import brent as _brent
from . import clearing, designations, governments, wedges
from .clearing import NW, W_BASE, W_CAP, W_LAG, W_PREMIUM, W_SLOPE, W_VOLUME
from .tradeactions import (  # the policy state and the timeline's actions (re-exported)
    A_CAPACITY,
    A_DESIGNATION,
    A_EMBARGO,
    A_LIFT_DESIGNATION,
    A_NEWS,
    A_PRICE_CAP,
    A_TANKERS,
    A_WORLD,
    MAX_TRADE_ACTIONS,
    NA,
    NP,
    P_CAPACITY,
    P_DES_DAY,
    P_DES_SHARE,
    P_NAMES,
    P_PRICE_CAP,
    P_TANKER_DAY,
    P_TANKER_SHARE,
    P_WIND_DOWN,
    P_WORLD_NEWS,
    apply_action,
    apply_actions_today,
    empty_policy,
)

__all__ = ["trade_day", "initial_market_state", "apply_action", "empty_policy",
           "A_DESIGNATION", "A_TANKERS", "A_PRICE_CAP", "A_EMBARGO", "A_LIFT_DESIGNATION",
           "A_NEWS", "A_WORLD", "A_CAPACITY", "P_WORLD_NEWS", "P_CAPACITY", "MAX_TRADE_ACTIONS",
           "NA", "capacity_today", "capacity_paths",
           "apply_actions_today", "remembered_relief", "P_DES_SHARE", "P_TANKER_SHARE",
           "P_DES_DAY", "P_WIND_DOWN",
           "S_FOB_DISC", "S_DELIVERED", "S_EXP_KEEP", "S_PREMIUM", "S_FOB", "S_STORED",
           "S_STATUS", "S_CAPACITY",
           "B_BASE", "B_CAP", "B_SLOPE", "B_LAG",
           "B_EXPOSURE", "B_STATE", "B_SELLER_OWNED", "B_COMPLIANT", "B_FLEX", "B_IMPORTER",
           "B_EXEMPT", "B_CAPTURE", "B_RAMP", "DAYS_PER_MONTH", "NB", "I_X0", "I_SIGMA",
           "I_CONDITIONAL", "I_CUT_CAP",
           "I_POLITICAL", "I_STANCE", "I_REVIEW", "NI", "M_NAMES", "NM", "P_NAMES", "NP",
           "S_NAMES", "NS", "BS_VOLUME", "BS_STOP_DAY", "BS_PREMIUM", "BS_CAP", "BS_ADAPTED",
           "BS_DIRECTED", "NBS", "NW", "NR",
           "R_TARIFF", "R_THREAT", "R_PROB", "R_RELIEF", "R_DAY", "R_CUT"]

#: the Urals FOB price is kept at least this far above zero, USD/bbl
MIN_URALS_USD = 1.0

# ----- buyers' parameters (columns of bp) -------------------------------------------------
(B_BASE, B_CAP, B_SLOPE, B_LAG, B_EXPOSURE, B_STATE, B_SELLER_OWNED, B_COMPLIANT, B_FLEX,
 B_IMPORTER, B_EXEMPT, B_CAPTURE, B_RAMP) = range(13)
NB = 13
#: days in a month, for ramps given per month
DAYS_PER_MONTH = 365.25 / 12
# ----- importers' parameters (columns of ip) ----------------------------------------------
I_X0, I_SIGMA, I_CONDITIONAL, I_CUT_CAP, I_POLITICAL, I_STANCE, I_REVIEW = range(7)
NI = 7
# ----- market parameters (mp) -------------------------------------------------------------
M_NAMES = ("brent0", "ref_discount", "base_freight", "capacity", "zero_price", "full_price",
           "min_discount", "storage_capacity", "storage_rate", "release_rate",
           "premium_scale", "nondesignated_premium", "reshuffle_days", "stop_threshold",
           "freight_per_share", "freight_lasting", "freight_decay_days", "freight_lag",
           "cap_premium", "world_demand", "supply_elasticity", "demand_elasticity",
           "expectation_half_life", "expectation_lag", "brent_vol", "brent_rho",
           "premium0", "bottleneck", "adaptation_half_life", "cap_margin")
(M_BRENT0, M_REF, M_FREIGHT, M_CAPACITY, M_ZERO, M_FULL, M_MIN_DISC, M_STORAGE_CAP,
 M_STORAGE_RATE, M_RELEASE_RATE, M_PREMIUM_SCALE, M_ND_PREMIUM, M_RESHUFFLE, M_THRESHOLD,
 M_FREIGHT_PER_SHARE, M_FREIGHT_LASTING, M_FREIGHT_DECAY, M_FREIGHT_LAG, M_CAP_PREMIUM,
 M_WORLD, M_ES, M_ED, M_EXP_HALF_LIFE, M_EXP_LAG, M_BRENT_VOL, M_BRENT_RHO,
 M_PREMIUM0, M_BOTTLENECK, M_ADAPT, M_CAP_MARGIN) = range(30)
NM = 30
# ----- market state (ms) ------------------------------------------------------------------
S_NAMES = ("delivered_discount", "freight_premium", "expected_loss", "perceived_loss",
           "stock", "brent", "brent_shock", "fob_discount", "urals_fob", "exports", "offered",
           "stored", "shut_in", "released", "loss", "revenue", "designation_status",
           "shipping_shortfall", "expectation_keep", "adaptation_keep", "capacity")
(S_DELIVERED, S_PREMIUM, S_EXPECTED, S_PERCEIVED, S_STOCK, S_BRENT, S_SHOCK, S_FOB_DISC,
 S_FOB, S_EXPORTS, S_OFFERED, S_STORED, S_SHUT_IN, S_RELEASED, S_LOSS, S_REVENUE,
 S_STATUS, S_SHORTFALL, S_EXP_KEEP, S_ADAPT_KEEP, S_CAPACITY) = range(21)
NS = 21
# ----- buyers' state (bs) -----------------------------------------------------------------
# BS_DIRECTED: the cap a government's directive has reached on a state refiner, mb/d (NaN:
# no directive in force); it closes 1/lag of the gap to the directed volume each day
BS_VOLUME, BS_STOP_DAY, BS_PREMIUM, BS_CAP, BS_ADAPTED, BS_DIRECTED = range(6)
NBS = 6
# ----- each government's decision memory (relief): its last expected relief and what it was
# computed for, the day it last decided, and the day its cut in force began (NaN: none) -----
R_TARIFF, R_THREAT, R_PROB, R_RELIEF, R_DAY, R_CUT = range(6)
NR = 6


@njit(cache=True, error_model="numpy")
def initial_market_state(bp, mp, ms, bs) -> None:
    """Fill ``ms`` and ``bs`` for day 0: volumes at base, the reference delivered discount,
    the start freight/insurance premium, no stock, Brent at its start value; and the daily
    factors of the expectation's and the adaptation's half-lives."""
    ms[:] = 0.0
    ms[S_DELIVERED] = mp[M_REF]
    ms[S_BRENT] = mp[M_BRENT0]
    ms[S_PREMIUM] = mp[M_PREMIUM0]
    ms[S_FOB_DISC] = mp[M_REF] + mp[M_FREIGHT] + mp[M_PREMIUM0]
    ms[S_FOB] = mp[M_BRENT0] - ms[S_FOB_DISC]
    total = 0.0
    for b in range(bp.shape[0]):
        bs[b, BS_VOLUME] = bp[b, B_BASE]
        bs[b, BS_STOP_DAY] = -1.0
        bs[b, BS_PREMIUM] = 0.0
        bs[b, BS_CAP] = bp[b, B_CAP]
        bs[b, BS_ADAPTED] = 0.0
        bs[b, BS_DIRECTED] = np.nan
        total += bp[b, B_BASE]
    ms[S_EXPORTS] = total
    ms[S_OFFERED] = total
    ms[S_CAPACITY] = mp[M_CAPACITY]
    ms[S_REVENUE] = total * ms[S_FOB]
    # the daily factors of the half-lives, computed once (the same numbers every day)
    ms[S_EXP_KEEP] = wedges.decay_factor(mp[M_EXP_HALF_LIFE])
    ms[S_ADAPT_KEEP] = wedges.decay_factor(mp[M_ADAPT])


@njit(cache=True, error_model="numpy")
def remembered_relief(ip, m: int, tariff: float, threat_rate: float, threat_prob: float,
                      memo) -> tuple[float, bool]:
    """Importer m's expected relief (:func:`governments.expected_relief`) and whether its
    inputs (tariff, threat, the threat's probability) changed since ``memo`` (M, NR) last
    held them; computed again only then (they change on a few days only; same numbers)."""
    if (memo[m, R_TARIFF] == tariff and memo[m, R_THREAT] == threat_rate
            and memo[m, R_PROB] == threat_prob):
        return memo[m, R_RELIEF], False
    relief = governments.expected_relief(ip[m, I_X0], ip[m, I_SIGMA], tariff, threat_rate,
                                         threat_prob, ip[m, I_CONDITIONAL])
    memo[m, R_TARIFF], memo[m, R_THREAT], memo[m, R_PROB] = tariff, threat_rate, threat_prob
    memo[m, R_RELIEF] = relief
    return relief, True


@njit(cache=True, error_model="numpy")
def _directives(day: int, tp, ts, inputs) -> None:
    """Each government's cap on its state refiners (share of base volume; 1 = none),
    decided again only when its tariff, the threat or the threat's probability changes, or
    ``I_REVIEW`` days after its last decision (:func:`governments.reviews`). The engines
    start the decision memory ``ts.relief`` with what each government weighed before day 0
    (:func:`simulate.model.tradephase.init_trade_state`), so the start state is observed,
    not decided, and only measures dated day 0 are news that day. Keeps in
    ``relief[m, R_CUT]`` the day the cut in force began (NaN: none). Arguments as
    :func:`trade_day`'s."""
    bp, ip, ms, directive, memo = tp.buyers, tp.importers, ts.market, ts.directive, ts.relief
    tariff, threat_rate, threat_prob = inputs.tariff, inputs.threat_rate, inputs.threat_prob
    for m in range(ip.shape[0]):
        relief, changed = remembered_relief(ip, m, tariff[m], threat_rate[m], threat_prob,
                                            memo)
        if not governments.reviews(changed, day, memo[m, R_DAY], ip[m, I_REVIEW]):
            continue
        memo[m, R_DAY] = day
        total = 0.0
        state = 0.0
        capture = 0.0
        for b in range(bp.shape[0]):
            if int(bp[b, B_IMPORTER]) != m:
                continue
            total += bp[b, B_BASE]
            if bp[b, B_STATE] > 0.5:
                state += bp[b, B_BASE]
                capture += bp[b, B_BASE] * bp[b, B_CAPTURE]
        if state <= 0.0:
            directive[m] = 1.0
            continue
        cut = ip[m, I_CUT_CAP]
        gain = governments.discount_gain(ms[S_DELIVERED], capture / state, state * (1.0 - cut))
        new = governments.directive_cap(relief, state / total, cut, gain,
                                        ip[m, I_POLITICAL], ip[m, I_STANCE])
        if new >= 1.0:
            memo[m, R_CUT] = np.nan
        elif directive[m] >= 1.0:
            memo[m, R_CUT] = day
        directive[m] = new


@njit(cache=True, error_model="numpy")
def trade_day(day: int, tp, ts, inputs) -> None:
    """One day of the trade side of one replicate: updates the state ``ts``
    (:class:`simulate.model.tradearrays.TradeState`: market, buyers, directives, decision
    memory; its ``purchases``, mb/d per buyer) from the parameters ``tp``
    (:class:`~simulate.model.tradearrays.TradeParams`) and the day's ``inputs``
    (:class:`~simulate.model.tradearrays.TradeInputs`). Clearing uses yesterday's Brent and
    FOB price. Allocates nothing."""
    bp, mp = tp.buyers, tp.market
    ps, embargo, ms, bs = ts.policy, ts.embargo, ts.market, ts.buyers
    directive, work, purchases = ts.directive, ts.work, ts.purchases
    n_buyers = bp.shape[0]
    brent_prev = ms[S_BRENT]
    fob_prev = ms[S_FOB]
    status = designations.designation_status(day, int(ps[P_DES_DAY]), int(ps[P_WIND_DOWN]))
    ms[S_STATUS] = status
    kappa = ps[P_DES_SHARE] if status != designations.NONE else 0.0
    _directives(day, tp, ts, inputs)
    # freight and insurance sanctions premium: the start premium and the latest tanker
    # designations fade to their lasting part; a binding price cap adds a step
    cap = ps[P_PRICE_CAP]
    binding = cap > 0.0 and fob_prev > cap
    lasting, decay = mp[M_FREIGHT_LASTING], mp[M_FREIGHT_DECAY]
    share = ps[P_TANKER_SHARE]
    tankers = 0.0      # the designated fleet share, its fading part as wedges.freight_target
    transient = 0.0    # the fading part alone: buyers' tanker risk, shipping shortfall
    if share > 0.0 and ps[P_TANKER_DAY] >= 0.0 and day >= ps[P_TANKER_DAY]:
        faded = wedges.fade(day - ps[P_TANKER_DAY], decay)
        tankers = wedges.faded_shock(share, faded, 1.0, lasting)
        transient = share * faded * (1.0 - lasting)
    target = (mp[M_FREIGHT_PER_SHARE] * tankers
              + wedges.freight_target(1.0, float(day), mp[M_PREMIUM0], lasting, decay,
                                      binding, mp[M_CAP_PREMIUM]))
    ms[S_PREMIUM] = wedges.adjust_toward(ms[S_PREMIUM], target, mp[M_FREIGHT_LAG])
    # each buyer's cap today, risk premium and front-loading
    base, slope, lag = work[W_BASE], work[W_SLOPE], work[W_LAG]
    premium, caps, volume = work[W_PREMIUM], work[W_CAP], work[W_VOLUME]
    threshold = mp[M_THRESHOLD]
    for b in range(n_buyers):
        m = int(bp[b, B_IMPORTER])
        owned = bp[b, B_SELLER_OWNED] > 0.5
        exposure = 0.0 if owned else bp[b, B_EXPOSURE]
        c = bp[b, B_CAP]
        if embargo[m] >= 0.0 and day >= embargo[m] and bp[b, B_EXEMPT] < 0.5:
            c = 0.0
        if bp[b, B_STATE] > 0.5 and directive[m] < 1.0:
            # cargoes are booked ahead: the directed cut reaches the refiner with its lag,
            # from what it bought yesterday
            reached = bs[b, BS_DIRECTED]
            if not reached == reached:
                reached = bs[b, BS_VOLUME]
            reached = wedges.adjust_toward(reached, directive[m] * bp[b, B_BASE],
                                           bp[b, B_LAG])
            bs[b, BS_DIRECTED] = reached
            c = min(c, reached)
        else:
            bs[b, BS_DIRECTED] = np.nan
        stopped = designations.stops(status, exposure, threshold, owned)
        if stopped:
            if bs[b, BS_STOP_DAY] < 0.0:
                bs[b, BS_STOP_DAY] = day
            # sellers reshuffle from the day the designation in force now stopped the buyer
            # (t_d + W: a designation that replaces another starts the clock again)
            c = designations.reshuffled_cap(c, kappa, day - ps[P_DES_DAY] - ps[P_WIND_DOWN],
                                            mp[M_RESHUFFLE])
        flex = designations.front_load_factor(status, exposure, threshold, owned,
                                              bp[b, B_FLEX])
        base[b] = bp[b, B_BASE] * flex + bs[b, BS_ADAPTED]
        slope[b] = bp[b, B_SLOPE] * flex
        lag[b] = bp[b, B_LAG]
        premium[b] = wedges.buyer_premium(exposure, mp[M_PREMIUM_SCALE], kappa, transient,
                                          stopped, mp[M_ND_PREMIUM])
        volume[b] = bs[b, BS_VOLUME]
        # a ramp limit r (mb/d a day; 0: none) as a cap on the long-run demand at v + r L:
        # the short-run demand v + (q* - v)/L then rises at most r a day
        ramp = bp[b, B_RAMP]
        caps[b] = min(c, volume[b] + ramp * lag[b]) if ramp > 0.0 else c
        bs[b, BS_PREMIUM] = premium[b]
        bs[b, BS_CAP] = c
    wedge = mp[M_FREIGHT] + ms[S_PREMIUM]
    capacity = capacity_today(mp, ps)
    ms[S_CAPACITY] = capacity
    # designated tankers cannot all be replaced at once: part of the fading shortfall of
    # shipping (reached with the freight lag) cannot be offered (stored or shut in)
    ms[S_SHORTFALL] = wedges.adjust_toward(ms[S_SHORTFALL], mp[M_BOTTLENECK] * transient,
                                           mp[M_FREIGHT_LAG])
    shippable = capacity * (1.0 - ms[S_SHORTFALL])
    # stock that may be released today; how much of it is offered depends on the price
    # the market clears at (clearing.release_share)
    releasable = clearing.releasable(ms[S_STOCK], mp[M_RELEASE_RATE])
    market = clearing.Market(brent_prev, wedge, shippable, releasable, mp[M_ZERO], mp[M_FULL],
                             mp[M_REF], mp[M_MIN_DISC])
    d, offered = clearing.clear_under_price_cap(
        market, work, purchases, ms[S_DELIVERED], bp[:, B_COMPLIANT],
        max(cap - mp[M_CAP_MARGIN], 1e-9) if cap > 0.0 else 0.0)
    released = releasable * clearing.release_share(brent_prev - d - wedge, mp[M_ZERO],
                                                   mp[M_FULL]) if releasable > 0.0 else 0.0
    exports = 0.0
    adapting = mp[M_ADAPT] > 0.0  # half-life 0: no adaptation
    keep = ms[S_ADAPT_KEEP]
    for b in range(n_buyers):
        exports += purchases[b]
        bs[b, BS_VOLUME] = purchases[b]
        if adapting:  # shipping, payments and slates adapt to barrels taken above base
            nominal = base[b] - bs[b, BS_ADAPTED]
            bs[b, BS_ADAPTED] = clearing.adapted_shift(bs[b, BS_ADAPTED],
                                                       purchases[b] - nominal, keep)
    stored, shut_in = clearing.split_withheld(capacity, released, exports, ms[S_STOCK],
                                              mp[M_STORAGE_CAP], mp[M_STORAGE_RATE])
    ms[S_STOCK] += stored - released
    # Brent: barrels missing from the world today against the start capacity (withheld, and
    # a capacity cut; a rise is a surplus), net of spare capacity, and expectations
    missing = mp[M_CAPACITY] - exports
    loss = _brent.net_loss(missing, tp.spare, tp.response) if missing > 0.0 else missing
    ms[S_EXPECTED], ms[S_PERCEIVED] = _brent.update_expectation(
        ms[S_EXPECTED], ms[S_PERCEIVED], inputs.news, ms[S_EXP_KEEP], mp[M_EXP_LAG])
    ms[S_SHOCK] = mp[M_BRENT_RHO] * ms[S_SHOCK] + mp[M_BRENT_VOL] * inputs.z
    p = _brent.brent_price(mp[M_BRENT0], loss, ms[S_PERCEIVED], mp[M_WORLD], mp[M_ES],
                           mp[M_ED], ms[S_SHOCK])
    ms[S_BRENT] = p
    ms[S_DELIVERED] = d
    # the Urals price stays at least MIN_URALS_USD above 0 (Brent may fall below the price
    # at which the market cleared on yesterday's Brent)
    ms[S_FOB_DISC] = min(wedges.fob_discount(d, mp[M_FREIGHT], ms[S_PREMIUM]), p - MIN_URALS_USD)
    ms[S_FOB] = wedges.fob_price(p, ms[S_FOB_DISC])
    ms[S_EXPORTS] = exports
    ms[S_OFFERED] = offered
    ms[S_STORED] = stored
    ms[S_SHUT_IN] = shut_in
    ms[S_RELEASED] = released
    ms[S_LOSS] = loss
    ms[S_REVENUE] = wedges.revenue_fob(exports, ms[S_FOB])


@njit(cache=True, error_model="numpy")
def capacity_today(mp, ps) -> float:
    """Today's export capacity, mb/d: the scenario's (``mp``) plus the dated changes applied
    so far (``ps``), never below 0 (docs/model.md 4.7)."""
    return max(mp[M_CAPACITY] + ps[P_CAPACITY], 0.0)


@njit(cache=True, error_model="numpy")
def capacity_paths(actions, mp, n_days: int) -> np.ndarray:
    """(rows, n_days) export capacity of each row of trade ``actions`` (rows x flat action
    rows) and market parameters ``mp`` (rows x NM) on every day: the changes applied as the
    engines apply them (:func:`apply_actions_today`), read by :func:`capacity_today`."""
    out = np.empty((actions.shape[0], n_days))
    embargo = np.zeros(0)          # only capacity changes apply here; none uses it
    for r in range(actions.shape[0]):
        ps = np.zeros(NP)
        for day in range(n_days):
            apply_actions_today(actions[r], day, ps, embargo, False)
            out[r, day] = capacity_today(mp[r], ps)
    return out
