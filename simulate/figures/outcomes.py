"""Figures of per-replicate outcomes: settlement terms, tariff costs."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.lines import Line2D

from .data import all_replicates, tariff_cost_data, terms_data
from .registry import figure_kind
from .styling import (
    GREY,
    NEUTRAL,
    actor_color,
    add_caption,
    axis_label,
    drawing,
    legend_outside,
    note_empty,
    source_line,
    want_footer,
)

__all__ = ["terms", "tariff_costs"]

_GOLDEN = 0.6180339887498949
#: colours of the terms: regions black, their weighted aggregate grey (no actor's colour:
#: a region is no actor); the front line at the start: a white cross edged in black
REGION_COLOR = NEUTRAL
AGGREGATE_COLOR = GREY
START_COLOR = NEUTRAL
#: the axis name of tariff costs: the words of the summary's ``tariff_cost_<id>`` labels
TARIFF_LABEL = "Tariff cost: lost exports to the US"


def _jitter(n: int, width: float) -> np.ndarray:
    """Deterministic, evenly spread offsets in [-width/2, width/2] (no random numbers)."""
    return ((np.arange(n) * _GOLDEN) % 1.0 - 0.5) * width


def _any_deal(results: Any) -> bool:
    return bool(results.outcomes["deal"].astype(bool).any())


@figure_kind("terms", order=70, subjects=("run",), title="Settlement terms where a deal occurs",
             caption="Occupier's share of each region in the replicates that reached a deal: "
                     "dots are deals, the thick bar the middle 50% of them, the thin line "
                     "5-95%, the white dot the median; the cross marks the front line at the "
                     "start. The bottom row (Aggregate, grey) is the regions' shares weighted "
                     "by their weights in the scenario.",
             prepare=terms_data, applies=_any_deal, source=lambda r: _deals_source(r))
def terms(results: Any, ax: Axes | None = None, footer: bool | None = None) -> Axes:
    """Distribution of settlement terms per region (and in aggregate) where deals occur."""
    data = terms_data(results)
    regions = [*results.regions, "aggregate"]
    n, deals = data.attrs["n"], data.attrs["deals"]
    occupier = data.attrs["occupier"]
    who = getattr(results.scenario.actors.get(occupier), "name", "") or occupier or "occupier"
    height = 0.75 + 0.3 * len(regions)
    with drawing(ax, height=height) as (fig, ax, owned):
        if deals == 0:
            note_empty(ax, f"no deal in {n:,} replicates")
        else:
            ys = np.arange(len(regions))[::-1]
            for y, region in zip(ys, regions, strict=True):
                x = data.loc[data["region"] == region, "terms"].to_numpy(dtype=float)
                c = REGION_COLOR if region != "aggregate" else AGGREGATE_COLOR
                ax.scatter(x, y + _jitter(x.size, 0.5), s=3, color=c, alpha=0.35,
                           linewidths=0, zorder=2)
                q05, q25, q50, q75, q95 = np.quantile(x, [0.05, 0.25, 0.5, 0.75, 0.95])
                ax.hlines(y, q05, q95, color=c, linewidth=0.8, zorder=3)
                ax.hlines(y, q25, q75, color=c, linewidth=3.5, zorder=3)
                ax.scatter([q50], [y], s=10, color="white", edgecolors=c, linewidths=0.8,
                           zorder=4)
                ax.scatter([data.attrs["start_control"][region]], [y], marker="X", s=22,
                           facecolor="white", edgecolors=START_COLOR, linewidths=0.6,
                           zorder=5)
            ax.set_yticks(ys, [r.capitalize() if r == "aggregate" else r for r in regions])
            ax.set_ylim(-0.6, len(regions) - 0.4)
            lo = min(data["terms"].min(), min(data.attrs["start_control"].values()))
            hi = max(data["terms"].max(), max(data.attrs["start_control"].values()))
            pad = max(0.01, 0.06 * (hi - lo))
            # shares live in [0, 1]; the margin beyond keeps dots at 0 or 1 whole
            ax.set_xlim(max(-0.02, lo - pad), min(1.02, hi + pad) if hi + pad > lo
                        else lo + 0.05)
            ax.set_xlabel(axis_label(f"{who}'s share under the deal", "fraction"))
            ax.grid(axis="y", visible=False)
            handles, labels = _terms_legend()
            legend_outside(ax, owned, handles, labels, ncols=3)
        if want_footer(footer, owned):
            add_caption(fig, source_line(results, _terms_note(deals, n)))
    return ax


def _terms_legend() -> tuple[list[Line2D], list[str]]:
    """Proxies for every mark of :func:`terms` (in the regions' colour)."""
    c = REGION_COLOR
    handles = [
        Line2D([], [], marker="o", color=c, alpha=0.5, linestyle="none", markersize=2),
        Line2D([], [], marker="o", color=c, markerfacecolor="white", linestyle="none",
               markersize=3.5, markeredgewidth=0.8),
        Line2D([], [], color=c, linewidth=3.5), Line2D([], [], color=c, linewidth=0.8),
        Line2D([], [], marker="X", markerfacecolor="white", markeredgecolor=START_COLOR,
               markeredgewidth=0.6, linestyle="none", markersize=4.5)]
    return handles, ["one deal", "median", "middle 50%", "5-95%", "front line at start"]


def _terms_note(deals: int, n: int) -> str:
    return (f"{deals:,} deals in {n:,} replicates; ranges over the replicates with a deal. "
            "Aggregate (grey): the regions' shares weighted by their weights in the "
            "scenario.")


def _deals_source(results: Any) -> str:
    o = results.outcomes
    return f"the {int(o['deal'].astype(bool).sum()):,} replicates with a deal (of {len(o):,})"


def _any_tariff(results: Any) -> bool:
    data = tariff_cost_data(results)
    return bool(len(data)) and bool((data["mean"] > 0).any())


def _paying(results: Any) -> tuple[Any, list[str]]:
    """(:func:`tariff_cost_data` of the importers with a cost in some replicate, the names
    of those with none in any)."""
    data = tariff_cost_data(results)
    o = results.outcomes
    zero = np.array([not np.any(np.nan_to_num(o[f"tariff_cost_{imp}_busd"].to_numpy(float)))
                     for imp in data["importer"]], dtype=bool)
    if zero.all():
        return data, []
    return data[~zero].reset_index(drop=True), list(data.loc[zero, "name"])


@figure_kind("tariff_costs", order=80, subjects=("run",), title="Tariff costs by country",
             caption="Exports to the US lost to the extra tariffs over the horizon, mean "
                     "across replicates with its 95% confidence interval; the label gives "
                     "the share of replicates in which the country paid any tariff.",
             prepare=tariff_cost_data, applies=_any_tariff,
             source=lambda r: all_replicates(r))
def tariff_costs(results: Any, ax: Axes | None = None, footer: bool | None = None) -> Axes:
    """Mean tariff cost per importer (USD bn over the horizon) with 95% intervals; importers
    with no cost in any replicate are left out (and named in the footer)."""
    data, unpaid = _paying(results)
    height = 0.8 + 0.28 * max(1, len(data))
    with drawing(ax, height=height) as (fig, ax, owned):
        if not len(data):
            note_empty(ax, "no importers in this scenario")
        else:
            ys = np.arange(len(data))[::-1]
            means = data["mean"].to_numpy(dtype=float)
            err = np.vstack([means - data["ci_low"].to_numpy(dtype=float),
                             data["ci_high"].to_numpy(dtype=float) - means])
            ax.barh(ys, means, height=0.6, color=[actor_color(i) for i in data["importer"]],
                    alpha=0.85, zorder=2)
            ax.errorbar(means, ys, xerr=np.clip(err, 0, None), fmt="none", ecolor="black",
                        elinewidth=0.7, capsize=1.5, zorder=3)
            top = float(np.nanmax(data["ci_high"])) if len(data) else 0.0
            top = top if np.isfinite(top) and top > 0 else 1.0
            for y, row in zip(ys, data.itertuples(index=False), strict=True):
                hi, mean = float(row.ci_high), float(row.mean)  # type: ignore[arg-type]
                ax.annotate(f"{mean:,.1f}  (P>0: {row.p_positive:.0%})",
                            xy=(max(hi, mean) if np.isfinite(hi) else mean, y),
                            xytext=(3, 0), textcoords="offset points", va="center",
                            ha="left", fontsize=6)
            ax.set_xlim(0, top * 1.45)
            ax.set_yticks(ys, list(data["name"]))
            ax.set_ylim(-0.6, len(data) - 0.4)
            ax.set_xlabel(f"{TARIFF_LABEL}\n(USD bn over horizon)")
            ax.grid(axis="y", visible=False)
        if want_footer(footer, owned):
            note = "Bars: mean; whiskers: 95% CI."
            if unpaid:
                note += f" Not shown (no tariff cost in any replicate): {', '.join(unpaid)}."
            add_caption(fig, source_line(results, note))
    return ax
