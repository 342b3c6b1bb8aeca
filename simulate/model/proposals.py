"""A mediator's proposal: region terms (a share, or NaN = freeze on the line), plus optional
sanctions relief and security terms worth a value to each side; each side accepts if the
proposal beats its expected value of fighting on.

Rules over ONE replicate (numba ``@njit(cache=True)``). Values are in share-eq (aggregate
occupier share of the weighted territory). The occupier's margin is what the proposal gives
it minus Fearon's value of fighting on, ``P + V_occ - (p_occ - C_occ)``; the defender's is
``(p_def + C_def) - P + V_def``. A proposal below a side's reservation point in some region is
rejected whatever the aggregate: its margin is then at most minus the weighted shortfall.
Acceptance is a logistic quantal response (McKelvey & Palfrey 1995) with noise ``eta``
(share-eq): ``P(accept) = 1 / (1 + exp(-margin / eta))``; with ``eta = 0`` a side accepts
exactly when its margin is positive. A deal needs both.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["NOBODY", "OCCUPIER", "DEFENDER", "BOTH", "proposal_terms", "proposal_margins",
           "accepts", "proposal_outcome"]

#: who rejected a proposal
NOBODY, OCCUPIER, DEFENDER, BOTH = 0, 1, 2, 3


@njit(cache=True)
def proposal_terms(spec: np.ndarray, control: np.ndarray) -> np.ndarray:
    """The proposal's terms per region: ``spec_k``, or today's line ``x_k`` where NaN."""
    out = np.empty(control.shape[0])
    for k in range(control.shape[0]):
        out[k] = control[k] if np.isnan(spec[k]) else spec[k]
    return out


@njit(cache=True)
def _shortfall(terms: np.ndarray, bound: np.ndarray, weight: np.ndarray,
               occupier: bool) -> float:
    """Weighted share by which the terms fall outside a side's reservation points."""
    wsum = 0.0
    acc = 0.0
    for k in range(terms.shape[0]):
        wsum += weight[k]
        gap = bound[k] - terms[k] if occupier else terms[k] - bound[k]
        if gap > 0.0:
            acc += weight[k] * gap
    return acc / wsum if wsum > 0.0 else 0.0


@njit(cache=True)
def proposal_margins(terms: np.ndarray, weight: np.ndarray, fight_occ: float,
                     fight_def: float, value_occ: float, value_def: float,
                     res_occ: np.ndarray, res_def: np.ndarray) -> tuple[float, float]:
    """(occupier's margin, defender's margin), share-eq.

    ``fight_occ = p_occ - C_occ`` and ``fight_def = p_def + C_def`` are Fearon's bounds
    (:func:`simulate.model.bargaining.fight_values`); ``value_*`` the relief and security
    terms' worth to each side; ``res_*`` the reservation points per region (occupier's
    minimum, defender's maximum occupier share)."""
    wsum = 0.0
    agg = 0.0
    for k in range(terms.shape[0]):
        wsum += weight[k]
        agg += weight[k] * terms[k]
    agg = agg / wsum if wsum > 0.0 else 0.0
    m_occ = agg + value_occ - fight_occ
    m_def = fight_def - agg + value_def
    s_occ = _shortfall(terms, res_occ, weight, True)
    s_def = _shortfall(terms, res_def, weight, False)
    if s_occ > 0.0:
        m_occ = min(m_occ, -s_occ)
    if s_def > 0.0:
        m_def = min(m_def, -s_def)
    return m_occ, m_def


@njit(cache=True)
def accepts(margin: float, noise: float, u: float) -> bool:
    """A side's acceptance: ``margin > 0`` without noise; with noise ``eta > 0``,
    ``u < 1 / (1 + exp(-margin / eta))`` for a uniform ``u``."""
    if noise <= 0.0:
        return margin > 0.0
    z = -margin / noise
    if z > 700.0:
        return False
    return u < 1.0 / (1.0 + np.exp(z))


@njit(cache=True)
def proposal_outcome(m_occ: float, m_def: float, noise: float, u_occ: float,
                     u_def: float) -> tuple[bool, int]:
    """(accepted by both, who rejected: NOBODY, OCCUPIER, DEFENDER or BOTH)."""
    ok_occ = accepts(m_occ, noise, u_occ)
    ok_def = accepts(m_def, noise, u_def)
    who = (0 if ok_occ else OCCUPIER) + (0 if ok_def else DEFENDER)
    return ok_occ and ok_def, who
