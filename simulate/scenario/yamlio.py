"""Safe YAML reading that remembers where every value came from.

PyYAML composes the document into nodes that carry marks (line, column); we walk the nodes,
refuse any tag outside YAML's core schema (``!!python/object`` and friends), refuse duplicate
keys, and record for each dotted key the position of its value. Construction then uses the
safe constructor, so nothing but plain data ever leaves this module.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..errors import Problem, ScenarioError

__all__ = ["Position", "load_yaml", "dump_yaml", "parse_scalar", "join_key"]

_CORE_TAGS = {
    "tag:yaml.org,2002:" + t
    for t in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp")
}


@dataclass(frozen=True)
class Position:
    """Where a value was written: file, 1-based line and column (0 for overrides)."""

    file: str
    line: int
    column: int


def join_key(parent: str, key: Any) -> str:
    """Dotted key of ``key`` under ``parent`` (list items as ``parent[3]``)."""
    if isinstance(key, int):
        return f"{parent}[{key}]"
    return f"{parent}.{key}" if parent else str(key)


def _pos(file: str, node: yaml.Node) -> Position:
    return Position(file, node.start_mark.line + 1, node.start_mark.column + 1)


def _walk(node: yaml.Node, key: str, file: str, positions: dict, problems: list) -> None:
    """Record positions and check tags and duplicate keys below ``node``."""
    positions.setdefault(key, _pos(file, node))
    if node.tag not in _CORE_TAGS:
        problems.append(
            Problem(file, *_lc(node), key or "(document)",
                    f"YAML tag {node.tag!r} is not allowed: scenario files hold plain data only")
        )
        return
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, yaml.Node] = {}
        for knode, vnode in node.value:
            if not isinstance(knode, yaml.ScalarNode):
                problems.append(Problem(file, *_lc(knode), key or "(document)",
                                        "mapping keys must be plain scalars"))
                continue
            name = knode.value
            child = join_key(key, name)
            if name in seen:
                first = seen[name].start_mark.line + 1
                problems.append(Problem(file, *_lc(knode), child,
                                        f"duplicate key (first given on line {first})"))
                continue
            seen[name] = knode
            positions[child] = _pos(file, vnode)
            positions.setdefault("@key:" + child, _pos(file, knode))
            _walk(vnode, child, file, positions, problems)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, join_key(key, i), file, positions, problems)


def _lc(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def load_yaml(path: Path | str, text: str | None = None) -> tuple[Any, dict[str, Position]]:
    """Read a YAML file safely; return its data and a map dotted key -> :class:`Position`.

    Raises :class:`ScenarioError` for unreadable files, syntax errors, non-core tags and
    duplicate keys, all problems of the file at once.
    """
    file = str(path)
    if text is None:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ScenarioError(Problem(file, 0, 0, "", "file not found")) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ScenarioError(Problem(file, 0, 0, "", f"cannot read file: {exc}")) from None
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return {}, {}
        positions: dict[str, Position] = {}
        problems: list[Problem] = []
        _walk(node, "", file, positions, problems)
        if problems:
            raise ScenarioError(problems)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        what = exc.problem or "invalid YAML"
        if exc.context:
            what = f"{exc.context}, {what}"
        raise ScenarioError(Problem(file, line, col, "", f"YAML syntax error: {what}")) from None
    finally:
        loader.dispose()
    return data, positions


def parse_scalar(text: str) -> Any:
    """Type a command-line value the way YAML would (``0.8`` -> float, ``[CN, IN]`` -> list)."""
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        return text
    return text if value is None and text.strip() not in ("null", "~", "") else value


class _Dumper(yaml.SafeDumper):
    """Block-style dumper that keeps key order and writes dates as ISO dates."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(_dt.date, lambda d, v: d.represent_scalar(
    "tag:yaml.org,2002:timestamp", v.isoformat()))


def dump_yaml(data: Any) -> str:
    """YAML text of plain data, in block style with keys in their given order."""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                     default_flow_style=False, width=100)
