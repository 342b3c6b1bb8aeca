"""Learning while fighting: each belligerent's belief about how fast the front moves,
updated from what the front actually does (Bayesian normal-normal updating).

Rules over ONE replicate (numba ``@njit(cache=True)``). A side believes the occupier's
aggregate drift is the model's effective drift plus a bias ``b`` (share/day: its optimism,
signed + for the occupier's side, - for the defender's). Its belief about ``b`` is normal,
``N(m, v)``, starting at ``m = +optimism`` (occupier) or ``-optimism`` (defender) with prior
variance ``v0 = optimism_sd^2``. Each day it observes the surprise
``e = sum_k w_k (x_k(t) - x_k(t-1) - mu_k) / sum_k w_k`` (the aggregate move minus the
effective drift), which, in the model, is normal around the true bias 0 with variance
``s^2 = sum_k w_k^2 s_k^2 / (sum_k w_k)^2 + n^2`` (front volatility plus perception noise
``n``, the fog of war). The conjugate update (e.g. Gelman et al., Bayesian Data Analysis,
ch. 2.5) is ``v' = 1 / (1/v + 1/s^2)``, ``m' = v' (m / v + e / s^2)``: after ``t`` days the
mean is the precision-weighted average of the prior and the observed surprises, so it
converges to the true bias and the two sides' beliefs converge to each other (Powell 2004;
Slantchev 2003: fighting reveals information and closes the gap that made war rational).
A prior s.d. of 0 switches learning off (the belief stays at the optimism).
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["observation_variance", "front_surprise", "update_belief"]


@njit(cache=True)
def observation_variance(volatility: np.ndarray, weight: np.ndarray,
                         perception_noise: float) -> float:
    """Variance of one day's aggregate surprise, (share/day)^2:
    ``sum w_k^2 s_k^2 / (sum w)^2 + n^2``."""
    wsum = 0.0
    acc = 0.0
    for k in range(weight.shape[0]):
        wsum += weight[k]
        acc += weight[k] * weight[k] * volatility[k] * volatility[k]
    base = acc / (wsum * wsum) if wsum > 0.0 else 0.0
    return base + perception_noise * perception_noise


@njit(cache=True)
def front_surprise(control_now: np.ndarray, control_before: np.ndarray, drift: np.ndarray,
                   weight: np.ndarray) -> float:
    """Today's aggregate move of the front minus the effective drift, share/day."""
    wsum = 0.0
    acc = 0.0
    for k in range(weight.shape[0]):
        wsum += weight[k]
        acc += weight[k] * (control_now[k] - control_before[k] - drift[k])
    return acc / wsum if wsum > 0.0 else 0.0


@njit(cache=True)
def update_belief(mean: float, var: float, surprise: float,
                  obs_var: float) -> tuple[float, float]:
    """Conjugate normal update of the belief ``N(mean, var)`` about the bias after one
    observed ``surprise`` with variance ``obs_var``. ``var == 0``: no learning (belief kept);
    ``obs_var == 0``: the observation reveals the bias exactly."""
    if var <= 0.0:
        return mean, 0.0
    if obs_var <= 0.0:
        return surprise, 0.0
    post_var = 1.0 / (1.0 / var + 1.0 / obs_var)
    post_mean = post_var * (mean / var + surprise / obs_var)
    return post_mean, post_var
