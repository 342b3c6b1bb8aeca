"""Overrides of a scenario's values by dotted key (``--set KEY=VALUE``, ``overrides=``):
parse them, set them in the merged data with their positions, and fix the uncertain keys
they set (:mod:`simulate.scenario.loader` validates the result)."""

from __future__ import annotations

import copy
import sys
from collections.abc import Mapping
from typing import Any

from ..errors import Problem, ScenarioError
from .checks import split_key
from .keypaths import key_syntax_problem, under, unknown_entry
from .messages import describe
from .yamlio import Position, join_key, parse_scalar

__all__ = ["OVERRIDE_FILE", "apply_overrides", "parse_set_options", "fix_uncertain",
           "announce_fixed"]

#: the file that problems of ``--set`` options name
OVERRIDE_FILE = "--set"
#: mappings whose keys are themselves dotted keys (``uncertainty.actors.US.credibility``)
_DOTTED_MAPPINGS = ("uncertainty", "cite", "experiment.levers")


def _override_parts(data: dict, key: str) -> list[str | int]:
    """Path of an override; inside ``uncertainty`` and ``cite`` (whose keys are dotted keys
    themselves) the longest key already there is one part, else the rest of the key is."""
    for section in _DOTTED_MAPPINGS:
        if key.startswith(section + "."):
            head = split_key(section)
            rest = key[len(section) + 1:]
            mapping: Any = data
            for part in head:
                mapping = mapping.get(part) if isinstance(mapping, dict) else None
            known = [k for k in (mapping or {}) if isinstance(k, str)
                     and (rest == k or rest.startswith(k + "."))]
            if known:
                name = max(known, key=len)
                return [*head, name, *split_key(rest[len(name) + 1:])] if rest != name \
                    else [*head, name]
            return [*head, rest]
    return split_key(key)


def _set(data: dict, parts: list[str | int], value: Any, key: str, source: str) -> list[str]:
    """Set (or, for ``None``, remove) the value at ``parts`` in ``data``, in place; returns
    the keys of the mappings it had to create on the way (they come from the override)."""
    def fail(message: str) -> ScenarioError:
        return ScenarioError(Problem(source, 0, 0, key, message))

    node: Any = data
    done = ""
    created = []
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if isinstance(part, int):
            if not isinstance(node, list):
                raise fail(f"expected {done} to be a list, found {describe(node)}")
            if not 0 <= part < len(node):
                raise fail(f"expected the index of an item of {done} (it has {len(node)}), "
                           f"found [{part}]")
        elif not isinstance(node, dict):
            raise fail(f"expected {done} to be a mapping, found {describe(node)}")
        elif not last and part not in node:
            if isinstance(parts[i + 1], int):
                raise fail(f"expected a list at {join_key(done, part)}, found none (set the "
                           f"whole list instead, e.g. {join_key(done, part)}=[...])")
            node[part] = {}
            created.append(join_key(done, part))
        if last:
            if value is None and isinstance(node, dict):
                node.pop(part, None)
            else:
                node[part] = value
        else:
            node = node[part]
            done = join_key(done, part)
    return created


def apply_overrides(data: dict, positions: dict, overrides: Mapping[str, Any] | None,
                    source: str = OVERRIDE_FILE) -> dict:
    """Set dotted keys in a copy of ``data``; their positions point at the override.

    ``None`` removes a key, as in a file that ``extends`` another. Values are typed and
    checked by the validation that follows, like values written in the file.
    """
    data = copy.deepcopy(data)
    problems = []
    for key, value in (overrides or {}).items():
        key = str(key)
        problem = key_syntax_problem(key)
        if problem is None and not under(key, _DOTTED_MAPPINGS):
            problem = unknown_entry(data, split_key(key))  # actors.XX.credibility, no XX
        if problem is not None:
            problems.append(Problem(source, 0, 0, key, problem))
            continue
        try:
            created = _set(data, _override_parts(data, key), value, key, source)
        except ScenarioError as exc:
            problems += exc.problems
            continue
        for k in [k for k in positions if under(k.removeprefix("@key:"), (key,))]:
            del positions[k]
        for k in [*created, key]:
            positions[k] = positions["@key:" + k] = Position(source, 0, 0)
    if problems:
        raise ScenarioError(problems)
    return data


def parse_set_options(items: list[str] | tuple[str, ...]) -> dict[str, Any]:
    """``["a.b=0.8", ...]`` from ``--set`` into a typed mapping; values typed like YAML.
    An empty value (``a.b=``) is refused: ``null`` says "remove" explicitly."""
    out: dict[str, Any] = {}
    for item in items:
        key, sep, text = item.partition("=")
        if not sep or not key.strip():
            raise ScenarioError(Problem(OVERRIDE_FILE, 0, 0, "",
                                        "expected KEY=VALUE, e.g. actors.US.credibility=0.8, "
                                        f"found {item!r}"))
        if not text.strip():  # ``KEY=`` would remove the key, setting it back to its default
            raise ScenarioError(Problem(OVERRIDE_FILE, 0, 0, key.strip(),
                                        "expected a value after '=', found nothing (to remove "
                                        f"the key, write {key.strip()}=null)"))
        out[key.strip()] = parse_scalar(text)
    return out


def fix_uncertain(data: dict, overrides: Mapping[str, Any] | None) -> list[str]:
    """Drop, in place, the ``uncertainty:`` entries of the keys that ``overrides`` set.

    ``--set actors.US.credibility=0.8`` means "credibility is 0.8", so its distribution,
    which would otherwise draw over the value, goes; every other uncertain parameter keeps
    its draws (streams are keyed by name). ``uncertainty.<key>.<field>=...`` edits the
    distribution instead; removing it too (``uncertainty.<key>=null``) says the same thing
    explicitly, so such a key is not reported as fixed. Returns the keys fixed, in override
    order.
    """
    uncertainty = data.get("uncertainty")
    if not isinstance(uncertainty, dict):
        return []
    fixed = []
    given = {str(k): v for k, v in (overrides or {}).items()}
    for key, value in given.items():
        removed = f"uncertainty.{key}" in given and given[f"uncertainty.{key}"] is None
        if value is not None and key in uncertainty and not removed:
            del uncertainty[key]
            fixed.append(key)
    return fixed


def announce_fixed(keys: list[str] | tuple[str, ...], values: Mapping[str, Any]) -> None:
    """One line on standard error naming the uncertain keys fixed by overrides."""
    if keys:
        what = ", ".join(f"{k}={values[k]!r}" if k in values else k for k in keys)
        print(f"note: fixed uncertain parameter(s) {what} (their "
              "distributions are dropped; every other draw is unchanged)", file=sys.stderr)
