"""Ensembles that split into regimes: the numbers behind regime-split fans and spaghetti.

When a run's replicates follow two different courses -- the threat carried out or not, a
deal or not -- the pointwise median over all of them can be a path no replicate follows
(India's imports jumping between two levels). A fan per regime shows each course; only the
kept replicates have daily paths, so regime fans are drawn from them (and their legends and
notes give the kept count per regime, not the regime's share of all replicates).

A split is *informative* (:func:`mixture`) when each regime holds at least
:data:`MIN_SHARE` of all replicates and at least :data:`MIN_KEPT` kept replicates and, for a
given series, the regimes' 50% bands are apart (median distance larger than the mean of the
two interquartile ranges) on at least :data:`MIN_APART` of the days. Otherwise the pooled
bands over all replicates say the same, with less noise.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from .data import FAN_STATS, dates_of, fan_data, kept_matrix, series_unit

__all__ = ["REGIMES", "regime_labels", "mixture", "regime_fan_data", "paths_data",
           "MIN_SHARE", "MIN_KEPT", "MIN_APART", "apart", "split_on", "regime_counts",
           "regime_legend_label", "fan_source"]

_FAN_Q = (0.05, 0.25, 0.5, 0.75, 0.95)
#: smallest share of replicates in each regime for a split to be drawn by default
MIN_SHARE = 0.1
#: smallest number of kept replicates in each regime: with fewer, the 5% and 95% quantiles of
#: a regime rest on its one or two most extreme paths, and the pooled bands are drawn instead
MIN_KEPT = 20
#: smallest share of days on which the regimes' 50% bands must be apart
MIN_APART = 0.1


def _threat(o: pd.DataFrame) -> np.ndarray:
    return o["decision_day"].to_numpy() >= 0


def _deal(o: pd.DataFrame) -> np.ndarray:
    return o["deal"].to_numpy(dtype=bool)


#: regime name -> (per-replicate indicator, label when true, label when false)
REGIMES: dict[str, tuple[Callable[[pd.DataFrame], np.ndarray], str, str]] = {
    "threat": (_threat, "threat carried out", "threat not carried out"),
    "deal": (_deal, "deal reached", "no deal"),
}


def regime_labels(by: str) -> tuple[str, str]:
    """(label of the regime where the indicator is true, label where it is false)."""
    if by not in REGIMES:
        raise ValueError(f"by(={by!r}) must be one of {sorted(REGIMES)}")
    return REGIMES[by][1], REGIMES[by][2]


def _indicator(results: Any, by: str) -> pd.Series:
    fn = REGIMES[by][0] if by in REGIMES else None
    if fn is None:
        raise ValueError(f"by(={by!r}) must be one of {sorted(REGIMES)}")
    o = results.outcomes
    return pd.Series(fn(o), index=o["replicate"].to_numpy(dtype=np.int64))


def mixture(results: Any, by: str = "threat", variable: str | None = None,
            actor: str = "") -> bool:
    """Whether the replicates split into two regimes worth drawing apart (see module)."""
    o = results.outcomes
    if not len(o) or (by == "threat" and "decision_day" not in o):
        return False
    flag = _indicator(results, by)
    share = float(flag.mean())
    if not MIN_SHARE <= share <= 1 - MIN_SHARE:
        return False
    ts = results.timeseries
    if not len(ts):
        return False
    kept = pd.unique(ts["replicate"]) if variable is None else \
        kept_matrix(results, variable, actor)[0]
    k = flag.reindex(np.asarray(kept, dtype=np.int64)).dropna().astype(bool)
    if int(k.sum()) < MIN_KEPT or int((~k).sum()) < MIN_KEPT:
        return False
    return variable is None or apart(regime_fan_data(results, variable, actor, by)) >= MIN_APART


def apart(data: pd.DataFrame) -> float:
    """Share of days on which two regimes' medians differ by more than the mean of their
    interquartile ranges (from :func:`regime_fan_data`); 0 with fewer than two regimes."""
    if data.empty or data["regime"].nunique() < 2:
        return 0.0
    on = data[data["regime"].astype(bool)].set_index("day")
    off = data[~data["regime"].astype(bool)].set_index("day")
    gap = (on["q50"] - off["q50"]).abs()
    iqr = 0.5 * ((on["q75"] - on["q25"]) + (off["q75"] - off["q25"]))
    return float((gap > iqr).mean())


def regime_fan_data(results: Any, variable: str, actor: str = "",
                    by: str = "threat") -> pd.DataFrame:
    """Median and 50%/90% bands of a daily series per regime, over the kept replicates:
    ``regime, label, day, date, q05, q25, q50, q75, q95, k, share``.

    ``regime`` is True/False (the indicator), ``k`` the kept replicates in the regime,
    ``share`` the regime's share of all replicates (from the outcomes table).
    """
    reps, days, m = kept_matrix(results, variable, actor)
    flag = _indicator(results, by)
    on = flag.reindex(reps).fillna(False).to_numpy(dtype=bool) if reps.size else \
        np.zeros(0, dtype=bool)
    share_on = float(flag.mean()) if len(flag) else float("nan")
    labels = regime_labels(by)
    frames = []
    for value, label, share in ((True, labels[0], share_on), (False, labels[1], 1 - share_on)):
        rows = m[on == value]
        if not rows.shape[0]:
            continue
        qs = np.quantile(rows, _FAN_Q, axis=0)
        frames.append(pd.DataFrame({"regime": value, "label": label, "day": days,
                                    "date": dates_of(results, days),
                                    **dict(zip(FAN_STATS, qs, strict=True)),
                                    "k": rows.shape[0], "share": share}))
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["regime", "label", "day", "date", *FAN_STATS, "k", "share"])
    out.attrs.update(variable=variable, actor=actor, by=by, k=int(reps.size),
                     n=int(len(results.outcomes)), unit=series_unit(results, variable))
    return out


def split_on(results: Any, variable: str, actor: str = "", split: bool | str = "auto",
             by: str = "threat") -> bool:
    """Whether a fan of (``variable``, ``actor``) is drawn split by regime: ``split=True``
    always, ``False`` never, ``"auto"`` when :func:`mixture` says the split is informative."""
    return split is True or (split == "auto" and mixture(results, by, variable, actor))


def regime_counts(data: pd.DataFrame) -> str:
    """``"27 threat carried out, 23 threat not carried out; 50 of 400 replicates kept"``
    from :func:`regime_fan_data`."""
    parts = [f"{int(g['k'].iloc[0]):,} {label}"
             for label, g in data.groupby("label", sort=False)]
    return f"{', '.join(parts)}; {data.attrs['k']:,} of {data.attrs['n']:,} replicates kept"


def regime_legend_label(label: str, k: int, kept: int) -> str:
    """``"threat carried out (34 of 50 kept replicates)"``."""
    return f"{label} ({k:,} of {kept:,} kept replicates)"


def fan_source(results: Any, variable: str, actor: str = "", split: bool | str = "auto",
               by: str = "threat") -> str:
    """Where a fan chart's numbers come from, as drawn: the kept replicates of each regime
    when split, else the pooled source (all replicates, or the kept ones)."""
    if split_on(results, variable, actor, split, by):
        data = regime_fan_data(results, variable, actor, by)
        return f"split by regime, bands over the kept replicates of each: {regime_counts(data)}"
    return fan_data(results, variable, actor).attrs["source"]


def paths_data(results: Any, variable: str, actor: str = "") -> pd.DataFrame:
    """The kept replicates' paths of a daily series, wide: index ``date``, one column per
    replicate (what a spaghetti plot draws)."""
    reps, days, m = kept_matrix(results, variable, actor)
    out = pd.DataFrame(m.T, index=pd.DatetimeIndex(dates_of(results, days), name="date"),
                       columns=pd.Index(reps, name="replicate"))
    out.attrs.update(variable=variable, actor=actor, k=int(reps.size),
                     unit=series_unit(results, variable))
    return out
