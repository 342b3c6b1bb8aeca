"""Tariffed goods: a country's exports to the sanctioner under an extra tariff.

``X = X0 * (1 + t) ** -sigma`` with trade elasticity ``sigma`` (constant-elasticity import
demand); the country's cost is the lost export value ``X0 - X`` (USD bn per year).
"""

from __future__ import annotations

from numba import njit

__all__ = ["tariff_factor", "exports_under_tariff", "tariff_cost", "cost_of_factor"]


@njit(cache=True, error_model="numpy")
def tariff_factor(t: float, sigma: float) -> float:
    """``(1 + t) ** -sigma``; exactly 1 without a tariff (``1 ** y == 1``: no power taken)."""
    if t == 0.0:
        return 1.0
    return (1.0 + t) ** (-sigma)


@njit(cache=True, error_model="numpy")
def exports_under_tariff(x0: float, t: float, sigma: float) -> float:
    """Exports (USD bn/yr) under an extra ad valorem tariff ``t`` (fraction, 1.0 = 100%)."""
    return x0 * tariff_factor(t, sigma)


@njit(cache=True, error_model="numpy")
def cost_of_factor(x0: float, factor: float) -> float:
    """Lost exports (USD bn/yr) when exports ``x0`` are multiplied by ``factor``."""
    return x0 - x0 * factor


@njit(cache=True, error_model="numpy")
def tariff_cost(x0: float, t: float, sigma: float) -> float:
    """Lost exports (USD bn/yr) caused by the extra tariff ``t``: ``X0 - X0*(1+t)^-sigma``."""
    return cost_of_factor(x0, tariff_factor(t, sigma))
