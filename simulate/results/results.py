"""The Results of a run: tables, summary, provenance; saved to and loaded from a folder.

A results folder (design section 5) holds ``manifest.json`` (provenance and the sha256 of every
other file), ``scenario.yaml`` (resolved), ``outcomes.parquet``, ``timeseries.parquet`` and
``summary.json``; reports add ``figures/``, ``report.html`` and ``report.md``.

Units travel with the tables: ``DataFrame.attrs['units']`` (column -> unit for ``outcomes``;
variable -> unit for the tidy ``timeseries`` and ``bands``), and in the Parquet files both as
per-column field metadata (``unit``) and as the schema metadata key ``simulate.units`` (JSON).
"""

from __future__ import annotations

import hashlib
import html
import json
import math
import os
import shutil
import tempfile
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..engines.record import SERIES
from ..errors import ResultsError
from ..scenario import Scenario, dump_yaml
from ..scenario.loader import validate
from ..scenario.yamlio import load_yaml
from .files import sha256_file, write_text_atomic
from .summary import summarize
from .units import format_number, outcome_units, parameter_field, series_units, unit_of

if TYPE_CHECKING:  # pragma: no cover
    import xarray

    from ..figures.accessor import PlotAccessor

__all__ = ["Results", "DATA_FILES", "DERIVED", "scenario_text", "scenario_sha256",
           "outcome_units", "series_units", "parameter_field", "unit_of", "format_number"]

DATA_FILES = ("scenario.yaml", "outcomes.parquet", "timeseries.parquet", "summary.json")
#: files a report writes (rebuilt by ``simulate report``; not needed to load the results)
DERIVED = ("figures/", "report.html", "report.md")
#: Parquet schema metadata key holding the units (JSON object)
UNITS_KEY = b"simulate.units"
#: Parquet schema metadata key of the column dtypes of the series and the bands
DTYPES_KEY = b"simulate.dtypes"
#: columns of the tidy quantile bands (``Results.bands``)
BAND_COLUMNS = ["day", "date", "variable", "actor", "stat", "value"]

# units of outcome columns that differ from the daily series of the same name
def scenario_text(scenario: Scenario) -> str:
    """The resolved scenario as YAML text (what ``scenario.yaml`` holds)."""
    return dump_yaml(scenario.to_data())


def scenario_sha256(scenario: Scenario) -> str:
    return hashlib.sha256(scenario_text(scenario).encode()).hexdigest()


# ----- units ------------------------------------------------------------------------------
def _dtypes(frame: pd.DataFrame) -> dict[str, Any]:
    """column -> dtype name, or the list of categories of a categorical column."""
    out: dict[str, Any] = {}
    for c in frame.columns:
        dtype = frame[c].dtype
        if isinstance(dtype, pd.CategoricalDtype):
            out[str(c)] = {"categories": [v.item() if hasattr(v, "item") else v
                                          for v in dtype.categories]}
        else:
            out[str(c)] = str(dtype)
    return out


def _restore_dtypes(frame: pd.DataFrame, dtypes: dict[str, Any]) -> pd.DataFrame:
    """Give columns back the dtypes they had when saved (see :func:`_dtypes`)."""
    for col, dtype in dtypes.items():
        if col not in frame:
            continue
        try:
            if isinstance(dtype, dict):
                if not isinstance(frame[col].dtype, pd.CategoricalDtype):
                    frame[col] = pd.Categorical(frame[col], categories=dtype["categories"])
            elif str(frame[col].dtype) != dtype:
                frame[col] = frame[col].astype(dtype)
        except (TypeError, ValueError):  # pragma: no cover - keep what Parquet gave
            pass
    return frame


