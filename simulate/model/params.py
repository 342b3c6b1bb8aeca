"""A scenario compiled into numpy arrays, with uncertain parameters sampled per replicate.

Every numeric parameter is either a constant (shape ``()`` or ``(n,)`` over regions, importers
or buyers) or, when ``uncertainty:`` names it, an array with a leading replicate axis
(``(R,)`` or ``(R, n)``). Rules broadcast both alike, so the events engine (R = 1) and the batch
engine (R = chunk) run the same code. Replicate k's sampled value is
``dist.ppf(u)`` with ``u`` from stream ``PARAMETERS + j`` on day -1 of replicate k: a pure
function of (seed, k), whatever the chunking.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import ScenarioError
from ..scenario.checks import split_key
from ..scenario.schema import Scenario
from .market import MIN_ELASTICITY_SUM
from .streams import Stream, uniforms

__all__ = ["Params", "compile_params", "sample_uncertain", "STANCE_WEIGHT", "PROTOCOLS",
           "remove_measures"]

#: how much of the expected tariff penalty a country's buyers weigh, by the country's stance
STANCE_WEIGHT = {"defy": 0.5, "neutral": 1.0, "comply": 2.0}
PROTOCOLS = {"nash": 0, "alternating_offers": 1, "split_the_difference": 2}
NO_DAY = -1


@dataclass
class Params:
    """Numeric parameters of one chunk of replicates. Units as in the scenario schema."""

    n_days: int
    region_names: list[str]
    importer_ids: list[str]
    buyer_ids: list[str]                      # "IMPORTER.buyer"
    buyer_importer: np.ndarray               # (B,) index of each buyer's importer
    # regions (K,) or (R, K)
    weight: Any
    control0: Any
    drift: Any
    front_vol: Any
    # belligerents: index 0 occupier, 1 defender; demands (K,) per side
    occ_id: str
    def_id: str
    floor_demand: Any                         # occupier's minimum share per region (0 = none,
    ceil_demand: Any                          # NaN = the line); defender's maximum (1 = none)
    resolve_occ: Any
    resolve_def: Any
    war_cost_occ: Any
    war_cost_def: Any
    sens_occ: Any
    sens_def: Any
    optimism_occ: Any
    optimism_def: Any
    delta_occ: Any
    delta_def: Any
    resource_elasticity: Any
    strike_rate: Any
    killed_per_strike: Any
    injured_per_strike: Any
    # sanctioner
    sanctioner_id: str | None
    deadline_day: int
    tariff_rate: Any                          # threatened extra tariff (fraction)
    tariff_targets: np.ndarray                # (M,) bool
    tariff_lag: Any
    company_share: Any                        # threatened company sanctions share (0 = none)
    company_lag: Any
    credibility: Any
    extension_probability: Any
    extension_days: Any
    progress_window: Any
    lift_on_deal: bool
    # importers (M,) and buyers (B,)
    exports0: Any
    trade_sigma: Any
    stance_weight: Any
    base_volume: Any
    penalty_exposure: Any
    sanctions_exposure: Any
    discount_capture: Any
    adjustment_days: Any
    # market
    brent0: Any
    discount0: Any
    discount_slope: Any
    capacity: Any
    reroute_share: Any
    shutin_price: Any
    world_demand: Any
    supply_elasticity: Any
    demand_elasticity: Any
    brent_vol: Any
    brent_rho: Any
    spare_capacity: Any                       # (S,) suppliers
    response_share: Any
    # negotiation
    protocol: Any                             # code, see PROTOCOLS
    talks_days: np.ndarray                    # (n_days+1,) bool scheduled talks
    talks_rate: Any
    p_agree: Any
    horizon_value: Any                        # valuation horizon, days
    nash_power: Any
    occ_proposes: bool
    # timeline, by day: tariff set (NaN = no action), lift flags, company sanctions share
    tl_tariff: np.ndarray                     # (n_days+1, M) rate added; 0 = none
    tl_lift: np.ndarray                       # (n_days+1, M) bool
    tl_company: np.ndarray                    # (n_days+1,) share set; NaN = no action
    sampled: dict[str, np.ndarray] = field(default_factory=dict)


def _stack(values: list[Any]) -> Any:
    """Stack per-element parameters; a replicate axis (if any) stays first."""
    if not values:
        return np.zeros(0)
    arrs = np.broadcast_arrays(*[np.asarray(v, dtype=float) for v in values])
    return np.stack(arrs, axis=-1)


def _day(s: Scenario, when) -> int:
    return (when - s.start).days


#: the distribution that stands in for an uncertain rate or share of a removed measure
_ZERO = {"dist": "choice", "values": [0.0]}


def remove_measures(data: dict) -> dict:
    """Scenario data without the sanctioner's measures (the counterfactual of
    ``outputs.counterfactual``): threatened and timeline tariff rates and company-sanctions
    shares set to 0, credibility 0; talks are kept.

    The scenario keeps its structure and an uncertain rate, share or credibility becomes the
    constant 0 instead of being dropped, so every other uncertain parameter keeps its index
    ``j`` and stream ``PARAMETERS + j``: the counterfactual of replicate k runs on replicate
    k's random numbers (common random numbers, design section 2).
    """
    data = copy.deepcopy(data)
    zeroed = []
    for aid, actor in data["actors"].items():
        if actor.get("role") != "sanctioner":
            continue
        actor["credibility"] = 0.0
        zeroed.append(f"actors.{aid}.credibility")
        threat = actor.get("threat") or {}
        for kind, leaf in (("secondary_tariff", "rate"), ("company_sanctions", "share")):
            if threat.get(kind):
                threat[kind][leaf] = 0.0
                zeroed.append(f"actors.{aid}.threat.{kind}.{leaf}")
    for i, act in enumerate(data.get("timeline", [])):
        for leaf in ("rate", "share"):
            if act.get(leaf) is not None:
                act[leaf] = 0.0
                zeroed.append(f"timeline[{i}].{leaf}")
    uncertainty = data.get("uncertainty", {})
    for key in uncertainty:
        if key in zeroed:
            uncertainty[key] = dict(_ZERO)
    return data


def sample_uncertain(s: Scenario, seed: int, replicates: np.ndarray) -> dict[str, np.ndarray]:
    """Sampled values of each uncertain parameter for the given replicate indices."""
    out = {}
    for j, (key, dist) in enumerate(s.uncertainty.items()):
        u = uniforms(seed, replicates, -1, Stream.PARAMETERS + j)[:, 0]
        out[key] = _numbers(dist, dist.ppf(u))
    return out


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float | np.number) and not isinstance(v, bool | np.bool_)


def _numbers(dist: Any, values: np.ndarray) -> np.ndarray:
    """A ``choice`` among numbers gives an object array: make it float so the rules can
    compute with it; a choice mixing numbers and names ('line' or a share) gives text, so
    that the outcome column has one type ('line', '0.8'). Decided by the choice's values, not
    by the draws, so every chunk gets the same dtype; names (protocol, stance) stay as they
    are."""
    values = np.asarray(values)
    options = getattr(dist, "values", ())
    if values.dtype != object:
        return values
    if all(_is_number(v) for v in options):
        return values.astype(float)
    if any(_is_number(v) for v in options):
        return np.array([str(v) for v in values.reshape(-1)], dtype=object)
    return values


def _as_number(v: Any) -> float:
    """A sampled number, possibly written as text by :func:`_numbers`; NaN if it is not one."""
    if _is_number(v):
        return float(v)
    try:
        return float(v)
    except (TypeError, ValueError):
        return np.nan


def _lookup(table: dict[str, Any], value: Any) -> Any:
    """``table[value]``, element by element when ``value`` was sampled per replicate."""
    if isinstance(value, np.ndarray):
        return np.array([table[v] for v in value.reshape(-1)])
    return table[value]


def _line_as_nan(value: Any) -> Any:
    """A demand, with 'line' as NaN (also inside a per-replicate array of draws)."""
    if isinstance(value, str):
        return np.nan
    if isinstance(value, np.ndarray) and value.dtype == object:
        return np.array([np.nan if v == "line" else _as_number(v) for v in value], dtype=float)
    return value


#: names a per-replicate ``choice`` may take, by the last part of its key
_NAMED_CHOICES = {"protocol": PROTOCOLS, "stance": STANCE_WEIGHT}


def _check_sampled(sampled: dict[str, np.ndarray]) -> None:
    """Per replicate the model takes numbers, a protocol, a stance or a demand that may be
    'line'; refuse other draws (dates, booleans, actor ids) with a clear message."""
    for key, values in sampled.items():
        arr = np.asarray(values)
        if arr.dtype != object and arr.dtype.kind in "fiu":
            continue
        leaf = key.rsplit(".", 1)[-1]
        if leaf in _NAMED_CHOICES and all(v in _NAMED_CHOICES[leaf] for v in arr.reshape(-1)):
            continue
        if ".demands." in key and all(
                v == "line" or not np.isnan(_as_number(v)) for v in arr.reshape(-1)):
            continue
        raise ScenarioError.from_text(
            f"expected an uncertain parameter the model can vary per replicate (a number, a "
            f"protocol, a stance or a demand), found a distribution over {key} giving "
            f"{arr.reshape(-1)[0]!r}: run each value as its own scenario or sweep point",
            key=f"uncertainty.{key}")


def _check_elasticities(mkt: dict) -> None:
    """The price response ``(1-s)^(-1/(es + |ed|))`` needs ``es + |ed|`` of at least
    :data:`~simulate.model.market.MIN_ELASTICITY_SUM`: with both elasticities 0 a single lost
    barrel would make the price infinite, and near 0 it overflows."""
    total = np.asarray(mkt["supply_elasticity"], float) + np.abs(
        np.asarray(mkt["demand_elasticity"], float))
    if np.any(total < MIN_ELASTICITY_SUM):
        raise ScenarioError.from_text(
            f"expected market.supply_elasticity + |market.demand_elasticity| >= "
            f"{MIN_ELASTICITY_SUM:g} (the oil price response is (1 - loss share)^(-1/sum)), "
            f"found {float(np.min(total)):g}", key="market.supply_elasticity")


def _set(data: dict, key: str, value: Any) -> None:
    parts = split_key(key)
    node = data
    for p in parts[:-1]:
        node = node[p]
    node[parts[-1]] = value


def compile_params(s: Scenario, sampled: dict[str, np.ndarray] | None = None) -> Params:
    """Arrays of the scenario's parameters; ``sampled`` values replace their keys per replicate."""
    sampled = sampled or {}
    _check_sampled(sampled)
    d = s.model_dump(by_alias=True)
    for key, values in sampled.items():
        _set(d, key, np.asarray(values).reshape(-1))
    n_days = s.horizon_days
    regions = list(s.regions)
    rg = d["regions"]
    actors = d["actors"]
    bell = {k: a for k, a in actors.items() if a["role"] == "belligerent"}
    occ_id = next(k for k, a in bell.items() if a["side"] == "occupier")
    def_id = next(k for k, a in bell.items() if a["side"] == "defender")
    occ, dfd = actors[occ_id], actors[def_id]
    importers = [k for k, a in actors.items() if a["role"] == "importer"]
    suppliers = [a for a in actors.values() if a["role"] == "supplier"]
    buyers = [(m, k, b) for m in importers for k, b in actors[m]["buyers"].items()]
    sanc_ids = [k for k, a in actors.items() if a["role"] == "sanctioner"]
    sanc = actors[sanc_ids[0]] if sanc_ids else None
    threat = (sanc or {}).get("threat") or {}
    tariff = threat.get("secondary_tariff") or {}
    company = threat.get("company_sanctions") or {}
    mkt = d["market"]
    _check_elasticities(mkt)
    neg = d["negotiation"]

    def per_region(actor: dict, default: float) -> Any:
        """Demands per region; NaN stands for 'line' (the front line at the talks)."""
        values = [actor["demands"].get(r, default) for r in regions]
        return _stack([_line_as_nan(v) for v in values])

    def resolve(a: dict) -> Any:
        return np.inf if a["resolve"] is None else a["resolve"]

    tl_tariff = np.zeros((n_days + 1, len(importers)))
    tl_lift = np.zeros((n_days + 1, len(importers)), dtype=bool)
    tl_company = np.full(n_days + 1, np.nan)
    talks_days = np.zeros(n_days + 1, dtype=bool)
    for day in neg["talks"]["scheduled"]:
        talks_days[_day(s, day)] = True
    for act in s.timeline:
        t = _day(s, act.date)
        if act.action == "secondary_tariff":
            tl_tariff[t, importers.index(act.target)] += act.rate
        elif act.action == "lift_tariff":
            tl_lift[t, importers.index(act.target)] = True
        elif act.action == "company_sanctions":
            tl_company[t] = act.share
        elif act.action == "lift_company_sanctions":
            tl_company[t] = 0.0
        elif act.action == "talks":
            talks_days[t] = True

    deadline = sanc["deadline"] if sanc and sanc["deadline"] is not None else None
    capacity = mkt["export_capacity_mbd"]
    base = _stack([b["base_volume_mbd"] for _, _, b in buyers])
    proposer = neg["proposer"] or occ_id
    return Params(
        n_days=n_days, region_names=regions, importer_ids=importers,
        buyer_ids=[f"{m}.{k}" for m, k, _ in buyers],
        buyer_importer=np.array([importers.index(m) for m, _, _ in buyers], dtype=np.int64),
        weight=_stack([rg[r]["weight"] for r in regions]),
        control0=_stack([rg[r]["control"] for r in regions]),
        drift=_stack([rg[r]["drift_per_day"] for r in regions]),
        front_vol=_stack([rg[r]["volatility_per_day"] for r in regions]),
        occ_id=occ_id, def_id=def_id,
        floor_demand=per_region(occ, 0.0), ceil_demand=per_region(dfd, 1.0),
        resolve_occ=resolve(occ), resolve_def=resolve(dfd),
        war_cost_occ=occ["war_cost_per_day"], war_cost_def=dfd["war_cost_per_day"],
        sens_occ=occ["sanctions_sensitivity"], sens_def=dfd["sanctions_sensitivity"],
        optimism_occ=occ["optimism"], optimism_def=dfd["optimism"],
        delta_occ=occ["discount_factor"], delta_def=dfd["discount_factor"],
        resource_elasticity=occ["resource_elasticity"],
        strike_rate=occ["strikes"]["rate_per_day"],
        killed_per_strike=occ["strikes"]["killed_per_strike"],
        injured_per_strike=occ["strikes"]["injured_per_strike"],
        sanctioner_id=sanc_ids[0] if sanc_ids else None,
        deadline_day=NO_DAY if deadline is None else _day(s, deadline),
        tariff_rate=tariff.get("rate", 0.0),
        tariff_targets=np.array([m in tariff.get("targets", ()) for m in importers], dtype=bool),
        tariff_lag=np.rint(tariff.get("lag_days", 0)),
        company_share=company.get("share", 0.0),
        company_lag=np.rint(company.get("lag_days", 0)),
        credibility=sanc["credibility"] if sanc else 0.0,
        extension_probability=sanc["extension_probability"] if sanc else 0.0,
        extension_days=np.rint(sanc["extension_days"]) if sanc else 1,
        progress_window=np.rint(sanc["progress_window_days"]) if sanc else 1,
        lift_on_deal=bool(sanc["lift_on_deal"]) if sanc else False,
        exports0=_stack([actors[m]["exports_to_us_busd"] for m in importers]),
        trade_sigma=_stack([actors[m]["trade_elasticity"] for m in importers]),
        stance_weight=_stack([_lookup(STANCE_WEIGHT, actors[m]["stance"]) for m in importers]),
        base_volume=base,
        penalty_exposure=_stack([b["penalty_exposure"] for _, _, b in buyers]),
        sanctions_exposure=_stack([b["sanctions_exposure"] for _, _, b in buyers]),
        discount_capture=_stack([b["discount_capture"] for _, _, b in buyers]),
        adjustment_days=_stack([b["adjustment_days"] for _, _, b in buyers]),
        brent0=mkt["brent_usd"], discount0=mkt["urals_discount_usd"],
        discount_slope=mkt["discount_per_unsold_usd"],
        capacity=np.sum(base, axis=-1) if capacity is None else capacity,
        reroute_share=mkt["reroute_share"], shutin_price=mkt["shutin_price_usd"],
        world_demand=mkt["world_demand_mbd"], supply_elasticity=mkt["supply_elasticity"],
        demand_elasticity=mkt["demand_elasticity"], brent_vol=mkt["brent_volatility_per_day"],
        brent_rho=mkt["brent_persistence"],
        spare_capacity=_stack([a["spare_capacity_mbd"] for a in suppliers]),
        response_share=_stack([a["response_share"] for a in suppliers]),
        protocol=_lookup(PROTOCOLS, neg["protocol"]), talks_days=talks_days,
        talks_rate=neg["talks"]["rate_per_day"], p_agree=neg["p_agree"],
        horizon_value=neg["valuation_horizon_days"], nash_power=neg["nash_power"],
        occ_proposes=proposer == occ_id,
        tl_tariff=tl_tariff, tl_lift=tl_lift, tl_company=tl_company,
        sampled=dict(sampled),
    )
