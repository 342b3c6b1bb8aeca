"""Factors and outcomes of experiments in words, with their units.

``actors.US.credibility`` -> ``US credibility``; ``deal_within_180d`` -> ``P(deal within 180
days)``. Units of parameters come from the scenario schema
(:func:`simulate.results.units.outcome_units`, as in the report's parameter table), those of
outcomes from the experiment block.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import Any

from .styling import axis_label

__all__ = ["factor_label", "outcome_unit", "outcome_label", "is_binary_outcome"]

#: the deal-window outcomes of an experiment block (``deal_within: [180]``)
_DEAL_WINDOW = re.compile(r"deal_within_(\d+)d")
#: units a scale factor turns into another (``over_period``'s ``scale: 0.001``: M -> bn)
_SCALED = {("USD M", 1e-3): "USD bn", ("USD bn", 1e3): "USD M", ("USD k", 1e-3): "USD M"}
#: unit suffixes of column names, dropped from a label that states its unit in brackets
_UNIT_SUFFIX = re.compile(r"_(?:busd|musd|usd|mbd|days)$")


def _short(key: str) -> str:
    """``actors.US.credibility`` -> ``US credibility``."""
    parts = key.split(".")
    return " ".join(parts[1:] if parts[0] in ("actors", "market") and len(parts) > 2
                    else parts[-2:])


def factor_label(key: str, scenario: Any = None, unit: bool = True) -> str:
    """A factor in words, with its unit: ``actors.US.threat.secondary_tariff.rate`` ->
    ``US threat secondary tariff rate (fraction)``. The unit is the one the outcomes table
    gives the sampled parameter ``param:<key>`` (the scenario schema's, as in the report's
    parameter table); without a scenario, the one the key's name implies (``_days``...)."""
    text = _short(key).replace("_", " ")
    if not unit:
        return text
    from ..results.units import outcome_units, unit_of
    name = f"param:{key}"
    found = (outcome_units([name], scenario)[name] if scenario is not None
             else unit_of("", key.rsplit(".", 1)[-1]))
    return axis_label(text, found)


def _outcomes_block(scenario: Any) -> Any:
    return getattr(getattr(scenario, "experiment", None), "outcomes", None)


def is_binary_outcome(name: str, scenario: Any, binary: Iterable[str] | None) -> bool:
    """Whether an experiment's outcome is 0/1 (a probability when averaged): listed in
    ``binary`` if given, else in the experiment block's 0/1 outcomes, else by its name."""
    if binary is not None:
        return name in set(binary)
    from ..scenario.outcome_columns import is_indicator
    outs = _outcomes_block(scenario)
    if outs is not None:
        from ..scenario.experiment_block import binary_outcomes
        if name in binary_outcomes(outs):
            return True
    return bool(_DEAL_WINDOW.fullmatch(name)) or is_indicator(name)


def _period_unit(unit: str, how: str, scale: float) -> str:
    """The unit of a daily variable summed (or averaged) over a period, times ``scale``."""
    if how == "sum" and unit:
        per_day = next((s for s in ("/day", "/d") if unit.endswith(s)), None)
        unit = unit[:-len(per_day)] if per_day else f"{unit} x days"
    if scale != 1.0 and unit:
        unit = next((u for (base, f), u in _SCALED.items()
                     if base == unit and math.isclose(f, scale)), f"{scale:g} {unit}")
    return unit


def outcome_unit(name: str, scenario: Any = None, binary: Iterable[str] | None = None) -> str:
    """The unit of an experiment's outcome: ``probability`` for a 0/1 outcome (``binary``,
    else the experiment block's, else by name); a daily variable's unit on a date; over a
    period a summed per-day unit loses its ``/day`` and a scale turns ``USD M`` into
    ``USD bn``; a column of the outcomes table has the table's unit; "" if unknown."""
    if is_binary_outcome(name, scenario, binary):
        return "probability"
    from ..results.units import outcome_units, series_units
    outs = _outcomes_block(scenario)
    if outs is not None and name in outs.on_date:
        variable = outs.on_date[name].variable
        return series_units([variable])[variable]
    if outs is not None and name in outs.over_period:
        spec = outs.over_period[name]
        return _period_unit(series_units([spec.variable])[spec.variable], spec.how,
                            float(spec.scale))
    return outcome_units([name], scenario)[name]


def outcome_label(name: str, unit: str = "") -> str:
    """An outcome in words: ``P(deal within 180 days)``, ``P(india below 1mbd feb)`` for a
    probability, ``russia revenue 6m (USD bn)`` otherwise; a column's unit suffix is not
    repeated (``oil_revenue_loss_busd`` -> ``oil revenue loss (USD bn/yr)``)."""
    m = _DEAL_WINDOW.fullmatch(name)
    if m:
        return f"P(deal within {m.group(1)} days)"
    if unit == "probability":
        return f"P({name.replace('_', ' ')})"
    text = (_UNIT_SUFFIX.sub("", name) if unit else name).replace("_", " ")
    return axis_label(text, unit)
