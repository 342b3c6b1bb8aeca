"""Importers' buyers: each weighs the discount it earns against its expected penalty and moves
toward a target volume with a lag (cargoes are booked weeks ahead)."""

from __future__ import annotations

import numpy as np

from .trade import _tariff_factor, tariff_cost

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
    x0 = np.asarray(exports0, float)
    sigma = np.asarray(sigma, float)
    rate_in_force = np.asarray(rate_in_force, float)
    probability = np.asarray(threat_probability, float)
    now = tariff_cost(x0, rate_in_force, sigma)
    # the threatened cost only matters where it can come (probability > 0): elsewhere the
    # product below is 0 whatever it is, so its power is not computed
    factor = _tariff_factor(rate_in_force + np.asarray(threat_rate, float), sigma,
                            where=probability != 0.0)
    threatened = (x0 - x0 * factor) - now
    return stance_weight * (now + probability * threatened)


_share_cache: list = [None, None, -1, None]


def _volume_share(base, importer_of, n_importers: int) -> np.ndarray:
    """Each buyer's share of its country's base volume (cached for the last ``base``: the
    same array comes back every day)."""
    c = _share_cache
    if c[0] is base and c[1] is importer_of and c[2] == n_importers:
        return c[3]
    b = np.asarray(base, float)
    onehot = (importer_of[:, None] == np.arange(n_importers)).astype(float)  # (B, M)
    own_total = (b @ onehot)[..., importer_of]
    share = np.divide(b, own_total, out=np.zeros(np.shape(own_total)), where=own_total > 0)
    _share_cache[:] = [base, importer_of, n_importers, share]
    return share


def buyer_target(base, importer_of, penalty_m, exposure, capture, discount,
                 sanctions_exposure, sanctions_share) -> np.ndarray:
    """Target volume (mb/d) of each buyer, shape (..., B).

    A buyer bears its volume share of its country's penalty times its ``exposure`` and keeps
    the share ``benefit / (benefit + penalty)`` of its base volume, where the benefit is the
    discount it captures on its base volume (USD bn/yr); company sanctions then remove
    ``sanctions_exposure * sanctions_share`` of what is left.
    """
    share = _volume_share(base, importer_of, penalty_m.shape[-1])
    base = np.asarray(base, float)
    penalty = exposure * np.take(penalty_m, importer_of, axis=-1) * share
    benefit = capture * np.asarray(discount)[..., None] * base * BBL_DAY_TO_BN_YEAR
    denom = benefit + penalty
    positive = denom > 0
    if positive.all():
        keep = benefit / denom
    else:
        keep = np.divide(benefit, denom, out=np.ones(np.broadcast(benefit, penalty).shape),
                         where=positive)
    return base * keep * (1.0 - sanctions_exposure * np.asarray(sanctions_share)[..., None])


def adjust_volume(volume, target, adjustment_days) -> np.ndarray:
    """One day of lagged adjustment: close ``1/adjustment_days`` of the gap to the target."""
    return volume + (target - volume) / adjustment_days
