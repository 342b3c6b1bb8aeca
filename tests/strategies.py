"""Hypothesis strategies for valid scenarios, for any test module to reuse.

``scenario_data()`` draws plain data (what a YAML file holds, before validation) that is valid:
two belligerents (an occupier and a defender), a sanctioner whose deadline and threat lie inside
the horizon, 1-3 importers with 1-3 buyers each, a supplier, a market, negotiation, a timeline,
and uncertain parameters whose distributions stay within what their parameter accepts.
``scenarios()`` draws the validated :class:`simulate.Scenario` of such data.

Sizes are small on purpose (1-4 regions, horizons of 5-60 days) so that model tests built on
them stay fast. Every draw is valid: a failing validation of drawn data is a bug, either here
or in the scenario layer.

    from hypothesis import given
    from strategies import scenarios

    @given(scenarios())
    def test_something(s): ...
"""

from __future__ import annotations

import datetime as dt
import string
from typing import Any

from hypothesis import strategies as st

from simulate.scenario import Scenario
from simulate.scenario.loader import validate

__all__ = ["scenario_data", "scenarios", "identifiers", "shares", "distributions_for"]

#: text that needs no care in YAML or on a terminal, but still has spaces and punctuation
_TEXT = st.text(alphabet=string.ascii_letters + string.digits + " .,;:-'()%&/", max_size=30)


def identifiers(min_size: int = 2, max_size: int = 8) -> st.SearchStrategy[str]:
    """Actor, region and buyer ids: a letter, then letters, digits, '_' or '-'."""
    return st.from_regex(rf"[A-Za-z][A-Za-z0-9_]{{{min_size - 1},{max_size - 1}}}",
                         fullmatch=True)


def _num(lo: float, hi: float) -> st.SearchStrategy[float]:
    """A number in [lo, hi] (bounds of at most 9 decimals), itself rounded to 9 decimals:
    edge values such as 0 and the bounds are drawn, but no subnormal 2e-313, which no
    scenario means and which only tests the floating point of the model."""
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False,
                     allow_subnormal=False).map(lambda x: round(x, 9) + 0.0)


def shares() -> st.SearchStrategy[float]:
    """A share in [0, 1]."""
    return _num(0.0, 1.0)


def _maybe(strategy: st.SearchStrategy) -> st.SearchStrategy:
    return st.none() | strategy


@st.composite
def _day(draw: st.DrawFn, start: dt.date, horizon: int) -> Any:
    """A date inside [start, start + horizon], written as an ISO date or as an offset."""
    days = draw(st.integers(0, horizon))
    form = draw(st.sampled_from(["date", "days", "weeks"]))
    if form == "weeks" and days % 7 == 0:
        return f"+{days // 7}w"
    if form == "days":
        return f"+{days}d"
    return start + dt.timedelta(days=days)


@st.composite
def _unit_interval_dist(draw: st.DrawFn) -> dict:
    """A distribution whose values stay inside [0, 1]."""
    kind = draw(st.sampled_from(["beta", "uniform", "triangular"]))
    if kind == "beta":
        return {"dist": "beta", "a": draw(_num(0.1, 10)), "b": draw(_num(0.1, 10))}
    lo, hi = sorted(draw(st.lists(_num(0, 1), min_size=2, max_size=2, unique=True)))
    if kind == "uniform":
        return {"dist": "uniform", "low": lo, "high": hi}
    return {"dist": "triangular", "low": lo, "mode": draw(_num(lo, hi)), "high": hi}


@st.composite
def _positive_dist(draw: st.DrawFn, centre: float) -> dict:
    """A distribution of positive values around ``centre`` (> 0)."""
    kind = draw(st.sampled_from(["lognormal", "normal", "uniform", "triangular"]))
    if kind == "lognormal":
        return {"dist": "lognormal", "median": centre * draw(_num(0.5, 2)),
                "sigma": draw(_num(0.01, 1))}
    if kind == "normal":  # its 1e-9 tail must stay above 0: sd below mean / 7
        return {"dist": "normal", "mean": centre, "sd": centre * draw(_num(0.001, 0.14))}
    lo = round(centre * draw(_num(0.1, 0.9)), 9)
    hi = round(centre * draw(_num(1.1, 3)), 9)
    if kind == "uniform":
        return {"dist": "uniform", "low": lo, "high": hi}
    return {"dist": "triangular", "low": lo, "mode": draw(_num(lo, hi)), "high": hi}


