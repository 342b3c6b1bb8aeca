"""Several runs side by side: headline metrics, and differences against a baseline run.

Runs made with the same seed share common random numbers (design section 2), so replicate k
of one run and replicate k of the other face the same shocks. Their difference is then a
*paired* difference: its interval comes from the per-replicate differences and is much
narrower than the two runs' own intervals suggest. Runs with different seeds (or different
replicates) are compared as independent samples: normal interval for a difference of means,
Newcombe's hybrid score interval for a difference of proportions.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .metrics import metric_values
from .results import Results, format_number
from .summary import Z95, proportion

if TYPE_CHECKING:  # pragma: no cover
    from ..figures.accessor import PlotAccessor

__all__ = ["Comparison", "compare", "metric_values", "run_labels"]


def run_labels(runs: Sequence[Results], labels: Sequence[str] | None = None) -> list[str]:
    """Labels of runs: given ones, else scenario names (numbered when they repeat)."""
    if labels is not None:
        labels = [str(x) for x in labels]
        if len(labels) != len(runs):
            raise ValueError(f"labels(={labels!r}) must name each of the {len(runs)} runs")
        return labels
    names = [r.scenario.name for r in runs]
    return [f"{name} #{names[:i + 1].count(name)}" if names.count(name) > 1 else name
            for i, name in enumerate(names)]


def _paired(a: Results, b: Results) -> bool:
    """Whether two runs share common random numbers replicate by replicate: the same seed,
    the same replicates and the same stream scheme (manifest ``streams``; runs made before
    parameters had streams named by their keys have none, and are not paired)."""
    ra, rb = a.outcomes["replicate"].to_numpy(), b.outcomes["replicate"].to_numpy()
    scheme = a.manifest.get("streams")
    return (a.manifest.get("seed") == b.manifest.get("seed") and scheme is not None
            and scheme == b.manifest.get("streams") and ra.shape == rb.shape
            and bool(np.array_equal(ra, rb)))


def _difference(x: np.ndarray, base: np.ndarray, kind: str, paired: bool) -> dict[str, float]:
    """Difference ``mean(x) - mean(base)`` with its 95% interval."""
    if not x.size or not base.size:
        return {"difference": math.nan, "se": math.nan, "ci_low": math.nan, "ci_high": math.nan}
    x = x.astype(float)
    base = base.astype(float)
    d = float(x.mean() - base.mean())
    if paired:
        diff = x - base
        se = float(diff.std(ddof=1) / math.sqrt(diff.size)) if diff.size > 1 else math.nan
        return {"difference": d, "se": se, "ci_low": d - Z95 * se, "ci_high": d + Z95 * se}
    if kind == "proportion":  # Newcombe (1998) method 10, from the two Wilson intervals
        p1, p2 = proportion("", x.astype(bool)), proportion("", base.astype(bool))
        lo = d - math.sqrt((p1["estimate"] - p1["ci_low"]) ** 2
                           + (p2["ci_high"] - p2["estimate"]) ** 2)
        hi = d + math.sqrt((p1["ci_high"] - p1["estimate"]) ** 2
                           + (p2["estimate"] - p2["ci_low"]) ** 2)
        se = math.sqrt(p1["se"] ** 2 + p2["se"] ** 2)
        return {"difference": d, "se": se, "ci_low": lo, "ci_high": hi}
    v = (x.var(ddof=1) / x.size if x.size > 1 else math.nan) + \
        (base.var(ddof=1) / base.size if base.size > 1 else math.nan)
    se = math.sqrt(v) if v == v else math.nan
    return {"difference": d, "se": se, "ci_low": d - Z95 * se, "ci_high": d + Z95 * se}


class Comparison:
    """Two or more runs: ``summary()`` (long), ``table()`` (wide), ``differences()`` against
    the first run, ``plot.compare_outcomes()`` and ``plot.deal_probability()``."""

    def __init__(self, runs: Sequence[Results], labels: Sequence[str] | None = None,
                 sources: Sequence[str | Path | None] | None = None):
        runs = list(runs)
        if len(runs) < 1:
            raise ValueError("a comparison needs at least one run")
        self.runs = runs
        self.labels = run_labels(runs, labels)
        if len(set(self.labels)) != len(self.labels):
            raise ValueError(f"labels(={self.labels!r}) must be distinct")
        self.sources = list(sources) if sources is not None else [None] * len(runs)

    @property
    def plot(self) -> PlotAccessor:
        """Figures of the comparison (``compare_outcomes``, ``deal_probability``)."""
        from ..figures.accessor import PlotAccessor
        return PlotAccessor(self, "runs")

    def summary(self) -> pd.DataFrame:
        """Each run's headline table, stacked: ``label`` (the run), ``metric`` (the metric
        id), ``name`` (its display label), then the other summary columns."""
        frames = [r.summary().rename(columns={"label": "name"}).rename_axis("metric")
                  .reset_index().assign(label=label)
                  for r, label in zip(self.runs, self.labels, strict=True)]
        out = pd.concat(frames, ignore_index=True)
        return out[["label", *[c for c in out.columns if c != "label"]]]

    def table(self) -> pd.DataFrame:
        """Wide headline table: ``metric`` (id), ``name``, ``unit``, then ``<label>``,
        ``<label> ci_low``, ``<label> ci_high`` per run (metrics in first-seen order; NaN
        where a run lacks it)."""
        s = self.summary()
        metrics = list(dict.fromkeys(s["metric"]))
        first = s.drop_duplicates("metric").set_index("metric")
        out = pd.DataFrame({"metric": metrics, "name": [first["name"][m] for m in metrics],
                            "unit": [first["unit"][m] for m in metrics]})
        for label in self.labels:
            part = s[s["label"] == label].set_index("metric")
            for col, name in (("estimate", label), ("ci_low", f"{label} ci_low"),
                              ("ci_high", f"{label} ci_high")):
                out[name] = [part[col].get(m, np.nan) for m in metrics]
        return out

    def paired(self, i: int, baseline: int = 0) -> bool:
        """Whether run ``i`` and the baseline share common random numbers."""
        return _paired(self.runs[i], self.runs[baseline])

    def differences(self, baseline: int = 0) -> pd.DataFrame:
        """Each run minus the baseline run, per proportion or mean metric, with 95% intervals.

        Columns: ``metric`` (id), ``name``, ``unit``, ``label``, ``baseline``,
        ``difference``, ``se``, ``ci_low``, ``ci_high``, ``paired``.
        """
        base = self.runs[baseline]
        first = self.summary().drop_duplicates("metric").set_index("metric")
        units, names = first["unit"], first["name"]
        rows = []
        for i, (run, label) in enumerate(zip(self.runs, self.labels, strict=True)):
            if i == baseline:
                continue
            paired = _paired(run, base)
            for metric in units.index:
                a, b = metric_values(run, metric), metric_values(base, metric)
                if a is None or b is None:
                    continue
                stats = _difference(a[0], b[0], a[1], paired)
                rows.append({"metric": metric, "name": names[metric], "unit": units[metric],
                             "label": label,
                             "baseline": self.labels[baseline], **stats, "paired": paired})
        return pd.DataFrame(rows, columns=["metric", "name", "unit", "label", "baseline",
                                           "difference",
                                           "se", "ci_low", "ci_high", "paired"])

    def _repr_html_(self) -> str:
        """Rich display in Jupyter: the wide headline table."""
        e = html.escape
        t = self.table().set_index("name")
        head = "".join(f"<th>{e(label)}</th>" for label in self.labels)
        rows = []
        for metric, r in t.iterrows():
            cells = "".join(
                f"<td>{e(format_number(r[label]))} [{e(format_number(r[f'{label} ci_low']))}, "
                f"{e(format_number(r[f'{label} ci_high']))}]</td>" for label in self.labels)
            rows.append(f"<tr><td style='text-align:left'>{e(str(metric))}</td>{cells}"
                        f"<td style='text-align:left'>{e(str(r['unit']))}</td></tr>")
        return (f"<div class='simulate-comparison'><p><strong>simulate Comparison</strong> of "
                f"{len(self.runs)} runs (estimate [95% interval])</p><table><thead><tr>"
                f"<th style='text-align:left'>metric</th>{head}<th>unit</th></tr></thead>"
                f"<tbody>{''.join(rows)}</tbody></table></div>")

    def __repr__(self) -> str:
        return f"<Comparison of {len(self.runs)} runs: {', '.join(self.labels)}>"


def compare(*runs: Results | str | Path | Iterable[Results | str | Path],
            labels: Sequence[str] | None = None) -> Comparison:
    """Compare runs given as Results or results folders: ``compare(r1, r2)``,
    ``compare(["runs/a", "runs/b"], labels=["threat", "no threat"])``."""
    flat: list[Any] = []
    for r in runs:
        if isinstance(r, Results | str | Path):
            flat.append(r)
        else:
            flat.extend(r)
    loaded = [Results.load(r) if isinstance(r, str | Path) else r for r in flat]
    sources = [str(r) if isinstance(r, str | Path) else None for r in flat]
    return Comparison(loaded, labels, sources)
