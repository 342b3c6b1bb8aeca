"""A scenario compiled into typed records, one per replicate, for the compiled rules.

:class:`Params` holds the names of the actors and two record arrays:

- ``table``: one record per replicate (:data:`SCALARS` and :data:`ACTORS`): ``p.credibility``
  is a number, ``p.weight`` an array over the regions (``p.weight[:p.K]``). A parameter named
  in ``uncertainty:`` takes its sampled value in each record; the others repeat the
  scenario's value.
- ``calendar``: one record per day (:data:`CALENDAR`), the same for every replicate: the
  timeline's actions and the scheduled talks (the engines add the day's stream keys).

Records hold no reference counts, so the compiled phases pass them around for free; their
per-actor arrays have room for :func:`capacity` actors, so that one compiled model serves
every scenario up to 8 regions, importers, buyers and suppliers (larger ones compile once
more).

Adding a scalar parameter: one line in :data:`SCALARS` and its value in
:func:`compile_params`. Adding a per-actor parameter: one line in :data:`ACTORS` and its
values in :func:`compile_params`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import ScenarioError
from ..scenario.checks import split_key
from ..scenario.schema import Scenario
from . import tradeparams
from .brent import MIN_ELASTICITY_SUM
from .negparams import negotiation_scalars, table_proposal
from .sampling import PROTOCOLS, STANCE_WEIGHT, check_sampled, line_as_nan, lookup
from .streams import N_STREAMS

__all__ = ["Params", "SCALARS", "ACTORS", "CALENDAR", "compile_params", "record_dtype",
           "capacity", "NO_DAY", "STANCE_WEIGHT", "PROTOCOLS"]

NO_DAY = -1

#: scalar parameters per replicate (units as in the scenario schema)
SCALARS = [
    # belligerents (occ = the occupier, def = the defender)
    ("resolve_occ", "f8"), ("resolve_def", "f8"),          # cumulative cost, share-eq
    ("war_cost_occ", "f8"), ("war_cost_def", "f8"),        # share-eq/day
    ("sens_occ", "f8"), ("sens_def", "f8"),                # share-eq/day per revenue lost
    ("optimism_occ", "f8"), ("optimism_def", "f8"),        # share/day
    ("delta_occ", "f8"), ("delta_def", "f8"),              # discount factors
    ("resource_elasticity", "f8"),
    ("strike_rate", "f8"), ("killed_per_strike", "f8"), ("injured_per_strike", "f8"),
    # sanctioner
    ("deadline_day", "i8"),                                # day number, -1 none
    ("tariff_rate", "f8"), ("tariff_lag", "i8"),           # fraction, days
    ("company_share", "f8"), ("company_lag", "i8"),        # share of exports, days
    ("company_wind_down", "i8"),                           # days to the stop (trade v2)
    ("credibility", "f8"), ("extension_probability", "f8"),
    ("extension_days", "i8"), ("progress_window", "i8"),
    ("lift_on_deal", "?"), ("has_threat", "?"),
    # market
    ("brent0", "f8"), ("discount0", "f8"),                # USD/bbl
    ("capacity", "f8"), ("shutin_price", "f8"),
    ("world_demand", "f8"), ("supply_elasticity", "f8"), ("demand_elasticity", "f8"),
    ("brent_vol", "f8"), ("brent_rho", "f8"),
    ("revenue0", "f8"),                                    # start revenue, USD M/day
    ("threat_loss_ratio", "f8"),                           # mb/d priced per mb/d at risk
    # negotiation
    ("protocol", "i8"), ("talks_rate", "f8"), ("p_agree", "f8"),
    ("horizon_value", "f8"), ("nash_power", "f8"), ("occ_proposes", "?"),
    # negotiation v2 (docs/model.md 4.12)
    ("threat_loss_occ", "f8"),                             # share of start revenue
    ("past_occ", "f8"), ("past_def", "f8"),                # share per unit of load > 1
    ("prior_var_occ", "f8"), ("prior_var_def", "f8"),      # (share/day)^2
    ("noise_occ", "f8"), ("noise_def", "f8"),              # perception noise, share/day
    ("acceptance_noise", "f8"),                            # share-eq
    ("has_pressure", "?"), ("pressure_on_def", "?"), ("pressure_deadline", "i8"),
    ("pressure_credibility", "f8"), ("pressure_lag", "i8"),
    ("pressure_cost", "f8"), ("pressure_drift", "f8"),     # share-eq/day, share/day
    # sizes: regions, importers, buyers, suppliers; the last day
    ("K", "i8"), ("M", "i8"), ("B", "i8"), ("S", "i8"), ("n_days", "i8"),
]

#: per-actor parameters: name -> (axis, type); each is an array of the axis' capacity
ACTORS: dict[str, tuple[Any, str]] = {
    "weight": ("K", "f8"),              # region weights
    "control0": ("K", "f8"),            # occupier's share at the start
    "drift": ("K", "f8"),               # share/day
    "front_vol": ("K", "f8"),           # share/sqrt(day)
    "floor_demand": ("K", "f8"),        # occupier's minimum (0 none, NaN the line)
    "ceil_demand": ("K", "f8"),         # defender's maximum (1 none, NaN the line)
    "res_occ0": ("K", "f8"),            # occupier's reservation point (NaN the line)
    "res_def0": ("K", "f8"),            # defender's reservation point (NaN the line)
    "prio_occ": ("K", "f8"),            # value of a unit share of each region
    "prio_def": ("K", "f8"),
    "exports0": ("M", "f8"),            # exports to the sanctioner, USD bn/yr
    "trade_sigma": ("M", "f8"),         # trade elasticity
    "stance_weight": ("M", "f8"),
    "threatened": ("M", "f8"),          # threatened extra tariff on each importer
    "base_volume": ("B", "f8"),         # mb/d
    "sanctions_exposure": ("B", "f8"),
    "discount_capture": ("B", "f8"),
    "adjustment_days": ("B", "f8"),     # days
    "buyer_importer": ("B", "i8"),      # importer index of each buyer
    "spare_capacity": ("S", "f8"),      # mb/d
    "response_share": ("S", "f8"),
}
#: the trade side v2 (simulate.model.tradeday rows, docs/model.md 4.7-4.11)
ACTORS.update(tradeparams.TRADE_PARAMS)

#: what each day of the calendar holds (one record per day, the same for every replicate)
CALENDAR: dict[str, tuple[Any, str]] = {
    "talks": ("", "?"),                 # scheduled talks
    "company": ("", "f8"),              # company sanctions share set (NaN no action)
    "tariff": ("M", "f8"),              # timeline tariff added on each importer
    "lift": ("M", "u1"),                # 1: the timeline lifts the tariff on the importer
    "proposal": ("", "?"),              # a mediator's proposal is on the table
    "prop_start": ("", "?"),            # its first day (the sides draw their acceptance)
    "prop_terms": ("K", "f8"),          # its terms per region (NaN: frozen on the line)
    "prop_value_occ": ("", "f8"),       # relief + security terms to each side, share-eq
    "prop_value_def": ("", "f8"),
    "keys": (N_STREAMS, "u8"),          # the day's stream keys (set per seed by the engines)
}


def capacity(n: int) -> int:
    """Room for ``n`` actors in a record: a multiple of 8 (at least 8), so that most
    scenarios share one record layout and the compiled model."""
    return max(8, -(-n // 8) * 8)


def record_dtype(scalars: list, actors: dict, sizes: dict[str, int]) -> np.dtype:
    """A record type: the scalar fields, then the arrays of ``actors`` (name -> (axis, type)):
    sized by :func:`capacity` of ``sizes[axis]``, or ``axis`` long if it is a number, or a
    scalar if it is ``""``; a 2-D field if ``axis`` is a pair of an axis name and a width
    (in either order). Compiled rules take views of the fields (``q.trade_bs[:p.B]``), which
    need no reshaping and carry no reference count."""
    fields = list(scalars)
    for name, (axis, kind) in actors.items():
        if isinstance(axis, int):
            fields.append((name, kind, (axis,)))
        elif isinstance(axis, tuple):        # (axis, width): a row of ``width`` per actor;
            a, b = axis                      # (width, axis): ``width`` rows over the actors
            shape = ((capacity(sizes[a]), b) if isinstance(a, str)
                     else (a, capacity(sizes[b])))
            fields.append((name, kind, shape))
        elif axis:
            fields.append((name, kind, (capacity(sizes[axis]),)))
        else:
            fields.append((name, kind))
    return _record_type(tuple(tuple(f) for f in fields))


@functools.lru_cache(maxsize=32)
def _record_type(fields: tuple) -> np.dtype:
    """The aligned record type of ``fields``, one object per layout. numba recognises an
    argument's structured dtype fast only if it is the very object it has seen before (a new
    but equal dtype costs ~10 us of typing per call from Python); a pure function of its
    value, so the memo is safe to share."""
    return np.dtype((np.record, np.dtype(list(fields), align=True)))


@dataclass
class Params:
    """A compiled scenario: names, the parameter records of R replicates and the calendar."""

    n_days: int
    region_names: list[str]
    importer_ids: list[str]
    buyer_ids: list[str]            # "IMPORTER.buyer"
    occ_id: str
    def_id: str
    sanctioner_id: str | None
    deadline_day: int               # the scenario's deadline (-1 none)
    tariff_targets: np.ndarray      # (M,) bool
    table: np.recarray              # (R,) records: SCALARS and ACTORS
    calendar: np.recarray           # (n_days + 1,) records: CALENDAR
    sampled: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return int(self.table.shape[0])

    def first(self, name: str) -> float:
        """Row 0's value of a scalar parameter (for narration)."""
        return float(self.table[name][0])

    def column(self, name: str) -> np.ndarray:
        """A per-actor parameter over the rows, (R, actors) without the spare room."""
        axis = ACTORS[name][0]
        n = {"K": len(self.region_names), "M": len(self.importer_ids),
             "B": len(self.buyer_ids), "S": int(self.table.S[0]) if self.rows else 0}[axis]
        return self.table[name][:, :n]


