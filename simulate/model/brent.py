"""Brent with expectations: realised and expected losses of the occupier's barrels.

Rules over one replicate (docs/model.md section 4.11). The price is the market-clearing price
of constant-elasticity curves after the loss of a share ``s`` of world supply,
``P = P0 (1 - s)^(-1/(e_s + |e_d|)) exp(shock)`` (Kilian & Murphy 2014; Baumeister &
Hamilton 2019). ``s`` counts the barrels actually lost (net of other suppliers' spare
capacity) plus the market's **expected loss**: news adds the credibility-weighted threatened
loss (mb/d; negative for measures designed to keep barrels flowing) to an expectation that
decays with a half-life of days, and the price term follows it with a short lag (calibration
fact 10: +2-4% on day 1, +6-8% over 2-4 sessions, gone within 1-2 weeks without a loss).

The sanctioner's own threat is news too: the market prices the barrels the threat puts at
risk (:func:`threatened_loss`) times the probability that it is carried out; each time that
probability changes (the threat announced at the start, carried out, lapsed or lifted), the
threat's part of the expectation is set to the new probability-weighted loss
(:func:`threat_news`), and it decays like any news in between.
"""

from __future__ import annotations

import math

from numba import njit

from .wedges import adjust_toward

__all__ = ["price_ratio", "net_loss", "update_expectation", "brent_price", "threatened_loss",
           "threat_news", "MAX_LOSS_SHARE", "MIN_LOSS_SHARE", "MIN_ELASTICITY_SUM"]

#: smallest ``supply_elasticity + |demand_elasticity|`` a scenario may have (an order of
#: magnitude below the literature's smallest sums): below it the price response overflows
MIN_ELASTICITY_SUM = 0.01

#: loss shares are clipped to this range before the power
MAX_LOSS_SHARE = 0.99
MIN_LOSS_SHARE = -0.5


@njit(cache=True, error_model="numpy")
def price_ratio(loss_share: float, supply_elasticity: float, demand_elasticity: float) -> float:
    """``(1 - s)^(-1/(e_s + |e_d|))`` with ``s`` clipped to [-0.5, 0.99]."""
    s = min(max(loss_share, MIN_LOSS_SHARE), MAX_LOSS_SHARE)
    return (1.0 - s) ** (-1.0 / (supply_elasticity + abs(demand_elasticity)))


@njit(cache=True, error_model="numpy")
def net_loss(lost: float, spare, response) -> float:
    """Barrels lost to the world (mb/d): ``lost`` less what other suppliers replace, each up
    to its spare capacity (arrays per supplier)."""
    replaced = 0.0
    for j in range(spare.shape[0]):
        replaced += min(spare[j], response[j] * lost)
    return max(lost - replaced, 0.0)


@njit(cache=True, error_model="numpy")
def update_expectation(expected: float, perceived: float, news: float, keep: float,
                       lag: float):
    """``(expected, perceived)`` after one day (mb/d).

    ``expected`` keeps ``keep`` of itself (the daily factor of its half-life,
    :func:`simulate.model.wedges.decay_factor`, computed once per replicate) and jumps by
    today's ``news`` (credibility-weighted threatened loss); ``perceived``, the part the
    price sees, closes ``1/lag`` of its gap to ``expected`` each day.
    """
    expected = expected * keep + news
    perceived = adjust_toward(perceived, expected, lag)
    return expected, perceived


@njit(cache=True, error_model="numpy")
def brent_price(brent0: float, loss: float, perceived: float, world_demand: float,
                supply_elasticity: float, demand_elasticity: float, shock: float) -> float:
    """Brent (USD/bbl) after the realised ``loss`` plus the ``perceived`` expected loss."""
    ratio = price_ratio((loss + perceived) / world_demand, supply_elasticity, demand_elasticity)
    return brent0 * ratio * math.exp(shock)


@njit(cache=True, error_model="numpy")
def threatened_loss(base, importer, threatened, company_share: float, ratio: float) -> float:
    """Loss of world supply (mb/d) the market prices if the threat is carried out.

    ``ratio * sum_b base_b a_b`` over the buyers (``base`` mb/d, ``importer`` index of each):
    all of a buyer's barrels are at risk (``a_b = 1``) when its country is a target of the
    threatened tariff (``threatened[m] > 0``), otherwise the threatened company-sanctions
    share of them (``a_b = company_share``). ``ratio``: mb/d priced per mb/d at risk
    (``market.threat_loss_ratio``, docs/model.md 4.11).
    """
    at_risk = 0.0
    for b in range(base.shape[0]):
        share = 1.0 if threatened[importer[b]] > 0.0 else company_share
        at_risk += base[b] * share
    return ratio * at_risk


@njit(cache=True, error_model="numpy")
def threat_news(priced: float, prob_priced: float, prob: float, loss: float, keep: float):
    """``(news, priced)`` of the threat today (mb/d).

    ``priced``: the threat's part of the expected loss yesterday, priced at probability
    ``prob_priced``; it decays like the expectation (daily factor ``keep``). When
    today's probability ``prob`` differs, the part is set to ``prob * loss`` and the news is
    the difference from its decayed value (a jump to the full ``loss`` when the threat is
    carried out, back to 0 when it lapses); otherwise there is no news.
    """
    decayed = priced * keep
    if prob == prob_priced:
        return 0.0, decayed
    level = prob * loss
    return level - decayed, level
