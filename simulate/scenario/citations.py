"""Whether a scenario cites what it sets: every key set that feeds the model names a source
(an id of ``sources:``) or ``assumption`` in ``cite:``, and every assumption has a
distribution in ``uncertainty:`` (docs/model.md, Assumptions register).

A cite covers the key it names and every key below it (``timeline`` covers
``timeline[0].rate``). Files that ``extends:`` another inherit its cites; pass the merged data
(:func:`simulate.scenario.read_merged`). The checks read plain data and do not validate it.

Not cited, by rule (:data:`NOT_MODEL_INPUTS`, :data:`LABELS`, :data:`EXEMPT`): the file's text
and the run's settings, the labels of actors and actions, and two settings that are the
model's structure rather than quantities of the world, which therefore must not be cited as
``assumption`` either (they cannot be given a distribution).
"""

from __future__ import annotations

from typing import Any

from ..errors import Problem
from .keypaths import split_key, under

__all__ = ["NOT_MODEL_INPUTS", "LABELS", "EXEMPT", "set_keys", "cited_by", "uncited_keys",
           "assumption_keys", "assumptions_without_distribution", "exempt_as_assumption",
           "citation_problems"]

#: top-level parts that are text, metadata or settings of the run, not inputs of the model
NOT_MODEL_INPUTS = ("schema", "name", "description", "sources", "cite", "uncertainty",
                    "ensemble", "outputs", "horizon_days", "experiment", "sweep", "extends")
#: last parts of a key that name or label a thing (an actor's role and side are its kind)
LABELS = ("name", "note", "role", "side")
#: structure, not quantities ('*' stands for one part): region weights define the unit of
#: share-eq in which every cost and resolve is measured; the protocol is the solution concept
EXEMPT = ("regions.*.weight", "negotiation.protocol")


def _leaves(node: Any, key: str) -> list[str]:
    """Dotted keys of the values set below ``node`` (lists of mappings by index; other lists
    and scalars are values)."""
    if isinstance(node, dict):
        out = []
        for k, v in node.items():
            out += _leaves(v, f"{key}.{k}" if key else str(k))
        return out
    if isinstance(node, list) and node and all(isinstance(v, dict) for v in node):
        return [leaf for i, v in enumerate(node) for leaf in _leaves(v, f"{key}[{i}]")]
    return [key]


def _matches(key: str, pattern: str) -> bool:
    parts, wanted = split_key(key), split_key(pattern)
    return len(parts) == len(wanted) and all(
        w in ("*", p) for p, w in zip(parts, wanted, strict=True))


def _exempt(key: str) -> bool:
    last = split_key(key)[-1]
    return last in LABELS or any(_matches(key, p) for p in EXEMPT)


def set_keys(data: dict) -> list[str]:
    """Dotted keys of every value the scenario sets that feeds the model, in file order."""
    return [leaf for top, value in data.items() if top not in NOT_MODEL_INPUTS
            for leaf in _leaves(value, str(top)) if not _exempt(leaf)]


def _ancestors(key: str) -> list[str]:
    """``key`` and the keys above it, nearest first: ``timeline[1].rate``, ``timeline[1]``,
    ``timeline``."""
    out = [key]
    while True:
        cut = max(key.rfind("."), key.rfind("["))
        if cut <= 0:
            return out
        key = key[:cut]
        out.append(key)


def cited_by(key: str, cite: dict) -> tuple[str, Any] | None:
    """``(cited key, source)`` of the nearest cite covering ``key``; None if none does."""
    for k in _ancestors(key):
        if cite.get(k) is not None:
            return k, cite[k]
    return None


def uncited_keys(data: dict) -> list[str]:
    """Keys set (:func:`set_keys`) that no cite covers."""
    cite = data.get("cite") or {}
    return [k for k in set_keys(data) if cited_by(k, cite) is None]


def assumption_keys(data: dict) -> list[str]:
    """Keys cited as ``assumption`` (as written in ``cite:``)."""
    return [str(k) for k, v in (data.get("cite") or {}).items() if v == "assumption"]


def assumptions_without_distribution(data: dict) -> list[str]:
    """Keys cited as ``assumption`` with no distribution: neither on the key itself nor on
    every value set below it."""
    uncertain = {str(k) for k, v in (data.get("uncertainty") or {}).items() if v is not None}
    keys = set_keys(data)
    out = []
    for key in assumption_keys(data):
        below = [k for k in keys if k != key and under(k, (key,))]
        if key not in uncertain and not (below and all(k in uncertain for k in below)):
            out.append(key)
    return out


def exempt_as_assumption(data: dict) -> list[str]:
    """Exempt keys (structure, labels) cited as ``assumption``: they cannot be drawn."""
    return [k for k in assumption_keys(data) if _exempt(k)]


def citation_problems(data: dict, positions: dict, file: str) -> list[Problem]:
    """What :func:`uncited_keys`, :func:`assumptions_without_distribution` and
    :func:`exempt_as_assumption` find, as problems at the keys' positions (``positions``
    from :func:`simulate.scenario.read_merged`; ``file`` where a key has none)."""
    def at(key: str, message: str) -> Problem:
        where = positions.get(key) or positions.get("@key:" + key)
        if where is None:
            return Problem(file, 0, 0, key, message)
        return Problem(where.file, where.line, where.column, key, message)

    out = [at(k, "expected a cite (a source id of sources: or 'assumption' in cite:), "
                 "found none") for k in uncited_keys(data)]
    out += [at(f"cite.{k}", "expected a distribution in uncertainty: for a key cited as "
                            "'assumption', found none")
            for k in assumptions_without_distribution(data) if not _exempt(k)]
    out += [at(f"cite.{k}", "expected a source id: this setting is structure, not a quantity, "
                            "and cannot be drawn, found 'assumption'")
            for k in exempt_as_assumption(data)]
    return out
