"""Units of outcome and series columns, and how numbers are written in tables.

Units come from :data:`simulate.results.tables.UNITS`, from outcome-name patterns and, for
parameters, from the field descriptions of the scenario schema; the 0/1 columns ("bool") are
those :func:`simulate.scenario.outcome_columns.is_indicator` names.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from decimal import Decimal
from typing import Any

import numpy as np
from pydantic import BaseModel

from ..scenario import Scenario
from ..scenario.outcome_columns import is_indicator
from ..scenario.series import SERIES
from .tables import UNITS

__all__ = ["outcome_units", "series_units", "parameter_field", "parameter_unit", "unit_of",
           "format_number", "format_percent"]


_OUTCOME_UNITS = {
    "replicate": "index",
    "threat": "category (pending|carried_out|lapsed|none|lifted)", "extensions": "count",
    "exports_mbd": "mb/d (mean over horizon)", "shut_in_mbd": "mb/d (mean over horizon)",
    "oil_revenue_cf_busd": "USD bn over horizon", "strikes": "strikes over horizon",
    "killed": "people over horizon", "injured": "people over horizon",
}
_OUTCOME_PATTERNS = (
    (re.compile(r"^terms_"), "occupier share"),
    (re.compile(r"^buyer_volume_end_.+_mbd$"), "mb/d (last day)"),
    (re.compile(r"^buyer_volume_.+_mbd$"), "mb/d (mean over horizon)"),
    (re.compile(r"^volume_.+_mbd$"), "mb/d (mean over horizon)"),
    (re.compile(r"^tariff_cost_.+_busd$"), "USD bn over horizon"),
    (re.compile(r"^buyer_stop_day_"), "days from start (-1: never)"),
    (re.compile(r"^directive_days_"), "days with a cut directive in force"),
)
_UNIT_TOKENS = re.compile(r"USD|mb/d|share|fraction|\bdays?\b|/day|bbl|%|people|/yr")


def parameter_field(scenario: Scenario, key: str) -> tuple[Any, str]:
    """The pydantic field behind a dotted scenario key, and its description ("" if none).

    ``parameter_field(s, "actors.US.credibility")`` -> (FieldInfo, "probability of ...").
    Keys inside mappings (regions, actors, buyers, demands) are followed by name; raises
    KeyError for a key the scenario does not have.
    """
    field = _field_value_name(scenario, key)[0]
    return field, field.description or ""


def _field_value_name(scenario: Scenario, key: str) -> tuple[Any, Any, str]:
    """(field, value, field name) behind a dotted key; KeyError for a key the scenario does
    not have."""
    node: Any = scenario
    field, field_name = None, ""
    for part in key.split("."):
        if isinstance(node, BaseModel):
            fields = type(node).model_fields
            name = next((n for n, f in fields.items() if part in (n, f.alias)), None)
            if name is None:
                raise KeyError(key)
            field, node, field_name = fields[name], getattr(node, name), name
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            raise KeyError(key)
    if field is None:
        raise KeyError(key)
    return field, node, field_name


#: units the field descriptions do not give in a form :func:`unit_of` reads (field name ->
#: unit, then field-name suffix -> unit); checked first
_UNIT_BY_NAME = {"priorities": "relative weight"}
_UNIT_BY_SUFFIX = (("_mbd_per_usd", "mb/d per USD/bbl"), ("_mb", "mb"))


def parameter_unit(field: Any, value: Any, key: str, name: str = "") -> str:
    """The unit of a scenario parameter (``key``, its pydantic ``field``, its ``value``),
    for the report's parameter table and the ``param:`` columns of the outcomes alike: the
    field name's unit if listed above, else the description's (:func:`unit_of`), else
    "date" for dates and "fraction" for a float bounded to [0, 1]; "" if none applies."""
    name = name or key.rsplit(".", 1)[-1]
    if name in _UNIT_BY_NAME:
        return _UNIT_BY_NAME[name]
    fixed = next((u for suffix, u in _UNIT_BY_SUFFIX if name.endswith(suffix)), "")
    if fixed:
        return fixed
    unit = unit_of(field.description or "", key.rsplit(".", 1)[-1])
    if unit:
        return unit
    if isinstance(value, _dt.date) or (isinstance(value, list | tuple) and value
                                       and isinstance(value[0], _dt.date)):
        return "date"
    bounds = {type(m).__name__: getattr(m, type(m).__name__.lower(), None)
              for m in field.metadata}
    if bounds.get("Ge") == 0 and bounds.get("Le") == 1 and isinstance(value, float):
        return "fraction"
    return ""


def unit_of(description: str, name: str = "") -> str:
    """The unit in a field description (``"Brent at start, USD/bbl"`` -> ``"USD/bbl"``).

    By convention the unit follows the description's last comma; otherwise it is inferred
    from the words (probability, share, elasticity) or the field name (``_days``, ``_mbd``).
    """
    desc = description.strip()
    if ", " in desc:
        tail = desc.rsplit(", ", 1)[1].split(" (")[0].strip()
        if _UNIT_TOKENS.search(tail) and len(tail) <= 60:
            return tail
    m = re.search(r"\((share-eq|USD[^)]*|mb/d|days)\)", desc)
    if m:
        return m.group(1)
    low = desc.lower()
    if low.startswith("mean ") and " per " in low:
        return desc[len("mean "):]
    if low.startswith("probability"):
        return "probability"
    if "elasticity" in low or "coefficient" in low or "factor" in low or "sigma" in low:
        return "dimensionless"
    if "share" in low:
        return "fraction"
    if "weight" in low:
        return "relative weight"
    for suffix, unit in (("_days", "days"), ("_mbd", "mb/d"), ("_busd", "USD bn/yr"),
                         ("_usd", "USD/bbl"), ("_per_day", "per day")):
        if name.endswith(suffix):
            return unit
    return ""


def outcome_units(columns: Any, scenario: Scenario | None = None) -> dict[str, str]:
    """column -> unit for an outcomes table (sampled parameters from the scenario's fields)."""
    out = {}
    for col in columns:
        col = str(col)
        unit = "bool" if is_indicator(col) else _OUTCOME_UNITS.get(col) or UNITS.get(col, "")
        if not unit:
            unit = next((u for pat, u in _OUTCOME_PATTERNS if pat.search(col)), "")
        if not unit and col.startswith("param:") and scenario is not None:
            key = col[len("param:"):]
            try:
                field, value, name = _field_value_name(scenario, key)
            except KeyError:
                unit = unit_of("", key.rsplit(".", 1)[-1])
            else:
                unit = parameter_unit(field, value, key, name)
        out[col] = unit
    return out


def series_units(variables: Any = None) -> dict[str, str]:
    """variable -> unit for the tidy daily series (every variable of ``SERIES`` by default)."""
    names = list(SERIES) if variables is None else [str(v) for v in variables]
    return {v: UNITS.get(v, "") for v in names}


def format_number(x: Any) -> str:
    """A number for tables: 3 decimals below 10 (at most two significant digits below
    0.001), 1 below 1000, thousands separators above; never scientific notation, which
    readers of policy tables misread.

    A whole number of 10 or more (a count, such as a quantile of casualties) is written
    without decimals: "175 to 713", not "175.0 to 713.0".
    """
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    if isinstance(x, bool | np.bool_):
        return str(bool(x))
    ax = abs(float(x))
    if ax == 0:
        return "0"
    if ax < 0.001:   # two significant digits, in plain decimals: 0.00068, not 6.80e-04
        return np.format_float_positional(float(x), precision=2, unique=False,
                                          fractional=False, trim="-")
    if ax < 10:
        return f"{x:.3f}"
    return f"{x:.1f}" if ax < 1000 and not float(x).is_integer() else f"{x:,.0f}"


def format_percent(x: Any, decimals: int = 1, sign: bool = False) -> str:
    """A probability (0-1) as a percentage with ``decimals`` places, rounded once, from the
    probability itself: 0.1945 is "19.5%", as :func:`format_number` writes it "0.195"
    (multiplying by 100 first gives 19.449999..., "19.4%"). ``sign``: "+" for positive
    values (differences in percentage points); the "%" is the caller's to add or not."""
    if x is None or x != x:
        return "n/a"
    value = Decimal(f"{float(x):.{decimals + 2}f}").scaleb(2)
    if value == 0:
        value = abs(value)   # no "-0.0"
    return f"{value:{'+' if sign else ''}.{decimals}f}"