def _rows(values: list, n: int) -> np.ndarray:
    """(n, len(values)) floats from per-element parameters that may carry a replicate axis."""
    cols = [np.broadcast_to(np.asarray(v, dtype=float).reshape(-1), (n,)) if np.ndim(v)
            else np.full(n, float(v)) for v in values]
    if not cols:
        return np.zeros((n, 0))
    return np.ascontiguousarray(np.stack(cols, axis=1))


def _day(s: Scenario, when) -> int:
    return (when - s.start).days


def _check_elasticities(mkt: dict) -> None:
    """The price response ``(1-s)^(-1/(es + |ed|))`` needs ``es + |ed|`` of at least
    :data:`~simulate.model.brent.MIN_ELASTICITY_SUM`: with both elasticities 0 a single lost
    barrel would make the price infinite, and near 0 it overflows."""
    total = np.asarray(mkt["supply_elasticity"], float) + np.abs(
        np.asarray(mkt["demand_elasticity"], float))
    if np.any(total < MIN_ELASTICITY_SUM):
        raise ScenarioError.from_text(
            f"expected market.supply_elasticity + |market.demand_elasticity| >= "
            f"{MIN_ELASTICITY_SUM:g} (the oil price response is (1 - loss share)^(-1/sum)), "
            f"found {float(np.min(total)):g}", key="market.supply_elasticity")


