"""Figures of experiments: an outcome against one lever with its confidence band, a heat map
over two levers, parallel coordinates of the design, sensitivity indices with their
intervals, PRIM's peeling trajectory and the regret of policies.

Every function takes ``ax=None`` (a new styled figure, sized for what it shows) or the
caller's axes, and returns the axes. Factors and outcomes are labelled in words with their
units (:mod:`simulate.figures.outcome_labels`: units of parameters come from the scenario
schema, as in the report's parameter table, those of outcomes from the experiment block). On
simulate's own figures, titles and axis labels are wrapped until they fit inside the figure
(:mod:`simulate.figures.fitting`).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.patches import Patch, Rectangle

from ..errors import ResultsError
from ..scenario.messages import suggest
from .data import wilson_interval
from .fitting import fit_texts, line_count, separate_ticks, wrap
from .outcome_labels import factor_label, is_binary_outcome, outcome_label, outcome_unit
from .styling import (
    COLUMN_WIDTH,
    DOUBLE_WIDTH,
    GREY,
    add_caption,
    axis_label,
    color,
    drawing,
    legend_outside,
)

#: the label functions are defined in :mod:`simulate.figures.outcome_labels`; they are
#: listed here too because ``experiments.factor_label`` etc. are used by callers
__all__ = ["plot_lever", "plot_heatmap", "plot_parallel", "plot_indices", "plot_peeling",
           "plot_regret", "factor_label", "outcome_unit", "outcome_label"]

_Z = 1.959963984540054
#: shading of heat-map cells without design points
_EMPTY: dict[str, Any] = {"facecolor": "#F2F2F2", "edgecolor": "#BDBDBD", "hatch": "////",
                          "lw": 0.0}
#: at most this many bins per continuous factor of a heat map
_BINS = 8


def _check_factors(ex: Any, **keys: str | None) -> None:
    """Raise :class:`ResultsError` for an argument (``lever=...``) naming no factor of the
    experiment, with the factors it has (as a misspelt outcome does)."""
    factors = [f["key"] for f in ex.factors]
    for arg, key in keys.items():
        if key is not None and key not in factors:
            raise ResultsError(f"{arg}: unknown factor {key!r}: expected one of "
                               f"{', '.join(factors)}{suggest(key, factors)}")


# ----- lever --------------------------------------------------------------------------------
def _order(values: Any, scenario: Any, key: str) -> list:
    """The distinct values of a factor: numbers sorted, choices in the order the experiment
    block lists them (``+2d, +30d, +90d``, not as strings sort)."""
    import pandas as pd
    seen = list(pd.unique(values.dropna()))
    if all(isinstance(v, int | float | np.number) and not isinstance(v, bool) for v in seen):
        return sorted(seen)
    exp = getattr(scenario, "experiment", None)
    lever = exp.levers.get(key) if exp is not None else None
    choices = [str(c) for c in (getattr(lever, "choices", None) or ())]
    rank = {c: i for i, c in enumerate(choices)}
    return sorted(seen, key=lambda v: (rank.get(str(v), len(rank)), str(v)))


def _mean_square(se: Any) -> float:
    """Mean squared standard error of the points (NaN ones left out; 0 if none is known)."""
    s2 = np.square(np.asarray(se, dtype=float))
    s2 = s2[~np.isnan(s2)]
    return float(s2.mean()) if s2.size else 0.0


def _lever_band(part: Any, lever: str, order: list, binary: bool) -> Any:
    """Per lever value: the mean estimate over the design points there and its 95% interval.

    The interval's variance is the spread between the points (the other factors vary) plus
    their Monte Carlo error, over the number of points k; for a probability, the Wilson
    interval at the effective number of replicates ``p (1 - p) / variance`` (at most all of
    them), so it stays inside [0, 1]. One point: the point's own interval."""
    import pandas as pd
    g = part.groupby(lever, sort=False)
    frame = pd.DataFrame({
        "est": g["estimate"].mean(), "k": g["estimate"].size(),
        "noise": g["se"].apply(_mean_square),
        "spread": g["estimate"].var(ddof=1).fillna(0.0),
        "n": g["n"].sum() if "n" in part else g["estimate"].size(),
        "lo1": g["ci_low"].mean(), "hi1": g["ci_high"].mean()})
    frame = frame.reindex([v for v in order if v in frame.index])
    k = frame["k"].to_numpy(dtype=float)
    est = frame["est"].to_numpy(dtype=float)
    var = (frame["noise"].to_numpy(dtype=float) + frame["spread"].to_numpy(dtype=float)) / k
    if binary:
        total = frame["n"].to_numpy(dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            n_eff = np.where(var > 0, est * (1 - est) / var, total)
        n_eff = np.clip(np.where(np.isfinite(n_eff) & (n_eff > 0), n_eff, total), 1.0, total)
        lo, hi = wilson_interval(est * n_eff, n_eff)
    else:
        half = _Z * np.sqrt(var)
        lo, hi = est - half, est + half
    one = k <= 1
    frame["lo"] = np.where(one, frame["lo1"], lo)
    frame["hi"] = np.where(one, frame["hi1"], hi)
    if binary:
        frame["lo"], frame["hi"] = frame["lo"].clip(0, 1), frame["hi"].clip(0, 1)
    return frame


_BAND_NOTE = ("Each line: mean of the outcome over the design points with that lever value (the "
              "other factors vary). Band: 95% interval of that mean, from the spread between "
              "those points and their Monte Carlo standard errors{wilson}.")


def plot_lever(ex: Any, lever: str, outcome: str | None = None, ax: Axes | None = None,
               by: str | None = None) -> Axes:
    """Outcome estimate against one lever, averaged over the design points at each lever
    value (one line per value of ``by`` if given), with the 95% interval of that mean: the
    spread between the points plus their Monte Carlo error; for a probability a Wilson
    interval (inside [0, 1]). Explained in the legend and, on simulate's figure, a caption."""
    _check_factors(ex, lever=lever, by=by)
    t = ex.table(outcome)
    name = outcome or ex.outcomes[0]
    scenario = getattr(ex, "scenario", None)
    binary = is_binary_outcome(name, scenario, getattr(ex, "binary", None))
    unit = "probability" if binary else outcome_unit(name, scenario)
    numeric = {f["key"]: f.get("numeric", True) for f in ex.factors}
    order = _order(t[lever], scenario, lever)
    with drawing(ax) as (fig, ax, owned):
        if by is None:
            groups = [(None, t)]
        else:
            by_order = _order(t[by], scenario, by)
            groups = [(key, t[t[by] == key]) for key in by_order]
        handles: list[Any] = []
        labels: list[str] = []
        for i, (key, part) in enumerate(groups):
            band = _lever_band(part, lever, order, binary)
            x = band.index.to_numpy()
            (line,) = ax.plot(x, band["est"].to_numpy(), marker="o", ms=3, color=color(i))
            ax.fill_between(x, band["lo"].to_numpy(dtype=float),
                            band["hi"].to_numpy(dtype=float), color=color(i), alpha=0.2, lw=0)
            handles.append(line)
            labels.append("mean over the design points" if key is None
                          else f"{factor_label(by or '', unit=False)} = {key}")
        handles.append(Patch(facecolor=color(0) if by is None else GREY, alpha=0.2, lw=0))
        labels.append("95% interval of the mean" + (" (Wilson)" if binary else ""))
        ax.set_xlabel(factor_label(lever, scenario, unit=numeric.get(lever, True)))
        ax.set_ylabel(outcome_label(name, unit))
        if binary:
            ax.set_ylim(max(-0.02, ax.get_ylim()[0]), min(1.02, ax.get_ylim()[1]))
        legend_outside(ax, owned, handles, labels)
        if owned:
            add_caption(fig, _BAND_NOTE.format(
                wilson=("; a Wilson interval at the effective number of replicates, so it "
                        "stays within 0 to 1") if binary else ""))
            fit_texts(fig, [ax.xaxis.label, ax.yaxis.label])
    return ax


# ----- heat map -----------------------------------------------------------------------------
def _cells(t: Any, col: str, scenario: Any) -> tuple[Any, list, np.ndarray | None]:
    """(cell of each row, the cells in order, bin edges or None): a numeric factor with more
    than 8 values in equal bins (8, or about the square root of the number of points when
    that is fewer), any other factor one cell per value."""
    import pandas as pd
    v = t[col]
    if v.nunique() > _BINS and pd.api.types.is_numeric_dtype(v):
        bins = int(np.clip(round(math.sqrt(len(v))), 3, _BINS))
        edges = np.linspace(float(v.min()), float(v.max()), bins + 1)
        cut = pd.cut(v, edges.tolist(), include_lowest=True)
        return cut, list(cut.cat.categories), edges
    order = _order(v, scenario, col)
    return pd.Categorical(v, categories=order), order, None


def _cell_axis(axis: Any, cells: list, edges: np.ndarray | None, label: str,
               rotate: bool) -> None:
    if edges is None:
        axis.set_ticks(range(len(cells)), [f"{c:.3g}" if isinstance(c, float) else str(c)
                                           for c in cells])
        axis.set_label_text(label)
    else:  # ticks at the bin edges: a cell is an interval, not a value
        axis.set_ticks(np.arange(len(edges)) - 0.5, [f"{e:.3g}" for e in edges])
        axis.set_label_text(f"{label}, in {len(cells)} bins")
    if rotate:
        for t in axis.get_ticklabels():
            t.set_rotation(45)
            t.set_horizontalalignment("right")
            t.set_rotation_mode("anchor")


def plot_heatmap(ex: Any, x: str, y: str, outcome: str | None = None,
                 ax: Axes | None = None) -> Axes:
    """Heat map of the outcome over two factors (mean over the other factors in each cell);
    a numeric factor with more than 8 values is binned into equal intervals (8, fewer for
    fewer than 64 points), with ticks at the bin edges. Cells without design points
    (common with Latin-hypercube designs) are hatched grey and named in the legend."""
    _check_factors(ex, x=x, y=y)
    t = ex.table(outcome)
    name = outcome or ex.outcomes[0]
    scenario = getattr(ex, "scenario", None)
    unit = outcome_unit(name, scenario, getattr(ex, "binary", None))
    numeric = {f["key"]: f.get("numeric", True) for f in ex.factors}
    cx, xs, xedges = _cells(t, x, scenario)
    cy, ys, yedges = _cells(t, y, scenario)
    grid = t.assign(_x=cx, _y=cy).pivot_table(
        index="_y", columns="_x", values="estimate", aggfunc="mean", observed=False,
        dropna=False).reindex(index=ys, columns=xs)
    values = grid.to_numpy(dtype=float)
    with drawing(ax, height=3.0) as (fig, ax, owned):
        im = ax.imshow(values, origin="lower", aspect="auto", cmap="viridis")
        empty = np.argwhere(np.isnan(values))
        for i, j in empty:
            ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, **_EMPTY))
        _cell_axis(ax.xaxis, xs, xedges, factor_label(x, scenario, unit=numeric.get(x, True)),
                   rotate=True)
        _cell_axis(ax.yaxis, ys, yedges, factor_label(y, scenario, unit=numeric.get(y, True)),
                   rotate=False)
        ax.set_xlim(-0.5, len(xs) - 0.5)
        ax.set_ylim(-0.5, len(ys) - 0.5)
        ax.grid(False)
        bar = fig.colorbar(im, ax=ax)
        bar.set_label(outcome_label(name, unit))
        if len(empty):
            legend_outside(ax, owned, [Patch(**_EMPTY)],
                           [f"no design points ({len(empty)} of {values.size} cells)"])
        if owned:
            fit_texts(fig, [ax.xaxis.label, ax.yaxis.label, bar.ax.yaxis.label])
    return ax


