"""Checks on values across parts: barrels conserved for every draw, citations pointing at
sources, and ``uncertainty:`` distributions and ``from_posterior`` columns that stay within
what their key accepts and give what a run can vary per replicate.

One rule for both kinds of uncertain values: the key must be one the run samples
(:data:`~.bounds.NOT_SAMPLED`), of a type the run varies per replicate (:func:`draw_problem`),
and every value must be one the key accepts (:func:`value_problem`, the key's own type with
its bounds).
"""

from __future__ import annotations

import datetime as _dt
import types
import typing
from functools import lru_cache
from typing import Annotated, Any

import numpy as np
import yaml
from pydantic import TypeAdapter, ValidationError

from .bounds import LINE_DRAWS, NAMED_DRAWS, NOT_SAMPLED, number_problem
from .distributions import Distribution
from .findings import Finding, Horizon, as_dict, as_number, fmt_value
from .keypaths import resolve_path, split_key
from .messages import describe, expectation, suggest, type_words, unwrap
from .posterior import POSTERIOR_KEY, Posterior, posterior_of
from .schema_base import StrictKinds
from .yamlio import join_key

__all__ = ["check_capacity", "check_cite", "check_uncertainty", "value_range", "value_problem",
           "draw_problem", "written"]

UNBOUNDED = ("normal", "lognormal")
_DISTRIBUTION = TypeAdapter(Distribution)
_WHERE = f"uncertainty.{POSTERIOR_KEY}"


def written(value: Any) -> str:
    """A value as it is written in YAML: ``2025-08-10``, ``null``, ``[IN]``, ``'abc'``."""
    if isinstance(value, _dt.date | bool) or value is None:
        return describe(value).replace("nothing (null)", "null")
    if isinstance(value, list | tuple | dict):
        try:
            text = yaml.safe_dump(_plain(value), default_flow_style=True, width=10**6).strip()
        except yaml.YAMLError:
            return describe(value)
        return text if len(text) <= 60 else f"{text[:57]}..."
    return describe(value)


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _members(annotation: Any) -> list[Any]:
    """The types a value of ``annotation`` may have (union members, Optional dropped)."""
    tp = unwrap(annotation)
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        return [unwrap(a) for a in typing.get_args(tp) if a is not type(None)]
    return [tp]


def _varies(key: str, annotation: Any) -> bool:
    """Whether the run can vary ``key`` (of type ``annotation``) per replicate: a number,
    or a name where it draws names (:data:`~.bounds.NAMED_DRAWS`)."""
    return split_key(key)[-1] in NAMED_DRAWS or any(
        m in (int, float) for m in _members(annotation))


def draw_problem(key: str, value: Any) -> str | None:
    """What a run could draw per replicate for ``key`` instead of ``value`` ("expected X,
    found Y"), or None when it can draw ``value``.

    A run varies numbers per replicate, and names only where it draws names: a protocol or
    a stance (:data:`~.bounds.NAMED_DRAWS`; which names, the field's type says), or
    ``'line'`` in a belligerent's demands or reservation (:data:`~.bounds.LINE_DRAWS`). A
    date, a boolean, a list, a mapping or null sets the run's structure (its calendar, its
    measures, its actors) and is fixed for the run."""
    parts = [str(p) for p in split_key(key)]
    named = parts[-1] in NAMED_DRAWS
    line = len(parts) >= 2 and parts[-2] in LINE_DRAWS
    if isinstance(value, int | float) and not isinstance(value, bool):
        return None
    if (named and isinstance(value, str)) or (line and value == "line"):
        return None
    wanted = f"a name of a {parts[-1]}" if named else "a number or 'line'" if line \
        else "a number"
    kind = ("true or false" if isinstance(value, bool) else "a date"
            if isinstance(value, _dt.date) else "a list" if isinstance(value, list | tuple)
            else "a mapping" if isinstance(value, dict) else "no value" if value is None
            else "text")
    return (f"expected a value a run can vary per replicate ({wanted}), found "
            f"{written(value)} ({kind}, which stays the same for every replicate of a run: "
            "run each value as its own scenario, or make it a lever of an experiment: block)")


