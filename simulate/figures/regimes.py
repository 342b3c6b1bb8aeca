"""Ensembles that split into regimes: the numbers behind regime-split fans and spaghetti.

When a run's replicates follow two different courses -- the threat carried out or not, a
deal or not -- the pointwise median over all of them can be a path no replicate follows
(India's imports jumping between two levels). A fan per regime shows each course. Its bands
come from ``results.regime_bands`` -- quantiles over *all* replicates of each regime, which
the engines bin by the regime each replicate ends in (:mod:`simulate.engines.regime_cells`)
-- and, for results saved before those existed, from the kept replicates of each regime
(legends and notes then give the kept count per regime).

A split is *informative* (:func:`mixture`) when each regime holds at least
:data:`MIN_SHARE` of all replicates and at least :data:`MIN_KEPT` replicates behind its
bands (all of the regime's, or its kept ones) and, for a given series, the regimes' 50%
bands are apart (median distance larger than the mean of the two interquartile ranges) on
at least :data:`MIN_APART` of the days. Otherwise the pooled bands over all replicates say
the same, with less noise.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from ..engines.regime_cells import regime_flags
from ..errors import ArgumentError
from ..scenario.messages import suggest
from .data import (
    FAN_STATS,
    band_table,
    dates_of,
    fan_data,
    kept_matrix,
    series_rows,
    series_unit,
)

__all__ = ["REGIMES", "regime_labels", "mixture", "regime_fan_data", "paths_data",
           "MIN_SHARE", "MIN_KEPT", "MIN_APART", "apart", "split_on", "regime_counts",
           "regime_legend_label", "fan_source", "regime_source", "check_by", "check_split",
           "SPLITS"]

_FAN_Q = (0.05, 0.25, 0.5, 0.75, 0.95)
#: smallest share of replicates in each regime for a split to be drawn by default
MIN_SHARE = 0.1
#: smallest number of replicates behind each regime's bands: with fewer, the 5% and 95%
#: quantiles of a regime rest on its one or two most extreme paths, and the pooled bands
#: are drawn instead
MIN_KEPT = 20
#: smallest share of days on which the regimes' 50% bands must be apart
MIN_APART = 0.1


def _flags(by: str) -> Callable[[pd.DataFrame], np.ndarray]:
    def flags(o: pd.DataFrame) -> np.ndarray:
        return regime_flags(o["decision_day"].to_numpy(), o["deal_day"].to_numpy(), by)
    return flags


#: regime name -> (per-replicate indicator, label when true, label when false)
REGIMES: dict[str, tuple[Callable[[pd.DataFrame], np.ndarray], str, str]] = {
    "threat": (_flags("threat"), "threat carried out", "threat not carried out"),
    "deal": (_flags("deal"), "deal reached", "no deal"),
}


#: the values of a fan's ``split`` argument
SPLITS = (True, False, "auto")


def check_by(by: Any) -> str:
    """``by`` if it names a regime split (:data:`REGIMES`), else :class:`ArgumentError`."""
    if isinstance(by, str) and by in REGIMES:
        return by
    hint = suggest(by, REGIMES) if isinstance(by, str) else ""
    raise ArgumentError.from_text(f"expected one of {', '.join(map(repr, sorted(REGIMES)))}, "
                                  f"found {by!r:.60}{hint}", "by")


def check_split(split: Any) -> bool | str:
    """``split`` as True, False or ``"auto"`` (:data:`SPLITS`; a numpy bool as a bool), else
    :class:`ArgumentError`: ``"yes"`` or None would otherwise silently mean "never"."""
    if isinstance(split, bool | np.bool_):
        return bool(split)
    if isinstance(split, str) and split == "auto":
        return split
    hint = suggest(split, ["auto"]) if isinstance(split, str) else ""
    raise ArgumentError.from_text(f"expected True, False or 'auto', found {split!r:.60}{hint}",
                                  "split")


def regime_labels(by: str) -> tuple[str, str]:
    """(label of the regime where the indicator is true, label where it is false)."""
    by = check_by(by)
    return REGIMES[by][1], REGIMES[by][2]


def _indicator(results: Any, by: str) -> pd.Series:
    fn = REGIMES[check_by(by)][0]
    o = results.outcomes
    return pd.Series(fn(o), index=o["replicate"].to_numpy(dtype=np.int64))


def _regime_tables(results: Any, variable: str, actor: str,
                   by: str) -> dict[bool, pd.DataFrame] | None:
    """regime flag -> day x stat table of the series over all replicates of the regime
    (from ``results.regime_bands``), or None when those bands do not hold the series."""
    rb = getattr(results, "regime_bands", None)
    if rb is None or not len(rb):
        return None
    rb = rb.copy(deep=False)
    rb.attrs = {}   # pandas deep-copies attrs (units) into every frame derived below
    rb = series_rows(rb, variable, actor)       # the series first: categorical, fast
    rb = rb[(rb["by"] == by).to_numpy(dtype=bool)]
    flag = rb["regime"].to_numpy(dtype=bool)
    tables = {on: band_table(rb[flag == on], variable, actor, FAN_STATS)
              for on in (True, False)}
    out = {on: t for on, t in tables.items() if t is not None}
    return out or None


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
    if variable is not None and _regime_tables(results, variable, actor, by) is not None:
        if min(int(flag.sum()), int((~flag).sum())) < MIN_KEPT:
            return False
        return apart(regime_fan_data(results, variable, actor, by)) >= MIN_APART
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
    """Median and 50%/90% bands of a daily series per regime: ``regime, label, day, date,
    q05, q25, q50, q75, q95, k, share``.

    ``regime`` is True/False (the indicator), ``share`` the regime's share of all replicates
    (from the outcomes table), ``k`` the replicates behind the regime's bands: all of the
    regime's when ``results.regime_bands`` hold the series (``attrs['source']`` ``"all"``),
    else its kept replicates (``"kept"``). ``attrs['k']``: the replicates behind both
    regimes' bands (all, or the kept ones), ``attrs['n']``: all replicates.
    """
    flag = _indicator(results, by)
    share_on = float(flag.mean()) if len(flag) else float("nan")
    n_on = int(flag.sum())
    labels = regime_labels(by)
    tables = _regime_tables(results, variable, actor, by)
    frames = []
    if tables is not None:
        source, k_all = "all", int(len(flag))
        for value, label, share, k in ((True, labels[0], share_on, n_on),
                                       (False, labels[1], 1 - share_on, len(flag) - n_on)):
            t = tables.get(value)
            if t is None or not k:
                continue
            days = t.index.to_numpy(dtype=np.int64)
            frames.append(pd.DataFrame({"regime": value, "label": label, "day": days,
                                        "date": dates_of(results, days),
                                        **{s: t[s].to_numpy(dtype=float) for s in FAN_STATS},
                                        "k": k, "share": share}))
    else:
        reps, days, m = kept_matrix(results, variable, actor)
        on = flag.reindex(reps).fillna(False).to_numpy(dtype=bool) if reps.size else \
            np.zeros(0, dtype=bool)
        source, k_all = "kept", int(reps.size)
        for value, label, share in ((True, labels[0], share_on),
                                    (False, labels[1], 1 - share_on)):
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
    out.attrs.update(variable=variable, actor=actor, by=by, k=k_all, source=source,
                     n=int(len(results.outcomes)), unit=series_unit(results, variable))
    return out


def split_on(results: Any, variable: str, actor: str = "", split: bool | str = "auto",
             by: str = "threat") -> bool:
    """Whether a fan of (``variable``, ``actor``) is drawn split by regime: ``split=True``
    always, ``False`` never, ``"auto"`` when :func:`mixture` says the split is informative;
    any other ``split`` or ``by`` raises :class:`ArgumentError`."""
    split, by = check_split(split), check_by(by)
    return split is True or (split == "auto" and mixture(results, by, variable, actor))


def regime_counts(data: pd.DataFrame) -> str:
    """``"1,270 threat carried out, 730 threat not carried out; all 2,000 replicates"`` (or
    ``"...; 50 of 400 replicates kept"`` for bands over the kept replicates) from
    :func:`regime_fan_data`."""
    parts = [f"{int(g['k'].iloc[0]):,} {label}"
             for label, g in data.groupby("label", sort=False)]
    if data.attrs.get("source") == "all":
        return f"{', '.join(parts)}; all {data.attrs['n']:,} replicates"
    return f"{', '.join(parts)}; {data.attrs['k']:,} of {data.attrs['n']:,} replicates kept"


def regime_source(data: pd.DataFrame) -> str:
    """``"all replicates of each regime"`` or ``"the kept replicates of each regime"``:
    what a regime's bands in :func:`regime_fan_data` are over."""
    return ("all replicates of each regime" if data.attrs.get("source") == "all"
            else "the kept replicates of each regime")


def regime_legend_label(label: str, k: int, total: int, kept: bool = True) -> str:
    """``"threat carried out (34 of 50 kept replicates)"``, or with ``kept=False``
    ``"threat carried out (1,270 of 2,000 replicates)"``."""
    return f"{label} ({k:,} of {total:,} {'kept ' if kept else ''}replicates)"


def fan_source(results: Any, variable: str, actor: str = "", split: bool | str = "auto",
               by: str = "threat") -> str:
    """Where a fan chart's numbers come from, as drawn: each regime's replicates (all, or
    the kept ones) when split, else the pooled source (all replicates, or the kept ones)."""
    if split_on(results, variable, actor, split, by):
        data = regime_fan_data(results, variable, actor, by)
        return f"split by regime, bands over {regime_source(data)}: {regime_counts(data)}"
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
