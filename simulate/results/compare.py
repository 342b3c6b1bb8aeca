"""Several runs side by side: headline metrics, and differences against a baseline run.

Runs made with the same seed share common random numbers (design section 2), so replicate k
of one run and replicate k of the other face the same shocks. Their difference is then a
*paired* difference, estimated from the replicates the runs have in common (0 .. min(n)-1
when their replicate counts differ, with a :class:`ResultsWarning`): a Student-t interval of
the per-replicate differences (n - 1 degrees of freedom) for means, Newcombe's (1998, method
10) paired hybrid score interval for proportions; both are much narrower than the two runs'
own intervals suggest. Runs with different seeds are compared as independent samples:
Welch's t interval (Welch-Satterthwaite degrees of freedom) for a difference of means,
Newcombe's hybrid score interval for a difference of proportions. Every interval is an
individual (pointwise) 95% interval, not simultaneous over the metrics and runs of a table;
for k of them at once, Bonferroni's adjustment uses level 1 - 0.05 / k.
Runs that start on different dates or cover different horizons are compared with a
:class:`ResultsWarning` (:func:`window_mismatch`).
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..errors import ArgumentError, ResultsWarning
from .metrics import metric_values, warn_user
from .results import Results, format_number
from .summary import paired_proportion_difference, proportion, t_half_width, welch_df

if TYPE_CHECKING:  # pragma: no cover
    from ..figures.accessor import PlotAccessor

__all__ = ["Comparison", "compare", "metric_values", "run_labels", "window_mismatch",
           "replicate_mismatch", "ResultsWarning"]


def run_labels(runs: Sequence[Results], labels: Sequence[str] | None = None) -> list[str]:
    """Labels of runs: given ones, else scenario names (numbered when they repeat)."""
    if labels is not None:
        if isinstance(labels, str | bytes):
            raise ArgumentError.from_text(f"expected a list of {len(runs)} labels, one per "
                                          f"run, found the text {labels!r:.60}", "labels")
        labels = [str(x) for x in labels]
        if len(labels) != len(runs):
            raise ArgumentError.from_text(f"expected {len(runs)} labels, one per run in "
                                          f"order, found {len(labels)}: {labels!r:.80}",
                                          "labels")
        return labels
    names = [r.scenario.name for r in runs]
    return [f"{name} #{names[:i + 1].count(name)}" if names.count(name) > 1 else name
            for i, name in enumerate(names)]


def _streams_shared(a: Results, b: Results) -> bool:
    """Whether two runs draw the same random numbers for the same replicate: the same seed
    and the same stream scheme (manifest ``streams``; runs made before parameters had
    streams named by their keys have none, and are not paired)."""
    scheme = a.manifest.get("streams")
    return (a.manifest.get("seed") == b.manifest.get("seed") and scheme is not None
            and scheme == b.manifest.get("streams"))


def _common_rows(a: Results, b: Results) -> tuple[np.ndarray, np.ndarray] | None:
    """Row positions in ``a`` and ``b`` of the replicates both have, by replicate index
    (ascending); None when the runs are not paired (see :func:`_streams_shared`) or share
    no replicate."""
    if not _streams_shared(a, b):
        return None
    ra, rb = a.outcomes["replicate"].to_numpy(), b.outcomes["replicate"].to_numpy()
    if ra.shape == rb.shape and bool(np.array_equal(ra, rb)):
        return np.arange(ra.size), np.arange(rb.size)
    common, ia, ib = np.intersect1d(ra, rb, assume_unique=True, return_indices=True)
    return (ia, ib) if common.size else None


def _paired(a: Results, b: Results) -> bool:
    """Whether two runs share common random numbers replicate by replicate (on the
    replicates both have)."""
    return _common_rows(a, b) is not None


def window_mismatch(runs: Sequence[Results], labels: Sequence[str]) -> str | None:
    """Why the runs' windowed outcomes are not alike (different start dates or horizons),
    or None. The command line prints it as a warning; :class:`Comparison` warns with it."""
    windows = [(str(r.scenario.start), int(r.scenario.horizon_days)) for r in runs]
    if len(set(windows)) < 2:
        return None
    what = " and ".join(x for x, differ in (
        ("start dates", len({w[0] for w in windows}) > 1),
        ("horizons", len({w[1] for w in windows}) > 1)) if differ)
    each = ", ".join(f"{n}: {s}, {h} days" for n, (s, h) in zip(labels, windows, strict=True))
    return (f"the runs have different {what} ({each}); outcomes over a window "
            "(deal within N days, horizon totals and means) measure different periods")


def replicate_mismatch(runs: Sequence[Results], labels: Sequence[str],
                       baseline: int = 0) -> list[str]:
    """One line per run paired with the baseline (same seed and streams) on only part of its
    replicates: which replicates the paired differences use and which are left out."""
    out = []
    base = runs[baseline]
    for i, run in enumerate(runs):
        rows = _common_rows(run, base) if i != baseline else None
        if rows is None or (rows[0].size == len(run.outcomes)
                            and rows[1].size == len(base.outcomes)):
            continue
        ids = run.outcomes["replicate"].to_numpy()[rows[0]]
        k = ids.size
        which = (f"replicates {ids[0]} to {ids[-1]}" if ids[-1] - ids[0] == k - 1
                 else f"{k} replicates")
        out.append(f"{labels[i]} ({len(run.outcomes)} replicates) and {labels[baseline]} "
                   f"({len(base.outcomes)}) share seed {base.manifest.get('seed')}: their "
                   f"differences are paired on the {which} both have; the other "
                   f"{len(run.outcomes) + len(base.outcomes) - 2 * k} are left out of the "
                   "differences (give both runs the same replicates to use them all)")
    return out


def _difference(x: np.ndarray, base: np.ndarray, kind: str, paired: bool) -> dict[str, float]:
    """Difference ``mean(x) - mean(base)`` with its 95% interval."""
    if not x.size or not base.size:
        return {"difference": math.nan, "se": math.nan, "ci_low": math.nan, "ci_high": math.nan}
    x = x.astype(float)
    base = base.astype(float)
    d = float(x.mean() - base.mean())
    if paired and kind == "proportion":  # Newcombe (1998) method 10, paired
        got = paired_proportion_difference(x, base)
        return {"difference": got["estimate"], "se": got["se"], "ci_low": got["ci_low"],
                "ci_high": got["ci_high"]}
    if paired:  # Student's t on the per-replicate differences, n - 1 degrees of freedom
        diff = x - base
        se = float(diff.std(ddof=1) / math.sqrt(diff.size)) if diff.size > 1 else math.nan
        half = t_half_width(se, diff.size - 1)
        return {"difference": d, "se": se, "ci_low": d - half, "ci_high": d + half}
    if kind == "proportion":  # Newcombe (1998) method 10, from the two Wilson intervals
        p1, p2 = proportion("", x.astype(bool)), proportion("", base.astype(bool))
        lo = d - math.sqrt((p1["estimate"] - p1["ci_low"]) ** 2
                           + (p2["ci_high"] - p2["estimate"]) ** 2)
        hi = d + math.sqrt((p1["ci_high"] - p1["estimate"]) ** 2
                           + (p2["estimate"] - p2["ci_low"]) ** 2)
        se = math.sqrt(p1["se"] ** 2 + p2["se"] ** 2)
        return {"difference": d, "se": se, "ci_low": lo, "ci_high": hi}
    # Welch: unpooled standard error, Welch-Satterthwaite degrees of freedom
    var_x = float(x.var(ddof=1)) if x.size > 1 else math.nan
    var_b = float(base.var(ddof=1)) if base.size > 1 else math.nan
    v = var_x / x.size + var_b / base.size
    se = math.sqrt(v) if v == v else math.nan
    half = t_half_width(se, welch_df(var_x, x.size, var_b, base.size))
    return {"difference": d, "se": se, "ci_low": d - half, "ci_high": d + half}


class Comparison:
    """Two or more runs: ``summary()`` (long), ``table()`` (wide), ``differences()`` against
    the first run, ``plot.compare_outcomes()`` and ``plot.deal_probability()``.

    ``warnings`` lists what makes the runs not alike (different windows; runs paired on
    only part of their replicates); each is also issued as a :class:`ResultsWarning` unless
    ``warn=False`` (the command line prints them itself).
    """

    def __init__(self, runs: Sequence[Results], labels: Sequence[str] | None = None,
                 sources: Sequence[str | Path | None] | None = None, *, warn: bool = True):
        runs = list(runs)
        if len(runs) < 1:
            raise ArgumentError.from_text("expected at least one run, found none", "runs")
        self.runs = runs
        self.labels = run_labels(runs, labels)
        if len(set(self.labels)) != len(self.labels):
            raise ArgumentError.from_text(f"labels must be distinct, found {self.labels!r:.80}",
                                          "labels")
        self.sources = list(sources) if sources is not None else [None] * len(runs)
        window = window_mismatch(runs, self.labels)
        self.warnings = ([window] if window else []) + replicate_mismatch(runs, self.labels)
        if warn:
            for message in self.warnings:
                warn_user(message)

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
        ``difference``, ``se``, ``ci_low``, ``ci_high``, ``paired``. Paired runs (same seed)
        are compared on the replicates both have; proportions then get Newcombe's paired
        interval, means the Student-t interval of the per-replicate differences; independent
        runs' means get Welch's t interval. Individual (pointwise) 95% intervals, not
        simultaneous over the rows.
        """
        base = self.runs[baseline]
        first = self.summary().drop_duplicates("metric").set_index("metric")
        units, names = first["unit"], first["name"]
        rows = []
        for i, (run, label) in enumerate(zip(self.runs, self.labels, strict=True)):
            if i == baseline:
                continue
            rows_ = _common_rows(run, base)
            paired = rows_ is not None
            for metric in units.index:
                a, b = metric_values(run, metric), metric_values(base, metric)
                if a is None or b is None:
                    continue
                x, y = (a[0], b[0]) if rows_ is None else (a[0][rows_[0]], b[0][rows_[1]])
                stats = _difference(x, y, a[1], paired)
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
    ``compare(["runs/a", "runs/b"], labels=["threat", "no threat"])``. Warns
    (:class:`ResultsWarning`) about runs over different windows and runs paired on only
    part of their replicates."""
    flat: list[Any] = []
    for r in runs:
        if isinstance(r, Results | str | Path):
            flat.append(r)
        else:
            flat.extend(r)
    loaded = [Results.load(r) if isinstance(r, str | Path) else r for r in flat]
    sources = [str(r) if isinstance(r, str | Path) else None for r in flat]
    return Comparison(loaded, labels, sources)
