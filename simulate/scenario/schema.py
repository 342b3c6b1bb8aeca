"""The scenario format as typed, immutable value classes (pydantic).

Units are in each field's description and end up in the published JSON Schema:
mb/d = million barrels per day; USD/bbl; USD bn = billions of US dollars per year unless said;
shares are fractions in [0, 1]; ``share-eq`` is a cost measured in equivalent shares of the
contested territory (the unit in which belligerents compare war and settlement).
"""

from __future__ import annotations

import datetime as _dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from .dates import ScenarioDate
from .distributions import Distribution
from .experiment_block import Experiment

__all__ = [
    "SCHEMA_VERSION", "Source", "Region", "Strikes", "Learning", "Belligerent",
    "SecondaryTariff", "CompanySanctions", "Threat", "Pressure", "Sanctioner", "Buyer",
    "Importer", "Supplier", "Actor",
    "Market", "Talks", "Negotiation", "Action", "Experiment", "Ensemble", "Outputs", "Scenario",
]

SCHEMA_VERSION: Literal[1] = 1

Share = Annotated[float, Field(ge=0.0, le=1.0)]
NonNeg = Annotated[float, Field(ge=0.0)]
Positive = Annotated[float, Field(gt=0.0)]
Ident = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_\-]*$")]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True,
                              allow_inf_nan=False)


class Source(_Model):
    """A cited source: every figure in a scenario names one, or says it is an assumption."""

    title: str
    url: str | None = None
    date: _dt.date | None = None
    note: str | None = None


class Region(_Model):
    """A contested region: its weight in aggregate terms and the occupier's share of it."""

    weight: NonNeg = Field(description="relative weight in aggregate settlement terms")
    control: Share = Field(description="occupier-controlled share of the region at start")
    drift_per_day: float = Field(0.0, description="occupier's base advance, share of region/day")
    volatility_per_day: NonNeg = Field(0.0, description="s.d. of daily front change, share/day")


class Strikes(_Model):
    """Strikes on civilians: daily Poisson counts of strikes, people killed and injured."""

    rate_per_day: NonNeg = Field(0.0, description="mean strikes per day")
    killed_per_strike: NonNeg = Field(0.0, description="mean civilians killed per strike")
    injured_per_strike: NonNeg = Field(0.0, description="mean civilians injured per strike")


class Learning(_Model):
    """How a side learns the front's drift from what it sees (Bayesian normal updating)."""

    prior_sd: NonNeg = Field(
        0.0, description="s.d. of the side's prior belief about its optimism bias, share/day; "
                         "0 = no learning (the optimism stays fixed)")
    perception_noise: NonNeg = Field(
        0.0, description="s.d. of the noise with which the side perceives the daily front "
                         "move, share/day (fog of war), on top of the front's volatility")


class Belligerent(_Model):
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


class SecondaryTariff(_Model):
    """Extra US tariff on the exports of countries that keep buying the occupier's oil."""

    rate: NonNeg = Field(description="extra ad valorem tariff, fraction (1.0 = 100%)")
    targets: tuple[str, ...] = Field(min_length=1, description="importer actor ids")
    lag_days: Annotated[int, Field(ge=0)] = Field(0, description="days from decision to effect")


class CompanySanctions(_Model):
    """Blocking sanctions on the occupier's oil exporters."""

    share: Share = Field(description="share of oil exports sold by the sanctioned companies")
    lag_days: Annotated[int, Field(ge=0)] = 0
    wind_down_days: Annotated[int, Field(ge=0)] = Field(
        0, description="days from the designation to the end of the wind-down, when exposed "
                       "buyers stop buying from the designated sellers")


class Threat(_Model):
    secondary_tariff: SecondaryTariff | None = None
    company_sanctions: CompanySanctions | None = None


class Pressure(_Model):
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


class Sanctioner(_Model):
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


