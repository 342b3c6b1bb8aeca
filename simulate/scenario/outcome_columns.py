"""The columns of a run's outcomes table (one row per replicate): part of the output contract.

The engines fill the table (:meth:`simulate.engines.record.Recorder.outcomes`, which refuses to
return columns other than :func:`model_outcome_columns` lists, in that order); the catalogue
lives in the scenario layer so that an ``experiment:`` block's ``outcomes.columns`` can be
checked against it when the scenario is loaded, before anything runs
(:func:`data_outcome_columns`, from the plain data of the scenario). Column names depend on
the scenario's ids: its occupier and defender, regions, importers and buyers
(``IMPORTER.buyer``), whether a mediator's proposal is in the timeline, and whether the
counterfactual run (without the sanctioner's measures) is made. Sampled parameters are
columns too (``param:<key>``), added by the engines; they are not listed here.

Which columns are 0/1 per replicate (*indicators*: their statistic over replicates is a
probability, with a Wilson interval) is said here by name, once (:func:`is_indicator`), not
read from the values: an indicator that happens to be 0 in every replicate is still one,
and a count that happens to be 0 or 1 in every replicate (``extensions``) is still a count.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .findings import as_dict, as_list
from .series import data_actors

__all__ = ["model_outcome_columns", "outcome_columns", "data_outcome_columns",
           "scenario_outcome_columns", "is_indicator", "is_category", "COUNTERFACTUAL_COLUMNS",
           "PROPOSAL_COLUMNS", "INDICATORS", "CATEGORIES"]

#: the columns of every run, in table order, by group: (axis, names). A name with ``{}`` is
#: written once per id of its axis ("occupier", "defender": the belligerent of that side;
#: "region", "importer", "buyer": as in :func:`.series.axis_ids`), id by id, the group's names
#: for one id together; a group without an axis is written once.
_GROUPS: tuple[tuple[str | None, tuple[str, ...]], ...] = (
    (None, ("deal", "deal_day", "deal_by_deadline", "threat", "decision_day", "extensions")),
    ("occupier", ("softened_{}",)),
    ("defender", ("softened_{}",)),
    ("region", ("terms_{}",)),
    (None, ("terms_aggregate", "oil_revenue_busd", "exports_mbd", "shut_in_mbd",
            "brent_mean_usd", "brent_end_usd", "urals_discount_mean_usd",
            "fob_discount_mean_usd", "delivered_discount_mean_usd", "freight_premium_mean_usd",
            "urals_fob_mean_usd")),
    ("importer", ("volume_{}_mbd", "tariff_cost_{}_busd", "directive_days_{}")),
    ("buyer", ("buyer_volume_{}_mbd", "buyer_volume_end_{}_mbd", "buyer_stop_day_{}")),
    (None, ("strikes", "killed", "injured")),
)

#: columns of a scenario with a mediator's proposal in its timeline, after the others
PROPOSAL_COLUMNS = ("proposal_judged", "proposal_accepted", "proposal_rejected_by",
                    "proposal_margin_occ", "proposal_margin_def")

#: columns of the counterfactual run (``outputs.counterfactual``; in a sweep, made when
#: ``outcomes.columns`` names one of them), after the sampled parameters
COUNTERFACTUAL_COLUMNS = ("oil_revenue_cf_busd", "oil_revenue_loss_busd", "deal_cf")

#: the 0/1 columns (booleans in the outcomes table): names or ``{}`` patterns of the above
INDICATORS = ("deal", "deal_by_deadline", "softened_{}", "proposal_judged",
              "proposal_accepted", "deal_cf")

#: the columns that hold a category, not a number (``threat``: its status at the horizon;
#: who rejected the proposal)
CATEGORIES = ("threat", "proposal_rejected_by")

_INDICATOR_RE = re.compile("^(?:" + "|".join(re.escape(n).replace(r"\{\}", ".+")
                                             for n in INDICATORS) + ")$")


def is_indicator(name: str) -> bool:
    """Whether an outcome column is a 0/1 indicator of the model (``deal``,
    ``deal_by_deadline``, ``softened_<id>``, ``proposal_judged``, ``proposal_accepted``,
    ``deal_cf``), by its name whatever its values."""
    return bool(_INDICATOR_RE.match(str(name)))


def is_category(name: str) -> bool:
    """Whether an outcome column holds a category (``threat``, ``proposal_rejected_by``)."""
    return str(name) in CATEGORIES


def model_outcome_columns(ids: Mapping[str | None, Sequence[str]], proposal: bool
                          ) -> list[str]:
    """The columns the engines record, in table order (without ``replicate``, the sampled
    parameters and the counterfactual's columns). ``ids``: the actor ids per axis
    ("occupier", "defender", "region", "importer", "buyer"); ``proposal``: whether a
    mediator's proposal is on the calendar."""
    out: list[str] = []
    for axis, names in _GROUPS:
        if axis is None:
            out += names
        else:
            out += [name.format(i) for i in ids[axis] for name in names]
    if proposal:
        out += PROPOSAL_COLUMNS
    return out


def outcome_columns(ids: Mapping[str | None, Sequence[str]], proposal: bool,
                    counterfactual: bool) -> list[str]:
    """Every column of a run's outcomes table but the sampled parameters (``param:<key>``,
    which come between the model's columns and the counterfactual's), in table order:
    ``replicate``, :func:`model_outcome_columns`, then :data:`COUNTERFACTUAL_COLUMNS` if
    ``counterfactual``."""
    return ["replicate", *model_outcome_columns(ids, proposal),
            *(COUNTERFACTUAL_COLUMNS if counterfactual else ())]


def data_outcome_columns(data: dict, counterfactual: bool | None = None) -> list[str] | None:
    """:func:`outcome_columns` of a scenario's plain data (after ``extends`` and overrides),
    or None when a part they depend on is not well-formed (the typed validation reports it).
    ``counterfactual``: the data's ``outputs.counterfactual`` by default (false unless set)."""
    ids: dict[str | None, Any] = dict(data_actors(data))
    actors = as_dict(data.get("actors"))
    sides = [(aid, a.get("side")) for aid, a in actors.items()
             if isinstance(a, dict) and a.get("role") == "belligerent"]
    for side in ("occupier", "defender"):
        ids[side] = [next((aid for aid, s in sides if s == side), None)]
    if any(v is None for v in _flat(ids.values())):
        return None
    timeline = as_list(data.get("timeline"))
    proposal = any(isinstance(a, dict) and a.get("action") == "proposal" for a in timeline)
    if counterfactual is None:
        counterfactual = as_dict(data.get("outputs")).get("counterfactual") is True
    return outcome_columns(ids, proposal, counterfactual)


def scenario_outcome_columns(scenario: Any, counterfactual: bool | None = None) -> list[str]:
    """:func:`outcome_columns` of a validated :class:`~simulate.scenario.Scenario`
    (``counterfactual``: its ``outputs.counterfactual`` by default)."""
    if counterfactual is None:
        counterfactual = bool(scenario.outputs.counterfactual)
    out = data_outcome_columns(scenario.to_data(), counterfactual)
    assert out is not None  # a validated scenario is well-formed
    return out


def _flat(values: Iterable[Any]) -> list[Any]:
    return [x for v in values for x in (v if isinstance(v, list) else [v])]