# ----- parallel coordinates -----------------------------------------------------------------
def plot_parallel(ex: Any, outcome: str | None = None, ax: Axes | None = None) -> Axes:
    """Parallel coordinates of the design points (numeric factors scaled to [0, 1] of their
    range), coloured by the outcome's estimate. Factors that are not numbers (a deadline
    given as ``+30d``) have no axis: a note above the axes names them."""
    import matplotlib as mpl

    t = ex.table(outcome)
    name = outcome or ex.outcomes[0]
    scenario = getattr(ex, "scenario", None)
    unit = outcome_unit(name, scenario, getattr(ex, "binary", None))
    keys = [f["key"] for f in ex.factors if f.get("numeric", True)]
    left_out = [f["key"] for f in ex.factors if not f.get("numeric", True)]
    cols = [*keys, "estimate"]
    data = t[cols].astype(float).to_numpy()
    lo, hi = np.nanmin(data, axis=0), np.nanmax(data, axis=0)
    scaled = (data - lo) / np.where(hi > lo, hi - lo, 1.0)
    norm = mpl.colors.Normalize(lo[-1], hi[-1] if hi[-1] > lo[-1] else lo[-1] + 1)
    cmap = mpl.colormaps["viridis"]
    label = outcome_label(name, unit)
    ticks = [wrap(factor_label(k, unit=False), 12) for k in keys] + [wrap(label, 14)]
    width = max(COLUMN_WIDTH, min(DOUBLE_WIDTH, 0.6 * len(cols) + 1.4))
    with drawing(ax, width=width, height=3.0) as (fig, ax, owned):
        xs = np.arange(len(cols))
        for row, v in zip(scaled, data[:, -1], strict=True):
            ax.plot(xs, row, color=cmap(norm(v)), alpha=0.6, lw=0.8)
        ax.set_xticks(xs, ticks)
        ax.set_yticks([0, 1], ["min", "max"])
        ax.set_ylabel("value, scaled to each column's range")
        for x in xs:
            ax.axvline(float(x), color=GREY, lw=0.5)
        fig.colorbar(mpl.cm.ScalarMappable(norm=norm, cmap=cmap), ax=ax, label=label)
        note = ax.set_title("Not shown (not numeric): " + ", ".join(
            factor_label(k, unit=False) for k in left_out) if left_out else "", fontsize=6.5,
            fontweight="normal", color=GREY, loc="left")
        if owned:
            fit_texts(fig, [note, ax.yaxis.label])
        separate_ticks(fig, ax.xaxis)
    return ax


