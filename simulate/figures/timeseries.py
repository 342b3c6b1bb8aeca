"""Figures over time: deal probability, fan charts of daily series, stacked crude flows."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.patches import Patch

from .data import (
    actor_label,
    deal_probability_data,
    fan_data,
    flows_data,
    runs_and_labels,
)
from .regimes import mixture, paths_data, regime_fan_data
from .registry import figure_kind
from .style import (
    COLUMN_WIDTH,
    GREY,
    add_caption,
    axis_label,
    color,
    date_axis,
    drawing,
    legend_outside,
    mark_deadline,
    new_figure,
    note_empty,
    percent_axis,
    source_line,
    style,
    want_footer,
)

__all__ = ["deal_probability", "fan", "brent", "urals_discount", "oil_revenue",
           "importer_volumes", "flows", "VARIABLE_LABELS"]

#: axis names of the daily series
VARIABLE_LABELS = {
    "brent_usd": "Brent", "urals_discount_usd": "Urals discount to Brent",
    "oil_revenue_musd": "Oil export revenue", "volume_mbd": "Russian crude imports",
    "exports_mbd": "Russian crude exports", "bought_mbd": "Crude bought by importers",
    "discounted_mbd": "Crude rerouted at a discount", "shut_in_mbd": "Crude shut in",
    "control": "Occupier's share", "tariff_rate": "Extra US tariff",
    "company_sanctions_share": "Exports under company sanctions", "at_war": "At war",
    "killed": "Civilians killed", "injured": "Civilians injured",
    "fob_discount_usd": "Urals FOB discount to Brent",
    "delivered_discount_usd": "Urals delivered discount to Brent",
    "freight_premium_usd": "Freight and insurance sanctions premium",
    "urals_fob_usd": "Urals FOB price", "stored_mbd": "Crude put into storage",
    "designation_status": "Designations (0 none, 1 wind-down, 2 in force)",
    "buyer_volume_mbd": "Russian crude bought", "directive": "Cap on state refiners' intake",
    "released_mbd": "Crude released from storage",
    "expected_loss_mbd": "Expected loss of Russian crude (news)",
    "perceived_loss_mbd": "Expected loss priced by Brent",
    "buyer_premium_usd": "Buyer's sanctions risk premium",
    "export_capacity_mbd": "Russian crude export capacity",
}


def _has_series(variable: str, actor: str = "") -> Any:
    def applies(results: Any) -> bool:
        return fan_data(results, variable, actor).attrs["k"] > 0
    return applies


# ----- deal probability -----------------------------------------------------------------
@figure_kind("deal_probability", order=10, subjects=("run", "runs"),
             title="Probability of a deal over time",
             caption="Share of replicates with a deal on or before each date (step line), "
                     "with pointwise 95% Wilson intervals (shaded); dotted: US deadline.",
             prepare=deal_probability_data)
def deal_probability(runs: Any, ax: Axes | None = None, labels: Sequence[str] | None = None,
                     band: bool = True, footer: bool | None = None) -> Axes:
    """Cumulative probability of a deal by date, one curve per run, with 95% bands.

    ``runs``: one Results, a list of them (overlaid) or a Comparison. ``footer``: write the
    source line under the figure (default: only on a figure simulate creates).
    """
    runs, names = runs_and_labels(runs, labels)
    data = deal_probability_data(runs, names)
    with drawing(ax) as (fig, ax, owned):
        top = 0.0
        for i, label in enumerate(names):
            g = data[data["label"] == label]
            c = color(i)
            if band:
                ax.fill_between(g["date"], g["ci_low"], g["ci_high"], step="post", color=c,
                                alpha=0.2, linewidth=0)
            final = float(g["p"].iloc[-1])
            text = f"{label}: {final:.1%} by end" if len(runs) > 1 else \
                f"P(deal) ({final:.1%} by end)"
            ax.step(g["date"], g["p"], where="post", color=c, label=text)
            top = max(top, float(np.nanmax(g["ci_high"] if band else g["p"])))
        deadlines = set()
        for r in runs:
            for a in r.scenario.actors_of("sanctioner").values():
                if a.deadline is not None and a.deadline not in deadlines:
                    deadlines.add(a.deadline)
                    mark_deadline(ax, r, label=len(deadlines) == 1)
        ax.set_xlim(data["date"].min(), data["date"].max())
        ylim = max(0.02, min(1.0, top * 1.08))
        ax.set_ylim(0, ylim)
        percent_axis(ax.yaxis, ylim)
        ax.set_ylabel("P(deal by date)")
        date_axis(ax)
        handles, texts = ax.get_legend_handles_labels()
        if band:  # the swatch has the band's own colour and opacity
            swatch = color(0) if len(runs) == 1 else GREY
            handles.append(Patch(facecolor=swatch, alpha=0.2, linewidth=0))
            texts.append("95% interval" if len(runs) == 1 else "95% intervals (run colours)")
        legend_outside(ax, owned, handles, texts, ncols=2 if len(handles) <= 2 else 1)
        if want_footer(footer, owned):
            add_caption(fig, source_line(runs, "Shaded: pointwise 95% Wilson intervals."))
    return ax


# ----- fan charts -----------------------------------------------------------------------
def fan(results: Any, variable: str, actor: str = "", ax: Axes | None = None,
        legend: bool = True, title: str | None = None, split: bool | str = "auto",
        by: str = "threat", paths: bool = False, footer: bool | None = None) -> Axes:
    """Median and 50%/90% bands of a daily series (``variable``, ``actor``) over time.

    ``split``: ``"auto"`` draws one fan per regime (``by``: ``"threat"`` carried out or
    not, ``"deal"`` or not) when the replicates split into two regimes
    (:func:`~simulate.figures.regimes.mixture`), where a pooled median would be a path no
    replicate follows; ``True`` always, ``False`` never. ``paths``: draw the kept
    replicates' paths (spaghetti) over the band. ``footer``: source line under the figure
    (default: only on a figure simulate creates).
    """
    data = fan_data(results, variable, actor)
    unit = data.attrs["unit"]
    regimes = split is True or (split == "auto" and mixture(results, by, variable, actor))
    with drawing(ax) as (fig, ax, owned):
        if not len(data):
            note_empty(ax, f"no daily series of {variable} {actor}".strip() +
                       " (outputs.keep_series = 0)")
            note = ""
        elif regimes:
            note = _regime_fans(ax, results, variable, actor, by)
        else:
            c = color(0)
            ax.fill_between(data["date"], data["q05"], data["q95"], color=c, alpha=0.16,
                            linewidth=0, label="90% band")
            ax.fill_between(data["date"], data["q25"], data["q75"], color=c, alpha=0.34,
                            linewidth=0, label="50% band")
            ax.plot(data["date"], data["q50"], color=c, label="median")
            note = f"Line: median; shading: 50% and 90% bands over {data.attrs['source']}."
        if len(data):
            if paths:
                wide = paths_data(results, variable, actor)
                ax.plot(wide.index, wide.to_numpy(), color=GREY, linewidth=0.35, alpha=0.5,
                        zorder=1)
                ax.plot([], [], color=GREY, linewidth=0.6, label="kept replicates")
                note += f" Grey: paths of the {wide.attrs['k']:,} kept replicates."
            mark_deadline(ax, results, label=legend)
            ax.set_xlim(data["date"].min(), data["date"].max())
            ax.set_ylabel(axis_label(VARIABLE_LABELS.get(variable, variable), unit))
            date_axis(ax, maxticks=6 if legend else 4)
            if legend:
                _fan_legend(ax, owned)
        if title:
            ax.set_title(title)
        if want_footer(footer, owned):
            add_caption(fig, source_line(results, note))
    return ax


def _regime_fans(ax: Axes, results: Any, variable: str, actor: str, by: str) -> str:
    """One fan per regime (kept replicates); returns the caption note."""
    data = regime_fan_data(results, variable, actor, by)
    for i, (label, g) in enumerate(data.groupby("label", sort=False)):
        c = color(i if label == data["label"].iloc[0] else 1)
        share = float(g["share"].iloc[0])
        ax.fill_between(g["date"], g["q05"], g["q95"], color=c, alpha=0.13, linewidth=0)
        ax.fill_between(g["date"], g["q25"], g["q75"], color=c, alpha=0.28, linewidth=0)
        ax.plot(g["date"], g["q50"], color=c, label=f"{label} ({share:.0%} of replicates)")
    return (f"Split by regime ({' / '.join(dict.fromkeys(data['label']))}): lines are medians, "
            f"shading 50% and 90% bands over the kept replicates of each regime "
            f"({data.attrs['k']:,} of {data.attrs['n']:,}); a pooled median would follow "
            "neither course.")


def _fan_legend(ax: Axes, owned: bool) -> None:
    handles, labels = ax.get_legend_handles_labels()
    order = [labels.index(x) for x in ("median", "50% band", "90% band") if x in labels]
    order += [i for i, x in enumerate(labels) if i not in order]
    standard = len(order) == 3 and set(labels) == {"median", "50% band", "90% band"}
    legend_outside(ax, owned, [handles[i] for i in order], [labels[i] for i in order],
                   ncols=3 if standard else 1)


@figure_kind("brent", order=20, subjects=("run",), title="Brent crude price",
             caption="Daily Brent price: median and 50%/90% bands across replicates (one fan per "
                     "regime when the threat is carried out in some replicates and not "
                     "in others).",
             prepare=fan_data, applies=_has_series("brent_usd"))
def brent(results: Any, ax: Axes | None = None, **options: Any) -> Axes:
    """Fan chart of the Brent price (USD/bbl)."""
    return fan(results, "brent_usd", "", ax=ax, **options)


@figure_kind("urals_discount", order=30, subjects=("run",), title="Urals discount to Brent",
             caption="Daily discount of Russian Urals crude to Brent: median and 50%/90% "
                     "bands across replicates (one fan per regime when the threat is "
                     "carried out in some replicates and not in others).",
             prepare=fan_data, applies=_has_series("urals_discount_usd"))
def urals_discount(results: Any, ax: Axes | None = None, **options: Any) -> Axes:
    """Fan chart of the Urals discount to Brent (USD/bbl)."""
    return fan(results, "urals_discount_usd", "", ax=ax, **options)


@figure_kind("oil_revenue", order=40, subjects=("run",), title="Russian oil export revenue",
             caption="Daily revenue from Russian crude exports: median and 50%/90% bands "
                     "across replicates (one fan per regime when the threat is carried out "
                     "in some replicates and not in others).",
             prepare=fan_data, applies=_has_series("oil_revenue_musd"))
def oil_revenue(results: Any, ax: Axes | None = None, **options: Any) -> Axes:
    """Fan chart of Russia's daily oil export revenue (USD M/day)."""
    return fan(results, "oil_revenue_musd", "", ax=ax, **options)


