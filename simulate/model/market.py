"""The oil market: the occupier's exports, the Urals discount, Brent and oil revenue.

Barrels are conserved: ``offered = bought + discounted + shut_in`` (all mb/d), where
``offered`` is the export capacity, ``bought`` what the modelled buyers take, ``discounted``
the unsold barrels placed elsewhere at the (wider) discount and ``shut_in`` the rest.
"""

from __future__ import annotations

import numpy as np

__all__ = ["price_ratio", "urals_discount", "split_unsold", "supply_loss", "brent_price",
           "oil_revenue", "MIN_URALS_USD", "MIN_ELASTICITY_SUM"]

#: the Urals price is kept at least this far above zero, USD/bbl
MIN_URALS_USD = 1.0

#: smallest ``supply_elasticity + |demand_elasticity|`` a scenario may have (an order of
#: magnitude below the literature's smallest sums): below it the price response overflows
MIN_ELASTICITY_SUM = 0.01


def price_ratio(loss_share, supply_elasticity, demand_elasticity) -> np.ndarray:
    """Equilibrium price ratio P/P0 after losing a share ``s`` of world supply.

    With constant-elasticity curves ``S = (1-s) P^es`` and ``D = P^ed`` the market clears at
    ``P/P0 = (1-s)^(-1/(es + |ed|))``, i.e. ``%dP ~ s / (es + |ed|)`` for small s.
    """
    s = np.minimum(np.maximum(np.asarray(loss_share, float), 0.0), 0.99)
    return (1.0 - s) ** (-1.0 / (np.asarray(supply_elasticity) + np.abs(demand_elasticity)))


def urals_discount(discount0, slope, unsold) -> np.ndarray:
    """Urals discount to Brent (USD/bbl): the start value widened by ``slope`` per mb/d unsold."""
    return discount0 + slope * unsold


def split_unsold(unsold, reroute_share, urals_estimate, shutin_price) -> tuple:
    """(discounted, shut_in) mb/d: a share of unsold barrels is placed elsewhere while the
    Urals price stays above the shut-in price; the rest is shut in."""
    placed = np.where(urals_estimate > shutin_price, reroute_share, 0.0)
    discounted = unsold * placed
    return discounted, unsold - discounted


def supply_loss(shut_in, spare_capacity, response_share) -> np.ndarray:
    """Net loss of world supply (mb/d): shut-in barrels less what other suppliers replace,
    each up to its spare capacity."""
    shut_in = np.asarray(shut_in, float)
    if np.size(spare_capacity) == 0:
        return shut_in
    replaced = np.minimum(spare_capacity, response_share * shut_in[..., None]).sum(axis=-1)
    return np.maximum(shut_in - replaced, 0.0)


def brent_price(brent0, loss, world_demand, supply_elasticity, demand_elasticity,
                shock) -> np.ndarray:
    """Brent (USD/bbl): the equilibrium after the supply loss times ``exp(shock)``."""
    return brent0 * price_ratio(loss / world_demand, supply_elasticity,
                                demand_elasticity) * np.exp(shock)


def oil_revenue(bought, discounted, urals) -> np.ndarray:
    """The occupier's crude export revenue, USD million per day (mb/d x USD/bbl)."""
    return (bought + discounted) * urals