# ----- sensitivity indices ------------------------------------------------------------------
def plot_indices(sens: Any, ax: Axes | None = None, corrected: bool = True,
                 scenario: Any = None) -> Axes:
    """Sobol' S1 and ST (or Morris mu* with sigma) per factor, with 95% intervals. The
    figure grows with the number of factors; labels are wrapped to fit. ``scenario`` (by
    default ``sens.scenario`` if it has one) gives the outcome's unit."""
    t = sens.indices
    scenario = scenario if scenario is not None else getattr(sens, "scenario", None)
    unit = outcome_unit(sens.outcome, scenario)
    name = outcome_label(sens.outcome, unit)
    labels = [wrap(factor_label(f, unit=False), 26) for f in t["factor"]]
    row = max(0.24, 0.11 * line_count(labels) + 0.1)
    with drawing(ax, height=max(2.4, 1.6 + row * len(t))) as (fig, ax, owned):
        y = np.arange(len(t))
        if sens.method == "sobol":
            suffix = "_corrected" if corrected and "S1_corrected" in t else ""
            for j, (k, label) in enumerate((("S1", "first order S1"), ("ST", "total ST"))):
                ax.errorbar(t[k + suffix], y + (j - 0.5) * 0.3,
                            xerr=t[f"{k}_conf{suffix}"], fmt="o", ms=4, capsize=2,
                            color=color(j), label=f"{label}, 95% interval")
            ax.axvline(0.0, color=GREY, lw=0.5)
            ax.set_xlabel(f"Sobol' index: share of the variance of {name}"
                          + (" (replicate noise removed)" if suffix else ""))
        else:
            ax.errorbar(t["mu_star"], y, xerr=t["mu_star_conf"], fmt="o", ms=4, capsize=2,
                        color=color(0), label="\u03bc*: mean |effect|, 95% interval")
            ax.plot(t["sigma"], y, "x", color=color(1), label="\u03c3: spread of the effects")
            if t["noise_floor"].max() > 0:
                ax.axvline(float(t["noise_floor"].max()), color=GREY, ls="--", lw=0.8,
                           label="noise floor")
            ax.set_xlabel(f"elementary effect: change in {name} across a factor's range")
        ax.set_yticks(y, labels)
        ax.invert_yaxis()
        text = f"{name}: replicate noise is {sens.noise_share:.0%} of the variance"
        handles, keys = ax.get_legend_handles_labels()
        first = sorted(range(len(keys)), key=lambda i: not keys[i].startswith(("\u03bc", "f")))
        handles, keys = [handles[i] for i in first], [keys[i] for i in first]
        if owned:  # across the whole figure, not only above the axes
            title = fig.suptitle(text, x=0.02, ha="left", fontsize=8, fontweight="bold")
            fig.legend(handles, keys, loc="outside lower center", ncols=2, fontsize=6.5)
            fit_texts(fig, [title, ax.xaxis.label])
        else:
            ax.set_title(text, fontsize=8)
            ax.legend(handles, keys, fontsize=7)
    return ax