def _target(annotation: Any) -> TypeAdapter[Any]:
    """The validator of values of ``annotation``, numbers and booleans of the wrong kind
    refused (1 is not true, "5" not 5); built once per annotation (building one costs
    about as much as validating a hundred values)."""
    try:
        return _cached_target(annotation)
    except TypeError:  # an annotation that cannot be hashed
        return _new_target(annotation)


def _new_target(annotation: Any) -> TypeAdapter[Any]:
    strict: Any = Annotated[annotation, StrictKinds()]
    return TypeAdapter(strict)


_cached_target = lru_cache(maxsize=256)(_new_target)


def value_problem(target: TypeAdapter[Any], annotation: Any, value: Any,
                  start: _dt.date | None) -> str | None:
    """What a key of type ``annotation`` accepts, in words ('a number from 0 to 1'), when
    ``value`` is not one of its values (``target`` is :func:`_target` of it); else None."""
    try:
        target.validate_python(value, context={"start": start})
    except ValidationError as exc:
        return type_words(annotation) or expectation(exc.errors(include_url=False)[0])
    return None


def _unique(values: Any) -> list[Any]:
    """``values`` without repeats, in order (lists and mappings cannot be hashed)."""
    out: list[Any] = []
    for v in values:
        if not any(type(v) is type(o) and v == o for o in out):
            out.append(v)
    return out


_SETTING = "a setting of the run: give it one value"


def _fixed(annotation: Any) -> str:
    return f"{type_words(annotation) or 'a value'}, which the run keeps the same for every " \
           "replicate"


def _sampled_problem(key: str, annotation: Any) -> str | None:
    """Why a run cannot draw ``key`` per replicate at all, or None."""
    if split_key(key)[0] in NOT_SAMPLED:
        return _SETTING
    return None if _varies(key, annotation) else _fixed(annotation)


def value_range(data: dict, key: str, value: Any) -> tuple[float, float] | None:
    """Smallest and largest value ``key`` can take: its posterior column's when
    ``uncertainty.from_posterior`` has one, its distribution's support when ``uncertainty``
    names it, else the number itself; None if not a well-formed number."""
    post, _ = posterior_of(data)
    if post is not None and key in post.keys:
        column = post.values[:, post.keys.index(key)]
        return float(column.min()), float(column.max())
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
            if cap is None or cap[0] < 0 or cap[0] + 1e-12 >= base[1]:
                continue  # a negative capacity is refused by its own type, with its range
            fixed_base, fixed_cap = base[0] == base[1], cap[0] == cap[1]
            volume = f"{base[1]:g} mb/d" if fixed_base else f"up to {base[1]:g} mb/d"
            every = "" if fixed_base and fixed_cap else " for every draw"
            found = f"{cap[0]:g} mb/d" if fixed_cap else \
                f"a capacity that goes down to {cap[0]:g} mb/d"
            out.append(Finding(f"{key}.capacity_mbd", f"expected a capacity of at least the base "
                                                      f"volume ({volume}){every}, found {found}"))
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
    """Each distribution of ``uncertainty:`` (and each column of its ``from_posterior``)
    stands on a key the run samples per replicate and stays within what the key accepts."""
    for key, spec in as_dict(data.get("uncertainty")).items():
        where = join_key("uncertainty", key)
        if key == POSTERIOR_KEY:
            check_posterior(data, horizon, out)
            continue
        # where a part of the distribution was set elsewhere (--set), the message says so
        related = tuple(join_key(where, k) for k in as_dict(spec))
        annotation, problem = resolve_path(data, str(key))
        if problem:
            out.append(Finding(where, problem, at_key=True))
            continue
        if annotation is None:
            continue
        if split_key(str(key))[0] in NOT_SAMPLED:
            out.append(Finding(where, f"expected a distribution on a parameter the run samples "
                                      f"per replicate, found one on {key} ({_SETTING})",
                               at_key=True))
            continue
        try:
            dist = _DISTRIBUTION.validate_python(spec)
        except ValidationError:
            continue  # reported by the typed validation
        message = _distribution_problem(str(key), annotation, dist, horizon)
        if message:
            out.append(Finding(where, message, related=related))
        elif not _varies(str(key), annotation):  # numbers that pass for another kind
            out.append(Finding(where, f"expected a distribution on a parameter the run samples "
                                      f"per replicate, found one on {key} "
                                      f"({_fixed(annotation)})", at_key=True))


