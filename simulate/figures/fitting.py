"""Fitting text into a figure: wrapping titles, axis labels and notes until they lie inside
it, and turning tick labels upright when they overlap."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import Any

from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import BboxBase

__all__ = ["wrap", "line_count", "fit_texts", "separate_ticks"]


def wrap(text: str, chars: int) -> str:
    """``text`` on lines of at most ``chars`` characters, broken only between words."""
    return textwrap.fill(text, chars, break_long_words=False, break_on_hyphens=False)


def line_count(labels: Sequence[str]) -> int:
    """The number of lines of the tallest label (1 if there are none)."""
    return max((s.count("\n") + 1 for s in labels), default=1)


def _inside(box: BboxBase, page: BboxBase, tol: float = 0.5) -> bool:
    return (page.x0 - tol <= box.x0 and box.x1 <= page.x1 + tol
            and page.y0 - tol <= box.y0 and box.y1 <= page.y1 + tol)


def fit_texts(fig: Figure, texts: Sequence[Text], rounds: int = 8) -> None:
    """Wrap ``texts`` (titles, axis labels, notes) onto more lines until each lies inside
    the figure; the layout is redone after each round."""
    for _ in range(rounds):
        fig.draw_without_rendering()
        page = fig.bbox
        changed = False
        for t in texts:
            text = t.get_text()
            if not text or not t.get_visible():
                continue
            box = t.get_window_extent()
            if _inside(box, page):
                continue
            vertical = abs(t.get_rotation() % 180 - 90) < 1
            lo, hi, size = ((box.y0, box.y1, box.height) if vertical
                            else (box.x0, box.x1, box.width))
            plo, phi = (page.y0, page.y1) if vertical else (page.x0, page.x1)
            over = max(0.0, plo - lo) + max(0.0, hi - phi)
            if size <= 0 or over <= 0:
                continue
            longest = max(len(s) for s in text.split("\n"))
            chars = min(longest - 2, int(longest * (size - over) / size) - 2)
            if chars < 10:
                continue
            t.set_text(wrap(" ".join(text.split()), chars))
            changed = True
        if not changed:
            return


def separate_ticks(fig: Figure, axis: Any) -> None:
    """Turn an axis's tick labels upright, one line each, when any two of them overlap."""
    fig.draw_without_rendering()
    labels = [t for t in axis.get_ticklabels() if t.get_text()]
    boxes = [t.get_window_extent() for t in labels]
    if any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:]):
        axis.set_ticks(axis.get_ticklocs(), [" ".join(t.get_text().split())
                                             for t in axis.get_ticklabels()],
                       rotation=90, ha="center")
