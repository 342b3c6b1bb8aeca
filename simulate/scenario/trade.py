"""The oil trade in a scenario: importers and their buyers, other suppliers, the market.

Units: mb/d = million barrels per day; USD/bbl; USD bn/yr; shares are fractions in [0, 1].
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from .schema_base import NonNeg, Positive, ScenarioModel, Share

__all__ = ["Buyer", "Importer", "Supplier", "Market"]


class Buyer(ScenarioModel):
    """A buyer of the occupier's crude inside an importing country."""

    name: str = ""
    base_volume_mbd: NonNeg = Field(description="Russian crude bought at start, mb/d")
    sanctions_exposure: Share = Field(
        0.0, description="exposure to US sanctions: scales its risk premium on designated "
                         "barrels, and above market.stop_exposure_threshold it stops buying "
                         "them at the end of a wind-down")
    discount_capture: Share = Field(1.0, description="share of the Urals discount it keeps")
    adjustment_days: Annotated[float, Field(ge=1.0)] = Field(
        30.0, description="mean lag of volume adjustment, days (cargoes booked ahead)")
    # ----- model v2, trade side (docs/model.md 4.7-4.10) -----
    capacity_mbd: NonNeg | None = Field(
        None, description="technical capacity for the occupier's crude, mb/d (refinery fit; "
                          "default: the base volume)")
    demand_slope_mbd_per_usd: NonNeg = Field(
        0.0, description="long-run demand slope: extra mb/d per USD/bbl of delivered discount "
                         "beyond the reference discount")
    ownership: Literal["private", "state", "seller_owned"] = Field(
        "private", description="state: follows its government's directive; seller_owned: "
                               "owned by a designated seller, cannot stop buying")
    price_cap_compliant: bool = Field(
        False, description="buys only at an Urals FOB price at or below a price cap (less "
                           "market.cap_compliance_margin_usd)")
    max_ramp_mbd_per_month: Positive | None = Field(
        None, description="most its purchases can rise in a month (refinery slates, term "
                          "contracts, shipping), mb/d per month; default: no limit")
    front_load_share: Share = Field(
        0.0, description="extra demand during a designation's wind-down, share of demand "
                         "(storage and contract flexibility)")
    embargo_exempt: bool = Field(False, description="not stopped by an embargo on its "
                                                    "country (pipeline exemption)")


class Importer(ScenarioModel):
    """A country that imports the occupier's crude and exports to the sanctioner."""

    role: Literal["importer"]
    name: str = ""
    exports_to_us_busd: NonNeg = Field(0.0, description="goods exports to the US, USD bn/yr")
    trade_elasticity: NonNeg = Field(4.0, description="sigma in X0*(1+t)^-sigma")
    stance: Literal["defy", "neutral", "comply"] = "neutral"
    tariff_conditional: Share = Field(
        0.0, description="probability that cutting Russian crude lifts the tariff it faces "
                         "and removes the threat (1 = explicitly conditional on buying)")
    state_cut_cap: Share = Field(
        0.0, description="state refiners' Russian intake when the government directs a cut, "
                         "share of their base volume")
    political_cost_busd: NonNeg = Field(
        0.0, description="cost to the government of being seen to comply, USD bn/yr")
    review_days: NonNeg = Field(
        30.0, description="days between a government's reviews of its directive when what "
                          "it weighs from the sanctioner has not changed (0: every day)")
    buyers: dict[str, Buyer] = Field(default_factory=dict)


class Supplier(ScenarioModel):
    """Another oil supplier whose spare capacity offsets lost occupier barrels."""

    role: Literal["supplier"]
    name: str = ""
    spare_capacity_mbd: NonNeg = Field(0.0, description="spare capacity, mb/d")
    response_share: Share = Field(0.5, description="share of lost barrels it replaces")


