"""The state of a chunk of replicates: one record per replicate.

``st[i].brent`` is a number, ``st[i].control`` an array over the regions (room for
:func:`~simulate.model.params.capacity` of them; ``q.control[:p.K]``). The record also holds
the replicate's running sums of what the engines record (:mod:`simulate.engines.record`).
Adding a state variable: one line in :data:`SCALARS` or :data:`ARRAYS` (and its start value
in :func:`initial_state` if it is not 0).
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any

import numpy as np
from numba import njit

from .params import NO_DAY, Params, record_dtype
from .tradeparams import TRADE_STATE
from .tradephase import init_trade_state

__all__ = ["Threat", "SCALARS", "ARRAYS", "initial_state", "PENDING", "CARRIED_OUT",
           "LAPSED", "NONE", "LIFTED", "NEVER"]


class Threat(IntEnum):
    """Where the sanctioner's threat stands."""

    PENDING = 0      # deadline ahead
    CARRIED_OUT = 1  # decided at a deadline; in force after its lag
    LAPSED = 2       # deadline passed without action
    NONE = 3         # no threat in the scenario
    LIFTED = 4       # cancelled or lifted by a deal


#: the threat codes as plain ints, for the compiled rules
PENDING, CARRIED_OUT, LAPSED, NONE, LIFTED = (int(t) for t in Threat)
#: ``last_talks`` before any talks (far enough back to be outside every progress window)
NEVER = -(10**9)

#: scalar state variables per replicate
SCALARS = [
    ("replicate", "i8"),             # the replicate's index in the ensemble (keys its draws)
    ("at_war", "?"),
    ("deal_day", "i8"),              # day of the deal, -1 if none
    ("cost_occ", "f8"), ("cost_def", "f8"),   # cumulative war cost, share-eq
    ("soft_occ", "?"), ("soft_def", "?"),     # reservation points softened to the line
    ("deadline", "i8"),              # current deadline day (-1 none)
    ("threat", "i8"),                # Threat code
    ("decision_day", "i8"),          # day the threat was carried out (-1)
    ("extensions", "i8"),            # number of deadline extensions
    ("company_tl", "f8"),            # company sanctions share in force from the timeline
    ("last_talks", "i8"),            # day of the last talks
    ("brent_shock", "f8"),           # log deviation of Brent from equilibrium
    ("brent", "f8"), ("discount", "f8"),      # today's market, USD/bbl
    ("bought", "f8"), ("discounted", "f8"), ("shut_in", "f8"),   # mb/d
    ("revenue", "f8"),               # USD M/day
    ("strikes", "i8"), ("killed", "i8"), ("injured", "i8"),      # today's counts
    # what the engines record (running sums over the days, see simulate.engines.record)
    ("sum_revenue", "f8"), ("sum_exports", "f8"), ("sum_shut_in", "f8"),
    ("sum_brent", "f8"), ("sum_discount", "f8"), ("sum_delivered", "f8"),
    ("sum_freight", "f8"), ("sum_urals_fob", "f8"),   # freight premium, Urals FOB, USD/bbl
    ("total_strikes", "i8"), ("total_killed", "i8"), ("total_injured", "i8"),
    ("terms_aggregate", "f8"),       # at the end of the horizon
    ("kept_row", "i8"),              # row of the kept daily series, -1 if not kept
    # negotiation v2 (docs/model.md 4.12)
    ("belief_occ", "f8"), ("belief_def", "f8"),   # believed bias of the drift, share/day
    ("bvar_occ", "f8"), ("bvar_def", "f8"),       # its variance, (share/day)^2
    ("pressure", "i8"), ("pressure_day", "i8"),   # pressure threat: Threat code, decision
    ("prop_seen", "?"), ("prop_accepted", "?"),   # a proposal was judged; accepted
    ("prop_rejected_by", "i8"),                   # proposals.NOBODY/OCCUPIER/DEFENDER/BOTH
    ("prop_margin_occ", "f8"), ("prop_margin_def", "f8"),   # at the last judgement
    ("prop_u_occ", "f8"), ("prop_u_def", "f8"),   # acceptance uniforms of the proposal
    # trade v2 (docs/model.md 4.7-4.11): today's probability that the threat comes and news
    ("trade_prob", "f8"), ("trade_news", "f8"),
    # the threat's part of Brent's expected loss (mb/d) and the probability it was priced at
    ("threat_priced", "f8"), ("threat_prob_priced", "f8"),
]

