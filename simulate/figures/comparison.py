"""Figures of several runs side by side (``simulate compare``)."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import nullcontext
from typing import Any

import matplotlib as mpl
import numpy as np
from matplotlib.axes import Axes

from .data import all_replicates, as_runs, compare_outcomes_data, runs_and_labels
from .registry import figure_kind
from .style import (
    COLUMN_WIDTH,
    add_caption,
    color,
    new_figure,
    percent_axis,
    source_line,
    style,
)

__all__ = ["compare_outcomes"]


def _several(runs: Any) -> bool:
    return len(as_runs(runs)) >= 1


@figure_kind("compare_outcomes", order=5, subjects=("runs",),
             title="Headline outcomes side by side",
             caption="Each headline outcome per run: estimate (dot) and 95% confidence "
                     "interval (line); one panel per unit.",
             prepare=compare_outcomes_data, applies=_several,
             source=lambda runs: all_replicates(runs))
def compare_outcomes(runs: Any, ax: Axes | Sequence[Axes] | None = None,
                     labels: Sequence[str] | None = None,
                     metrics: Sequence[str] | None = None,
                     footer: bool | None = None) -> list[Axes]:
    """Dot-and-interval plot of the headline metrics of several runs, one panel per unit.

    ``ax``: None (a new figure), or one Axes per unit group in the data (a single Axes when
    the chosen ``metrics`` share a unit). Returns the list of axes.
    """
    runs, names = runs_and_labels(runs, labels)
    data = compare_outcomes_data(runs, names, metrics)
    names = data.attrs["labels"]
    groups = list(dict.fromkeys(data["group"]))
    sizes = [data.loc[data["group"] == g, "metric"].nunique() for g in groups]
    owned = ax is None
    if owned:
        heights = [0.32 + 0.2 * s * max(1.0, len(names) / 2) for s in sizes] or [1.0]
        fig, grid = new_figure(COLUMN_WIDTH, 0.45 + sum(heights) + 0.1 * len(heights),
                               max(1, len(groups)), 1, squeeze=False,
                               gridspec_kw={"height_ratios": heights})
        axes = list(grid.ravel())
    else:
        axes = list(np.ravel(np.asarray(ax, dtype=object)))
        if len(axes) != len(groups):
            raise ValueError(f"ax needs one Axes per unit group ({len(groups)}: {groups}); "
                             f"found {len(axes)} (or choose metrics of one unit)")
        fig = axes[0].figure
    ctx = style() if owned else nullcontext()
    with ctx:
        spread = 0.56
        # first run on top, as in the legend
        offsets = (np.linspace(spread / 2, -spread / 2, len(names)) if len(names) > 1
                   else np.zeros(1))
        for a, group in zip(axes, groups, strict=True):
            g = data[data["group"] == group]
            metrics_here = list(dict.fromkeys(g["metric"]))
            shown = dict(zip(g["metric"], g["name"], strict=False))
            ys = np.arange(len(metrics_here))[::-1].astype(float)
            ypos = dict(zip(metrics_here, ys, strict=True))
            for i, label in enumerate(names):
                rows = g[g["label"] == label]
                y = rows["metric"].map(ypos).to_numpy(dtype=float) + offsets[i]
                est = rows["estimate"].to_numpy(dtype=float)
                lo = rows["ci_low"].to_numpy(dtype=float)
                hi = rows["ci_high"].to_numpy(dtype=float)
                ok = np.isfinite(est)
                lo = np.where(np.isfinite(lo), lo, est)
                hi = np.where(np.isfinite(hi), hi, est)
                a.hlines(y[ok], lo[ok], hi[ok], color=color(i), linewidth=1.0)
                a.plot(est[ok], y[ok], "o", color=color(i), markersize=3,
                       label=label if a is axes[0] else None)
            a.set_yticks(ys, [shown[m] for m in metrics_here])
            a.set_ylim(-0.6, len(metrics_here) - 0.4)
            a.set_xlabel(group)
            a.grid(axis="y", visible=False)
            finite = g[["estimate", "ci_low", "ci_high"]].to_numpy(dtype=float)
            finite = finite[np.isfinite(finite)]
            # zero is on every axis; a small margin keeps dots at zero clear of the spine
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
        if axes and names:
            _legend(fig, axes[0], owned, names)
        if owned if footer is None else footer:
            add_caption(fig, source_line(runs, "Dots: estimates; lines: 95% confidence "
                                               "intervals."))
    return axes



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
