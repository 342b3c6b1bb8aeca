"""Design points of an experiment: factorial, Latin hypercube, Sobol' (scipy.stats.qmc), or a
table from a CSV/Parquet file.

A design lives in the unit hypercube, one column per factor (levers first, in file order,
then design uncertainties); each factor maps a unit value ``u`` to a scenario value: a lever
range to ``low + u (high - low)``, a lever's choices to the ``floor(u n)``-th choice, and an
uncertainty to its distribution's quantile ``ppf(u)`` (so a uniform design over
uncertainties is a draw from the scenario's own distributions).
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import Problem, ScenarioError
from ..scenario import Scenario, with_overrides
from ..scenario.bounds import NUMBER_TEXT
from ..scenario.experiment_block import Experiment, Lever

__all__ = ["Factor", "Design", "factors_of", "make_design", "design_from_unit", "read_table",
           "DESIGNS"]

DESIGNS = ("factorial", "crossed", "lhs", "sobol", "table")
#: unit values of uncertainties are kept this far from 0 and 1 (unbounded quantiles)
_EDGE = 1e-6


@dataclass(frozen=True)
class Factor:
    """One dimension of a design: a lever or a design uncertainty."""

    key: str
    kind: str  # "lever" | "uncertainty"
    lever: Lever | None = None
    dist: Any = None

    @property
    def numeric(self) -> bool:
        """Whether values are numbers that can be ordered (ranges, numeric choices)."""
        if self.lever is not None and self.lever.choices is not None:
            return all(isinstance(v, int | float) and not isinstance(v, bool)
                       for v in self.lever.choices)
        return not (self.dist is not None and getattr(self.dist, "dist", "") == "choice")

    def value(self, u: float) -> Any:
        """The scenario value at unit value ``u``."""
        if self.lever is not None:
            lv = self.lever
            if lv.choices is not None:
                return lv.choices[min(int(math.floor(u * len(lv.choices))), len(lv.choices) - 1)]
            assert lv.low is not None and lv.high is not None
            v = lv.low + float(u) * (lv.high - lv.low)
            return int(round(v)) if lv.integer else v
        out = self.dist.ppf(np.array([min(max(float(u), _EDGE), 1 - _EDGE)]))[0]
        return out.item() if hasattr(out, "item") else out

    def values(self, u: np.ndarray) -> list[Any]:
        """Scenario values at many unit values (one quantile-function call for an
        uncertainty)."""
        if self.lever is not None:
            return [self.value(x) for x in u]
        out = self.dist.ppf(np.clip(np.asarray(u, dtype=float), _EDGE, 1 - _EDGE))
        return [v.item() if hasattr(v, "item") else v for v in np.asarray(out).reshape(-1)]

    def factorial_units(self) -> list[float]:
        """Unit values of this factor's levels in a full factorial design."""
        if self.lever is not None:
            n = len(self.lever.values())
            if self.lever.choices is not None:
                return [(i + 0.5) / n for i in range(n)]
            return [i / (n - 1) for i in range(n)]
        return [1 / 6, 0.5, 5 / 6]  # low, middle and high third of the distribution


@dataclass
class Design:
    """Design points: ``unit`` (points x factors in [0, 1], NaN for table designs) and
    ``values`` (one row per point: ``point`` then one column per factor key)."""

    factors: list[Factor]
    unit: np.ndarray
    values: pd.DataFrame
    kind: str

    @property
    def keys(self) -> list[str]:
        return [f.key for f in self.factors]

    def __len__(self) -> int:
        return len(self.values)

    def overrides(self, i: int) -> dict[str, Any]:
        """The dotted-key overrides of point ``i``."""
        row = self.values.iloc[i]
        return {k: _plain(row[k]) for k in self.keys}


def _plain(v: Any) -> Any:
    if isinstance(v, np.generic):
        return v.item()
    return v


def factors_of(scenario: Scenario, experiment: Experiment | None = None) -> list[Factor]:
    """Levers then design uncertainties of the scenario's experiment block."""
    exp = experiment or scenario.experiment
    if exp is None:
        raise ScenarioError.from_text(f"scenario {scenario.name!r} has no experiment: block "
                                      "(levers, uncertainties, outcomes, design)")
    out = [Factor(k, "lever", lever=lv) for k, lv in exp.levers.items()]
    for key in exp.uncertainties:
        if key not in scenario.uncertainty:
            raise ScenarioError.from_text(f"experiment.uncertainties: {key!r} is not a key of "
                                          "the uncertainty: block")
        out.append(Factor(key, "uncertainty", dist=scenario.uncertainty[key]))
    return out


