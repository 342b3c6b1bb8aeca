"""The state of a chunk of replicates: arrays with a leading replicate axis."""

from __future__ import annotations

from dataclasses import dataclass, fields
from enum import IntEnum

import numpy as np

from .params import NO_DAY, Params

__all__ = ["State", "Threat", "initial_state", "baseline_revenue"]


class Threat(IntEnum):
    """Where the sanctioner's threat stands."""

    PENDING = 0      # deadline ahead
    CARRIED_OUT = 1  # decided at a deadline; in force after its lag
    LAPSED = 2       # deadline passed without action
    NONE = 3         # no threat in the scenario
    LIFTED = 4       # cancelled or lifted by a deal


@dataclass
class State:
    """Arrays shaped (R,), (R, K regions), (R, M importers) or (R, B buyers)."""

    control: np.ndarray          # occupier's share per region
    at_war: np.ndarray           # bool
    deal_day: np.ndarray         # day of the deal, -1 if none
    terms: np.ndarray            # settlement per region (valid where a deal occurred)
    cost_occ: np.ndarray         # cumulative war cost, share-eq
    cost_def: np.ndarray
    soft_occ: np.ndarray         # hard demands softened to the line
    soft_def: np.ndarray
    deadline: np.ndarray         # current deadline day (-1 none)
    threat: np.ndarray           # Threat code
    decision_day: np.ndarray     # day the threat was carried out (-1)
    extensions: np.ndarray       # number of deadline extensions
    tariff_tl: np.ndarray        # (R, M) extra tariffs in force from the timeline
    company_tl: np.ndarray       # company sanctions share in force from the timeline
    last_talks: np.ndarray       # day of the last talks
    volume: np.ndarray           # (R, B) buyers' volumes, mb/d
    brent_shock: np.ndarray      # log deviation of Brent from equilibrium
    brent: np.ndarray            # today's market, USD/bbl
    discount: np.ndarray
    bought: np.ndarray           # mb/d
    discounted: np.ndarray
    shut_in: np.ndarray
    revenue: np.ndarray          # USD M/day
    strikes: np.ndarray          # today's counts
    killed: np.ndarray
    injured: np.ndarray

    def take(self, rows: np.ndarray) -> State:
        """The state of a subset of replicates (copies)."""
        return State(**{f.name: getattr(self, f.name)[rows].copy() for f in fields(self)})


def baseline_revenue(p: Params) -> np.ndarray:
    """Start oil revenue (USD M/day): capacity sold at the start Urals price."""
    return np.asarray(p.capacity * (p.brent0 - p.discount0), dtype=float)


def _rows(value, n: int, tail: tuple = ()) -> np.ndarray:
    arr = np.asarray(value, dtype=float)
    return np.broadcast_to(arr, (n, *tail) if tail else (n,)).copy() if arr.ndim <= len(tail) \
        else arr.reshape(n, *tail).copy()


def initial_state(p: Params, n: int) -> State:
    """State on day 0, before anything happens, for ``n`` replicates."""
    K, M, B = len(p.region_names), len(p.importer_ids), len(p.buyer_ids)
    has_threat = p.deadline_day != NO_DAY and (
        np.any(np.asarray(p.tariff_rate) > 0) and p.tariff_targets.any()
        or np.any(np.asarray(p.company_share) > 0))
    zeros = np.zeros(n)
    brent0 = _rows(p.brent0, n)
    return State(
        control=_rows(p.control0, n, (K,)), at_war=np.ones(n, dtype=bool),
        deal_day=np.full(n, NO_DAY, dtype=np.int64), terms=_rows(p.control0, n, (K,)),
        cost_occ=zeros.copy(), cost_def=zeros.copy(),
        soft_occ=np.zeros(n, dtype=bool), soft_def=np.zeros(n, dtype=bool),
        deadline=np.full(n, p.deadline_day, dtype=np.int64),
        threat=np.full(n, Threat.PENDING if has_threat else Threat.NONE, dtype=np.int8),
        decision_day=np.full(n, NO_DAY, dtype=np.int64), extensions=np.zeros(n, dtype=np.int64),
        tariff_tl=np.zeros((n, M)), company_tl=zeros.copy(),
        last_talks=np.full(n, -(10**9), dtype=np.int64),
        volume=_rows(p.base_volume, n, (B,)), brent_shock=zeros.copy(), brent=brent0,
        discount=_rows(p.discount0, n), bought=_rows(np.sum(p.base_volume, axis=-1), n),
        discounted=zeros.copy(), shut_in=zeros.copy(),
        revenue=np.broadcast_to(baseline_revenue(p), (n,)).copy(),
        strikes=np.zeros(n, dtype=np.int64), killed=np.zeros(n, dtype=np.int64),
        injured=np.zeros(n, dtype=np.int64),
    )
