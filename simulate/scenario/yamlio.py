"""Safe YAML reading that remembers where every value came from.

PyYAML composes the document into nodes that carry marks (line, column); we walk the nodes,
refuse any tag outside YAML's core schema (``!!python/object`` and friends), refuse duplicate
keys, and record for each dotted key the position of its value. Construction then uses the
safe constructor, so nothing but plain data ever leaves this module.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..errors import Problem, ScenarioError
from .bounds import MAX_FILE_BYTES, MAX_SCALAR_CHARS, read_regular_file, scan_text

__all__ = ["Position", "load_yaml", "read_yaml", "dump_yaml", "parse_scalar", "join_key",
           "syntax_message"]

_CORE_PREFIX = "tag:yaml.org,2002:"
#: the file name problems of command-line values give
OVERRIDE = "--set"
_CORE_TAGS = {
    _CORE_PREFIX + t
    for t in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp")
}


class _Loader(yaml.SafeLoader):
    """The safe loader, reading numbers in exponent notation as YAML 1.2 does: PyYAML (YAML
    1.1) reads ``1e-3`` and ``2.5e3`` (no dot, or no sign after the ``e``) as text, which a
    number refuses."""


class _FastLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """:class:`_Loader` with libyaml's parser where PyYAML was built with it (see
    :func:`_compose`): the same resolver and safe constructor."""


for _cls in (_Loader, _FastLoader):
    _cls.add_implicit_resolver(
        _CORE_PREFIX + "float",
        re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$"),
        list("-+0123456789."))


def _safe_data(text: str) -> Any:
    """The plain data of one YAML document, built by the safe loader (:class:`_Loader`
    derives from ``yaml.SafeLoader``: no tag can build a Python object)."""
    loader = _Loader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


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


def _tag_text(tag: str) -> str:
    """A tag as it is written in a file: ``!!python/object:x`` rather than the full URI."""
    return "!!" + tag.removeprefix(_CORE_PREFIX) if tag.startswith(_CORE_PREFIX) else tag


def _timestamp_ok(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> bool:
    try:
        loader.construct_yaml_timestamp(node)
    except (ValueError, OverflowError):
        return False
    return True


def _walk(node: yaml.Node, key: str, file: str, positions: dict, problems: list,
          skipped: list, loader: yaml.SafeLoader, seen_nodes: set[int] | None = None,
          ) -> yaml.Node:
    """Record positions and check tags and duplicate keys below ``node``.

    Returns the node to construct: a value with a forbidden tag becomes null (its key is added
    to ``skipped``, so later checks do not report it a second time), a later duplicate key is
    dropped (the first one counts), an impossible date (2025-13-01) becomes text for the
    validation to report. A node met again through an alias (``*name``) is not walked again:
    nested aliases would otherwise take exponential time (the "billion laughs").
    """
    positions.setdefault(key, _pos(file, node))
    seen_nodes = set() if seen_nodes is None else seen_nodes
    if id(node) in seen_nodes:
        return node
    seen_nodes.add(id(node))
    if node.tag not in _CORE_TAGS:
        problems.append(Problem(
            file, *_lc(node), key or "(document)",
            f"expected plain data, found the YAML tag {_tag_text(node.tag)} "
            "(tags that build Python objects are refused: scenario files hold data only)"))
        skipped.append(key)
        return yaml.ScalarNode(_CORE_PREFIX + "null", "", node.start_mark, node.end_mark)
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, yaml.Node] = {}
        kept = []
        for knode, vnode in node.value:
            if not isinstance(knode, yaml.ScalarNode) or knode.tag not in _CORE_TAGS:
                problems.append(Problem(file, *_lc(knode), key or "(document)",
                                        "expected a plain name as a mapping key, found "
                                        + ("a list or mapping" if not isinstance(
                                            knode, yaml.ScalarNode) else _tag_text(knode.tag))))
                continue
            name = knode.value
            child = join_key(key, name)
            if name in seen:
                line, col = _lc(seen[name])
                problems.append(Problem(file, *_lc(knode), child,
                                        f"duplicate key (first given at line {line}, column "
                                        f"{col}; a key may appear once in a mapping)"))
                continue
            seen[name] = knode
            positions[child] = _pos(file, vnode)
            positions.setdefault("@key:" + child, _pos(file, knode))
            kept.append((knode, _walk(vnode, child, file, positions, problems, skipped, loader,
                                      seen_nodes)))
        node.value = kept
    elif isinstance(node, yaml.SequenceNode):
        node.value = [_walk(item, join_key(key, i), file, positions, problems, skipped, loader,
                            seen_nodes) for i, item in enumerate(node.value)]
    elif isinstance(node, yaml.ScalarNode) and node.tag == _CORE_PREFIX + "timestamp" \
            and not _timestamp_ok(loader, node):
        node.tag = _CORE_PREFIX + "str"
    return node


def _lc(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


_CONTEXTS = {
    "while parsing a flow sequence": "in the list opened with '[' at line {}, column {}",
    "while parsing a flow mapping": "in the mapping opened with '{{' at line {}, column {}",
    "while parsing a block mapping": "in the mapping that starts at line {}, column {}",
    "while parsing a block collection": "in the list that starts at line {}, column {}",
    "while parsing a flow node": "in the value that starts at line {}, column {}",
    "while parsing a block node": "in the value that starts at line {}, column {}",
    "while scanning a quoted scalar": "in the quoted text opened at line {}, column {}",
}
_TOKENS = {"<stream end>": "the end of the file", "'<block mapping start>'": "an indented key",
           "'<block end>'": "the end of a block", "<block end>": "the end of the block",
           "'?'": "a key", "'<block sequence start>'": "a list item",
           "'<scalar>'": "a value", "'-'": "a list item"}


def syntax_message(exc: yaml.MarkedYAMLError, text: str = "") -> tuple[int, int, str]:
    """Line, column and plain-words text of a YAML syntax error: what was expected and what
    was found, placed where the user has to look (the opening quote of an unclosed text)."""
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
    problem = (exc.problem or "invalid YAML").replace("but got", "found").replace(
        "but found", "found")
    for token, words in _TOKENS.items():
        problem = problem.replace(token, words)
    context = exc.context or ""
    cmark = exc.context_mark
    where = ""
    if context in _CONTEXTS and cmark is not None:
        where = f" ({_CONTEXTS[context].format(cmark.line + 1, cmark.column + 1)})"
    if "'\\t'" in problem:
        problem = "expected spaces for indentation, found a tab character"
    elif problem == "mapping values are not allowed here":
        row = text.splitlines()[line - 1] if 0 < line <= len(text.splitlines()) else ""
        if ": " not in row[:col - 1] + " " and not row[:col - 1].lstrip().startswith("- "):
            problem = ("expected this line to continue the value above it, found a new key "
                       "(is it indented more than the keys above it?)")
        else:
            problem = ("expected ': ' only after a key, found it inside a value (put text "
                       "containing ': ' in quotes)")
    elif context.startswith("expected a single document"):
        problem, where = "expected a single document, found a second one ('---')", ""
    elif context == "while scanning a quoted scalar" and cmark is not None:
        line, col = cmark.line + 1, cmark.column + 1
        problem = ("expected a closing quote for the text that opens here, found "
                   + ("the end of the file" if "end of stream" in problem else problem))
        where = ""
    if "the end of the block" in problem and "an indented key" in problem:
        problem = "expected a key aligned with the keys above it, found one indented differently"
        if cmark is not None:
            where = (f" (check the indentation; the enclosing mapping starts at line "
                     f"{cmark.line + 1}, column {cmark.column + 1})")
    return line, col, f"YAML syntax error: {problem}{where}"


def read_yaml(path: Path | str, text: str | None = None, name: str | None = None,
              ) -> tuple[Any, dict[str, Position], list[Problem], list[str]]:
    """Read a YAML file safely, going on past problems that leave its data usable.

    Returns (data, positions, problems, skipped): positions maps dotted keys to
    :class:`Position`; problems lists forbidden tags and duplicate keys (their values are
    dropped, and the keys of dropped values are in ``skipped``). Raises :class:`ScenarioError`
    for unreadable files and syntax errors, after which nothing of the file can be used.
    Problems and positions name the file ``name`` (default: ``path`` as given).
    """
    file = str(path) if name is None else name
    if text is None:
        text = _read_text(Path(path), file)
    too_big = scan_text(text, file)  # depth, keys, value lengths: before anything recurses
    if too_big is not None:
        raise ScenarioError(too_big)
    loader = None
    try:
        loader, node = _compose(text)
        if node is None:
            return None, {}, [], []
        positions: dict[str, Position] = {}
        problems: list[Problem] = []
        skipped: list[str] = []
        node = _walk(node, "", file, positions, problems, skipped, loader)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        line, col, message = syntax_message(exc, text)
        raise ScenarioError(Problem(file, line, col, "", message)) from None
    except yaml.reader.ReaderError as exc:  # a control character, or bytes that are not text
        line, col = _offset_position(text, exc.position)
        char = chr(exc.character) if isinstance(exc.character, int) else str(exc.character)
        raise ScenarioError(Problem(file, line, col, "", (
            f"expected printable text, found the control character {char!r} (remove it, or "
            "write it as an escape in double quotes)"))) from None
    except (ValueError, RecursionError, OverflowError) as exc:  # e.g. a 5000-digit number
        raise ScenarioError(Problem(file, 1, 1, "", f"expected values a scenario can hold, "
                                    f"found one that cannot be read ({str(exc)[:80]})")) \
            from None
    finally:
        if loader is not None:
            loader.dispose()
    return data, positions, problems, skipped


#: where libyaml and PyYAML's own parser read the same text differently: tabs (libyaml takes
#: a tab after a value, PyYAML refuses it), tags (a bare ``!``), explicit keys (``? k``:
#: the marks of empty nodes) and a comment right after a block scalar's header (``|#``);
#: text with any of these, or with a character PyYAML refuses, is read by PyYAML alone
_PARSERS_DIFFER = re.compile(
    r"\t|(?:^|[\s\[{,])[!?]|[|>][-+0-9]*#|" + yaml.reader.Reader.NON_PRINTABLE.pattern)


def _compose(text: str) -> tuple[yaml.SafeLoader, yaml.Node | None]:
    """The loader that composed ``text`` and the document's node: PyYAML's nodes and marks
    whichever parser reads it. libyaml's parser (ten times faster) where PyYAML has it and
    the two parsers agree on ``text`` (tests/test_yaml_parsers.py); PyYAML's own for the
    rest, for an empty document (the two place its mark differently) and for text libyaml
    refuses, so that every syntax error is worded and placed by PyYAML's parser."""
    if yaml.__with_libyaml__ and not _PARSERS_DIFFER.search(text):
        fast = _FastLoader(text)
        try:
            node = fast.get_single_node()
            if not (isinstance(node, yaml.ScalarNode) and node.value == ""):
                return fast, node
        except yaml.YAMLError:
            pass
        fast.dispose()
    loader = _Loader(text)
    try:
        return loader, loader.get_single_node()
    except BaseException:
        loader.dispose()
        raise


