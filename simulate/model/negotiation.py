"""Negotiation: the zone of possible agreement and the terms each protocol picks.

Aggregate terms ``X`` are the occupier's weighted share of the contested regions. Fighting on
for ``H`` days, a side expects the front to reach ``p`` (its own belief, biased by optimism)
at a cost ``H * daily_cost``. As in Fearon (1995), the occupier accepts ``X >= p_occ - c_occ``
and the defender ``X <= p_def + c_def``; hard demands add per-region floors and ceilings.
"""

from __future__ import annotations

import numpy as np

__all__ = ["hard_limits", "expected_outcome", "zone", "protocol_terms", "region_terms",
           "rubinstein_share"]


def hard_limits(floor_demand, ceil_demand, control, soft_occ, soft_def) -> tuple:
    """Per-region (floor, ceiling) on the occupier's share from hard demands, (R, K).

    A demand of NaN ('line') is the current front line. Once a side's cumulative cost has
    passed its resolve, its demands soften to the line: the occupier's floor falls to
    ``min(demand, line)``, the defender's ceiling rises to ``max(demand, line)``.
    """
    floor = np.where(np.isnan(floor_demand), control, floor_demand)
    ceil = np.where(np.isnan(ceil_demand), control, ceil_demand)
    floor = np.where(soft_occ[:, None], np.minimum(floor, control), floor)
    ceil = np.where(soft_def[:, None], np.maximum(ceil, control), ceil)
    return floor, ceil


def expected_outcome(control, drift, bias, horizon, weight) -> np.ndarray:
    """Aggregate share a side expects after fighting ``horizon`` days with believed drift
    ``drift + bias`` per region (bounded to [0, 1] per region)."""
    believed = np.clip(control + horizon * (drift + np.asarray(bias)[..., None]), 0.0, 1.0)
    return (believed * weight).sum(axis=-1) / np.sum(weight, axis=-1)


def zone(p_occ, p_def, cost_occ, cost_def, floor, ceil, weight) -> tuple:
    """(low, high, possible): the agreements both sides prefer to war that meet hard demands.

    ``floor``/``ceil`` are per-region (R, K) hard demands; ``cost_*`` are the costs of fighting
    on over the valuation horizon (share-eq).
    """
    wsum = np.sum(weight, axis=-1)
    agg_floor = (floor * weight).sum(axis=-1) / wsum
    agg_ceil = (ceil * weight).sum(axis=-1) / wsum
    low = np.maximum(p_occ - cost_occ, agg_floor)
    high = np.minimum(p_def + cost_def, agg_ceil)
    compatible = np.all(floor <= ceil + 1e-12, axis=-1)
    return low, high, (low <= high + 1e-12) & compatible


def rubinstein_share(delta_proposer, delta_responder) -> np.ndarray:
    """Rubinstein (1982): the proposer's share of the surplus, ``(1-d2)/(1-d1*d2)``."""
    return (1.0 - delta_responder) / (1.0 - delta_proposer * delta_responder)


def protocol_terms(protocol, low, high, p_occ, p_def, nash_power, delta_occ, delta_def,
                   occ_proposes: bool) -> np.ndarray:
    """Aggregate terms chosen inside [low, high].

    0 nash: ``low + power * (high - low)`` (Nash bargaining with linear utilities; the midpoint
    for equal power). 1 alternating_offers: the proposer takes Rubinstein's share of the
    contested part. 2 split_the_difference: the midpoint of the two sides' expected outcomes,
    clipped into the zone.
    """
    width = high - low
    nash = low + nash_power * width
    if occ_proposes:
        rubinstein = low + width * rubinstein_share(delta_occ, delta_def)
    else:
        rubinstein = high - width * rubinstein_share(delta_def, delta_occ)
    split = np.clip(0.5 * (p_occ + p_def), low, high)
    return np.select([protocol == 0, protocol == 1], [nash, rubinstein], split)


def region_terms(x, floor, ceil, weight) -> np.ndarray:
    """Per-region terms (R, K) with aggregate ``x``: from each floor toward each ceiling by the
    same fraction, so every hard demand holds."""
    wsum = np.sum(weight, axis=-1)
    agg_floor = (floor * weight).sum(axis=-1) / wsum
    room = ((ceil - floor) * weight).sum(axis=-1) / wsum
    theta = np.divide(x - agg_floor, room, out=np.zeros(np.shape(room)), where=room > 0)
    return floor + np.clip(theta, 0.0, 1.0)[..., None] * (ceil - floor)
