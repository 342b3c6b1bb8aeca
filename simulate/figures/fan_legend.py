"""Legends of fan charts: band swatches, and a key drawn as a small fan (the 90% band, the
50% band and the median of a regime in miniature) when a chart splits by regime."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from matplotlib.axes import Axes
from matplotlib.legend_handler import HandlerBase, HandlerTuple
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from .styling import GREY, NEUTRAL, legend_outside, regime_style

__all__ = ["BAND_ALPHA", "HATCH_WIDTH", "band_patch", "FanKey", "FanKeyHandler",
           "legend_options", "HANDLERS", "BANDS", "legend_entries", "fan_legend"]

#: fill opacity of the 90% and 50% bands (pooled, per regime)
BAND_ALPHA = {"pooled": (0.16, 0.34), "regime": (0.13, 0.28)}

#: width of the lines of a hatched band, points
HATCH_WIDTH = 0.35


def band_patch(patch: Any, on: bool, level: int, c: str, alpha: float) -> Any:
    """Style ``patch`` (a band, or a legend swatch) as band ``level`` (0: 90%, 1: 50%) of
    the regime where the indicator is ``on``: filled, or hatched (hatches at a higher
    opacity, being thin)."""
    hatch = regime_style(on)["hatch"][level]
    patch.set_linewidth(0)
    if hatch is None:
        patch.set_facecolor(c)
        patch.set_alpha(alpha)
    else:
        patch.set_facecolor("none")
        patch.set_edgecolor(c)
        patch.set_hatch(hatch)
        patch.set_hatchcolor(c)
        patch.set_hatch_linewidth(HATCH_WIDTH)
        patch.set_alpha(min(1.0, 2.2 * alpha))
    return patch


class FanKey:
    """A legend key drawn as a small fan: the 90% band over the key's full height, the 50%
    band over its middle half, the median across (see :class:`FanKeyHandler`)."""

    def __init__(self, on: bool, c: str, alphas: tuple[float, float]):
        self.on, self.color, self.alphas = on, c, alphas


class FanKeyHandler(HandlerBase):
    """Draws a :class:`FanKey`: a regime's bands (filled or hatched) and median (solid or
    dashed) in miniature, so that one entry explains all three marks of a regime."""

    def create_artists(self, legend: Any, orig_handle: Any, xdescent: float,
                       ydescent: float, width: float, height: float, fontsize: float,
                       trans: Any) -> list[Any]:
        key: FanKey = orig_handle
        x0, y0 = -xdescent, -ydescent
        outer = band_patch(Rectangle((x0, y0), width, height), key.on, 0, key.color,
                           key.alphas[0])
        inner = band_patch(Rectangle((x0, y0 + height / 4), width, height / 2), key.on, 1,
                           key.color, key.alphas[1])
        line = Line2D([x0, x0 + width], [y0 + height / 2] * 2, color=key.color,
                      linestyle=regime_style(key.on)["linestyle"], linewidth=1.2)
        for artist in (outer, inner, line):
            artist.set_transform(trans)
        return [outer, inner, line]


def legend_options(handles: Sequence[Any]) -> dict[str, Any]:
    """Keyword arguments of a legend of ``handles``: its handlers, and keys large enough to
    show a fan's bands when it has :class:`FanKey` entries."""
    options: dict[str, Any] = {"handler_map": HANDLERS}
    if any(isinstance(h, FanKey) for h in handles):
        options.update(handlelength=2.6, handleheight=1.5)
    return options


#: legend handlers: a tuple of handles side by side (the combined band swatch), a fan key
HANDLERS = {FanKey: FanKeyHandler(), tuple: HandlerTuple(ndivide=None, pad=0.15)}
#: the combined legend entry of the two bands beside other lines
BANDS = "50% and 90% bands"


def legend_entries(axes: Sequence[Axes], neutral: bool = False) -> tuple[list[Any], list[str]]:
    """Legend handles and labels of several axes, each label once, ``median`` first.

    Beside regimes, every fan -- each regime, and the pooled ``median`` of panels not split
    -- gets one key showing its median over its bands (:class:`FanKey`), and the bands no
    entry of their own: two rows instead of three. Otherwise lines come first, then the
    bands (as one entry, :data:`BANDS`, two swatches, beside several lines). ``neutral``:
    keys in black and grey (a legend of panels drawn in different actors' colours)."""
    seen: dict[str, Any] = {}
    for a in axes:
        handles, labels = a.get_legend_handles_labels()
        for h, label in zip(handles, labels, strict=True):
            seen.setdefault(label, h)
    regimes = {x: h._simulate_regime for x, h in seen.items()
               if getattr(h, "_simulate_regime", None) is not None}
    bands = [x for x in ("50% band", "90% band") if x in seen]

    def colour(h: Any) -> str:
        return NEUTRAL if neutral else h.get_color()

    lines = sorted((x for x in seen if x not in bands), key=lambda x: x != "median")
    if regimes:
        keys = {x: FanKey(regimes[x], colour(seen[x]), BAND_ALPHA["regime"]) if x in regimes
                else FanKey(True, colour(seen[x]), BAND_ALPHA["pooled"])
                if x == "median" and isinstance(seen[x], Line2D) else seen[x] for x in lines}
        return [keys[x] for x in lines], lines
    if neutral:
        for x in lines:
            if isinstance(seen[x], Line2D):
                seen[x] = Line2D([], [], color=NEUTRAL, linestyle=seen[x].get_linestyle())
        for x in bands:
            seen[x] = Patch(facecolor=GREY, alpha=seen[x].get_alpha(), linewidth=0)
    if len(bands) == 2 and len(lines) > 1:
        return [seen[x] for x in lines] + [(seen["50% band"], seen["90% band"])], \
            [*lines, BANDS]
    order = lines + bands
    return [seen[x] for x in order], order


def fan_legend(ax: Axes, owned: bool) -> None:
    """The legend of one fan chart: its lines, then the band swatches."""
    handles, labels = legend_entries([ax])
    standard = labels == ["median", "50% band", "90% band"]
    legend_outside(ax, owned, handles, labels, ncols=3 if standard else 1,
                   **legend_options(handles))
