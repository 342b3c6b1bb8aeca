"""The trade day on the engines' records: a replicate's day-0 trade state, and the trade day
(:func:`simulate.model.tradeday.trade_day`) run on the fields of its parameter and state
records (simulate.model.params, simulate.model.state), with the results mirrored into the
fields the other phases read (docs/model.md 3.1, 1.3)."""

from __future__ import annotations

import numpy as np
from numba import njit

from .tradearrays import TradeInputs, TradeParams, TradeState
from .tradeday import (
    NR,
    R_DAY,
    S_BRENT,
    S_CAPACITY,
    S_EXPORTS,
    S_FOB_DISC,
    S_LOSS,
    S_REVENUE,
    S_SHOCK,
    S_SHUT_IN,
    initial_market_state,
    remembered_relief,
    trade_day,
)

__all__ = ["init_trade_state", "trade_phase"]


@njit(cache=True, error_model="numpy")
def init_trade_state(p, q) -> None:
    """Day-0 trade state of one replicate's state record ``q`` from its parameter record."""
    initial_market_state(p.trade_bp[:p.B], p.trade_mp, q.trade_ms, q.trade_bs[:p.B])
    q.trade_ps[:] = p.trade_ps0
    for m in range(p.M):
        q.embargo[m] = -1.0
        q.directive[m] = 1.0
        for k in range(NR):
            q.trade_relief[m, k] = np.nan
        q.suspended[m] = 0.0
    _weighed_before_the_start(p, q)
    q.discount = q.trade_ms[S_FOB_DISC]
    q.revenue = q.trade_ms[S_REVENUE]
    q.bought = q.trade_ms[S_EXPORTS]


@njit(cache=True, error_model="numpy")
def _weighed_before_the_start(p, q) -> None:
    """Each government's decision memory on day 0: it has weighed the situation before the
    start (the timeline's tariffs before day 0's actions, the threat pending at its
    credibility: :func:`simulate.model.tradeday.remembered_relief` on the empty memo) and the
    directive in force is the observed one (none), so it decides again only when a measure
    dated day 0 or later changes what it weighs, or at its review."""
    prob = p.credibility if p.has_threat else 0.0
    for m in range(p.M):
        remembered_relief(p.trade_ip, m, q.tariff_tl[m], p.threatened[m], prob,
                          q.trade_relief)
        q.trade_relief[m, R_DAY] = 0.0


@njit(cache=True, error_model="numpy")
def trade_phase(p, q, day: int, z: float) -> tuple[float, float]:
    """The trade day of one replicate from its records (the tariffs, threat and news set by
    the day's policy); mirrors the result into the state fields the other phases read:
    ``volume`` (purchases), ``bought`` (exports), ``discounted`` (0), ``shut_in`` (barrels
    shut in today, never negative; the market state's ``shut_in``), ``brent``, ``discount``
    (FOB) and ``revenue`` (at FOB). Returns (withheld, loss), mb/d: withheld is today's
    capacity less exports (stored and shut in, net of releases; negative when released
    barrels are sold)."""
    trade_day(day,
              TradeParams(p.trade_bp[:p.B], p.trade_ip[:p.M], p.trade_mp,
                          p.spare_capacity[:p.S], p.response_share[:p.S]),
              TradeState(q.trade_ps, q.embargo[:p.M], q.trade_ms, q.trade_bs[:p.B],
                         q.directive[:p.M], q.trade_relief[:p.M], q.trade_work[:, :p.B],
                         q.volume[:p.B]),
              TradeInputs(q.trade_tariff[:p.M], q.trade_threat[:p.M], q.trade_prob,
                          q.trade_news, z))
    ms = q.trade_ms
    withheld = ms[S_CAPACITY] - ms[S_EXPORTS]
    q.bought = ms[S_EXPORTS]
    q.discounted = 0.0
    q.shut_in = ms[S_SHUT_IN]
    q.brent = ms[S_BRENT]
    q.brent_shock = ms[S_SHOCK]
    q.discount = ms[S_FOB_DISC]
    q.revenue = ms[S_REVENUE]
    return withheld, ms[S_LOSS]