class Market(ScenarioModel):
    """World oil market and the occupier's exports."""

    brent_usd: Positive = Field(description="Brent at start, USD/bbl")
    urals_discount_usd: NonNeg = Field(description="delivered Urals discount to Brent at start "
                                                   "(D_0), USD/bbl")
    export_capacity_mbd: NonNeg | None = Field(
        None, description="occupier's crude export capacity, mb/d (default: sum of buyers)")
    shutin_price_usd: NonNeg = Field(0.0, description="Urals price below which unsold "
                                                      "barrels are shut in, USD/bbl")
    world_demand_mbd: Positive = Field(103.0, description="world oil demand, mb/d")
    supply_elasticity: NonNeg = Field(0.1, description="short-run supply elasticity")
    demand_elasticity: Annotated[float, Field(le=0.0)] = Field(
        -0.25, description="short-run demand elasticity (negative)")
    brent_volatility_per_day: NonNeg = Field(0.0, description="s.d. of daily log Brent shock")
    brent_persistence: Annotated[float, Field(ge=0.0, lt=1.0)] = Field(
        0.97, description="AR(1) coefficient of the log Brent shock")
    # ----- model v2, trade side (docs/model.md 4.7-4.11) -----
    full_supply_price_usd: NonNeg = Field(
        40.0, description="Urals FOB price above which the whole export capacity is offered; "
                          "supply falls linearly to 0 at shutin_price_usd, USD/bbl")
    min_discount_usd: float = Field(
        0.0, description="lowest delivered discount; excess demand there is rationed, USD/bbl")
    freight_usd: NonNeg = Field(
        0.0, description="freight and insurance to the reference buyer before sanctions "
                         "premiums: FOB discount = delivered discount + this + premium, USD/bbl")
    freight_premium_usd: NonNeg = Field(
        0.0, description="freight/insurance sanctions premium at start (fades like a tanker "
                         "designation's), USD/bbl")
    freight_per_tanker_share_usd: NonNeg = Field(
        0.0, description="freight/insurance premium per share of the fleet designated, USD/bbl")
    freight_lasting_share: Share = Field(
        0.25, description="share of a tanker-designation premium that lasts")
    freight_decay_days: Positive = Field(
        60.0, description="e-folding time of the transient freight premium, days")
    freight_adjust_days: Annotated[float, Field(ge=1.0)] = Field(
        7.0, description="lag of the freight premium toward its target, days")
    tanker_bottleneck_share: Share = Field(
        0.0, description="share of the transient shipping shortfall after tanker "
                         "designations that cannot be replaced at once: exports offered fall "
                         "by capacity x this x the fading designated fleet share")
    cap_freight_premium_usd: NonNeg = Field(
        0.0, description="extra freight/insurance premium while Urals FOB is above a price "
                         "cap (compliant tankers and insurers withdraw), USD/bbl")
    cap_compliance_margin_usd: NonNeg = Field(
        0.0, description="safety margin below the price cap that price_cap_compliant buyers "
                         "keep: they buy only at an FOB price at or below the cap minus "
                         "this, USD/bbl")
    price_cap_usd: NonNeg | None = Field(None, description="price cap in force at start, "
                                                           "USD/bbl (none: no cap)")
    risk_premium_usd: NonNeg = Field(
        0.0, description="premium a fully exposed buyer needs per unit of designated share "
                         "(sellers + tankers), USD/bbl")
    nondesignated_premium_usd: NonNeg = Field(
        0.0, description="extra cost to a buyer that stopped designated sellers of sourcing "
                         "non-designated barrels, USD/bbl")
    reshuffle_days: Positive = Field(
        45.0, description="e-folding time of sellers reshuffling cargoes to non-designated "
                          "channels for buyers that stopped, days")
    stop_exposure_threshold: Share = Field(
        0.5, description="buyers with sanctions_exposure above it stop buying from "
                         "designated sellers at the end of the wind-down")
    storage_capacity_mb: NonNeg = Field(0.0, description="room to store unsold crude, mb")
    storage_rate_mbd: NonNeg = Field(0.0, description="most unsold crude stored a day, mb/d")
    release_rate_mbd: NonNeg = Field(0.0, description="most stored crude offered a day, mb/d: "
                                                      "none at the full-supply FOB price, all of "
                                                      "it one supply-curve width above")
    demand_adaptation_half_life_days: NonNeg = Field(
        0.0, description="half-life of buyers' adaptation to barrels taken above their base "
                         "volume (shipping, payments, slates): their demand shifts out by "
                         "the extra volume, so a discount widened by redirected barrels "
                         "narrows again; 0: no adaptation, days")
    expectation_half_life_days: NonNeg = Field(
        5.0, description="half-life of the market's expected loss after news, days")
    expectation_adjust_days: Annotated[float, Field(ge=1.0)] = Field(
        2.0, description="lag of the price toward the expected loss, days (trading sessions)")
    threat_loss_ratio: NonNeg = Field(
        0.0, description="world supply loss the market prices per mb/d of the occupier's "
                         "crude a sanctioner's threat puts at risk (the targets' buyers' base "
                         "volumes, the company-sanctions share of the others'), weighted by "
                         "the probability that the threat is carried out, mb/d per mb/d")
