"""Importers' buyers: each weighs the discount it earns against its expected penalty and moves
toward a target volume with a lag (cargoes are booked weeks ahead)."""

from __future__ import annotations

import numpy as np

from .trade import tariff_cost

__all__ = ["country_penalty", "buyer_target", "adjust_volume", "BBL_DAY_TO_BN_YEAR"]

#: mb/d x USD/bbl -> USD bn per year
BBL_DAY_TO_BN_YEAR = 0.365


def country_penalty(exports0, sigma, stance_weight, rate_in_force, threat_rate,
                    threat_probability) -> np.ndarray:
    """Expected tariff cost (USD bn/yr) a country's buyers weigh, shape (..., M).

    The cost of the extra tariff already in force, plus the extra cost of the threatened tariff
    times the probability that it comes, scaled by the country's stance (defy 0.5, neutral 1,
    comply 2).
    """
    now = tariff_cost(exports0, rate_in_force, sigma)
    threatened = tariff_cost(exports0, rate_in_force + threat_rate, sigma) - now
    return stance_weight * (now + threat_probability * threatened)


def buyer_target(base, importer_of, penalty_m, exposure, capture, discount,
                 sanctions_exposure, sanctions_share) -> np.ndarray:
    """Target volume (mb/d) of each buyer, shape (..., B).

    A buyer bears its volume share of its country's penalty times its ``exposure`` and keeps
    the share ``benefit / (benefit + penalty)`` of its base volume, where the benefit is the
    discount it captures on its base volume (USD bn/yr); company sanctions then remove
    ``sanctions_exposure * sanctions_share`` of what is left.
    """
    base = np.asarray(base, float)
    onehot = (importer_of[:, None] == np.arange(penalty_m.shape[-1])).astype(float)  # (B, M)
    own_total = (base @ onehot)[..., importer_of]
    share = np.divide(base, own_total, out=np.zeros(np.shape(own_total)), where=own_total > 0)
    penalty = exposure * penalty_m[..., importer_of] * share
    benefit = capture * np.asarray(discount)[..., None] * base * BBL_DAY_TO_BN_YEAR
    denom = benefit + penalty
    keep = np.divide(benefit, denom, out=np.ones(np.broadcast(benefit, penalty).shape),
                     where=denom > 0)
    return base * keep * (1.0 - sanctions_exposure * np.asarray(sanctions_share)[..., None])


def adjust_volume(volume, target, adjustment_days) -> np.ndarray:
    """One day of lagged adjustment: close ``1/adjustment_days`` of the gap to the target."""
    return volume + (target - volume) / adjustment_days
