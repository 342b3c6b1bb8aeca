"""Tariffed goods: a country's exports to the sanctioner under an extra tariff.

``X = X0 * (1 + t) ** -sigma`` with trade elasticity ``sigma`` (constant-elasticity import
demand); the country's cost is the lost export value ``X0 - X`` (USD bn per year).
"""

from __future__ import annotations

import numpy as np

__all__ = ["exports_under_tariff", "tariff_cost"]


def exports_under_tariff(x0, t, sigma) -> np.ndarray:
    """Exports (USD bn/yr) under an extra ad valorem tariff ``t`` (fraction, 1.0 = 100%)."""
    return np.asarray(x0, float) * (1.0 + np.asarray(t, float)) ** (-np.asarray(sigma, float))


def tariff_cost(x0, t, sigma) -> np.ndarray:
    """Lost exports (USD bn/yr) caused by the extra tariff ``t``: ``X0 - X0*(1+t)^-sigma``."""
    return np.asarray(x0, float) - exports_under_tariff(x0, t, sigma)
