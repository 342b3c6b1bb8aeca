"""Checks that span several parts of a scenario (references, horizons, parameter paths).

They read plain data (the scenario as written, after ``extends`` and overrides) and look only
at parts that are well-formed, so they run whether or not the typed validation succeeded: a
file with a wrong type *and* an unknown tariff target gets both problems reported at once,
and a part that is malformed is reported once, by the typed validation, not again here.
"""

from __future__ import annotations

import datetime as _dt
import types
import typing
from typing import Any, NamedTuple

from pydantic import BaseModel, TypeAdapter, ValidationError

from .bounds import MAX_DATE, MIN_DATE, NOT_SAMPLED, number_findings
from .dates import resolve_date
from .distributions import Distribution
from .messages import describe, expectation, suggest, type_words, unwrap
from .posterior import POSTERIOR_KEY, posterior_problems
from .schema import Scenario
from .yamlio import join_key

__all__ = ["Finding", "cross_check", "lookup", "split_key", "resolve_path", "MISSING"]

MISSING = _MISSING = object()
ROLES = ("belligerent", "sanctioner", "importer", "supplier")
SIDES = ("occupier", "defender")
UNBOUNDED = ("normal", "lognormal")


class Finding(NamedTuple):
    """A problem found by a check: dotted key, message, and whether it is placed at the key
    itself (an unknown name) rather than at its value."""

    key: str
    message: str
    at_key: bool = False
    #: other keys the problem depends on; where one was written in another file, the
    #: message says where (a horizon shortened in a file that extends the deadline's file)
    related: tuple[str, ...] = ()


def lookup(data: Any, dotted: str) -> Any:
    """Value at ``dotted`` in plain data, or a sentinel when the path does not exist."""
    node = data
    for part in split_key(dotted):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list | tuple) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            return _MISSING
    return node


def split_key(dotted: str) -> list[str | int]:
    """``timeline[2].rate`` -> ['timeline', 2, 'rate']."""
    parts: list[str | int] = []
    for piece in dotted.split("."):
        while "[" in piece and piece.endswith("]"):
            head, _, idx = piece.partition("[")
            if head:
                parts.append(head)
            piece = "[" + idx
            inner, _, rest = piece[1:].partition("]")
            parts.append(int(inner) if inner.isdigit() else inner)
            piece = rest
        if piece:
            parts.append(piece)
    return parts


# ----- reading plain data defensively ----------------------------------------------------

def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list:
    return list(value) if isinstance(value, list | tuple) else []


