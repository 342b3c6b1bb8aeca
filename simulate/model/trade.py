"""Tariffed goods: a country's exports to the sanctioner under an extra tariff.

``X = X0 * (1 + t) ** -sigma`` with trade elasticity ``sigma`` (constant-elasticity import
demand); the country's cost is the lost export value ``X0 - X`` (USD bn per year).
"""

from __future__ import annotations

import numpy as np

__all__ = ["exports_under_tariff", "tariff_cost"]


def _tariff_factor(t: np.ndarray, sigma: np.ndarray, where=None) -> np.ndarray:
    """``(1 + t) ** -sigma``, computed only where ``t != 0`` (and ``where``): elsewhere it is
    exactly 1 (``1 ** y == 1``), so skipping the power changes nothing but the time."""
    need = t != 0.0
    if where is not None:
        need = need & where
    factor = np.empty(np.broadcast(t, sigma, need).shape)
    factor.fill(1.0)
    if need.any():
        np.power(1.0 + t, -sigma, out=factor, where=need)
    return factor


def exports_under_tariff(x0, t, sigma) -> np.ndarray:
    """Exports (USD bn/yr) under an extra ad valorem tariff ``t`` (fraction, 1.0 = 100%)."""
    t, sigma = np.asarray(t, float), np.asarray(sigma, float)
    return np.asarray(x0, float) * _tariff_factor(t, sigma)


def tariff_cost(x0, t, sigma) -> np.ndarray:
    """Lost exports (USD bn/yr) caused by the extra tariff ``t``: ``X0 - X0*(1+t)^-sigma``."""
    return np.asarray(x0, float) - exports_under_tariff(x0, t, sigma)