class Buyer(_Model):
    """A buyer of the occupier's crude inside an importing country."""

    name: str = ""
    base_volume_mbd: NonNeg = Field(description="Russian crude bought at start, mb/d")
    penalty_exposure: Share = Field(
        1.0, description="share of its country's expected tariff cost the buyer weighs")
    sanctions_exposure: Share = Field(
        0.0, description="share of its purchases it stops when company sanctions apply")
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
        False, description="buys only while the Urals FOB price is at or below a price cap")
    front_load_share: Share = Field(
        0.0, description="extra demand during a designation's wind-down, share of demand "
                         "(storage and contract flexibility)")
    embargo_exempt: bool = Field(False, description="not stopped by an embargo on its "
                                                    "country (pipeline exemption)")


class Importer(_Model):
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
    buyers: dict[str, Buyer] = Field(default_factory=dict)


class Supplier(_Model):
    """Another oil supplier whose spare capacity offsets lost occupier barrels."""

    role: Literal["supplier"]
    name: str = ""
    spare_capacity_mbd: NonNeg = Field(0.0, description="spare capacity, mb/d")
    response_share: Share = Field(0.5, description="share of lost barrels it replaces")


Actor = Annotated[Belligerent | Sanctioner | Importer | Supplier, Field(discriminator="role")]


class Market(_Model):
    """World oil market and the occupier's exports."""

    brent_usd: Positive = Field(description="Brent at start, USD/bbl")
    urals_discount_usd: NonNeg = Field(description="Urals discount to Brent at start, USD/bbl")
    discount_per_unsold_usd: NonNeg = Field(
        0.0, description="widening of the discount per mb/d of unsold exports, USD/bbl per mb/d")
    export_capacity_mbd: NonNeg | None = Field(
        None, description="occupier's crude export capacity, mb/d (default: sum of buyers)")
    reroute_share: Share = Field(0.5, description="share of unsold barrels placed elsewhere "
                                                  "at the discount; the rest is shut in")
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
    release_rate_mbd: NonNeg = Field(0.0, description="most stored crude sold a day once the "
                                                      "FOB price is back above full supply")
    expectation_half_life_days: NonNeg = Field(
        5.0, description="half-life of the market's expected loss after news, days")
    expectation_adjust_days: Annotated[float, Field(ge=1.0)] = Field(
        2.0, description="lag of the price toward the expected loss, days (trading sessions)")


class Talks(_Model):
    scheduled: tuple[ScenarioDate, ...] = ()
    rate_per_day: Share = Field(0.0, description="probability of unscheduled talks on a day")


class Negotiation(_Model):
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


class Action(_Model):
    """A dated action from the timeline (what actually happened, for back-tests)."""

    date: ScenarioDate
    actor: str
    action: Literal["secondary_tariff", "lift_tariff", "company_sanctions",
                    "lift_company_sanctions", "talks", "tanker_designations", "price_cap",
                    "embargo", "announcement", "proposal"]
    target: str | None = None
    rate: NonNeg | None = None
    share: Share | None = None
    wind_down_days: Annotated[int, Field(ge=0)] | None = Field(
        None, description="company_sanctions: days to the end of the wind-down")
    price_usd: NonNeg | None = Field(None, description="price_cap: the cap, USD/bbl (0 lifts)")
    expected_loss_mbd: float | None = Field(
        None, description="news for Brent: the credibility-weighted loss of the occupier's "
                          "barrels the market expects, mb/d (negative: more barrels flow)")
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


class Ensemble(_Model):
    replicates: Annotated[int, Field(ge=1)] = 1000
    seed: Annotated[int, Field(ge=0, lt=2**63)] = 0
    chunk_size: Annotated[int, Field(ge=1)] = 10_000


class Outputs(_Model):
    counterfactual: bool = Field(False, description="rerun each replicate without the "
                                                    "measures, on the same random numbers")
    keep_series: Annotated[int, Field(ge=0)] = Field(
        100, description="replicates whose full daily series are kept")
    deal_within: tuple[Annotated[int, Field(ge=1, le=36500)], ...] | None = Field(
        None, description="deal windows of the summary, days after the start (default 30, 90, "
                          "180, 365; windows not shorter than the horizon are dropped)")
    report: bool = True


class Scenario(_Model):
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
