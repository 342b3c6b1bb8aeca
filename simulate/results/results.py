"""The Results of a run: tables, summary, provenance; saved to and loaded from a folder.

A results folder (design section 5) holds ``manifest.json`` (provenance and the sha256 of every
other file), ``scenario.yaml`` (resolved), ``outcomes.parquet``, ``timeseries.parquet`` (daily
series of the kept replicates), ``bands.parquet`` (quantile bands over all replicates),
``regime_bands.parquet`` (the same over all replicates of each regime) and ``summary.json``;
reports add ``figures/``, ``report.html`` and ``report.md``.

Units travel with the tables: ``DataFrame.attrs['units']`` (column -> unit for ``outcomes``;
variable -> unit for the tidy ``timeseries`` and ``bands``), and in the Parquet files both as
per-column field metadata (``unit``) and as the schema metadata key ``simulate.units`` (JSON).
"""

from __future__ import annotations

import hashlib
import html
import json
import math
from collections.abc import Callable, Iterable
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
from .manifest import RUN_KEY, check_against_data, check_listed_names, stamp
from .parquet import (
    DTYPES_KEY,
    dtypes_of,
    empty_bands,
    empty_regime_bands,
    read_regime_bands,
    read_series,
    write_parquet,
)
from .summary import summarize
from .units import format_number, outcome_units, parameter_field, series_units, unit_of

if TYPE_CHECKING:  # pragma: no cover
    import xarray

    from ..figures.accessor import PlotAccessor

__all__ = ["Results", "DATA_FILES", "DERIVED", "is_own_file", "scenario_text", "scenario_sha256",
           "outcome_units", "series_units", "parameter_field", "unit_of", "format_number",
           "is_derived"]

DATA_FILES = ("scenario.yaml", "outcomes.parquet", "timeseries.parquet", "summary.json")
#: data files of newer folders (checked when listed in the manifest; older folders lack them)
OPTIONAL_DATA_FILES = ("bands.parquet", "regime_bands.parquet")
#: files a report writes (rebuilt by ``simulate report``; not needed to load the results)
DERIVED = ("figures/", "report.html", "report.md")

# units of outcome columns that differ from the daily series of the same name
def scenario_text(scenario: Scenario) -> str:
    """The resolved scenario as YAML text (what ``scenario.yaml`` holds)."""
    return dump_yaml(scenario.to_data())


def scenario_sha256(scenario: Scenario) -> str:
    return hashlib.sha256(scenario_text(scenario).encode()).hexdigest()