# ----- scenario discovery -------------------------------------------------------------------
def plot_peeling(result: Any, ax: Axes | None = None) -> Axes:
    """PRIM's peeling trajectory: density against coverage, coloured by restricted
    dimensions; the chosen box circled."""
    t = result.trajectory
    with drawing(ax) as (fig, ax, _owned):
        sc = ax.scatter(t["coverage"], t["density"], c=t["res_dim"], cmap="viridis", s=12)
        ax.scatter([result.coverage], [result.density], s=80, facecolors="none",
                   edgecolors="black", label=f"chosen box {result.chosen}")
        ax.set_xlabel("coverage")
        ax.set_ylabel("density")
        fig.colorbar(sc, ax=ax, label="restricted dimensions")
        ax.legend(fontsize=7)
    return ax


# ----- robust policies ----------------------------------------------------------------------
def plot_regret(rob: Any, ax: Axes | None = None, top: int | None = 15,
                unit: str | None = None) -> Axes:
    """Regret of each policy across the states of the world (box plots), policies ordered by
    their maximum regret, the minimax-regret policy first. ``top``: show only that many
    policies (the title says how many there are; ``rob.table`` lists them all; None: all).
    ``unit``: the outcome's (default: ``rob.unit``, else from ``rob.scenario``, else by name).
    """
    order = list(rob.table["policy"])
    shown = order if top is None or top >= len(order) else order[:top]
    data = [rob.regret.loc[rob.regret["policy"] == p, "regret"].to_numpy() for p in shown]
    if unit is None:
        unit = getattr(rob, "unit", None) or outcome_unit(rob.outcome,
                                                          getattr(rob, "scenario", None))
    labels = [wrap(p, 34) for p in shown]
    longest = max((len(s) for lab in labels for s in lab.split("\n")), default=10)
    label_in = longest * 6.0 * 0.6 / 72
    width = min(DOUBLE_WIDTH, max(COLUMN_WIDTH, 2 * label_in + 1.0))
    row = max(0.24, 0.1 * line_count(labels) + 0.12)
    n_states = rob.regret["state"].nunique()
    title = f"Regret across {n_states} state{'s' if n_states != 1 else ''} of the world"
    if len(shown) < len(order):
        title += (f": the {len(shown)} of {len(order)} policies with the smallest maximum "
                  "regret (the table lists all)")
    tied = len(getattr(rob, "ties", ()))
    if tied > 1:
        title += f"; {tied} policies tie at the smallest maximum regret"
    with drawing(ax, width=width, height=max(2.4, 1.5 + row * len(shown))) as (fig, ax, owned):
        ax.boxplot(data, orientation="horizontal", tick_labels=labels, widths=0.6)
        ax.invert_yaxis()
        right = ax.get_xlim()[1]  # regret is never negative
        ax.set_xlim(-0.03 * right, right)
        what = "shortfall from" if rob.maximize else "excess over"
        ax.set_xlabel(axis_label(f"regret: {outcome_label(rob.outcome, '')} {what} the best "
                                 "policy in the state", unit))
        note = ax.set_title(title, fontsize=7, fontweight="normal")
        ax.tick_params(axis="y", labelsize=6)
        if owned:
            fit_texts(fig, [note, ax.xaxis.label])
    return ax
