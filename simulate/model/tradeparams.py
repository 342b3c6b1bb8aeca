"""The trade side of a scenario as the arrays :func:`simulate.model.tradeday.trade_day` reads.

``trade_arrays`` turns the plain scenario data (``Scenario.model_dump(by_alias=True)``, with
sampled values already set per replicate, as :func:`simulate.model.params.compile_params`
does) into per-replicate parameter arrays; ``trade_timeline`` turns the dated trade actions
into per-day action rows and Brent news. Units as in the scenario schema.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from . import tradeday as T
from .sampling import STANCE_WEIGHT
from .wedges import decay_factor

__all__ = ["TradeArrays", "TradeTimeline", "trade_arrays", "trade_timeline", "STANCE_WEIGHT",
           "TRADE_PARAMS", "TRADE_STATE", "fill_trade", "lasting_news", "MAX_TRADE_ACTIONS",
           "NA", "A_NEWS"]

_ACTION_CODES = {"company_sanctions": T.A_DESIGNATION, "tanker_designations": T.A_TANKERS,
                 "price_cap": T.A_PRICE_CAP, "embargo": T.A_EMBARGO,
                 "lift_company_sanctions": T.A_LIFT_DESIGNATION,
                 "export_capacity": T.A_CAPACITY}
#: the timeline key whose number fills an action row's price column (default ``price_usd``)
_PRICE_KEY = {T.A_CAPACITY: "change_mbd"}


class TradeArrays(NamedTuple):
    """Per-replicate parameters: ``bp`` (R, B, NB), ``ip`` (R, M, NI), ``mp`` (R, NM),
    ``ps0`` (NP,) the policy state at start (a price cap in force)."""

    bp: np.ndarray
    ip: np.ndarray
    mp: np.ndarray
    ps0: np.ndarray


class TradeTimeline(NamedTuple):
    """Trade actions by day: ``actions`` (A, 6) rows ``(day, code, share, wind_down, price,
    target)`` sorted by day (a lasting world-market shift: its daily news as the price);
    ``news`` (n_days + 1,) expected loss added that day, mb/d."""

    actions: np.ndarray
    news: np.ndarray


def _col(value: Any, n: int) -> np.ndarray:
    """A scalar or a per-replicate array of draws as ``(n,)`` floats."""
    arr = np.asarray(value, dtype=float).reshape(-1)
    return np.broadcast_to(arr, (n,)) if arr.size == 1 else arr


def _stance(value: Any, n: int) -> np.ndarray:
    values = np.asarray(value, dtype=object).reshape(-1)
    return _col([STANCE_WEIGHT[str(v)] for v in values], n)


def trade_arrays(d: dict, n: int) -> TradeArrays:
    """Arrays of the trade parameters for ``n`` replicates from plain scenario data ``d``."""
    actors = d["actors"]
    importers = [k for k, a in actors.items() if a["role"] == "importer"]
    buyers = [(i, b) for i, m in enumerate(importers) for b in actors[m]["buyers"].values()]
    bp = np.zeros((n, len(buyers), T.NB))
    for j, (i, b) in enumerate(buyers):
        base = _col(b["base_volume_mbd"], n)
        cap = base if b.get("capacity_mbd") is None else _col(b["capacity_mbd"], n)
        bp[:, j, T.B_BASE] = base
        bp[:, j, T.B_CAP] = np.maximum(cap, base)
        bp[:, j, T.B_SLOPE] = _col(b.get("demand_slope_mbd_per_usd", 0.0), n)
        bp[:, j, T.B_LAG] = _col(b["adjustment_days"], n)
        bp[:, j, T.B_EXPOSURE] = _col(b["sanctions_exposure"], n)
        bp[:, j, T.B_STATE] = float(b.get("ownership") == "state")
        bp[:, j, T.B_SELLER_OWNED] = float(b.get("ownership") == "seller_owned")
        bp[:, j, T.B_COMPLIANT] = float(bool(b.get("price_cap_compliant")))
        bp[:, j, T.B_FLEX] = _col(b.get("front_load_share", 0.0), n)
        bp[:, j, T.B_IMPORTER] = i
        bp[:, j, T.B_EXEMPT] = float(bool(b.get("embargo_exempt")))
        bp[:, j, T.B_CAPTURE] = _col(b["discount_capture"], n)
        if b.get("max_ramp_mbd_per_month") is not None:  # else 0: no limit
            bp[:, j, T.B_RAMP] = _col(b["max_ramp_mbd_per_month"], n) / T.DAYS_PER_MONTH
    ip = np.zeros((n, len(importers), T.NI))
    for i, m in enumerate(importers):
        a = actors[m]
        ip[:, i, T.I_X0] = _col(a["exports_to_us_busd"], n)
        ip[:, i, T.I_SIGMA] = _col(a["trade_elasticity"], n)
        ip[:, i, T.I_CONDITIONAL] = _col(a.get("tariff_conditional", 0.0), n)
        ip[:, i, T.I_CUT_CAP] = _col(a.get("state_cut_cap", 0.0), n)
        ip[:, i, T.I_POLITICAL] = _col(a.get("political_cost_busd", 0.0), n)
        ip[:, i, T.I_STANCE] = _stance(a["stance"], n)
        ip[:, i, T.I_REVIEW] = _col(a["review_days"], n)
    mk = d["market"]
    capacity = (bp[:, :, T.B_BASE].sum(axis=1) if mk.get("export_capacity_mbd") is None
                else _col(mk["export_capacity_mbd"], n))
    keys = {T.M_BRENT0: "brent_usd", T.M_REF: "urals_discount_usd", T.M_FREIGHT: "freight_usd",
            T.M_ZERO: "shutin_price_usd", T.M_FULL: "full_supply_price_usd",
            T.M_MIN_DISC: "min_discount_usd", T.M_STORAGE_CAP: "storage_capacity_mb",
            T.M_STORAGE_RATE: "storage_rate_mbd", T.M_RELEASE_RATE: "release_rate_mbd",
            T.M_PREMIUM_SCALE: "risk_premium_usd", T.M_ND_PREMIUM: "nondesignated_premium_usd",
            T.M_RESHUFFLE: "reshuffle_days", T.M_THRESHOLD: "stop_exposure_threshold",
            T.M_FREIGHT_PER_SHARE: "freight_per_tanker_share_usd",
            T.M_FREIGHT_LASTING: "freight_lasting_share",
            T.M_FREIGHT_DECAY: "freight_decay_days", T.M_FREIGHT_LAG: "freight_adjust_days",
            T.M_CAP_PREMIUM: "cap_freight_premium_usd", T.M_WORLD: "world_demand_mbd",
            T.M_ES: "supply_elasticity", T.M_ED: "demand_elasticity",
            T.M_EXP_HALF_LIFE: "expectation_half_life_days",
            T.M_EXP_LAG: "expectation_adjust_days", T.M_BRENT_VOL: "brent_volatility_per_day",
            T.M_BRENT_RHO: "brent_persistence", T.M_PREMIUM0: "freight_premium_usd",
            T.M_BOTTLENECK: "tanker_bottleneck_share",
            T.M_ADAPT: "demand_adaptation_half_life_days",
            T.M_CAP_MARGIN: "cap_compliance_margin_usd"}
    mp = np.zeros((n, T.NM))
    for col, key in keys.items():
        mp[:, col] = _col(mk[key], n)
    mp[:, T.M_CAPACITY] = capacity
    ps0 = T.empty_policy()
    if mk.get("price_cap_usd") is not None:
        ps0[T.P_PRICE_CAP] = float(mk["price_cap_usd"])
    return TradeArrays(bp, ip, mp, ps0)


def _pick(value: Any, replicate: int) -> float:
    """A timeline number, or replicate ``replicate``'s draw when it was sampled."""
    if value is None:
        return 0.0
    arr = np.asarray(value, dtype=float).reshape(-1)
    return float(arr[0] if arr.size == 1 else arr[replicate])


