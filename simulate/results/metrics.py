"""The headline metrics of a run: one registry, one name per metric.

Every metric has a stable identifier for code (``deal_within_90d``), a display label for
tables, figures and reports (``P(deal within 90 days)``), a unit, a kind (``proportion``,
``mean`` or ``median``) and a function giving its per-replicate values from the outcomes
table. The summary (:func:`simulate.results.summary.summarize`), the comparison of runs, the
figures and the report all read this registry, so a metric is spelled the same everywhere.

Deal windows (``deal_within_<w>d``: a deal on or before day ``w`` after the start) are
configurable: :data:`DEAL_WINDOWS` by default, the scenario's ``outputs.deal_within`` when it
has one, or the ``windows`` argument of :func:`metrics_for` / ``Results.summary``. Windows
longer than the horizon are dropped (they would equal ``deal_within_horizon``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["Metric", "DEAL_WINDOWS", "metrics_for", "deal_within", "deal_window_id",
           "deal_windows", "metric_values", "get_metric"]

#: default deal windows, days after the scenario's start
DEAL_WINDOWS: tuple[int, ...] = (30, 90, 180, 365)

Values = Callable[[pd.DataFrame], np.ndarray]


@dataclass(frozen=True)
class Metric:
    """One headline metric.

    ``values(outcomes)`` gives one number per replicate (booleans for proportions); for
    ``median`` metrics only the replicates that qualify (e.g. the deals) are returned.
    """

    id: str
    label: str
    kind: str  # "proportion" | "mean" | "median"
    unit: str
    values: Values
    description: str = ""

    def __call__(self, outcomes: pd.DataFrame) -> np.ndarray:
        return self.values(outcomes)


def deal_within(outcomes: pd.DataFrame, days: int | None) -> np.ndarray:
    """Per replicate: a deal on or before day ``days`` (None: within the horizon)."""
    deal = outcomes["deal"].to_numpy(dtype=bool)
    if days is None:
        return deal
    return deal & (outcomes["deal_day"].to_numpy() <= int(days))


def deal_window_id(days: int) -> str:
    """The id of the deal window of ``days`` days: ``deal_within_<days>d``."""
    return f"deal_within_{int(days)}d"


def deal_windows(scenario: Any, windows: Iterable[int] | None = None) -> tuple[int, ...]:
    """The deal windows of a run: ``windows``, else the scenario's ``outputs.deal_within``,
    else :data:`DEAL_WINDOWS`; sorted, distinct, at most the horizon."""
    if windows is None:
        windows = getattr(getattr(scenario, "outputs", None), "deal_within", None)
    if windows is None:
        windows = DEAL_WINDOWS
    horizon = int(scenario.horizon_days)
    chosen = sorted({int(w) for w in windows})
    bad = [w for w in chosen if w < 1]
    if bad:
        raise ValueError(f"windows(={list(windows)!r}): days must be >= 1, found {bad}")
    return tuple(w for w in chosen if w < horizon)


def _col(name: str, dtype: Any = float) -> Values:
    return lambda o: o[name].to_numpy(dtype=dtype)


def _terms(region: str) -> Values:
    return lambda o: o.loc[o["deal"].to_numpy(dtype=bool), f"terms_{region}"].to_numpy(float)


def _within(days: int | None) -> Values:
    return lambda o: deal_within(o, days)


def _has_deadline(scenario: Any) -> bool:
    return any(a.deadline is not None for a in scenario.actors_of("sanctioner").values())


def metrics_for(scenario: Any, columns: Sequence[str] | None = None,
                windows: Iterable[int] | None = None) -> list[Metric]:
    """The headline metrics of a scenario, in table order.

    ``columns``: the outcome columns present (metrics needing absent columns are left out,
    e.g. ``oil_revenue_loss`` without ``outputs.counterfactual``).
    """
    has = (lambda c: True) if columns is None else set(columns).__contains__
    out: list[Metric] = []
    deadline = _has_deadline(scenario)
    if deadline:
        out.append(Metric("deal_by_deadline", "P(deal by deadline)", "proportion",
                          "probability", _col("deal_by_deadline", bool),
                          "a deal on or before the first sanctioner deadline"))
    for w in deal_windows(scenario, windows):
        out.append(Metric(deal_window_id(w), f"P(deal within {w} days)", "proportion",
                          "probability", _within(w), f"a deal within {w} days of the start"))
    out.append(Metric("deal_within_horizon",
                      f"P(deal within horizon, {scenario.horizon_days} days)", "proportion",
                      "probability", _within(None), "a deal before the end of the run"))
    if deadline:
        out.append(Metric("threat_carried_out", "P(threat carried out)", "proportion",
                          "probability", lambda o: o["decision_day"].to_numpy() >= 0,
                          "the threatened measures imposed at a deadline"))
    for region in [*scenario.regions, "aggregate"]:
        if has(f"terms_{region}"):
            name = "all regions (weighted)" if region == "aggregate" else region
            out.append(Metric(f"terms_{region}", f"Terms in a deal: {name}", "median",
                              "occupier share", _terms(region),
                              "occupier's share under the settlement, median over deals"))
    out.append(Metric("oil_revenue", "Russian oil export revenue", "mean",
                      "USD bn over horizon", _col("oil_revenue_busd")))
    if has("oil_revenue_loss_busd"):
        out.append(Metric("oil_revenue_loss", "Oil revenue lost to the measures", "mean",
                          "USD bn over horizon (paired)", _col("oil_revenue_loss_busd"),
                          "revenue without the measures minus with them, same random numbers"))
    out.append(Metric("exports", "Russian crude exports", "mean", "mb/d (mean over horizon)",
                      _col("exports_mbd")))
    for imp in scenario.actors_of("importer"):
        if has(f"tariff_cost_{imp}_busd"):
            out.append(Metric(f"tariff_cost_{imp}", f"Tariff cost {imp}: lost exports to the US",
                              "mean", "USD bn over horizon", _col(f"tariff_cost_{imp}_busd")))
    out.append(Metric("brent", "Brent price (horizon mean)", "mean", "USD/bbl",
                      _col("brent_mean_usd")))
    out.append(Metric("urals_discount", "Urals discount to Brent (horizon mean)", "mean",
                      "USD/bbl", _col("urals_discount_mean_usd")))
    out.append(Metric("civilians_killed", "Civilians killed", "mean", "people over horizon",
                      _col("killed")))
    return out


def get_metric(scenario: Any, metric_id: str, columns: Sequence[str] | None = None,
               windows: Iterable[int] | None = None) -> Metric:
    """The metric ``metric_id`` of a scenario; a KeyError naming the known ids otherwise.

    ``deal_within_<w>d`` (also accepted without the final ``d``) is available for any ``w``
    shorter than the horizon.
    """
    found = {m.id: m for m in metrics_for(scenario, columns, windows)}
    days = metric_id[len("deal_within_"):].removesuffix("d")
    if metric_id not in found and metric_id.startswith("deal_within_") and days.isdigit():
        # any window by id
        found.update({m.id: m for m in metrics_for(scenario, columns, [int(days)])})
        metric_id = deal_window_id(int(days))
    if metric_id not in found:
        raise KeyError(f"no metric {metric_id!r}; known: {', '.join(found)}")
    return found[metric_id]


def metric_values(results: Any, metric_id: str) -> tuple[np.ndarray, str] | None:
    """(per-replicate values, kind) of a proportion or mean metric of ``results``; None for
    a median metric or one the run lacks."""
    try:
        m = get_metric(results.scenario, metric_id, list(results.outcomes.columns))
        if m.kind == "median":
            return None
        return m(results.outcomes), m.kind
    except KeyError:
        return None
