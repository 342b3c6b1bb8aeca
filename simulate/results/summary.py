"""Headline statistics with 95% confidence intervals of the estimate, and the spread of
outcomes across replicates, from the outcomes table.

Two different ranges are reported, and labelled apart everywhere:

- ``ci_low``/``ci_high``: the 95% confidence interval *of the estimate* (Monte Carlo
  uncertainty; it shrinks as replicates grow). Proportions use Wilson score intervals
  (``scipy.stats.binomtest``); means Student's t with n - 1 degrees of freedom and the
  sample standard error (a normal quantile would cover only 0.70, 0.81, 0.88, 0.92 of the
  time at n = 2, 3, 5, 10 for normal data); medians the distribution-free order-statistic interval
  (NaN below 6 values, where no pair of order statistics covers the median with 95%
  probability; the table's ``attrs["notes"]`` says so per metric).
- ``p05``/``p95``: 5% and 95% quantiles *of the replicates' values* (the spread of outcomes
  the model gives; it does not shrink with more replicates). Not defined for proportions.

Each interval is an individual (pointwise) 95% interval, not a simultaneous one: of k
intervals in a table, more than one in twenty may miss. For a family of k, Bonferroni's
adjustment recomputes each at level 1 - 0.05 / k (``attrs["intervals"]`` says so too).

Missing values: a NaN among a metric's values makes its row NaN (estimate, interval and
spread; ``n`` counts every value), for means, quantiles and proportions alike, so that a
missing replicate is never silently dropped from a statistic.

The metrics themselves (ids, labels, units) come from :mod:`simulate.results.metrics`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from .metrics import Metric, metrics_for

__all__ = ["summarize", "proportion", "mean", "quantile", "paired_proportion_difference",
           "t_half_width", "welch_df", "COLUMNS", "HEADERS", "Z95", "TOO_FEW_FOR_INTERVAL",
           "INTERVALS"]

#: columns of ``Results.summary()`` (index: the metric id)
COLUMNS = ["label", "estimate", "ci_low", "ci_high", "p05", "p95", "unit", "n", "se", "kind"]
#: printed headers of the summary columns
HEADERS = {"label": "metric", "estimate": "estimate", "ci": "95% CI of estimate",
           "spread": "5-95% of replicates", "unit": "unit", "n": "n"}
#: two-sided 95% normal quantile (Wilson intervals, Fisher-z intervals of correlations)
Z95 = float(stats.norm.ppf(0.975))
#: what ``ci_low``/``ci_high`` and ``p05``/``p95`` are (``attrs["intervals"]`` of a summary)
INTERVALS = ("ci_low/ci_high: 95% confidence interval of the estimate, individual "
             "(pointwise), not simultaneous over the table (for k of them at once, "
             "Bonferroni: level 1 - 0.05/k); p05/p95: 5% and 95% of the replicates' values")
#: why a quantile's interval is NaN although there are values
TOO_FEW_FOR_INTERVAL = ("no 95% interval: with {n} value(s) no pair of order statistics "
                        "covers the quantile with 95% probability")


def _spread(x: np.ndarray) -> dict[str, float]:
    if not x.size:
        return {"p05": np.nan, "p95": np.nan}
    lo, hi = np.quantile(x, [0.05, 0.95])
    return {"p05": float(lo), "p95": float(hi)}


def t_half_width(se: float, df: float, level: float = 0.95) -> float:
    """Half-width ``t(df) * se`` of a two-sided Student-t interval at ``level``: the interval
    of a mean from its sample standard error. 0 when ``se`` is 0 (values without spread, any
    ``df``); NaN when ``se`` or ``df`` is undefined or ``df`` is not positive."""
    if se == 0:
        return 0.0
    if not (np.isfinite(se) and np.isfinite(df) and df > 0):
        return float("nan")
    return float(stats.t.ppf(0.5 + level / 2, df)) * float(se)


def welch_df(var_a: float, n_a: int, var_b: float, n_b: int) -> float:
    """Welch-Satterthwaite degrees of freedom of a difference of two independent means,
    from the samples' variances (``ddof=1``) and sizes: ``(va + vb)**2 / (va**2 / (n_a - 1)
    + vb**2 / (n_b - 1))`` with ``v = var / n``. NaN when a sample has fewer than 2 values or
    neither varies."""
    if n_a < 2 or n_b < 2:
        return float("nan")
    va, vb = var_a / n_a, var_b / n_b
    den = va ** 2 / (n_a - 1) + vb ** 2 / (n_b - 1)
    return float((va + vb) ** 2 / den) if den > 0 else float("nan")


def _nan_values(x: np.ndarray) -> bool:
    """Whether float values hold a NaN (the rule of the module docstring: a NaN row)."""
    return x.dtype.kind == "f" and bool(np.isnan(x).any())


def proportion(name: str, hits: Any) -> dict:
    """Share of True in ``hits`` with its Wilson 95% interval; NaN when a value is NaN."""
    raw = np.asarray(hits)
    hits = raw.astype(bool)
    n, k = hits.size, int(hits.sum())
    row = {"label": name, "p05": np.nan, "p95": np.nan, "unit": "probability", "n": n,
           "kind": "proportion"}
    if n == 0 or _nan_values(raw):
        return {**row, "estimate": np.nan, "se": np.nan, "ci_low": np.nan, "ci_high": np.nan}
    p = k / n
    low, high = _wilson(k, n)
    return {**row, "estimate": p, "se": float(np.sqrt(p * (1 - p) / n)),
            "ci_low": low, "ci_high": high}


def _wilson(k: int, n: int) -> tuple[float, float]:
    """Wilson score 95% interval of k successes in n trials."""
    ci = stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    return float(ci.low), float(ci.high)


def paired_proportion_difference(x: Any, y: Any) -> dict[str, float]:
    """``P(x) - P(y)`` of paired 0/1 outcomes (``x[i]``, ``y[i]``: one replicate) with
    Newcombe's (1998, method 10) hybrid score 95% interval.

    From the Wilson intervals ``(l1, u1)``, ``(l2, u2)`` of the two margins ``p1``, ``p2``
    and the correlation ``phi`` of the pairs (``a`` both, ``b`` x only, ``c`` y only, ``d``
    neither; ``ad - bc`` reduced by ``n/2`` towards 0 when positive, as Newcombe does; 0
    when a margin is empty or full): ``L = δ - sqrt((p1-l1)² - 2φ(p1-l1)(u2-p2) +
    (u2-p2)²)``, ``U = δ + sqrt((u1-p1)² - 2φ(u1-p1)(p2-l2) + (p2-l2)²)``. Unlike a Wald
    interval of the per-replicate differences it never has zero width when every pair
    agrees. ``se``: the sample standard error of the per-replicate differences.
    Returns ``estimate``, ``se``, ``ci_low``, ``ci_high``, ``n``.
    """
    x, y = np.asarray(x, dtype=bool), np.asarray(y, dtype=bool)
    n = int(x.size)
    if n == 0 or y.size != n:
        return {"estimate": np.nan, "se": np.nan, "ci_low": np.nan, "ci_high": np.nan,
                "n": n}
    a, b = int(np.sum(x & y)), int(np.sum(x & ~y))
    c, d = int(np.sum(~x & y)), int(np.sum(~x & ~y))
    p1, p2 = (a + b) / n, (a + c) / n
    (l1, u1), (l2, u2) = _wilson(a + b, n), _wilson(a + c, n)
    margins = (a + b) * (c + d) * (a + c) * (b + d)
    cross = float(a * d - b * c)
    cross = max(cross - n / 2, 0.0) if cross > 0 else cross
    phi = cross / np.sqrt(float(margins)) if margins else 0.0
    delta = p1 - p2
    low = delta - np.sqrt(max((p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2)
                              + (u2 - p2) ** 2, 0.0))
    high = delta + np.sqrt(max((u1 - p1) ** 2 - 2 * phi * (u1 - p1) * (p2 - l2)
                               + (p2 - l2) ** 2, 0.0))
    diff = x.astype(float) - y.astype(float)
    se = float(diff.std(ddof=1) / np.sqrt(n)) if n > 1 else np.nan
    return {"estimate": float(delta), "se": se, "ci_low": float(max(low, -1.0)),
            "ci_high": float(min(high, 1.0)), "n": n}


def mean(name: str, values: Any, unit: str) -> dict:
    """Mean with its Student-t 95% interval (n - 1 degrees of freedom: exact for normal
    values, and right at small n, where the normal quantile is too narrow), and the 5-95%
    spread of the values. NaN throughout when a value is NaN (NaN propagates)."""
    x = np.asarray(values, dtype=float)
    n = x.size
    m = float(x.mean()) if n else np.nan
    se = float(x.std(ddof=1) / np.sqrt(n)) if n > 1 else np.nan
    half = t_half_width(se, n - 1)
    return {"label": name, "estimate": m, "se": se, "ci_low": m - half,
            "ci_high": m + half, **_spread(x), "unit": unit, "n": n, "kind": "mean"}


def quantile(name: str, values: Any, q: float, unit: str) -> dict:
    """The q-quantile with its distribution-free 95% interval (order statistics); NaN
    bounds when the values are too few for any pair of order statistics to cover the
    quantile with 95% probability (a median below 6 values). NaN throughout when a value is
    NaN, as for :func:`mean` (a sorted NaN would otherwise become an upper bound)."""
    x = np.asarray(values, dtype=float)
    n = x.size
    row = {"label": name, "se": np.nan, **_spread(x), "unit": unit, "n": n,
           "kind": "median" if q == 0.5 else f"q{q:g}"}
    if n == 0 or _nan_values(x):
        return {**row, "estimate": np.nan, "ci_low": np.nan, "ci_high": np.nan}
    est = float(np.quantile(x, q))
    xs = np.sort(x)
    # ranks whose order statistics bracket the quantile with 95% coverage
    k_lo = int(stats.binom.ppf(0.025, n, q))
    k_hi = int(stats.binom.ppf(0.975, n, q))
    j, k = max(k_lo, 1), min(k_hi + 1, n)  # 1-based ranks of the bounds
    # P(x_(j) <= quantile <= x_(k)): the number of values below it is j .. k-1
    cover = float(stats.binom.cdf(k - 1, n, q) - stats.binom.cdf(j - 1, n, q))
    lo, hi = (float(xs[j - 1]), float(xs[k - 1])) if cover >= 0.95 else (np.nan, np.nan)
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
    table.attrs["intervals"] = INTERVALS
    no_interval = table["estimate"].notna() & table["ci_low"].isna() & (table["n"] > 0)
    notes = {str(i): TOO_FEW_FOR_INTERVAL.format(n=n) for i, n in
             table.loc[no_interval & (table["kind"] != "mean"), "n"].items()}
    if notes:
        table.attrs["notes"] = notes
    return table