def design_from_unit(factors: list[Factor], unit: np.ndarray, kind: str) -> Design:
    """A design from unit values (rows: points; columns: factors)."""
    unit = np.asarray(unit, dtype=float).reshape(-1, len(factors))
    cols: dict[str, list[Any]] = {"point": list(range(len(unit)))}
    for j, f in enumerate(factors):
        cols[f.key] = f.values(unit[:, j])
    return Design(factors, unit, pd.DataFrame(cols), kind)


def make_design(scenario: Scenario, *, design: str | None = None, points: int | None = None,
                seed: int = 0, table: Path | str | None = None) -> Design:
    """The design of a scenario's experiment (``design``/``points`` override the block's)."""
    exp = scenario.experiment
    factors = factors_of(scenario)
    assert exp is not None
    kind = design or exp.design
    n = int(points or exp.points)
    if kind not in DESIGNS:
        raise ScenarioError.from_text(f"unknown design {kind!r}: expected one of {DESIGNS}")
    d = len(factors)
    if kind == "table":
        return read_table(scenario, table or exp.table)
    if d == 0:
        raise ScenarioError.from_text("the experiment varies nothing: add levers or "
                                      "uncertainties")
    from scipy.stats import qmc
    if kind == "factorial":
        grids = np.meshgrid(*[f.factorial_units() for f in factors], indexing="ij")
        unit = np.stack([g.reshape(-1) for g in grids], axis=1)
    elif kind == "crossed":  # policies x states of the world
        lev = [f for f in factors if f.kind == "lever"]
        unc = [f for f in factors if f.kind == "uncertainty"]
        grids = np.meshgrid(*[f.factorial_units() for f in lev], indexing="ij")
        pol = np.stack([g.reshape(-1) for g in grids], axis=1) if lev else np.zeros((1, 0))
        states = (qmc.LatinHypercube(d=len(unc), seed=np.random.default_rng(seed)).random(n)
                  if unc else np.zeros((1, 0)))
        unit = np.hstack([np.repeat(pol, len(states), axis=0), np.tile(states, (len(pol), 1))])
        factors = lev + unc
    elif kind == "lhs":
        unit = qmc.LatinHypercube(d=d, seed=np.random.default_rng(seed)).random(n)
    else:
        if n < 1 or n & (n - 1):
            # a Sobol' sequence is balanced only in blocks of 2^m points; a cut block is not
            low = 1 << max(int(math.floor(math.log2(max(n, 1)))), 0)
            raise ScenarioError.from_text(
                f"expected a power of 2 for the points of a sobol design (its balance holds "
                f"only for 2^m points), found {n}: use {low} or {2 * low}", key="points")
        sampler = qmc.Sobol(d=d, scramble=True, seed=np.random.default_rng(seed))
        unit = sampler.random_base2(int(math.log2(n)))
    return design_from_unit(factors, unit, kind)


def read_table(scenario: Scenario, path: Path | str | None) -> Design:
    """Design points from a CSV or Parquet file: one column per dotted key, one row per
    point (any external design). Every row must give a valid scenario.

    A CSV cell is a number when it is written in decimal (``0.3``, ``-2``, ``1e-3``:
    :data:`~simulate.scenario.bounds.NUMBER_TEXT`), true or false a boolean, and anything
    else its text as written, for the scenario's checks to judge (``0,3`` is text, refused
    where a number is expected). Problems are named ``file:row:column`` (the header is row
    1), every one at once."""
    if path is None:
        raise ScenarioError.from_text("design: table needs a table file (CSV or Parquet)")
    p = Path(path)
    if not p.is_file():
        raise ScenarioError.from_text(f"{p}: no such design table")
    if p.suffix.lower() in (".parquet", ".pq"):
        try:
            frame = pd.read_parquet(p)
        except Exception as exc:  # noqa: BLE001 - any reader error is the user's file
            raise ScenarioError.from_text(f"{p}: cannot read the design table ({exc})") from None
        problems = _header_problems(str(p), [str(c) for c in frame.columns])
        if problems:
            raise ScenarioError(problems)
        rows = list(range(2, len(frame) + 2))
    else:
        frame, rows = _read_csv(p)
    columns = {str(k): n for n, k in enumerate(frame.columns, start=1)}  # as in the file
    if "point" in frame:
        frame = frame.drop(columns=["point"])
    if frame.empty or not len(frame.columns):
        raise ScenarioError.from_text(f"{p}: expected a header of dotted keys and at least one "
                                      "row, found none")
    exp = scenario.experiment
    factors = []
    for key in map(str, frame.columns):
        lever = exp.levers.get(key) if exp else None
        if key in scenario.uncertainty:
            factors.append(Factor(key, "uncertainty", dist=scenario.uncertainty[key]))
        else:
            factors.append(Factor(key, "lever", lever=lever))
    values = frame.reset_index(drop=True)
    values.insert(0, "point", np.arange(len(values)))
    d = Design(factors, np.full((len(values), len(factors)), np.nan), values, "table")
    found: list[Problem] = []
    for i in range(len(d)):
        try:
            point_scenario(scenario, d.overrides(i))
        except ScenarioError as exc:
            found += [Problem(str(p), rows[i], columns.get(q.key, 0), q.key, q.message)
                      for q in exc.problems]
    if found:
        raise ScenarioError(found)
    return d


