"""Checks that span several parts of a scenario (references, horizons, parameter paths)."""

from __future__ import annotations

from typing import Any

from .schema import Belligerent, Importer, Sanctioner, Scenario
from .messages import nearest
from .yamlio import join_key

__all__ = ["cross_check", "lookup", "split_key", "MISSING"]

MISSING = _MISSING = object()


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


def _in_horizon(s: Scenario, when, key: str, what: str, out: list) -> None:
    if not s.start <= when <= s.end:
        out.append((key, f"{what} must lie inside the horizon {s.start} to {s.end}, "
                         f"found {when}"))


def cross_check(s: Scenario, data: dict) -> list[tuple[str, str]]:
    """Problems as (dotted key, message) pairs; the loader adds the positions.

    ``data`` is the scenario as written (after merging); parameter paths are looked up in the
    scenario with its defaults filled in, so a default value can be made uncertain too.
    """
    out: list[tuple[str, str]] = []
    full = s.model_dump(by_alias=True)
    regions, actors = set(s.regions), s.actors
    importers = {k for k, a in actors.items() if isinstance(a, Importer)}
    belligerents = {k: a for k, a in actors.items() if isinstance(a, Belligerent)}

    sides = [a.side for a in belligerents.values()]
    if belligerents and sorted(sides) != ["defender", "occupier"]:
        out.append(("actors", "expected exactly one belligerent with side 'occupier' and one "
                              f"with side 'defender', found sides {sorted(sides)}"))
    if not belligerents:
        out.append(("actors", "expected two belligerents (occupier and defender), found none"))
    if sum(r.weight for r in s.regions.values()) <= 0:
        out.append(("regions", "expected region weights with a positive sum, found all 0"))

    for aid, a in actors.items():
        if isinstance(a, Belligerent):
            for region in a.demands:
                if region not in regions:
                    out.append((f"actors.{aid}.demands.{region}",
                                "unknown region" + nearest(region, regions)))
        if isinstance(a, Sanctioner):
            if a.deadline is not None:
                _in_horizon(s, a.deadline, f"actors.{aid}.deadline", "the deadline", out)
            tariff = a.threat.secondary_tariff
            for i, target in enumerate(tariff.targets if tariff else ()):
                if target not in importers:
                    out.append((f"actors.{aid}.threat.secondary_tariff.targets[{i}]",
                                f"a tariff target must be an importer actor, found {target!r}"
                                + nearest(target, importers)))
            if (tariff or a.threat.company_sanctions) and a.deadline is None:
                out.append((f"actors.{aid}.threat", "a threat needs a deadline"))

    for i, act in enumerate(s.timeline):
        key = f"timeline[{i}]"
        _in_horizon(s, act.date, f"{key}.date", "a timeline action", out)
        if act.actor not in actors:
            out.append((f"{key}.actor", f"unknown actor {act.actor!r}" + nearest(act.actor, actors)))
        if act.action in ("secondary_tariff", "lift_tariff"):
            if act.target not in importers:
                out.append((f"{key}.target", "a tariff target must be an importer actor, "
                                             f"found {act.target!r}"))
            if act.action == "secondary_tariff" and act.rate is None:
                out.append((f"{key}.rate", "required key missing for a secondary_tariff action"))
        if act.action == "company_sanctions" and act.share is None:
            out.append((f"{key}.share", "required key missing for a company_sanctions action"))

    for i, day in enumerate(s.negotiation.talks.scheduled):
        _in_horizon(s, day, f"negotiation.talks.scheduled[{i}]", "scheduled talks", out)
    proposer = s.negotiation.proposer
    if proposer is not None and proposer not in belligerents:
        out.append(("negotiation.proposer", f"expected a belligerent actor id, found {proposer!r}"
                                            + nearest(proposer, belligerents)))

    capacity = s.market.export_capacity_mbd
    bought = sum(b.base_volume_mbd for a in actors.values() if isinstance(a, Importer)
                 for b in a.buyers.values())
    if capacity is not None and capacity + 1e-12 < bought:
        out.append(("market.export_capacity_mbd",
                    f"expected at least the buyers' base volumes ({bought:g} mb/d), found "
                    f"{capacity:g}"))

    for key, src in s.cite.items():
        if lookup(full, key) is _MISSING:
            out.append((f"cite.{key}", "cites a key that is not in the scenario"))
        if src != "assumption" and src not in s.sources:
            out.append((f"cite.{key}", f"unknown source {src!r} (expected a key of 'sources' "
                                       "or 'assumption')" + nearest(src, s.sources)))

    for section in ("uncertainty",):
        for key in getattr(s, section):
            if lookup(full, key) is _MISSING:
                out.append((join_key(section, key), "no such parameter in the scenario"
                            + _near_path(full, key)))
    if s.sweep is not None:
        for key in s.sweep.parameters:
            if lookup(full, key) is _MISSING:
                out.append((f"sweep.parameters.{key}", "no such parameter in the scenario"
                            + _near_path(full, key)))
    return out


def _near_path(data: Any, dotted: str) -> str:
    """Suggest the closest existing key at the first path element that does not exist."""
    node, parts = data, split_key(dotted)
    for part in parts:
        if isinstance(node, dict) and part in node:
            node = node[part]
            continue
        if isinstance(node, dict):
            return nearest(str(part), [str(k) for k in node])
        return ""
    return ""
