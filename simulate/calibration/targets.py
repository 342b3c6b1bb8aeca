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
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import ConfigDict, Field, PrivateAttr, ValidationError, model_validator

from ..engines.record import SERIES, scenario_actors
from ..errors import Problem, ScenarioError
from ..results.tables import UNITS
from ..scenario.messages import describe, nearest, problems_from_validation, suggest
from ..scenario.schema_base import StrictScalars
from ..scenario.yamlio import Position, read_yaml

if TYPE_CHECKING:
    from ..scenario import Scenario

__all__ = ["Target", "TargetSource", "Targets", "load_targets", "scenario_problems",
           "STATISTICS", "SERIES_UNITS", "TARGETS_SCHEMA_VERSION"]

TARGETS_SCHEMA_VERSION = 1

#: how a target reduces the daily values of its window to one number
STATISTICS = ("mean", "first", "last", "min", "max", "change", "pct_change")

#: unit of each daily series a target may name (``Results.timeseries`` variables: the
#: recorder's series, in the units of the results tables); ``change`` keeps the unit,
#: ``pct_change`` is in percent
SERIES_UNITS = {name: UNITS[name] for name in SERIES}

Ident = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_\-]*$")]


class _Model(StrictScalars):
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

    #: where each key of the file was written (set by :func:`load_targets`)
    _positions: dict[str, Position] = PrivateAttr(default_factory=dict)
    _file: str = PrivateAttr(default="targets")

    def fitted(self) -> dict[str, Target]:
        """Targets that are summary statistics of the calibration (``use: fit``)."""
        return {k: t for k, t in self.targets.items() if t.use == "fit"}


def _problem(positions: dict[str, Position], file: str, key: str, message: str) -> Problem:
    pos = positions.get(key) or Position(file, 0, 0)
    return Problem(pos.file, pos.line, pos.column, key, message)


def _cross_check(t: Targets, positions: dict[str, Position], file: str) -> list[Problem]:
    """Sources named by targets exist and were published by the vintage; variables are
    series of the model."""
    problems = []

    def at(key: str, message: str) -> None:
        problems.append(_problem(positions, file, key, message))

    for name, target in t.targets.items():
        if target.variable not in SERIES:
            at(f"targets.{name}.variable", f"expected a daily series of the model, found "
                                           f"{target.variable!r}"
               + (suggest(target.variable, SERIES) or " (the series are listed in "
                  "simulate.calibration.SERIES_UNITS)"))
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
    targets._positions, targets._file = positions, file
    return targets


_KINDS = {"importer": "an importer", "buyer": "a buyer (IMPORTER.buyer)", "region": "a region"}


def _actor_problem(variable: str, actor: str, ids: dict[str | None, list[str]],
                   roles: dict[str, str], scenario_name: str) -> str | None:
    """Why ``actor`` has no series ``variable`` in a scenario whose actor ids per series
    kind are ``ids`` (None if it has one)."""
    kind = SERIES[variable]
    known = ids.get(kind, [])
    if actor in known:
        return None
    if kind is None:
        return (f"expected '' ({variable} is a world series: it has no actor), found "
                f"{describe(actor)}")
    listed = f" ({', '.join(known)})" if 0 < len(known) <= 12 else ""
    found = repr(actor) if actor else "'' (no actor)"
    what = roles.get(actor)
    if what is not None:
        found += f", which is {'an' if what[0] in 'aeiou' else 'a'} {what}"
    elif actor in ids.get("region", []):
        found += ", which is a region"
    hint = suggest(actor, known) if actor else ""
    return (f"expected {_KINDS[kind]} of scenario {scenario_name}{listed}, found {found}"
            f"{hint}")


def scenario_problems(targets: Targets, scenario: Scenario) -> list[Problem]:
    """Targets that name a series the scenario cannot have: an actor (importer, buyer,
    region) it does not have, or an actor of the wrong kind for the variable. Such a
    target is a mistake of the file (a misspelt id), not one to set aside."""
    ids = scenario_actors(scenario)
    roles: dict[str, str] = {aid: a.role for aid, a in scenario.actors.items()}
    problems = []
    for name, t in targets.targets.items():
        if t.variable not in SERIES:  # a Targets built in Python, not read by load_targets
            problems.append(_problem(targets._positions, targets._file,
                                     f"targets.{name}.variable",
                                     f"expected a daily series of the model, found "
                                     f"{t.variable!r}" + suggest(t.variable, SERIES)))
            continue
        for i, actor in enumerate(t.actors):
            message = _actor_problem(t.variable, actor, ids, roles, scenario.name)
            if message is None:
                continue
            key = f"targets.{name}.actor" + (f"[{i}]" if isinstance(t.actor, tuple) else "")
            if key not in targets._positions:
                key = f"targets.{name}.actor"
                if key not in targets._positions:
                    key = f"targets.{name}"
            problems.append(_problem(targets._positions, targets._file, key, message))
    return problems
