"""Figures of a calibration: posterior marginals against their priors, pairwise scatter of
the particles, the tolerance schedule with acceptance rates, and the posterior predictive
check (the model's 90% band of each target's observation against the observed value).

Every function takes ``ax=None`` (a new styled figure) or the caller's axes (``axes`` for the
grid of the pairwise plot) and returns them. Data come from a :class:`Calibration` (or its
folder): nothing is recomputed here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from .styling import DOUBLE_WIDTH, GREY, color, drawing, new_figure, note_empty, offscreen, style

__all__ = ["plot_marginal", "plot_pairs", "plot_epsilon", "plot_predictive",
           "save_calibration_figures", "short_key"]


def short_key(key: str) -> str:
    """``actors.US.credibility`` -> ``US credibility``."""
    parts = key.split(".")
    return " ".join(parts[1:] if parts[0] in ("actors", "market") and len(parts) > 2
                    else parts[-2:])


def _wrapped(key: str) -> str:
    """A parameter's short name on two lines (``state_refiners`` over ``adjustment_days``)."""
    parts = short_key(key).split(" ")
    return " ".join(parts[:-1]) + "\n" + parts[-1] if len(parts) > 1 else parts[0]


def _weighted_corr(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> float:
    """Correlation of x and y under weights w (NaN if either is constant)."""
    w = w / w.sum()
    dx, dy = x - np.sum(w * x), y - np.sum(w * y)
    den = np.sqrt(np.sum(w * dx ** 2) * np.sum(w * dy ** 2))
    return float(np.sum(w * dx * dy) / den) if den > 0 else float("nan")


def _params(posterior: pd.DataFrame) -> list[str]:
    return [c for c in posterior.columns if c != "weight"]


def plot_marginal(posterior: pd.DataFrame, key: str, prior: Any = None,
                  ax: Axes | None = None) -> Axes:
    """Weighted histogram of one parameter's particles; the prior's density as a grey line
    (``prior``: a scenario distribution with ``frozen()``)."""
    x = posterior[key].to_numpy(float)
    w = posterior["weight"].to_numpy(float)
    with drawing(ax) as (_, ax, _owned):
        lo, hi = float(x.min()), float(x.max())
        if prior is not None:
            plo, phi = prior.support()
            lo, hi = min(lo, float(plo)), max(hi, float(phi))
        bins: Any = np.linspace(lo, hi, 25) if hi > lo else 10
        ax.hist(x, bins=bins, weights=w, density=True, color=color(0), alpha=0.6,
                label="posterior")
        if prior is not None:
            grid = np.linspace(lo, hi, 200)
            ax.plot(grid, prior.frozen().pdf(grid), color=GREY, lw=1.0, ls="--", label="prior")
        ax.set_xlabel(short_key(key))
        ax.set_ylabel("density")
        ax.legend()
    return ax


def plot_pairs(posterior: pd.DataFrame, axes: Any = None) -> Any:
    """Grid of pairwise scatter plots of the particles (size by weight), histograms on the
    diagonal and weighted correlations above: trade-offs between calibrated parameters show
    here."""
    keys = _params(posterior)
    n = len(keys)
    if axes is None:
        _, axes = new_figure(DOUBLE_WIDTH if n > 2 else 4.0, DOUBLE_WIDTH if n > 2 else 4.0,
                             nrows=n, ncols=n, squeeze=False)
    axes = np.asarray(axes).reshape(n, n)
    w = posterior["weight"].to_numpy(float)
    size = 4 + 40 * w / w.max()
    with style():
        for i, ki in enumerate(keys):
            for j, kj in enumerate(keys):
                ax = axes[i, j]
                if i == j:
                    ax.hist(posterior[ki], bins=20, weights=w, color=color(0), alpha=0.6)
                elif i > j:
                    ax.scatter(posterior[kj], posterior[ki], s=size, color=color(0),
                               alpha=0.5, lw=0)
                else:
                    r = _weighted_corr(posterior[kj].to_numpy(float),
                                       posterior[ki].to_numpy(float), w)
                    ax.text(0.5, 0.5, f"r = {r:.2f}", ha="center", va="center",
                            transform=ax.transAxes)
                    ax.set_axis_off()
                size_pt = 7 if n <= 3 else 5
                if i == n - 1:
                    ax.set_xlabel(_wrapped(kj), fontsize=size_pt)
                if j == 0 and i > 0:
                    ax.set_ylabel(_wrapped(ki), fontsize=size_pt)
    return axes


def plot_epsilon(generations: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Tolerance (epsilon) by generation, with the acceptance rate on a second axis."""
    with drawing(ax) as (_, ax, _owned):
        if generations.empty:
            note_empty(ax, "no generation finished")
            return ax
        g = generations["generation"].to_numpy()
        ax.plot(g, generations["epsilon"], marker="o", ms=3, color=color(0), label="epsilon")
        ax.set_xlabel("generation")
        ax.set_ylabel("tolerance (adaptive distance)")
        ax.set_xticks(g)
        twin = ax.twinx()
        twin.plot(g, generations["acceptance_rate"], marker="s", ms=3, color=color(1),
                  label="acceptance rate")
        twin.set_ylabel("acceptance rate")
        twin.set_ylim(0, 1.05)
        twin.grid(False)
        lines = ax.get_lines() + twin.get_lines()
        ax.legend(lines, [str(ln.get_label()) for ln in lines])
    return ax


def plot_predictive(table: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Each target's predicted 90% band (5-95%) and median against the observed value and
    its measurement sd, in units of that sd so that all targets share one axis."""
    with drawing(ax, width=5.0, height=max(2.4, 0.22 * len(table) + 0.9)) as (_, ax, _owned):
        if table.empty:
            note_empty(ax, "no targets inside the scenario's days")
            return ax
        y = np.arange(len(table))[::-1]
        sd = table["sd"].to_numpy(float)
        obs = table["observed"].to_numpy(float)
        lo = (table["q05"].to_numpy(float) - obs) / sd
        hi = (table["q95"].to_numpy(float) - obs) / sd
        mid = (table["q50"].to_numpy(float) - obs) / sd
        fit = (table["use"] == "fit").to_numpy()
        for k in range(len(table)):
            c = color(0) if fit[k] else color(2)
            ax.plot([lo[k], hi[k]], [y[k], y[k]], color=c, lw=3, alpha=0.5,
                    solid_capstyle="butt")
            ax.plot(mid[k], y[k], "o", ms=3, color=c)
        ax.axvline(0, color="black", lw=0.8)
        ax.axvspan(-1, 1, color=GREY, alpha=0.12, lw=0)
        ax.set_yticks(y)
        ax.set_yticklabels(table["target"], fontsize=6)
        ax.set_xlabel("predicted minus observed (measurement sd; grey: within 1 sd)")
        share = float(table["inside"].mean())
        ax.set_title(f"{share:.0%} of targets inside the predicted 90% band")
        ax.plot([], [], color=color(0), lw=3, alpha=0.5, label="fitted")
        ax.plot([], [], color=color(2), lw=3, alpha=0.5, label="check only")
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return ax


def _save(ax: Axes, stem: Path) -> Path:
    from matplotlib.figure import Figure

    from .registry import save_figure

    # axes of a figure simulate made (never a subfigure)
    return save_figure(cast(Figure, ax.figure), stem, ("png",))["png"]


@offscreen()
def save_calibration_figures(calibration: Any, scenario: Any = None) -> dict[str, Path]:
    """Write the four figures of a calibration into ``DIR/figures`` (PNG); returns name ->
    path. ``scenario`` supplies the priors drawn on the marginals."""
    from .registry import save_figure

    out = Path(calibration.directory) / "figures"
    out.mkdir(exist_ok=True)
    post = calibration.posterior
    keys = _params(post)
    paths = {}
    fig, axes = new_figure(DOUBLE_WIDTH, 2.2, nrows=1, ncols=len(keys), squeeze=False)
    for ax, key in zip(axes[0], keys, strict=True):
        prior = scenario.uncertainty.get(key) if scenario is not None else None
        plot_marginal(post, key, prior, ax=ax)
    paths["posterior_marginals"] = save_figure(fig, out / "posterior_marginals", ("png",))["png"]
    if len(keys) > 1:
        axes = plot_pairs(post)
        paths["posterior_pairs"] = _save(axes[0, 0], out / "posterior_pairs")
    paths["epsilon_schedule"] = _save(plot_epsilon(calibration.generations),
                                      out / "epsilon_schedule")
    pred = calibration.state.get("predictive")
    if pred:
        paths["predictive_check"] = _save(plot_predictive(pd.DataFrame(pred["targets"])),
                                          out / "predictive_check")
    return paths