def _offset_position(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of character ``offset`` of ``text``."""
    before = text[:offset]
    return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1


def _read_text(path: Path, file: str) -> str:
    """The text of a scenario file: a regular file (a FIFO or a device is refused without
    being opened) of at most MAX_FILE_BYTES, in UTF-8."""
    def fail(message: str) -> ScenarioError:
        return ScenarioError(Problem(file, 0, 0, "", message))
    data = read_regular_file(path, MAX_FILE_BYTES, "a scenario file", fail)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _offset_position(data[:exc.start].decode("utf-8", "replace"), exc.start)
        raise ScenarioError(Problem(file, line, 1, "", "expected UTF-8 text, found bytes that "
                                    "are not (is it a scenario file?)")) from None


def load_yaml(path: Path | str, text: str | None = None) -> tuple[Any, dict[str, Position]]:
    """Read a YAML file safely; return its data and a map dotted key -> :class:`Position`.

    Raises :class:`ScenarioError` for unreadable files, syntax errors, non-core tags and
    duplicate keys, all problems of the file at once.
    """
    data, positions, problems, _ = read_yaml(path, text)
    if problems:
        raise ScenarioError(problems)
    return ({} if data is None else data), positions


def parse_scalar(text: str) -> Any:
    """Type a command-line value the way YAML would (``0.8`` -> float, ``[CN, IN]`` -> list);
    a value beyond the bounds of a file (too deep, too long) stays text, for the validation to
    refuse."""
    if len(text) > MAX_SCALAR_CHARS or scan_text(text, OVERRIDE) is not None:
        return text
    try:
        value = _safe_data(text)
    except (yaml.YAMLError, ValueError, RecursionError, OverflowError):
        return text
    return text if value is None and text.strip() not in ("null", "~", "") else value


class _Dumper(yaml.SafeDumper):
    """Block-style dumper that keeps key order, writes dates as ISO dates, and never writes
    anchors and aliases (``&id001``) for values that happen to be the same object."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


#: characters YAML reads as line breaks (or drops) unless they are escaped in double quotes
_ESCAPE = ("\x85", "\u2028", "\u2029", "\ufeff", "\r")


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style: str | None
    if any(c in value for c in _ESCAPE):
        style = '"'
    else:
        style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(_dt.date, lambda d, v: d.represent_scalar(
    "tag:yaml.org,2002:timestamp", v.isoformat()))


def dump_yaml(data: Any) -> str:
    """YAML text of plain data, in block style with keys in their given order."""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                     default_flow_style=False, width=100)
