"""Observed targets of a calibration: what was measured, when, how well, by whom, as of when.

A targets file (YAML) lists observed quantities and the model output each corresponds to:
a daily series ``variable`` (as in ``Results.timeseries``) for an ``actor`` (importer,
region, buyer ``IMPORTER.buyer``, or ``""`` for world-level series; a list of actors of an
additive mb/d series names their sum, e.g. a country's seaborne buyers), reduced over a
calendar ``window`` (or one ``date``) by a ``statistic``. Each value carries its unit
(checked against the variable's unit), its measurement uncertainty ``sd`` (one standard
deviation, in the value's unit: e.g. the 0.2-0.4 mb/d by which vendors' import series
disagree), its source and the date that source was published. The file names its data
``vintage``: no value published after it is used. Files are read with the scenario reader,
so every problem names file, line, column and key, with what was expected and what was
found.
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..engines.record import SERIES
from ..errors import Problem, ScenarioError
from ..results.tables import UNITS
from ..scenario.messages import nearest, problems_from_validation
from ..scenario.yamlio import Position, read_yaml

__all__ = ["Target", "TargetSource", "Targets", "load_targets", "STATISTICS", "SERIES_UNITS",
           "TARGETS_SCHEMA_VERSION"]

TARGETS_SCHEMA_VERSION = 1

#: how a target reduces the daily values of its window to one number
STATISTICS = ("mean", "first", "last", "min", "max", "change", "pct_change")

#: unit of each daily series a target may name (``Results.timeseries`` variables: the
#: recorder's series, in the units of the results tables); ``change`` keeps the unit,
#: ``pct_change`` is in percent
SERIES_UNITS = {name: UNITS[name] for name in SERIES}

Ident = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_\-]*$")]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TargetSource(_Model):
    """Where observed values come from: publication, date, address."""

    title: str
    url: str | None = None
    date: _dt.date | None = Field(None, description="date the source was published")
    vendor: str | None = Field(None, description="data vendor behind the figure (Kpler, "
                                                 "Vortexa, Argus, customs, ...)")
    note: str | None = None


class Target(_Model):
    """One observed quantity and the model output it is compared with."""

    quantity: str = Field(description="what was measured, in words")
    variable: str = Field(description="daily series of the model (Results.timeseries)")
    actor: str | tuple[str, ...] = Field(
        "", description="importer, region or buyer id (IMPORTER.buyer); '' for world series; "
                        "a list of ids of an mb/d series: their sum")
    date: _dt.date | None = Field(None, description="the day observed (or use window)")
    window: tuple[_dt.date, _dt.date] | None = Field(
        None, description="first and last day (inclusive) the statistic is taken over")
    statistic: Literal["mean", "first", "last", "min", "max", "change", "pct_change"] = "mean"
    value: float = Field(description="observed value, in unit")
    unit: str
    sd: Annotated[float, Field(gt=0.0)] = Field(
        description="measurement uncertainty, one standard deviation, in unit")
    source: Ident = Field(description="id of an entry of sources")
    use: Literal["fit", "check"] = Field(
        "fit", description="fit: a summary statistic of the calibration; check: only in the "
                           "posterior predictive check")
    note: str | None = Field(None, description="caveats, and the v2 output it will map to")

    @model_validator(mode="after")
    def _when(self) -> Target:
        if (self.date is None) == (self.window is None):
            raise ValueError("expected either date or window (one of them), found "
                             + ("both" if self.date is not None else "neither"))
        if self.window is not None and self.window[1] < self.window[0]:
            raise ValueError(f"expected a window [first, last] with first <= last, found "
                             f"[{self.window[0]}, {self.window[1]}]")
        want = SERIES_UNITS.get(self.variable)
        if isinstance(self.actor, tuple):
            if len(self.actor) < 2 or len(set(self.actor)) != len(self.actor):
                raise ValueError(f"expected a list of two or more distinct actor ids (a sum), "
                                 f"found {list(self.actor)}")
            if want != "mb/d":
                raise ValueError(f"expected one actor for {self.variable} (only mb/d volumes "
                                 f"add up), found the list {list(self.actor)}")
        if want is not None:
            if self.statistic == "pct_change":
                want = "%"
            if self.unit != want:
                raise ValueError(f"expected unit {want!r} for {self.statistic} of "
                                 f"{self.variable}, found {self.unit!r}")
        return self

    @property
    def actors(self) -> tuple[str, ...]:
        """The actor ids whose series are summed (one for a single series)."""
        return self.actor if isinstance(self.actor, tuple) else (self.actor,)

    @property
    def actor_label(self) -> str:
        """The actor as text: ids joined by '+' for a sum."""
        return "+".join(self.actors)

    @property
    def first_day(self) -> _dt.date:
        return self.window[0] if self.window is not None else self.date  # type: ignore

    @property
    def last_day(self) -> _dt.date:
        return self.window[1] if self.window is not None else self.date  # type: ignore


class Targets(_Model):
    """A targets file: observed values for one episode, as of one data vintage."""

    schema_: Literal[1] = Field(1, alias="schema")
    name: Ident
    description: str = ""
    episode: str = Field("", description="the episode of shared/data/calibration-episodes.md")
    vintage: _dt.date = Field(description="data as published on or before this date")
    retrieved: _dt.date = Field(description="date the values were collected into the "
                                            "project")
    sources: dict[str, TargetSource] = Field(min_length=1)
    targets: dict[str, Target] = Field(min_length=1)

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    def fitted(self) -> dict[str, Target]:
        """Targets that are summary statistics of the calibration (``use: fit``)."""
        return {k: t for k, t in self.targets.items() if t.use == "fit"}


def _cross_check(t: Targets, positions: dict[str, Position], file: str) -> list[Problem]:
    """Sources named by targets exist and were published by the vintage."""
    problems = []

    def at(key: str, message: str) -> None:
        pos = positions.get(key) or Position(file, 0, 0)
        problems.append(Problem(pos.file, pos.line, pos.column, key, message))

    for name, target in t.targets.items():
        if target.source not in t.sources:
            at(f"targets.{name}.source", f"expected the id of an entry of sources, found "
                                         f"{target.source!r}{nearest(target.source, t.sources)}")
    for name, src in t.sources.items():
        if src.date is not None and src.date > t.vintage:
            at(f"sources.{name}.date", f"expected a date on or before the vintage {t.vintage} "
                                       f"(later data are held out), found {src.date}")
    return problems


def load_targets(path: Path | str) -> Targets:
    """Read and validate a targets file; raise :class:`ScenarioError` with every problem."""
    file = str(path)
    data, positions, problems, _ = read_yaml(path, name=file)
    if problems:
        raise ScenarioError(problems)
    if not isinstance(data, dict):
        raise ScenarioError(Problem(file, 1 if data is not None else 0, 1 if data else 0, "",
                                    "expected a mapping of targets-file keys, found "
                                    + ("an empty file" if data is None else "a " +
                                       type(data).__name__)))
    try:
        targets = Targets.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(problems_from_validation(exc, data, positions, Targets, file)) \
            from None
    problems = _cross_check(targets, positions, file)
    if problems:
        raise ScenarioError(problems)
    return targets
