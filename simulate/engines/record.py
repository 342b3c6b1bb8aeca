"""What both engines record: per-replicate outcomes and daily series (phase 7 of a day).

Outcome columns (one row per replicate; no NaN by construction):

- ``deal`` (bool), ``deal_day`` (day number from start, -1 if none), ``deal_by_deadline``;
- ``threat`` (pending | carried_out | lapsed | none | lifted), ``decision_day`` (-1),
  ``extensions``; ``softened_<occupier>``, ``softened_<defender>`` (bool);
- ``terms_<region>`` and ``terms_aggregate``: the settlement where a deal occurred, otherwise
  the front line at the horizon (occupier's share);
- ``oil_revenue_busd`` (USD bn over the horizon), ``exports_mbd``, ``shut_in_mbd`` (means),
  ``brent_mean_usd``, ``brent_end_usd``, ``urals_discount_mean_usd`` (the FOB discount, kept
  under its v1 name), ``fob_discount_mean_usd`` (the same), ``delivered_discount_mean_usd``,
  ``freight_premium_mean_usd`` and ``urals_fob_mean_usd`` (means over the horizon);
- ``volume_<importer>_mbd`` (mean over the horizon), ``tariff_cost_<importer>_busd``
  (USD bn of lost exports over the horizon); ``strikes``, ``killed``, ``injured`` (totals);
- ``buyer_volume_<IMPORTER.buyer>_mbd`` (mean over the horizon) and
  ``buyer_volume_end_<IMPORTER.buyer>_mbd`` (the last day); ``buyer_stop_day_<IMPORTER.buyer>``
  (the first day the buyer stopped buying from designated sellers, -1 if it never did);
  ``directive_days_<importer>`` (days on which the government's cap on its state refiners'
  intake was below 1).

The columns and their order are those of
:func:`simulate.scenario.outcome_columns.model_outcome_columns` (checked on every chunk), so
that an experiment's ``outcomes.columns`` can be checked before anything runs; 0/1 columns
are named there (:func:`~simulate.scenario.outcome_columns.is_indicator`).

Daily series (``SERIES``, in :mod:`simulate.scenario.series`): variable -> actor axis (""
for scalars, region, importer or buyer ids, the last ``IMPORTER.buyer``). Trade v2
(docs/model.md 4.7-4.11): the FOB and delivered discounts, the freight/insurance sanctions
premium, the Urals FOB price, barrels put into storage, each buyer's volume, each
government's directive and the designation status; barrels released from storage, Brent's
expected and perceived loss (mb/d) and each buyer's risk premium (USD/bbl); the day's export
capacity (``export_capacity_mbd``, the scenario's plus the timeline's dated changes).
``shut_in_mbd`` is the barrels shut in (never negative), so that capacity + released =
exports + stored + shut in every day. ``urals_discount_usd`` is the FOB discount (an alias
of ``fob_discount_usd``, kept for the figures, metrics and calibration targets that name
it).
The day's values of every series are computed by :func:`day_values` (compiled) into one row
of C columns (:func:`series_columns`); :func:`record_day` adds them to the running sums kept
in the replicate's state record (``sum_*``, ``total_*``, ``volume_sum``...) and to the kept
series. Adding an output: a name in :data:`~simulate.scenario.series.SERIES` and its value
in :func:`day_values` (a daily series), or a running sum (a state field, its update in
:func:`record_day`) and its column in :meth:`Recorder.outcomes` and in
:mod:`simulate.scenario.outcome_columns`.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ..model.allocation import aggregate
from ..model.measures import company_share_in_force, tariff_cost_today, tariff_in_force
from ..model.params import Params
from ..model.state import Threat
from ..model.tradeday import (
    BS_PREMIUM,
    BS_STOP_DAY,
    S_CAPACITY,
    S_DELIVERED,
    S_EXPECTED,
    S_FOB,
    S_FOB_DISC,
    S_PERCEIVED,
    S_PREMIUM,
    S_RELEASED,
    S_STATUS,
    S_STORED,
)
from ..scenario.outcome_columns import model_outcome_columns
from ..scenario.series import SERIES, scenario_actors

#: ``SERIES`` and ``scenario_actors`` live in :mod:`simulate.scenario.series` (the output
#: contract, which the loader checks outcomes against); re-exported for the modules and
#: tests that import them from here
__all__ = ["Recorder", "SERIES", "THREAT_NAMES", "series_actors", "series_columns",
           "scenario_actors",
           "day_values", "record_day", "finish_row"]

THREAT_NAMES = {int(t): t.name.lower() for t in Threat}


def series_actors(p: Params, name: str) -> list[str]:
    """The actor ids of a series' columns (``[""]`` for a scalar series)."""
    kind = SERIES[name]
    return {"region": p.region_names, "importer": p.importer_ids, "buyer": p.buyer_ids,
            None: [""]}[kind]


