"""Threats with a deadline: a third party's threat toward a belligerent (e.g. suspending aid
to the defender), and the outlook of any pending threat as the belligerents see it.

Rules over ONE replicate (numba ``@njit(cache=True)``). A pressure threat has a target side,
a deadline, a credibility (probability of being carried out at the deadline, as the tariff
threat), a lag, an extra war cost for its target (share-eq/day) and a change of the
occupier's front drift (share/day; positive when aid to the defender is suspended). Status
codes are those of the sanctioner's threat (``state.Threat``).

Sources: Schelling (1966) on compellence (a deadline and a credible conditional threat);
Drezner (2003) on threats that work before they are carried out.
"""

from __future__ import annotations

from numba import njit

__all__ = ["PENDING", "CARRIED_OUT", "LAPSED", "NONE", "LIFTED", "decide_at_deadline",
           "in_force", "outlook", "pressure_effects"]

PENDING, CARRIED_OUT, LAPSED, NONE, LIFTED = 0, 1, 2, 3, 4


@njit(cache=True)
def decide_at_deadline(status: int, deadline: int, day: int, u: float,
                       credibility: float) -> tuple[int, int]:
    """(status, decision day) after today's decision: a pending threat whose deadline is
    today is carried out if ``u < credibility`` (``u`` uniform), otherwise it lapses.
    The decision day is ``day`` if carried out today, else -1."""
    if status != PENDING or deadline != day:
        return status, -1
    if u < credibility:
        return CARRIED_OUT, day
    return LAPSED, -1


@njit(cache=True)
def in_force(status: int, decision_day: int, lag: int, day: int) -> bool:
    """Whether a carried-out threat acts today (``decision_day + lag <= day``)."""
    return status == CARRIED_OUT and decision_day + lag <= day


@njit(cache=True)
def outlook(status: int, credibility: float, deadline: int, decision_day: int, lag: int,
            day: int) -> tuple[float, float]:
    """(probability, days until it acts) of a threat not yet in force, as seen today:
    pending: (credibility, deadline + lag - day); carried out but not yet in force:
    (1, decision_day + lag - day); otherwise (0, 0) — in force, its cost is already part of
    the daily cost; lapsed, lifted or absent, nothing is expected."""
    if status == PENDING:
        return credibility, float(deadline + lag - day)
    if status == CARRIED_OUT and decision_day + lag > day:
        return 1.0, float(decision_day + lag - day)
    return 0.0, 0.0


@njit(cache=True)
def pressure_effects(active: bool, target_is_defender: bool, cost_per_day: float,
                     drift_change: float) -> tuple[float, float, float]:
    """(extra cost to the occupier, extra cost to the defender, extra occupier drift) today
    from a pressure threat that is ``active`` (in force and no deal)."""
    if not active:
        return 0.0, 0.0, 0.0
    if target_is_defender:
        return 0.0, cost_per_day, drift_change
    return cost_per_day, 0.0, drift_change
