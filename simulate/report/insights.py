"""The numbers behind a report's executive summary (no text layout here; tests call these).

- :func:`threat_effect`: the measures' effect as a *paired* difference. With
  ``outputs.counterfactual`` every replicate is also run without the sanctioner's measures on
  the same random numbers, so ``deal - deal_cf`` per replicate is a paired difference: for
  the deal probability with Newcombe's paired score interval (which keeps its width when
  every pair agrees), for revenue with the Student-t interval of the per-replicate
  differences (n - 1 degrees of freedom).
- :func:`drivers`: which sampled parameters move an outcome most: Spearman's rank correlation
  of each ``param:`` column with the outcome across replicates, with a Fisher-z 95% interval
  whose standard error is Bonett & Wright's (2000, Psychometrika 65:23-28) for Spearman's
  rho, ``atanh(rho) ± 1.96 sqrt((1 + rho²/2) / (n - 3))``: Pearson's ``1 / sqrt(n - 3)``
  is too narrow for a rank correlation. It needs more than 3 replicates (NaN otherwise; the
  report lists no drivers then). A correlation, not a causal effect: parameters
  sampled independently make it a first-order screen, like a one-at-a-time sensitivity over
  the whole prior rather than at one point.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ..results.metrics import get_metric
from ..results.summary import Z95, paired_proportion_difference, t_half_width

__all__ = ["threat_effect", "drivers", "limits", "spearman_interval", "PARAM_PREFIX"]

PARAM_PREFIX = "param:"


def _paired(x: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """Mean of the paired differences ``x - y`` with its Student-t 95% interval (n - 1
    degrees of freedom), as for the paired means of :mod:`simulate.results.compare`."""
    d = x.astype(float) - y.astype(float)
    n = d.size
    est = float(d.mean()) if n else math.nan
    se = float(d.std(ddof=1) / math.sqrt(n)) if n > 1 else math.nan
    half = t_half_width(se, n - 1)
    return {"estimate": est, "se": se, "ci_low": est - half, "ci_high": est + half, "n": n}


def spearman_interval(rho: float, n: int) -> tuple[float, float]:
    """95% interval of Spearman's rho from ``n`` pairs: Fisher's z with Bonett & Wright's
    (2000) standard error ``sqrt((1 + rho²/2) / (n - 3))``, back-transformed. Its coverage
    is close to 95% for rank correlations, which 1 / sqrt(n - 3) (Pearson's) undercovers.

    (NaN, NaN) for n <= 3: the standard error divides by n - 3, so with 3 pairs or fewer it
    is undefined (infinite at n = 3), and the interval says nothing that [-1, 1] does not.
    """
    if n <= 3:
        return math.nan, math.nan
    r = max(min(rho, 0.999999), -0.999999)
    z, half = math.atanh(r), Z95 * math.sqrt((1 + r * r / 2) / (n - 3))
    return math.tanh(z - half), math.tanh(z + half)


def threat_effect(results: Any) -> pd.DataFrame | None:
    """Paired effect of the measures on the deal probability and on oil revenue, or None
    when the run has no counterfactual (``outputs.counterfactual: false``).

    Rows ``deal_within_horizon`` (probability with minus without the measures) and
    ``oil_revenue`` (USD bn with minus without); columns ``label, estimate, se, ci_low,
    ci_high, n, unit``.
    """
    o = results.outcomes
    if "deal_cf" not in o:
        return None
    rows = {"deal_within_horizon": {
        "label": "change in P(deal within horizon) due to the measures",
        **paired_proportion_difference(o["deal"].to_numpy(bool), o["deal_cf"].to_numpy(bool)),
        "unit": "probability (paired difference)"}}
    if "oil_revenue_cf_busd" in o:
        rows["oil_revenue"] = {
            "label": "change in Russian oil export revenue due to the measures",
            **_paired(o["oil_revenue_busd"].to_numpy(float),
                      o["oil_revenue_cf_busd"].to_numpy(float)),
            "unit": "USD bn over horizon (paired difference)"}
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "id"
    return out


def drivers(results: Any, outcome: str = "deal_within_horizon", top: int = 3) -> pd.DataFrame:
    """The sampled numeric parameters most correlated with ``outcome`` (a metric id),
    strongest first: ``parameter, rho, ci_low, ci_high, n``. Empty when nothing was sampled.
    A parameter drawn among names (a stance, a protocol) has no rank order and is left out,
    as in :func:`simulate.experiments.discovery`."""
    o = results.outcomes
    y = get_metric(results.scenario, outcome, list(o.columns))(o).astype(float)
    rows = []
    for col in o.columns:
        if not str(col).startswith(PARAM_PREFIX) or not pd.api.types.is_numeric_dtype(o[col]):
            continue
        x = o[col].to_numpy(dtype=float)
        n = x.size
        if n < 4 or np.ptp(x) == 0 or np.ptp(y) == 0:
            continue
        rho = float(stats.spearmanr(x, y).statistic)
        low, high = spearman_interval(rho, n)
        rows.append({"parameter": str(col)[len(PARAM_PREFIX):], "rho": rho,
                     "ci_low": low, "ci_high": high, "n": n})
    out = pd.DataFrame(rows, columns=["parameter", "rho", "ci_low", "ci_high", "n"])
    if len(out):
        out = out.reindex(out["rho"].abs().sort_values(ascending=False, kind="stable").index)
    return out.head(top).reset_index(drop=True)


def limits(results: Any) -> list[str]:
    """What the model cannot say, for this run."""
    s = results.scenario
    assumed = sum(1 for v in s.cite.values() if v == "assumption")
    out = [
        "It gives probabilities under the scenario's assumptions, not forecasts: the deal "
        "odds follow from a stylised bargaining rule calibrated to a handful of past "
        "episodes (see the model documentation), not from knowledge of the negotiators.",
        f"{assumed} of the scenario's cited parameters are assumptions rather than sourced "
        "figures; the intervals above include their stated uncertainty only where a "
        "distribution is given in `uncertainty:`.",
        "It has no domestic politics, no third-party mediation beyond the talks dates in "
        "the file, and no battlefield model beyond a random walk of the front line.",
        "The 95% intervals of estimates measure Monte Carlo error only; they do not cover "
        "errors in the model's structure.",
        "Each 95% interval is individual (pointwise), not simultaneous: among the many "
        "intervals of this report some will miss by chance. To read k of them jointly, "
        "widen each to level 1 - 0.05/k (Bonferroni).",
    ]
    if "deal_cf" not in results.outcomes:
        out.append("This run has no counterfactual (`outputs.counterfactual: false`), so it "
                   "cannot separate the measures' effect from the baseline; compare with a "
                   "run without measures on the same seed (`simulate compare`).")
    return out