def series_columns(p: Params) -> list[tuple[str, str]]:
    """The (variable, actor) columns of a day's values, in :data:`SERIES` order."""
    return [(name, actor) for name in SERIES for actor in series_actors(p, name)]


@njit(cache=True, error_model="numpy", inline="always")
def day_values(p, q, day: int, out: np.ndarray) -> None:
    """Today's value of every series column of one replicate (:func:`series_columns`
    order), into ``out`` (C,)."""
    K, M = p.K, p.M
    c = 0
    for k in range(K):
        out[c] = q.control[k]
        c += 1
    out[c] = q.brent
    out[c + 1] = q.discount
    out[c + 2] = q.bought + q.discounted
    out[c + 3] = q.bought
    out[c + 4] = q.discounted
    out[c + 5] = q.shut_in
    out[c + 6] = q.revenue
    c += 7
    for m in range(M):
        total = 0.0
        for b in range(p.B):
            if p.buyer_importer[b] == m:
                total += q.volume[b]
        out[c + m] = total
        out[c + M + m] = tariff_in_force(p, q, m, day)
    c += 2 * M
    out[c] = company_share_in_force(p, q, day)
    out[c + 1] = 1.0 if q.at_war else 0.0
    out[c + 2] = q.killed
    out[c + 3] = q.injured
    c += 4
    ms = q.trade_ms
    out[c] = ms[S_FOB_DISC]
    out[c + 1] = ms[S_DELIVERED]
    out[c + 2] = ms[S_PREMIUM]
    out[c + 3] = ms[S_FOB]
    out[c + 4] = ms[S_STORED]
    out[c + 5] = ms[S_STATUS]
    c += 6
    for b in range(p.B):
        out[c + b] = q.volume[b]
    c += p.B
    for m in range(M):
        out[c + m] = q.directive[m]
    c += M
    out[c] = ms[S_RELEASED]
    out[c + 1] = ms[S_EXPECTED]
    out[c + 2] = ms[S_PERCEIVED]
    c += 3
    for b in range(p.B):
        out[c + b] = q.trade_bs[b, BS_PREMIUM]
    out[c + p.B] = ms[S_CAPACITY]


@njit(cache=True, error_model="numpy", inline="always")
def record_day(p, q, day: int, today: np.ndarray, series: np.ndarray) -> None:
    """Phase 7: today's values into ``today`` and (a kept replicate) into ``series``
    (kept, days, C), and the running sums of the state record."""
    day_values(p, q, day, today)
    K, M = p.K, p.M
    q.sum_revenue += q.revenue
    q.sum_exports += today[K + 2]
    q.sum_shut_in += q.shut_in
    q.sum_brent += q.brent
    q.sum_discount += q.discount
    q.sum_delivered += q.trade_ms[S_DELIVERED]
    q.sum_freight += q.trade_ms[S_PREMIUM]
    q.sum_urals_fob += q.trade_ms[S_FOB]
    for b in range(p.B):
        q.buyer_volume_sum[b] += q.volume[b]
    q.total_strikes += q.strikes
    q.total_killed += q.killed
    q.total_injured += q.injured
    for m in range(M):
        q.volume_sum[m] += today[K + 7 + m]
        q.tariff_cost_sum[m] += tariff_cost_today(p, q, m, day)
        if q.directive[m] < 1.0:
            q.directive_days[m] += 1
    if q.kept_row >= 0:
        for j in range(today.shape[0]):
            series[q.kept_row, day, j] = today[j]


@njit(cache=True, error_model="numpy")
def finish_row(p, q) -> None:
    """End of the horizon: the aggregate terms (the front line if there was no deal)."""
    q.terms_aggregate = aggregate(q.control[:p.K], p.weight[:p.K])


