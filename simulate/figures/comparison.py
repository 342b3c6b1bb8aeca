"""Figures of several runs side by side (``simulate compare``)."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import nullcontext
from typing import Any

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from .comparison_data import compare_differences_data, compare_outcomes_data
from .data import all_replicates, as_runs, runs_and_labels
from .registry import figure_kind
from .styling import (
    COLUMN_WIDTH,
    GREY,
    NEUTRAL,
    add_caption,
    color,
    new_figure,
    percent_axis,
    run_marker,
    source_line,
    style,
)

__all__ = ["compare_outcomes", "ONE_HALF_WIDTH", "left_out_note", "differences_note"]

#: width of the comparison with its difference column, inches (a 1.5-column figure)
ONE_HALF_WIDTH = 5.5
#: what a difference panel shows where a metric is not in both runs
NOT_IN_BOTH = "n/a"


def _several(runs: Any) -> bool:
    return len(as_runs(runs)) >= 1


def _caption(runs: Any) -> str:
    if len(as_runs(runs)) < 2:
        return ("Each headline outcome: estimate (dot) and 95% confidence interval (line); "
                "one panel per unit.")
    return ("Left: each headline outcome per run, estimate (dot) and 95% confidence interval "
            "(line). Right: each run minus the first, with the 95% interval of the "
            "difference that simulate compare reports (paired for runs of one seed); dotted "
            "line: no difference. One row of panels per unit.")


@figure_kind("compare_outcomes", order=5, subjects=("runs",),
             title="Headline outcomes side by side",
             caption="Left: each headline outcome per run, estimate (dot) and 95% confidence "
                     "interval (line); right (two runs or more): each run minus the first "
                     "with the 95% interval of the difference (paired for runs of one seed). "
                     "One row of panels per unit.",
             prepare=compare_outcomes_data, applies=_several,
             source=lambda runs: all_replicates(runs), caption_for=_caption)
def compare_outcomes(runs: Any, ax: Axes | Sequence[Axes] | None = None,
                     labels: Sequence[str] | None = None,
                     metrics: Sequence[str] | None = None,
                     footer: bool | None = None, differences: bool | None = None,
                     baseline: int = 0) -> list[Axes]:
    """Dot-and-interval plot of the headline metrics of several runs, one row of panels per
    unit: the levels, and beside them (``differences``, default: with two runs or more)
    each run minus the ``baseline`` run with the 95% interval of the difference, from
    :meth:`~simulate.results.compare.Comparison.differences` (paired for runs of one seed;
    overlapping level intervals do not mean "no difference").

    ``ax``: None (a new figure), or one Axes per unit group in the data (a single Axes when
    the chosen ``metrics`` share a unit) for the levels only, or two per group (row by row:
    levels, differences) for both. Returns the axes, row by row. The footer names the
    summary rows left out (medians over deals, rows zero in every run).
    """
    runs, names = runs_and_labels(runs, labels)
    data = compare_outcomes_data(runs, names, metrics)
    names = data.attrs["labels"]
    groups = list(dict.fromkeys(data["group"]))
    sizes = [data.loc[data["group"] == g, "metric"].nunique() for g in groups]
    owned = ax is None
    given = [] if owned else list(np.ravel(np.asarray(ax, dtype=object)))
    if differences is None:
        differences = len(names) > 1 and (owned or len(given) == 2 * len(groups))
    if differences and len(names) < 2:
        raise ValueError("differences need two runs or more")
    cols = 2 if differences else 1
    if owned:
        heights = [0.32 + 0.2 * s * max(1.0, len(names) / 2) for s in sizes] or [1.0]
        fig, grid = new_figure(ONE_HALF_WIDTH if differences else COLUMN_WIDTH,
                               0.45 + sum(heights) + 0.1 * len(heights),
                               max(1, len(groups)), cols, squeeze=False, sharey="row",
                               gridspec_kw={"height_ratios": heights})
        axes = list(grid.ravel())
    else:
        axes = given
        if len(axes) != cols * len(groups):
            each = "two Axes per unit group (levels, differences)" if differences else \
                "one Axes per unit group"
            raise ValueError(f"ax needs {each} ({len(groups)}: {groups}); found "
                             f"{len(axes)} (or choose metrics of one unit)")
        fig = axes[0].figure
    levels = axes[::cols]
    diffs = axes[1::cols] if differences else []
    diff_data = compare_differences_data(runs, names, metrics, baseline) if differences \
        else None
    ctx = style() if owned else nullcontext()
    with ctx:
        spread = 0.56
        # first run on top, as in the legend
        offsets = (np.linspace(spread / 2, -spread / 2, len(names)) if len(names) > 1
                   else np.zeros(1))
        for row, (a, group) in enumerate(zip(levels, groups, strict=True)):
            g = data[data["group"] == group]
            metrics_here = list(dict.fromkeys(g["metric"]))
            shown = dict(zip(g["metric"], g["name"], strict=False))
            ys = np.arange(len(metrics_here))[::-1].astype(float)
            ypos = dict(zip(metrics_here, ys, strict=True))
            for i, label in enumerate(names):
                rows = g[g["label"] == label]
                y = rows["metric"].map(ypos).to_numpy(dtype=float) + offsets[i]
                _dots(a, rows["estimate"], rows["ci_low"], rows["ci_high"], y, color(i),
                      label if a is levels[0] else None, run_marker(i))
            a.set_yticks(ys, [shown[m] for m in metrics_here])
            a.set_ylim(-0.6, len(metrics_here) - 0.4)
            a.set_xlabel(group)
            a.grid(axis="y", visible=False)
            finite = g[["estimate", "ci_low", "ci_high"]].to_numpy(dtype=float)
            _level_limits(a, group, finite[np.isfinite(finite)])
            if diff_data is not None:
                _difference_panel(diffs[row], diff_data, group, metrics_here, ypos, offsets,
                                  names, baseline)
        if differences and owned:
            levels[0].set_title("Estimates", loc="left")
            diffs[0].set_title(f"Difference from {names[baseline]}", loc="left")
        if axes and names:
            _legend(fig, levels[0], owned, names)
        if owned if footer is None else footer:
            note = "Markers: estimates (one shape per run); lines: 95% confidence intervals."
            if diff_data is not None:
                note += " " + differences_note(diff_data)
            note += left_out_note(data)
            add_caption(fig, source_line(runs, note))
    return axes


def _dots(a: Axes, est: Any, lo: Any, hi: Any, y: np.ndarray, c: str,
          label: str | None, marker: str = "o") -> None:
    """Estimates (markers) with their intervals (lines); a missing bound draws no line."""
    est = np.asarray(est, dtype=float)
    lo = np.asarray(lo, dtype=float)
    hi = np.asarray(hi, dtype=float)
    ok = np.isfinite(est)
    lo = np.where(np.isfinite(lo), lo, est)
    hi = np.where(np.isfinite(hi), hi, est)
    a.hlines(y[ok], lo[ok], hi[ok], color=c, linewidth=1.0)
    a.plot(est[ok], y[ok], linestyle="none", marker=marker, color=c, markersize=3,
           label=label)


def _level_limits(a: Axes, group: str, finite: np.ndarray) -> None:
    """Zero is on every axis; a small margin keeps dots at zero clear of the spine."""
    if group == "probability":
        top = float(finite.max()) if finite.size else 1.0
        xmax = min(1.0, max(0.05, top * 1.1))
        a.set_xlim(-0.025 * xmax, xmax)
        percent_axis(a.xaxis, xmax)
    elif finite.size:
        lo_, hi_ = min(0.0, float(finite.min())), max(0.0, float(finite.max()))
        if hi_ == lo_:
            hi_ = lo_ + 1.0
        pad = 0.05 * (hi_ - lo_)
        a.set_xlim(lo_ - pad, hi_ + pad)


def _difference_panel(a: Axes, diff: pd.DataFrame, group: str, metrics_here: list[str],
                      ypos: dict[str, float], offsets: np.ndarray, names: Sequence[str],
                      baseline: int) -> None:
    """Each run minus the baseline, at the height of that run's dot in the levels panel,
    with a line at zero; ``n/a`` where a metric is not in both runs."""
    g = diff[diff["group"] == group]
    a.axvline(0, color=NEUTRAL, linestyle=":", linewidth=0.8, zorder=1)
    for i, label in enumerate(names):
        if i == baseline:
            continue
        rows = g[g["label"] == label]
        y = rows["metric"].map(ypos).to_numpy(dtype=float) + offsets[i]
        _dots(a, rows["difference"], rows["ci_low"], rows["ci_high"], y, color(i), None,
              run_marker(i))
        for m in metrics_here:
            if m not in set(rows["metric"]):  # beside the zero line, where its dot would be
                a.annotate(NOT_IN_BOTH, (0, ypos[m] + offsets[i]), xytext=(2, 0),
                           textcoords="offset points", ha="left", va="center",
                           fontsize=5.5, color=GREY)
    a.grid(axis="y", visible=False)
    a.tick_params(axis="y", left=False, labelleft=False)
    values = g[["difference", "ci_low", "ci_high"]].to_numpy(dtype=float)
    values = values[np.isfinite(values)]
    reach = max(abs(float(values.min())), abs(float(values.max()))) if values.size else 0.0
    reach = reach * 1.1 or (0.01 if group == "probability" else 1.0)
    a.set_xlim(-reach, reach)  # zero in the middle: the sign reads at a glance
    if group == "probability":
        from matplotlib.ticker import FuncFormatter
        a.xaxis.set_major_formatter(FuncFormatter(
            lambda x, _: f"{100 * x:+.3g}".replace("-", "\u2212") if x else "0"))
        a.set_xlabel("percentage points")
    else:
        a.set_xlabel(group)


def differences_note(diff: pd.DataFrame) -> str:
    """How the differences were computed, as the footer says it."""
    paired = diff["paired"].astype(bool)
    base = diff.attrs.get("baseline", "the first run")
    if len(diff) and bool(paired.all()):
        how = ("paired on common random numbers (same seed): Newcombe's paired score "
               "interval for probabilities, the Student-t interval of the per-replicate "
               "differences for means")
    elif len(diff) and not bool(paired.any()):
        how = ("independent samples (different seeds): Newcombe's hybrid score interval for "
               "probabilities, Welch's t interval for means")
    else:
        how = "paired for runs of one seed with the baseline, independent otherwise"
    return (f"Right: each run minus {base}, 95% interval of the difference ({how}), as "
            f"simulate compare reports it; {NOT_IN_BOTH}: not in both runs.")


def left_out_note(data: pd.DataFrame) -> str:
    """`` Not shown: ... (why).`` for the summary rows :func:`compare_outcomes_data` left
    out; "" when none was."""
    left_out = data.attrs.get("left_out") or {}
    parts = [f"{_shared_prefix(names)} ({why})" for why, names in left_out.items() if names]
    return (" Not shown: " + "; ".join(parts) + ".") if parts else ""


def _shared_prefix(names: Sequence[str]) -> str:
    """``Terms in a deal: Donetsk, Luhansk`` from ``Terms in a deal: Donetsk`` and ``Terms in
    a deal: Luhansk``: a head before ": " written once for the names that follow it."""
    out: list[str] = []
    last = None
    for name in names:
        head, sep, tail = name.partition(": ")
        if sep and head == last:
            out.append(tail)
        else:
            out.append(name)
            last = head if sep else None
    return ", ".join(out)


def _legend(fig: Any, first: Axes, owned: bool, names: Sequence[str]) -> None:
    """The runs' legend: above the panels across the whole figure on simulate's own figure
    (the long metric names push the axes right, so a legend over them would be cut off),
    in one column when the labels would not fit in a row; inside the first panel on the
    caller's axes."""
    handles, labels = first.get_legend_handles_labels()
    if not owned:
        first.legend(handles, labels, loc="best")
        return
    width_pt = fig.get_size_inches()[0] * 72
    # ~0.6 em per character at the legend's size, plus handle and spacing per entry
    size = float(mpl.rcParams["legend.fontsize"]) if isinstance(
        mpl.rcParams["legend.fontsize"], int | float) else 6.5
    row = sum(0.6 * size * len(x) + 3.5 * size for x in labels)
    fig.legend(handles, labels, loc="outside upper left",
               ncols=len(labels) if row <= 0.95 * width_pt else 1)