def _distribution_problem(key: str, annotation: Any, dist: Any, horizon: Horizon,
                          ) -> str | None:
    """What is wrong with the values of distribution ``dist`` on ``key``: outside what the
    key accepts, or (a choice) not what a run can vary per replicate; None if nothing."""
    if unwrap(annotation) is int and dist.dist != "choice":
        return (f"expected a choice of whole numbers for {key} (a whole number), found a "
                f"{dist.dist} distribution")
    try:
        values = dist.values if dist.dist == "choice" else dist.support()
    except (OverflowError, ValueError, ZeroDivisionError):
        return (f"expected distribution parameters that give finite values, found a "
                f"{dist.dist} distribution whose values overflow")
    target = _target(annotation)
    for value in _unique(values):
        wanted = value_problem(target, annotation, value, horizon.start)
        if wanted is None:
            continue
        reach = (f"can give {written(value)}" if dist.dist == "choice"
                 else f"reaches {fmt_value(value)} (its values run from "
                      f"{fmt_value(values[0])} to {fmt_value(values[1])})")
        hint = (f"; {dist.dist} is unbounded, use beta, uniform or triangular for a "
                "bounded parameter" if dist.dist in UNBOUNDED else "")
        return (f"expected a distribution that stays within what {key} accepts ({wanted}), "
                f"found one that {reach}{hint}")
    if dist.dist == "choice":  # the value as written says best what cannot be drawn
        return next((m for v in values if (m := draw_problem(key, v))), None)
    return None


def check_posterior(data: dict, horizon: Horizon, out: list[Finding]) -> None:
    """The posterior of ``uncertainty.from_posterior`` can be read, and each of its columns
    names a parameter of the scenario that the run samples and holds only values that
    parameter accepts: the rules of a distribution's values (:func:`check_uncertainty`),
    applied to every particle. A problem names the file, the column, the first bad row, what
    was expected and what was found."""
    post, problem = posterior_of(data)
    if problem:
        out.append(Finding(_WHERE, problem))
    if post is None:
        return
    for j, key in enumerate(post.keys):
        message = _column_problem(data, post, key, post.values[:, j], horizon)
        if message:
            out.append(Finding(_WHERE, f"{post.path}: {message}"))


def _column_problem(data: dict, post: Posterior, key: str, column: np.ndarray,
                    horizon: Horizon) -> str | None:
    """What is wrong with the posterior column ``key`` (its values ``column``), or None."""
    annotation, why = resolve_path(data, key)
    if why:
        return f"expected columns that name parameters of this scenario, found {key!r} ({why})"
    if annotation is None:
        return None  # the data on the way is malformed, and reported where it is
    why = _sampled_problem(key, annotation)
    if why:
        return (f"expected columns that name parameters the run samples per replicate, found "
                f"{key!r} ({why})")
    target = _target(annotation)
    uniques = np.unique(column)
    bad: dict[float, str] = {}
    for value in uniques:
        number = float(value)
        plain: float | int = int(number) if number.is_integer() and unwrap(annotation) is int \
            else number
        wanted = value_problem(target, annotation, plain, horizon.start)
        if wanted is None and (problem := number_problem(key, number)) is not None:
            wanted = problem.removeprefix("expected ").split(", found ")[0]
        if wanted is not None:
            bad[number] = wanted
    if not bad:
        return None
    row = int(np.flatnonzero(np.isin(column, list(bad)))[0])
    value = float(column[row])
    return (f"column {key!r}, row {row + 1} (of {len(column)}): expected {bad[value]} "
            f"(what {key} accepts), found {fmt_value(value)}")
