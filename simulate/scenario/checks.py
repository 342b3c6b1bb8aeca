"""Checks that span several parts of a scenario (references, horizons, parameter paths).

They read plain data (the scenario as written, after ``extends`` and overrides) and look only
at parts that are well-formed, so they run whether or not the typed validation succeeded: a
file with a wrong type *and* an unknown tariff target gets both problems reported at once,
and a part that is malformed is reported once, by the typed validation, not again here.

The checks live in ``references`` (names and dates) and ``value_checks`` (capacities,
citations, distributions); dotted keys in ``keypaths``. This module runs them all and
re-exports what callers import from here.
"""

from __future__ import annotations

from .bounds import number_findings
from .findings import Finding, Horizon, as_dict, as_list, as_number
from .keypaths import MISSING, lookup, options_hint, resolve_path, split_key
from .references import (
    ROLES,
    check_action,
    check_belligerents,
    check_proposal,
    check_region_keys,
    check_sanctioner,
    what_is,
)
from .value_checks import check_capacity, check_cite, check_uncertainty

__all__ = ["Finding", "cross_check", "lookup", "split_key", "resolve_path", "MISSING"]


def cross_check(data: dict) -> list[Finding]:
    """Problems that no single field can see, as :class:`Finding` (the loader places them)."""
    out: list[Finding] = []
    if not isinstance(data, dict):
        return out
    horizon = Horizon(data)
    regions = as_dict(data.get("regions"))
    actors = as_dict(data.get("actors"))
    roles = {aid: a.get("role") for aid, a in actors.items() if isinstance(a, dict)}
    importers = [aid for aid, role in roles.items() if role == "importer"]

    check_belligerents(actors, roles, out)
    weights = [as_number(as_dict(r).get("weight")) for r in regions.values()]
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
                check_region_keys(f"actors.{aid}.{part}", actor.get(part), regions, out)
        if role == "sanctioner":
            check_sanctioner(aid, actor, roles, importers, horizon, out)

    for i, act in enumerate(as_list(data.get("timeline"))):
        if isinstance(act, dict):
            check_action(f"timeline[{i}]", act, roles, importers, horizon, out)
            if act.get("action") == "proposal" and isinstance(data.get("regions"), dict):
                check_proposal(f"timeline[{i}]", act, regions, roles, out)

    negotiation = as_dict(data.get("negotiation"))
    for i, day in enumerate(as_list(as_dict(negotiation.get("talks")).get("scheduled"))):
        horizon.check(day, f"negotiation.talks.scheduled[{i}]", out)
    proposer = negotiation.get("proposer")
    role = roles.get(proposer) if isinstance(proposer, str) else None
    if isinstance(proposer, str) and actors and (
            proposer not in actors or role in ROLES and role != "belligerent"):
        belligerents = [a for a, r in roles.items() if r == "belligerent"]
        out.append(Finding("negotiation.proposer",
                           f"expected the id of a belligerent actor, found {proposer!r}"
                           + what_is(proposer, roles)
                           + options_hint(proposer, belligerents, "belligerents")))

    check_capacity(data, actors, out)
    out += [Finding(k, m) for k, m in number_findings(data)]  # ranges of numbers and dates
    check_cite(data, out)
    check_uncertainty(data, horizon, out)
    return out
