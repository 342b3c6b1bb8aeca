"""Importing governments: whether to direct state-owned refiners to cut Russian crude.

Rules over one replicate (docs/model.md section 4.9). A single refiner's purchases cannot lift
its country's tariff: the government decides. It weighs the tariff relief it expects from
cutting (only where the tariff or threat is conditional on buying) against the economy's
gain from the discounted crude its state refiners would give up and the political cost of
being seen to comply, scaled by its stance. Private refiners decide on their own exposure
(:mod:`simulate.model.designations`, :mod:`simulate.model.wedges`).

Tariffed goods follow constant-elasticity import demand ``X = X0 (1 + t)^-sigma`` (USD bn/yr).
"""

from __future__ import annotations

from numba import njit

from .trade import exports_under_tariff, tariff_cost

__all__ = ["exports_under_tariff", "tariff_cost", "expected_relief", "discount_gain",
           "directive_cap", "reviews", "lifts_conditional_tariff", "BBL_DAY_TO_BN_YEAR"]

#: mb/d x USD/bbl -> USD bn per year
BBL_DAY_TO_BN_YEAR = 0.365


@njit(cache=True, error_model="numpy")
def expected_relief(x0: float, sigma: float, rate_in_force: float, threat_rate: float,
                    threat_probability: float, conditional: float) -> float:
    """Tariff cost (USD bn/yr) a country expects to avoid by cutting Russian crude.

    ``conditional`` is the probability that cutting lifts the tariff in force and removes the
    threat (1: explicitly conditional on buying; 0: cutting changes nothing). Avoided: the
    cost of the tariff in force plus the probability-weighted extra cost of the threat.
    """
    now = tariff_cost(x0, rate_in_force, sigma)
    extra = 0.0
    if threat_probability > 0.0 and threat_rate > 0.0:
        extra = tariff_cost(x0, rate_in_force + threat_rate, sigma) - now
    return conditional * (now + threat_probability * extra)


@njit(cache=True, error_model="numpy")
def discount_gain(discount: float, capture: float, volume: float) -> float:
    """The economy's gain (USD bn/yr) from ``volume`` mb/d bought at a delivered ``discount``
    USD/bbl of which it keeps the share ``capture``."""
    return discount * capture * volume * BBL_DAY_TO_BN_YEAR


@njit(cache=True, error_model="numpy")
def directive_cap(relief: float, state_share: float, cut_cap: float, gain: float,
                  political_cost: float, stance_weight: float) -> float:
    """Cap on the state refiners' Russian intake, share of their base volume (1 = none).

    Cutting them to ``cut_cap`` removes ``state_share (1 - cut_cap)`` of the country's
    Russian intake and earns that share of the expected ``relief``; it costs the ``gain``
    given up (USD bn/yr, on the volume cut) and the ``political_cost``. The government cuts
    when ``stance_weight * state_share * (1 - cut_cap) * relief > gain + political_cost``.
    """
    credit = stance_weight * state_share * (1.0 - cut_cap) * relief
    if credit > gain + political_cost:
        return cut_cap
    return 1.0


@njit(cache=True, error_model="numpy")
def reviews(changed: bool, day: int, last_day: float, review_days: float) -> bool:
    """Whether a government decides its directive today: when what it weighs from the
    sanctioner changed (tariff, threat, the threat's probability), when it has never
    decided (``last_day`` NaN), or ``review_days`` after its last decision (0: every day).
    Between reviews the directive stands: the discount it moves does not reopen it."""
    if changed or not last_day == last_day:
        return True
    return day - last_day >= review_days


@njit(cache=True, error_model="numpy")
def lifts_conditional_tariff(u: float, conditional: float) -> bool:
    """Whether the sanctioner lifts the tariffs and threat on an importer whose government
    has cut: with the probability ``conditional`` its government weighed (``u`` uniform),
    so governments' expectations and the sanctioner's behaviour agree."""
    return u < conditional
