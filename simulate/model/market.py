"""The oil market: the occupier's exports, the Urals discount, Brent and oil revenue.

Barrels are conserved: ``offered = bought + discounted + shut_in`` (all mb/d), where
``offered`` is the export capacity, ``bought`` what the modelled buyers take, ``discounted``
the unsold barrels placed elsewhere at the (wider) discount and ``shut_in`` the rest.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

__all__ = ["price_ratio", "urals_discount", "split_unsold", "supply_loss", "brent_price",
           "oil_revenue", "MIN_URALS_USD", "MIN_ELASTICITY_SUM", "MAX_LOSS_SHARE"]

#: the Urals price is kept at least this far above zero, USD/bbl
MIN_URALS_USD = 1.0

#: smallest ``supply_elasticity + |demand_elasticity|`` a scenario may have (an order of
#: magnitude below the literature's smallest sums): below it the price response overflows
MIN_ELASTICITY_SUM = 0.01

#: the share of world supply lost is capped here in the price response
MAX_LOSS_SHARE = 0.99


@njit(cache=True, error_model="numpy")
def price_ratio(loss_share: float, supply_elasticity: float, demand_elasticity: float) -> float:
    """Equilibrium price ratio P/P0 after losing a share ``s`` of world supply.

    With constant-elasticity curves ``S = (1-s) P^es`` and ``D = P^ed`` the market clears at
    ``P/P0 = (1-s)^(-1/(es + |ed|))``, i.e. ``%dP ~ s / (es + |ed|)`` for small s.
    """
    s = min(max(loss_share, 0.0), MAX_LOSS_SHARE)
    return (1.0 - s) ** (-1.0 / (supply_elasticity + abs(demand_elasticity)))


@njit(cache=True, error_model="numpy")
def urals_discount(discount0: float, slope: float, unsold: float) -> float:
    """Urals discount to Brent (USD/bbl): the start value widened by ``slope`` per mb/d unsold."""
    return discount0 + slope * unsold


@njit(cache=True, error_model="numpy")
def split_unsold(unsold: float, reroute_share: float, urals_estimate: float,
                 shutin_price: float) -> tuple[float, float]:
    """(discounted, shut_in) mb/d: a share of unsold barrels is placed elsewhere while the
    Urals price (USD/bbl) stays above the shut-in price; the rest is shut in."""
    placed = reroute_share if urals_estimate > shutin_price else 0.0
    discounted = unsold * placed
    return discounted, unsold - discounted


@njit(cache=True, error_model="numpy")
def supply_loss(shut_in: float, spare_capacity: np.ndarray, response_share: np.ndarray) -> float:
    """Net loss of world supply (mb/d): shut-in barrels less what other suppliers replace,
    each up to its spare capacity (mb/d)."""
    if spare_capacity.shape[0] == 0:
        return shut_in
    replaced = 0.0
    for k in range(spare_capacity.shape[0]):
        replaced += min(spare_capacity[k], response_share[k] * shut_in)
    return max(shut_in - replaced, 0.0)


@njit(cache=True, error_model="numpy")
def brent_price(brent0: float, loss: float, world_demand: float, supply_elasticity: float,
                demand_elasticity: float, shock: float) -> float:
    """Brent (USD/bbl): the equilibrium after the supply loss (mb/d of ``world_demand``)
    times ``exp(shock)``."""
    return brent0 * price_ratio(loss / world_demand, supply_elasticity,
                                demand_elasticity) * math.exp(shock)


@njit(cache=True, error_model="numpy")
def oil_revenue(bought: float, discounted: float, urals: float) -> float:
    """The occupier's crude export revenue, USD million per day (mb/d x USD/bbl)."""
    return (bought + discounted) * urals