def _read_csv(p: Path) -> tuple[pd.DataFrame, list[int]]:
    """The values of a CSV design table (:func:`read_table`) and the row of each point;
    refuses a header that repeats or leaves out a key, a row with more or fewer values than
    the header, and an empty cell."""
    try:
        text = p.read_text(encoding="utf-8-sig")
        reader = csv.reader(io.StringIO(text, newline=""))
        records = [(reader.line_num, row) for row in reader]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ScenarioError.from_text(f"{p}: cannot read the design table ({exc})") from None
    records = [(n, row) for n, row in records if any(c.strip() for c in row)]
    if not records:
        return pd.DataFrame(), []
    header = [c.strip() for c in records[0][1]]
    problems = _header_problems(str(p), header)
    cells: list[list[Any]] = []
    for line, row in records[1:]:
        if len(row) != len(header):
            hint = (" (a value with a comma must be quoted; a number takes a decimal point: "
                    "0.3)") if len(row) > len(header) else ""
            problems.append(Problem(str(p), line, 0, "", (
                f"expected {len(header)} value{'s' * (len(header) != 1)}, one per column of "
                f"the header, found {len(row)}: {','.join(row)!r}{hint}")))
            continue
        for n, (key, cell) in enumerate(zip(header, row, strict=True), start=1):
            if not cell.strip():
                problems.append(Problem(str(p), line, n, key,
                                        "expected a value, found an empty cell"))
        cells.append([_cell(c) for c in row])
    if problems:
        raise ScenarioError(problems)
    frame = pd.DataFrame({k: [r[n] for r in cells] for n, k in enumerate(header)},
                         columns=header)
    return frame, [line for line, _ in records[1:]]


def _header_problems(file: str, names: list[str]) -> list[Problem]:
    """A design table's header names each column, each key once."""
    problems = [Problem(file, 1, n, "", f"expected a dotted key as the name of column {n}, "
                                        "found an empty name")
                for n, name in enumerate(names, start=1) if not name]
    where: dict[str, list[int]] = {}
    for n, name in enumerate(names, start=1):
        where.setdefault(name, []).append(n)
    for name, cols in where.items():
        if name and len(cols) > 1:
            times = "twice" if len(cols) == 2 else f"{len(cols)} times"
            listed = ", ".join(map(str, cols[:-1])) + f" and {cols[-1]}"
            problems.append(Problem(file, 1, cols[1], name, (
                f"expected each key once in the header, found column {name!r} {times} "
                f"(columns {listed})")))
    return problems


def _cell(text: str) -> Any:
    """A CSV cell as a value: a number written in decimal, true/false, else the text."""
    written = text.strip()
    if NUMBER_TEXT.match(written):
        try:
            return int(written)
        except ValueError:
            return float(written)
    if written.lower() in ("true", "false"):
        return written.lower() == "true"
    return written


def point_scenario(scenario: Scenario, overrides: Mapping[str, Any]) -> Scenario:
    """The scenario of one design point: levers and design uncertainties fixed, and no
    experiment block (a point is a plain scenario)."""
    return with_overrides(scenario, {**overrides, "experiment": None}, announce=False)
