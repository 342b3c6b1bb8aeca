"""Score every replicate on an experiment's outcomes of interest.

From one chunk's outcomes (and, when an outcome reads a daily variable, the chunk's daily
series) to a table of one row per replicate: ``deal_within_<d>d`` (1 when a deal is reached by
day d: the deal windows of :mod:`simulate.results.metrics`, same ids, same rule), columns of
the run's outcomes table, a variable on a date (or whether it is below or above a threshold
there), and a variable summed or averaged over a period.
"""

from __future__ import annotations

import datetime as _dt

import numpy as np
import pandas as pd

from ..errors import Problem, ScenarioError
from ..results.metrics import deal_window_id, deal_within
from ..scenario import Scenario
from ..scenario.experiment_block import Outcomes, outcome_findings
from ..scenario.findings import Horizon
from ..scenario.outcome_columns import (
    COUNTERFACTUAL_COLUMNS,
    scenario_outcome_columns,
)
from ..scenario.series import SERIES, scenario_actors

__all__ = ["score_chunk", "needs_series", "needs_counterfactual", "outcome_names",
           "check_outcomes"]



def needs_series(outcomes: Outcomes) -> bool:
    """Whether scoring reads daily series (so every replicate's series must be kept)."""
    return bool(outcomes.on_date or outcomes.over_period)


def needs_counterfactual(outcomes: Outcomes) -> bool:
    return any(c in COUNTERFACTUAL_COLUMNS for c in outcomes.columns)


def outcome_names(outcomes: Outcomes) -> list[str]:
    """Names of the scored outcomes, in table order."""
    names = [deal_window_id(d) for d in outcomes.deal_within]
    names += list(outcomes.columns)
    names += list(outcomes.on_date) + list(outcomes.over_period)
    return names


def _day(scenario: Scenario, date: _dt.date) -> int:
    return (date - scenario.start).days


def _actors(scenario: Scenario, variable: str) -> list[str]:
    return scenario_actors(scenario)[SERIES[variable]]


def _actor_index(scenario: Scenario, variable: str, actor: str) -> int:
    return _actors(scenario, variable).index(actor)


def check_outcomes(scenario: Scenario, outcomes: Outcomes) -> None:
    """Refuse outcomes that read an unknown series or actor, a date outside the horizon, or
    a column the run's outcomes table will not have (listed from the scenario, without
    running: :func:`~simulate.scenario.outcome_columns.scenario_outcome_columns`): every
    problem at once, named by its dotted key, before anything runs. The loader's check
    (:func:`~simulate.scenario.experiment_block.outcome_findings`), for outcomes that did not
    come through it (a Scenario or Outcomes built in Python)."""
    horizon = Horizon({"start": scenario.start, "horizon_days": scenario.horizon_days})
    found = outcome_findings(outcomes.model_dump(by_alias=True), horizon,
                             scenario_actors(scenario),
                             scenario_outcome_columns(scenario, counterfactual=True))
    if found:
        raise ScenarioError([Problem("", 0, 0, key, message) for key, message, _ in found])


def score_chunk(scenario: Scenario, outcomes: Outcomes, chunk_outcomes: dict,
                series: dict | None) -> dict[str, np.ndarray]:
    """Per-replicate scores of one chunk: ``replicate``, each outcome, each ``param:`` column.

    ``series``: variable -> (replicates, days, actors) for every replicate of the chunk
    (needed only when :func:`needs_series`).
    """
    o = chunk_outcomes
    deals = pd.DataFrame({"deal": np.asarray(o["deal"], dtype=bool),
                          "deal_day": np.asarray(o["deal_day"], dtype=np.int64)})
    out: dict[str, np.ndarray] = {"replicate": np.asarray(o["replicate"], dtype=np.int64)}
    for d in outcomes.deal_within:
        out[deal_window_id(d)] = deal_within(deals, d).astype(np.int8)
    for col in outcomes.columns:
        if col not in o:
            raise ScenarioError.from_text(
                f"experiment.outcomes.columns: {col!r} is not a column of the outcomes table "
                f"(columns: {', '.join(k for k in o if not k.startswith('param:'))})")
        out[col] = np.asarray(o[col]).astype(float)
    for name, spec in outcomes.on_date.items():
        assert series is not None
        arr = series[spec.variable][:, _day(scenario, spec.date),
                                    _actor_index(scenario, spec.variable, spec.actor)]
        if spec.below is not None:
            out[name] = (arr < spec.below).astype(np.int8)
        elif spec.above is not None:
            out[name] = (arr > spec.above).astype(np.int8)
        else:
            out[name] = arr.astype(float)
    for name, per in outcomes.over_period.items():
        assert series is not None
        a, b = _day(scenario, per.start), _day(scenario, per.end)
        arr = series[per.variable][:, a:b + 1, _actor_index(scenario, per.variable, per.actor)]
        value = arr.sum(axis=1) if per.how == "sum" else arr.mean(axis=1)
        out[name] = value * per.scale
    for k, v in o.items():
        if k.startswith("param:"):
            out[k] = np.asarray(v)
    return out
