"""Turn pydantic's validation errors into problems that name file, line, key, expected, found."""

from __future__ import annotations

import datetime as _dt
import difflib
import math
import re
import types
import typing
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from ..errors import Problem
from .bounds import excerpt
from .yamlio import Position, join_key

__all__ = ["problems_from_validation", "describe", "nearest", "suggest", "fields_at", "type_at",
           "type_words", "expectation", "unwrap", "parent_key", "set_elsewhere", "UNKNOWN_KEY"]

#: how the problem of a key the schema does not know begins
UNKNOWN_KEY = "unknown key"


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
        return excerpt(value)  # a 5 MB value is quoted by its start and its length
    if isinstance(value, _dt.datetime):
        return f"{value.isoformat(sep=' ')} (a date and a time)"
    if isinstance(value, _dt.date):
        return value.isoformat()
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:40]}...({len(text):,} characters)"


def nearest(name: str, options: typing.Iterable[str]) -> str:
    """' (did you mean 'x'?)' for the closest option, or the list of options if none is close."""
    options = sorted(options)
    hint = suggest(name, options)
    if hint:
        return hint
    if options and len(options) <= 12:
        return " (expected one of: " + ", ".join(options) + ")"
    return ""


def suggest(name: str, options: typing.Iterable[str]) -> str:
    """' (did you mean 'x'?)' for the closest option, or '' if none is close."""
    match = difflib.get_close_matches(str(name), sorted(options), n=1, cutoff=0.6)
    return f" (did you mean '{match[0]}'?)" if match else ""


def unwrap(tp: Any) -> Any:
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


_unwrap = unwrap


def _union_member(tp: Any, tag: Any) -> Any:
    for arg in typing.get_args(tp):
        arg = unwrap(arg)
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            for fname in ("role", "dist"):
                field = arg.model_fields.get(fname)
                if field is not None and tag in typing.get_args(field.annotation):
                    return arg
    return None


def type_at(root: type[BaseModel], loc: tuple[Any, ...]) -> Any:
    """Annotation (constraints included) of the value at pydantic location ``loc``, or None."""
    tp: Any = root
    for item in loc:
        tp = unwrap(tp)
        origin = typing.get_origin(tp)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            field = tp.model_fields.get(item) or next(
                (f for f in tp.model_fields.values() if f.alias == item), None)
            if field is None:
                return None
            tp = (typing.Annotated[(field.annotation, *field.metadata)] if field.metadata
                  else field.annotation)
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
    return tp


def fields_at(root: type[BaseModel], loc: tuple[Any, ...]) -> set[str] | None:
    """Names of the keys allowed in the mapping found at pydantic location ``loc``."""
    tp = unwrap(type_at(root, loc))
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return {f.alias or n for n, f in tp.model_fields.items()}
    return None


_SYMBOLS = {"ge": ">=", "gt": ">", "le": "<=", "lt": "<"}