def _any_importer_series(results: Any) -> bool:
    return any(fan_data(results, "volume_mbd", imp).attrs["k"] > 0 for imp in results.importers)


@figure_kind("importer_volumes", order=50, subjects=("run",),
             title="Russian crude bought by each importer",
             caption="Daily volume of Russian crude bought by each importing country's "
                     "buyers: median and 50%/90% bands across replicates, split by whether "
                     "the threat was carried out when the replicates follow both courses; "
                     "one scale for all panels.",
             applies=_any_importer_series)
def importer_volumes(results: Any, ax: Sequence[Axes] | None = None, sharey: bool = True,
                     split: bool | str = "auto", footer: bool | None = None) -> list[Axes]:
    """One fan chart per importer of its Russian crude volume (mb/d), in a grid.

    ``sharey``: one y scale for every panel (default), so that a 5% dip does not look like
    a 70% fall; ``split`` as in :func:`fan`.
    """
    imps = results.importers
    if ax is not None:
        axes = list(np.ravel(np.asarray(ax, dtype=object)))
        if len(axes) < len(imps):
            raise ValueError(f"ax needs one Axes per importer ({len(imps)}: {imps}), "
                             f"found {len(axes)}")
        for a, imp in zip(axes, imps, strict=False):
            fan(results, "volume_mbd", imp, ax=a, legend=a is axes[0],
                title=actor_label(results, imp), split=split, footer=False)
        if sharey:
            _share_y(axes[:len(imps)])
        if want_footer(footer, False):
            add_caption(axes[0].figure, source_line(results, "Russian crude bought per "
                                                             "importer (mb/d)."))
        return axes[:len(imps)]
    ncols = 2 if len(imps) > 1 else 1
    nrows = max(1, -(-len(imps) // ncols))
    fig, grid = new_figure(COLUMN_WIDTH, 0.55 + 1.45 * nrows, nrows, ncols, sharex=True,
                           sharey=sharey, squeeze=False)
    axes = list(grid.ravel())
    with style():
        for a, imp in zip(axes, imps, strict=False):
            fan(results, "volume_mbd", imp, ax=a, legend=False,
                title=actor_label(results, imp), split=split, footer=False)
            a.set_ylabel("mb/d")
            a.title.set_fontsize(7)
        for a in axes[len(imps):]:
            a.set_visible(False)
        if sharey:
            _share_y(axes[:len(imps)])
        seen: dict[str, Any] = {}
        for a in axes[:len(imps)]:
            for h, label in zip(*a.get_legend_handles_labels(), strict=True):
                seen.setdefault(label, h)
        order = [x for x in ("median", "50% band", "90% band") if x in seen] + \
            [x for x in seen if x not in ("median", "50% band", "90% band")]
        if order:
            fig.legend([seen[x] for x in order], order, ncols=min(3, len(order)) if
                       len(order) == 3 else 1, loc="outside upper left")
        if want_footer(footer, True):
            add_caption(fig, source_line(results, "Russian crude bought per importer (mb/d). "
                                         + _volumes_note(results, split, sharey)))
    return axes[:len(imps)]


def _volumes_note(results: Any, split: bool | str, sharey: bool) -> str:
    imps = results.importers
    if not imps:
        return ""
    split_on = split is True or (split == "auto" and mixture(results, "threat", "volume_mbd",
                                                             imps[0]))
    source = fan_data(results, "volume_mbd", imps[0]).attrs["source"]
    text = ("Split by whether the threat was carried out; medians and 50%/90% bands over the "
            "kept replicates of each regime." if split_on else
            f"Median and 50%/90% bands over {source}.")
    return text + (" One scale for all panels." if sharey else "")


def _share_y(axes: Sequence[Axes]) -> None:
    """One y range, from zero, for every panel."""
    tops = [a.get_ylim()[1] for a in axes]
    for a in axes:
        a.set_ylim(0, max(tops) if tops else 1.0)


# ----- flows ----------------------------------------------------------------------------
@figure_kind("flows", order=60, subjects=("run",), title="Russian crude exports by buyer country",
             caption="Mean daily Russian crude exports, stacked by buying country; the top "
                     "layer is crude sold to other buyers at a discount.",
             prepare=flows_data, applies=lambda r: flows_data(r).attrs["k"] > 0)
def flows(results: Any, ax: Axes | None = None, footer: bool | None = None) -> Axes:
    """Stacked mean flows of Russian crude by buyer country over time (mb/d)."""
    data = flows_data(results)
    with drawing(ax) as (fig, ax, owned):
        if not len(data):
            note_empty(ax, "no daily series kept (outputs.keep_series = 0)")
        else:
            wide = data.pivot_table(index="date", columns="buyer", values="mbd",
                                    aggfunc="first", observed=True)
            order = list(dict.fromkeys(data["buyer"]))
            names = dict(zip(data["buyer"], data["name"], strict=False))
            wide = wide[order]
            ax.stackplot(wide.index.to_numpy(), *[wide[b].to_numpy() for b in order],
                         labels=[names[b] for b in order],
                         colors=[color(i) for i in range(len(order))], linewidth=0,
                         alpha=0.9)
            mark_deadline(ax, results)
            ax.set_xlim(wide.index.min(), wide.index.max())
            ax.set_ylim(0, float(wide.sum(axis=1).max()) * 1.05 or 1.0)
            ax.set_ylabel(axis_label("Russian crude exports", "mb/d"))
            date_axis(ax)
            legend_outside(ax, owned, ncols=2)
        if want_footer(footer, owned):
            add_caption(fig, source_line(results, f"Means over {data.attrs['source']}."))
    return ax
