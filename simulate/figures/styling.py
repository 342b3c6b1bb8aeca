"""One look for every figure: colour-blind-safe colours, journal column width, a caption line.

Figures are :class:`matplotlib.figure.Figure` objects made directly, so nothing depends on a
display or on global pyplot state; only in a Jupyter kernel, where a plot call is expected to
show its figure under the cell, are they made through ``pyplot`` (whose inline backend shows
and then releases them), except inside :func:`offscreen` (figures written to files: reports,
calibrations, sensitivity analyses). The style (:data:`STYLE`) applies
while a figure that simulate creates is drawn; on axes the caller passes in, the caller's own
rcParams rule and only simulate's colours are used.
"""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import matplotlib as mpl
import matplotlib.dates as mdates
import numpy as np
from cycler import cycler
from matplotlib.axes import Axes
from matplotlib.figure import Figure

__all__ = [
    "OKABE_ITO", "PALETTE", "COLUMN_WIDTH", "DOUBLE_WIDTH", "STYLE", "SAVE_STYLE", "style", "color",
    "drawing", "new_figure", "add_caption", "source_line", "date_axis", "mark_deadline",
    "axis_label", "note_empty", "percent_axis", "want_footer", "legend_outside", "GREY",
    "offscreen", "in_kernel", "ACTOR_COLORS", "actor_color", "RUN_MARKERS", "run_marker",
    "NEUTRAL", "REGIME_STYLE", "regime_style", "DEADLINE_LABEL", "wrap_label", "set_title",
]

