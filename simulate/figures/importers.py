"""Russian crude bought by each importer: one fan chart per importer, in a grid.

Each panel is split by regime on its own (:func:`~simulate.figures.regimes.split_on`): India
may follow two courses while China follows one. Every panel is drawn in its importer's own
colour (:func:`~simulate.figures.actor_color`, the same as in the flows and tariff
figures); the regimes of a split panel differ in line style and band fill, and the footer
says which panels are split and where each panel's numbers come from.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import nullcontext
from typing import Any

import numpy as np
from matplotlib.axes import Axes

from .data import actor_label, fan_data
from .fan_legend import legend_entries, legend_options
from .regimes import check_split, regime_counts, regime_fan_data, regime_source, split_on
from .registry import figure_kind
from .styling import COLUMN_WIDTH, add_caption, new_figure, source_line, style, want_footer
from .timeseries import fan

__all__ = ["importer_volumes", "volume_splits"]

#: legend label of the pooled median beside split panels
POOLED_MEDIAN = "median (panels not split)"


def _any_importer_series(results: Any) -> bool:
    return any(fan_data(results, "volume_mbd", imp).attrs["k"] > 0 for imp in results.importers)


def volume_splits(results: Any, split: bool | str = "auto") -> dict[str, bool]:
    """importer -> whether its panel is split by whether the threat was carried out."""
    split = check_split(split)   # checked even when no panel has a series
    return {imp: fan_data(results, "volume_mbd", imp).attrs["k"] > 0
            and split_on(results, "volume_mbd", imp, split, "threat")
            for imp in results.importers}


def _names(results: Any, imps: Sequence[str]) -> str:
    return ", ".join(actor_label(results, i) for i in imps)


def volumes_note(results: Any, split: bool | str = "auto", sharey: bool = True) -> str:
    """Which panels are split, and over which replicates each panel's bands are."""
    splits = volume_splits(results, split)
    on = [i for i, s in splits.items() if s]
    parts = []
    if on:
        data = regime_fan_data(results, "volume_mbd", on[0], "threat")
        parts.append(f"Split by whether the threat was carried out: {_names(results, on)}. "
                     "Carried out: solid medians over filled 50%/90% bands; not carried out: "
                     f"dashed over hatched bands; over {regime_source(data)} "
                     f"({regime_counts(data)}).")
    sources: dict[str, list[str]] = {}
    for imp in (i for i, s in splits.items() if not s):
        sources.setdefault(fan_data(results, "volume_mbd", imp).attrs["source"], []).append(imp)
    for source, imps in sources.items():
        parts.append(f"Not split: {_names(results, imps)}. Median and 50%/90% bands over "
                     f"{source}.")
    return " ".join(parts) + (" Each panel in its importer's colour." if len(splits) else "") \
        + (" One scale for all panels." if sharey else "")


def _volumes_source(results: Any) -> str:
    if not any(volume_splits(results).values()):
        sources = {fan_data(results, "volume_mbd", i).attrs["source"] for i in results.importers}
        return "no panel split by regime; bands over " + "; ".join(sorted(sources))
    return volumes_note(results, sharey=False)


def _volumes_caption(results: Any) -> str:
    splits = volume_splits(results)
    head = ("Daily volume of Russian crude bought by each importing country's buyers: "
            "median and 50%/90% bands across replicates")
    if all(splits.values()):
        how = "; every panel split by whether the threat was carried out"
    elif any(splits.values()):
        how = ("; panels whose replicates follow two courses are split by whether the threat "
               "was carried out (solid or dashed medians), the others pooled")
    else:
        how = ""
    return f"{head}{how}; one scale for all panels."


@figure_kind("importer_volumes", order=50, subjects=("run",),
             title="Russian crude bought by each importer",
             caption="Daily volume of Russian crude bought by each importing country's "
                     "buyers: median and 50%/90% bands across replicates; a panel is split "
                     "by whether the threat was carried out when its replicates follow both "
                     "courses (solid or dashed medians), others are pooled; each panel in its "
                     "importer's colour; one scale for all panels.",
             applies=_any_importer_series, source=_volumes_source,
             caption_for=_volumes_caption)
def importer_volumes(results: Any, ax: Sequence[Axes] | None = None, sharey: bool = True,
                     split: bool | str = "auto", footer: bool | None = None) -> list[Axes]:
    """One fan chart per importer of its Russian crude volume (mb/d), in a grid.

    ``ax``: the caller's axes (at least one per importer; spare ones are hidden, the first
    spare one holds the legend). ``sharey``: one y scale for every panel (default), so that
    a 5% dip does not look like a 70% fall; ``split`` as in :func:`fan`, decided per panel.
    """
    imps = results.importers
    splits = volume_splits(results, split)
    mixed = any(splits.values())
    owned = ax is None
    if owned:
        ncols = 2 if len(imps) > 1 else 1
        nrows = max(1, -(-len(imps) // ncols))
        # split panels: a legend of four rows and a longer footer need room
        fig, grid = new_figure(COLUMN_WIDTH, 0.55 + 1.45 * nrows + (0.5 if mixed else 0),
                               nrows, ncols, sharex=True, sharey=sharey, squeeze=False)
        axes = list(grid.ravel())
    else:
        axes = list(np.ravel(np.asarray(ax, dtype=object)))
        if len(axes) < len(imps):
            raise ValueError(f"ax needs one Axes per importer ({len(imps)}: {imps}), "
                             f"found {len(axes)}")
        fig = axes[0].get_figure(root=True)
    panels, spare = axes[:len(imps)], axes[len(imps):]
    with style() if owned else nullcontext():  # on the caller's axes, their rcParams
        for a, imp in zip(panels, imps, strict=True):
            fan(results, "volume_mbd", imp, ax=a, legend=False, title=actor_label(results, imp),
                split=splits[imp], footer=False)
            if owned:
                a.set_ylabel("mb/d")
                a.title.set_fontsize(7)
        for a in spare:
            a.set_visible(False)
        if sharey:
            _share_y(panels)
        handles, labels = legend_entries(panels, neutral=True)
        if mixed:
            labels = [POOLED_MEDIAN if x == "median" else x for x in labels]
        if handles:
            standard = labels == ["median", "50% band", "90% band"]
            if owned:
                fig.legend(handles, labels, ncols=3 if standard else 1,
                           loc="outside upper left", **legend_options(handles))
            elif spare:  # the legend sits where the first spare panel was
                spare[0].set_visible(True)
                spare[0].set_axis_off()
                spare[0].legend(handles, labels, loc="center", fontsize="small",
                                **legend_options(handles))
            else:
                panels[0].legend(handles, labels, loc="best", fontsize="small",
                                 **legend_options(handles))
        if want_footer(footer, owned):
            add_caption(fig, source_line(results, "Russian crude bought per importer (mb/d). "
                                         + volumes_note(results, split, sharey)))
    return panels


def _share_y(axes: Sequence[Axes]) -> None:
    """One y range, from zero, for every panel."""
    tops = [a.get_ylim()[1] for a in axes]
    for a in axes:
        a.set_ylim(0, max(tops) if tops else 1.0)
