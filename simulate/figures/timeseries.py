"""Figures over time: deal probability, fan charts of daily series, stacked crude flows.

The legends of fan charts (a fan-shaped key per regime) are drawn by
:mod:`simulate.figures.fan_legend`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.patches import Patch

from ..results.tables import LABELS
from ..results.units import format_percent
from .data import (
    REROUTED,
    actor_label,
    all_replicates,
    deal_probability_data,
    fan_data,
    flows_data,
    runs_and_labels,
)
from .fan_legend import BAND_ALPHA, band_patch, fan_legend
from .regimes import (
    fan_source,
    paths_data,
    regime_counts,
    regime_fan_data,
    regime_legend_label,
    regime_source,
    split_on,
)
from .registry import figure_kind
from .styling import (
    GREY,
    NEUTRAL,
    actor_color,
    add_caption,
    axis_label,
    color,
    date_axis,
    drawing,
    legend_outside,
    mark_deadline,
    note_empty,
    percent_axis,
    regime_style,
    set_title,
    source_line,
    want_footer,
    wrap_label,
)

__all__ = ["deal_probability", "fan", "brent", "urals_discount", "oil_revenue", "flows",
           "VARIABLE_LABELS", "series_color", "flows_color"]

_color = color  # ``fan`` has a ``color`` argument

#: axis names of the daily series (:data:`simulate.results.tables.LABELS`)
VARIABLE_LABELS = LABELS


def _has_series(variable: str, actor: str = "") -> Any:
    def applies(results: Any) -> bool:
        return fan_data(results, variable, actor).attrs["k"] > 0
    return applies


# ----- deal probability -----------------------------------------------------------------
@figure_kind("deal_probability", order=10, subjects=("run", "runs"),
             title="Probability of a deal over time",
             caption="Share of replicates with a deal on or before each date (step line), "
                     "with pointwise 95% Wilson intervals (shaded); dotted: US deadline.",
             prepare=deal_probability_data, source=lambda runs: all_replicates(runs))
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
            c = color(i) if len(runs) > 1 else NEUTRAL  # one run: no colour of an actor
            if band:
                ax.fill_between(g["date"], g["ci_low"], g["ci_high"], step="post", color=c,
                                alpha=0.2, linewidth=0)
            final = float(g["p"].iloc[-1])
            pct = f"{format_percent(final)}%"   # rounded as the summary table rounds it
            text = f"{label}: {pct} by end" if len(runs) > 1 else f"P(deal) ({pct} by end)"
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
            swatch = NEUTRAL if len(runs) == 1 else GREY
            handles.append(Patch(facecolor=swatch, alpha=0.2, linewidth=0))
            texts.append("95% interval" if len(runs) == 1 else "95% intervals (run colours)")
        legend_outside(ax, owned, handles, texts, ncols=2 if len(handles) <= 2 else 1)
        if want_footer(footer, owned):
            add_caption(fig, source_line(runs, "Shaded: pointwise 95% Wilson intervals."))
    return ax


# ----- fan charts -----------------------------------------------------------------------
def _owner(results: Any, actor: str) -> tuple[str, str]:
    """(actor id, buyer) of a series' ``actor``: ``("CN", "b")`` for a buyer's series
    ``CN.b``; ``("", "")`` when it names no actor (a region, a market series)."""
    head, _, buyer = actor.partition(".")
    return (head, buyer) if head and head in results.scenario.actors else ("", "")


def _subject(results: Any, actor: str) -> str:
    """The name of the actor, buyer or region a series belongs to: ``India``, ``China, buyer
    b``, ``Donetsk`` ("" for a market series)."""
    head, buyer = _owner(results, actor)
    if not head:
        return actor
    name = actor_label(results, head)
    return f"{name}, buyer {buyer}" if buyer else name


def series_color(results: Any, actor: str) -> str:
    """The colour of a fan of an actor's (or its buyer's) series
    (:func:`~simulate.figures.actor_color`), or black for a series of no actor (a
    market series, a region's)."""
    head, _ = _owner(results, actor)
    return actor_color(head) if head else NEUTRAL


def fan(results: Any, variable: str, actor: str = "", ax: Axes | None = None,
        legend: bool = True, title: str | None = None, split: bool | str = "auto",
        by: str = "threat", paths: bool = False, footer: bool | None = None,
        color: str | None = None) -> Axes:
    """Median and 50%/90% bands of a daily series (``variable``, ``actor``) over time.

    ``split``: ``"auto"`` draws one fan per regime (``by``: ``"threat"`` carried out or
    not, ``"deal"`` or not) when the replicates split into two regimes
    (:func:`~simulate.figures.regimes.mixture`), where a pooled median would be a path no
    replicate follows; ``True`` always, ``False`` never. The regimes differ in line style
    and band fill (solid over filled bands, dashed over hatched ones), not in colour.
    ``paths``: draw the kept replicates' paths (spaghetti) over the band. ``footer``: source
    line under the figure (default: only on a figure simulate creates). ``color``: of the
    fan (default: the actor's own colour for an actor's series, else black). The y label
    names the actor or region (``India: Russian crude imports (mb/d)``) unless ``title``
    already does.
    """
    data = fan_data(results, variable, actor)
    unit = data.attrs["unit"]
    regimes = split_on(results, variable, actor, split, by)
    c = color or series_color(results, actor)
    who = _subject(results, actor)
    with drawing(ax, height=2.9 if regimes else 2.4) as (fig, ax, owned):
        if not len(data):
            note_empty(ax, f"no daily series of {variable} {actor}".strip() +
                       " (the run recorded no bands and kept no daily series)")
            note = ""
        elif regimes:
            note = _regime_fans(ax, results, variable, actor, by, c)
        else:
            lo, hi = BAND_ALPHA["pooled"]
            ax.fill_between(data["date"], data["q05"], data["q95"], color=c, alpha=lo,
                            linewidth=0, label="90% band")
            ax.fill_between(data["date"], data["q25"], data["q75"], color=c, alpha=hi,
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
            named = who if who and who not in (title or "") else ""
            label = axis_label(VARIABLE_LABELS.get(variable, variable), unit, named)
            ax.set_ylabel(wrap_label(label) if owned else label)
            date_axis(ax, maxticks=6 if legend else 4)
        if title:  # before the legend, which goes above it
            set_title(ax, title)
        if len(data) and legend:
            fan_legend(ax, owned)
        if want_footer(footer, owned):
            add_caption(fig, source_line(results, note))
    return ax


def _regime_fans(ax: Axes, results: Any, variable: str, actor: str, by: str,
                 c: str) -> str:
    """One fan per regime (over all its replicates, or its kept ones for results saved
    without regime bands), both in colour ``c``, told apart by line style and band fill
    (:data:`~simulate.figures.styling.REGIME_STYLE`); returns the caption note."""
    data = regime_fan_data(results, variable, actor, by)
    total, kept = data.attrs["k"], data.attrs["source"] != "all"
    lo, hi = BAND_ALPHA["regime"]
    for label, g in data.groupby("label", sort=False):
        look = regime_style(bool(g["regime"].iloc[0]))
        on = bool(g["regime"].iloc[0])
        for (q0, q1), alpha, level in ((("q05", "q95"), lo, 0), (("q25", "q75"), hi, 1)):
            band_patch(ax.fill_between(g["date"], g[q0], g[q1], color=c), on, level, c,
                       alpha)
        line, = ax.plot(g["date"], g["q50"], color=c, linestyle=look["linestyle"],
                        label=regime_legend_label(str(label), int(g["k"].iloc[0]), total,
                                                  kept))
        line._simulate_regime = on  # type: ignore[attr-defined]  # read by legend_entries
    share = _share_note(data)
    return (f"Split by regime: lines are medians, bands 50% (inner) and 90% (outer), "
            f"computed over {regime_source(data)} ({regime_counts(data)}){share}; a pooled "
            "median would follow neither course.")


def _share_note(data: Any) -> str:
    on = data[data["regime"].astype(bool)]
    if not len(on) or data.attrs["n"] == 0:
        return ""
    where = "" if data.attrs.get("source") == "all" else \
        f" over all {data.attrs['n']:,} replicates,"
    return f";{where} {on['label'].iloc[0]} in {float(on['share'].iloc[0]):.0%}"


#: a fan kind's caption before the run is known
_FAN_CAPTION = ("median and 50%/90% bands across replicates, or one fan per regime (threat "
                "carried out or not) when the replicates follow two courses.")


def _fan_caption(what: str, variable: str) -> Callable[[Any], str]:
    """The caption of a fan kind as drawn for a run: split by regime or pooled."""
    def caption(results: Any) -> str:
        if split_on(results, variable):
            over = regime_source(regime_fan_data(results, variable))
            return (f"{what}: one fan per regime (threat carried out or not), the replicates "
                    f"following two courses; medians and 50%/90% bands over {over}.")
        return f"{what}: median and 50%/90% bands across replicates."
    return caption


@figure_kind("brent", order=20, subjects=("run",), title="Brent crude price",
             caption="Daily Brent price: " + _FAN_CAPTION,
             prepare=fan_data, applies=_has_series("brent_usd"),
             source=lambda r: fan_source(r, "brent_usd"),
             caption_for=_fan_caption("Daily Brent price", "brent_usd"))
def brent(results: Any, ax: Axes | None = None, **options: Any) -> Axes:
    """Fan chart of the Brent price (USD/bbl)."""
    return fan(results, "brent_usd", "", ax=ax, **options)


@figure_kind("urals_discount", order=30, subjects=("run",),
             title="Urals FOB discount to Brent",
             caption="Daily FOB (at-port) discount of Russian Urals crude to Brent: "
                     + _FAN_CAPTION,
             prepare=fan_data, applies=_has_series("urals_discount_usd"),
             source=lambda r: fan_source(r, "urals_discount_usd"),
             caption_for=_fan_caption("Daily FOB (at-port) discount of Russian Urals crude "
                                      "to Brent", "urals_discount_usd"))
def urals_discount(results: Any, ax: Axes | None = None, **options: Any) -> Axes:
    """Fan chart of the Urals FOB (at-port) discount to Brent (USD/bbl): the series
    ``urals_discount_usd`` (= ``fob_discount_usd``), not the delivered discount that the
    scenario's ``market.urals_discount_usd`` sets at the start."""
    return fan(results, "urals_discount_usd", "", ax=ax, **options)


@figure_kind("oil_revenue", order=40, subjects=("run",), title="Russian oil export revenue",
             caption="Daily revenue from Russian crude exports: " + _FAN_CAPTION,
             prepare=fan_data, applies=_has_series("oil_revenue_musd"),
             source=lambda r: fan_source(r, "oil_revenue_musd"),
             caption_for=_fan_caption("Daily revenue from Russian crude exports",
                                      "oil_revenue_musd"))
def oil_revenue(results: Any, ax: Axes | None = None, **options: Any) -> Axes:
    """Fan chart of Russia's daily oil export revenue (USD M/day)."""
    return fan(results, "oil_revenue_musd", "", ax=ax, **options)


# ----- flows ----------------------------------------------------------------------------
def flows_layers(results: Any) -> tuple[Any, list[str], list[str]]:
    """(:func:`flows_data`, the buyers drawn, the names of the layers left out because they
    are zero on every day)."""
    data = flows_data(results)
    order = list(dict.fromkeys(data["buyer"]))
    zero = {b for b, g in data.groupby("buyer", sort=False)
            if not np.any(np.nan_to_num(g["mbd"].to_numpy(dtype=float)))}
    drawn = [b for b in order if b not in zero] or order
    names = dict(zip(data["buyer"], data["name"], strict=False))
    return data, drawn, [names[b] for b in order if b not in drawn]


def flows_color(buyer: str) -> str:
    """A flows layer's colour: the importer's own; grey for crude rerouted to others."""
    return GREY if buyer == REROUTED else actor_color(buyer)


def _flows_caption(results: Any) -> str:
    _, drawn, _ = flows_layers(results)
    tail = ("the top layer is crude sold to other buyers at a discount" if drawn and
            drawn[-1] == REROUTED else "no crude was rerouted to other buyers at a discount")
    return f"Mean daily Russian crude exports, stacked by buying country; {tail}."


@figure_kind("flows", order=60, subjects=("run",), title="Russian crude exports by buyer country",
             caption="Mean daily Russian crude exports, stacked by buying country (and crude "
                     "rerouted to other buyers at a discount, when there is any).",
             prepare=flows_data, applies=lambda r: flows_data(r).attrs["k"] > 0,
             caption_for=_flows_caption,
             source=lambda r: "means over " + flows_data(r).attrs["source"])
def flows(results: Any, ax: Axes | None = None, footer: bool | None = None) -> Axes:
    """Stacked mean flows of Russian crude by buyer country over time (mb/d); layers that
    are zero throughout are left out (and named in the footer)."""
    data, order, dropped = flows_layers(results)
    with drawing(ax) as (fig, ax, owned):
        if not len(data):
            note_empty(ax, "no daily series kept (outputs.keep_series = 0)")
        else:
            wide = data.pivot_table(index="date", columns="buyer", values="mbd",
                                    aggfunc="first", observed=True)
            names = dict(zip(data["buyer"], data["name"], strict=False))
            wide = wide[order]
            ax.stackplot(wide.index.to_numpy(), *[wide[b].to_numpy() for b in order],
                         labels=[names[b] for b in order],
                         colors=[flows_color(b) for b in order], linewidth=0,
                         alpha=0.9)
            mark_deadline(ax, results)
            ax.set_xlim(wide.index.min(), wide.index.max())
            ax.set_ylim(0, float(wide.sum(axis=1).max()) * 1.05 or 1.0)
            ax.set_ylabel(axis_label("Russian crude exports", "mb/d"))
            date_axis(ax)
            legend_outside(ax, owned, ncols=2)
        if want_footer(footer, owned):
            note = f"Means over {data.attrs['source']}."
            if dropped:
                note += f" Not drawn (zero throughout): {', '.join(dropped)}."
            add_caption(fig, source_line(results, note))
    return ax
