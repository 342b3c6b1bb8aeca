"""The results of an experiment: design, per-point statistics, per-replicate scores.

An experiment folder holds ``manifest.json`` (provenance and the sha256 of every file),
``scenario.yaml`` (the resolved base scenario, experiment block included), ``design.parquet``
(one row per point: ``point`` and each factor's value), ``points.parquet`` (per point and
outcome: probability or mean, Monte Carlo standard error and 95% interval) and
``replicates.parquet`` (one row per point and replicate: each outcome and each sampled
parameter).
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..errors import ResultsError
from ..results.files import sha256_file, write_text_atomic
from ..results.results import scenario_text
from ..scenario import Scenario
from ..scenario.loader import validate
from ..scenario.messages import suggest
from ..scenario.yamlio import load_yaml
from .store import write_folder

if TYPE_CHECKING:  # pragma: no cover
    import xarray

__all__ = ["Experiment", "EXPERIMENT_FILES"]

EXPERIMENT_FILES = ("scenario.yaml", "design.parquet", "points.parquet", "replicates.parquet")


class Experiment:
    """Design points and their outcomes.

    ``design``: one row per point (``point`` then each factor's value); ``statistics``: long
    table (point, outcome, kind, estimate, se, ci_low, ci_high, n); ``replicates``: one row
    per (point, replicate) with each outcome's score and each sampled parameter.
    """

    def __init__(self, scenario: Scenario, design: pd.DataFrame, statistics: pd.DataFrame,
                 replicates: pd.DataFrame, manifest: dict[str, Any], *,
                 factors: list[dict[str, Any]], outcomes: list[str], binary: list[str]):
        self.scenario = scenario
        self.design = design
        self.statistics = statistics
        self.replicates = replicates
        self.manifest = manifest
        self.factors = factors
        self.outcomes = list(outcomes)
        self.binary = list(binary)

    # ----- views ------------------------------------------------------------------------
    @property
    def factor_keys(self) -> list[str]:
        return [f["key"] for f in self.factors]

    @property
    def levers(self) -> list[str]:
        return [f["key"] for f in self.factors if f["kind"] == "lever"]

    @property
    def uncertainties(self) -> list[str]:
        return [f["key"] for f in self.factors if f["kind"] == "uncertainty"]

    def _outcome(self, outcome: str | None) -> str:
        if outcome is None:
            return self.outcomes[0]
        if outcome not in self.outcomes:
            raise ResultsError(f"unknown outcome {outcome!r}: expected one of "
                               f"{', '.join(self.outcomes)}{suggest(outcome, self.outcomes)}")
        return outcome

    def table(self, outcome: str | None = None) -> pd.DataFrame:
        """One row per point: the factors, then the outcome's estimate, se and interval.
        ``outcome`` defaults to the experiment's first; the table's ``attrs["outcome"]``
        names the one it holds."""
        name = self._outcome(outcome)
        s = self.statistics[self.statistics["outcome"] == name].drop(columns="outcome")
        out = self.design.merge(s, on="point", how="left")
        out.attrs["outcome"] = name
        return out

    def points(self) -> pd.DataFrame:
        """Wide: one row per point, factors then ``<outcome>`` and ``<outcome> se`` columns."""
        wide = self.statistics.pivot(index="point", columns="outcome", values="estimate")
        se = self.statistics.pivot(index="point", columns="outcome", values="se")
        se.columns = [f"{c} se" for c in se.columns]
        out = self.design.set_index("point").join(wide[self.outcomes]).join(
            se[[f"{c} se" for c in self.outcomes]])
        return out.reset_index()

    def to_xarray(self) -> xarray.Dataset:
        """A Dataset of every outcome's estimate and se: indexed by the factors' values when
        the design is a full grid (factorial), by the levers and ``state`` for a crossed
        design, else by ``point`` with the factors as coordinates."""
        wide = self.points()
        keys = self.factor_keys
        grid = (keys and len(wide) == int(pd.MultiIndex.from_frame(wide[keys]).nunique())
                and len(wide) == _product(wide[k].nunique() for k in keys))
        if grid:
            return wide.drop(columns="point").set_index(keys).to_xarray()
        crossed = self._crossed(wide)
        if crossed is not None:
            return crossed
        ds = wide.set_index("point").to_xarray()
        return ds.set_coords(keys)

    def _crossed(self, wide: pd.DataFrame) -> xarray.Dataset | None:
        """Policies x states (a crossed design): dimensions = the levers and ``state``, the
        uncertainties' values as coordinates along ``state``; None for other designs."""
        levers, states = self.levers, self.uncertainties
        if not levers or not states:
            return None
        combos = wide[states].apply(tuple, axis=1)
        state = pd.Series(pd.factorize(combos)[0], index=wide.index, name="state")
        n_pol = _product(wide[k].nunique() for k in levers)
        if len(wide) != n_pol * state.nunique() or wide.assign(state=state).duplicated(
                [*levers, "state"]).any():
            return None
        frame = wide.assign(state=state).drop(columns="point")
        ds = frame.drop(columns=states).set_index([*levers, "state"]).to_xarray()
        first = frame.drop_duplicates("state").set_index("state")[states]
        return ds.assign_coords({k: ("state", first[k].to_numpy()) for k in states})

    def outcome_frame(self, outcome: str | None = None) -> pd.DataFrame:
        """Per-replicate scores of an outcome with the point's factor values."""
        name = self._outcome(outcome)
        return self.replicates[["point", "replicate", name]].merge(self.design, on="point")

    @property
    def plot(self) -> Any:
        """Figures (lazy import of :mod:`simulate.figures.experiments`): ``plot.lever(...)``,
        ``plot.heatmap(...)``, ``plot.parallel(...)``."""
        from ..figures import experiments as fig
        return _Plots(self, fig)

    # ----- persistence ------------------------------------------------------------------
    def save(self, directory: Path | str, overwrite: bool = False) -> Path:
        """Write the experiment folder atomically (refuses a non-empty one unless
        ``overwrite``)."""
        return write_folder(directory, self._write, kind="experiment", overwrite=overwrite)

    def _write(self, d: Path) -> None:
        write_text_atomic(d / "scenario.yaml", scenario_text(self.scenario))
        self.design.to_parquet(d / "design.parquet", index=False)
        self.statistics.to_parquet(d / "points.parquet", index=False)
        self.replicates.to_parquet(d / "replicates.parquet", index=False)
        m = dict(self.manifest)
        m["factors"] = self.factors
        m["outcomes"] = self.outcomes
        m["binary"] = self.binary
        m["files"] = {n: sha256_file(d / n) for n in EXPERIMENT_FILES}
        write_text_atomic(d / "manifest.json", json.dumps(m, indent=2, default=str) + "\n")

    @classmethod
    def load(cls, directory: Path | str, verify: bool = True) -> Experiment:
        """Read an experiment folder; refuse it if a file is missing or fails its checksum."""
        d = Path(directory)
        if not (d / "manifest.json").is_file():
            raise ResultsError(f"{d}: not an experiment folder (manifest.json is missing)")
        try:
            m = json.loads((d / "manifest.json").read_text())
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ResultsError(f"{d / 'manifest.json'}: not valid JSON ({exc})") from None
        if not isinstance(m, dict) or m.get("kind") != "experiment":
            raise ResultsError(f"{d}: not an experiment folder (written by 'simulate sweep')")
        for name in EXPERIMENT_FILES:
            if not (d / name).is_file():
                raise ResultsError(f"{d}: {name} is missing")
            if verify and sha256_file(d / name) != m.get("files", {}).get(name):
                raise ResultsError(f"{d}: {name} does not match its checksum in manifest.json")
        data, positions = load_yaml(d / "scenario.yaml")
        scenario = validate(data, positions, str(d / "scenario.yaml"))
        return cls(scenario, pd.read_parquet(d / "design.parquet"),
                   pd.read_parquet(d / "points.parquet"),
                   pd.read_parquet(d / "replicates.parquet"), m, factors=m["factors"],
                   outcomes=m["outcomes"], binary=m["binary"])

    def __repr__(self) -> str:
        return (f"<Experiment {self.scenario.name}: {len(self.design)} points x "
                f"{self.manifest.get('replicates')} replicates, factors "
                f"{', '.join(self.factor_keys)}; outcomes {', '.join(self.outcomes)}>")


def _product(values: Any) -> int:
    return functools.reduce(lambda a, b: a * b, values, 1)


class _Plots:
    """Bound figure functions of an experiment."""

    def __init__(self, ex: Experiment, module: Any):
        self._ex, self._m = ex, module

    def lever(self, lever: str, outcome: str | None = None, **kw: Any) -> Any:
        """The outcome's estimate against one lever (dotted key), averaged over the design
        points at each of its values, with 95% intervals; ``by=`` a second factor draws one
        line per value; ``outcome`` defaults to the experiment's first; ``ax=`` an axes to
        draw on. Returns the axes (:func:`simulate.figures.experiments.plot_lever`)."""
        return self._m.plot_lever(self._ex, lever, outcome, **kw)

    def heatmap(self, x: str, y: str, outcome: str | None = None, **kw: Any) -> Any:
        """The outcome's estimate over two factors (dotted keys ``x`` and ``y``), the mean
        over the other factors in each cell; numeric factors with many values are binned,
        cells without points hatched. Returns the axes
        (:func:`simulate.figures.experiments.plot_heatmap`)."""
        return self._m.plot_heatmap(self._ex, x, y, outcome, **kw)

    def parallel(self, outcome: str | None = None, **kw: Any) -> Any:
        """Parallel coordinates of the design points (numeric factors scaled to their
        range), coloured by the outcome's estimate. Returns the axes
        (:func:`simulate.figures.experiments.plot_parallel`)."""
        return self._m.plot_parallel(self._ex, outcome, **kw)
