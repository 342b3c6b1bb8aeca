"""Negotiation: the zone of possible agreement and the terms each protocol picks.

Aggregate terms ``X`` are the occupier's weighted share of the contested regions. Fighting on
for ``H`` days, a side expects the front to reach ``p`` (its own belief, biased by optimism)
at a cost ``H * daily_cost``. As in Fearon (1995), the occupier accepts ``X >= p_occ - c_occ``
and the defender ``X <= p_def + c_def``; hard demands add per-region floors and ceilings.
Per-region arguments are 1-D arrays over the K regions of one replicate.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

__all__ = ["hard_limits", "expected_outcome", "weighted_mean", "zone", "protocol_terms",
           "region_terms", "rubinstein_share", "NASH", "ALTERNATING_OFFERS",
           "SPLIT_THE_DIFFERENCE"]

#: protocol codes (``simulate.model.sampling.PROTOCOLS``)
NASH, ALTERNATING_OFFERS, SPLIT_THE_DIFFERENCE = 0, 1, 2
#: slack allowed when comparing bounds (shares)
_SLACK = 1e-12


@njit(cache=True, error_model="numpy")
def hard_limits(floor_demand: np.ndarray, ceil_demand: np.ndarray, control: np.ndarray,
                soft_occ: bool, soft_def: bool, floor: np.ndarray, ceil: np.ndarray) -> None:
    """Per-region floor and ceiling on the occupier's share from hard demands, into
    ``floor`` and ``ceil``.

    A demand of NaN ('line') is the current front line. Once a side's cumulative cost has
    passed its resolve, its demands soften to the line: the occupier's floor falls to
    ``min(demand, line)``, the defender's ceiling rises to ``max(demand, line)``.
    """
    for k in range(control.shape[0]):
        f = control[k] if math.isnan(floor_demand[k]) else floor_demand[k]
        c = control[k] if math.isnan(ceil_demand[k]) else ceil_demand[k]
        floor[k] = min(f, control[k]) if soft_occ else f
        ceil[k] = max(c, control[k]) if soft_def else c


@njit(cache=True, error_model="numpy")
def weighted_mean(values: np.ndarray, weight: np.ndarray) -> float:
    """``sum(values * weight) / sum(weight)`` over the regions."""
    total = 0.0
    wsum = 0.0
    for k in range(values.shape[0]):
        total += values[k] * weight[k]
        wsum += weight[k]
    return total / wsum


@njit(cache=True, error_model="numpy")
def expected_outcome(control: np.ndarray, drift: np.ndarray, bias: float, horizon: float,
                     weight: np.ndarray) -> float:
    """Aggregate share a side expects after fighting ``horizon`` days with believed drift
    ``drift + bias`` (share/day) per region (bounded to [0, 1] per region)."""
    total = 0.0
    wsum = 0.0
    for k in range(control.shape[0]):
        believed = min(max(control[k] + horizon * (drift[k] + bias), 0.0), 1.0)
        total += believed * weight[k]
        wsum += weight[k]
    return total / wsum


@njit(cache=True, error_model="numpy")
def zone(p_occ: float, p_def: float, cost_occ: float, cost_def: float, floor: np.ndarray,
         ceil: np.ndarray, weight: np.ndarray) -> tuple[float, float, bool]:
    """(low, high, possible): the agreements both sides prefer to war that meet hard demands.

    ``cost_*`` are the costs of fighting on over the valuation horizon (share-eq).
    """
    low = max(p_occ - cost_occ, weighted_mean(floor, weight))
    high = min(p_def + cost_def, weighted_mean(ceil, weight))
    compatible = True
    for k in range(floor.shape[0]):
        if not floor[k] <= ceil[k] + _SLACK:
            compatible = False
    return low, high, (low <= high + _SLACK) and compatible


@njit(cache=True, error_model="numpy")
def rubinstein_share(delta_proposer: float, delta_responder: float) -> float:
    """Rubinstein (1982): the proposer's share of the surplus, ``(1-d2)/(1-d1*d2)``."""
    return (1.0 - delta_responder) / (1.0 - delta_proposer * delta_responder)


@njit(cache=True, error_model="numpy")
def protocol_terms(protocol: int, low: float, high: float, p_occ: float, p_def: float,
                   nash_power: float, delta_occ: float, delta_def: float,
                   occ_proposes: bool) -> float:
    """Aggregate terms chosen inside [low, high].

    0 nash: ``low + power * (high - low)`` (Nash bargaining with linear utilities; the midpoint
    for equal power). 1 alternating_offers: the proposer takes Rubinstein's share of the
    contested part. 2 split_the_difference: the midpoint of the two sides' expected outcomes,
    clipped into the zone.
    """
    width = high - low
    if protocol == NASH:
        return low + nash_power * width
    if protocol == ALTERNATING_OFFERS:
        if occ_proposes:
            return low + width * rubinstein_share(delta_occ, delta_def)
        return high - width * rubinstein_share(delta_def, delta_occ)
    return min(max(0.5 * (p_occ + p_def), low), high)


@njit(cache=True, error_model="numpy")
def region_terms(x: float, floor: np.ndarray, ceil: np.ndarray, weight: np.ndarray,
                 out: np.ndarray) -> None:
    """Per-region terms with aggregate ``x``, into ``out``: from each floor toward each
    ceiling by the same fraction, so every hard demand holds."""
    agg_floor = weighted_mean(floor, weight)
    room = 0.0
    wsum = 0.0
    for k in range(floor.shape[0]):
        room += (ceil[k] - floor[k]) * weight[k]
        wsum += weight[k]
    room = room / wsum
    theta = (x - agg_floor) / room if room > 0 else 0.0
    theta = min(max(theta, 0.0), 1.0)
    for k in range(floor.shape[0]):
        out[k] = floor[k] + theta * (ceil[k] - floor[k])