#: Okabe & Ito (2008) colours, safe for the common colour-vision deficiencies
OKABE_ITO = {
    "black": "#000000", "orange": "#E69F00", "sky_blue": "#56B4E9", "bluish_green": "#009E73",
    "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
#: order in which series take colours (strong contrasts first; yellow last: weak on white)
PALETTE = [OKABE_ITO[k] for k in ("blue", "vermillion", "bluish_green", "orange", "sky_blue",
                                  "reddish_purple", "black", "yellow")]
GREY = "#6E6E6E"
#: colour of what is no actor (a pooled fan of a market series, the regimes of a split fan,
#: the regions of the settlement terms): black, which no actor has
NEUTRAL = OKABE_ITO["black"]
#: one colour per actor id, the same in every figure (flows, importer panels, tariff costs,
#: fans of an actor's series); black and greys are left to regimes, aggregates and markers
ACTOR_COLORS: dict[str, str] = {
    "CN": OKABE_ITO["vermillion"], "IN": OKABE_ITO["blue"], "TR": OKABE_ITO["bluish_green"],
    "EU": OKABE_ITO["orange"], "US": OKABE_ITO["sky_blue"], "RU": OKABE_ITO["reddish_purple"],
    "UA": OKABE_ITO["yellow"],
}
#: colours an actor missing from :data:`ACTOR_COLORS` may take (chosen by its id)
_ACTOR_CYCLE = tuple(dict.fromkeys(ACTOR_COLORS.values()))
#: single journal column and full page width, inches
COLUMN_WIDTH = 3.5
DOUBLE_WIDTH = 7.2
CAPTION_SIZE = 5.5

STYLE: dict[str, Any] = {
    "figure.dpi": 150, "savefig.dpi": 300, "figure.facecolor": "white",
    "font.family": "sans-serif", "font.sans-serif": ["DejaVu Sans"],
    "font.size": 7.5, "axes.titlesize": 8, "axes.titleweight": "bold",
    "axes.titlelocation": "left", "axes.labelsize": 7.5, "xtick.labelsize": 6.5,
    "ytick.labelsize": 6.5, "legend.fontsize": 6.5, "legend.frameon": False,
    "legend.handlelength": 1.6, "legend.borderaxespad": 0.3, "legend.columnspacing": 1.0,
    "axes.spines.top": False, "axes.spines.right": False, "axes.linewidth": 0.6,
    "axes.prop_cycle": cycler(color=PALETTE), "axes.grid": True, "axes.axisbelow": True,
    "grid.linewidth": 0.4, "grid.color": "#D9D9D9", "lines.linewidth": 1.2,
    "xtick.major.width": 0.6, "ytick.major.width": 0.6, "xtick.major.size": 2.5,
    "ytick.major.size": 2.5, "errorbar.capsize": 1.5,
    # journals want embedded TrueType (not Type 3) fonts; SVG text as paths shows the same
    # everywhere; a fixed hash salt makes SVG ids reproducible
    "pdf.fonttype": 42, "svg.fonttype": "path", "svg.hashsalt": "simulate",
}
#: settings read when a figure is saved (not when it is drawn): applied by ``figure_bytes``
SAVE_STYLE = {k: STYLE[k] for k in ("pdf.fonttype", "svg.fonttype", "svg.hashsalt")}


@contextmanager
def style() -> Iterator[None]:
    """Apply :data:`STYLE` for the duration of the block (restores rcParams afterwards)."""
    with mpl.rc_context(STYLE):  # type: ignore[arg-type]
        yield


def color(i: int) -> str:
    """The i-th colour of :data:`PALETTE` (cycles)."""
    return PALETTE[i % len(PALETTE)]


#: marker shapes of the runs of a comparison, in run order: runs are told apart by shape as
#: well as by colour (their colours come from the same palette as the actors')
RUN_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")


def run_marker(i: int) -> str:
    """The marker shape of the i-th run of a comparison (cycles)."""
    return RUN_MARKERS[i % len(RUN_MARKERS)]


def actor_color(actor_id: str) -> str:
    """The colour of actor ``actor_id`` in every figure: :data:`ACTOR_COLORS`, else one of
    those colours picked by a checksum of the id (stable across figures, runs and
    processes; never black or grey, which mark regimes and aggregates)."""
    if actor_id in ACTOR_COLORS:
        return ACTOR_COLORS[actor_id]
    import zlib
    return _ACTOR_CYCLE[zlib.crc32(actor_id.encode("utf-8")) % len(_ACTOR_CYCLE)]


#: how each regime of a split fan is drawn, whatever its colour (black, or the actor's own
#: in an actor's panel): the regime where the indicator is true (threat carried out, deal
#: reached) with a solid median over filled bands, the other with a dashed median over
#: hatched bands (90%: one hatch, 50%: crossed), so that the two read apart where they overlap
REGIME_STYLE: dict[bool, dict[str, Any]] = {
    True: {"linestyle": "-", "hatch": (None, None)},
    False: {"linestyle": (0, (3.5, 1.5)), "hatch": ("//////", "\\" * 6)},
}


def regime_style(on: bool) -> dict[str, Any]:
    """:data:`REGIME_STYLE` of the regime where the indicator is ``on``."""
    return REGIME_STYLE[bool(on)]


#: True while figures are made only to be written to files (:func:`offscreen`)
_OFFSCREEN: ContextVar[bool] = ContextVar("simulate_offscreen", default=False)


@contextmanager
def offscreen() -> Iterator[None]:
    """Within the block, new figures are never handed to pyplot, so a notebook does not show
    the figures a report or an analysis writes to its folder."""
    token = _OFFSCREEN.set(True)
    try:
        yield
    finally:
        _OFFSCREEN.reset(token)


def in_kernel() -> bool:
    """Whether this runs in a Jupyter kernel (an IPython shell with a kernel attached)."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return shell is not None and getattr(shell, "kernel", None) is not None


def new_figure(width: float = COLUMN_WIDTH, height: float = 2.4, nrows: int = 1,
               ncols: int = 1, **subplots: Any) -> tuple[Figure, Any]:
    """A Figure with constrained layout and its axes (``Figure.subplots`` semantics); in a
    Jupyter kernel (outside :func:`offscreen`) a pyplot figure, so the cell shows it, once.

    The figure is made outside the style's ``rc_context`` (its size, resolution and colour
    given explicitly): the first pyplot figure of a kernel loads the inline backend, which
    turns interactive mode on, and inside the context that was undone on leaving it, so
    only the first figure of a session was shown by its cell (twice if it was returned)."""
    size = {"figsize": (width, height), "layout": "constrained",
            "dpi": STYLE["figure.dpi"], "facecolor": STYLE["figure.facecolor"]}
    if in_kernel() and not _OFFSCREEN.get():
        import matplotlib.pyplot as plt

        fig = plt.figure(**size)
    else:
        fig = Figure(**size)
    with style():
        axes = fig.subplots(nrows, ncols, **subplots)
    return fig, axes


@contextmanager
def drawing(ax: Axes | None, width: float = COLUMN_WIDTH,
            height: float = 2.4) -> Iterator[tuple[Figure, Axes, bool]]:
    """Yield ``(figure, axes, owned)``: the caller's axes, or a new styled figure's axes.

    ``owned`` tells whether simulate made the figure (and so may add the caption line).
    """
    if ax is not None:
        yield ax.get_figure(root=True), ax, False  # type: ignore[misc]
        return
    fig, new_ax = new_figure(width, height)
    with style():
        yield fig, new_ax, True


def source_line(runs: Any, note: str = "") -> str:
    """``Source: simulate 0.1.0 model run; scenario aug2025, 2,000 replicates, seed 7``."""
    runs = runs if isinstance(runs, Sequence) else [runs]
    version = runs[0].manifest.get("simulate_version", "?") if runs else "?"
    parts = []
    for r in runs:
        n = len(r.outcomes)
        parts.append(f"{r.scenario.name} ({n:,} replicates, seed {r.manifest.get('seed')})")
    word = "model run; scenario" if len(parts) == 1 else "model runs; scenarios"
    text = f"Source: simulate {version} {word} " + "; ".join(parts)
    return f"{text}. {note}" if note else f"{text}."


def add_caption(fig: Figure, text: str, width_chars: int | None = None) -> None:
    """Write ``text`` as a small grey line (wrapped) under the axes, and make room for it."""
    fig_w, fig_h = fig.get_size_inches()
    chars = width_chars or max(40, int(fig_w * 72 / (CAPTION_SIZE * 0.56)))
    wrapped = textwrap.fill(text, chars)
    lines = wrapped.count("\n") + 1
    fig.text(0.012, 0.008, wrapped, fontsize=CAPTION_SIZE, color=GREY, ha="left", va="bottom",
             linespacing=1.15)
    height_in = (lines * CAPTION_SIZE * 1.2 + 4) / 72
    engine = fig.get_layout_engine()
    if engine is not None and hasattr(engine, "set"):
        engine.set(rect=(0, min(0.4, height_in / fig_h), 1,  # type: ignore[call-arg]
                         1 - min(0.4, height_in / fig_h)))


def date_axis(ax: Axes, maxticks: int = 6) -> None:
    """Date ticks that always carry the year: months as ``Sep '25``, ``2026``; days as
    ``08 Aug`` with the year beside the axis (the offset text)."""
    locator = mdates.AutoDateLocator(minticks=3, maxticks=maxticks)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(
        locator, formats=["%Y", "%b '%y", "%d %b", "%H:%M", "%H:%M", "%S.%f"],
        zero_formats=["", "%Y", "%b '%y", "%d %b '%y", "%H:%M", "%H:%M"],
        offset_formats=["", "", "%Y", "%b %Y", "%d %b %Y", "%d %b %Y"], show_offset=True))


#: the text of the deadline label; its artist carries this gid
DEADLINE_LABEL = "deadline"
#: points between the top of the axes and the legend above them when a deadline label sits
#: in between
_DEADLINE_ROOM = 8.0


def mark_deadline(ax: Axes, results: Any, label: bool = True) -> None:
    """A dotted vertical line at each sanctioner deadline inside the plotted range, labelled
    just above the top of the axes, outside the plotting area, so that the label never
    covers data (a legend above the axes, :func:`legend_outside`, moves up to make room)."""
    sc = results.scenario
    start = np.datetime64(sc.start, "D")
    end = start + np.timedelta64(int(sc.horizon_days), "D")
    for actor in sc.actors_of("sanctioner").values():
        if actor.deadline is None:
            continue
        x = np.datetime64(actor.deadline, "D")
        if not start <= x <= end:
            continue
        ax.axvline(x, color=GREY,  # type: ignore[arg-type]
                   linestyle=":", linewidth=0.8, zorder=1)
        if label:
            ax.annotate(DEADLINE_LABEL, xy=(x, 1.0), xycoords=("data", "axes fraction"),
                        xytext=(-1.0, 1.5), textcoords="offset points", fontsize=5.5,
                        color=GREY, ha="left", va="bottom", annotation_clip=False,
                        gid=DEADLINE_LABEL)


def _has_deadline_label(ax: Axes) -> bool:
    return any(t.get_gid() == DEADLINE_LABEL for t in ax.texts)


def set_title(ax: Axes, title: str) -> None:
    """``ax.set_title(title)``, above the deadline label when the axes have one."""
    pad = float(mpl.rcParams["axes.titlepad"])
    ax.set_title(title, pad=pad + _DEADLINE_ROOM if _has_deadline_label(ax) else pad)


def _room_above(ax: Axes) -> float:
    """Points taken above the top of the axes by a deadline label and a title."""
    room = _DEADLINE_ROOM if _has_deadline_label(ax) else 0.0
    if any(ax.get_title(loc=loc) for loc in ("left", "center", "right")):
        # the three titles share one size (axes.titlesize)
        room += float(ax.title.get_fontsize()) * 1.25 + float(mpl.rcParams["axes.titlepad"])
    return room


def want_footer(footer: bool | None, owned: bool) -> bool:
    """Whether to write the source line: as asked, else only on figures simulate made."""
    return owned if footer is None else bool(footer)


def legend_outside(ax: Axes, owned: bool, handles: Any = None, labels: Any = None,
                   **kwargs: Any) -> None:
    """A legend above the axes on simulate's own figures (their layout makes room); inside
    the axes on a caller's axes, where nothing is cut off whatever their layout."""
    args = () if handles is None else (handles, labels)
    if owned:
        anchor: Any = ax.transAxes
        room = _room_above(ax)
        if room:  # above the label over the deadline line, and above a title
            from matplotlib.transforms import ScaledTranslation
            anchor = ax.transAxes + ScaledTranslation(
                0, room / 72, ax.get_figure(root=True).dpi_scale_trans)  # type: ignore[union-attr]
        ax.legend(*args, loc="lower left", bbox_to_anchor=(0.0, 1.0), bbox_transform=anchor,
                  **kwargs)
    else:
        kwargs.pop("ncols", None)
        ax.legend(*args, loc="best", **kwargs)


