"""Settlement terms per region from aggregate terms, by the sides' region priorities.

Rules over ONE replicate (numba ``@njit(cache=True)``). The aggregate terms ``X`` (the
occupier's weighted share) are turned into per-region terms starting from the line frozen
where the per-region bounds allow it; the aggregate concession is then allocated to whole
regions in priority order, as in a fractional knapsack: the defender cedes first the regions
the occupier values most relative to the defender (``v_occ / (v_occ + v_def)`` highest), and
the occupier gives back first the regions it values least relative to the defender. With
equal defender values the order is the occupier's own priority order. For linear values this
order is Pareto-efficient: no other allocation with the same aggregate gives both sides more
(issue-linkage; Raiffa 1982, ch. 10). A region is never moved outside its bounds ``[a, b]``
(reservation points and the envelope of the front and both sides' demands).
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["priority_keys", "allocate_terms", "aggregate"]


@njit(cache=True)
def aggregate(terms: np.ndarray, weight: np.ndarray) -> float:
    """The weighted mean ``sum w t / sum w`` (0 if the weights are all 0)."""
    total = 0.0
    wsum = 0.0
    for k in range(terms.shape[0]):
        total += weight[k] * terms[k]
        wsum += weight[k]
    return total / wsum if wsum > 0.0 else 0.0


@njit(cache=True)
def priority_keys(value_occ: np.ndarray, value_def: np.ndarray) -> np.ndarray:
    """Per region ``v_occ / (v_occ + v_def)`` in [0, 1] (0.5 when both value it at 0):
    the order of regions the occupier gains first (highest key first)."""
    n = value_occ.shape[0]
    out = np.empty(n)
    for k in range(n):
        s = value_occ[k] + value_def[k]
        out[k] = 0.5 if s <= 0.0 else value_occ[k] / s
    return out


@njit(cache=True)
def allocate_terms(x: float, control: np.ndarray, a: np.ndarray, b: np.ndarray,
                   weight: np.ndarray, value_occ: np.ndarray,
                   value_def: np.ndarray) -> np.ndarray:
    """Per-region terms with weighted mean ``x`` (as close as the bounds allow).

    Start: ``t_k = clip(x_k, a_k, b_k)`` (the line, frozen). If ``x`` is above the start's
    aggregate, raise regions toward ``b_k`` one at a time in decreasing priority key
    (:func:`priority_keys`); if below, lower regions toward ``a_k`` in increasing key. Ties
    keep region order. Each move is the smaller of the region's room and what is left.
    """
    n = control.shape[0]
    t = np.empty(n)
    wsum = 0.0
    for k in range(n):
        t[k] = min(max(control[k], a[k]), b[k])
        wsum += weight[k]
    if wsum <= 0.0:
        return t
    need = (x - aggregate(t, weight)) * wsum       # in weight units
    if need == 0.0:
        return t
    keys = priority_keys(value_occ, value_def)
    if need > 0.0:
        order = np.argsort(-keys, kind="mergesort")
    else:
        order = np.argsort(keys, kind="mergesort")
    for i in range(n):
        k = order[i]
        if weight[k] <= 0.0:
            continue
        if need > 0.0:
            room = (b[k] - t[k]) * weight[k]
            if room <= 0.0:
                continue
            step = min(room, need)
            t[k] = min(t[k] + step / weight[k], b[k])
            need -= step
            if need <= 0.0:
                break
        else:
            room = (t[k] - a[k]) * weight[k]
            if room <= 0.0:
                continue
            step = min(room, -need)
            t[k] = max(t[k] - step / weight[k], a[k])
            need += step
            if need >= 0.0:
                break
    return t
