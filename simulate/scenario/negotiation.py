"""How talks happen and deals are struck, and the dated actions of a scenario's timeline."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from .dates import ScenarioDate
from .schema_base import NonNeg, ScenarioModel, Share

__all__ = ["Talks", "Negotiation", "Action"]


class Talks(ScenarioModel):
    scheduled: tuple[ScenarioDate, ...] = ()
    rate_per_day: Share = Field(0.0, description="probability of unscheduled talks on a day")


class Negotiation(ScenarioModel):
    protocol: Literal["nash", "alternating_offers", "split_the_difference"] = "nash"
    talks: Talks = Talks()
    p_agree: Share = Field(1.0, description="probability of agreeing when a deal is possible")
    valuation_horizon_days: Annotated[int, Field(ge=1)] = Field(
        180, description="how far ahead belligerents value fighting on, days")
    nash_power: Share = Field(0.5, description="occupier's bargaining power (nash)")
    proposer: str | None = Field(None, description="belligerent who proposes first "
                                                   "(alternating_offers; default the occupier)")
    acceptance_noise: NonNeg = Field(
        0.0, description="logistic noise of a side's acceptance of a mediator's proposal, "
                         "share-eq (0: accept exactly when the proposal beats fighting on)")


class Action(ScenarioModel):
    """A dated action from the timeline (what actually happened, for back-tests)."""

    date: ScenarioDate
    actor: str
    action: Literal["secondary_tariff", "lift_tariff", "company_sanctions",
                    "lift_company_sanctions", "talks", "tanker_designations", "price_cap",
                    "embargo", "announcement", "proposal", "export_capacity"]
    target: str | None = None
    rate: NonNeg | None = None
    share: Share | None = None
    wind_down_days: Annotated[int, Field(ge=0)] | None = Field(
        None, description="company_sanctions: days to the end of the wind-down")
    price_usd: NonNeg | None = Field(None, description="price_cap: the cap, USD/bbl (0 lifts)")
    change_mbd: float | None = Field(
        None, description="export_capacity: change of the occupier's export capacity from "
                          "this date, mb/d, added to the earlier changes (negative: a cut); "
                          "the world market counts it as supply")
    expected_loss_mbd: float | None = Field(
        None, description="news for Brent: the credibility-weighted loss of the occupier's "
                          "barrels the market expects, mb/d (negative: more barrels flow)")
    lasting_loss_mbd: float | None = Field(
        None, description="a lasting shift of the world oil balance from this date (outside "
                          "the occupier's trade: other producers, world demand), priced like "
                          "news that does not fade: world supply lost, mb/d (negative: a "
                          "surplus; replaces the last one; 0 ends it)")
    note: str | None = None
    terms: dict[str, Share | Literal["line"]] | None = Field(
        None, description="proposal: occupier's share per region ('line' = frozen on the "
                          "front line on the day; omitted regions: 'line')")
    sanctions_relief: dict[str, float] | None = Field(
        None, description="proposal: value of the sanctions relief to each belligerent id, "
                          "share-eq")
    security: dict[str, float] | None = Field(
        None, description="proposal: value of the security terms to each belligerent id, "
                          "share-eq")
    open_days: Annotated[int, Field(ge=0)] | None = Field(
        None, description="proposal: days it stays on the table after its date (0 = that day)")