def lasting_news(loss: float, half_life: float) -> float:
    """News a day (mb/d) that holds the expectation at a lasting world-market shift ``loss``:
    ``E = E 2^(-1/h) + n`` settles at ``loss`` when ``n = loss (1 - 2^(-1/h))``
    (docs/model.md 4.11)."""
    return loss * (1.0 - decay_factor(half_life))


def _sampled(value: Any) -> bool:
    """Whether a timeline number holds one draw per replicate (not one number for all)."""
    return value is not None and np.asarray(value).size > 1


def _timeline_varies(d: dict) -> bool:
    """Whether replicates' trade timelines (:func:`trade_timeline`) may differ: any number of
    the timeline is sampled, or the expectation half-life is while a lasting world-market
    shift needs it."""
    acts = d.get("timeline") or ()
    lasting = any(act.get("lasting_loss_mbd") is not None for act in acts)
    return (any(_sampled(v) for act in acts for v in act.values())
            or (lasting and _sampled(d["market"]["expectation_half_life_days"])))


def trade_timeline(d: dict, start, n_days: int, replicate: int = 0) -> TradeTimeline:
    """The trade actions of ``d['timeline']`` by day from ``start`` (a date), with the
    draws of replicate ``replicate`` where a timeline number is uncertain."""
    importers = [k for k, a in d["actors"].items() if a["role"] == "importer"]
    half_life = _pick(d["market"]["expectation_half_life_days"], replicate)
    rows = []
    news = np.zeros(n_days + 1)
    for act in d.get("timeline") or ():
        day = (act["date"] - start).days
        if not 0 <= day <= n_days:
            continue
        if act.get("expected_loss_mbd") is not None:
            news[day] += _pick(act["expected_loss_mbd"], replicate)
        if act.get("lasting_loss_mbd") is not None:
            rows.append((day, T.A_WORLD, 0.0, 0.0,
                         lasting_news(_pick(act["lasting_loss_mbd"], replicate), half_life), -1))
        code = _ACTION_CODES.get(act["action"])
        if code is None:
            continue
        target = importers.index(act["target"]) if act.get("target") in importers else -1
        rows.append((day, code, _pick(act.get("share"), replicate),
                     _pick(act.get("wind_down_days"), replicate),
                     _pick(act.get(_PRICE_KEY.get(code, "price_usd")), replicate), target))
    actions = np.array(sorted(rows, key=lambda r: r[0]), dtype=float).reshape(-1, 6)
    return TradeTimeline(actions, news)


