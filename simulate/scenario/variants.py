"""What a variant fixes: a file that ``extends:`` another and sets a value its base draws from
a distribution in ``uncertainty:`` means that value, so the inherited distribution is dropped
and the parameter is fixed there, as ``--set`` does (:func:`simulate.scenario.loader.
fix_uncertain`). Without this the base's distribution would draw over the variant's value and
the variant would silently change nothing.

A variant that gives the key a distribution of its own (or edits the inherited one) keeps it;
one that removes it explicitly (``uncertainty: {key: null}``) says the same thing and is not
reported; a value restated as the base has it (a list written out again with the same item)
keeps the inherited distribution (to fix a key at the base's nominal value, remove its
distribution explicitly).
"""

from __future__ import annotations

import sys
from typing import Any

from .citations import NOT_MODEL_INPUTS
from .keypaths import MISSING, lookup, under

__all__ = ["replaced_keys", "fix_inherited", "announce_variant_fixes"]


def replaced_keys(over: dict, prefix: str = "") -> list[str]:
    """Dotted keys at which ``over`` sets a value that replaces the base's (anything but a
    mapping, which merges key by key; a list replaces the whole list)."""
    out = []
    for k, v in over.items():
        if not prefix and k in NOT_MODEL_INPUTS:
            continue
        key = f"{prefix}.{k}" if prefix else str(k)
        if isinstance(v, dict):
            out += replaced_keys(v, key)
        elif v is not None:
            out.append(key)
    return out


def fix_inherited(base: dict, over: dict, merged: dict) -> list[tuple[str, Any]]:
    """Drop, in ``merged`` (in place), the inherited distributions of the keys ``over`` sets;
    returns ``(key, value)`` of each (value ``None`` when the key is gone, e.g. under a list
    the variant replaced)."""
    inherited = base.get("uncertainty")
    uncertainty = merged.get("uncertainty")
    if not isinstance(inherited, dict) or not isinstance(uncertainty, dict):
        return []
    mine = over.get("uncertainty")
    own: dict = mine if isinstance(mine, dict) else {}
    replaced = replaced_keys(over)
    fixed = []
    for key in [str(k) for k in inherited if k in uncertainty and k not in own]:
        if not under(key, replaced):
            continue
        value = lookup(merged, key)
        if value is not MISSING and value == lookup(base, key):
            continue          # restated as it was (a list written out again): inherited
        del uncertainty[key]
        fixed.append((key, None if value is MISSING else value))
    return fixed


def announce_variant_fixes(fixed: list[tuple[str, Any, str]]) -> None:
    """One line on standard error per file whose values fixed inherited uncertain keys
    (``(key, value, file)`` as the loader collects them from :func:`fix_inherited`)."""
    for file in dict.fromkeys(f for _, _, f in fixed):
        what = ", ".join(k if v is None else f"{k}={v!r}" for k, v, f2 in fixed if f2 == file)
        print(f"note: {file} fixes inherited uncertain parameter(s) {what} (the base's "
              "distributions are dropped)", file=sys.stderr)
