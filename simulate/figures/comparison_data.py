"""The numbers behind the comparison of several runs (no drawing here; tests call these):
their headline metrics side by side, and each run's differences from a baseline run."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from .data import runs_and_labels

__all__ = ["compare_outcomes_data", "compare_differences_data", "LEFT_OUT_MEDIANS",
           "LEFT_OUT_ZERO", "unit_group"]


def unit_group(unit: str) -> str:
    """Units that share an axis: ``"USD bn over horizon (paired)"`` -> ``"USD bn over
    horizon"``, ``"mb/d (mean over horizon)"`` -> ``"mb/d"``."""
    return unit.split(" (")[0].strip()


def _default_metric(row: Any) -> bool:
    """Probabilities and means (not the medians of terms) are shown by default."""
    return row.kind in ("proportion", "mean")


def compare_outcomes_data(runs: Any, labels: Sequence[str] | None = None,
                          metrics: Sequence[str] | None = None) -> pd.DataFrame:
    """Headline metrics of several runs: ``metric`` (id), ``name`` (display label), ``unit``,
    ``group``, ``label`` (the run), ``estimate``, ``ci_low``, ``ci_high``, ``n`` (one row per
    metric and run, metrics in first-seen order).

    ``metrics``: metric ids (see ``Results.summary().index``). Default: the probabilities
    and means of the summary, without those that are zero with a zero-width interval in
    every run. ``attrs["left_out"]``: why -> the names of the summary rows left out by
    default (``"medians over the deals"``: the settlement terms; ``"zero in every run"``).
    """
    runs, names = runs_and_labels(runs, labels)
    frames = []
    for r, label in zip(runs, names, strict=True):
        s = r.summary().rename(columns={"label": "name"}).rename_axis("metric").reset_index()
        frames.append(s.assign(label=label))
    table = pd.concat(frames, ignore_index=True)
    all_names = dict(zip(table["metric"], table["name"], strict=False))
    left_out: dict[str, list[str]] = {}
    if metrics is None:
        keep = [row.metric for row in table.itertuples() if _default_metric(row)]
        medians = [m for m in dict.fromkeys(table["metric"]) if m not in set(keep)]
        if medians:
            left_out[LEFT_OUT_MEDIANS] = [all_names[m] for m in medians]
    else:
        missing = [m for m in metrics if m not in set(table["metric"])]
        if missing:
            raise ValueError(f"metrics(={missing!r}) are not in the summaries; known: "
                             f"{sorted(set(table['metric']))}")
        keep = list(metrics)
    order = list(dict.fromkeys(keep))
    table = table[table["metric"].isin(order)]
    if metrics is None:
        flat = table.groupby("metric", sort=False)[["estimate", "ci_low", "ci_high"]].apply(
            lambda g: bool(np.nanmax(np.abs(g.to_numpy(dtype=float))) == 0)
            if np.isfinite(g.to_numpy(dtype=float)).any() else True)
        zero = [m for m in order if flat.get(m, False)]
        if zero:
            left_out[LEFT_OUT_ZERO] = [all_names[m] for m in zero]
        order = [m for m in order if m not in zero]
        table = table[table["metric"].isin(order)]
    table = table.assign(group=table["unit"].map(unit_group),
                         _order=table["metric"].map({m: i for i, m in enumerate(order)}),
                         _run=table["label"].map({x: i for i, x in enumerate(names)}))
    table = table.sort_values(["_order", "_run"], kind="stable")
    out = table[["metric", "name", "unit", "group", "label", "estimate", "ci_low", "ci_high",
                 "n"]]
    out = out.reset_index(drop=True)
    out.attrs.update(labels=names, left_out=left_out)
    return out


#: reasons :func:`compare_outcomes_data` gives for the summary rows it leaves out
LEFT_OUT_MEDIANS = "medians over the deals, not a probability or mean"
LEFT_OUT_ZERO = "zero in every run"


def compare_differences_data(runs: Any, labels: Sequence[str] | None = None,
                             metrics: Sequence[str] | None = None,
                             baseline: int = 0) -> pd.DataFrame:
    """Each run minus the baseline run, for the metrics :func:`compare_outcomes_data` shows:
    the rows of :meth:`~simulate.results.compare.Comparison.differences` (the numbers
    ``simulate compare`` prints: paired intervals for runs of one seed, else independent
    ones), in the same order, with ``group`` added. Metrics that not both runs have get no
    row. ``attrs``: ``labels`` (the runs), ``baseline`` (its label)."""
    from ..results.compare import Comparison

    if isinstance(runs, Comparison) and labels is None:
        comparison = runs
    else:
        found, names = runs_and_labels(runs, labels)
        comparison = Comparison(found, names, warn=False)
    shown = compare_outcomes_data(comparison, None, metrics)
    order = list(dict.fromkeys(shown["metric"]))
    diff = comparison.differences(baseline)
    diff = diff[diff["metric"].isin(order)]
    diff = diff.assign(group=diff["unit"].map(unit_group),
                       _order=diff["metric"].map({m: i for i, m in enumerate(order)}))
    diff = diff.sort_values("_order", kind="stable").drop(columns="_order")
    diff = diff.reset_index(drop=True)
    diff.attrs.update(labels=list(comparison.labels),
                      baseline=comparison.labels[baseline])
    return diff
