"""The war: the front line per region, strikes on civilians, and each side's war costs."""

from __future__ import annotations

import numpy as np

from .streams import poisson, poisson_by_count

__all__ = ["effective_drift", "advance_front", "strike_counts", "daily_cost",
           "revenue_loss_share"]


def _revenue_ratio(revenue, revenue0) -> np.ndarray:
    """``revenue / revenue0``, taken as 1 where there was no start revenue (no buyers, no
    capacity): nothing can then be lost."""
    revenue, revenue0 = np.asarray(revenue, float), np.asarray(revenue0, float)
    if revenue0.ndim == 0 and revenue0 > 0:
        return revenue / revenue0
    revenue, revenue0 = np.broadcast_arrays(revenue, revenue0)
    return np.divide(revenue, revenue0, out=np.ones(revenue.shape), where=revenue0 > 0)


def revenue_loss_share(revenue, revenue0) -> np.ndarray:
    """Fraction of the start oil revenue lost today, in [0, 1] (0 if the start revenue is 0)."""
    # np.minimum(np.maximum(.)) is np.clip without its Python overhead (same numbers)
    return np.minimum(np.maximum(1.0 - _revenue_ratio(revenue, revenue0), 0.0), 1.0)


def effective_drift(drift, revenue, revenue0, elasticity) -> np.ndarray:
    """Occupier's front drift (share/day) scaled by its oil revenue:
    ``drift * (revenue / revenue0) ** elasticity`` — revenue pays for the offensive (the ratio
    is 1 when the start revenue is 0)."""
    ratio = np.maximum(_revenue_ratio(revenue, revenue0), 0.0)
    return drift * (ratio ** elasticity)[..., None]


def advance_front(control, drift, volatility, z, at_war) -> np.ndarray:
    """Bounded random walk of the occupier's share of each region (R, K); frozen after a deal."""
    step = (drift + volatility * z) * at_war[..., None]
    return np.minimum(np.maximum(control + step, 0.0), 1.0)


def strike_counts(u_strikes, u_killed, u_injured, rate, killed_per_strike, injured_per_strike,
                  at_war) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Daily counts of strikes, civilians killed and injured (zero after a deal).

    A compound Poisson process: ``n ~ Poisson(rate)`` strikes, then
    ``killed | n ~ Poisson(n * killed_per_strike)`` and ``injured | n ~ Poisson(n *
    injured_per_strike)``, so casualties only come with strikes.
    """
    strikes = poisson(u_strikes, rate) * at_war
    killed = poisson_by_count(u_killed, strikes, killed_per_strike)
    injured = poisson_by_count(u_injured, strikes, injured_per_strike)
    return strikes, killed, injured


def daily_cost(war_cost, sensitivity, loss_share) -> np.ndarray:
    """A side's cost of one more day of war, share-eq/day: its base war cost plus its
    sanctions sensitivity times the fraction of oil revenue lost."""
    return war_cost + sensitivity * loss_share
