"""Figures of experiments: an outcome against one lever with its confidence band, a heat map
over two levers, parallel coordinates of the design, sensitivity indices with their
intervals, PRIM's peeling trajectory and the regret of policies.

Every function takes ``ax=None`` (a new styled figure) or the caller's axes, and returns the
axes.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.axes import Axes

from .style import GREY, axis_label, color, drawing

__all__ = ["plot_lever", "plot_heatmap", "plot_parallel", "plot_indices", "plot_peeling",
           "plot_regret"]


def _short(key: str) -> str:
    """``actors.US.credibility`` -> ``US credibility``."""
    parts = key.split(".")
    return " ".join(parts[1:] if parts[0] in ("actors", "market") and len(parts) > 2
                    else parts[-2:])


def _unit(ex: Any, outcome: str) -> str:
    return "probability" if outcome in ex.binary else ""


def plot_lever(ex: Any, lever: str, outcome: str | None = None, ax: Axes | None = None,
               by: str | None = None) -> Axes:
    """Outcome estimate against one lever, with its 95% band (averaged over the other
    factors at each lever value; one line per value of ``by`` if given)."""
    t = ex.table(outcome)
    name = outcome or ex.outcomes[0]
    with drawing(ax) as (_, ax, _owned):
        groups = [(None, t)] if by is None else list(t.groupby(by))
        for i, (key, part) in enumerate(groups):
            g = part.groupby(lever).agg(est=("estimate", "mean"), se=("se", "mean"),
                                        lo=("ci_low", "mean"), hi=("ci_high", "mean"),
                                        k=("estimate", "size"))
            # several points per lever value: the band is the mean +- 1.96 se of the mean
            k = g["k"].to_numpy()
            spread = part.groupby(lever)["estimate"].std(ddof=1).fillna(0).to_numpy()
            half = 1.96 * np.sqrt(g["se"].to_numpy() ** 2 / k + np.where(
                k > 1, spread ** 2 / np.maximum(k, 1), 0))
            x = g.index.to_numpy()
            label = None if key is None else f"{_short(by or '')} = {key}"
            ax.plot(x, g["est"], marker="o", ms=3, color=color(i), label=label)
            lo = np.where(k > 1, g["est"] - half, g["lo"])
            hi = np.where(k > 1, g["est"] + half, g["hi"])
            ax.fill_between(x, lo, hi, color=color(i), alpha=0.2, lw=0)
        ax.set_xlabel(_short(lever))
        ax.set_ylabel(axis_label(name, _unit(ex, name)))
        if by is not None:
            ax.legend(fontsize=7)
    return ax


def plot_heatmap(ex: Any, x: str, y: str, outcome: str | None = None,
                 ax: Axes | None = None) -> Axes:
    """Heat map of the outcome over two levers (mean over the other factors in each cell;
    continuous levers are binned into 8 intervals)."""
    import pandas as pd

    t = ex.table(outcome)
    name = outcome or ex.outcomes[0]

    def binned(col: str) -> Any:
        v = t[col]
        if v.nunique() > 8 and pd.api.types.is_numeric_dtype(v):
            return pd.cut(v, 8).apply(lambda iv: round(iv.mid, 3))
        return v

    grid = t.assign(_x=binned(x), _y=binned(y)).pivot_table(
        index="_y", columns="_x", values="estimate", aggfunc="mean", observed=False)
    with drawing(ax, height=3.0) as (fig, ax, _owned):
        im = ax.imshow(grid.to_numpy(dtype=float), origin="lower", aspect="auto",
                       cmap="viridis")
        ax.set_xticks(range(len(grid.columns)), [f"{c:.3g}" if isinstance(c, float) else str(c)
                                                 for c in grid.columns], rotation=45)
        ax.set_yticks(range(len(grid.index)), [f"{c:.3g}" if isinstance(c, float) else str(c)
                                               for c in grid.index])
        ax.set_xlabel(_short(x))
        ax.set_ylabel(_short(y))
        ax.grid(False)
        fig.colorbar(im, ax=ax, label=name)
    return ax


def plot_parallel(ex: Any, outcome: str | None = None, ax: Axes | None = None) -> Axes:
    """Parallel coordinates of the design points (factors scaled to [0, 1]), coloured by the
    outcome's estimate."""
    import matplotlib as mpl

    t = ex.table(outcome)
    name = outcome or ex.outcomes[0]
    keys = [f["key"] for f in ex.factors if f.get("numeric", True)]
    cols = [*keys, "estimate"]
    data = t[cols].astype(float).to_numpy()
    lo, hi = np.nanmin(data, axis=0), np.nanmax(data, axis=0)
    scaled = (data - lo) / np.where(hi > lo, hi - lo, 1.0)
    norm = mpl.colors.Normalize(lo[-1], hi[-1] if hi[-1] > lo[-1] else lo[-1] + 1)
    cmap = mpl.colormaps["viridis"]
    with drawing(ax, height=3.0) as (fig, ax, _owned):
        xs = np.arange(len(cols))
        for row, v in zip(scaled, data[:, -1], strict=True):
            ax.plot(xs, row, color=cmap(norm(v)), alpha=0.6, lw=0.8)
        ax.set_xticks(xs, [_short(k) for k in keys] + [name], rotation=30, ha="right")
        ax.set_yticks([0, 1], ["min", "max"])
        for x in xs:
            ax.axvline(float(x), color=GREY, lw=0.5)
        fig.colorbar(mpl.cm.ScalarMappable(norm=norm, cmap=cmap), ax=ax, label=name)
    return ax


