"""Headline statistics with 95% confidence intervals of the estimate, and the spread of
outcomes across replicates, from the outcomes table.

Two different ranges are reported, and labelled apart everywhere:

- ``ci_low``/``ci_high``: the 95% confidence interval *of the estimate* (Monte Carlo
  uncertainty; it shrinks as replicates grow). Proportions use Wilson score intervals
  (``scipy.stats.binomtest``); means the normal approximation with the sample standard
  error; medians the distribution-free order-statistic interval.
- ``p05``/``p95``: 5% and 95% quantiles *of the replicates' values* (the spread of outcomes
  the model gives; it does not shrink with more replicates). Not defined for proportions.

The metrics themselves (ids, labels, units) come from :mod:`simulate.results.metrics`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from .metrics import Metric, metrics_for

__all__ = ["summarize", "proportion", "mean", "quantile", "COLUMNS", "HEADERS", "Z95"]

#: columns of ``Results.summary()`` (index: the metric id)
COLUMNS = ["label", "estimate", "ci_low", "ci_high", "p05", "p95", "unit", "n", "se", "kind"]
#: printed headers of the summary columns
HEADERS = {"label": "metric", "estimate": "estimate", "ci": "95% CI of estimate",
           "spread": "5-95% of replicates", "unit": "unit", "n": "n"}
Z95 = float(stats.norm.ppf(0.975))


def _spread(x: np.ndarray) -> dict[str, float]:
    if not x.size:
        return {"p05": np.nan, "p95": np.nan}
    lo, hi = np.quantile(x, [0.05, 0.95])
    return {"p05": float(lo), "p95": float(hi)}


def proportion(name: str, hits: Any) -> dict:
    """Share of True in ``hits`` with its Wilson 95% interval."""
    hits = np.asarray(hits, dtype=bool)
    n, k = hits.size, int(hits.sum())
    row = {"label": name, "p05": np.nan, "p95": np.nan, "unit": "probability", "n": n,
           "kind": "proportion"}
    if n == 0:
        return {**row, "estimate": np.nan, "se": np.nan, "ci_low": np.nan, "ci_high": np.nan}
    p = k / n
    ci = stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    return {**row, "estimate": p, "se": float(np.sqrt(p * (1 - p) / n)),
            "ci_low": float(ci.low), "ci_high": float(ci.high)}


def mean(name: str, values: Any, unit: str) -> dict:
    """Mean with a normal-approximation 95% interval, and the 5-95% spread of the values."""
    x = np.asarray(values, dtype=float)
    n = x.size
    m = float(x.mean()) if n else np.nan
    se = float(x.std(ddof=1) / np.sqrt(n)) if n > 1 else np.nan
    return {"label": name, "estimate": m, "se": se, "ci_low": m - Z95 * se,
            "ci_high": m + Z95 * se, **_spread(x), "unit": unit, "n": n, "kind": "mean"}


def quantile(name: str, values: Any, q: float, unit: str) -> dict:
    """The q-quantile with its distribution-free 95% interval (order statistics)."""
    x = np.asarray(values, dtype=float)
    n = x.size
    row = {"label": name, "se": np.nan, **_spread(x), "unit": unit, "n": n,
           "kind": "median" if q == 0.5 else f"q{q:g}"}
    if n == 0:
        return {**row, "estimate": np.nan, "ci_low": np.nan, "ci_high": np.nan}
    est = float(np.quantile(x, q))
    lo = hi = est
    if n >= 10 and np.ptp(x) > 0:
        xs = np.sort(x)
        # ranks whose order statistics bracket the quantile with 95% coverage
        k_lo = int(stats.binom.ppf(0.025, n, q))
        k_hi = int(stats.binom.ppf(0.975, n, q))
        lo, hi = float(xs[max(k_lo - 1, 0)]), float(xs[min(k_hi, n - 1)])
    return {**row, "estimate": est, "ci_low": lo, "ci_high": hi}


def metric_row(metric: Metric, outcomes: pd.DataFrame) -> dict:
    """One summary row of ``metric``."""
    values = metric(outcomes)
    if metric.kind == "proportion":
        row = proportion(metric.label, values)
    elif metric.kind == "mean":
        row = mean(metric.label, values, metric.unit)
    else:
        row = quantile(metric.label, values, 0.5, metric.unit)
    return {**row, "unit": metric.unit}


def summarize(outcomes: pd.DataFrame, scenario: Any,
              windows: Iterable[int] | None = None) -> pd.DataFrame:
    """The headline table of a run: one row per metric, indexed by the metric id."""
    metrics = metrics_for(scenario, list(outcomes.columns), windows)
    rows = [metric_row(m, outcomes) for m in metrics]
    table = pd.DataFrame(rows, columns=COLUMNS, index=pd.Index([m.id for m in metrics],
                                                                name="id"))
    table["n"] = table["n"].astype("int64")
    table.attrs["intervals"] = ("ci_low/ci_high: 95% confidence interval of the estimate; "
                                "p05/p95: 5% and 95% of the replicates' values")
    return table
