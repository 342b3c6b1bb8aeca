"""The numbers behind each figure, as plain DataFrames (no drawing here; tests call these).

Each function takes :class:`~simulate.results.Results` (or a list of them) and returns a tidy
DataFrame whose ``attrs`` say where the numbers come from (``source``) and their unit. The
numbers of the comparison of several runs are in :mod:`simulate.figures.comparison_data`.
"""

from __future__ import annotations

from collections.abc import Sequence
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd

from ..results.compare import run_labels
from ..results.summary import mean as _mean

__all__ = [
    "Z95", "FAN_STATS", "wilson_interval", "run_labels", "as_runs", "runs_and_labels",
    "deal_probability_data", "fan_data", "flows_data", "terms_data", "tariff_cost_data",
    "series_unit", "actor_label", "REROUTED", "dates_of", "kept_matrix", "all_replicates",
    "band_table", "series_rows",
]

Z95 = NormalDist().inv_cdf(0.975)
#: the quantiles a fan chart draws: median, 50% and 90% bands
FAN_STATS = ("q05", "q25", "q50", "q75", "q95")
_FAN_Q = (0.05, 0.25, 0.5, 0.75, 0.95)
#: the flows layer for barrels sold to other buyers at a discount
REROUTED = "rerouted"


def wilson_interval(k: Any, n: Any, z: float = Z95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of k successes in n trials (vectorised; NaN where n == 0).

    ``(p + z²/2n ± z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n)`` with ``p = k/n`` -- the interval
    ``scipy.stats.binomtest(k, n).proportion_ci(method="wilson")`` gives.
    """
    k = np.asarray(k, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / n
        denom = 1 + z * z / n
        centre = (p + z * z / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    lo, hi = np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1)
    # exact ends: the interval reaches 0 when k = 0 and 1 when k = n
    lo = np.where(n == 0, np.nan, np.where(k == 0, 0.0, lo))
    hi = np.where(n == 0, np.nan, np.where(k == n, 1.0, hi))
    return lo, hi


def as_runs(runs: Any) -> list:
    """A list of Results from one Results, a sequence of them, or a Comparison."""
    if hasattr(runs, "runs") and not hasattr(runs, "outcomes"):
        return list(runs.runs)
    if isinstance(runs, Sequence) and not isinstance(runs, str):
        return list(runs)
    return [runs]


def runs_and_labels(runs: Any, labels: Sequence[str] | None = None) -> tuple[list, list[str]]:
    """(list of Results, their labels): given labels, a Comparison's, or scenario names."""
    if labels is None and hasattr(runs, "labels") and not hasattr(runs, "outcomes"):
        labels = runs.labels
    runs = as_runs(runs)
    return runs, run_labels(runs, labels)


def all_replicates(runs: Any) -> str:
    """``"all 400 replicates"``; ``"all replicates of each run (400 and 500)"``."""
    runs = as_runs(runs)
    counts = [f"{len(r.outcomes):,}" for r in runs]
    if len(counts) == 1:
        return f"all {counts[0]} replicates"
    return f"all replicates of each run ({', '.join(counts[:-1])} and {counts[-1]})"


def actor_label(results: Any, actor_id: str) -> str:
    """An actor's name without its parenthetical (``European Union (Druzhba)`` ->
    ``European Union``), or its id."""
    actor = results.scenario.actors.get(actor_id)
    name = (getattr(actor, "name", "") or "").split(" (")[0].strip()
    return name or actor_id


def dates_of(results: Any, days: np.ndarray) -> np.ndarray:
    """Calendar dates (datetime64[ns]) of scenario days ``days`` of ``results``."""
    start = np.datetime64(results.scenario.start, "D")
    return (start + days.astype("timedelta64[D]")).astype("datetime64[ns]")


def deal_probability_data(runs: Any, labels: Sequence[str] | None = None) -> pd.DataFrame:
    """Cumulative probability of a deal by each day, with pointwise Wilson 95% intervals.

    One row per run and day ``0 .. horizon``: ``label, scenario, day, date, n, deals, p,
    ci_low, ci_high``, where ``deals`` counts replicates with a deal on or before ``day``.
    """
    runs, names = runs_and_labels(runs, labels)
    frames = []
    for r, label in zip(runs, names, strict=True):
        o = r.outcomes
        horizon = int(r.scenario.horizon_days)
        days = np.arange(horizon + 1)
        deal_days = o.loc[o["deal"].astype(bool), "deal_day"].to_numpy(dtype=np.int64)
        deal_days = np.clip(deal_days, 0, horizon)
        deals = np.cumsum(np.bincount(deal_days, minlength=horizon + 1)[:horizon + 1])
        n = len(o)
        lo, hi = wilson_interval(deals, n)
        frames.append(pd.DataFrame({
            "label": label, "scenario": r.scenario.name, "day": days,
            "date": dates_of(r, days), "n": n, "deals": deals,
            "p": deals / n if n else np.full(days.size, np.nan), "ci_low": lo, "ci_high": hi}))
    out = pd.concat(frames, ignore_index=True)
    out.attrs.update(unit="probability", interval="pointwise Wilson 95%")
    return out


def series_unit(results: Any, variable: str) -> str:
    units = results.timeseries.attrs.get("units") or {}
    if variable in units:
        return units[variable]
    from ..results.tables import UNITS
    return UNITS.get(variable, "")


def series_rows(frame: pd.DataFrame, variable: str, actor: str) -> pd.DataFrame:
    """Rows of one series (works for categorical and plain text columns alike)."""
    return frame[(frame["variable"] == variable).to_numpy(dtype=bool)
                 & (frame["actor"] == actor).to_numpy(dtype=bool)]


def _pairs(frame: pd.DataFrame | None) -> set[tuple[str, str]]:
    """The (variable, actor) series a bands or timeseries frame holds."""
    if frame is None or not len(frame):
        return set()
    both = frame[["variable", "actor"]].drop_duplicates()
    return set(zip(both["variable"].astype(str), both["actor"].astype(str), strict=True))


def check_series(results: Any, variable: str, actor: str = "") -> None:
    """Raise :class:`~simulate.errors.ResultsError` naming the recorded series when the run
    recorded daily series but none is ``variable`` for ``actor`` (a misspelt name, or an
    actor the series does not have); a run that recorded none passes (its plots say so)."""
    from ..errors import ResultsError
    from ..scenario.messages import suggest

    pairs = _pairs(results.bands)
    if (variable, actor) in pairs:
        return
    pairs |= _pairs(results.timeseries)
    if not pairs or (variable, actor) in pairs:
        return
    actors = sorted({a for v, a in pairs if v == variable})
    if actors == [""]:
        raise ResultsError(f"no daily series {variable!r} for actor {actor!r}: {variable} has "
                           "no actor (leave actor out)")
    if actors:
        shown = ", ".join(repr(a) for a in actors)
        raise ResultsError(f"no daily series {variable!r} for actor {actor!r}: expected one "
                           f"of its actors {shown}" + suggest(actor, actors))
    names = sorted({v for v, _ in pairs})
    raise ResultsError(f"no daily series {variable!r}: expected one of "
                       f"{', '.join(names)}" + suggest(variable, names))


def _band_table(results: Any, variable: str, actor: str,
                wanted: Sequence[str]) -> pd.DataFrame | None:
    """day x stat table from ``results.bands`` if it has every wanted stat, else None."""
    return band_table(results.bands, variable, actor, wanted)


def band_table(b: pd.DataFrame | None, variable: str, actor: str,
               wanted: Sequence[str]) -> pd.DataFrame | None:
    """day x stat table of one series from tidy bands ``b`` (``variable, actor, day, stat,
    value``) if they have every wanted stat for it, else None. Where a (day, stat) appears
    twice, its first row counts."""
    if b is None or not len(b):
        return None
    sel = series_rows(b, variable, actor)
    # each row's place in ``wanted`` (-1: not wanted), looked up once per category: no text
    # compared row by row
    stat = sel["stat"].astype("category").cat
    lookup = np.append(pd.Index(list(wanted)).get_indexer(stat.categories), -1)
    codes = lookup[stat.codes.to_numpy()]   # a missing stat's code -1 takes the last entry
    keep = codes >= 0
    if not len(sel) or not np.bincount(codes[keep], minlength=len(wanted)).all():
        return None
    index, row = np.unique(sel["day"].to_numpy(dtype=np.int64)[keep], return_inverse=True)
    cell = row * len(wanted) + codes[keep]
    cells, first = np.unique(cell, return_index=True)
    table = np.full(index.size * len(wanted), np.nan)
    table[cells] = sel["value"].to_numpy(dtype=float)[keep][first]
    return pd.DataFrame(table.reshape(index.size, len(wanted)),
                        index=pd.Index(index, name="day"),
                        columns=pd.Index(list(wanted), name="stat"))


def kept_matrix(results: Any, variable: str, actor: str
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(replicates, days, replicate x day values) of one series over the kept replicates."""
    ts = results.timeseries
    sel = series_rows(ts, variable, actor) if len(ts) else ts
    if not len(sel):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros((0, 0))
    reps, ri = np.unique(sel["replicate"].to_numpy(dtype=np.int64), return_inverse=True)
    days, di = np.unique(sel["day"].to_numpy(dtype=np.int64), return_inverse=True)
    m = np.full((reps.size, days.size), np.nan)
    m[ri, di] = sel["value"].to_numpy(dtype=float)
    return reps, days, m


def _source_note(results: Any, from_bands: bool, k: int) -> str:
    n = len(results.outcomes)
    if from_bands:
        return f"all {n:,} replicates"
    return f"the {k:,} replicates with daily series kept (of {n:,})"


def fan_data(results: Any, variable: str, actor: str = "") -> pd.DataFrame:
    """Median and 50%/90% bands of a daily series: ``day, date, q05, q25, q50, q75, q95``.

    Uses ``results.bands`` (quantiles over all replicates) when they hold this series, else
    the quantiles over the kept replicates' ``timeseries``. ``attrs``: ``source`` (a phrase
    for the caption), ``from_bands``, ``k`` (replicates behind the numbers), ``unit``.
    An empty frame when neither has the series.
    """
    check_series(results, variable, actor)
    table = _band_table(results, variable, actor, FAN_STATS)
    from_bands = table is not None
    if table is not None:
        k = len(results.outcomes)
        days = table.index.to_numpy(dtype=np.int64)
        values = {s: table[s].to_numpy(dtype=float) for s in FAN_STATS}
    else:
        reps, days, m = kept_matrix(results, variable, actor)
        k = reps.size
        qs = np.quantile(m, _FAN_Q, axis=0) if k else np.zeros((len(_FAN_Q), 0))
        values = dict(zip(FAN_STATS, qs, strict=True))
    out = pd.DataFrame({"day": days, "date": dates_of(results, days), **values})
    out.attrs.update(variable=variable, actor=actor, from_bands=from_bands, k=int(k),
                     unit=series_unit(results, variable),
                     source=_source_note(results, from_bands, k) if k else "no daily series")
    return out


def _mean_series(results: Any, variable: str, actor: str) -> tuple[np.ndarray, np.ndarray,
                                                                   bool, int]:
    table = _band_table(results, variable, actor, ("mean",))
    if table is not None:
        return (table.index.to_numpy(dtype=np.int64), table["mean"].to_numpy(dtype=float), True,
                len(results.outcomes))
    reps, days, m = kept_matrix(results, variable, actor)
    if not reps.size:
        return days, np.zeros(0), False, 0
    return days, m.mean(axis=0), False, int(reps.size)


def flows_data(results: Any) -> pd.DataFrame:
    """Mean daily Russian crude by buyer: ``day, date, buyer, name, mbd``.

    One ``buyer`` per importer (its ``volume_mbd``) and ``rerouted`` for barrels sold to
    other buyers at a discount (``discounted_mbd``); they add up to the mean exports. Means
    over all replicates when ``bands`` has a ``mean`` stat, else over the kept replicates.
    """
    frames, sources = [], []
    layers = [(imp, "volume_mbd", imp, actor_label(results, imp)) for imp in results.importers]
    layers.append((REROUTED, "discounted_mbd", "", "Others (rerouted at a discount)"))
    for buyer, variable, actor, name in layers:
        days, values, from_bands, k = _mean_series(results, variable, actor)
        if not k:
            continue
        sources.append((from_bands, k))
        frames.append(pd.DataFrame({"day": days, "date": dates_of(results, days), "buyer": buyer,
                                    "name": name, "mbd": values}))
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        {"day": pd.Series(dtype="int64"), "date": pd.Series(dtype="datetime64[ns]"),
         "buyer": pd.Series(dtype=object), "name": pd.Series(dtype=object),
         "mbd": pd.Series(dtype=float)})
    from_bands = bool(sources) and all(b for b, _ in sources)
    k = min((k for _, k in sources), default=0)
    out.attrs.update(unit="mb/d", from_bands=from_bands, k=k,
                     source=_source_note(results, from_bands, k) if k else "no daily series")
    return out


def terms_data(results: Any) -> pd.DataFrame:
    """Settlement terms of the replicates that reached a deal: ``replicate, deal_day, region,
    terms`` (occupier's share; regions in scenario order, then ``aggregate``).

    ``attrs``: ``deals``, ``n``, ``start_control`` (region -> occupier share at start, and
    the weighted aggregate), ``occupier`` (actor id).
    """
    o = results.outcomes
    deals = o[o["deal"].astype(bool)]
    regions = [*results.regions, "aggregate"]
    long = pd.DataFrame({
        "replicate": np.repeat(deals["replicate"].to_numpy(), len(regions)) if len(deals)
        else np.zeros(0, dtype=np.int64),
        "deal_day": np.repeat(deals["deal_day"].to_numpy(), len(regions)) if len(deals)
        else np.zeros(0, dtype=np.int64),
        "region": np.tile(np.array(regions, dtype=object), len(deals)),
        "terms": deals[[f"terms_{r}" for r in regions]].to_numpy(dtype=float).reshape(-1),
    })
    sc = results.scenario
    w = np.array([sc.regions[r].weight for r in results.regions], dtype=float)
    c = np.array([sc.regions[r].control for r in results.regions], dtype=float)
    control = {r: float(sc.regions[r].control) for r in results.regions}
    control["aggregate"] = float((w * c).sum() / w.sum()) if w.sum() > 0 else float(c.mean())
    occupier = next((k for k, a in sc.actors_of("belligerent").items()
                     if a.side == "occupier"), "")
    long.attrs.update(deals=int(len(deals)), n=int(len(o)), start_control=control,
                      occupier=occupier, unit="occupier share")
    return long


def tariff_cost_data(results: Any) -> pd.DataFrame:
    """Tariff cost per importer over the horizon: ``importer, name, mean, se, ci_low,
    ci_high, p_positive, q95, n`` (USD bn of lost exports to the US; mean with 95% CI)."""
    rows = []
    o = results.outcomes
    for imp in results.importers:
        col = f"tariff_cost_{imp}_busd"
        if col not in o:
            continue
        x = o[col].to_numpy(dtype=float)
        m = _mean(imp, x, "USD bn over horizon")
        rows.append({"importer": imp, "name": actor_label(results, imp),
                     "mean": m["estimate"], "se": m["se"],
                     "ci_low": m["ci_low"] if np.isfinite(m["ci_low"]) else m["estimate"],
                     "ci_high": m["ci_high"] if np.isfinite(m["ci_high"]) else m["estimate"],
                     "p_positive": float((x > 0).mean()) if x.size else np.nan,
                     "q95": float(np.quantile(x, 0.95)) if x.size else np.nan, "n": x.size})
    out = pd.DataFrame(rows, columns=["importer", "name", "mean", "se", "ci_low", "ci_high",
                                      "p_positive", "q95", "n"])
    out.attrs.update(unit="USD bn over horizon", interval="Student-t 95% CI of the mean")
    return out
