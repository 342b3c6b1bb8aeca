"""Problems that follow from another one are not reported beside it.

A misspelt mapping key (``buyrs:`` for ``buyers:``) hides every key below it, so each
citation and distribution of those keys (``cite:``, ``uncertainty:``) fails as a reference
to a key the scenario does not have: one typo, dozens of lines, the cause somewhere among
them. Such references are counted on the unknown key's own problem instead, and checked once
it is fixed.
"""

from __future__ import annotations

from ..errors import Problem
from .checks import Finding, cross_check
from .keypaths import NO_SUCH_KEY, under
from .messages import UNKNOWN_KEY, parent_key

__all__ = ["reported_findings", "held_back"]


def _knock_on(finding: Finding, typed: list[Problem]) -> str | None:
    """The mapping holding an unknown key (``actors.CN`` for a misspelt ``buyrs:``) that a
    reference failing below it most likely fails because of, or None. Such references are
    checked once the key is fixed; until then the unknown key is the one problem to show,
    not the dozens of citations and distributions of the keys it hides."""
    if not finding.message.startswith(NO_SUCH_KEY) or "." not in finding.key:
        return None
    target = finding.key.split(".", 1)[1]      # cite.actors.CN.x -> actors.CN.x
    for p in typed:
        inside = parent_key(p.key)   # a top-level typo (notes:) hides no reference
        if inside and p.message.startswith(UNKNOWN_KEY) and under(target, [inside]):
            return inside
    return None


def reported_findings(data: dict, typed: list[Problem]) -> tuple[list[Finding], dict[str, int]]:
    """The cross-part findings of the data, but none on a key the typed validation already
    reported (it says what the key accepts, with its range: once is enough), and no
    reference into a mapping that holds an unknown key (:func:`_knock_on`): those are
    counted instead, by mapping."""
    reported = {p.key for p in typed}
    kept: list[Finding] = []
    waiting: dict[str, int] = {}
    for f in cross_check(data):
        if f.key in reported:
            continue
        where = _knock_on(f, typed)
        if where is None:
            kept.append(f)
        else:
            waiting[where] = waiting.get(where, 0) + 1
    return kept, waiting


def held_back(typed: list[Problem], waiting: dict[str, int]) -> list[Problem]:
    """The typed problems, each unknown key's message saying how many references below its
    mapping wait for it to be fixed (``waiting``, from :func:`reported_findings`)."""
    out = []
    for p in typed:
        n = waiting.pop(parent_key(p.key), 0) if p.message.startswith(UNKNOWN_KEY) else 0
        if n:
            inside = parent_key(p.key)
            p = Problem(p.file, p.line, p.column, p.key, (
                f"{p.message}; {n} reference{'s' if n > 1 else ''} to keys in {inside} "
                f"(cite:, uncertainty:) will be checked once it is fixed"))
        out.append(p)
    return out
