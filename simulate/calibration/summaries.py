"""Summary statistics: each target's statistic computed from a run's daily series.

A target names a daily series (``variable``, ``actor``, or the sum of several actors'
series) and a calendar window; the window
becomes scenario days ``(first - start, last - start)``. Per replicate the statistic reduces
the window's daily values to one number (mean, first, last, min, max, change = last - first,
pct_change = 100 (last/first - 1)); a run's summary is the mean over its replicates. Targets
whose window is not inside the scenario's horizon, or whose series the run does not record
(an output of a later model version), are set aside with a note, never silently.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import ScenarioError
from ..scenario import Scenario
from .targets import Target, Targets, scenario_problems

__all__ = ["Mapped", "map_targets", "statistics", "series_matrix"]


@dataclass(frozen=True)
class Mapped:
    """Targets placed on a scenario's days: those used and those set aside (with why)."""

    names: tuple[str, ...]
    days: tuple[tuple[int, int], ...]          # inclusive day range per target
    targets: tuple[Target, ...]
    skipped: tuple[tuple[str, str], ...]       # (target name, reason)

    @property
    def observed(self) -> np.ndarray:
        return np.array([t.value for t in self.targets], dtype=float)

    @property
    def sd(self) -> np.ndarray:
        return np.array([t.sd for t in self.targets], dtype=float)

    def subset(self, use: str) -> Mapped:
        keep = [i for i, t in enumerate(self.targets) if t.use == use]
        return Mapped(tuple(self.names[i] for i in keep), tuple(self.days[i] for i in keep),
                      tuple(self.targets[i] for i in keep), self.skipped)


def map_targets(targets: Targets, scenario: Scenario,
                series: set[tuple[str, str]] | None = None) -> Mapped:
    """Place targets on the scenario's days; ``series`` is the (variable, actor) pairs a run
    records (from a pilot run), to set aside targets of series this model does not have.
    A target naming an actor the scenario does not have (a misspelt id) is an error."""
    problems = scenario_problems(targets, scenario)
    if problems:
        raise ScenarioError(problems)
    names, days, kept, skipped = [], [], [], []
    for name, t in targets.targets.items():
        a = (t.first_day - scenario.start).days
        b = (t.last_day - scenario.start).days
        if a < 0 or b > scenario.horizon_days:
            skipped.append((name, f"window {t.first_day}..{t.last_day} is outside the "
                                  f"scenario's days {scenario.start}..{scenario.end}"))
            continue
        missing = [a for a in t.actors if series is not None and (t.variable, a) not in series]
        if missing:
            skipped.append((name, f"the run records no series {t.variable!r} for actor "
                                  + ", ".join(repr(a) for a in missing)))
            continue
        names.append(name)
        days.append((a, b))
        kept.append(t)
    mapped = Mapped(tuple(names), tuple(days), tuple(kept), tuple(skipped))
    if not mapped.subset("fit").names:
        why = "; ".join(f"{n}: {r}" for n, r in skipped) or "the file has only checks"
        raise ScenarioError.from_text(
            f"expected at least one target (use: fit) inside scenario {scenario.name}, found "
            f"none ({why})", key="targets")
    return mapped


def series_matrix(timeseries: pd.DataFrame, variable: str, actor: str,
                  n_days: int) -> np.ndarray:
    """Daily values of one series, shape (replicates, days): row r is the r-th replicate kept
    (in replicate order); days not recorded are NaN."""
    mask = ((timeseries["variable"] == variable) & (timeseries["actor"] == actor)).to_numpy()
    reps = timeseries["replicate"].to_numpy()[mask]
    days = timeseries["day"].to_numpy()[mask].astype(np.int64)
    values = timeseries["value"].to_numpy(dtype=float)[mask]
    kept, row = np.unique(reps, return_inverse=True)
    out = np.full((len(kept), n_days + 1), np.nan)
    out[row, days] = values
    return out


def _reduce(values: np.ndarray, statistic: str) -> np.ndarray:
    """The statistic of each row of a window's values (rows: replicates)."""
    if statistic == "mean":
        return values.mean(axis=1)
    if statistic == "first":
        return values[:, 0]
    if statistic == "last":
        return values[:, -1]
    if statistic == "min":
        return values.min(axis=1)
    if statistic == "max":
        return values.max(axis=1)
    if statistic == "change":
        return values[:, -1] - values[:, 0]
    if statistic == "pct_change":
        with np.errstate(divide="ignore", invalid="ignore"):
            return 100.0 * (values[:, -1] / values[:, 0] - 1.0)
    raise ValueError(f"unknown statistic {statistic!r}")


def statistics(timeseries: pd.DataFrame, mapped: Mapped, n_days: int) -> np.ndarray:
    """Each target's statistic per replicate, shape (replicates, targets); a target naming
    several actors takes its statistic of the sum of their daily series."""
    cache: dict[tuple[str, str], np.ndarray] = {}
    cols = []
    for t, (a, b) in zip(mapped.targets, mapped.days, strict=True):
        for actor in t.actors:
            if (t.variable, actor) not in cache:
                cache[t.variable, actor] = series_matrix(timeseries, t.variable, actor, n_days)
        total = sum(cache[t.variable, actor][:, a:b + 1] for actor in t.actors)
        cols.append(_reduce(np.asarray(total), t.statistic))
    return np.column_stack(cols) if cols else np.zeros((0, 0))