def _num_text(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _strip_optional(tp: Any) -> Any:
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return tp


def type_words(tp: Any, bounds: tuple[str, ...] = ()) -> str:
    """What a value of annotation ``tp`` looks like, in words: 'a number >= 0', 'a date'."""
    tp = _strip_optional(tp)
    if typing.get_origin(tp) is typing.Annotated:
        inner, *meta = typing.get_args(tp)
        flat = [x for m in meta for x in (m.metadata if isinstance(m, FieldInfo) else [m])]
        for m in flat:
            for name, sym in _SYMBOLS.items():
                if getattr(m, name, None) is not None:
                    bounds += (f"{sym} {_num_text(getattr(m, name))}",)
            if "date" in str(getattr(m, "json_schema", "")):
                return "a date (YYYY-MM-DD) or an offset from start (+2d, +8w)"
        return type_words(inner, bounds)
    base = tp
    origin = typing.get_origin(base)
    if len(bounds) == 2 and bounds[0].startswith(">= ") and bounds[1].startswith("<= "):
        where = f" from {bounds[0][3:]} to {bounds[1][3:]}"
    else:
        where = " " + " and ".join(bounds) if bounds else ""
    if base is bool:
        return "true or false"
    if base is int:
        return "a whole number" + where
    if base is float:
        return "a number" + where
    if base is str:
        return "text"
    if base is _dt.date:
        return "a date (YYYY-MM-DD)"
    if origin is typing.Literal:
        options = typing.get_args(base)
        return repr(options[0]) if len(options) == 1 else \
            "one of " + ", ".join(repr(a) for a in options)
    if origin in (tuple, list):
        return "a list"
    if origin in (typing.Union, types.UnionType):
        members = [a for a in typing.get_args(base) if a is not type(None)]
        if all(isinstance(unwrap(a), type) and issubclass(unwrap(a), BaseModel)
               for a in members):
            return "a mapping"
        return " or ".join(type_words(a) for a in members)
    if origin is dict:
        return "a mapping"
    if isinstance(base, type) and issubclass(base, BaseModel):
        required = [f.alias or n for n, f in base.model_fields.items() if f.is_required()]
        return "a mapping" + (" with " + ", ".join(required) if required else "")
    return "a value"


def _key_of(loc: tuple[Any, ...], data: Any, kind: str) -> str:
    """Dotted key for a pydantic location, skipping union tags and validator names."""
    key, node = "", data
    for i, item in enumerate(loc):
        last = i == len(loc) - 1
        if isinstance(node, dict) and item in node:
            key, node = join_key(key, str(item)), node[item]
        elif isinstance(node, list) and isinstance(item, int) and 0 <= item < len(node):
            key, node = join_key(key, item), node[item]
        elif last and kind in ("missing", "extra_forbidden") and isinstance(item, str | int):
            key, node = join_key(key, item), None
    return key


def _tags(text: Any) -> list[str]:
    return re.findall(r"'([^']*)'", str(text or ""))


def expectation(err: Mapping[str, Any]) -> str:
    """What the value should have been, in words, for a pydantic error (no 'found' part)."""
    kind, ctx = err["type"], err.get("ctx") or {}
    if kind in _BOUNDS:
        return f"a number {_BOUNDS[kind]} {_num_text(next(iter(ctx.values())))}"
    if kind in ("float_type", "float_parsing", "int_type", "int_parsing", "finite_number"):
        return "a number"
    if kind == "int_from_float":
        return "a whole number"
    if kind in ("bool_type", "bool_parsing"):
        return "true or false"
    if kind == "string_type":
        return "text"
    if kind == "literal_error":
        expected = str(ctx.get("expected"))
        return f"one of {expected}" if " or " in expected else expected
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return "a mapping"
    if kind in ("tuple_type", "list_type"):
        return "a list"
    if kind == "too_short":
        return f"at least {ctx.get('min_length')} item(s)"
    if kind == "string_pattern_mismatch":
        return "a name of letters, digits, '_' and '-' starting with a letter"
    if kind in ("date_type", "date_parsing", "date_from_datetime_parsing",
                "date_from_datetime_inexact"):
        return "a date (YYYY-MM-DD) or an offset from start (+2d, +8w)"
    if kind == "value_error":
        text = str(ctx.get("error", err["msg"])).removeprefix("Value error, ")
        return text.removeprefix("expected ").split(", found ")[0]
    return f"{err['msg'][0].lower()}{err['msg'][1:]}"


#: other names of distributions and roles, for suggestions
_ALIASES = {"gaussian": "normal", "gauss": "normal", "log-normal": "lognormal",
            "lognorm": "lognormal", "triangle": "triangular", "tri": "triangular",
            "unif": "uniform", "categorical": "choice", "discrete": "choice",
            "one_of": "choice", "oneof": "choice", "country": "importer",
            "sanctions": "sanctioner", "party": "belligerent"}
_NUMBERS = ("float_type", "float_parsing", "int_type", "int_parsing", "finite_number",
            "int_from_float", "greater_than_equal", "greater_than", "less_than_equal",
            "less_than")
_DATES = ("date_type", "date_parsing", "date_from_datetime_parsing", "date_from_datetime_inexact")
_BOUNDS = {"greater_than_equal": ">=", "greater_than": ">", "less_than_equal": "<=",
           "less_than": "<"}
_PLAIN = ("float_type", "float_parsing", "int_type", "int_parsing", "finite_number",
          "int_from_float", "bool_type", "bool_parsing", "string_type", "literal_error",
          "dict_type", "model_type", "model_attributes_type", "tuple_type", "list_type",
          "string_pattern_mismatch", "date_type", "date_parsing", "date_from_datetime_parsing",
          "date_from_datetime_inexact", *_BOUNDS)


def _message(err: Mapping[str, Any], root: type[BaseModel]) -> str:
    kind, ctx, found = err["type"], err.get("ctx") or {}, err.get("input")
    if kind == "missing":
        tp = type_at(root, tuple(err["loc"]))
        return "required key missing" + (f": expected {type_words(tp)}" if tp else "")
    if kind in _PLAIN:
        wanted = expectation(err)
        if kind in _NUMBERS or kind in _DATES:  # with the field's range; 'start' is a date,
            tp = type_at(root, tuple(err["loc"]))  # other dates may be offsets from it
            wanted = type_words(tp) if tp is not None else wanted
        text = f"expected {wanted}, found {describe(found)}" + _kind_hint(kind, found)
        if kind == "literal_error" and isinstance(found, str):
            text += suggest(found, _tags(ctx.get("expected")))
        return text
    if kind == "too_short":
        return (f"expected at least {ctx.get('min_length')} item(s), "
                f"found {ctx.get('actual_length')}")
    if kind == "union_tag_invalid":
        tag, tags = ctx.get("tag"), _tags(ctx.get("expected_tags"))
        hint = suggest(str(tag), tags)
        if not hint and _ALIASES.get(str(tag).lower()) in tags:
            hint = f" (did you mean '{_ALIASES[str(tag).lower()]}'?)"
        return f"expected one of {ctx.get('expected_tags')}, found {describe(tag)}{hint}"
    if kind == "union_tag_not_found":
        tp = unwrap(type_at(root, tuple(err["loc"])))
        name = str(ctx.get("discriminator", "")).strip("'")
        tags = [t for arg in typing.get_args(tp) for t in _field_args(arg, name)] \
            if typing.get_origin(tp) in (typing.Union, types.UnionType) else []
        return "required key missing" + (
            ": expected one of " + ", ".join(repr(t) for t in tags) if tags else "")
    if kind == "value_error":
        return str(ctx.get("error", err["msg"])).removeprefix("Value error, ")
    return f"{err['msg'][0].lower()}{err['msg'][1:]}, found {describe(found)}"


def _kind_hint(kind: str, found: Any) -> str:
    """Why a value of the wrong kind is refused, when it looks like the right one: a number
    or a boolean in quotes is text."""
    if not isinstance(found, str):
        return ""
    if kind in ("float_type", "int_type"):
        try:
            number = float(found.strip().replace("_", ""))
        except ValueError:
            return ""
        if not math.isfinite(number):
            return ""
        return " (a number in quotes is text: write it without quotes)"
    if kind == "bool_type" and found.strip().lower() in ("true", "false"):
        return " (true or false in quotes is text: write it without quotes)"
    return ""


def _field_args(model: Any, name: str) -> tuple:
    """The type arguments of field ``name`` of a pydantic model (the tags of a tag field);
    empty if ``model`` has no such field."""
    field = getattr(unwrap(model), "model_fields", {}).get(name)
    return typing.get_args(field.annotation) if field is not None else ()


def problems_from_validation(
    exc: ValidationError, data: Any, positions: dict[str, Position], root: type[BaseModel],
    default_file: str,
) -> list[Problem]:
    """One :class:`Problem` per pydantic error, placed at the value (or key) it concerns.

    A value that fits no member of a plain union (a demand: a share or 'line') gets one
    problem that names every member, not one per member.
    """
    problems = []
    errors = exc.errors(include_url=False)
    keys = [_key_of(tuple(e["loc"]), data, e["type"]) for e in errors]
    merged: set[str] = set()
    for err, key in zip(errors, keys, strict=True):
        loc = tuple(err["loc"])
        text = _message(err, root)
        group = [e for e, k in zip(errors, keys, strict=True) if k == key]
        if len(group) > 1 and err["type"] not in ("missing", "extra_forbidden") and all(
                e.get("input") == err.get("input") and len(e["loc"]) == len(loc)
                for e in group):
            if key in merged:
                continue
            merged.add(key)
            tp = type_at(root, loc[:-1])
            wanted = type_words(tp) if tp is not None else " or ".join(
                expectation(e) for e in group)
            text = f"expected {wanted}, found {describe(err.get('input'))}"
        if err["type"] in ("union_tag_invalid", "union_tag_not_found"):
            key = join_key(key, str((err.get("ctx") or {}).get("discriminator", "")).strip("'"))
        pos = positions.get(key)
        if loc and loc[-1] == "[key]":  # a name that YAML read as a number, a date, ...
            found = err.get("input")
            text = (f"expected a name (text) as key, found {describe(found)} (write it in "
                    f"quotes: '{found}')")
            pos = positions.get("@key:" + key, pos)
        if err["type"] == "extra_forbidden":
            allowed = fields_at(root, loc[:-1]) or set()
            text = UNKNOWN_KEY + nearest(str(loc[-1]), allowed)
            pos = positions.get("@key:" + key, pos)
        if pos is None:  # missing key: point at the enclosing mapping
            parent = key
            while pos is None and parent:
                parent = parent_key(parent)
                pos = positions.get(parent)  # '' is the top of the file
        pos = pos or Position(default_file, 0, 0)
        text += set_elsewhere(pos, _below(key, positions)[:3], positions)
        problems.append(Problem(pos.file, pos.line, pos.column, key, text))
    return problems


def set_elsewhere(pos: Position, keys: typing.Iterable[str], positions: Mapping[str, Position],
                  ) -> str:
    """'; K is set at FILE:LINE:COL' (or 'by --set') for each of ``keys`` written in another
    file than ``pos``: a problem placed in one file that depends on a value given elsewhere
    (an override, a file that extends this one) says where that value is."""
    out = ""
    for other in keys:
        there = positions.get(other)
        if there is not None and there.file != pos.file:
            where = (f"at {there.file}:{there.line}:{there.column}" if there.line
                     else f"by {there.file}")
            out += f"; {other} is set {where}"
    return out


def _below(key: str, positions: Mapping[str, Position]) -> list[str]:
    """The keys of ``positions`` below ``key`` (its parts: ``a.b.c``, ``a.b[0]``)."""
    return [k for k in positions if k.startswith((key + ".", key + "["))] if key else []


def parent_key(key: str) -> str:
    """``a.b[2].c`` -> ``a.b[2]`` -> ``a.b`` -> ``a`` -> ``''``."""
    return re.sub(r"(\.[^.\[]+|\[\d+\])$", "", key) if ("." in key or "[" in key) else ""
