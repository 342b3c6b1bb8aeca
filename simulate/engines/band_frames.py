"""Tidy frames of band estimates: one row per (group, day, column, stat), text columns as
categories built from integer codes (:meth:`simulate.engines.bands.BandSketch.to_frame` and
:meth:`~simulate.engines.bands.BandSketch.regime_frame`)."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["tidy_frame"]


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