def _write_parquet(frame: pd.DataFrame, path: Path, units: dict[str, str],
                   column_units: dict[str, str], extra: dict[bytes, str] | None = None) -> None:
    """Parquet with units in the schema metadata and each column's ``unit`` field metadata.

    ``frame.attrs`` are kept under pandas' own ``PANDAS_ATTRS`` key, so ``read_parquet``
    restores them.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame, preserve_index=False)
    fields = [f.with_metadata({b"unit": column_units[f.name].encode()})
              if column_units.get(f.name) else f for f in table.schema]
    meta = dict(table.schema.metadata or {})
    meta[UNITS_KEY] = json.dumps(units).encode()
    if frame.attrs:
        meta[b"PANDAS_ATTRS"] = json.dumps(frame.attrs, default=str).encode()
    for key, value in (extra or {}).items():
        meta[key] = value.encode()
    table = table.cast(pa.schema(fields, metadata=meta))
    pq.write_table(table, path, compression="snappy")


class Results:
    """Outcomes (one row per replicate), daily series, quantile bands and provenance.

    ``outcomes``: pandas DataFrame, columns documented in :mod:`simulate.engines.record`
    (sampled parameters as ``param:<dotted key>``). ``timeseries``: tidy DataFrame
    (replicate, day, date, variable, actor, value) for the kept replicates. ``bands``: tidy
    DataFrame (day, date, variable, actor, stat, value) of quantiles over all replicates.
    """

    def __init__(self, scenario: Scenario, outcomes: pd.DataFrame, timeseries: pd.DataFrame,
                 manifest: dict, bands: pd.DataFrame | None = None,
                 log: list[dict] | None = None):
        self.scenario = scenario
        self.outcomes = outcomes
        self.timeseries = timeseries
        self.bands = bands if bands is not None else _empty_bands()
        self.manifest = manifest
        self.log = log or []
        self._annotate()

    def _annotate(self) -> None:
        """Put units (and the start date) into the tables' ``attrs``."""
        self.outcomes.attrs["units"] = outcome_units(self.outcomes.columns, self.scenario)
        self.outcomes.attrs["start"] = self.scenario.start.isoformat()
        variables = list(SERIES)
        for frame in (self.timeseries, self.bands):
            if "variable" in frame and len(frame):
                variables += [str(v) for v in pd.unique(frame["variable"]) if v not in SERIES]
        for frame in (self.timeseries, self.bands):
            frame.attrs["units"] = series_units(variables)
            frame.attrs["start"] = self.scenario.start.isoformat()

    # ----- statistics -------------------------------------------------------------------
    @property
    def regions(self) -> list[str]:
        return list(self.scenario.regions)

    @property
    def importers(self) -> list[str]:
        return list(self.scenario.actors_of("importer"))

    @property
    def has_deadline(self) -> bool:
        return any(a.deadline is not None for a in self.scenario.actors_of("sanctioner").values())

    def summary(self) -> pd.DataFrame:
        """Headline metrics with estimates, standard errors and 95% intervals."""
        return self._summary.copy()

    @cached_property
    def _summary(self) -> pd.DataFrame:
        return summarize(self.outcomes, self.regions, self.importers, self.has_deadline)

    def summary_dict(self) -> dict[str, Any]:
        """``summary.json``: run identity and the headline table."""
        table = self.summary()
        rows = json.loads(table.to_json(orient="records", double_precision=15))
        return {"scenario": self.scenario.name, "replicates": int(len(self.outcomes)),
                "seed": self.manifest.get("seed"), "engine": self.manifest.get("engine"),
                "metrics": rows}

    # ----- persistence ------------------------------------------------------------------
    def save(self, directory: Path | str, overwrite: bool = False) -> Path:
        """Write the result files into ``directory``, atomically.

        Files are written into a fresh temporary folder beside ``directory`` which then
        replaces it, so a reader never sees a half-written result. An existing non-empty
        folder is refused unless ``overwrite``.
        """
        directory = Path(directory)
        if directory.exists() and any(directory.iterdir()) and not overwrite:
            raise ResultsError(f"{directory} already holds results; use --force (overwrite=True)"
                               " to replace them or choose another --out")
        directory.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", dir=directory.parent))
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o777 & ~umask)
        try:
            self._write_files(tmp)
            _replace_dir(tmp, directory)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return directory

    def _write_files(self, d: Path) -> None:
        write_text_atomic(d / "scenario.yaml", scenario_text(self.scenario))
        units = self.outcomes.attrs.get("units") or outcome_units(self.outcomes.columns)
        _write_parquet(self.outcomes, d / "outcomes.parquet", units, units)
        ts = self.timeseries.assign(stat="value")
        bands = self.bands.assign(replicate=-1)
        frame = pd.concat([ts, bands], ignore_index=True) if len(bands) else ts
        frame.attrs = dict(self.timeseries.attrs)
        series = frame.attrs.get("units") or series_units()
        # the columns' dtypes, so that loading restores them exactly (the series and the bands
        # share one file, where their concatenation may have turned categories into text)
        cats = {"timeseries": _dtypes(self.timeseries), "bands": _dtypes(self.bands)}
        _write_parquet(frame, d / "timeseries.parquet", series,
                       {"value": "see simulate.units (by variable)"},
                       {DTYPES_KEY: json.dumps(cats, default=str)})
        write_text_atomic(d / "summary.json", json.dumps(self.summary_dict(), indent=2) + "\n")
        if self.log:
            pd.DataFrame(self.log).to_csv(d / "events.csv", index=False)
        self.write_manifest(d)

    def write_manifest(self, d: Path) -> None:
        """Write ``manifest.json`` with the checksums of every file in the folder."""
        files = sorted(p for p in d.rglob("*") if p.is_file() and p.name != "manifest.json"
                       and not p.name.startswith("."))
        self.manifest["files"] = {str(p.relative_to(d)): sha256_file(p) for p in files}
        write_text_atomic(d / "manifest.json", json.dumps(self.manifest, indent=2) + "\n")

    @classmethod
    def load(cls, directory: Path | str, verify: bool = True,
             ignore_derived: bool = False) -> Results:
        """Read a results folder; refuse it if a file is missing or fails its checksum.

        Every file listed in ``manifest.json`` must exist and match its sha256 (``verify``).
        ``ignore_derived`` skips the checks of the report's files (``figures/``,
        ``report.html``, ``report.md``), which ``simulate report`` rebuilds anyway; the data
        files are always checked when ``verify`` is true.
        """
        d = Path(directory)
        if not d.exists():
            raise ResultsError(f"{d}: no such folder")
        if not d.is_dir():
            raise ResultsError(f"{d}: not a folder (expected a results folder written by "
                               "'simulate run --out')")
        if not (d / "manifest.json").is_file():
            raise ResultsError(f"{d}: not a results folder (manifest.json is missing)")
        try:
            manifest = json.loads((d / "manifest.json").read_text())
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ResultsError(f"{d / 'manifest.json'}: not valid JSON ({exc})") from None
        if not isinstance(manifest, dict) or not isinstance(manifest.get("files", {}), dict):
            raise ResultsError(f"{d / 'manifest.json'}: expected an object with a 'files' map")
        if manifest.get("kind") == "comparison":
            raise ResultsError(f"{d}: holds a comparison of runs, not one run's results "
                               "(rebuild it with 'simulate compare')")
        listed = manifest.get("files", {})
        for name in DATA_FILES:
            if not (d / name).is_file():
                raise ResultsError(f"{d}: {name} is missing")
            if name not in listed:
                raise ResultsError(f"{d}: {name} is not listed in manifest.json")
        if verify:
            for name, digest in listed.items():
                if ignore_derived and _is_derived(name):
                    continue
                path = d / name
                if not path.is_file():
                    raise ResultsError(f"{d}: {name} is listed in manifest.json but missing")
                if sha256_file(path) != digest:
                    raise ResultsError(f"{d}: {name} does not match its checksum in "
                                       "manifest.json (modified after the run?)")
        data, positions = load_yaml(d / "scenario.yaml")
        scenario = validate(data, positions, str(d / "scenario.yaml"))
        outcomes = pd.read_parquet(d / "outcomes.parquet")
        frame = pd.read_parquet(d / "timeseries.parquet")
        is_band = frame["replicate"] < 0
        ts = frame[~is_band].drop(columns="stat").reset_index(drop=True)
        bands = frame[is_band].drop(columns="replicate").reset_index(drop=True)
        dtypes = _read_dtypes(d / "timeseries.parquet")
        ts = _restore_dtypes(ts, dtypes.get("timeseries", {}))
        bands = _restore_dtypes(bands, dtypes.get("bands", {}))
        bands = bands[BAND_COLUMNS + [c for c in bands if c not in BAND_COLUMNS]] \
            if len(bands) else _empty_bands()
        log = pd.read_csv(d / "events.csv").to_dict("records") if (d / "events.csv").exists() \
            else None
        return cls(scenario, outcomes, ts, manifest, bands, log)

    # ----- views ------------------------------------------------------------------------
    def outcomes_with_dates(self) -> pd.DataFrame:
        """``outcomes`` plus ``deal_date`` and ``decision_date`` (NaT where there is none).

        The outcomes table itself keeps day numbers (``deal_day``, ``decision_day``: days from
        the scenario's ``start``, -1 for none) and no missing values.
        """
        start = pd.Timestamp(self.scenario.start)
        out = self.outcomes.copy()
        for col in ("deal_day", "decision_day"):
            if col in out:
                days = out[col].to_numpy()
                dates = start + pd.to_timedelta(np.where(days >= 0, days, 0), unit="D")
                out[col.replace("_day", "_date")] = pd.Series(dates, index=out.index).where(
                    days >= 0)
        out.attrs["units"] = {**self.outcomes.attrs.get("units", {}),
                              "deal_date": "date (NaT: no deal)",
                              "decision_date": "date (NaT: no decision)"}
        return out

    @property
    def plot(self) -> PlotAccessor:
        """Figures of this run: ``results.plot.deal_probability(ax=None)``, ``.brent()``,
        ``.urals_discount()``, ``.oil_revenue()``, ``.importer_volumes()``, ``.flows()``,
        ``.terms()``, ``.tariff_costs()``, ``.fan(variable, actor)``; each returns its axes.
        ``dir(results.plot)`` lists every registered figure kind."""
        from ..figures.accessor import PlotAccessor
        return PlotAccessor(self)

    def to_xarray(self) -> xarray.DataArray:
        """The kept replicates' daily series as a DataArray (replicate x day x variable x actor).

        Coordinates: ``date`` along ``day``, ``unit`` along ``variable``. Variables without
        an actor axis use actor ``""``; cells of a variable for actors it does not have
        (e.g. ``brent_usd`` for ``CN``) are NaN.
        """
        import xarray as xr

        ts = self.timeseries
        start = pd.Timestamp(self.scenario.start)
        reps = np.sort(pd.unique(ts["replicate"])).astype(np.int64) if len(ts) else \
            np.zeros(0, dtype=np.int64)
        last = max(self.scenario.horizon_days, int(ts["day"].max()) if len(ts) else 0)
        days = np.arange(last + 1, dtype=np.int64)
        present = [str(v) for v in pd.unique(ts["variable"])] if len(ts) else []
        variables = [v for v in SERIES if v in present] + \
            [v for v in present if v not in SERIES]
        wanted = ["", *self.regions, *self.importers]
        seen = [str(a) for a in pd.unique(ts["actor"])] if len(ts) else []
        actors = [a for a in wanted if a in seen] + [a for a in seen if a not in wanted]
        cube = np.full((len(reps), len(days), len(variables), len(actors)), np.nan)
        if len(ts):
            i = np.searchsorted(reps, ts["replicate"].to_numpy())
            j = ts["day"].to_numpy(dtype=np.int64)
            k = pd.Index(variables).get_indexer(ts["variable"].astype(str))
            m = pd.Index(actors).get_indexer(ts["actor"].astype(str))
            cube[i, j, k, m] = ts["value"].to_numpy(dtype=float)
        units = series_units(variables)
        return xr.DataArray(
            cube, dims=("replicate", "day", "variable", "actor"), name="value",
            coords={"replicate": reps, "day": days,
                    "date": ("day", (start + pd.to_timedelta(days, unit="D")).values),
                    "variable": variables, "actor": actors,
                    "unit": ("variable", [units[v] for v in variables])},
            attrs={"scenario": self.scenario.name,
                   "seed": str(self.manifest.get("seed")),
                   "replicates": int(len(self.outcomes)),
                   "description": "daily series of the kept replicates; units in coord 'unit'"})

    def _repr_html_(self) -> str:
        """Rich display in Jupyter: identity of the run and its headline table."""
        e = html.escape
        m = self.manifest
        facts = [("scenario", self.scenario.name), ("replicates", f"{len(self.outcomes):,}"),
                 ("seed", m.get("seed")), ("engine", m.get("engine")),
                 ("daily series kept", f"{self.timeseries['replicate'].nunique():,}"
                  if len(self.timeseries) else "0"),
                 ("counterfactual", m.get("counterfactual")),
                 ("simulate", m.get("simulate_version"))]
        head = "".join(f"<tr><th style='text-align:left'>{e(str(k))}</th>"
                       f"<td style='text-align:left'>{e(str(v))}</td></tr>" for k, v in facts)
        rows = []
        for r in self.summary().itertuples(index=False):
            ci = "(no cases)" if _isnan(r.estimate) else \
                f"[{format_number(r.ci_low)}, {format_number(r.ci_high)}]"
            rows.append(f"<tr><td style='text-align:left'>{e(r.metric)}</td>"
                        f"<td>{e(format_number(r.estimate))}</td><td>{e(ci)}</td>"
                        f"<td style='text-align:left'>{e(r.unit)}</td></tr>")
        desc = e(self.scenario.description.strip())
        return (f"<div class='simulate-results'><p><strong>simulate Results</strong>: "
                f"<code>{e(self.scenario.name)}</code>{' &mdash; ' + desc if desc else ''}</p>"
                f"<table>{head}</table>"
                "<table><thead><tr><th style='text-align:left'>metric</th><th>estimate</th>"
                "<th>95% interval</th><th style='text-align:left'>unit</th></tr></thead>"
                f"<tbody>{''.join(rows)}</tbody></table></div>")

    def __repr__(self) -> str:
        return (f"<Results {self.scenario.name}: {len(self.outcomes)} replicates, seed "
                f"{self.manifest.get('seed')}, engine {self.manifest.get('engine')}>")


def _read_dtypes(path: Path) -> dict:
    import pyarrow.parquet as pq
    meta = pq.read_schema(path).metadata or {}
    try:
        return json.loads(meta.get(DTYPES_KEY, b"{}"))
    except json.JSONDecodeError:
        return {}


def _empty_bands() -> pd.DataFrame:
    return pd.DataFrame(columns=BAND_COLUMNS)


def _isnan(x: Any) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def _is_derived(name: str) -> bool:
    """Whether a manifest entry belongs to the report (rebuilt by ``simulate report``)."""
    return any(name.startswith(d) if d.endswith("/") else name == d for d in DERIVED)


def _replace_dir(new: Path, target: Path) -> None:
    """Move folder ``new`` to ``target``, replacing it if present."""
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        os.replace(target, old)
        os.replace(new, target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(new, target)
