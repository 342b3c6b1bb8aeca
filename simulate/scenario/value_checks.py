"""Checks on values across parts: barrels conserved for every draw, citations pointing at
sources, and ``uncertainty:`` distributions that stay within what their key accepts.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import TypeAdapter, ValidationError

from .bounds import NOT_SAMPLED
from .distributions import Distribution
from .findings import Finding, Horizon, as_dict, as_number, fmt_value
from .keypaths import resolve_path, split_key
from .messages import describe, expectation, suggest, type_words, unwrap
from .posterior import POSTERIOR_KEY, posterior_problems
from .schema_base import StrictKinds
from .yamlio import join_key

__all__ = ["check_capacity", "check_cite", "check_uncertainty", "value_range"]

UNBOUNDED = ("normal", "lognormal")
_DISTRIBUTION = TypeAdapter(Distribution)


def value_range(data: dict, key: str, value: Any) -> tuple[float, float] | None:
    """Smallest and largest value ``key`` can take: its distribution's support when
    ``uncertainty`` names it, else the number itself; None if not a well-formed number."""
    spec = as_dict(data.get("uncertainty")).get(key)
    if isinstance(spec, dict):
        try:
            lo, hi = _DISTRIBUTION.validate_python(spec).support()
        except (ValidationError, TypeError, ValueError):
            return None
        return (float(lo), float(hi)) if as_number(lo) is not None and as_number(hi) is not None \
            else None
    v = as_number(value)
    return None if v is None else (v, v)


def check_capacity(data: dict, actors: dict, out: list[Finding]) -> None:
    """Barrels are conserved for every draw: the export capacity (its smallest value) covers
    the buyers' base volumes (their largest values), and no buyer's base volume can exceed
    its technical capacity."""
    ranges = []
    for aid, a in actors.items():
        if not isinstance(a, dict) or a.get("role") != "importer":
            continue
        for bid, b in as_dict(a.get("buyers")).items():
            key = f"actors.{aid}.buyers.{bid}"
            base = value_range(data, f"{key}.base_volume_mbd", as_dict(b).get("base_volume_mbd"))
            if base is None or base[0] < 0:
                return
            ranges.append(base)
            if as_dict(b).get("capacity_mbd") is None:
                continue
            cap = value_range(data, f"{key}.capacity_mbd", as_dict(b).get("capacity_mbd"))
            if cap is not None and cap[0] + 1e-12 < base[1]:
                out.append(Finding(f"{key}.capacity_mbd",
                                   f"expected a capacity of at least the base volume "
                                   f"({base[1]:g} mb/d at most) for every draw, found "
                                   f"{cap[0]:g} mb/d at least"))
    market = as_dict(data.get("market"))
    if market.get("export_capacity_mbd") is None:
        return
    capacity = value_range(data, "market.export_capacity_mbd", market.get("export_capacity_mbd"))
    if capacity is None:
        return
    bought = sum(hi for _, hi in ranges)
    if capacity[0] >= 0 and capacity[0] + 1e-12 < bought:
        uncertain = capacity[0] != capacity[1] or any(lo != hi for lo, hi in ranges)
        what = " for every draw of the uncertain ones" if uncertain else ""
        out.append(Finding("market.export_capacity_mbd",
                           f"expected at least the buyers' base volumes{what} "
                           f"({bought:g} mb/d), found {capacity[0]:g}"))


def check_cite(data: dict, out: list[Finding]) -> None:
    sources = as_dict(data.get("sources"))
    for key, src in as_dict(data.get("cite")).items():
        _, problem = resolve_path(data, str(key))
        if problem:
            out.append(Finding(f"cite.{key}", problem, at_key=True))
        if isinstance(src, str) and src != "assumption" and src not in sources:
            out.append(Finding(f"cite.{key}", "expected a key of 'sources' or 'assumption', "
                                              f"found {src!r}" + suggest(src, sources)))


def check_uncertainty(data: dict, horizon: Horizon, out: list[Finding]) -> None:
    adapter = _DISTRIBUTION
    for key, spec in as_dict(data.get("uncertainty")).items():
        where = join_key("uncertainty", key)
        if key == POSTERIOR_KEY:
            out += [Finding(k, m) for k, m in posterior_problems(
                data, lambda name: resolve_path(data, name)[1])]
            continue
        annotation, problem = resolve_path(data, str(key))
        if problem:
            out.append(Finding(where, problem, at_key=True))
            continue
        if annotation is None:
            continue
        if split_key(str(key))[0] in NOT_SAMPLED:
            out.append(Finding(where, f"expected a distribution on a parameter the run samples "
                                      f"per replicate, found one on {key} (a setting of the "
                                      "run: give it one value)", at_key=True))
            continue
        try:
            dist = adapter.validate_python(spec)
        except ValidationError:
            continue  # reported by the typed validation
        if unwrap(annotation) is int and dist.dist != "choice":
            out.append(Finding(where, f"expected a choice of whole numbers for {key} (a whole "
                                      f"number), found a {dist.dist} distribution"))
            continue
        try:
            values = dist.values if dist.dist == "choice" else dist.support()
        except (OverflowError, ValueError, ZeroDivisionError):
            out.append(Finding(where, f"expected distribution parameters that give finite "
                                      f"values, found a {dist.dist} distribution whose values "
                                      "overflow"))
            continue
        strict: Any = Annotated[annotation, StrictKinds()]  # 1 is not true, "5" not 5
        target: TypeAdapter[Any] = TypeAdapter(strict)
        for value in dict.fromkeys(values):
            try:
                target.validate_python(value, context={"start": horizon.start})
            except ValidationError as exc:
                wanted = type_words(annotation) or expectation(exc.errors(include_url=False)[0])
                reach = (f"can give {describe(value)}" if dist.dist == "choice"
                         else f"reaches {fmt_value(value)} (its values run from "
                              f"{fmt_value(values[0])} to {fmt_value(values[1])})")
                hint = (f"; {dist.dist} is unbounded, use beta, uniform or triangular for a "
                        "bounded parameter" if dist.dist in UNBOUNDED else "")
                out.append(Finding(where, f"expected a distribution that stays within what "
                                          f"{key} accepts ({wanted}), found one that "
                                          f"{reach}{hint}"))
                break
