"""The trade side's policy state and the timeline actions that set it (docs/model.md
4.7-4.10): designations, tanker designations, price caps, embargoes, lasting world-market
shifts and dated changes of export capacity, as rows of :data:`NA` numbers a replicate
holds (at most :data:`MAX_TRADE_ACTIONS`), applied on their day by the compiled day of
both engines (:func:`apply_actions_today`)."""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["apply_action", "apply_actions_today", "empty_policy",
           "A_DESIGNATION", "A_TANKERS", "A_PRICE_CAP", "A_EMBARGO", "A_LIFT_DESIGNATION",
           "A_WORLD", "A_CAPACITY", "A_NEWS", "MAX_TRADE_ACTIONS", "NA",
           "P_NAMES", "P_DES_SHARE", "P_DES_DAY", "P_WIND_DOWN", "P_TANKER_SHARE",
           "P_TANKER_DAY", "P_PRICE_CAP", "P_WORLD_NEWS", "P_CAPACITY", "NP"]

# ----- policy state (ps) ------------------------------------------------------------------
# P_CAPACITY: the dated changes of the occupier's export capacity added up so far, mb/d
P_NAMES = ("designated_share", "designation_day", "wind_down_days", "tanker_share",
           "tanker_day", "price_cap", "world_news_per_day", "capacity_change")
(P_DES_SHARE, P_DES_DAY, P_WIND_DOWN, P_TANKER_SHARE, P_TANKER_DAY, P_PRICE_CAP,
 P_WORLD_NEWS, P_CAPACITY) = range(8)
NP = 8


# ----- timeline actions on the trade side ---------------------------------------------------
#: action codes for :func:`apply_action` (A_NEWS: a row with news for Brent only; A_WORLD: a
#: lasting world-market shift, its daily news in the price column; A_CAPACITY: a change of
#: the occupier's export capacity, mb/d in the price column)
(A_DESIGNATION, A_TANKERS, A_PRICE_CAP, A_EMBARGO, A_LIFT_DESIGNATION, A_WORLD,
 A_CAPACITY) = range(7)
A_NEWS = -1
#: rows of trade actions a replicate holds, and their width: (day, code, share, wind-down,
#: price, target, news); unused rows have a NaN day
MAX_TRADE_ACTIONS = 16
NA = 7


@njit(cache=True, error_model="numpy")
def apply_action(ps, embargo, code: int, day: int, share: float, wind_down: float,
                 price: float, target: int) -> None:
    """Apply one trade-side timeline action dated ``day`` to the policy state.

    A designation sets the designated share (the total, not an increment), its effective day
    and wind-down; tanker designations set the designated share of the fleet and restart the
    freight shock; a price cap sets the cap (0 removes it); an embargo stops ``target``'s
    buyers from ``day``; lifting designations clears them; a lasting world-market shift sets
    the news renewed every day from ``day`` (``price``, mb/d a day; it replaces the last one);
    a change of export capacity adds ``price`` (mb/d, negative: a cut) to the changes so far.
    """
    if code == A_DESIGNATION:
        ps[P_DES_SHARE] = share
        ps[P_DES_DAY] = day
        ps[P_WIND_DOWN] = wind_down
    elif code == A_TANKERS:
        ps[P_TANKER_SHARE] = share
        ps[P_TANKER_DAY] = day
    elif code == A_PRICE_CAP:
        ps[P_PRICE_CAP] = price
    elif code == A_EMBARGO:
        embargo[target] = day
    elif code == A_LIFT_DESIGNATION:
        ps[P_DES_SHARE] = 0.0
        ps[P_DES_DAY] = -1.0
        ps[P_WIND_DOWN] = 0.0
    elif code == A_WORLD:
        ps[P_WORLD_NEWS] = price
    elif code == A_CAPACITY:
        ps[P_CAPACITY] += price


def empty_policy() -> np.ndarray:
    """Policy state with nothing in force."""
    ps = np.zeros(NP)
    ps[P_DES_DAY] = -1.0
    ps[P_TANKER_DAY] = -1.0
    return ps


@njit(cache=True, error_model="numpy")
def apply_actions_today(actions, day: int, ps, embargo, live: bool = True) -> float:
    """Apply the trade action rows dated ``day`` (flat rows of :data:`NA` values, sorted by
    day, NaN-terminated); returns the day's news for Brent (expected loss, mb/d): the
    actions' own plus the daily news of a lasting world-market shift in force
    (docs/model.md 4.11). When the measures are not ``live`` (a deal lifted them) only the
    changes of export capacity apply, which are not measures (and no news is returned)."""
    news = 0.0
    for i in range(MAX_TRADE_ACTIONS):
        when = actions[i * NA]
        if np.isnan(when) or when > day:
            break
        if int(when) != day:
            continue
        code = int(actions[i * NA + 1])
        if not live and code != A_CAPACITY:
            continue
        news += actions[i * NA + 6]
        if code >= 0:
            apply_action(ps, embargo, code, day, actions[i * NA + 2], actions[i * NA + 3],
                         actions[i * NA + 4], int(actions[i * NA + 5]))
    return news + ps[P_WORLD_NEWS] if live else 0.0
