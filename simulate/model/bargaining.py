"""Bargaining between the belligerents: expected outcomes and costs of fighting on,
reservation points that soften, Fearon's zone of agreement and the protocols' terms.

Rules over ONE replicate (numba ``@njit(cache=True)``; plain Python under
``NUMBA_DISABLE_JIT=1``). Terms are the occupier's share of the contested regions, aggregated
with the region weights ``w`` (share of the weighted territory). Costs are in share-eq: the
share of the weighted territory a side would give up to avoid them (docs/model.md 4.6).

Sources: Fearon (1995) for the range ``(p_occ - C_occ, p_def + C_def)``; Schelling (1966) and
Drezner (2003) for threats that act before they are carried out (their credibility-weighted
cost enters the cost of fighting on); Nash (1950) and Rubinstein (1982) for the terms.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

__all__ = ["NASH", "ALTERNATING_OFFERS", "SPLIT_THE_DIFFERENCE", "Protocol",
           "threat_expected_cost", "expected_share", "soften_occupier", "soften_defender",
           "softening_load", "demand_envelope", "region_bounds", "zone", "rubinstein_share",
           "protocol_terms", "fight_values"]

#: protocol codes (as ``params.PROTOCOLS``)
NASH, ALTERNATING_OFFERS, SPLIT_THE_DIFFERENCE = 0, 1, 2
_EPS = 1e-12


class Protocol(NamedTuple):
    """How the terms inside the zone are set (:func:`protocol_terms`); numba builds and
    passes it in nopython mode."""

    #: protocol code: NASH, ALTERNATING_OFFERS or SPLIT_THE_DIFFERENCE
    kind: int
    #: the occupier's bargaining power ``a`` in [0, 1] (NASH)
    nash_power: float
    #: whether the occupier makes the first offer (ALTERNATING_OFFERS)
    occ_proposes: bool


@njit(cache=True)
def threat_expected_cost(prob: float, per_day: float, days_to_effect: float,
                         horizon: float) -> float:
    """Expected extra cost (share-eq) over a valuation horizon of ``horizon`` days from a
    measure that comes with probability ``prob`` and, once in force ``days_to_effect`` days
    from today, costs ``per_day`` share-eq/day: ``prob * per_day * max(H - max(d, 0), 0)``.

    The same expression gives the expected extra front movement (share) of a threat that
    changes the drift by ``per_day`` share/day (aid suspended to the defender)."""
    d = days_to_effect if days_to_effect > 0.0 else 0.0
    left = horizon - d
    if left <= 0.0 or prob <= 0.0:
        return 0.0
    return prob * per_day * left


@njit(cache=True)
def expected_share(control: np.ndarray, drift: np.ndarray, bias: float, horizon: float,
                   weight: np.ndarray, shift: float) -> float:
    """Aggregate share a side expects after fighting ``horizon`` days: each region's line
    moved by ``horizon * (drift_k + bias) + shift``, bounded to [0, 1], weighted by ``w``.

    ``bias`` is the side's believed extra drift (share/day, signed: + for the occupier's
    optimism, - for the defender's); ``shift`` the expected extra movement (share) from a
    pending measure that changes the drift (:func:`threat_expected_cost`)."""
    total = 0.0
    wsum = 0.0
    for k in range(control.shape[0]):
        v = control[k] + horizon * (drift[k] + bias) + shift
        v = min(max(v, 0.0), 1.0)
        total += weight[k] * v
        wsum += weight[k]
    return total / wsum if wsum > 0.0 else 0.0


@njit(cache=True)
def fight_values(p_occ: float, p_def: float, cost_occ: float,
                 cost_def: float) -> tuple[float, float]:
    """Fearon's bounds (aggregate share): the occupier prefers any terms above
    ``p_occ - cost_occ`` to fighting on, the defender any terms below ``p_def + cost_def``."""
    return p_occ - cost_occ, p_def + cost_def


@njit(cache=True)
def softening_load(cumulative_cost: float, expected_cost: float, resolve: float) -> float:
    """How far a side's resolve is used up: ``(C + E) / R`` with ``C`` the cost borne so far
    and ``E`` the credibility-weighted cost of pending threats over the horizon (share-eq);
    0 when the resolve is infinite (never softens)."""
    if not np.isfinite(resolve):
        return 0.0
    if resolve <= 0.0:
        return np.inf
    return max(cumulative_cost + expected_cost, 0.0) / resolve


@njit(cache=True)
def _soften(reservation0: np.ndarray, control: np.ndarray, load: float,
            past_line_rate: float, sign: float) -> np.ndarray:
    """Reservation points moved by ``sign`` (-1 the occupier's, down; +1 the defender's,
    up): toward the line by ``min(L, 1)`` of the gap, then past it by the rate per unit of
    load beyond 1; bounded between the starting point and 0 (occupier) or 1 (defender)."""
    out = np.empty(control.shape[0])
    toward = min(load, 1.0)
    # at resolve 0 the load is infinite: at the line at once, and past it only if the
    # rate is positive (0 x inf would be NaN)
    past = past_line_rate * max(load - 1.0, 0.0) if past_line_rate > 0.0 else 0.0
    for k in range(control.shape[0]):
        x = control[k]
        r0 = x if np.isnan(reservation0[k]) else reservation0[k]
        r = r0 + sign * (toward * max(sign * (x - r0), 0.0) + past)
        out[k] = max(min(r, 1.0), r0) if sign > 0.0 else min(max(r, 0.0), r0)
    return out


@njit(cache=True)
def soften_occupier(reservation0: np.ndarray, control: np.ndarray, load: float,
                    past_line_rate: float) -> np.ndarray:
    """The occupier's reservation point per region (the smallest share it accepts).

    From its starting point ``r0`` (NaN = the line) it moves linearly toward the line as the
    load ``L`` (:func:`softening_load`) goes from 0 to 1, then past the line (giving back
    territory) by ``past_line_rate`` share of the region per unit of load beyond 1:
    ``r = r0 - min(L, 1) * max(r0 - x, 0) - rate * max(L - 1, 0)``, bounded to [0, r0]."""
    return _soften(reservation0, control, load, past_line_rate, -1.0)


@njit(cache=True)
def soften_defender(reservation0: np.ndarray, control: np.ndarray, load: float,
                    past_line_rate: float) -> np.ndarray:
    """The defender's reservation point per region (the largest occupier share it accepts),
    the mirror image of :func:`soften_occupier`:
    ``r = r0 + min(L, 1) * max(x - r0, 0) + rate * max(L - 1, 0)``, bounded to [r0, 1]."""
    return _soften(reservation0, control, load, past_line_rate, 1.0)


@njit(cache=True)
def demand_envelope(demand_occ: np.ndarray, demand_def: np.ndarray,
                    control: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per region, the interval spanned by the front and both sides' opening demands
    (NaN = the line): ``[min(x, D_occ, D_def), max(x, D_occ, D_def)]``. Terms never leave it,
    so no region moves against the front in a direction neither side asks for."""
    n = control.shape[0]
    lo = np.empty(n)
    hi = np.empty(n)
    for k in range(n):
        x = control[k]
        do = x if np.isnan(demand_occ[k]) else demand_occ[k]
        dd = x if np.isnan(demand_def[k]) else demand_def[k]
        lo[k] = min(x, min(do, dd))
        hi[k] = max(x, max(do, dd))
    return lo, hi


