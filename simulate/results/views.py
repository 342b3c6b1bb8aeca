"""xarray view of a run's daily series: bands over all replicates and the kept replicates.

``to_dataset(results)`` returns an :class:`xarray.Dataset` with a ``date`` axis
(datetime64) and, per daily series (``brent_usd``, ``volume_mbd`` ...):

- ``<series>``: quantiles over **all** replicates, dims ``(quantile, date[, actor dim])``
  (``quantile`` = 0.05, 0.25, 0.5, 0.75, 0.95), from ``results.bands``;
- ``<series>_mean``: the mean over all replicates, dims ``(date[, actor dim])``;
- ``<series>_kept``: the kept replicates' paths, dims ``(replicate, date[, actor dim])``,
  from ``results.timeseries`` (only ``outputs.keep_series`` replicates: a sample, not the
  ensemble);
- ``<series>_by_threat`` and ``<series>_by_deal``: the quantiles over all replicates of each
  regime, dims ``(threat|deal, quantile, date[, actor dim])`` (``threat`` True: carried out;
  ``deal`` True: reached; NaN for a regime no replicate ended in), from
  ``results.regime_bands``.

The actor dimension is ``region`` for series per region, ``importer`` for series per
importer, absent for scalars. Every variable carries ``units``, ``long_name`` (the series'
name in words, as on the figures' axes: :data:`~simulate.results.tables.LABELS`) and
``source`` in its attrs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..engines.record import SERIES, scenario_actors
from .tables import LABELS, UNITS

if TYPE_CHECKING:  # pragma: no cover
    import xarray

__all__ = ["to_dataset", "QUANTILES"]

#: quantiles of the bands, and their ``stat`` names in ``results.bands``
QUANTILES = {0.05: "q05", 0.25: "q25", 0.5: "q50", 0.75: "q75", 0.95: "q95"}
_ACTOR_DIM = {"region": "region", "importer": "importer", "buyer": "buyer", None: None}


def _actors(results: Any, variable: str) -> list[str]:
    kind = SERIES.get(variable)
    if kind == "region":
        return list(results.regions)
    if kind == "importer":
        return list(results.importers)
    if kind == "buyer":
        return scenario_actors(results.scenario)["buyer"]
    return [""]


def _cube(frame: pd.DataFrame, lead: str, lead_values: np.ndarray, days: np.ndarray,
          actors: list[str]) -> np.ndarray:
    """(lead, day, actor) array of ``value`` from a tidy frame (NaN where absent)."""
    out = np.full((lead_values.size, days.size, len(actors)), np.nan)
    if not len(frame):
        return out
    i = pd.Index(lead_values).get_indexer(pd.Index(frame[lead].to_numpy()))
    j = pd.Index(days).get_indexer(pd.Index(frame["day"].to_numpy(dtype=np.int64)))
    k = pd.Index(actors).get_indexer(pd.Index(frame["actor"].astype(str).to_numpy()))
    ok = (i >= 0) & (j >= 0) & (k >= 0)
    out[i[ok], j[ok], k[ok]] = frame["value"].to_numpy(dtype=float)[ok]
    return out


def _select(frame: pd.DataFrame, variable: str) -> pd.DataFrame:
    if not len(frame):
        return frame
    return frame[(frame["variable"].astype(str) == variable).to_numpy()]


def to_dataset(results: Any) -> xarray.Dataset:
    """The run's daily series as an xarray Dataset (see the module docstring)."""
    import xarray as xr

    start = pd.Timestamp(results.scenario.start)
    days = np.arange(results.scenario.horizon_days + 1, dtype=np.int64)
    dates = (start + pd.to_timedelta(days, unit="D")).values
    ts, bands = results.timeseries, results.bands
    reps = np.sort(pd.unique(ts["replicate"])).astype(np.int64) if len(ts) else \
        np.zeros(0, dtype=np.int64)
    present = {str(v) for v in pd.unique(ts["variable"])} if len(ts) else set()
    present |= {str(v) for v in pd.unique(bands["variable"])} if len(bands) else set()
    variables = [v for v in SERIES if v in present] + sorted(present - set(SERIES))
    n = len(results.outcomes)
    regimes = _by_variable(results.regime_bands)
    data: dict[str, Any] = {}
    for var in variables:
        actors = _actors(results, var)
        dim = _ACTOR_DIM.get(SERIES.get(var))
        unit = UNITS.get(var, "")
        attrs = {"units": unit, "long_name": LABELS.get(var, var)}
        tail = (dim,) if dim else ()

        def shaped(cube: np.ndarray, dim: str | None = dim) -> np.ndarray:
            return cube if dim else cube[..., 0]

        b = _select(bands, var)
        if len(b):
            stat = b["stat"].astype(str)
            qs = np.array(list(QUANTILES), dtype=float)
            qb = b[stat.isin(list(QUANTILES.values())).to_numpy()]
            qb = qb.assign(q=qb["stat"].astype(str).map({s: q for q, s in QUANTILES.items()}))
            data[var] = (("quantile", "date", *tail), shaped(_cube(qb, "q", qs, days, actors)),
                         {**attrs, "source": f"quantiles over all {n:,} replicates"})
            mb = b[(stat == "mean").to_numpy()]
            if len(mb):
                mb = mb.assign(one=0)
                cube = _cube(mb, "one", np.zeros(1, dtype=np.int64), days, actors)[0]
                data[f"{var}_mean"] = (("date", *tail), shaped(cube[None])[0],
                                       {**attrs, "source": f"mean over all {n:,} replicates"})
        for by, cube in _regime_cubes(regimes.get(var), days, actors).items():
            data[f"{var}_by_{by}"] = ((by, "quantile", "date", *tail), shaped(cube),
                                      {**attrs, "source": f"quantiles over all replicates "
                                                          f"of each {by} regime"})
        k = _select(ts, var)
        if len(k):
            data[f"{var}_kept"] = (("replicate", "date", *tail),
                                   shaped(_cube(k, "replicate", reps, days, actors)),
                                   {**attrs, "source": f"paths of the {reps.size:,} kept "
                                                       f"replicates (of {n:,})"})
    coords: dict[str, Any] = {"date": dates, "day": ("date", days),
                              "quantile": np.array(list(QUANTILES), dtype=float),
                              "replicate": reps, "threat": [True, False],
                              "deal": [True, False]}
    if results.regions:
        coords["region"] = list(results.regions)
    if results.importers:
        coords["importer"] = list(results.importers)
    buyers = scenario_actors(results.scenario)["buyer"]
    if buyers:
        coords["buyer"] = buyers
    m = results.manifest
    return xr.Dataset(data, coords=coords, attrs={
        "scenario": results.scenario.name, "seed": str(m.get("seed")),
        "replicates": int(n), "kept_replicates": int(reps.size),
        "description": "daily series: <name> quantiles and <name>_mean over all replicates; "
                       "<name>_by_threat and <name>_by_deal quantiles over all replicates "
                       "of each regime; <name>_kept the kept replicates' paths"})