class Recorder:
    """The kept series of a chunk of ``n`` rows and its outcome columns (the running sums
    live in the state records)."""

    def __init__(self, p: Params, n: int, keep: np.ndarray | None = None):
        self.p, self.n = p, n
        self.keep = np.zeros(n, dtype=bool) if keep is None else np.asarray(keep, dtype=bool)
        self.columns = series_columns(p)
        self.all_series = np.zeros((int(self.keep.sum()), p.n_days + 1, len(self.columns)))
        self.slices: dict[str, slice] = {}
        a = 0
        for name in SERIES:
            b = a + len(series_actors(p, name))
            self.slices[name] = slice(a, b)
            a = b

    @property
    def series(self) -> dict[str, np.ndarray]:
        """variable -> (kept, days, actors) array of the kept rows."""
        return {name: self.all_series[:, :, sl] for name, sl in self.slices.items()}

    def outcomes(self, st: np.recarray) -> dict[str, np.ndarray]:
        """Per-replicate outcome columns at the end of the horizon."""
        p = self.p
        days = p.n_days + 1
        deal = st.deal_day >= 0
        out: dict[str, np.ndarray] = {
            "deal": deal.copy(), "deal_day": st.deal_day.copy(),
            "deal_by_deadline": deal & (p.deadline_day >= 0) & (st.deal_day <= p.deadline_day),
            "threat": st.threat.astype(np.int64), "decision_day": st.decision_day.copy(),
            "extensions": st.extensions.copy(),
            f"softened_{p.occ_id}": st.soft_occ.copy(), f"softened_{p.def_id}": st.soft_def.copy(),
        }
        for k, region in enumerate(p.region_names):
            out[f"terms_{region}"] = st.control[:, k].copy()
        out["terms_aggregate"] = st.terms_aggregate.copy()
        out["oil_revenue_busd"] = st.sum_revenue / 1000.0
        out["exports_mbd"] = st.sum_exports / days
        out["shut_in_mbd"] = st.sum_shut_in / days
        out["brent_mean_usd"] = st.sum_brent / days
        out["brent_end_usd"] = st.brent.copy()
        out["urals_discount_mean_usd"] = st.sum_discount / days
        out["fob_discount_mean_usd"] = st.sum_discount / days
        out["delivered_discount_mean_usd"] = st.sum_delivered / days
        out["freight_premium_mean_usd"] = st.sum_freight / days
        out["urals_fob_mean_usd"] = st.sum_urals_fob / days
        for m, imp in enumerate(p.importer_ids):
            out[f"volume_{imp}_mbd"] = st.volume_sum[:, m] / days
            out[f"tariff_cost_{imp}_busd"] = st.tariff_cost_sum[:, m] / 365.0
            out[f"directive_days_{imp}"] = st.directive_days[:, m].copy()
        for b, buyer in enumerate(p.buyer_ids):
            out[f"buyer_volume_{buyer}_mbd"] = st.buyer_volume_sum[:, b] / days
            out[f"buyer_volume_end_{buyer}_mbd"] = st.volume[:, b].copy()
            out[f"buyer_stop_day_{buyer}"] = st.trade_bs[:, b, BS_STOP_DAY].astype(np.int64)
        for name in ("strikes", "killed", "injured"):
            out[name] = st[f"total_{name}"].astype(np.int64)
        proposal = bool(p.calendar.proposal.any())
        if proposal:
            out.update(proposal_outcomes(st))
        names = model_outcome_columns(outcome_ids(p), proposal)
        if list(out) != names:  # the catalogue is what validate checks outcomes.columns on
            extra = [c for c in out if c not in names] or "none"
            missing = [c for c in names if c not in out] or "none"
            raise RuntimeError(f"the outcome columns recorded differ from those of "
                               f"simulate.scenario.outcome_columns (not listed there: {extra}; "
                               f"not recorded: {missing}; or in another order): a column is "
                               "added to both")
        return out


def outcome_ids(p: Params) -> dict[str | None, list[str]]:
    """The actor ids per axis of the outcome columns of ``p``
    (:func:`~simulate.scenario.outcome_columns.model_outcome_columns`)."""
    return {"occupier": [p.occ_id], "defender": [p.def_id], "region": list(p.region_names),
            "importer": list(p.importer_ids), "buyer": list(p.buyer_ids)}


#: who rejected a mediator's proposal (``proposals.NOBODY`` ... ``BOTH``)
REJECTED_BY = np.array(["none", "occupier", "defender", "both"], dtype=object)


def proposal_outcomes(st: np.recarray) -> dict[str, np.ndarray]:
    """Outcome columns of a scenario with a mediator's proposal: whether it was judged
    (the war was still on when it was tabled), accepted, who rejected it, and both sides'
    margins at the last judgement (share-eq; 0 where it was never judged)."""
    seen = st.prop_seen.astype(bool)
    return {
        "proposal_judged": seen.copy(),
        "proposal_accepted": st.prop_accepted.astype(bool),
        "proposal_rejected_by": np.where(seen, REJECTED_BY[st.prop_rejected_by], "none"),
        "proposal_margin_occ": np.where(seen, st.prop_margin_occ, 0.0),
        "proposal_margin_def": np.where(seen, st.prop_margin_def, 0.0),
    }