@njit(cache=True)
def region_bounds(res_occ: np.ndarray, res_def: np.ndarray, lo: np.ndarray,
                  hi: np.ndarray) -> tuple[np.ndarray, np.ndarray, bool]:
    """Per-region bounds of acceptable terms: ``a = max(r_occ, lo)``, ``b = min(r_def, hi)``,
    and whether every region has ``a <= b`` (both sides' reservation points compatible)."""
    n = res_occ.shape[0]
    a = np.empty(n)
    b = np.empty(n)
    ok = True
    for k in range(n):
        a[k] = max(res_occ[k], lo[k])
        b[k] = min(res_def[k], hi[k])
        if a[k] > b[k] + _EPS:
            ok = False
    return a, b, ok


@njit(cache=True)
def zone(fight_occ: float, fight_def: float, a: np.ndarray, b: np.ndarray,
         weight: np.ndarray, compatible: bool) -> tuple[float, float, bool]:
    """(low, high, possible): Fearon's range ``[fight_occ, fight_def]`` intersected with the
    aggregate of the per-region bounds ``[sum w a / sum w, sum w b / sum w]``."""
    wsum = 0.0
    agg_a = 0.0
    agg_b = 0.0
    for k in range(a.shape[0]):
        wsum += weight[k]
        agg_a += weight[k] * a[k]
        agg_b += weight[k] * b[k]
    if wsum > 0.0:
        agg_a /= wsum
        agg_b /= wsum
    low = max(fight_occ, agg_a)
    high = min(fight_def, agg_b)
    return low, high, compatible and low <= high + _EPS


@njit(cache=True)
def rubinstein_share(delta_proposer: float, delta_responder: float) -> float:
    """Rubinstein (1982): the proposer's share of the surplus, ``(1 - d2) / (1 - d1 d2)``."""
    return (1.0 - delta_responder) / (1.0 - delta_proposer * delta_responder)


@njit(cache=True)
def protocol_terms(protocol: Protocol, low: float, high: float, p_occ: float,
                   p_def: float, delta_occ: float, delta_def: float) -> float:
    """Aggregate terms (share) inside ``[low, high]`` (width ``w = high - low``) under
    ``protocol`` (:class:`Protocol`); ``p_*`` the sides' expected outcomes of fighting on
    (share), ``delta_*`` their discount factors (per round).

    NASH: ``low + a w``, the maximiser of ``(X - low)^a (high - X)^(1-a)`` (Nash 1950, linear
    utilities, occupier's power ``a``). ALTERNATING_OFFERS: the proposer takes Rubinstein's
    share of the zone: ``low + w (1 - d_def)/(1 - d_occ d_def)`` if the occupier proposes,
    ``high - w (1 - d_occ)/(1 - d_occ d_def)`` if the defender does.
    SPLIT_THE_DIFFERENCE: the midpoint of the two expected outcomes of fighting on,
    ``(p_occ + p_def) / 2``, clipped to the zone.
    """
    width = high - low
    if protocol.kind == NASH:
        return low + protocol.nash_power * width
    if protocol.kind == ALTERNATING_OFFERS:
        if protocol.occ_proposes:
            return low + width * rubinstein_share(delta_occ, delta_def)
        return high - width * rubinstein_share(delta_def, delta_occ)
    return min(max(0.5 * (p_occ + p_def), low), high)