def _by_variable(frame: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """A tidy frame's rows by variable, in one pass (without the frame's attrs, which pandas
    would copy into every part)."""
    if not len(frame):
        return {}
    frame = frame.copy(deep=False)
    frame.attrs = {}
    return {str(k): g for k, g in frame.groupby("variable", observed=True, sort=False)}


def _regime_cubes(rb: pd.DataFrame | None, days: np.ndarray,
                  actors: list[str]) -> dict[str, np.ndarray]:
    """split -> (regime [True, False], quantile, day, actor) quantiles of one variable from
    its rows ``rb`` of ``results.regime_bands``; splits without rows are left out."""
    out: dict[str, np.ndarray] = {}
    if rb is None or not len(rb):
        return out
    qs = np.array(list(QUANTILES), dtype=float)
    to_q = {s: q for q, s in QUANTILES.items()}
    rb = rb.assign(q=rb["stat"].astype(str).map(to_q))
    rb = rb[rb["q"].notna().to_numpy()]
    by_col, flag = rb["by"].astype(str).to_numpy(), rb["regime"].to_numpy(dtype=bool)
    for by in pd.unique(by_col):
        out[str(by)] = np.stack([_cube(rb[(by_col == by) & (flag == on)], "q", qs, days, actors)
                                 for on in (True, False)])
    return out