def _words(text: str) -> str:
    return " ".join(text.lower().replace("'s", "").replace("’s", "").split())


def axis_label(name: str, unit: str, who: str = "") -> str:
    """``"Brent (USD/bbl)"``; ``"India: Russian crude imports (mb/d)"`` with ``who``; the
    unit is left out when the name already says it (``"Occupier's share"``, unit
    ``occupier share``)."""
    text = f"{who}: {name}" if who else name
    return f"{text} ({unit})" if unit and _words(unit) not in _words(name) else text


def wrap_label(text: str, width: int = 28) -> str:
    """An axis label in lines of at most ``width`` characters, the unit (in parentheses at
    the end) on a line of its own when the label is longer, so that a y label fits the
    height of a short axes."""
    if len(text) <= width:
        return text
    head, sep, unit = text.rpartition(" (")
    if sep and unit.endswith(")") and len(unit) + 1 <= width:
        return textwrap.fill(head, width) + "\n(" + unit
    return textwrap.fill(text, width)


def note_empty(ax: Axes, text: str) -> None:
    """Say in the middle of empty axes why there is nothing to show."""
    ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center", fontsize=7,
            color=GREY, wrap=True)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)


def percent_axis(axis: Any, top: float) -> None:
    """Percent tick labels on ``axis`` (``ax.yaxis``): ``0%``, ``2.5%``, ``10%``."""
    from matplotlib.ticker import FuncFormatter
    digits = 3 if top >= 0.05 else 2
    axis.set_major_formatter(FuncFormatter(lambda x, _: f"{100 * x:.{digits}g}%"))
