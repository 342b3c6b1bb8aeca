"""The headline metrics of a run: one registry, one name per metric.

Every metric has a stable identifier for code (``deal_within_90d``), a display label for
tables, figures and reports (``P(deal within 90 days)``), a unit, a kind (``proportion``,
``mean`` or ``median``) and a function giving its per-replicate values from the outcomes
table. The summary (:func:`simulate.results.summary.summarize`), the comparison of runs, the
figures and the report all read this registry, so a metric is spelled the same everywhere.

Deal windows (``deal_within_<w>d``: a deal on or before day ``w`` after the start) are
configurable: :data:`DEAL_WINDOWS` by default, the scenario's ``outputs.deal_within`` when it
has one, or the ``windows`` argument of :func:`metrics_for` / ``Results.summary``. Windows
not shorter than the horizon are dropped (they would equal ``deal_within_horizon``), with a
:class:`ResultsWarning` when the ``windows`` argument asked for them.
"""

from __future__ import annotations

import operator
import os
import sys
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ArgumentError, ResultsWarning
from ..scenario.experiment_block import deal_outcome_name as deal_window_id

__all__ = ["Metric", "DEAL_WINDOWS", "metrics_for", "deal_within", "deal_window_id",
           "deal_windows", "metric_values", "get_metric", "warn_user"]


#: folder of the simulate package (frames inside it are not the user's)
_PACKAGE = str(Path(__file__).resolve().parent.parent) + os.sep


def warn_user(message: str, category: type[Warning] = ResultsWarning) -> None:
    """``warnings.warn`` attributed to the first caller outside the simulate package."""
    frame: FrameType | None = sys._getframe(1)
    level = 2
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level)


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


def _window_days(windows: Any) -> list[int]:
    """The ``windows`` argument as whole numbers of days >= 1, or :class:`ArgumentError`."""
    if isinstance(windows, str | bytes) or not isinstance(windows, Iterable):
        raise ArgumentError.from_text(
            f"expected a list of whole numbers of days (e.g. [90, 180]), found "
            f"{windows!r:.60} ({type(windows).__name__})", "windows")
    values = list(windows)
    days = []
    for w in values:
        try:
            if isinstance(w, bool):
                raise TypeError
            days.append(operator.index(w))
        except TypeError:
            raise ArgumentError.from_text(
                f"expected whole numbers of days, found {w!r:.40} ({type(w).__name__}) in "
                f"{values!r:.80}", "windows") from None
    bad = [w for w in days if w < 1]
    if bad:
        raise ArgumentError.from_text(f"days must be >= 1, found {bad} in {values!r:.80}",
                                      "windows")
    return days


def deal_windows(scenario: Any, windows: Iterable[int] | None = None, *,
                 warn: bool = True) -> tuple[int, ...]:
    """The deal windows of a run: ``windows``, else the scenario's ``outputs.deal_within``,
    else :data:`DEAL_WINDOWS`; sorted, distinct, shorter than the horizon (days).

    Windows of the ``windows`` argument that are not shorter than the horizon are dropped
    with a :class:`ResultsWarning` (``warn``); a window that is not a whole number >= 1
    raises :class:`ArgumentError`.
    """
    horizon = int(scenario.horizon_days)
    if windows is not None:
        chosen = sorted(set(_window_days(windows)))
        kept = tuple(w for w in chosen if w < horizon)
        if warn and len(kept) < len(chosen):
            dropped = [w for w in chosen if w >= horizon]
            warn_user(f"windows: {dropped} dropped: not shorter than the horizon of {horizon} "
                      "days (deal_within_horizon covers it)")
        return kept
    windows = getattr(getattr(scenario, "outputs", None), "deal_within", None)
    if windows is None:
        windows = DEAL_WINDOWS
    return tuple(w for w in sorted({int(w) for w in windows}) if w < horizon)


def _col(name: str, dtype: Any = float) -> Values:
    return lambda o: o[name].to_numpy(dtype=dtype)


def _terms(region: str) -> Values:
    return lambda o: o.loc[o["deal"].to_numpy(dtype=bool), f"terms_{region}"].to_numpy(float)


def _within(days: int | None) -> Values:
    return lambda o: deal_within(o, days)


def _has_deadline(scenario: Any) -> bool:
    return any(a.deadline is not None for a in scenario.actors_of("sanctioner").values())


def metrics_for(scenario: Any, columns: Sequence[str] | None = None,
                windows: Iterable[int] | None = None, *, warn: bool = True) -> list[Metric]:
    """The headline metrics of a scenario, in table order.

    ``columns``: the outcome columns present (metrics needing absent columns are left out,
    e.g. ``oil_revenue_loss`` without ``outputs.counterfactual``); ``windows``, ``warn``:
    see :func:`deal_windows`.
    """
    has = (lambda c: True) if columns is None else set(columns).__contains__
    out: list[Metric] = []
    deadline = _has_deadline(scenario)
    if deadline:
        out.append(Metric("deal_by_deadline", "P(deal by deadline)", "proportion",
                          "probability", _col("deal_by_deadline", bool),
                          "a deal on or before the first sanctioner deadline"))
    for w in deal_windows(scenario, windows, warn=warn):
        out.append(Metric(deal_window_id(w), f"P(deal within {w} days)", "proportion",
                          "probability", _within(w), f"a deal within {w} days of the start"))
    out.append(Metric("deal_within_horizon",
                      f"P(deal within horizon, {scenario.horizon_days} days)", "proportion",
                      "probability", _within(None), "a deal before the end of the run"))
    if deadline:
        out.append(Metric("threat_carried_out", "P(threat carried out, lifted later or not)",
                          "proportion", "probability",
                          lambda o: o["decision_day"].to_numpy() >= 0,
                          "the threatened measures imposed at a deadline, counted whether or "
                          "not a deal or a cut lifted them later (the `threat` column tells "
                          "carried_out from lifted)"))
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
    out.append(Metric("urals_discount", "Urals FOB discount to Brent (horizon mean)", "mean",
                      "USD/bbl", _col("urals_discount_mean_usd"),
                      "the FOB (at-port) discount, not the delivered discount of "
                      "market.urals_discount_usd"))
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
        extra = metrics_for(scenario, columns, [int(days)], warn=False)
        found.update({m.id: m for m in extra})
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
