"""Per-point statistics of an experiment: each outcome's probability or mean at each design
point, with its Monte Carlo standard error and 95% interval; and the standard error that
``--target-se`` stops on.

A 0/1 outcome's statistic is a proportion (Wilson interval); any other is a mean (Student-t
interval, n - 1 degrees of freedom). Which outcomes are 0/1 is said by name, never read from
the values (a column that happens to hold only 0 and 1, such as ``extensions`` before any
second extension or an always-zero ``shut_in_mbd``, is still a mean, and an outcome keeps its
kind from one sweep to the next): those the experiment block makes 0/1 (deal windows, dates
with ``below``/``above``), the model's indicator columns under ``columns:``
(``deal_by_deadline``, ``deal``...: :func:`simulate.scenario.outcome_columns.is_indicator`)
and, in a table built by hand, a boolean column (:func:`proportion_columns`). The standard
error is what makes replicate noise visible: sensitivity analysis subtracts it, and
``--target-se`` adds replicates until the stopping standard error (:func:`stopping_se`) is
small enough.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ArgumentError
from ..results.metrics import metrics_for
from ..results.summary import mean, proportion
from ..scenario.outcome_columns import is_indicator

__all__ = ["point_statistics", "STAT_COLUMNS", "headline_se", "headline_hits",
           "stopping_se", "proportion_columns", "STOPPING_RULE"]

STAT_COLUMNS = ["point", "outcome", "kind", "estimate", "se", "ci_low", "ci_high", "n"]

#: normal quantile of the 95% intervals
_Z = 1.959963984540054

#: how the stopping standard error is computed (recorded in manifests)
STOPPING_RULE = "wilson: half-width of the 95% Wilson score interval / 1.96"


def stopping_se(hits: Any) -> float:
    """Standard error ``--target-se`` compares with the target: the 95% Wilson score
    interval's half-width divided by z = 1.96, ``sqrt(x (n - x) / n + z²/4) / (n + z²)`` for
    x hits in n (NaN aside).

    Unlike the plug-in ``sqrt(p (1 - p) / n)`` it is never 0 (``z / (2 (n + z²))`` at 0/n
    and n/n), so a rare event seen 0 times is not taken as known exactly; it approaches the
    plug-in value as n grows. Infinite for no replicates.
    """
    x = np.asarray(hits, dtype=float)
    x = x[~np.isnan(x)]
    n = x.size
    if n == 0:
        return float("inf")
    k = float(x.sum())
    return float(np.sqrt(k * (n - k) / n + _Z * _Z / 4) / (n + _Z * _Z))


def proportion_columns(table: Mapping[str, Any] | pd.DataFrame | None, names: Iterable[str],
                       declared: Iterable[str]) -> set[str]:
    """The outcomes among ``names`` whose statistic is a proportion: the ``declared`` 0/1
    outcomes (:func:`simulate.scenario.experiment_block.binary_outcomes`), the model's indicator
    columns (:func:`~simulate.scenario.outcome_columns.is_indicator`) and the boolean
    columns of ``table``. Never inferred from numbers that happen to be 0 or 1."""
    declared = set(declared)
    table = {} if table is None else table
    return {n for n in names if n in declared or is_indicator(n)
            or (n in table and np.asarray(table[n]).dtype == bool)}


def _hits(name: str, values: np.ndarray) -> np.ndarray:
    """The 0/1 values of a proportion (NaN left out) as booleans; an :class:`ArgumentError`
    (a ValueError) for another value: a proportion of a column that is not 0/1 means
    nothing."""
    x = values.astype(float)
    x = x[~np.isnan(x)]
    odd = x[(x != 0.0) & (x != 1.0)]
    if odd.size:
        raise ArgumentError.from_text(f"expected 0 or 1 in every replicate of a 0/1 outcome, "
                                      f"found {odd[0]:g}", name)
    return x > 0.5


def point_statistics(replicates: pd.DataFrame, outcomes: list[str],
                     binary: set[str]) -> pd.DataFrame:
    """Long table: one row per (point, outcome) with estimate, se and 95% interval.

    ``binary``: outcomes declared 0/1; the model's indicator columns and boolean columns
    are proportions too (:func:`proportion_columns`), the others means. A proportion's NaN
    values (replicates where it is undefined) are left out of its count.
    """
    props = proportion_columns(replicates, outcomes, binary)
    rows = []
    for point, part in replicates.groupby("point", sort=True):
        for name in outcomes:
            x = part[name].to_numpy()
            if name in props:
                r = proportion(name, _hits(name, x))
                kind = "probability"
            else:
                r = mean(name, x.astype(float), "")
                kind = "mean"
            rows.append({"point": int(str(point)), "outcome": name, "kind": kind,
                         "estimate": r["estimate"], "se": r["se"], "ci_low": r["ci_low"],
                         "ci_high": r["ci_high"], "n": int(r["n"])})
    return pd.DataFrame(rows, columns=STAT_COLUMNS)


def headline_hits(outcomes: Mapping[str, Any] | pd.DataFrame, scenario: Any
                  ) -> dict[str, np.ndarray]:
    """Per-replicate 0/1 values of every headline probability of a run (metric id ->
    booleans): the proportion metrics of :func:`simulate.results.metrics.metrics_for` for the
    outcome columns present, i.e. P(deal by deadline), P(deal within w days) for each of the
    run's deal windows, P(deal within horizon) and P(threat carried out), as in the summary."""
    frame = outcomes if isinstance(outcomes, pd.DataFrame) else pd.DataFrame(
        {k: v for k, v in outcomes.items() if np.ndim(v) == 1})
    metrics = metrics_for(scenario, list(frame.columns), warn=False)
    return {m.id: np.asarray(m(frame), dtype=bool) for m in metrics if m.kind == "proportion"}


def headline_se(outcomes: Mapping[str, Any] | pd.DataFrame, scenario: Any
                ) -> dict[str, float]:
    """Stopping standard error (:func:`stopping_se`) of each headline probability
    (:func:`headline_hits`), by metric id."""
    return {k: stopping_se(v) for k, v in headline_hits(outcomes, scenario).items()}