# ----- the trade side inside the engines' parameter and state records ---------------------------

MAX_TRADE_ACTIONS, NA, A_NEWS = T.MAX_TRADE_ACTIONS, T.NA, T.A_NEWS

#: fields of the parameter record (:data:`simulate.model.params.ACTORS`): an axis name and a
#: width means ``capacity(axis) * width`` floats (rows of :mod:`simulate.model.tradeday`)
TRADE_PARAMS = {
    "trade_bp": (("B", T.NB), "f8"),
    "trade_ip": (("M", T.NI), "f8"),
    "trade_mp": (T.NM, "f8"),
    "trade_ps0": (T.NP, "f8"),
    "trade_actions": (MAX_TRADE_ACTIONS * NA, "f8"),
}
#: fields of the state record (:data:`simulate.model.state.ARRAYS`)
TRADE_STATE = {
    "trade_ms": (T.NS, "f8"),
    "trade_bs": (("B", T.NBS), "f8"),
    "trade_ps": (T.NP, "f8"),
    "embargo": ("M", "f8"),          # day an importer's buyers are embargoed from (-1 none)
    "directive": ("M", "f8"),        # cap on state refiners' intake, share of base
    "trade_tariff": ("M", "f8"),     # extra tariff in force today, fraction
    "trade_threat": ("M", "f8"),     # threatened extra tariff still to come, fraction
    "trade_work": ((T.NW, "B"), "f8"),   # the day's working rows over the buyers
    "trade_relief": (("M", T.NR), "f8"),  # each government's decision memory
    "suspended": ("M", "f8"),        # 1 while an importer's conditional tariffs are lifted
}


def fill_trade(table: np.recarray, d: dict, start, n_days: int) -> None:
    """Write the trade arrays of every row of ``table`` (parameter records) from the plain
    scenario data ``d`` (sampled values set), and the start revenue at the FOB price."""
    from ..errors import ScenarioError

    n = table.shape[0]
    arrays = trade_arrays(d, n)
    B, M = arrays.bp.shape[1], arrays.ip.shape[1]
    table.trade_bp[:, :B] = arrays.bp
    table.trade_ip[:, :M] = arrays.ip
    table.trade_mp[:] = arrays.mp
    table.trade_ps0[:] = arrays.ps0
    table.trade_actions[:] = 0.0
    varies = _timeline_varies(d)
    for r in range(n if varies else 1):
        tl = trade_timeline(d, start, n_days, r)
        rows = [[*a, 0.0] for a in tl.actions.tolist()]
        for t in np.flatnonzero(tl.news):    # news rides on the day's first action
            same = [row for row in rows if row[0] == t]
            if same:
                same[0][6] += float(tl.news[t])
            else:
                rows.append([float(t), A_NEWS, 0.0, 0.0, 0.0, -1.0, float(tl.news[t])])
        rows.sort(key=lambda a: a[0])
        if len(rows) > MAX_TRADE_ACTIONS:
            raise ScenarioError.from_text(
                f"expected at most {MAX_TRADE_ACTIONS} trade actions in the timeline, found "
                f"{len(rows)}", key="timeline")
        if rows:
            table.trade_actions[r, :len(rows) * NA] = np.asarray(rows, float).reshape(-1)
        table.trade_actions[r, len(rows) * NA:] = np.nan
    if not varies:          # one timeline for every replicate
        table.trade_actions[1:] = table.trade_actions[0]
    mp = arrays.mp
    fob0 = mp[:, T.M_BRENT0] - mp[:, T.M_REF] - mp[:, T.M_FREIGHT] - mp[:, T.M_PREMIUM0]
    table.revenue0 = mp[:, T.M_CAPACITY] * fob0
