"""The ``experiment:`` block of a scenario: levers, uncertainties, outcomes of interest, design.

The split is the exploratory-modelling one: *levers* are what a policy maker controls (a
range ``{low, high}`` or a list of ``choices`` for any dotted key of the scenario);
*uncertainties* are keys of the scenario's ``uncertainty:`` block that the design varies
(the others stay drawn per replicate); *outcomes* are what each replicate is scored on.
A design point fixes every lever and design uncertainty and runs ``replicates`` replicates
on the common random numbers of ``seed``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import ConfigDict, Field, model_validator

from .dates import ScenarioDate
from .outcome_columns import data_outcome_columns, is_category, is_indicator
from .schema_base import StrictScalars
from .series import SERIES, Axis, data_actors

if TYPE_CHECKING:
    from .findings import Horizon

__all__ = ["Lever", "OnDate", "OverPeriod", "Outcomes", "Experiment", "experiment_findings",
           "outcome_findings", "deal_outcome_name", "binary_outcomes", "PointCheck"]

Ident = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$")]


class _Model(StrictScalars):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Lever(_Model):
    """A policy lever: a numeric range (``low``, ``high``) or a list of ``choices``."""

    low: float | None = None
    high: float | None = None
    integer: bool = Field(False, description="round values of the range to whole numbers")
    levels: Annotated[int, Field(ge=2)] = Field(
        3, description="values of the range in a factorial design (evenly spaced)")
    choices: tuple[Any, ...] | None = Field(None, min_length=1)

    @model_validator(mode="after")
    def _check(self) -> Lever:
        if self.choices is not None:
            if self.low is not None or self.high is not None:
                raise ValueError("expected either choices or a range low..high, found both")
            return self
        if self.low is None or self.high is None:
            raise ValueError("expected a range {low, high} or a list of choices")
        if not self.low < self.high:
            raise ValueError(f"expected low < high, found low={self.low:g}, high={self.high:g}")
        return self

    def values(self) -> tuple[Any, ...]:
        """The values of a factorial design: the choices, or ``levels`` spaced values."""
        if self.choices is not None:
            return self.choices
        assert self.low is not None and self.high is not None
        step = (self.high - self.low) / (self.levels - 1)
        vals = [self.low + i * step for i in range(self.levels)]
        return tuple(dict.fromkeys(round(v) for v in vals)) if self.integer else tuple(vals)


class OnDate(_Model):
    """A daily variable on one date: its value, or whether it is below/above a threshold."""

    variable: str = Field(description="daily series name, e.g. volume_mbd")
    actor: str = Field("", description="importer or region id for series that have one")
    date: ScenarioDate
    below: float | None = Field(None, description="score 1 when the value is below this")
    above: float | None = Field(None, description="score 1 when the value is above this")


class OverPeriod(_Model):
    """A daily variable summed (or averaged) over a period [start, end], both inclusive."""

    variable: str
    actor: str = ""
    start: ScenarioDate = Field(alias="from")
    end: ScenarioDate = Field(alias="to")
    how: Literal["sum", "mean"] = "sum"
    scale: float = Field(1.0, description="factor applied to the result (e.g. 0.001: M -> bn)")


class Outcomes(_Model):
    """Outcomes of interest, scored for every replicate."""

    deal_within: tuple[Annotated[int, Field(ge=0)], ...] = Field(
        (90, 180, 365), description="days: deal_within_<d>d is 1 for a deal by day d")
    columns: tuple[str, ...] = Field(
        (), description="columns of the run's outcomes table, e.g. oil_revenue_busd")
    on_date: dict[Ident, OnDate] = Field(default_factory=dict)
    over_period: dict[Ident, OverPeriod] = Field(default_factory=dict)


class Experiment(_Model):
    """Levers, design uncertainties, outcomes and the design of an experiment."""

    levers: dict[str, Lever] = Field(default_factory=dict)
    uncertainties: tuple[str, ...] = Field(
        (), description="keys of the uncertainty: block varied by the design")
    outcomes: Outcomes = Field(default_factory=lambda: Outcomes.model_validate({}))
    design: Literal["factorial", "crossed", "lhs", "sobol", "table"] = Field(
        "lhs", description="factorial: every lever level x 3 levels of each uncertainty; "
                           "crossed: every lever combination x `points` Latin-hypercube "
                           "states of the uncertainties; lhs, sobol: `points` points over all")
    points: Annotated[int, Field(ge=1)] = 16
    replicates: Annotated[int, Field(ge=1)] = 200
    table: str | None = Field(None, description="CSV or Parquet file of design points "
                                                "(design: table), relative to the scenario")

    @model_validator(mode="after")
    def _check(self) -> Experiment:
        if not self.levers and not self.uncertainties and self.design != "table":
            raise ValueError("expected at least one lever or uncertainty to vary, found none "
                             "(an experiment that varies nothing is a plain run)")
        if self.design == "table" and not self.table:
            raise ValueError("design: table needs table: <file.csv|file.parquet>")
        if self.table and self.design != "table":
            raise ValueError(f"table: is only used with design: table, found design: "
                             f"{self.design}")
        return self


#: checks a design point: (dotted key, value) -> (key, message) problems the scenario would
#: have with the key set to the value that it does not have without (the loader's checks)
PointCheck = Callable[[str, Any], list[tuple[str, str]]]


def deal_outcome_name(days: int) -> str:
    """The id of the deal window of ``days`` days, ``deal_within_<days>d``: its outcome
    column and its headline metric (:mod:`simulate.results.metrics` names it
    ``deal_window_id``)."""
    return f"deal_within_{int(days)}d"


def binary_outcomes(outcomes: Outcomes) -> set[str]:
    """Outcomes that are 0/1 per replicate (their per-point statistic is a probability), by
    name: the deal windows, the ``on_date`` outcomes with ``below``/``above``, and the
    ``columns`` that are indicators of the model (``deal``, ``deal_by_deadline``...:
    :func:`~.outcome_columns.is_indicator`). Never read from the values:
    a count that happens to be 0 or 1 in every replicate stays a mean."""
    out = {deal_outcome_name(d) for d in outcomes.deal_within}
    out |= {k for k, v in outcomes.on_date.items() if v.below is not None or v.above is not None}
    out |= {c for c in outcomes.columns if is_indicator(c)}
    return out


def experiment_findings(data: dict, point: PointCheck | None = None,
                        ) -> list[tuple[str, str, bool]]:
    """(dotted key, message, at_key) for what is wrong in the experiment block that the
    typed validation cannot see: lever and uncertainty keys that do not resolve, lever
    values the scenario refuses (``point`` checks each one as the design point that sets it,
    so ``validate`` refuses what ``sweep`` would), and what :func:`outcome_findings` finds in
    the outcomes, ``columns`` included: the outcomes table's columns are listed from the
    data (per region, importer and buyer: :mod:`.outcome_columns`) without running."""
    from .findings import Horizon, as_dict
    from .keypaths import resolve_path
    from .yamlio import join_key

    block = data.get("experiment")
    if not isinstance(block, dict):
        return []
    out: list[tuple[str, str, bool]] = []
    uncertain = as_dict(data.get("uncertainty"))
    levers = as_dict(block.get("levers"))
    for key, spec in levers.items():
        annotation, problem = resolve_path(data, str(key))
        if problem:
            out.append((join_key("experiment.levers", key), problem, True))
        elif annotation is not None and point is not None:
            out += _lever_findings(str(key), spec, annotation, point,
                                   [str(k) for k in levers if k != key])
    unc = block.get("uncertainties")
    for i, key in enumerate(unc if isinstance(unc, list) else []):
        if key not in uncertain:
            known = ", ".join(map(str, uncertain)) or "none"
            out.append((f"experiment.uncertainties[{i}]",
                        f"expected a key of the uncertainty: block ({known}), found {key!r}",
                        False))
        elif key in levers:
            out.append((f"experiment.uncertainties[{i}]",
                        f"expected a key that is not also a lever, found {key!r}", False))
    out += outcome_findings(as_dict(block.get("outcomes")), Horizon(data), data_actors(data),
                            data_outcome_columns(data, counterfactual=True))
    return out


def outcome_findings(outcomes: dict, horizon: Horizon,
                     actors: Mapping[Axis, list[str] | None],
                     columns: Collection[str] | None = None) -> list[tuple[str, str, bool]]:
    """(dotted key, message, at_key) for what is wrong in the plain data of an ``outcomes:``
    block: series an outcome reads that a run does not record, actors a series does not have
    (``actors``: the ids per axis, :func:`.series.scenario_actors`; None for an axis not
    known), dates outside the horizon or in the wrong order, names used twice, and
    ``columns`` entries that are not numeric columns of the run's outcomes table
    (``columns``: its columns, :func:`.outcome_columns.outcome_columns` with the
    counterfactual's, which a sweep makes when one is named; None when not known)."""
    from .findings import as_dict, as_list

    return (_outcome_series_findings(outcomes, actors)
            + _outcome_column_findings(outcomes, columns)
            + _outcome_date_findings(outcomes, horizon)
            + _outcome_name_findings(outcomes, as_list, as_dict))


def _outcome_column_findings(outcomes: dict, columns: Collection[str] | None,
                             ) -> list[tuple[str, str, bool]]:
    """Each ``columns`` entry is a column of the run's outcomes table that holds a number
    per replicate: not ``replicate``, not a category, not a sampled parameter."""
    import difflib

    from .findings import as_list

    if columns is None:
        return []
    numeric = [c for c in columns if c != "replicate" and not is_category(c)]
    out: list[tuple[str, str, bool]] = []
    for i, col in enumerate(as_list(outcomes.get("columns"))):
        if not isinstance(col, str) or col in numeric:
            continue  # a wrong type is reported by the typed validation
        expected = "expected a numeric column of the run's outcomes table"
        if col in columns:
            why = ("the replicate's index" if col == "replicate" else
                   "a category (its per-point mean would mean nothing)")
            message = f"{expected}, found {col!r}, {why}"
        elif col.startswith("param:"):
            message = (f"{expected}, found {col!r}, a sampled parameter (every sampled "
                       "parameter is in the sweep's replicates table already; it is a "
                       "condition, not an outcome)")
        else:
            close = difflib.get_close_matches(col, numeric, n=3, cutoff=0.6)
            hint = (f"such as {', '.join(map(repr, close))}" if close
                    else f"one of {', '.join(numeric)}")
            message = f"{expected} ({hint}), found {col!r}"
        out.append((f"experiment.outcomes.columns[{i}]", message, False))
    return out


def _outcome_series_findings(outcomes: dict, actors: Mapping[Axis, list[str] | None],
                             ) -> list[tuple[str, str, bool]]:
    """Each ``on_date`` and ``over_period`` outcome reads a daily series a run records, and
    an actor of that series (``""`` for a scalar series)."""
    from .findings import as_dict
    from .messages import suggest

    out: list[tuple[str, str, bool]] = []
    for part in ("on_date", "over_period"):
        for name, spec in as_dict(outcomes.get(part)).items():
            key, spec = f"experiment.outcomes.{part}.{name}", as_dict(spec)
            variable, actor = spec.get("variable"), spec.get("actor", "")
            if not isinstance(variable, str):
                continue  # reported by the typed validation
            if variable not in SERIES:
                out.append((f"{key}.variable", f"expected a daily series ({', '.join(SERIES)}), "
                                               f"found {variable!r}" + suggest(variable, SERIES),
                            False))
                continue
            axis = SERIES[variable]
            allowed = actors.get(axis)
            if allowed is None or not isinstance(actor, str) or actor in allowed:
                continue
            if axis is None:
                message = (f"expected no actor for {variable} (one value a day), found "
                           f"{actor!r}")
            else:
                found = repr(actor) if actor else f"none (the series has one column per {axis})"
                message = f"expected one of {allowed} for {variable}, found {found}"
            out.append((f"{key}.actor", message + suggest(actor, allowed), False))
    return out


def _lever_findings(key: str, spec: Any, annotation: Any, point: PointCheck,
                    others: list[str]) -> list[tuple[str, str, bool]]:
    """Problems of the values of the lever on ``key``: each choice, or the ends of a range
    (a range on a whole-number key needs ``integer: true``). A conflict with another
    lever's key (``others``) is not reported: the design sets that key too, so the base
    value it conflicts with is never run with this one."""
    from pydantic import ValidationError

    from .messages import unwrap
    from .value_checks import written

    try:
        lever = Lever.model_validate(spec)
    except ValidationError:
        return []  # reported by the typed validation
    where = f"experiment.levers.{key}"
    if lever.choices is not None:
        values = [(f"{where}.choices[{i}]", v) for i, v in enumerate(lever.choices)]
    else:
        assert lever.low is not None and lever.high is not None
        if unwrap(annotation) is int and not lever.integer:
            return [(where, f"expected integer: true on a range over {key} (a whole number), "
                            f"found a range of any numbers from {lever.low:g} to "
                            f"{lever.high:g}", False)]
        ends = (round(lever.low), round(lever.high)) if lever.integer else (lever.low,
                                                                               lever.high)
        values = [(f"{where}.low", ends[0]), (f"{where}.high", ends[1])]
    out = []
    for at, value in values:
        problems = point(key, value)
        own = [m for k, m in problems if k == key]
        if own:
            out.append((at, own[0], False))
        elif problems := [(k, m) for k, m in problems
                          if not any(k == o or k.startswith(o + ".") or o.startswith(k + ".")
                                     for o in others)]:
            other, message = problems[0]
            out.append((at, f"expected a value of {key} that the rest of the scenario allows, "
                            f"found {written(value)}, with which {other}: {message}", False))
    return out


def _outcome_date_findings(outcomes: dict, horizon: Any) -> list[tuple[str, str, bool]]:
    """Dates of outcomes inside the horizon, and each period's ``from`` not after its
    ``to``."""
    from .findings import Finding, as_date, as_dict

    found: list[Finding] = []
    where = "experiment.outcomes"
    for name, spec in as_dict(outcomes.get("on_date")).items():
        horizon.check(as_dict(spec).get("date"), f"{where}.on_date.{name}.date", found)
    for name, spec in as_dict(outcomes.get("over_period")).items():
        spec = as_dict(spec)
        key = f"{where}.over_period.{name}"
        horizon.check(spec.get("from"), f"{key}.from", found)
        horizon.check(spec.get("to"), f"{key}.to", found)
        first, last = as_date(spec.get("from"), horizon.start), as_date(spec.get("to"),
                                                                          horizon.start)
        if first is not None and last is not None and first > last:
            found.append(Finding(f"{key}.to", f"expected a date on or after from ({first}), "
                                              f"found {last} (the period would be empty)"))
    return [(f.key, f.message, f.at_key) for f in found]


def _outcome_name_findings(outcomes: dict, as_list: Callable[[Any], list],
                           as_dict: Callable[[Any], dict]) -> list[tuple[str, str, bool]]:
    """Each outcome column named once: the deal windows' ``deal_within_<d>d``, the
    ``columns``, and the names of ``on_date`` and ``over_period`` outcomes."""
    where = "experiment.outcomes"
    windows = outcomes.get("deal_within", Outcomes.model_fields["deal_within"].default)
    named: list[tuple[str, str, str, bool]] = []  # (name, key, what it is, at_key)
    for i, days in enumerate(as_list(windows)):
        if isinstance(days, int) and not isinstance(days, bool):
            named.append((deal_outcome_name(days), f"{where}.deal_within[{i}]",
                          f"the deal window deal_within[{i}]", False))
    for i, col in enumerate(as_list(outcomes.get("columns"))):
        if isinstance(col, str):
            named.append((col, f"{where}.columns[{i}]", f"columns[{i}]", False))
    for part in ("on_date", "over_period"):
        for name in as_dict(outcomes.get(part)):
            named.append((str(name), f"{where}.{part}.{name}", f"{part}.{name}", True))
    out: list[tuple[str, str, bool]] = []
    first: dict[str, str] = {}
    for name, key, what, at_key in named:
        if name in first:
            out.append((key, f"expected an outcome name used once, found {name!r}, the name of "
                             f"{first[name]} too (the outcome table has one column per name)",
                        at_key))
        else:
            first[name] = what
    return out
