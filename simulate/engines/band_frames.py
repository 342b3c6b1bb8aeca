"""Tidy frames of band estimates: one row per (group, day, column, stat), text columns as
categories built from integer codes (:meth:`simulate.engines.bands.BandSketch.to_frame` and
:meth:`~simulate.engines.bands.BandSketch.regime_frame`)."""

from __future__ import annotations

import datetime as _dt
import functools
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .regime_cells import SPLITS, cells_of

__all__ = ["tidy_frame", "pooled_and_regimes", "regime_frame"]


def _category(names: Sequence[str], reps: int, tiles: int) -> Any:
    """``names`` each repeated ``reps`` times, the whole tiled ``tiles`` times; categories
    sorted, as ``astype("category")`` sorts them."""
    cats = sorted(set(names))
    codes = np.array([cats.index(n) for n in names], dtype=np.int32)
    return pd.Categorical.from_codes(np.tile(np.repeat(codes, reps), tiles),
                                     categories=pd.Index(cats))


def tidy_frame(columns: Sequence[tuple[str, str]], stats: Sequence[str], values: np.ndarray,
               start: _dt.date | None = None,
               groups: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """Rows ``[*groups], day, date, variable, actor, stat, value`` of ``values`` (groups,
    days, columns, stats); ``groups``: column name -> one value per group (a list, or a
    ``pd.Categorical``), put first."""
    G, days, C, S = values.shape
    per_day = C * S
    day_idx = np.tile(np.repeat(np.arange(days, dtype=np.int64), per_day), G)
    if start is not None:
        dates = (pd.to_datetime(start) + pd.to_timedelta(np.arange(days), unit="D")).values
    else:
        dates = np.full(days, np.datetime64("NaT"), dtype="datetime64[ns]")
    data: dict[str, Any] = {}
    for name, per_group in (groups or {}).items():
        if isinstance(per_group, pd.Categorical):
            data[name] = pd.Categorical.from_codes(np.repeat(per_group.codes, days * per_day),
                                                   categories=per_group.categories)
        else:
            data[name] = np.repeat(np.asarray(per_group), days * per_day)
    data.update({
        "day": day_idx,
        "date": np.tile(np.repeat(dates, per_day), G),
        "variable": _category([v for v, _ in columns], S, days * G),
        "actor": _category([a for _, a in columns], S, days * G),
        "stat": _category(list(stats), 1, days * C * G),
        "value": values.reshape(-1),
    })
    return pd.DataFrame(data)


def _held(sketch: Any, cells: Any) -> tuple[int, ...]:
    """The cells among ``cells`` that hold a replicate."""
    return tuple(int(k) for k in cells if sketch.n[k].any())


def pooled_and_regimes(sketch: Any, stats: Sequence[str], start: _dt.date | None = None):
    """(the pooled tidy bands, a function returning :func:`regime_frame`) of a band sketch:
    the pooled bands now, the regimes' when asked for (most small runs never draw them),
    reusing the pooled estimates for a regime that holds every replicate."""
    held = _held(sketch, range(sketch.cells))
    pooled = sketch.estimates(held)[0]
    frame = tidy_frame(sketch.layout.columns, stats, pooled[None], start)
    return frame, functools.partial(regime_frame, sketch, stats, start, {held: pooled})


def regime_frame(sketch: Any, stats: Sequence[str], start: _dt.date | None = None,
                 done: dict[tuple[int, ...], np.ndarray] | None = None) -> pd.DataFrame:
    """Tidy bands of each regime over all its replicates: ``by, regime, day, date, variable,
    actor, stat, value`` (``by``: ``"threat"`` or ``"deal"``; ``regime``: True for the
    replicates in it, carried out or reached), for every regime with a replicate. Regimes
    whose replicates lie in the same cells share one estimate (``done``: estimates already
    made, by the cells that hold their replicates)."""
    done = dict(done or {})
    values, by_codes, flags = [], [], []
    for b, by in enumerate(SPLITS):
        for on in (True, False):
            held = _held(sketch, cells_of(by, on))
            if not held:
                continue
            if held not in done:
                done[held] = sketch.estimates(held)[0]
            values.append(done[held])
            by_codes.append(b)
            flags.append(on)
    if not values:
        return pd.DataFrame(columns=["by", "regime", "day", "date", "variable", "actor",
                                     "stat", "value"])
    by_col = pd.Categorical.from_codes(np.array(by_codes, dtype=np.int8),
                                       categories=pd.Index(list(SPLITS)))
    return tidy_frame(sketch.layout.columns, stats, np.stack(values), start,
                      {"by": by_col, "regime": np.array(flags)})
