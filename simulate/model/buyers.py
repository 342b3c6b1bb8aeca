"""Importers' buyers: each weighs the discount it earns against its expected penalty and moves
toward a target volume with a lag (cargoes are booked weeks ahead)."""

from __future__ import annotations

import numpy as np
from numba import njit

from .trade import tariff_cost, tariff_factor

__all__ = ["country_penalty", "buyer_target", "adjust_volume", "volume_shares",
           "BBL_DAY_TO_BN_YEAR"]

#: mb/d x USD/bbl -> USD bn per year
BBL_DAY_TO_BN_YEAR = 0.365


@njit(cache=True, error_model="numpy")
def country_penalty(x0: float, sigma: float, stance_weight: float, rate_in_force: float,
                    threat_rate: float, threat_probability: float) -> float:
    """Expected tariff cost (USD bn/yr) a country's buyers weigh.

    The cost of the extra tariff already in force, plus the extra cost of the threatened tariff
    times the probability that it comes, scaled by the country's stance (defy 0.5, neutral 1,
    comply 2). Where the probability is 0 the threatened cost is not computed.
    """
    now = tariff_cost(x0, rate_in_force, sigma)
    factor = 1.0
    if threat_probability != 0.0:
        factor = tariff_factor(rate_in_force + threat_rate, sigma)
    threatened = (x0 - x0 * factor) - now
    return stance_weight * (now + threat_probability * threatened)


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
