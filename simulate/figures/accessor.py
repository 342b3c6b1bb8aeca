"""``results.plot.<kind>(ax=None)``: every registered figure kind as a method."""

from __future__ import annotations

import functools
from typing import Any

from matplotlib.axes import Axes

from .registry import FigureKind, get_kind, kinds

__all__ = ["PlotAccessor"]


class PlotAccessor:
    """Figure kinds that draw ``subject`` (``"run"``: a Results; ``"runs"``: a Comparison).

    ``results.plot.deal_probability()`` draws on a new figure and returns the axes;
    ``results.plot.brent(ax=my_ax)`` draws on yours. ``dir(results.plot)`` lists the kinds;
    ``results.plot("brent")`` and ``results.plot.fan("volume_mbd", "CN")`` work too.
    """

    def __init__(self, subject: Any, kind: str = "run"):
        self._subject = subject
        self._kind = kind

    def _kinds(self) -> dict[str, FigureKind]:
        return {k.name: k for k in kinds(self._kind)}

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        kind = self._kinds().get(name)
        if kind is None:
            raise AttributeError(f"no figure kind {name!r} for a {self._kind}; known: "
                                 f"{', '.join(self._kinds())}")
        method = functools.partial(kind, self._subject)
        functools.update_wrapper(method, kind.draw)
        return method

    def __dir__(self) -> list[str]:
        return sorted({*self._kinds(), "fan", "kinds"})

    def __call__(self, kind: str, ax: Any = None, **options: Any) -> Any:
        k = get_kind(kind)
        if self._kind not in k.subjects:
            raise ValueError(f"figure kind {kind!r} does not draw a {self._kind}")
        return k(self._subject, ax=ax, **options)

    def kinds(self) -> list[str]:
        """Names of the figure kinds available here."""
        return list(self._kinds())

    def fan(self, variable: str, actor: str = "", ax: Axes | None = None,
            **options: Any) -> Axes:
        """Fan chart (median, 50% and 90% bands; split by regime on a mixture) of any daily
        series; ``options`` as in :func:`simulate.figures.timeseries.fan` (``split``,
        ``by``, ``paths``, ``footer``)."""
        if self._kind != "run":
            raise AttributeError("fan charts draw one run; use runs[i].plot.fan(...)")
        from .timeseries import fan
        return fan(self._subject, variable, actor, ax=ax, **options)

    def __repr__(self) -> str:
        return f"<PlotAccessor for a {self._kind}: {', '.join(self._kinds())}>"
