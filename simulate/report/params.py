"""The parameter table of a scenario: every value with its unit, source and distribution.

Units and meanings come from the field descriptions of the scenario schema
(``Model.model_fields[name].description``); sources from the scenario's ``cite:`` block
(dotted key -> source id or ``assumption``; a key cites everything below it); distributions
from ``uncertainty:``.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from ..results.units import parameter_unit
from ..scenario import Scenario

__all__ = ["ParameterRow", "parameter_rows", "format_value", "format_distribution",
           "cited_source", "drawn_value", "SECTIONS"]

#: top-level scenario keys whose values are model parameters (in table order)
SECTIONS = ("start", "horizon_days", "regions", "actors", "market", "negotiation")
#: fields that label or structure rather than parameterise
_SKIP = {"name", "role"}


@dataclass(frozen=True)
class ParameterRow:
    key: str
    value: str
    unit: str
    description: str
    #: source id, "assumption", "default" (schema default, not cited) or "" (not cited)
    source: str
    distribution: str = ""


def format_value(value: Any) -> str:
    """A parameter value as text: numbers without spurious digits, lists joined."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return ", ".join(format_value(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {format_value(v)}" for k, v in value.items())
    return str(value)


def format_distribution(dist: Any) -> str:
    """``beta(a=2, b=3); 90% range 0.0976-0.657`` for an ``uncertainty:`` entry."""
    data = dist.model_dump(exclude_none=True)
    name = data.pop("dist", type(dist).__name__.lower())
    args = ", ".join(f"{k}={format_value(v)}" for k, v in data.items())
    text = f"{name}({args})"
    if name != "choice":
        try:
            lo, hi = dist.ppf(np.array([0.05, 0.95]))
            text += f"; 90% range {float(lo):.3g} to {float(hi):.3g}"
        except (TypeError, ValueError):  # pragma: no cover - defensive
            pass
    return text


def drawn_value(dist: Any) -> str:
    """The value column of a parameter drawn per replicate that the file does not set:
    ``drawn (median 125)``, or ``drawn``."""
    try:
        mid = float(np.asarray(dist.ppf(np.array([0.5])), dtype=float).ravel()[0])
    except (TypeError, ValueError):  # a choice of non-numbers
        return "drawn"
    return f"drawn (median {mid:.6g})" if np.isfinite(mid) else "drawn"


def cited_source(cite: dict[str, str], key: str) -> str:
    """The source cited for ``key``: the entry of the longest cited prefix of it, or ""."""
    best, best_len = "", -1
    for k, source in cite.items():
        if (key == k or key.startswith(k + ".")) and len(k) > best_len:
            best, best_len = source, len(k)
    return best


def _default_of(field: Any) -> Any:
    if field.default is not PydanticUndefined:
        return field.default
    if field.default_factory is not None:
        try:
            return field.default_factory()
        except TypeError:  # pragma: no cover - factories taking data
            return PydanticUndefined
    return PydanticUndefined


def _leaves(node: Any, prefix: str) -> Iterator[tuple[str, Any, Any, str, bool]]:
    """(dotted key, value, FieldInfo, field name, whether the file set it) for every
    parameter value under a model."""
    for name, field in type(node).model_fields.items():
        if name in _SKIP:
            continue
        key = f"{prefix}{field.alias or name}"
        value = getattr(node, name)
        given = name in node.model_fields_set
        if isinstance(value, BaseModel):
            yield from _leaves(value, key + ".")
        elif isinstance(value, dict) and value and all(isinstance(v, BaseModel)
                                                       for v in value.values()):
            for k, v in value.items():
                yield from _leaves(v, f"{key}.{k}.")
        elif isinstance(value, dict):
            for k, v in value.items():
                yield f"{key}.{k}", v, field, name, given
        elif isinstance(value, list | tuple) and value and isinstance(value[0], BaseModel):
            continue  # the timeline: a table of its own
        else:
            yield key, value, field, name, given


def parameter_rows(scenario: Scenario) -> list[ParameterRow]:
    """One row per parameter value of the scenario (``SECTIONS``), plus any uncertain key
    that has no value in the file."""
    rows: list[ParameterRow] = []
    cite = dict(scenario.cite)
    seen = set()
    for section in SECTIONS:
        field = type(scenario).model_fields[section]
        value = getattr(scenario, section)
        if isinstance(value, BaseModel):
            items = list(_leaves(value, section + "."))
        elif isinstance(value, dict):
            items = [item for k, v in value.items() for item in _leaves(v, f"{section}.{k}.")]
        else:
            items = [(section, value, field, section, section in scenario.model_fields_set)]
        for key, val, fld, name, given in items:
            dist = scenario.uncertainty.get(key)
            if val is None and dist is None:
                continue
            seen.add(key)
            source = cited_source(cite, key)
            if not source:
                default = _default_of(fld)
                source = "default" if default is not PydanticUndefined and default == val \
                    else ""
            desc = fld.description or ""
            # drawn but not in the file: the unset default is never used, the draws are
            shown = drawn_value(dist) if dist is not None and not given else \
                "" if val is None else format_value(val)
            rows.append(ParameterRow(key, shown, parameter_unit(fld, val, key, name), desc, source,
                                     format_distribution(dist) if dist is not None else ""))
    for key, dist in scenario.uncertainty.items():
        if key not in seen:
            rows.append(ParameterRow(key, "", "", "", cited_source(cite, key),
                                     format_distribution(dist)))
    return rows
