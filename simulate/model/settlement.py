"""One round of talks for ONE replicate: the rules of :mod:`bargaining`, :mod:`allocation`
and :mod:`learning` put together in the order of docs/model.md 4.6.

Inputs are the values the negotiation phase holds on the day of the talks; the phase decides
whether talks are held, draws the agreement uniform and applies a deal. Units: shares of a
region or of the weighted territory; share-eq for costs; days.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .allocation import allocate_terms
from .bargaining import (
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

__all__ = ["horizon_cost", "reservation_points", "talks_round"]


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
def reservation_points(res0_occ: np.ndarray, res0_def: np.ndarray, control: np.ndarray,
                       borne_occ: float, borne_def: float, threat_occ: float,
                       threat_def: float, resolve_occ: float, resolve_def: float,
                       past_occ: float, past_def: float) -> tuple[np.ndarray, np.ndarray]:
    """Both sides' softened reservation points per region: the load of each side is the
    cost borne so far plus its pending threats' expected cost over its resolve."""
    r_occ = soften_occupier(res0_occ, control, softening_load(borne_occ, threat_occ,
                                                              resolve_occ), past_occ)
    r_def = soften_defender(res0_def, control, softening_load(borne_def, threat_def,
                                                              resolve_def), past_def)
    return r_occ, r_def


@njit(cache=True)
def talks_round(control: np.ndarray, drift: np.ndarray, weight: np.ndarray, horizon: float,
                bias_occ: float, bias_def: float, shift: float, cost_occ: float,
                cost_def: float, r_occ: np.ndarray, r_def: np.ndarray,
                demand_occ: np.ndarray, demand_def: np.ndarray, protocol: int,
                nash_power: float, delta_occ: float, delta_def: float, occ_proposes: bool,
                value_occ: np.ndarray, value_def: np.ndarray):
    """Expected outcomes, zone and terms of one round of talks.

    ``bias_*`` are the believed extra drifts (share/day, signed), ``shift`` the expected
    extra front movement from a pending pressure threat (share), ``cost_*`` the costs of
    fighting on over the horizon (:func:`horizon_cost`), ``r_*`` the reservation points
    (:func:`reservation_points`), ``demand_*`` the opening demands (NaN = line),
    ``value_*`` the sides' region priorities.

    Returns ``(p_occ, p_def, low, high, possible, x, terms, a, b)``: ``x`` the aggregate
    terms of the protocol and ``terms`` the per-region terms
    (:func:`allocation.allocate_terms`), the line with ``x`` NaN when no deal is possible;
    ``a``, ``b`` the per-region bounds (:func:`bargaining.region_bounds`).
    """
    p_occ = expected_share(control, drift, bias_occ, horizon, weight, shift)
    p_def = expected_share(control, drift, bias_def, horizon, weight, shift)
    f_occ, f_def = fight_values(p_occ, p_def, cost_occ, cost_def)
    lo, hi = demand_envelope(demand_occ, demand_def, control)
    a, b, compatible = region_bounds(r_occ, r_def, lo, hi)
    low, high, possible = zone(f_occ, f_def, a, b, weight, compatible)
    if not possible:
        return p_occ, p_def, low, high, False, np.nan, control.copy(), a, b
    x = protocol_terms(protocol, low, high, p_occ, p_def, nash_power, delta_occ, delta_def,
                       occ_proposes)
    terms = allocate_terms(x, control, a, b, weight, value_occ, value_def)
    return p_occ, p_def, low, high, True, x, terms, a, b
