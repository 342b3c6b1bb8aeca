"""The Results of a run: tables, summary, provenance; saved to and loaded from a folder.

A results folder (design section 5) holds ``manifest.json`` (provenance and the sha256 of every
other file), ``scenario.yaml`` (resolved), ``outcomes.parquet``, ``timeseries.parquet`` and
``summary.json``; reports add ``figures/``, ``report.html`` and ``report.md``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import ResultsError
from ..scenario import Scenario, dump_yaml
from ..scenario.loader import validate
from ..scenario.yamlio import load_yaml
from .files import sha256_file, write_text_atomic
from .summary import summarize

__all__ = ["Results", "DATA_FILES", "scenario_text", "scenario_sha256"]

DATA_FILES = ("scenario.yaml", "outcomes.parquet", "timeseries.parquet", "summary.json")


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
    """

    def __init__(self, scenario: Scenario, outcomes: pd.DataFrame, timeseries: pd.DataFrame,
                 manifest: dict, bands: pd.DataFrame | None = None,
                 log: list[dict] | None = None):
        self.scenario = scenario
        self.outcomes = outcomes
        self.timeseries = timeseries
        self.bands = bands if bands is not None else pd.DataFrame(
            columns=["day", "date", "variable", "actor", "stat", "value"])
        self.manifest = manifest
        self.log = log or []

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
        self.outcomes.to_parquet(d / "outcomes.parquet", index=False)
        ts = self.timeseries.assign(stat="value")
        bands = self.bands.assign(replicate=-1)
        frame = pd.concat([ts, bands], ignore_index=True) if len(bands) else ts
        frame.to_parquet(d / "timeseries.parquet", index=False)
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
    def load(cls, directory: Path | str, verify: bool = True) -> Results:
        """Read a results folder; refuse it if a file is missing or fails its checksum."""
        d = Path(directory)
        if not (d / "manifest.json").is_file():
            raise ResultsError(f"{d}: not a results folder (manifest.json is missing)")
        try:
            manifest = json.loads((d / "manifest.json").read_text())
        except json.JSONDecodeError as exc:
            raise ResultsError(f"{d / 'manifest.json'}: not valid JSON ({exc})") from None
        listed = manifest.get("files", {})
        for name in DATA_FILES:
            if not (d / name).is_file():
                raise ResultsError(f"{d}: {name} is missing")
            if name not in listed:
                raise ResultsError(f"{d}: {name} is not listed in manifest.json")
        if verify:
            for name, digest in listed.items():
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
        log = pd.read_csv(d / "events.csv").to_dict("records") if (d / "events.csv").exists() \
            else None
        return cls(scenario, outcomes, ts, manifest, bands, log)

    def __repr__(self) -> str:
        return (f"<Results {self.scenario.name}: {len(self.outcomes)} replicates, seed "
                f"{self.manifest.get('seed')}, engine {self.manifest.get('engine')}>")


def _replace_dir(new: Path, target: Path) -> None:
    """Move folder ``new`` to ``target``, replacing it if present."""
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        os.replace(target, old)
        os.replace(new, target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(new, target)
