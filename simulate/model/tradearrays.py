"""What the trade day (:func:`simulate.model.tradeday.trade_day`) takes, in three groups: a
replicate's trade parameters, its trade state, and the day's inputs from the other phases.

The groups are NamedTuples of arrays with named columns (the constants of
:mod:`simulate.model.tradeday`) and scalars, so the compiled day takes them as they are; the
engines build them from views of their parameter and state records
(:func:`simulate.model.tradephase.trade_phase`), which carry no reference counts.
:func:`new_trade_state` starts a state for a market given as plain arrays (tests, notebooks).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import tradeday as T
from .clearing import NW

__all__ = ["TradeParams", "TradeState", "TradeInputs", "new_trade_state"]


class TradeParams(NamedTuple):
    """One replicate's trade parameters (its draws)."""

    buyers: np.ndarray     #: (B, NB) buyers' parameters, columns ``B_*``
    importers: np.ndarray  #: (M, NI) importers' parameters, columns ``I_*``
    market: np.ndarray     #: (NM,) market parameters, ``M_*``
    spare: np.ndarray      #: (S,) other suppliers' spare capacity, mb/d
    response: np.ndarray   #: (S,) the share of each supplier's spare capacity that responds


class TradeState(NamedTuple):
    """One replicate's trade state, updated in place by each trade day."""

    policy: np.ndarray     #: (NP,) measures in force set by timeline actions, ``P_*``
    embargo: np.ndarray    #: (M,) day from which an importer's buyers are embargoed (-1: none)
    market: np.ndarray     #: (NS,) market state, ``S_*``
    buyers: np.ndarray     #: (B, NBS) buyers' state, ``BS_*``
    directive: np.ndarray  #: (M,) each government's cap on its state refiners, share of base
    relief: np.ndarray     #: (M, NR) each government's decision memory, ``R_*`` (NaN: none)
    work: np.ndarray       #: (NW, B) the day's rows of the clearing (no memory between days)
    purchases: np.ndarray  #: (B,) today's purchases per buyer, mb/d


class TradeInputs(NamedTuple):
    """What the day's other phases hand to the trade day."""

    tariff: np.ndarray       #: (M,) extra tariff in force per importer, fraction
    threat_rate: np.ndarray  #: (M,) extra tariff threatened per importer, fraction
    threat_prob: float       #: probability that the threat comes
    news: float              #: credibility-weighted expected loss announced today, mb/d
    z: float                 #: standard normal of today's Brent shock


def new_trade_state(params: TradeParams) -> TradeState:
    """A day-0 trade state for ``params``: nothing in force, no embargo, no directive, no
    decision remembered (each government decides on day 0), the market at its start
    (:func:`simulate.model.tradeday.initial_market_state`)."""
    n_b, n_m = params.buyers.shape[0], params.importers.shape[0]
    state = TradeState(policy=T.empty_policy(), embargo=-np.ones(n_m), market=np.zeros(T.NS),
                       buyers=np.zeros((n_b, T.NBS)), directive=np.ones(n_m),
                       relief=np.full((n_m, T.NR), np.nan), work=np.zeros((NW, n_b)),
                       purchases=np.zeros(n_b))
    T.initial_market_state(params.buyers, params.market, state.market, state.buyers)
    return state
