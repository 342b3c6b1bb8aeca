"""Per-point statistics of an experiment: each outcome's probability or mean at each design
point, with its Monte Carlo standard error and 95% interval.

A 0/1 outcome's statistic is a proportion (Wilson interval); any other is a mean (normal
interval). The standard error is what makes replicate noise visible: sensitivity analysis
subtracts it, and ``--target-se`` adds replicates until it is small enough.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..results.summary import mean, proportion

__all__ = ["point_statistics", "STAT_COLUMNS", "headline_se", "HEADLINE"]

STAT_COLUMNS = ["point", "outcome", "kind", "estimate", "se", "ci_low", "ci_high", "n"]

#: headline probabilities of a run (what ``--target-se`` watches): name -> per-replicate hits
HEADLINE = {
    "P(deal by deadline)": lambda o: np.asarray(o["deal_by_deadline"], dtype=bool),
    "P(deal within 90 days)": lambda o: (np.asarray(o["deal"], dtype=bool)
                                         & (np.asarray(o["deal_day"]) <= 90)),
    "P(deal within horizon)": lambda o: np.asarray(o["deal"], dtype=bool),
    "P(threat carried out)": lambda o: np.asarray(o["decision_day"]) >= 0,
}


def point_statistics(replicates: pd.DataFrame, outcomes: list[str],
                     binary: set[str]) -> pd.DataFrame:
    """Long table: one row per (point, outcome) with estimate, se and 95% interval."""
    rows = []
    for point, part in replicates.groupby("point", sort=True):
        for name in outcomes:
            x = part[name].to_numpy()
            if name in binary:
                r = proportion(name, x.astype(bool))
                kind = "probability"
            else:
                r = mean(name, x.astype(float), "")
                kind = "mean"
            rows.append({"point": int(str(point)), "outcome": name, "kind": kind,
                         "estimate": r["estimate"], "se": r["se"], "ci_low": r["ci_low"],
                         "ci_high": r["ci_high"], "n": int(r["n"])})
    return pd.DataFrame(rows, columns=STAT_COLUMNS)


def headline_se(outcomes: dict | pd.DataFrame, has_deadline: bool) -> dict[str, float]:
    """Monte Carlo standard error ``sqrt(p (1 - p) / n)`` of each headline probability."""
    out = {}
    for name, fn in HEADLINE.items():
        if not has_deadline and name in ("P(deal by deadline)", "P(threat carried out)"):
            continue
        hits = fn(outcomes)
        n = hits.size
        p = float(hits.mean()) if n else float("nan")
        out[name] = float(np.sqrt(p * (1 - p) / n)) if n else float("inf")
    return out