class Results:
    """Outcomes (one row per replicate), daily series, quantile bands and provenance.

    ``outcomes``: pandas DataFrame, columns documented in :mod:`simulate.engines.record`
    (sampled parameters as ``param:<dotted key>``). ``timeseries``: tidy DataFrame
    (replicate, day, date, variable, actor, value) for the kept replicates. ``bands``: tidy
    DataFrame (day, date, variable, actor, stat, value) of quantiles over all replicates.
    ``regime_bands``: the same per regime, over all replicates of each (columns ``by``:
    ``"threat"`` or ``"deal"``, and ``regime``: True for carried out or reached, first).
    """

    def __init__(self, scenario: Scenario, outcomes: pd.DataFrame, timeseries: pd.DataFrame,
                 manifest: dict, bands: pd.DataFrame | None = None,
                 log: list[dict] | None = None,
                 regime_bands: pd.DataFrame | Callable[[], pd.DataFrame] | None = None):
        self.scenario = scenario
        self.outcomes = outcomes
        self.timeseries = timeseries
        self.bands = bands if bands is not None else empty_bands()
        # a frame, or the function that makes it on first use (from a run's band sketch)
        self._regime_bands = empty_regime_bands() if regime_bands is None else regime_bands
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
        self._units = series_units(variables)
        for frame in (self.timeseries, self.bands):
            frame.attrs["units"] = self._units
            frame.attrs["start"] = self.scenario.start.isoformat()

    @property
    def regime_bands(self) -> pd.DataFrame:
        """Tidy quantile bands over all replicates of each regime: ``by, regime, day, date,
        variable, actor, stat, value`` (``by``: ``"threat"``, carried out or not, or
        ``"deal"``, reached or not; ``regime``: True in it). Made from the run's band
        sketch the first time it is used; empty for folders saved before it existed."""
        if callable(self._regime_bands):
            self._regime_bands = self._regime_bands()
        frame = self._regime_bands
        frame.attrs.update(units=self._units, start=self.scenario.start.isoformat())
        return frame

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

    def summary(self, windows: Iterable[int] | None = None) -> pd.DataFrame:
        """Headline metrics, indexed by metric id (``deal_within_90d``, ``oil_revenue`` ...).

        Columns: ``label`` (display name), ``estimate``, ``ci_low``/``ci_high`` (95%
        confidence interval *of the estimate*), ``p05``/``p95`` (5-95% spread *of the
        replicates' values*; NaN for probabilities), ``unit``, ``n``, ``se``, ``kind``.
        ``windows``: deal windows in days (default: the scenario's ``outputs.deal_within``,
        else :data:`simulate.results.metrics.DEAL_WINDOWS`).
        """
        if windows is not None:
            return summarize(self.outcomes, self.scenario, windows)
        return self._summary.copy()

    @cached_property
    def _summary(self) -> pd.DataFrame:
        return summarize(self.outcomes, self.scenario)

    def summary_dict(self) -> dict[str, Any]:
        """``summary.json``: run identity and the headline table (one object per metric)."""
        table = self.summary().reset_index()
        rows = json.loads(table.to_json(orient="records", double_precision=15))
        return {"scenario": self.scenario.name, "replicates": int(len(self.outcomes)),
                "seed": self.manifest.get("seed"), "engine": self.manifest.get("engine"),
                "intervals": table.attrs.get("intervals", ""), "metrics": rows}

    # ----- persistence ------------------------------------------------------------------
    def save(self, directory: Path | str, overwrite: bool = False) -> Path:
        """Write the result files into ``directory``, atomically.

        Files are written into a fresh temporary folder beside ``directory`` which then
        replaces it, so a reader never sees a half-written result. An existing non-empty
        folder is refused unless ``overwrite``.
        """
        from .saving import save_folder  # marker, lock, refuses folders not its own
        return save_folder(directory, self._write_files, kind="run", overwrite=overwrite)

    def _write_files(self, d: Path) -> None:
        text = scenario_text(self.scenario)
        write_text_atomic(d / "scenario.yaml", text)
        units = self.outcomes.attrs.get("units") or outcome_units(self.outcomes.columns)
        identity = stamp(self.manifest, len(self.outcomes), text)  # checked on load
        write_parquet(self.outcomes, d / "outcomes.parquet", units, units,
                       identity)
        series = self.timeseries.attrs.get("units") or series_units()
        # the columns' dtypes, so that loading restores them exactly
        write_parquet(self.timeseries, d / "timeseries.parquet", series,
                       {"value": "see simulate.units (by variable)"},
                       {DTYPES_KEY: json.dumps({"timeseries": dtypes_of(self.timeseries)},
                                               default=str)})
        bands = self.bands
        bands.attrs = dict(self.timeseries.attrs)
        write_parquet(bands, d / "bands.parquet", series,
                       {"value": "see simulate.units (by variable)"},
                       {DTYPES_KEY: json.dumps({"bands": dtypes_of(bands)}, default=str)})
        regimes = self.regime_bands
        regimes.attrs = dict(self.timeseries.attrs)
        write_parquet(regimes, d / "regime_bands.parquet", series,
                      {"value": "see simulate.units (by variable)"},
                      {DTYPES_KEY: json.dumps({"regime_bands": dtypes_of(regimes)},
                                              default=str)})
        write_text_atomic(d / "summary.json", json.dumps(self.summary_dict(), indent=2) + "\n")
        if self.log:
            pd.DataFrame(self.log).to_csv(d / "events.csv", index=False)
        self.write_manifest(d)

    def write_manifest(self, d: Path) -> None:
        """Write ``manifest.json`` with the checksums of the files a run writes (its data
        files, ``events.csv`` and the report's files). A file the user put in the folder is
        not listed, so it never passes for the run's own (``run --force`` refuses to replace
        a folder that holds one)."""
        files = sorted(p for p in d.rglob("*") if p.is_file()
                       and not any(part.startswith(".") for part in p.relative_to(d).parts)
                       and is_own_file(p.relative_to(d).as_posix()))
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
            raise ResultsError(f"{d}: no such folder{_bundled_hint(d)}")
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
        check_listed_names(d, listed)
        for name in DATA_FILES:
            if not (d / name).is_file():
                raise ResultsError(f"{d}: {name} is missing")
            if name not in listed:
                raise ResultsError(f"{d}: {name} is not listed in manifest.json")
        if verify:
            for name, digest in listed.items():
                if ignore_derived and is_derived(name):
                    continue
                path = d / name
                if not path.is_file():
                    raise ResultsError(f"{d}: {name} is listed in manifest.json but missing")
                if sha256_file(path) != digest:
                    raise ResultsError(f"{d}: {name} does not match its checksum in "
                                       "manifest.json (modified after the run?)")
        data, positions = load_yaml(d / "scenario.yaml")
        scenario = validate(data, positions, str(d / "scenario.yaml"))
        fixed = manifest.get("fixed_uncertain", [])
        if not isinstance(fixed, list) or not all(isinstance(k, str) for k in fixed):
            raise ResultsError(f"{d / 'manifest.json'}: fixed_uncertain: expected a list of "
                               f"dotted keys, found {fixed!r:.80}")
        scenario._fixed_keys = tuple(fixed)  # uncertain keys the run's overrides fixed
        try:
            outcomes = pd.read_parquet(d / "outcomes.parquet")
            ts, bands = read_series(d)
            regime_bands = read_regime_bands(d)
            stored = _read_run_identity(d / "outcomes.parquet")
            summary = json.loads((d / "summary.json").read_text(encoding="utf-8"))
        except (OSError, ValueError, KeyError, TypeError, ImportError) as exc:
            raise ResultsError(f"{d}: cannot read the data files ({type(exc).__name__}: "
                               f"{str(exc)[:120]})") from None
        check_against_data(d, manifest, outcomes, (d / "scenario.yaml").read_bytes(),
                           stored, summary)
        log = pd.read_csv(d / "events.csv").to_dict("records") if (d / "events.csv").exists() \
            else None
        return cls(scenario, outcomes, ts, manifest, bands, log, regime_bands)

    # ----- replicates -------------------------------------------------------------------
    def trace(self, replicate: int) -> Any:
        """Replay replicate ``replicate`` (0-based) of this run alone with its event log: the
        run's scenario (overrides included) and seed, so its story is that of row
        ``replicate`` of ``outcomes``. Returns a :class:`simulate.trace.Trace`."""
        from ..limits import whole_number
        from ..trace import trace
        n = len(self.outcomes)
        k = whole_number(replicate, "replicate", 0, n - 1)
        seed = self.manifest.get("seed")
        if seed is None:
            raise ResultsError("this run's manifest has no seed: trace it with "
                               "simulate.trace(scenario, replicate, seed=...)")
        return trace(self.scenario, k, seed=int(seed))

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

    def to_xarray(self) -> xarray.Dataset:
        """The daily series as an xarray Dataset with a ``date`` axis: ``<series>``
        (quantiles over all replicates along ``quantile``), ``<series>_mean`` and
        ``<series>_kept`` (the kept replicates along ``replicate``); units in each
        variable's attrs. See :mod:`simulate.results.views`."""
        from .views import to_dataset
        return to_dataset(self)

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
            ci = "(no cases)" if _isnan(r.estimate) else "(too few values)" \
                if _isnan(r.ci_low) and r.kind == "median" else \
                f"[{format_number(r.ci_low)}, {format_number(r.ci_high)}]"
            spread = "" if _isnan(r.p05) else \
                f"{format_number(r.p05)} to {format_number(r.p95)}"
            rows.append(f"<tr><td style='text-align:left'>{e(str(r.label))}</td>"
                        f"<td>{e(format_number(r.estimate))}</td><td>{e(ci)}</td>"
                        f"<td>{e(spread)}</td>"
                        f"<td style='text-align:left'>{e(str(r.unit))}</td><td>{r.n:,}</td></tr>")
        desc = e(self.scenario.description.strip())
        return (f"<div class='simulate-results'><p><strong>simulate Results</strong>: "
                f"<code>{e(self.scenario.name)}</code>{' &mdash; ' + desc if desc else ''}</p>"
                f"<table>{head}</table>"
                "<table><thead><tr><th style='text-align:left'>metric</th><th>estimate</th>"
                "<th>95% CI of estimate</th><th>5-95% of replicates</th>"
                "<th style='text-align:left'>unit</th><th>n</th></tr></thead>"
                f"<tbody>{''.join(rows)}</tbody></table></div>")

    def __repr__(self) -> str:
        return (f"<Results {self.scenario.name}: {len(self.outcomes)} replicates, seed "
                f"{self.manifest.get('seed')}, engine {self.manifest.get('engine')}>")


