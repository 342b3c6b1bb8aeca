"""Importers' buyers: each weighs the discount it earns against its expected penalty and moves
toward a target volume with a lag (cargoes are booked weeks ahead)."""

from __future__ import annotations

import numpy as np
from numba import njit

from .trade import tariff_factor

__all__ = ["country_penalty", "penalty_of_factors", "buyer_target", "adjust_volume",
           "volume_shares", "BBL_DAY_TO_BN_YEAR"]

#: mb/d x USD/bbl -> USD bn per year
BBL_DAY_TO_BN_YEAR = 0.365


@njit(cache=True, error_model="numpy")
def penalty_of_factors(x0: float, stance_weight: float, factor_in_force: float,
                       factor_with_threat: float, threat_probability: float) -> float:
    """Expected tariff cost (USD bn/yr) a country's buyers weigh, from the tariff factors
    ``(1 + t)^-sigma`` of the rate in force and of that rate plus the threatened one.

    The cost of the extra tariff already in force, ``X0 - X0 * f_now``, plus the extra cost
    of the threatened tariff times the probability that it comes, scaled by the country's
    stance (defy 0.5, neutral 1, comply 2).
    """
    now = x0 - x0 * factor_in_force
    threatened = (x0 - x0 * factor_with_threat) - now
    return stance_weight * (now + threat_probability * threatened)


@njit(cache=True, error_model="numpy")
def country_penalty(x0: float, sigma: float, stance_weight: float, rate_in_force: float,
                    threat_rate: float, threat_probability: float) -> float:
    """:func:`penalty_of_factors` for the extra tariff ``rate_in_force`` and the threatened
    ``threat_rate`` (fractions) with trade elasticity ``sigma``. Where the probability is 0
    the threatened tariff's factor is not computed."""
    factor = 1.0
    if threat_probability != 0.0:
        factor = tariff_factor(rate_in_force + threat_rate, sigma)
    return penalty_of_factors(x0, stance_weight, tariff_factor(rate_in_force, sigma), factor,
                              threat_probability)


@njit(cache=True, error_model="numpy")
def volume_shares(base: np.ndarray, importer_of: np.ndarray, out: np.ndarray) -> None:
    """Each buyer's share of its country's base volume, into ``out`` (B,); 0 where the
    country buys nothing."""
    for b in range(base.shape[0]):
        total = 0.0
        for c in range(base.shape[0]):
            if importer_of[c] == importer_of[b]:
                total += base[c]
        out[b] = base[b] / total if total > 0 else 0.0


@njit(cache=True, error_model="numpy")
def buyer_target(base: float, share: float, penalty_m: float, exposure: float,
                 capture: float, discount: float, sanctions_exposure: float,
                 sanctions_share: float) -> float:
    """Target volume (mb/d) of a buyer.

    A buyer bears its volume ``share`` of its country's penalty ``penalty_m`` (USD bn/yr)
    times its ``exposure`` and keeps the share ``benefit / (benefit + penalty)`` of its base
    volume, where the benefit is the discount (USD/bbl) it captures on its base volume
    (USD bn/yr); company sanctions then remove ``sanctions_exposure * sanctions_share`` of
    what is left. Without benefit and penalty it keeps its base volume.
    """
    penalty = exposure * penalty_m * share
    benefit = capture * discount * base * BBL_DAY_TO_BN_YEAR
    denom = benefit + penalty
    keep = benefit / denom if denom > 0 else 1.0
    return base * keep * (1.0 - sanctions_exposure * sanctions_share)


@njit(cache=True, error_model="numpy")
def adjust_volume(volume: float, target: float, adjustment_days: float) -> float:
    """One day of lagged adjustment: close ``1/adjustment_days`` of the gap to the target."""
    return volume + (target - volume) / adjustment_days
