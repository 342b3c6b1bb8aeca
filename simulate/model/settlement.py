"""One round of talks for ONE replicate: the rules of :mod:`bargaining`, :mod:`allocation`
and :mod:`learning` put together in the order of docs/model.md 4.6.

Inputs are the values the negotiation phase holds on the day of the talks; the phase decides
whether talks are held, draws the agreement uniform and applies a deal. Each side's values
travel together, in a :class:`Softening` (its reservation points' inputs) and a :class:`Side`
(its values at the table); numba builds and passes both in nopython mode. Units: shares of a
region or of the weighted territory; share-eq for costs; days.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from .allocation import allocate_terms
from .bargaining import (
    Protocol,
    demand_envelope,
    expected_share,
    fight_values,
    protocol_terms,
    region_bounds,
    soften_defender,
    soften_occupier,
    softening_load,
    threat_expected_cost,
    zone,
)

__all__ = ["Softening", "Side", "horizon_cost", "reservation_points", "talks_round"]


class Softening(NamedTuple):
    """What one side's reservation points soften from (:func:`reservation_points`)."""

    #: starting reservation point per region (share of the region; NaN = the line)
    start: np.ndarray
    #: cost of the war borne so far (share-eq)
    borne: float
    #: credibility-weighted expected cost of its pending threats over the horizon (share-eq)
    threat: float
    #: resolve: the borne plus threatened cost at which its load reaches 1 (share-eq;
    #: inf = never softens)
    resolve: float
    #: how far past the line it goes per unit of load beyond 1 (share of a region)
    past_rate: float


class Side(NamedTuple):
    """One side's values at the table (:func:`talks_round`)."""

    #: believed extra drift of the front (share/day, signed: + the occupier's optimism,
    #: - the defender's)
    bias: float
    #: cost of fighting on over the horizon (share-eq; :func:`horizon_cost`)
    cost: float
    #: softened reservation point per region (share; :func:`reservation_points`)
    reservation: np.ndarray
    #: opening demand per region (share; NaN = the line)
    demand: np.ndarray
    #: discount factor (per round; ALTERNATING_OFFERS only)
    delta: float
    #: priority of each region (value per unit share, :func:`allocation.allocate_terms`)
    value: np.ndarray


@njit(cache=True)
def horizon_cost(horizon: float, daily_cost: float, prob1: float, per_day1: float,
                 days1: float, prob2: float, per_day2: float,
                 days2: float) -> tuple[float, float]:
    """(total, threats) cost of fighting on for ``horizon`` days, share-eq: ``H c`` plus,
    for each of two threats not yet in force, ``pi_j L_j max(H - d_j, 0)`` (its
    credibility-weighted expected cost, :func:`bargaining.threat_expected_cost`); ``threats``
    is the second part (a threat with probability 0 adds nothing)."""
    threats = (threat_expected_cost(prob1, per_day1, days1, horizon)
               + threat_expected_cost(prob2, per_day2, days2, horizon))
    return horizon * daily_cost + threats, threats


@njit(cache=True)
def reservation_points(control: np.ndarray, occupier: Softening,
                       defender: Softening) -> tuple[np.ndarray, np.ndarray]:
    """Both sides' softened reservation points per region (share of the region): the load
    of each side is the cost borne so far plus its pending threats' expected cost over its
    resolve (:func:`bargaining.softening_load`), ``control`` the line (share per region)."""
    r_occ = soften_occupier(occupier.start, control, softening_load(
        occupier.borne, occupier.threat, occupier.resolve), occupier.past_rate)
    r_def = soften_defender(defender.start, control, softening_load(
        defender.borne, defender.threat, defender.resolve), defender.past_rate)
    return r_occ, r_def


@njit(cache=True)
def talks_round(control: np.ndarray, drift: np.ndarray, weight: np.ndarray, horizon: float,
                shift: float, occupier: Side, defender: Side, protocol: Protocol):
    """Expected outcomes, zone and terms of one round of talks.

    ``control`` is the line (share per region), ``drift`` its expected daily move
    (share/day), ``weight`` the region weights, ``horizon`` the valuation horizon (days),
    ``shift`` the expected extra front movement from a pending pressure threat (share); each
    side's values at the table are in its :class:`Side`, the protocol in ``protocol``
    (:class:`bargaining.Protocol`).

    Returns ``(p_occ, p_def, low, high, possible, x, terms, a, b)``: ``x`` the aggregate
    terms of the protocol and ``terms`` the per-region terms
    (:func:`allocation.allocate_terms`), the line with ``x`` NaN when no deal is possible;
    ``a``, ``b`` the per-region bounds (:func:`bargaining.region_bounds`).
    """
    p_occ = expected_share(control, drift, occupier.bias, horizon, weight, shift)
    p_def = expected_share(control, drift, defender.bias, horizon, weight, shift)
    f_occ, f_def = fight_values(p_occ, p_def, occupier.cost, defender.cost)
    lo, hi = demand_envelope(occupier.demand, defender.demand, control)
    a, b, compatible = region_bounds(occupier.reservation, defender.reservation, lo, hi)
    low, high, possible = zone(f_occ, f_def, a, b, weight, compatible)
    if not possible:
        return p_occ, p_def, low, high, False, np.nan, control.copy(), a, b
    x = protocol_terms(protocol, low, high, p_occ, p_def, occupier.delta, defender.delta)
    terms = allocate_terms(x, control, a, b, weight, occupier.value, defender.value)
    return p_occ, p_def, low, high, True, x, terms, a, b
