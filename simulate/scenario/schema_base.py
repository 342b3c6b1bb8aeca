"""Building blocks of the scenario format: the strict frozen base model, number types, sources.

Every scenario model derives from :class:`ScenarioModel` (unknown keys refused, values
immutable, NaN and infinity refused, numbers and booleans of the wrong kind refused), so a
file is either wholly valid or reported in full.
"""

from __future__ import annotations

import datetime as _dt
import numbers
from collections.abc import Callable
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, GetCoreSchemaHandler
from pydantic_core import CoreSchema, PydanticKnownError, core_schema

__all__ = ["ScenarioModel", "StrictScalars", "StrictKinds", "Share", "NonNeg", "Positive",
           "Ident", "Source"]

Share = Annotated[float, Field(ge=0.0, le=1.0)]
NonNeg = Annotated[float, Field(ge=0.0)]
Positive = Annotated[float, Field(gt=0.0)]
Ident = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_\-]*$")]


def _is_bool(value: Any) -> bool:
    return isinstance(value, bool) or type(value).__name__ == "bool_"  # numpy's too


def _number(kind: str) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if _is_bool(value) or isinstance(value, str | bytes):
            raise PydanticKnownError(kind)  # type: ignore[arg-type]
        return value
    return check


def _bool(value: Any) -> Any:
    if not _is_bool(value) and isinstance(value, str | bytes | numbers.Number):
        raise PydanticKnownError("bool_type")
    return value


#: checks run before pydantic's own (lax) validation of numbers and booleans: pydantic would
#: read ``true`` as 1, ``"67"`` as 67 and ``1`` or ``"yes"`` as true
_CHECKS: dict[str, Callable[[Any], Any]] = {
    "float": _number("float_type"), "int": _number("int_type"), "bool": _bool}
_MARK = "simulate_strict_scalar"
#: keys of a core schema that hold values or functions, not schemas
_NOT_SCHEMAS = frozenset({"cls", "config", "metadata", "default", "expected", "serialization",
                          "ref", "schema_ref", "function"})


def _strict(schema: Any) -> Any:
    """``schema`` with every number and boolean schema inside it wrapped in a check that
    refuses values of another kind (in place where it can; returns the new schema)."""
    if isinstance(schema, list):
        for i, item in enumerate(schema):
            schema[i] = _strict(item)
        return schema
    if not isinstance(schema, dict):
        return schema
    if (schema.get("metadata") or {}).get(_MARK):
        return schema  # wrapped already (a nested model's schema, shared)
    kind = schema.get("type")
    if kind == "literal" and all(isinstance(v, int) and not isinstance(v, bool)
                                 for v in schema.get("expected", [None])):
        kind = "int"  # ``schema: 1`` refuses ``true`` (which equals 1 in Python)
    if kind in _CHECKS and not schema.get("strict"):
        return core_schema.no_info_before_validator_function(
            _CHECKS[kind], schema, metadata={_MARK: True})
    for key, value in schema.items():
        if key not in _NOT_SCHEMAS and isinstance(value, dict | list):
            schema[key] = _strict(value)
    return schema


class StrictKinds:
    """Metadata that makes an annotation's numbers and booleans refuse values of another
    kind, as in the scenario models: ``TypeAdapter(Annotated[bool, StrictKinds()])``."""

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler,
                                     ) -> CoreSchema:
        return _strict(handler(source))  # type: ignore[no-any-return]


class StrictScalars(BaseModel):
    """Base that keeps values of one kind from passing as another: a number refuses
    ``true`` and ``"67"`` (an integer still passes as a float), a boolean refuses ``1`` and
    ``"yes"``. Pydantic's strict mode would also refuse a list for a tuple and ISO text for a
    date, which YAML and the command line give; this checks numbers and booleans only."""

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler,
                                     ) -> CoreSchema:
        return _strict(handler(source))  # type: ignore[no-any-return]


class ScenarioModel(StrictScalars):
    """Strict, frozen base of every scenario model (unknown keys, NaN, and numbers or
    booleans of the wrong kind refused)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True,
                              allow_inf_nan=False)


class Source(ScenarioModel):
    """A cited source: every figure in a scenario names one, or says it is an assumption."""

    title: str
    url: str | None = None
    date: _dt.date | None = None
    note: str | None = None
