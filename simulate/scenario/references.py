"""Checks that names refer to what they must: regions, belligerents, importers and actors
named in actors' tables, threats and timeline actions; dates inside the horizon.
"""

from __future__ import annotations

from typing import Any

from .findings import Finding, Horizon, as_dict, as_list
from .keypaths import options_hint
from .messages import suggest

__all__ = ["ROLES", "check_region_keys", "check_proposal", "check_belligerents",
           "check_sanctioner", "check_action", "belligerent_problem", "what_is"]

ROLES = ("belligerent", "sanctioner", "importer", "supplier")
SIDES = ("occupier", "defender")


def check_region_keys(key: str, table: Any, regions: dict, out: list[Finding]) -> None:
    """Every key of a per-region table names a region."""
    for region in as_dict(table):
        if str(region) not in map(str, regions):  # a key 2024 is reported as a key
            names = ", ".join(map(str, regions)) if len(regions) <= 12 else "..."
            out.append(Finding(f"{key}.{region}",
                               f"expected a region named in 'regions' ({names}), found "
                               f"{region!r}" + suggest(str(region), map(str, regions)),
                               at_key=True))


def belligerent_problem(aid: Any, roles: dict) -> str | None:
    """Message when ``aid`` is not a belligerent actor; None when fine or malformed."""
    if not isinstance(aid, str) or roles.get(aid) == "belligerent" or not roles:
        return None
    belligerents = [a for a, r in roles.items() if r == "belligerent"]
    return (f"expected the id of a belligerent actor, found {aid!r}" + what_is(aid, roles)
            + options_hint(aid, belligerents, "belligerents"))


def check_proposal(key: str, act: dict, regions: dict, roles: dict,
                    out: list[Finding]) -> None:
    """A mediator's proposal: terms per named region, values per belligerent."""
    if act.get("terms") is None:
        out.append(Finding(f"{key}.terms", "required key missing: expected the occupier's "
                                           "share per region (or 'line') for a proposal"))
    check_region_keys(f"{key}.terms", act.get("terms"), regions, out)
    for part in ("sanctions_relief", "security"):
        for aid in as_dict(act.get(part)):
            problem = belligerent_problem(aid, roles)
            if problem:
                out.append(Finding(f"{key}.{part}.{aid}", problem, at_key=True))


def what_is(aid: str, roles: dict) -> str:
    role = roles.get(aid)
    if role in ROLES:
        return f", {'an' if role[0] in 'aeiou' else 'a'} {role}"
    return ", which is not an actor" if aid not in roles else ""


def check_belligerents(actors: dict, roles: dict, out: list[Finding]) -> None:
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


def target_problem(target: Any, roles: dict, importers: list[str]) -> str | None:
    """Message when ``target`` is not an importer actor; None when fine or malformed."""
    if not isinstance(target, str) or target in importers:
        return None
    if target in roles and roles[target] not in ROLES:
        return None  # its role is wrong, and reported there
    if target in roles:
        return (f"expected the id of an importer actor, found {target!r}"
                + what_is(target, roles) + options_hint("", importers, "importers"))
    return (f"expected the id of an importer actor, found {target!r}"
            + what_is(target, roles) + options_hint(target, importers, "importers"))


def check_sanctioner(aid: str, actor: dict, roles: dict, importers: list[str],
                      horizon: Horizon, out: list[Finding]) -> None:
    deadline = actor.get("deadline")
    horizon.check(deadline, f"actors.{aid}.deadline", out)
    threat = as_dict(actor.get("threat"))
    tariff = as_dict(threat.get("secondary_tariff"))
    for i, target in enumerate(as_list(tariff.get("targets"))):
        problem = target_problem(target, roles, importers)
        if problem:
            out.append(Finding(f"actors.{aid}.threat.secondary_tariff.targets[{i}]", problem))
    pressure = as_dict(actor.get("pressure"))
    if pressure:
        horizon.check(pressure.get("deadline"), f"actors.{aid}.pressure.deadline", out)
        problem = belligerent_problem(pressure.get("target"), roles)
        if problem:
            out.append(Finding(f"actors.{aid}.pressure.target", problem))
    if (threat.get("secondary_tariff") or threat.get("company_sanctions")) and deadline is None:
        out.append(Finding(f"actors.{aid}.threat",
                           f"expected a deadline with a threat (actors.{aid}.deadline: the day "
                           "the threat is carried out or not), found no deadline"))


_NEEDS = {"secondary_tariff": ("target", "rate"), "lift_tariff": ("target",),
          "company_sanctions": ("share",), "tanker_designations": ("share",),
          "price_cap": ("price_usd",), "embargo": ("target",),
          "export_capacity": ("change_mbd",),
          "announcement": ("expected_loss_mbd",)}
_NEED_WORDS = {"target": "the id of an importer actor", "rate": "a tariff rate (a number >= 0)",
               "share": "a share of oil exports (a number from 0 to 1)",
               "price_usd": "a price cap in USD/bbl (a number >= 0)",
               "expected_loss_mbd": "the expected loss of barrels in mb/d (a number)",
               "change_mbd": "a change of export capacity in mb/d (a number)"}


def check_action(key: str, act: dict, roles: dict, importers: list[str], horizon: Horizon,
                  out: list[Finding]) -> None:
    horizon.check(act.get("date"), f"{key}.date", out)
    actor = act.get("actor")
    if isinstance(actor, str) and roles and actor not in roles:
        out.append(Finding(f"{key}.actor", f"expected the id of an actor, found {actor!r}"
                                           + options_hint(actor, roles, "actors")))
    action = act.get("action")
    for need in _NEEDS.get(action, ()) if isinstance(action, str) else ():
        lasting = need == "expected_loss_mbd" and act.get("lasting_loss_mbd") is not None
        if act.get(need) is None and not lasting:
            out.append(Finding(f"{key}.{need}", f"required key missing: expected "
                                                f"{_NEED_WORDS[need]} for a {action} action"))
    if act.get("change_mbd") is not None and action != "export_capacity":
        out.append(Finding(f"{key}.change_mbd", f"change_mbd applies to an export_capacity "
                                                f"action, found it on a {action} action"))
    if action in ("secondary_tariff", "lift_tariff", "embargo"):
        problem = target_problem(act.get("target"), roles, importers)
        if problem:
            out.append(Finding(f"{key}.target", problem))
