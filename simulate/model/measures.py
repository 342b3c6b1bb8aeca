"""The sanctioner's measures in force on a replicate's day: whether they still apply, the
extra tariff due and in force on each importer (fraction), the company-sanctions share, and
the tariff factors and costs the recording and the narration read (docs/model.md 4.2, 4.9).

``p``: the replicate's parameter record; ``q``: its state record (simulate.model.params,
simulate.model.state).
"""

from __future__ import annotations

from numba import njit

from . import trade
from .state import CARRIED_OUT

__all__ = ["measures_live", "tariff_due", "tariff_in_force", "company_share_in_force",
           "factor_in_force", "factor_with_threat", "tariff_cost_today"]


@njit(cache=True, error_model="numpy")
def measures_live(p, q) -> bool:
    """Whether the replicate's measures still apply (no deal, or deals do not lift them)."""
    return q.at_war or not p.lift_on_deal


@njit(cache=True, error_model="numpy")
def _threat_on(q, lag: int, day: int) -> bool:
    return q.threat == CARRIED_OUT and q.decision_day + lag <= day


@njit(cache=True, error_model="numpy")
def tariff_due(p, q, m: int, day: int) -> float:
    """Extra tariff rate on importer m today before any conditional lifting (fraction): the
    timeline's, plus the threatened rate on a target once the threat is carried out and its
    lag has passed. What its government weighs: lifted, it returns if the cut is revoked."""
    on = _threat_on(q, p.tariff_lag, day)
    return q.tariff_tl[m] + (p.threatened[m] if on else 0.0)


@njit(cache=True, error_model="numpy")
def tariff_in_force(p, q, m: int, day: int) -> float:
    """Extra tariff rate in force on importer m today (fraction): :func:`tariff_due`, or 0
    while the sanctioner has lifted it because the importer's government cut (4.9)."""
    return 0.0 if q.suspended[m] > 0.0 else tariff_due(p, q, m, day)


@njit(cache=True, error_model="numpy")
def company_share_in_force(p, q, day: int) -> float:
    """Share of the occupier's exports under company sanctions today."""
    on = _threat_on(q, p.company_lag, day)
    return max(q.company_tl, p.company_share if on else 0.0)


@njit(cache=True, error_model="numpy")
def _remembered_factor(rates, factors, m: int, t: float, sigma: float) -> float:
    """``(1 + t)^-sigma``, computed again only when importer m's rate has changed since it
    was last computed (``rates``/``factors``: a memo in the state record; same numbers)."""
    if rates[m] != t:
        factors[m] = trade.tariff_factor(t, sigma)
        rates[m] = t
    return factors[m]


@njit(cache=True, error_model="numpy")
def factor_in_force(p, q, m: int, day: int) -> float:
    """``(1 + t)^-sigma`` of importer m's tariff in force today."""
    return _remembered_factor(q.memo_rate, q.memo_factor, m, tariff_in_force(p, q, m, day),
                              p.trade_sigma[m])


@njit(cache=True, error_model="numpy")
def factor_with_threat(p, q, m: int, day: int) -> float:
    """``(1 + t + threatened)^-sigma`` for importer m."""
    return _remembered_factor(q.memo_rate_threat, q.memo_factor_threat, m,
                              tariff_in_force(p, q, m, day) + p.threatened[m],
                              p.trade_sigma[m])


@njit(cache=True, error_model="numpy")
def tariff_cost_today(p, q, m: int, day: int) -> float:
    """Importer m's lost exports (USD bn/yr) at today's tariff in force."""
    return trade.cost_of_factor(p.exports0[m], factor_in_force(p, q, m, day))
