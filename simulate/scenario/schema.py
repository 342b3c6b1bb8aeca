"""The scenario format as typed, immutable value classes (pydantic).

Units are in each field's description and end up in the published JSON Schema:
mb/d = million barrels per day; USD/bbl; USD bn = billions of US dollars per year unless said;
shares are fractions in [0, 1]; ``share-eq`` is a cost measured in equivalent shares of the
contested territory (the unit in which belligerents compare war and settlement).

The parts live in modules named for what they hold (``war``, ``measures``, ``trade``,
``negotiation``, ``schema_base``); this module assembles the whole :class:`Scenario` and
re-exports every part, so ``from simulate.scenario.schema import X`` keeps working.
"""

from __future__ import annotations

import datetime as _dt
from typing import Annotated, Any, Literal

from pydantic import Field, PrivateAttr, model_validator

from .distributions import Distribution
from .experiment_block import Experiment
from .measures import CompanySanctions, Pressure, Sanctioner, SecondaryTariff, Threat
from .negotiation import Action, Negotiation, Talks
from .schema_base import Ident, ScenarioModel, Source
from .trade import Buyer, Importer, Market, Supplier
from .war import Belligerent, Learning, Region, Strikes

__all__ = [
    "SCHEMA_VERSION", "Source", "Region", "Strikes", "Learning", "Belligerent",
    "SecondaryTariff", "CompanySanctions", "Threat", "Pressure", "Sanctioner", "Buyer",
    "Importer", "Supplier", "Actor",
    "Market", "Talks", "Negotiation", "Action", "Experiment", "Ensemble", "Outputs", "Scenario",
]

SCHEMA_VERSION: Literal[1] = 1

Actor = Annotated[Belligerent | Sanctioner | Importer | Supplier, Field(discriminator="role")]


class Ensemble(ScenarioModel):
    replicates: Annotated[int, Field(ge=1)] = 1000
    seed: Annotated[int, Field(ge=0, lt=2**63)] = 0
    chunk_size: Annotated[int, Field(ge=1)] = 10_000


class Outputs(ScenarioModel):
    counterfactual: bool = Field(False, description="rerun each replicate without the "
                                                    "measures, on the same random numbers")
    keep_series: Annotated[int, Field(ge=0)] = Field(
        100, description="replicates whose full daily series are kept")
    deal_within: tuple[Annotated[int, Field(ge=1, le=36500)], ...] | None = Field(
        None, description="deal windows of the summary, days after the start (default 30, 90, "
                          "180, 365; windows not shorter than the horizon are dropped)")
    report: bool = True


class Scenario(ScenarioModel):
    """A whole scenario, resolved: ``extends`` merged, offsets turned into dates."""

    schema_: Literal[1] = Field(SCHEMA_VERSION, alias="schema")
    name: Ident
    description: str = ""
    sources: dict[str, Source] = Field(default_factory=dict)
    cite: dict[str, str] = Field(
        default_factory=dict, description="dotted key -> source id, or 'assumption'")
    start: _dt.date
    horizon_days: Annotated[int, Field(ge=1, le=3650)]
    regions: dict[str, Region] = Field(min_length=1)
    actors: dict[str, Actor] = Field(min_length=1)
    market: Market
    negotiation: Negotiation = Negotiation()
    timeline: tuple[Action, ...] = ()
    uncertainty: dict[str, Distribution] = Field(
        default_factory=dict, json_schema_extra={"properties": {"from_posterior": {
            "type": "string", "description": "posterior Parquet file of simulate calibrate: "
            "its keys are drawn jointly, one particle per replicate (relative to this file)"}}})
    experiment: Experiment | None = Field(
        None, description="levers, uncertainties, outcomes and design of an experiment "
                          "(simulate sweep / sensitivity / discover)")
    ensemble: Ensemble = Ensemble()
    outputs: Outputs = Outputs()

    #: uncertain keys fixed by overrides (their distributions dropped); not part of the file
    _fixed_keys: tuple[str, ...] = PrivateAttr(default=())
    #: ``uncertainty.from_posterior`` (absolute path), kept apart from the distributions
    _posterior_file: str | None = PrivateAttr(default=None)

    @model_validator(mode="wrap")
    @classmethod
    def _from_posterior(cls, data: Any, handler: Any) -> Any:
        """Take ``uncertainty.from_posterior`` (a path) out of the distributions."""
        path = None
        unc = data.get("uncertainty") if isinstance(data, dict) else None
        if isinstance(unc, dict) and isinstance(unc.get("from_posterior"), str):
            path = unc["from_posterior"]
            data = {**data, "uncertainty": {k: v for k, v in unc.items()
                                            if k != "from_posterior"}}
        model = handler(data)
        if path is not None:
            model._posterior_file = path
        return model

    @property
    def posterior_file(self) -> str | None:
        """The posterior its uncertain keys are drawn from jointly (``from_posterior``)."""
        return self._posterior_file

    @property
    def fixed_keys(self) -> tuple[str, ...]:
        """Keys of ``uncertainty:`` that overrides fixed at a value (for the manifest)."""
        return self._fixed_keys

    def __repr__(self) -> str:
        """One line: name, start, horizon (days), actors, uncertain parameters."""
        drawn = f"{len(self.uncertainty)} uncertain"
        if self._posterior_file is not None:
            drawn += " + a posterior"
        if self._fixed_keys:
            drawn += f", {len(self._fixed_keys)} fixed by overrides"
        return (f"<Scenario {self.name}: start {self.start.isoformat()}, {self.horizon_days} "
                f"days, actors {', '.join(self.actors)}; {drawn}>")

    # ----- convenience views used by the model and the report --------------------------
    def actors_of(self, role: str) -> dict[str, Any]:
        """Actors with the given role, in file order."""
        return {k: a for k, a in self.actors.items() if a.role == role}

    @property
    def end(self) -> _dt.date:
        return self.start + _dt.timedelta(days=self.horizon_days)

    def to_data(self) -> dict[str, Any]:
        """Plain data of the resolved scenario: dicts, lists, numbers, text and dates."""
        data = _plain(self.model_dump(by_alias=True, exclude_none=True))
        if self._posterior_file is not None:
            data["uncertainty"] = {"from_posterior": self._posterior_file,
                                   **data.get("uncertainty", {})}
        return data


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value