def distributions_for(kind: str) -> st.SearchStrategy[dict]:
    """Valid distributions for a parameter of ``kind``: 'share', 'positive' or 'stance'."""
    if kind == "share":
        return _unit_interval_dist()
    if kind == "positive":
        return _num(0.01, 100).flatmap(_positive_dist)
    if kind == "stance":
        values = st.lists(st.sampled_from(["defy", "neutral", "comply"]), min_size=1,
                          max_size=3, unique=True)
        return values.flatmap(lambda v: st.fixed_dictionaries(
            {"dist": st.just("choice"), "values": st.just(v)},
            optional={"weights": st.lists(_num(0.1, 5), min_size=len(v), max_size=len(v))}))
    raise ValueError(f"unknown kind {kind!r}")


@st.composite
def scenario_data(draw: st.DrawFn, max_regions: int = 4, max_importers: int = 3,
                  max_buyers: int = 3, max_horizon: int = 60) -> dict:
    """Plain data of a valid scenario (dates may be ISO dates or offsets such as ``+2d``)."""
    start = draw(st.dates(dt.date(2000, 1, 1), dt.date(2040, 12, 31)))
    horizon = draw(st.integers(5, max_horizon))
    day = _day(start, horizon)

    n_importers = draw(st.integers(1, max_importers))
    ids = draw(st.lists(identifiers(2, 4), min_size=4 + n_importers, max_size=4 + n_importers,
                        unique=True))
    occupier, defender, sanctioner, supplier, *importers = ids
    region_names = draw(st.lists(identifiers(3, 10), min_size=1, max_size=max_regions,
                                 unique=True))

    regions = {name: {"weight": draw(_num(0.05, 1)), "control": draw(shares()),
                      "drift_per_day": draw(_num(-0.001, 0.001)),
                      "volatility_per_day": draw(_num(0, 0.001))}
               for name in region_names}

    def belligerent(side: str) -> dict:
        out = {"role": "belligerent", "name": draw(_TEXT), "side": side,
               "demands": {r: draw(shares()) for r in region_names if draw(st.booleans())},
               "war_cost_per_day": draw(_num(0, 0.01)),
               "sanctions_sensitivity": draw(_num(0, 0.01)),
               "optimism": draw(_num(-0.001, 0.001)),
               "discount_factor": draw(_num(0.5, 0.999)),
               "resource_elasticity": draw(_num(0, 1)),
               "strikes": {"rate_per_day": draw(_num(0, 2)),
                           "killed_per_strike": draw(_num(0, 5)),
                           "injured_per_strike": draw(_num(0, 20))}}
        resolve = draw(_maybe(_num(0.01, 1)))
        if resolve is not None:
            out["resolve"] = resolve
        return out

    threat: dict[str, Any] = {"secondary_tariff": {
        "rate": draw(_num(0, 2)),
        "targets": draw(st.lists(st.sampled_from(importers), min_size=1, unique=True)),
        "lag_days": draw(st.integers(0, 30))}}
    if draw(st.booleans()):
        threat["company_sanctions"] = {"share": draw(shares()),
                                       "lag_days": draw(st.integers(0, 30))}

    actors: dict[str, Any] = {
        occupier: belligerent("occupier"),
        defender: belligerent("defender"),
        sanctioner: {"role": "sanctioner", "name": draw(_TEXT), "deadline": draw(day),
                     "threat": threat, "credibility": draw(shares()),
                     "extension_probability": draw(shares()),
                     "extension_days": draw(st.integers(1, 30)),
                     "progress_window_days": draw(st.integers(1, 30)),
                     "lift_on_deal": draw(st.booleans())},
    }
    volume = 0.0
    for imp in importers:
        buyers = {}
        for name in draw(st.lists(identifiers(2, 10), min_size=1, max_size=max_buyers,
                                  unique=True)):
            buyers[name] = {"name": draw(_TEXT), "base_volume_mbd": draw(_num(0, 2)),
                            "sanctions_exposure": draw(shares()),
                            "discount_capture": draw(shares()),
                            "adjustment_days": draw(_num(1, 90))}
            volume += buyers[name]["base_volume_mbd"]
        actors[imp] = {"role": "importer", "name": draw(_TEXT),
                       "exports_to_us_busd": draw(_num(0, 500)),
                       "trade_elasticity": draw(_num(0, 8)),
                       "stance": draw(st.sampled_from(["defy", "neutral", "comply"])),
                       "buyers": buyers}
    actors[supplier] = {"role": "supplier", "name": draw(_TEXT),
                        "spare_capacity_mbd": draw(_num(0, 5)),
                        "response_share": draw(shares())}

    market: dict[str, Any] = {
        "brent_usd": draw(_num(20, 150)), "urals_discount_usd": draw(_num(0, 30)),
        "shutin_price_usd": draw(_num(0, 40)), "world_demand_mbd": draw(_num(80, 110)),
        "supply_elasticity": draw(_num(0, 0.5)), "demand_elasticity": draw(_num(-1, 0)),
        "brent_volatility_per_day": draw(_num(0, 0.05)),
        "brent_persistence": draw(_num(0, 0.99))}
    if draw(st.booleans()):
        market["export_capacity_mbd"] = volume * 1.0001 + draw(_num(0, 3))

    negotiation: dict[str, Any] = {
        "protocol": draw(st.sampled_from(["nash", "alternating_offers", "split_the_difference"])),
        "talks": {"scheduled": draw(st.lists(day, max_size=3)),
                  "rate_per_day": draw(_num(0, 0.2))},
        "p_agree": draw(shares()), "valuation_horizon_days": draw(st.integers(1, 365)),
        "nash_power": draw(shares())}
    proposer = draw(_maybe(st.sampled_from([occupier, defender])))
    if proposer is not None:
        negotiation["proposer"] = proposer

    timeline = []
    for _ in range(draw(st.integers(0, 3))):
        action = draw(st.sampled_from(["secondary_tariff", "lift_tariff", "company_sanctions",
                                       "lift_company_sanctions", "talks"]))
        act: dict[str, Any] = {"date": draw(day), "actor": sanctioner, "action": action}
        if action in ("secondary_tariff", "lift_tariff"):
            act["target"] = draw(st.sampled_from(importers))
        if action == "secondary_tariff":
            act["rate"] = draw(_num(0, 2))
        if action == "company_sanctions":
            act["share"] = draw(shares())
        if action == "talks":
            act["actor"] = draw(st.sampled_from([occupier, defender]))
        if draw(st.booleans()):
            act["note"] = draw(_TEXT)
        timeline.append(act)

    candidates = {
        f"actors.{sanctioner}.credibility": "share",
        f"actors.{sanctioner}.extension_probability": "share",
        f"regions.{region_names[0]}.control": "share",
        "negotiation.p_agree": "share",
        f"actors.{occupier}.war_cost_per_day": "positive",
        "market.brent_usd": "positive",
        "market.world_demand_mbd": "positive",
        f"actors.{importers[0]}.stance": "stance",
    }
    chosen = draw(st.lists(st.sampled_from(sorted(candidates)), max_size=3, unique=True))
    uncertainty = {key: draw(distributions_for(candidates[key])) for key in chosen}

    data: dict[str, Any] = {
        "schema": 1,
        "name": draw(identifiers(1, 12)),
        "description": draw(_TEXT),
        "sources": {"src": {"title": draw(_TEXT), "date": start}},
        "cite": {"start": "src", "market.brent_usd": "assumption"},
        "start": start,
        "horizon_days": horizon,
        "regions": regions,
        "actors": actors,
        "market": market,
        "negotiation": negotiation,
        "timeline": timeline,
        "uncertainty": uncertainty,
        "ensemble": {"replicates": draw(st.integers(1, 50)),
                     "seed": draw(st.integers(0, 2**63 - 1)),
                     "chunk_size": draw(st.integers(1, 100))},
        "outputs": {"counterfactual": draw(st.booleans()),
                    "keep_series": draw(st.integers(0, 10)), "report": draw(st.booleans())},
    }
    if draw(st.booleans()):
        key = f"actors.{sanctioner}.credibility"
        data["experiment"] = {"design": draw(st.sampled_from(["factorial", "lhs", "sobol"])),
                              "points": draw(st.integers(1, 16)),
                              "levers": {key: {"choices": draw(st.lists(shares(), min_size=1,
                                                                         max_size=3))}}}
    return data


def scenarios(**sizes: int) -> st.SearchStrategy[Scenario]:
    """Validated scenarios drawn from :func:`scenario_data` (same size options)."""
    return scenario_data(**sizes).map(lambda data: validate(data, file="<hypothesis>"))
