"""The figure kinds simulate knows, and how to render and save them.

A kind is a drawing function plus what a report needs to know about it (title, caption, which
subjects it draws, whether it applies). Reports, the ``Results.plot`` accessor and
``simulate compare`` iterate over the registry, so a new kind (sensitivity bars, sweep heat
maps ...) is one more :func:`figure_kind` decoration in a new module -- nothing else changes::

    @figure_kind("sensitivity_bars", subjects=("sensitivity",), title="Sensitivity",
                 caption="First-order Sobol indices with 95% intervals.",
                 prepare=sensitivity_bars_data)
    def sensitivity_bars(result, ax=None): ...

Subjects: ``"run"`` (one :class:`~simulate.results.Results`), ``"runs"`` (a list of them or
a :class:`~simulate.results.compare.Comparison`); new subjects need no change here.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ..results.files import write_bytes_atomic

__all__ = ["FigureKind", "FIGURES", "figure_kind", "register", "get_kind", "kinds", "render",
           "figure_bytes", "encode_all", "save_figure", "FORMATS", "DEFAULT_FORMATS"]

#: file formats a figure can be saved in (PNG for screens and the report; PDF and SVG vector)
FORMATS = ("png", "pdf", "svg")
#: formats written by default (design section 5: PNG and PDF)
DEFAULT_FORMATS = ("png", "pdf")


def _always(_: Any) -> bool:
    return True


@dataclass(frozen=True)
class FigureKind:
    """A kind of figure: ``draw(subject, ax=None, **options) -> Axes`` (or a list of Axes
    for multi-panel kinds), with the metadata a report needs."""

    name: str
    draw: Callable[..., Any]
    subjects: tuple[str, ...]
    title: str
    caption: str = ""
    prepare: Callable[..., Any] | None = None
    applies: Callable[[Any], bool] = _always
    options: Mapping[str, Any] = field(default_factory=dict)
    #: position in reports (lower first; ties keep registration order)
    order: int = 100
    #: ``source(subject)``: which replicates the drawn numbers come from, as drawn
    source: Callable[[Any], str] | None = None
    #: ``caption_for(subject)``: the caption when it depends on what is drawn
    caption_for: Callable[[Any], str] | None = None

    def describe(self, subject: Any) -> str:
        """The caption of this kind for ``subject``."""
        return self.caption_for(subject) if self.caption_for is not None else self.caption

    def data_source(self, subject: Any) -> str:
        """Where the numbers drawn for ``subject`` come from ("" when not said)."""
        return self.source(subject) if self.source is not None else ""

    def __call__(self, subject: Any, ax: Axes | Sequence[Axes] | None = None,
                 **options: Any) -> Any:
        return self.draw(subject, ax=ax, **{**self.options, **options})


#: every registered kind by name, in registration order
FIGURES: dict[str, FigureKind] = {}


def register(kind: FigureKind, replace: bool = False) -> FigureKind:
    """Add a kind to :data:`FIGURES` (``replace`` to redefine an existing name)."""
    if not kind.name.isidentifier():
        raise ValueError(f"name(={kind.name!r}) must be a Python identifier (it is the "
                         "accessor method and the file name)")
    if kind.name in FIGURES and not replace:
        raise ValueError(f"figure kind {kind.name!r} is already registered")
    FIGURES[kind.name] = kind
    return kind


def figure_kind(name: str, *, subjects: Sequence[str], title: str, caption: str = "",
                prepare: Callable[..., Any] | None = None,
                applies: Callable[[Any], bool] | None = None, order: int = 100,
                source: Callable[[Any], str] | None = None,
                caption_for: Callable[[Any], str] | None = None,
                **options: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator: register the decorated drawing function as kind ``name``.

    ``source``/``caption_for``: see :class:`FigureKind`; ``options`` are fixed keyword
    arguments passed to the drawing function.
    """
    def decorate(draw: Callable[..., Any]) -> Callable[..., Any]:
        register(FigureKind(name, draw, tuple(subjects), title, caption, prepare,
                            applies or _always, dict(options), order, source, caption_for))
        return draw
    return decorate


def get_kind(name: str) -> FigureKind:
    """The kind called ``name``; a KeyError naming the known kinds otherwise."""
    try:
        return FIGURES[name]
    except KeyError:
        raise KeyError(f"no figure kind {name!r}; known: {', '.join(FIGURES)}") from None


def kinds(subject: str | None = None) -> list[FigureKind]:
    """Registered kinds (those that draw ``subject``, if given), in report order."""
    found = [k for k in FIGURES.values() if subject is None or subject in k.subjects]
    return sorted(found, key=lambda k: k.order)


def render(kind: FigureKind | str, subject: Any, **options: Any) -> Figure:
    """Draw ``kind`` for ``subject`` on a new figure and return the figure."""
    kind = get_kind(kind) if isinstance(kind, str) else kind
    axes = kind(subject, ax=None, **options)
    first = np.ravel(np.asarray(axes, dtype=object))[0]
    return first.figure


def _metadata(fmt: str) -> dict[str, Any]:
    from .. import __version__
    creator = f"simulate {__version__}"
    if fmt == "pdf":  # no creation date: the same figure gives the same bytes
        return {"Creator": creator, "CreationDate": None}
    if fmt == "svg":
        return {"Creator": creator, "Date": None}
    if fmt == "png":
        return {"Software": creator}
    return {}


def figure_bytes(fig: Figure, fmt: str = "png", dpi: float = 300) -> bytes:
    """The figure encoded as ``fmt`` (reproducible: no timestamps in the files)."""
    import matplotlib as mpl

    from .styling import SAVE_STYLE
    buf = io.BytesIO()
    with mpl.rc_context(SAVE_STYLE):  # type: ignore[arg-type]
        fig.savefig(buf, format=fmt, dpi=dpi, metadata=_metadata(fmt), facecolor="white")
    return buf.getvalue()


def encode_all(fig: Figure, formats: Sequence[str] = DEFAULT_FORMATS,
               dpi: float = 300) -> dict[str, bytes]:
    """The figure in each format. The layout is computed once, for the first format, and
    kept for the others (it is in inches, so it does not depend on the format)."""
    out = {}
    engine = fig.get_layout_engine()
    try:
        for fmt in formats:
            out[fmt] = figure_bytes(fig, fmt, dpi)
            fig.set_layout_engine("none")
    finally:
        fig.set_layout_engine(engine)
    return out


def save_figure(fig: Figure, stem: Path | str, formats: Sequence[str] = DEFAULT_FORMATS,
                dpi: float = 300) -> dict[str, Path]:
    """Write ``stem.<fmt>`` for each format, atomically; returns format -> path."""
    stem = Path(stem)
    out = {}
    for fmt, payload in encode_all(fig, formats, dpi).items():
        path = stem.with_name(f"{stem.name}.{fmt}")
        write_bytes_atomic(path, payload)
        out[fmt] = path
    return out
