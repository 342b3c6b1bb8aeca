"""The negotiation v2 parameters of a scenario (docs/model.md 4.12), compiled for
:func:`simulate.model.params.compile_params`: belligerents' reservation points, learning
and threatened revenue loss, the sanctioner's pressure threat, and mediator proposals in the
calendar. Values may carry a replicate axis (sampled uncertain parameters)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..scenario.schema import Scenario
from .sampling import line_as_nan

__all__ = ["negotiation_scalars", "table_proposal"]

NO_DAY = -1


def _square(value: Any) -> Any:
    return np.asarray(value, dtype=float) ** 2


def negotiation_scalars(s: Scenario, occ: dict, dfd: dict, sanc: dict | None,
                        def_id: str) -> dict[str, Any]:
    """Scalar parameters of negotiation v2 from the dumped scenario data (``occ``, ``dfd``:
    the belligerents, ``sanc``: the sanctioner or None)."""
    pressure = (sanc or {}).get("pressure")
    out: dict[str, Any] = {
        "threat_loss_occ": occ["threatened_revenue_loss"],
        "past_occ": occ["past_line_rate"], "past_def": dfd["past_line_rate"],
        "prior_var_occ": _square(occ["learning"]["prior_sd"]),
        "prior_var_def": _square(dfd["learning"]["prior_sd"]),
        "noise_occ": occ["learning"]["perception_noise"],
        "noise_def": dfd["learning"]["perception_noise"],
        "acceptance_noise": s.model_dump()["negotiation"]["acceptance_noise"],
        "has_pressure": pressure is not None, "pressure_on_def": False,
        "pressure_deadline": NO_DAY, "pressure_credibility": 0.0, "pressure_lag": 0,
        "pressure_cost": 0.0, "pressure_drift": 0.0,
    }
    if pressure is not None:
        out.update({
            "pressure_on_def": pressure["target"] == def_id,
            "pressure_deadline": (pressure["deadline"] - s.start).days,
            "pressure_credibility": pressure["credibility"],
            "pressure_lag": np.rint(pressure["lag_days"]),
            "pressure_cost": pressure["war_cost_per_day"],
            "pressure_drift": pressure["drift_change_per_day"],
        })
    return out


def table_proposal(calendar: np.recarray, day: int, act: Any, regions: list[str],
                   occ_id: str, def_id: str, n_days: int) -> None:
    """Put a mediator's proposal (a timeline action) on the calendar for its open days:
    terms per region (NaN = frozen on the line), relief and security values per side. A
    later proposal replaces an earlier one on the days they share. On its first day the
    sides draw their acceptance uniforms, kept while it is on the table."""
    terms = act.terms or {}
    values = [float(line_as_nan(terms.get(r, "line"))) for r in regions]
    relief, security = act.sanctions_relief or {}, act.security or {}
    last = min(day + int(act.open_days or 0), n_days)
    calendar.prop_start[day] = True
    for t in range(day, last + 1):
        calendar.proposal[t] = True
        calendar.prop_terms[t, :len(regions)] = values
        calendar.prop_value_occ[t] = relief.get(occ_id, 0.0) + security.get(occ_id, 0.0)
        calendar.prop_value_def[t] = relief.get(def_id, 0.0) + security.get(def_id, 0.0)