def _set(data: dict, key: str, value) -> None:
    parts = split_key(key)
    node = data
    for p in parts[:-1]:
        node = node[p]
    node[parts[-1]] = value


def compile_params(s: Scenario, sampled: dict[str, np.ndarray] | None = None,
                   n: int | None = None) -> Params:
    """Typed arrays of the scenario's parameters for ``n`` rows (default: the length of the
    sampled values, or 1); ``sampled`` values replace their keys row by row."""
    sampled = sampled or {}
    check_sampled(sampled)
    if n is None:
        n = len(next(iter(sampled.values()))) if sampled else 1
    d = s.model_dump(by_alias=True)
    for key, values in sampled.items():
        _set(d, key, np.asarray(values).reshape(-1))
    n_days = s.horizon_days
    regions = list(s.regions)
    rg, actors = d["regions"], d["actors"]
    bell = {k: a for k, a in actors.items() if a["role"] == "belligerent"}
    occ_id = next(k for k, a in bell.items() if a["side"] == "occupier")
    def_id = next(k for k, a in bell.items() if a["side"] == "defender")
    occ, dfd = actors[occ_id], actors[def_id]
    importers = [k for k, a in actors.items() if a["role"] == "importer"]
    suppliers = [a for a in actors.values() if a["role"] == "supplier"]
    buyer_list = [(m, k, b) for m in importers for k, b in actors[m]["buyers"].items()]
    sanc_ids = [k for k, a in actors.items() if a["role"] == "sanctioner"]
    sanc = actors[sanc_ids[0]] if sanc_ids else None
    threat = (sanc or {}).get("threat") or {}
    tariff = threat.get("secondary_tariff") or {}
    company = threat.get("company_sanctions") or {}
    mkt, neg = d["market"], d["negotiation"]
    _check_elasticities(mkt)

    K, M, B, S = len(regions), len(importers), len(buyer_list), len(suppliers)
    sizes = {"K": K, "M": M, "B": B, "S": S}
    calendar = np.zeros(n_days + 1, dtype=record_dtype([], CALENDAR, sizes)).view(np.recarray)
    calendar["company"] = np.nan
    for day in neg["talks"]["scheduled"]:
        calendar.talks[_day(s, day)] = True
    for act in s.timeline:
        t = _day(s, act.date)
        if act.action == "secondary_tariff":
            calendar.tariff[t, importers.index(act.target)] += act.rate
        elif act.action == "lift_tariff":
            calendar.lift[t, importers.index(act.target)] = 1
        elif act.action == "company_sanctions":
            calendar.company[t] = act.share
        elif act.action == "lift_company_sanctions":
            calendar.company[t] = 0.0
        elif act.action == "talks":
            calendar.talks[t] = True
        elif act.action == "proposal":
            table_proposal(calendar, t, act, regions, occ_id, def_id, n_days)
    deadline = sanc["deadline"] if sanc and sanc["deadline"] is not None else None
    deadline_day = NO_DAY if deadline is None else _day(s, deadline)
    targets = np.array([m in tariff.get("targets", ()) for m in importers], dtype=bool)
    base = _rows([b["base_volume_mbd"] for _, _, b in buyer_list], n)
    capacity_mbd = mkt["export_capacity_mbd"]

    table = np.zeros(n, dtype=record_dtype(SCALARS, ACTORS, sizes)).view(np.recarray)
    scalars = {
        "resolve_occ": np.inf if occ["resolve"] is None else occ["resolve"],
        "resolve_def": np.inf if dfd["resolve"] is None else dfd["resolve"],
        "war_cost_occ": occ["war_cost_per_day"], "war_cost_def": dfd["war_cost_per_day"],
        "sens_occ": occ["sanctions_sensitivity"], "sens_def": dfd["sanctions_sensitivity"],
        "optimism_occ": occ["optimism"], "optimism_def": dfd["optimism"],
        "delta_occ": occ["discount_factor"], "delta_def": dfd["discount_factor"],
        "resource_elasticity": occ["resource_elasticity"],
        "strike_rate": occ["strikes"]["rate_per_day"],
        "killed_per_strike": occ["strikes"]["killed_per_strike"],
        "injured_per_strike": occ["strikes"]["injured_per_strike"],
        "deadline_day": deadline_day,
        "tariff_rate": tariff.get("rate", 0.0),
        "tariff_lag": np.rint(tariff.get("lag_days", 0)),
        "company_share": company.get("share", 0.0),
        "company_lag": np.rint(company.get("lag_days", 0)),
        "company_wind_down": np.rint(company.get("wind_down_days", 0)),
        "credibility": sanc["credibility"] if sanc else 0.0,
        "extension_probability": sanc["extension_probability"] if sanc else 0.0,
        "extension_days": np.rint(sanc["extension_days"]) if sanc else 1,
        "progress_window": np.rint(sanc["progress_window_days"]) if sanc else 1,
        "lift_on_deal": bool(sanc["lift_on_deal"]) if sanc else False,
        "brent0": mkt["brent_usd"], "discount0": mkt["urals_discount_usd"],
        "capacity": base.sum(axis=1) if capacity_mbd is None else capacity_mbd,
        "shutin_price": mkt["shutin_price_usd"],
        "world_demand": mkt["world_demand_mbd"],
        "supply_elasticity": mkt["supply_elasticity"],
        "demand_elasticity": mkt["demand_elasticity"],
        "brent_vol": mkt["brent_volatility_per_day"], "brent_rho": mkt["brent_persistence"],
        "threat_loss_ratio": mkt["threat_loss_ratio"],
        "protocol": lookup(PROTOCOLS, neg["protocol"]),
        "talks_rate": neg["talks"]["rate_per_day"],
        "p_agree": neg["p_agree"], "horizon_value": neg["valuation_horizon_days"],
        "nash_power": neg["nash_power"], "occ_proposes": (neg["proposer"] or occ_id) == occ_id,
        "K": K, "M": M, "B": B, "S": S, "n_days": n_days,
        **negotiation_scalars(s, occ, dfd, sanc, def_id),
    }
    for name, value in scalars.items():
        table[name] = value
    table.has_threat = (deadline_day != NO_DAY) & (
        ((table.tariff_rate > 0) & bool(targets.any())) | (table.company_share > 0))

    def per_region(actor: dict, default: float) -> np.ndarray:
        """Demands per region; NaN stands for 'line' (the front line at the talks)."""
        return _rows([line_as_nan(actor["demands"].get(r, default)) for r in regions], n)

    def reservation(actor: dict, default: float) -> np.ndarray:
        """Reservation points per region (NaN: the line); the demands where omitted."""
        res = actor["reservation"] or {}
        return _rows([line_as_nan(res.get(r, actor["demands"].get(r, default)))
                      for r in regions], n)

    buyer_values = [b for _, _, b in buyer_list]
    actor_values = {
        "weight": _rows([rg[r]["weight"] for r in regions], n),
        "control0": _rows([rg[r]["control"] for r in regions], n),
        "drift": _rows([rg[r]["drift_per_day"] for r in regions], n),
        "front_vol": _rows([rg[r]["volatility_per_day"] for r in regions], n),
        "floor_demand": per_region(occ, 0.0), "ceil_demand": per_region(dfd, 1.0),
        "res_occ0": reservation(occ, 0.0), "res_def0": reservation(dfd, 1.0),
        "prio_occ": _rows([occ["priorities"].get(r, 1.0) for r in regions], n),
        "prio_def": _rows([dfd["priorities"].get(r, 1.0) for r in regions], n),
        "exports0": _rows([actors[m]["exports_to_us_busd"] for m in importers], n),
        "trade_sigma": _rows([actors[m]["trade_elasticity"] for m in importers], n),
        "stance_weight": _rows([lookup(STANCE_WEIGHT, actors[m]["stance"])
                                for m in importers], n),
        "threatened": table.tariff_rate[:, None] * targets,
        "base_volume": base,
        "sanctions_exposure": _rows([b["sanctions_exposure"] for b in buyer_values], n),
        "discount_capture": _rows([b["discount_capture"] for b in buyer_values], n),
        "adjustment_days": _rows([b["adjustment_days"] for b in buyer_values], n),
        "buyer_importer": np.array([importers.index(m) for m, _, _ in buyer_list]),
        "spare_capacity": _rows([a["spare_capacity_mbd"] for a in suppliers], n),
        "response_share": _rows([a["response_share"] for a in suppliers], n),
    }
    for name, value in actor_values.items():
        table[name][:, :sizes[ACTORS[name][0]]] = value
    tradeparams.fill_trade(table, d, s.start, n_days)    # also the start revenue at FOB
    return Params(
        n_days=n_days, region_names=regions, importer_ids=importers,
        buyer_ids=[f"{m}.{k}" for m, k, _ in buyer_list], occ_id=occ_id, def_id=def_id,
        sanctioner_id=sanc_ids[0] if sanc_ids else None, deadline_day=deadline_day,
        tariff_targets=targets, table=table, calendar=calendar, sampled=dict(sampled))
