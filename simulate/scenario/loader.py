"""Load a scenario: read YAML, follow ``extends``, apply overrides, validate, cross-check.

Every problem of a file is collected and raised at once as one :class:`ScenarioError`.
"""

from __future__ import annotations

import copy
import re
import datetime as _dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..errors import Problem, ScenarioError
from .checks import cross_check, split_key
from .dates import resolve_date
from .messages import problems_from_validation
from .schema import Scenario
from .yamlio import Position, load_yaml, parse_scalar

__all__ = ["load_scenario", "read_merged", "apply_overrides", "validate", "with_overrides",
           "parse_set_options"]

OVERRIDE_FILE = "--set"


def _merge(base: Any, over: Any) -> Any:
    """Deep merge (RFC 7396 style): mappings merge key by key, ``null`` removes a key,
    anything else (lists included) replaces."""
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for k, v in over.items():
            if v is None:
                out.pop(k, None)
            else:
                out[k] = _merge(base[k], v) if k in base else v
        return out
    return over


def read_merged(path: Path | str, _chain: tuple[Path, ...] = ()) -> tuple[dict, dict]:
    """Data and positions of a file with its ``extends`` chain merged in (base first)."""
    path = Path(path)
    real = path.resolve()
    if real in _chain:
        names = " -> ".join(str(p) for p in (*_chain, real))
        raise ScenarioError(Problem(str(path), 0, 0, "extends", f"extends cycle: {names}"))
    data, positions = load_yaml(path)
    if not isinstance(data, dict):
        raise ScenarioError(Problem(str(path), 1, 1, "", "expected a mapping of scenario keys "
                                                         f"at the top of the file, found {type(data).__name__}"))
    parent = data.pop("extends", None)
    if parent is None:
        return data, positions
    if not isinstance(parent, str):
        pos = positions["extends"]
        raise ScenarioError(Problem(pos.file, pos.line, pos.column, "extends",
                                    f"expected a file path, found {parent!r}"))
    base_path = path.parent / parent
    if not base_path.exists():
        pos = positions["extends"]
        raise ScenarioError(Problem(pos.file, pos.line, pos.column, "extends",
                                    f"file not found: {base_path}"))
    base, base_pos = read_merged(base_path, (*_chain, real))
    merged_pos = dict(base_pos)
    for key, value in data.items():
        if not isinstance(value, dict):  # replaced whole: forget the base's positions below it
            merged_pos = {k: p for k, p in merged_pos.items()
                          if not (k.startswith(key + ".") or k.startswith(key + "["))}
    merged_pos.update({k: v for k, v in positions.items() if k != "extends"})
    return _merge(base, data), merged_pos


def apply_overrides(data: dict, positions: dict, overrides: Mapping[str, Any] | None,
                    source: str = OVERRIDE_FILE) -> dict:
    """Set dotted keys in a copy of ``data``; their positions point at the override."""
    data = copy.deepcopy(data)
    for key, value in (overrides or {}).items():
        parts = split_key(key)
        node = data
        for part in parts[:-1]:
            if isinstance(node, dict):
                node = node.setdefault(part, {})
            elif isinstance(node, list) and isinstance(part, int) and part < len(node):
                node = node[part]
            else:
                raise ScenarioError(Problem(source, 0, 0, key,
                                            f"cannot set: {part!r} is not inside a mapping"))
        if isinstance(node, list) and isinstance(parts[-1], int) and parts[-1] < len(node):
            node[parts[-1]] = value
        elif isinstance(node, dict):
            node[parts[-1]] = value
        else:
            raise ScenarioError(Problem(source, 0, 0, key, "cannot set a key inside a non-mapping"))
        for k in [k for k in positions if k == key or k.startswith(key + ".")]:
            del positions[k]
        positions[key] = positions["@key:" + key] = Position(source, 0, 0)
    return data


def parse_set_options(items: list[str] | tuple[str, ...]) -> dict[str, Any]:
    """``["a.b=0.8", ...]`` from ``--set`` into a typed mapping; values typed like YAML."""
    out: dict[str, Any] = {}
    for item in items:
        key, sep, text = item.partition("=")
        if not sep or not key.strip():
            raise ScenarioError(Problem(OVERRIDE_FILE, 0, 0, item,
                                        "expected KEY=VALUE, e.g. actors.US.credibility=0.8"))
        out[key.strip()] = parse_scalar(text)
    return out


def _start(data: dict) -> _dt.date | None:
    try:
        value = resolve_date(data.get("start"), None)
    except ValueError:
        return None
    return value if isinstance(value, _dt.date) else None


def validate(data: dict, positions: dict | None = None, file: str = "<scenario>") -> Scenario:
    """Validate plain data into a :class:`Scenario`, or raise every problem at once."""
    positions = positions or {}
    try:
        scenario = Scenario.model_validate(data, context={"start": _start(data)})
    except ValidationError as exc:
        raise ScenarioError(problems_from_validation(exc, data, positions, Scenario, file)) from None
    problems = [_place(key, msg, positions, file) for key, msg in cross_check(scenario, data)]
    problems += _check_uncertainty(scenario, positions, file)
    if problems:
        raise ScenarioError(problems)
    return scenario


def _parent(key: str) -> str:
    """``a.b[2].c`` -> ``a.b[2]`` -> ``a.b`` -> ``a`` -> ``''``."""
    return re.sub(r"(\.[^.\[]+|\[\d+\])$", "", key) if ("." in key or "[" in key) else ""


def _place(key: str, message: str, positions: dict, file: str) -> Problem:
    pos = positions.get(key)
    parent = key
    while pos is None and parent:
        parent = _parent(parent)
        pos = positions.get(parent)
    pos = pos or Position(file, 1, 1)
    return Problem(pos.file, pos.line, pos.column, key, message)


def _check_uncertainty(s: Scenario, positions: dict, file: str) -> list[Problem]:
    """Each distribution's support must be values the parameter accepts."""
    problems: list[Problem] = []
    if not s.uncertainty:
        return problems
    base = s.to_data()
    for key, dist in s.uncertainty.items():
        values = dist.values if dist.dist == "choice" else dist.support()
        for value in dict.fromkeys(values):
            trial = apply_overrides(base, {}, {key: value})
            try:
                Scenario.model_validate(trial, context={"start": s.start})
            except ValidationError as exc:
                err = exc.errors(include_url=False)[0]
                problems.append(_place(
                    f"uncertainty.{key}",
                    f"the distribution reaches {value!r}, which {key} does not accept: "
                    f"{err['msg'][0].lower()}{err['msg'][1:]}", positions, file))
                break
    return problems


def load_scenario(path: Path | str, overrides: Mapping[str, Any] | None = None) -> Scenario:
    """Read, merge, override and validate a scenario file.

    >>> s = load_scenario("scenarios/aug2025.yaml", overrides={"actors.US.credibility": 0.8})
    """
    data, positions = read_merged(path)
    data = apply_overrides(data, positions, overrides)
    return validate(data, positions, str(path))


def with_overrides(scenario: Scenario, overrides: Mapping[str, Any]) -> Scenario:
    """A copy of a validated scenario with dotted keys set (validated again)."""
    if not overrides:
        return scenario
    data = apply_overrides(scenario.to_data(), {}, overrides, source="overrides")
    return validate(data, {}, "overrides")
