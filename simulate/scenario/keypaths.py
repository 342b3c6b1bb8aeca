"""Dotted keys of a scenario (``actors.us.threat.secondary_tariff.rate``, ``timeline[2].rate``):
splitting them, looking them up in plain data, and following them through the schema.
"""

from __future__ import annotations

import types
import typing
from typing import Any

from pydantic import BaseModel

from .messages import suggest, unwrap
from .schema import Scenario
from .yamlio import join_key

__all__ = ["MISSING", "lookup", "split_key", "under", "resolve_path", "options_hint",
           "key_syntax_problem", "unknown_entry", "NO_SUCH_KEY"]

#: how the problem of a reference (``cite:``, ``uncertainty:``) to a key the scenario does not
#: have begins
NO_SUCH_KEY = "expected the dotted key of a scenario parameter"

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


def key_syntax_problem(dotted: str) -> str | None:
    """What is wrong with the form of a dotted key (an empty part: ``a..b``, ``.a``, ``a.``),
    or None."""
    if any(not piece.strip() for piece in dotted.split(".")):
        return ("expected a dotted key of names joined by single dots (e.g. "
                f"market.brent_usd), found {dotted[:80]!r} (a part of it is empty)")
    return None


def under(key: str, roots: list[str] | tuple[str, ...]) -> bool:
    """Whether ``key`` is one of ``roots`` or below one (``timeline[0].rate`` is below
    ``timeline`` and ``timeline[0]``); an empty root covers every key."""
    return any(not r or key == r or key.startswith((r + ".", r + "[")) for r in roots)


def options_hint(name: str, options: Any, label: str) -> str:
    """' (did you mean 'x'?)' for a close option, else ' (label: a, b, c)' if there are few."""
    options = sorted(map(str, options))
    hint = suggest(name, options)
    if hint or not options or len(options) > 12:
        return hint
    return f" ({label}: {', '.join(options)})"


def _field_type(field: Any) -> Any:
    """A model field's annotation with its constraints (ge, le, validators) put back on."""
    if field.metadata:
        return typing.Annotated[(field.annotation, *field.metadata)]
    return field.annotation


def _default_of(field: Any) -> Any:
    value = field.get_default(call_default_factory=True)
    if isinstance(value, BaseModel):
        return value.model_dump(by_alias=True)
    return value


def _union_member(tp: Any, node: Any) -> Any:
    """The model of a tagged union (actors by ``role``, distributions by ``dist``) for node."""
    if not isinstance(node, dict):
        return None
    for arg in typing.get_args(tp):
        arg = unwrap(arg)
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            for tag in ("role", "dist"):
                field = arg.model_fields.get(tag)
                if field is not None and node.get(tag) in typing.get_args(field.annotation):
                    return arg
    return None


def resolve_path(data: dict, dotted: str, root: type[BaseModel] | None = None,
                 ) -> tuple[Any, str | None]:
    """Follow a dotted key through the schema and the data together.

    Returns (annotation of the value there, None) when the key names a value of the scenario
    (defaults count), (None, message) when it does not, and (None, None) when the data on the
    way is malformed and the typed validation reports it.
    """
    tp: Any = Scenario if root is None else root
    node: Any = data
    walked = ""
    for part in split_key(dotted):
        base = unwrap(tp)
        origin = typing.get_origin(base)
        where = walked or "the scenario"
        if node is None:
            return None, (f"{NO_SUCH_KEY}, but {walked} "
                          "is not set")
        if origin in (typing.Union, types.UnionType):
            base = _union_member(base, node)
            if base is None:
                return None, None
        if isinstance(base, type) and issubclass(base, BaseModel):
            if not isinstance(node, dict):
                return None, None
            fields = {f.alias or n: f for n, f in base.model_fields.items()}
            field = fields.get(part) if isinstance(part, str) else None
            if field is None:
                return None, (f"{NO_SUCH_KEY}, but {where} "
                              f"has no {part!r}" + options_hint(str(part), fields, "keys"))
            if part in node:
                node = node[part]
            elif field.is_required():
                return None, None  # reported as missing
            else:
                node = _default_of(field)
            tp = _field_type(field)
        elif origin is dict:
            if not isinstance(node, dict):
                return None, None
            if part not in node:
                return None, (f"{NO_SUCH_KEY}, but {where} "
                              f"has no {part!r}" + options_hint(str(part), map(str, node), "keys"))
            node, tp = node[part], typing.get_args(base)[1]
        elif origin in (tuple, list):
            if not isinstance(node, list | tuple):
                return None, None
            if not isinstance(part, int) or not 0 <= part < len(node):
                return None, (f"{NO_SUCH_KEY}, but {where} "
                              f"has no item {part!r} (it has {len(node)})")
            node, tp = node[part], typing.get_args(base)[0]
        else:
            return None, (f"{NO_SUCH_KEY}, but {where} is "
                          f"a single value, it has no {part!r}")
        walked = join_key(walked, part)
    return tp, None


def _entry_label(mapping_key: str) -> str:
    """'actors' -> 'actor': what one entry of a mapping of names is called."""
    name = str(split_key(mapping_key)[-1]) if mapping_key else "entry"
    return name[:-1] if name.endswith("s") and len(name) > 1 else name


def unknown_entry(data: dict, parts: list[str | int], root: type[BaseModel] | None = None,
                  ) -> str | None:
    """Why a key (as ``parts``) cannot be set: it goes through an entry of a mapping of
    names (``actors``, ``regions``, ``sources``) that the data does not have, e.g.
    ``actors.XX.credibility`` when there is no actor ``XX``. Setting a new entry whole
    (``actors.XX={...}``) is allowed; anything else unusual is left to the validation."""
    tp: Any = Scenario if root is None else root
    node: Any = data
    walked = ""
    for i, part in enumerate(parts):
        base = unwrap(tp)
        origin = typing.get_origin(base)
        if node is None:
            return None
        if origin in (typing.Union, types.UnionType):
            base = _union_member(base, node)
            if base is None:
                return None
        if isinstance(base, type) and issubclass(base, BaseModel):
            fields = {f.alias or n: f for n, f in base.model_fields.items()}
            field = fields.get(part) if isinstance(part, str) else None
            if field is None or not isinstance(node, dict):
                return None
            node = node[part] if part in node else (
                None if field.is_required() else _default_of(field))
            tp = _field_type(field)
        elif origin is dict:
            if not isinstance(node, dict):
                return None
            if part not in node:
                if i == len(parts) - 1:
                    return None  # a new entry, given whole
                label = _entry_label(walked)
                names = sorted(map(str, node))
                known = (f" ({', '.join(names)})" if names and len(names) <= 30 else "")
                return (f"expected the name of an existing {label}{known}, found unknown "
                        f"{label} {part!r}" + suggest(str(part), names))
            node, tp = node[part], typing.get_args(base)[1]
        else:
            return None
        walked = join_key(walked, part)
    return None
