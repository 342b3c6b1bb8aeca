"""Turn pydantic's validation errors into problems that name file, line, key, expected, found."""

from __future__ import annotations

import difflib
import types
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from ..errors import Problem
from .yamlio import Position, join_key

__all__ = ["problems_from_validation", "describe", "nearest", "fields_at"]


def describe(value: Any) -> str:
    """Short human description of a found value."""
    if isinstance(value, bool):
        return str(value).lower()
    if value is None:
        return "nothing (null)"
    if isinstance(value, dict):
        return "a mapping" if value else "an empty mapping"
    if isinstance(value, list | tuple):
        return f"a list of {len(value)} item(s)"
    if isinstance(value, str):
        return repr(value)
    return repr(value)


def nearest(name: str, options: typing.Iterable[str]) -> str:
    """' (did you mean 'x'?)' for the closest option, or the list of options if none is close."""
    options = sorted(options)
    match = difflib.get_close_matches(name, options, n=1, cutoff=0.6)
    if match:
        return f" (did you mean '{match[0]}'?)"
    if options and len(options) <= 12:
        return " (expected one of: " + ", ".join(options) + ")"
    return ""


def _unwrap(tp: Any) -> Any:
    """Strip Annotated and Optional from a type annotation."""
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            if len(args) == 1:
                tp = args[0]
            else:
                return tp
        else:
            return tp


def _union_member(tp: Any, tag: Any) -> Any:
    for arg in typing.get_args(tp):
        arg = _unwrap(arg)
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            for fname in ("role", "dist"):
                field = arg.model_fields.get(fname)
                if field is not None and tag in typing.get_args(field.annotation):
                    return arg
    return None


def fields_at(root: type[BaseModel], loc: tuple[Any, ...]) -> set[str] | None:
    """Names of the keys allowed in the mapping found at pydantic location ``loc``."""
    tp: Any = root
    for item in loc:
        tp = _unwrap(tp)
        origin = typing.get_origin(tp)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            field = tp.model_fields.get(item) or next(
                (f for f in tp.model_fields.values() if f.alias == item), None)
            if field is None:
                return None
            tp = field.annotation
        elif origin is dict:
            tp = typing.get_args(tp)[1]
        elif origin in (tuple, list):
            tp = typing.get_args(tp)[0]
        elif origin in (typing.Union, types.UnionType):
            member = _union_member(tp, item)
            if member is None:
                return None
            tp = member
        else:
            return None
    tp = _unwrap(tp)
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        return None
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return {f.alias or n for n, f in tp.model_fields.items()}
    return None


def _key_of(loc: tuple[Any, ...], data: Any, kind: str) -> str:
    """Dotted key for a pydantic location, skipping union tags and validator names."""
    key, node = "", data
    for i, item in enumerate(loc):
        last = i == len(loc) - 1
        if isinstance(node, dict) and item in node:
            key, node = join_key(key, item), node[item]
        elif isinstance(node, list) and isinstance(item, int) and 0 <= item < len(node):
            key, node = join_key(key, item), node[item]
        elif last and kind in ("missing", "extra_forbidden") and isinstance(item, str | int):
            key, node = join_key(key, item), None
    return key


def _bound_message(kind: str, ctx: dict, found: Any) -> str:
    sym = {"greater_than_equal": ">=", "greater_than": ">", "less_than_equal": "<=",
           "less_than": "<"}[kind]
    bound = next(iter(ctx.values()))
    return f"expected a number {sym} {bound}, found {describe(found)}"


def _message(err: dict, data: Any) -> str:
    kind, ctx, found = err["type"], err.get("ctx") or {}, err.get("input")
    if kind == "missing":
        return "required key missing"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        return _bound_message(kind, ctx, found)
    if kind in ("float_type", "float_parsing", "int_type", "int_parsing", "finite_number"):
        return f"expected a number, found {describe(found)}"
    if kind == "int_from_float":
        return f"expected a whole number, found {describe(found)}"
    if kind in ("bool_type", "bool_parsing"):
        return f"expected true or false, found {describe(found)}"
    if kind == "string_type":
        return f"expected text, found {describe(found)}"
    if kind == "literal_error":
        return f"expected one of {ctx.get('expected')}, found {describe(found)}"
    if kind == "union_tag_invalid":
        return (f"expected {ctx.get('discriminator', 'tag').strip(chr(39))} to be one of "
                f"{ctx.get('expected_tags')}, found {describe(ctx.get('tag'))}")
    if kind == "union_tag_not_found":
        return f"required key {ctx.get('discriminator')} missing"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"expected a mapping, found {describe(found)}"
    if kind in ("tuple_type", "list_type"):
        return f"expected a list, found {describe(found)}"
    if kind == "too_short":
        return f"expected at least {ctx.get('min_length')} item(s), found {ctx.get('actual_length')}"
    if kind == "string_pattern_mismatch":
        return ("expected a name of letters, digits, '_' and '-' starting with a letter, "
                f"found {describe(found)}")
    if kind in ("date_type", "date_parsing", "date_from_datetime_parsing",
                "date_from_datetime_inexact"):
        return ("expected a date (YYYY-MM-DD) or an offset from start (+2d, +8w), "
                f"found {describe(found)}")
    if kind == "value_error":
        return str(ctx.get("error", err["msg"])).removeprefix("Value error, ")
    return f"{err['msg'][0].lower()}{err['msg'][1:]}, found {describe(found)}"


def problems_from_validation(
    exc: ValidationError, data: Any, positions: dict[str, Position], root: type[BaseModel],
    default_file: str,
) -> list[Problem]:
    """One :class:`Problem` per pydantic error, placed at the value (or key) it concerns."""
    problems = []
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        key = _key_of(loc, data, err["type"])
        text = _message(err, data)
        pos = positions.get(key)
        if err["type"] == "extra_forbidden":
            allowed = fields_at(root, loc[:-1]) or set()
            text = "unknown key" + nearest(str(loc[-1]), allowed)
            pos = positions.get("@key:" + key, pos)
        if pos is None:  # missing key: point at the enclosing mapping
            parent = key
            while pos is None and parent:
                parent = parent.rpartition(".")[0] if "." in parent else ""
                pos = positions.get(parent) if parent else None
        pos = pos or Position(default_file, 1, 1)
        problems.append(Problem(pos.file, pos.line, pos.column, key, text))
    return problems
