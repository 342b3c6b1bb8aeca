"""Headline statistics with 95% confidence intervals, from the outcomes table.

Proportions use Wilson score intervals (``scipy.stats.binomtest``); means use the normal
approximation with the sample standard error; medians and other quantiles use the
distribution-free order-statistic interval (``scipy.stats.quantile_test``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["summarize", "proportion", "mean", "quantile", "COLUMNS"]

COLUMNS = ["metric", "estimate", "se", "ci_low", "ci_high", "unit", "n"]
Z95 = float(stats.norm.ppf(0.975))


def proportion(name: str, hits: np.ndarray) -> dict:
    """Share of True in ``hits`` with its Wilson 95% interval."""
    hits = np.asarray(hits, dtype=bool)
    n, k = hits.size, int(hits.sum())
    if n == 0:
        return {"metric": name, "estimate": np.nan, "se": np.nan, "ci_low": np.nan,
                "ci_high": np.nan, "unit": "probability", "n": 0}
    p = k / n
    ci = stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    return {"metric": name, "estimate": p, "se": float(np.sqrt(p * (1 - p) / n)),
            "ci_low": float(ci.low), "ci_high": float(ci.high), "unit": "probability", "n": n}


def mean(name: str, values: np.ndarray, unit: str) -> dict:
    """Mean with a normal-approximation 95% interval."""
    x = np.asarray(values, dtype=float)
    n = x.size
    m = float(x.mean()) if n else np.nan
    se = float(x.std(ddof=1) / np.sqrt(n)) if n > 1 else np.nan
    return {"metric": name, "estimate": m, "se": se, "ci_low": m - Z95 * se,
            "ci_high": m + Z95 * se, "unit": unit, "n": n}


def quantile(name: str, values: np.ndarray, q: float, unit: str) -> dict:
    """The q-quantile with its distribution-free 95% interval (order statistics)."""
    x = np.asarray(values, dtype=float)
    n = x.size
    if n == 0:
        return {"metric": name, "estimate": np.nan, "se": np.nan, "ci_low": np.nan,
                "ci_high": np.nan, "unit": unit, "n": 0}
    est = float(np.quantile(x, q))
    lo = hi = est
    if n >= 10 and np.ptp(x) > 0:
        xs = np.sort(x)
        # ranks whose order statistics bracket the quantile with 95% coverage
        k_lo = int(stats.binom.ppf(0.025, n, q))
        k_hi = int(stats.binom.ppf(0.975, n, q))
        lo, hi = float(xs[max(k_lo - 1, 0)]), float(xs[min(k_hi, n - 1)])
    return {"metric": name, "estimate": est, "se": np.nan, "ci_low": lo, "ci_high": hi,
            "unit": unit, "n": n}


def summarize(outcomes: pd.DataFrame, regions: list[str], importers: list[str],
              has_deadline: bool) -> pd.DataFrame:
    """The headline table of a run: one row per metric."""
    o = outcomes
    rows = []
    if has_deadline:
        rows.append(proportion("P(deal by deadline)", o["deal_by_deadline"]))
    rows.append(proportion("P(deal within 90 days)", o["deal"] & (o["deal_day"] <= 90)))
    rows.append(proportion("P(deal within horizon)", o["deal"]))
    if has_deadline:
        rows.append(proportion("P(threat carried out)", o["decision_day"] >= 0))
    deals = o[o["deal"]]
    for region in [*regions, "aggregate"]:
        rows.append(quantile(f"median terms {region} (deals)", deals[f"terms_{region}"], 0.5,
                             "occupier share"))
    rows.append(mean("oil revenue", o["oil_revenue_busd"], "USD bn over horizon"))
    if "oil_revenue_loss_busd" in o:
        rows.append(mean("oil revenue loss vs no measures", o["oil_revenue_loss_busd"],
                         "USD bn over horizon (paired)"))
    rows.append(mean("exports", o["exports_mbd"], "mb/d (mean over horizon)"))
    for imp in importers:
        rows.append(mean(f"tariff cost {imp}", o[f"tariff_cost_{imp}_busd"],
                         "USD bn over horizon"))
    for col, label in (("brent_mean_usd", "Brent (horizon mean)"),
                       ("urals_discount_mean_usd", "Urals discount (horizon mean)")):
        for q in (0.05, 0.5, 0.95):
            rows.append(quantile(f"{label} q{int(q * 100):02d}", o[col], q, "USD/bbl"))
    rows.append(mean("civilians killed", o["killed"], "people over horizon"))
    return pd.DataFrame(rows, columns=COLUMNS)
