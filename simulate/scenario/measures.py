"""The sanctioner and its measures: tariff and company-sanction threats, pressure, deadlines."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from .dates import ScenarioDate
from .schema_base import NonNeg, ScenarioModel, Share

__all__ = ["SecondaryTariff", "CompanySanctions", "Threat", "Pressure", "Sanctioner"]


class SecondaryTariff(ScenarioModel):
    """Extra US tariff on the exports of countries that keep buying the occupier's oil."""

    rate: NonNeg = Field(description="extra ad valorem tariff, fraction (1.0 = 100%)")
    targets: tuple[str, ...] = Field(min_length=1, description="importer actor ids")
    lag_days: Annotated[int, Field(ge=0)] = Field(0, description="days from decision to effect")


class CompanySanctions(ScenarioModel):
    """Blocking sanctions on the occupier's oil exporters."""

    share: Share = Field(description="share of oil exports sold by the sanctioned companies")
    lag_days: Annotated[int, Field(ge=0)] = 0
    wind_down_days: Annotated[int, Field(ge=0)] = Field(
        0, description="days from the designation to the end of the wind-down, when exposed "
                       "buyers stop buying from the designated sellers")


class Threat(ScenarioModel):
    secondary_tariff: SecondaryTariff | None = None
    company_sanctions: CompanySanctions | None = None


class Pressure(ScenarioModel):
    """A threat toward a belligerent (e.g. suspending aid to the defender unless it settles),
    decided at its own deadline like the tariff threat; lifted by a deal."""

    target: str = Field(description="belligerent actor id")
    deadline: ScenarioDate = Field(description="day the threat is carried out or lapses")
    credibility: Share = Field(0.0, description="probability of carrying it out at the "
                                                "deadline")
    lag_days: Annotated[int, Field(ge=0)] = Field(0, description="days from decision to effect")
    war_cost_per_day: NonNeg = Field(
        0.0, description="extra cost of war to the target once in force, share-eq/day")
    drift_change_per_day: float = Field(
        0.0, description="change of the occupier's front drift once in force, share/day "
                         "(positive when aid to the defender is suspended)")


class Sanctioner(ScenarioModel):
    """The actor that sets deadlines and carries out (or not) its threats."""

    role: Literal["sanctioner"]
    name: str = ""
    deadline: ScenarioDate | None = None
    threat: Threat = Threat()
    credibility: Share = Field(0.0, description="probability of carrying out the threat at "
                                                "the deadline")
    extension_probability: Share = Field(
        0.0, description="probability of extending the deadline when talks show progress")
    extension_days: Annotated[int, Field(ge=1)] = 14
    progress_window_days: Annotated[int, Field(ge=1)] = Field(
        14, description="talks within this many days before the deadline count as progress")
    lift_on_deal: bool = Field(True, description="a deal lifts tariffs and sanctions")
    pressure: Pressure | None = None