#: per-actor state variables: name -> (axis, type)
ARRAYS: dict[str, tuple[Any, str]] = {
    "control": ("K", "f8"),          # occupier's share per region
    "terms": ("K", "f8"),            # settlement (valid where a deal occurred)
    "drift": ("K", "f8"),            # today's effective drift of the front, share/day
    "floor": ("K", "f8"),            # bounds of acceptable terms at the last talks
    "ceil": ("K", "f8"),
    "seen": ("K", "f8"),             # the front as last observed (learning)
    "tariff_tl": ("M", "f8"),        # extra tariffs in force from the timeline
    "penalty": ("M", "f8"),          # today's expected tariff penalty, USD bn/yr
    # the last tariff factor (1+t)^-sigma computed per importer, for the rate in force and
    # for the rate with the threat (a memo: rates change on a few days only)
    "memo_rate": ("M", "f8"), "memo_factor": ("M", "f8"),
    "memo_rate_threat": ("M", "f8"), "memo_factor_threat": ("M", "f8"),
    "volume": ("B", "f8"),           # buyers' volumes, mb/d
    "volume_sum": ("M", "f8"),       # importers' volumes summed over the days, mb/d
    "tariff_cost_sum": ("M", "f8"),  # lost exports summed over the days, USD bn/yr
    "buyer_volume_sum": ("B", "f8"),  # buyers' volumes summed over the days, mb/d
    "directive_days": ("M", "i8"),   # days with a cut directive in force (directive < 1)
}
#: the trade side v2: market, buyers' and policy state (simulate.model.tradeday rows)
ARRAYS.update(TRADE_STATE)


def initial_state(p: Params, replicates: np.ndarray, keep: np.ndarray | None = None
                  ) -> np.recarray:
    """State records on day 0, before anything happens, of the replicates ``replicates``
    (rows of ``p.table``); ``keep`` marks the rows whose daily series are kept."""
    n = len(replicates)
    t = p.table
    sizes = {"K": len(p.region_names), "M": len(p.importer_ids), "B": len(p.buyer_ids)}
    st = np.zeros(n, dtype=record_dtype(SCALARS, ARRAYS, sizes)).view(np.recarray)
    st.replicate = replicates
    st.at_war = True
    st.deal_day = NO_DAY
    st.deadline = t.deadline_day
    st.threat = np.where(t.has_threat, PENDING, NONE)
    st.decision_day = NO_DAY
    st.last_talks = NEVER
    st.brent = t.brent0
    st.discount = t.discount0
    st.revenue = t.revenue0
    st.control = t.control0
    st.terms = t.control0
    st.volume = t.base_volume
    st.bought = t.base_volume.sum(axis=1)
    st["kept_row"] = -1
    st.belief_occ = t.optimism_occ
    st.belief_def = -t.optimism_def
    st.bvar_occ = t.prior_var_occ
    st.bvar_def = t.prior_var_def
    st.pressure = np.where(t.has_pressure, PENDING, NONE)
    st.pressure_day = NO_DAY
    st.seen = t.control0
    st.memo_rate = np.nan
    st.memo_rate_threat = np.nan
    if keep is not None:
        st.kept_row[keep] = np.arange(int(np.sum(keep)))
    _init_trade(t, st)
    return st


@njit(cache=True, error_model="numpy")
def _init_trade(table: np.ndarray, st: np.ndarray) -> None:
    """The trade state of each row (one parameter row may serve every state row)."""
    one = table.shape[0] == 1
    for i in range(st.shape[0]):
        init_trade_state(table[0 if one else i], st[i])
