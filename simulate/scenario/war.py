"""The war in a scenario: contested regions and the belligerents (share units, share-eq costs)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from .schema_base import NonNeg, ScenarioModel, Share

__all__ = ["Region", "Strikes", "Learning", "Belligerent"]


class Region(ScenarioModel):
    """A contested region: its weight in aggregate terms and the occupier's share of it."""

    weight: NonNeg = Field(description="relative weight in aggregate settlement terms")
    control: Share = Field(description="occupier-controlled share of the region at start")
    drift_per_day: float = Field(0.0, description="occupier's base advance, share of region/day")
    volatility_per_day: NonNeg = Field(0.0, description="s.d. of daily front change, share/day")


class Strikes(ScenarioModel):
    """Strikes on civilians: daily Poisson counts of strikes, people killed and injured."""

    rate_per_day: NonNeg = Field(0.0, description="mean strikes per day")
    killed_per_strike: NonNeg = Field(0.0, description="mean civilians killed per strike")
    injured_per_strike: NonNeg = Field(0.0, description="mean civilians injured per strike")


class Learning(ScenarioModel):
    """How a side learns the front's drift from what it sees (Bayesian normal updating)."""

    prior_sd: NonNeg = Field(
        0.0, description="s.d. of the side's prior belief about its optimism bias, share/day; "
                         "0 = no learning (the optimism stays fixed)")
    perception_noise: NonNeg = Field(
        0.0, description="s.d. of the noise with which the side perceives the daily front "
                         "move, share/day (fog of war), on top of the front's volatility")


class Belligerent(ScenarioModel):
    """A side of the war. The occupier's share of each region is the state of the front."""

    role: Literal["belligerent"]
    name: str = ""
    side: Literal["occupier", "defender"]
    demands: dict[str, Share | Literal["line"]] = Field(
        default_factory=dict,
        description="hard demands per region: occupier's minimum share (occupier) or "
                    "maximum occupier share it accepts (defender); 'line' = the front line "
                    "at the time of the talks (no further cession / no withdrawal); the "
                    "opening position, binding only where 'reservation' is omitted")
    reservation: dict[str, Share | Literal["line"]] | None = Field(
        None, description="reservation point per region, what the side would accept: "
                          "occupier's minimum share, defender's maximum occupier share; "
                          "'line' = the front line; omitted: the demands")
    resolve: NonNeg | None = Field(
        None, description="war cost (share-eq), borne plus credibly threatened, at which "
                          "reservation points have softened to the current line; omitted: "
                          "they never soften")
    past_line_rate: NonNeg = Field(
        0.0, description="softening past the line: share of a region conceded per unit of "
                         "(cost / resolve) beyond 1")
    priorities: dict[str, NonNeg] = Field(
        default_factory=dict, description="value the side puts on a unit share of each region "
                                          "(region terms; omitted regions: 1)")
    threatened_revenue_loss: Share = Field(
        0.0, description="share of its start oil revenue the occupier expects to lose while "
                         "the sanctioner's threatened measures are in force")
    war_cost_per_day: NonNeg = Field(0.0, description="cost of fighting on, share-eq/day")
    sanctions_sensitivity: NonNeg = Field(
        0.0, description="extra cost per day, share-eq/day per unit fractional oil revenue loss")
    optimism: float = Field(0.0, description="bias of believed front drift in its favour, "
                                             "share/day")
    discount_factor: Annotated[float, Field(gt=0.0, lt=1.0)] = Field(
        0.99, description="per-round discount factor (alternating offers)")
    resource_elasticity: NonNeg = Field(
        0.0, description="elasticity of the occupier's front drift to its oil revenue")
    strikes: Strikes = Strikes()
    learning: Learning = Learning()
