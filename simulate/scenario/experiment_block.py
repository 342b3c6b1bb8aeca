"""The ``experiment:`` block of a scenario: levers, uncertainties, outcomes of interest, design.

The split is the exploratory-modelling one: *levers* are what a policy maker controls (a
range ``{low, high}`` or a list of ``choices`` for any dotted key of the scenario);
*uncertainties* are keys of the scenario's ``uncertainty:`` block that the design varies
(the others stay drawn per replicate); *outcomes* are what each replicate is scored on.
A design point fixes every lever and design uncertainty and runs ``replicates`` replicates
on the common random numbers of ``seed``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, model_validator

from .dates import ScenarioDate
from .schema_base import StrictScalars

__all__ = ["Lever", "OnDate", "OverPeriod", "Outcomes", "Experiment", "experiment_findings"]

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


def experiment_findings(data: dict) -> list[tuple[str, str, bool]]:
    """(dotted key, message, at_key) for references of the experiment block that do not
    resolve: lever keys and uncertainty keys. (Series names and actors of outcomes are
    checked when the experiment runs, by :mod:`simulate.experiments.score`, which knows the
    engines' series.)"""
    from .keypaths import resolve_path
    from .yamlio import join_key

    block = data.get("experiment")
    if not isinstance(block, dict):
        return []
    out: list[tuple[str, str, bool]] = []
    found = data.get("uncertainty")
    uncertain: dict[str, Any] = found if isinstance(found, dict) else {}
    found = block.get("levers")
    levers: dict[str, Any] = found if isinstance(found, dict) else {}
    for key in levers:
        _, problem = resolve_path(data, str(key))
        if problem:
            out.append((join_key("experiment.levers", key), problem, True))
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
    return out

