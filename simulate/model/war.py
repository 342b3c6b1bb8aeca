"""The war: the front line per region, strikes on civilians, and each side's war costs."""

from __future__ import annotations

import math

from numba import njit

from .streams import poisson_inverse

__all__ = ["revenue_ratio", "revenue_loss_share", "drift_factor", "advance_front",
           "strike_counts", "daily_cost"]


@njit(cache=True, error_model="numpy")
def revenue_ratio(revenue: float, revenue0: float) -> float:
    """``revenue / revenue0`` (USD M/day each), taken as 1 when there was no start revenue
    (no buyers, no capacity): nothing can then be lost."""
    return revenue / revenue0 if revenue0 > 0 else 1.0


@njit(cache=True, error_model="numpy")
def revenue_loss_share(revenue: float, revenue0: float) -> float:
    """Fraction of the start oil revenue lost today, in [0, 1] (0 if the start revenue is 0)."""
    return min(max(1.0 - revenue_ratio(revenue, revenue0), 0.0), 1.0)


@njit(cache=True, error_model="numpy")
def drift_factor(revenue: float, revenue0: float, elasticity: float) -> float:
    """What multiplies the occupier's front drift: ``(revenue / revenue0) ** elasticity`` —
    revenue pays for the offensive (1 when the start revenue is 0). The common elasticities
    0, 1/2 and 1 take the exact shortcut (1, a square root, the ratio itself) instead of a
    general power."""
    ratio = max(revenue_ratio(revenue, revenue0), 0.0)
    if elasticity == 0.5:
        return math.sqrt(ratio)
    if elasticity == 1.0:
        return ratio
    if elasticity == 0.0:
        return 1.0
    return ratio ** elasticity


@njit(cache=True, error_model="numpy")
def advance_front(control: float, drift: float, volatility: float, z: float,
                  at_war: bool) -> float:
    """One day of the bounded random walk of the occupier's share of a region (drift in
    share/day, volatility in share/sqrt(day), ``z`` standard normal); frozen after a deal."""
    step = (drift + volatility * z) * (1.0 if at_war else 0.0)
    return min(max(control + step, 0.0), 1.0)


@njit(cache=True, error_model="numpy")
def strike_counts(u_strikes: float, u_killed: float, u_injured: float, rate: float,
                  killed_per_strike: float, injured_per_strike: float,
                  at_war: bool) -> tuple[int, int, int]:
    """Daily counts of strikes, civilians killed and injured (zero after a deal).

    A compound Poisson process: ``n ~ Poisson(rate)`` strikes, then
    ``killed | n ~ Poisson(n * killed_per_strike)`` and ``injured | n ~ Poisson(n *
    injured_per_strike)``, so casualties only come with strikes.
    """
    n = poisson_inverse(u_strikes, rate) if at_war else 0
    if n == 0:
        return 0, 0, 0
    killed = poisson_inverse(u_killed, n * killed_per_strike)
    injured = poisson_inverse(u_injured, n * injured_per_strike)
    return n, killed, injured


@njit(cache=True, error_model="numpy")
def daily_cost(war_cost: float, sensitivity: float, loss_share: float) -> float:
    """A side's cost of one more day of war, share-eq/day: its base war cost plus its
    sanctions sensitivity times the fraction of oil revenue lost."""
    return war_cost + sensitivity * loss_share