def plot_indices(sens: Any, ax: Axes | None = None, corrected: bool = True) -> Axes:
    """Sobol' S1 and ST (or Morris mu* with sigma) per factor, with 95% intervals."""
    t = sens.indices
    with drawing(ax) as (_, ax, _owned):
        y = np.arange(len(t))
        if sens.method == "sobol":
            suffix = "_corrected" if corrected and "S1_corrected" in t else ""
            for j, (k, label) in enumerate((("S1", "first order S1"), ("ST", "total ST"))):
                ax.errorbar(t[k + suffix], y + (j - 0.5) * 0.3,
                            xerr=t[f"{k}_conf{suffix}"], fmt="o", ms=4, capsize=2,
                            color=color(j), label=label)
            ax.axvline(0.0, color=GREY, lw=0.5)
            ax.set_xlabel("Sobol' index" + (" (replicate noise removed)" if suffix else ""))
        else:
            ax.errorbar(t["mu_star"], y, xerr=t["mu_star_conf"], fmt="o", ms=4, capsize=2,
                        color=color(0), label="mu*")
            ax.plot(t["sigma"], y, "x", color=color(1), label="sigma")
            if t["noise_floor"].max() > 0:
                ax.axvline(float(t["noise_floor"].max()), color=GREY, ls="--", lw=0.8,
                           label="noise floor")
            ax.set_xlabel("elementary effect (per unit of the factor's range)")
        ax.set_yticks(y, [_short(f) for f in t["factor"]])
        ax.invert_yaxis()
        ax.set_title(f"{sens.outcome}: replicate noise {sens.noise_share:.0%} of variance",
                     fontsize=8)
        ax.legend(fontsize=7)
    return ax


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


def plot_regret(rob: Any, ax: Axes | None = None) -> Axes:
    """Regret of each policy across the states of the world (box plots), policies ordered by
    their maximum regret; the minimax-regret policy first."""
    order = list(rob.table["policy"])
    data = [rob.regret.loc[rob.regret["policy"] == p, "regret"].to_numpy() for p in order]
    with drawing(ax, height=max(2.4, 0.3 * len(order) + 1)) as (_, ax, _owned):
        ax.boxplot(data, orientation="horizontal", tick_labels=order, widths=0.6)
        ax.invert_yaxis()
        ax.set_xlabel(f"regret in {rob.outcome}")
        ax.tick_params(axis="y", labelsize=6)
    return ax