def _num(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def _date(value: Any, start: _dt.date | None) -> _dt.date | None:
    try:
        value = resolve_date(value, start)
    except ValueError:
        return None
    return value if isinstance(value, _dt.date) else None


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    return repr(value) if isinstance(value, str) else str(value)


class _Horizon:
    """The scenario's start and end, when both are well-formed."""

    def __init__(self, data: dict):
        self.start = _date(data.get("start"), None)
        if isinstance(self.start, _dt.date) and not MIN_DATE <= self.start <= MAX_DATE:
            self.start = None  # reported by number_findings
        days = data.get("horizon_days")
        self.end: _dt.date | None = None
        if self.start and isinstance(days, int) and not isinstance(days, bool) \
                and 1 <= days <= 3650:
            self.end = self.start + _dt.timedelta(days=days)

    def check(self, value: Any, key: str, out: list[Finding]) -> None:
        if self.start is None or self.end is None or value is None:
            return
        when = _date(value, self.start)
        if when is None:
            return
        if not self.start <= when <= self.end:
            given = f" ({value.strip()})" if isinstance(value, str) and "+" in value else ""
            out.append(Finding(key, f"expected a date inside the horizon {self.start} to "
                                    f"{self.end} (start + horizon_days), found {when}{given}",
                               related=("start", "horizon_days")))


# ----- the checks ------------------------------------------------------------------------

def cross_check(data: dict) -> list[Finding]:
    """Problems that no single field can see, as :class:`Finding` (the loader places them)."""
    out: list[Finding] = []
    if not isinstance(data, dict):
        return out
    horizon = _Horizon(data)
    regions = _dict(data.get("regions"))
    actors = _dict(data.get("actors"))
    roles = {aid: a.get("role") for aid, a in actors.items() if isinstance(a, dict)}
    importers = [aid for aid, role in roles.items() if role == "importer"]

    _check_belligerents(actors, roles, out)
    weights = [_num(_dict(r).get("weight")) for r in regions.values()]
    known = [w for w in weights if w is not None]
    if weights and len(known) == len(weights) and all(w >= 0 for w in known) \
            and sum(known) <= 0:
        out.append(Finding("regions", "expected region weights with a positive sum, "
                                      "found all weights 0"))

    for aid, actor in actors.items():
        if not isinstance(actor, dict):
            continue
        role = actor.get("role")
        if role == "belligerent" and "regions" in data and isinstance(data["regions"], dict):
            for part in ("demands", "reservation", "priorities"):
                _check_region_keys(f"actors.{aid}.{part}", actor.get(part), regions, out)
        if role == "sanctioner":
            _check_sanctioner(aid, actor, roles, importers, horizon, out)

    for i, act in enumerate(_list(data.get("timeline"))):
        if isinstance(act, dict):
            _check_action(f"timeline[{i}]", act, roles, importers, horizon, out)
            if act.get("action") == "proposal" and isinstance(data.get("regions"), dict):
                _check_proposal(f"timeline[{i}]", act, regions, roles, out)

    negotiation = _dict(data.get("negotiation"))
    for i, day in enumerate(_list(_dict(negotiation.get("talks")).get("scheduled"))):
        horizon.check(day, f"negotiation.talks.scheduled[{i}]", out)
    proposer = negotiation.get("proposer")
    role = roles.get(proposer) if isinstance(proposer, str) else None
    if isinstance(proposer, str) and actors and (
            proposer not in actors or role in ROLES and role != "belligerent"):
        belligerents = [a for a, r in roles.items() if r == "belligerent"]
        out.append(Finding("negotiation.proposer",
                           f"expected the id of a belligerent actor, found {proposer!r}"
                           + _what_is(proposer, roles)
                           + _options(proposer, belligerents, "belligerents")))

    _check_capacity(data, actors, out)
    out += [Finding(k, m) for k, m in number_findings(data)]  # ranges of numbers and dates
    _check_cite(data, out)
    _check_uncertainty(data, horizon, out)
    return out


def _check_region_keys(key: str, table: Any, regions: dict, out: list[Finding]) -> None:
    """Every key of a per-region table names a region."""
    for region in _dict(table):
        if str(region) not in map(str, regions):  # a key 2024 is reported as a key
            names = ", ".join(map(str, regions)) if len(regions) <= 12 else "..."
            out.append(Finding(f"{key}.{region}",
                               f"expected a region named in 'regions' ({names}), found "
                               f"{region!r}" + suggest(str(region), map(str, regions)),
                               at_key=True))


def _belligerent_problem(aid: Any, roles: dict) -> str | None:
    """Message when ``aid`` is not a belligerent actor; None when fine or malformed."""
    if not isinstance(aid, str) or roles.get(aid) == "belligerent" or not roles:
        return None
    belligerents = [a for a, r in roles.items() if r == "belligerent"]
    return (f"expected the id of a belligerent actor, found {aid!r}" + _what_is(aid, roles)
            + _options(aid, belligerents, "belligerents"))


def _check_proposal(key: str, act: dict, regions: dict, roles: dict,
                    out: list[Finding]) -> None:
    """A mediator's proposal: terms per named region, values per belligerent."""
    if act.get("terms") is None:
        out.append(Finding(f"{key}.terms", "required key missing: expected the occupier's "
                                           "share per region (or 'line') for a proposal"))
    _check_region_keys(f"{key}.terms", act.get("terms"), regions, out)
    for part in ("sanctions_relief", "security"):
        for aid in _dict(act.get(part)):
            problem = _belligerent_problem(aid, roles)
            if problem:
                out.append(Finding(f"{key}.{part}.{aid}", problem, at_key=True))


def _options(name: str, options: Any, label: str) -> str:
    """' (did you mean 'x'?)' for a close option, else ' (label: a, b, c)' if there are few."""
    options = sorted(map(str, options))
    hint = suggest(name, options)
    if hint or not options or len(options) > 12:
        return hint
    return f" ({label}: {', '.join(options)})"


def _what_is(aid: str, roles: dict) -> str:
    role = roles.get(aid)
    if role in ROLES:
        return f", {'an' if role[0] in 'aeiou' else 'a'} {role}"
    return ", which is not an actor" if aid not in roles else ""


def _check_belligerents(actors: dict, roles: dict, out: list[Finding]) -> None:
    if not actors or not all(r in ROLES for r in roles.values()) or len(roles) < len(actors):
        return  # malformed actors are reported by the typed validation
    sides = {aid: actors[aid].get("side") for aid, r in roles.items() if r == "belligerent"}
    if not all(s in SIDES for s in sides.values()):
        return
    if len(sides) != 2:
        found = f"{len(sides)} ({', '.join(sides)})" if sides else "none"
        out.append(Finding("actors", "expected two belligerents, one with side 'occupier' and "
                                     f"one with side 'defender', found {found}"))
    elif len(set(sides.values())) == 1:
        (first, side), (second, _) = sides.items()
        other = "defender" if side == "occupier" else "occupier"
        out.append(Finding(f"actors.{second}.side",
                           f"expected {other!r} ({first} is the {side}; the two belligerents "
                           f"are on opposite sides), found {side!r}"))


def _target_problem(target: Any, roles: dict, importers: list[str]) -> str | None:
    """Message when ``target`` is not an importer actor; None when fine or malformed."""
    if not isinstance(target, str) or target in importers:
        return None
    if target in roles and roles[target] not in ROLES:
        return None  # its role is wrong, and reported there
    if target in roles:
        return (f"expected the id of an importer actor, found {target!r}"
                + _what_is(target, roles) + _options("", importers, "importers"))
    return (f"expected the id of an importer actor, found {target!r}"
            + _what_is(target, roles) + _options(target, importers, "importers"))


def _check_sanctioner(aid: str, actor: dict, roles: dict, importers: list[str],
                      horizon: _Horizon, out: list[Finding]) -> None:
    deadline = actor.get("deadline")
    horizon.check(deadline, f"actors.{aid}.deadline", out)
    threat = _dict(actor.get("threat"))
    tariff = _dict(threat.get("secondary_tariff"))
    for i, target in enumerate(_list(tariff.get("targets"))):
        problem = _target_problem(target, roles, importers)
        if problem:
            out.append(Finding(f"actors.{aid}.threat.secondary_tariff.targets[{i}]", problem))
    pressure = _dict(actor.get("pressure"))
    if pressure:
        horizon.check(pressure.get("deadline"), f"actors.{aid}.pressure.deadline", out)
        problem = _belligerent_problem(pressure.get("target"), roles)
        if problem:
            out.append(Finding(f"actors.{aid}.pressure.target", problem))
    if (threat.get("secondary_tariff") or threat.get("company_sanctions")) and deadline is None:
        out.append(Finding(f"actors.{aid}.threat",
                           f"expected a deadline with a threat (actors.{aid}.deadline: the day "
                           "the threat is carried out or not), found no deadline"))


_NEEDS = {"secondary_tariff": ("target", "rate"), "lift_tariff": ("target",),
          "company_sanctions": ("share",), "tanker_designations": ("share",),
          "price_cap": ("price_usd",), "embargo": ("target",),
          "announcement": ("expected_loss_mbd",)}
_NEED_WORDS = {"target": "the id of an importer actor", "rate": "a tariff rate (a number >= 0)",
               "share": "a share of oil exports (a number from 0 to 1)",
               "price_usd": "a price cap in USD/bbl (a number >= 0)",
               "expected_loss_mbd": "the expected loss of barrels in mb/d (a number)"}


def _check_action(key: str, act: dict, roles: dict, importers: list[str], horizon: _Horizon,
                  out: list[Finding]) -> None:
    horizon.check(act.get("date"), f"{key}.date", out)
    actor = act.get("actor")
    if isinstance(actor, str) and roles and actor not in roles:
        out.append(Finding(f"{key}.actor", f"expected the id of an actor, found {actor!r}"
                                           + _options(actor, roles, "actors")))
    action = act.get("action")
    for need in _NEEDS.get(action, ()) if isinstance(action, str) else ():
        if act.get(need) is None:
            out.append(Finding(f"{key}.{need}", f"required key missing: expected "
                                                f"{_NEED_WORDS[need]} for a {action} action"))
    if action in ("secondary_tariff", "lift_tariff", "embargo"):
        problem = _target_problem(act.get("target"), roles, importers)
        if problem:
            out.append(Finding(f"{key}.target", problem))


def _range(data: dict, key: str, value: Any) -> tuple[float, float] | None:
    """Smallest and largest value ``key`` can take: its distribution's support when
    ``uncertainty`` names it, else the number itself; None if not a well-formed number."""
    spec = _dict(data.get("uncertainty")).get(key)
    if isinstance(spec, dict):
        try:
            lo, hi = _DISTRIBUTION.validate_python(spec).support()
        except (ValidationError, TypeError, ValueError):
            return None
        return (float(lo), float(hi)) if _num(lo) is not None and _num(hi) is not None \
            else None
    v = _num(value)
    return None if v is None else (v, v)


def _check_capacity(data: dict, actors: dict, out: list[Finding]) -> None:
    """Barrels are conserved for every draw: the export capacity (its smallest value) covers
    the buyers' base volumes (their largest values), and no buyer's base volume can exceed
    its technical capacity."""
    ranges = []
    for aid, a in actors.items():
        if not isinstance(a, dict) or a.get("role") != "importer":
            continue
        for bid, b in _dict(a.get("buyers")).items():
            key = f"actors.{aid}.buyers.{bid}"
            base = _range(data, f"{key}.base_volume_mbd", _dict(b).get("base_volume_mbd"))
            if base is None or base[0] < 0:
                return
            ranges.append(base)
            if _dict(b).get("capacity_mbd") is None:
                continue
            cap = _range(data, f"{key}.capacity_mbd", _dict(b).get("capacity_mbd"))
            if cap is not None and cap[0] + 1e-12 < base[1]:
                out.append(Finding(f"{key}.capacity_mbd",
                                   f"expected a capacity of at least the base volume "
                                   f"({base[1]:g} mb/d at most) for every draw, found "
                                   f"{cap[0]:g} mb/d at least"))
    market = _dict(data.get("market"))
    if market.get("export_capacity_mbd") is None:
        return
    capacity = _range(data, "market.export_capacity_mbd", market.get("export_capacity_mbd"))
    if capacity is None:
        return
    bought = sum(hi for _, hi in ranges)
    if capacity[0] >= 0 and capacity[0] + 1e-12 < bought:
        uncertain = capacity[0] != capacity[1] or any(lo != hi for lo, hi in ranges)
        what = " for every draw of the uncertain ones" if uncertain else ""
        out.append(Finding("market.export_capacity_mbd",
                           f"expected at least the buyers' base volumes{what} "
                           f"({bought:g} mb/d), found {capacity[0]:g}"))


def _check_cite(data: dict, out: list[Finding]) -> None:
    sources = _dict(data.get("sources"))
    for key, src in _dict(data.get("cite")).items():
        _, problem = resolve_path(data, str(key))
        if problem:
            out.append(Finding(f"cite.{key}", problem, at_key=True))
        if isinstance(src, str) and src != "assumption" and src not in sources:
            out.append(Finding(f"cite.{key}", "expected a key of 'sources' or 'assumption', "
                                              f"found {src!r}" + suggest(src, sources)))


_DISTRIBUTION = TypeAdapter(Distribution)


def _check_uncertainty(data: dict, horizon: _Horizon, out: list[Finding]) -> None:
    adapter = _DISTRIBUTION
    for key, spec in _dict(data.get("uncertainty")).items():
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
        target = TypeAdapter(annotation)
        for value in dict.fromkeys(values):
            try:
                target.validate_python(value, context={"start": horizon.start})
            except ValidationError as exc:
                wanted = type_words(annotation) or expectation(exc.errors(include_url=False)[0])
                reach = (f"can give {describe(value)}" if dist.dist == "choice"
                         else f"reaches {_fmt(value)} (its values run from "
                              f"{_fmt(values[0])} to {_fmt(values[1])})")
                hint = (f"; {dist.dist} is unbounded, use beta, uniform or triangular for a "
                        "bounded parameter" if dist.dist in UNBOUNDED else "")
                out.append(Finding(where, f"expected a distribution that stays within what "
                                          f"{key} accepts ({wanted}), found one that "
                                          f"{reach}{hint}"))
                break


# ----- parameter paths -------------------------------------------------------------------

def _field_type(field: Any) -> Any:
    """A model field's annotation with its constraints (ge, le, validators) put back on."""
    if field.metadata:
        return typing.Annotated[(field.annotation, *field.metadata)]
    return field.annotation


def _default_of(field: Any) -> Any:
    value = field.get_default(call_default_factory=True)
    if isinstance(value, BaseModel):
        return value.model_dump(by_alias=True)
    return value


def _union_member(tp: Any, node: Any) -> Any:
    """The model of a tagged union (actors by ``role``, distributions by ``dist``) for node."""
    if not isinstance(node, dict):
        return None
    for arg in typing.get_args(tp):
        arg = unwrap(arg)
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            for tag in ("role", "dist"):
                field = arg.model_fields.get(tag)
                if field is not None and node.get(tag) in typing.get_args(field.annotation):
                    return arg
    return None


def resolve_path(data: dict, dotted: str, root: type[BaseModel] | None = None,
                 ) -> tuple[Any, str | None]:
    """Follow a dotted key through the schema and the data together.

    Returns (annotation of the value there, None) when the key names a value of the scenario
    (defaults count), (None, message) when it does not, and (None, None) when the data on the
    way is malformed and the typed validation reports it.
    """
    tp: Any = Scenario if root is None else root
    node: Any = data
    walked = ""
    for part in split_key(dotted):
        base = unwrap(tp)
        origin = typing.get_origin(base)
        where = walked or "the scenario"
        if node is None:
            return None, (f"expected the dotted key of a scenario parameter, but {walked} "
                          "is not set")
        if origin in (typing.Union, types.UnionType):
            base = _union_member(base, node)
            if base is None:
                return None, None
        if isinstance(base, type) and issubclass(base, BaseModel):
            if not isinstance(node, dict):
                return None, None
            fields = {f.alias or n: f for n, f in base.model_fields.items()}
            field = fields.get(part) if isinstance(part, str) else None
            if field is None:
                return None, (f"expected the dotted key of a scenario parameter, but {where} "
                              f"has no {part!r}" + _options(str(part), fields, "keys"))
            if part in node:
                node = node[part]
            elif field.is_required():
                return None, None  # reported as missing
            else:
                node = _default_of(field)
            tp = _field_type(field)
        elif origin is dict:
            if not isinstance(node, dict):
                return None, None
            if part not in node:
                return None, (f"expected the dotted key of a scenario parameter, but {where} "
                              f"has no {part!r}" + _options(str(part), map(str, node), "keys"))
            node, tp = node[part], typing.get_args(base)[1]
        elif origin in (tuple, list):
            if not isinstance(node, list | tuple):
                return None, None
            if not isinstance(part, int) or not 0 <= part < len(node):
                return None, (f"expected the dotted key of a scenario parameter, but {where} "
                              f"has no item {part!r} (it has {len(node)})")
            node, tp = node[part], typing.get_args(base)[0]
        else:
            return None, (f"expected the dotted key of a scenario parameter, but {where} is "
                          f"a single value, it has no {part!r}")
        walked = join_key(walked, part)
    return tp, None