def _read_run_identity(path: Path) -> dict | None:
    """The run identity stored in outcomes.parquet's metadata (None in older folders)."""
    import pyarrow.parquet as pq
    raw = (pq.read_schema(path).metadata or {}).get(RUN_KEY)
    return None if raw is None else dict(json.loads(raw))


def _bundled_hint(d: Path) -> str:
    """A hint when a missing results folder is the name of a bundled scenario."""
    from ..scenario.bundled import bundled_names
    if str(d) not in bundled_names():
        return ""
    return (f" ({str(d)!r} is a bundled scenario, not a results folder: run it with "
            f"simulate.run({str(d)!r}), or compare scenarios given as "
            f"simulate.load_scenario({str(d)!r}))")


def _isnan(x: Any) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


#: files of a run folder besides the data and the report's
EXTRA_FILES = ("events.csv",)


def is_own_file(name: str) -> bool:
    """Whether ``name`` (relative, with ``/``) is a file a run writes into its folder."""
    return (name in DATA_FILES or name in OPTIONAL_DATA_FILES or name in EXTRA_FILES
            or is_derived(name))


def is_derived(name: str) -> bool:
    """Whether a manifest entry belongs to the report (rebuilt by ``simulate report``)."""
    return any(name.startswith(d) if d.endswith("/") else name == d for d in DERIVED)

