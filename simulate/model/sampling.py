"""Uncertain parameters: their draws per replicate, the checks on what was drawn, and the
counterfactual scenario without the sanctioner's measures.

Replicate k's value of an uncertain parameter is ``dist.ppf(u)`` with ``u`` from the
parameter's stream (a hash of its dotted key, scheme ``by-name-v1``) on day -1 of replicate
k: a pure function of (seed, k, key), whatever the chunking and whatever else the
``uncertainty:`` block lists.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

from ..errors import ScenarioError
from ..scenario.bounds import LINE_DRAWS, NAMED_DRAWS
from ..scenario.posterior import posterior_draws
from ..scenario.schema import Scenario
from .streams import parameter_stream, uniforms

__all__ = ["sample_uncertain", "remove_measures", "check_sampled", "as_number", "lookup",
           "line_as_nan", "STANCE_WEIGHT", "PROTOCOLS"]

#: how much of the expected tariff penalty a country's buyers weigh, by the country's stance
STANCE_WEIGHT = {"defy": 0.5, "neutral": 1.0, "comply": 2.0}
PROTOCOLS = {"nash": 0, "alternating_offers": 1, "split_the_difference": 2}


#: the distribution that stands in for an uncertain rate or share of a removed measure
_ZERO = {"dist": "choice", "values": [0.0]}


def remove_measures(data: dict) -> dict:
    """Scenario data without the sanctioner's measures (the counterfactual of
    ``outputs.counterfactual``): threatened and timeline tariff rates and company-sanctions
    shares set to 0 with the Brent news those timeline actions carry
    (``expected_loss_mbd``), credibility 0 (of the tariff threat and
    of any pressure on a belligerent); talks, price caps, embargoes and announcements are
    kept.

    The scenario keeps its structure and an uncertain rate, share or credibility becomes the
    constant 0 instead of being dropped. Every other uncertain parameter keeps its stream
    (a hash of its key, :func:`~simulate.model.streams.parameter_stream`): the
    counterfactual of replicate k runs on replicate k's random numbers (common random
    numbers, design section 2).
    """
    data = copy.deepcopy(data)
    zeroed = []
    for aid, actor in data["actors"].items():
        if actor.get("role") != "sanctioner":
            continue
        actor["credibility"] = 0.0
        zeroed.append(f"actors.{aid}.credibility")
        threat = actor.get("threat") or {}
        for kind, leaf in (("secondary_tariff", "rate"), ("company_sanctions", "share")):
            if threat.get(kind):
                threat[kind][leaf] = 0.0
                zeroed.append(f"actors.{aid}.threat.{kind}.{leaf}")
        if actor.get("pressure"):  # a threat toward a belligerent is a measure too
            actor["pressure"]["credibility"] = 0.0
            zeroed.append(f"actors.{aid}.pressure.credibility")
    for i, act in enumerate(data.get("timeline", [])):
        removed = False
        for leaf in ("rate", "share"):
            if act.get(leaf) is not None:
                act[leaf] = 0.0
                zeroed.append(f"timeline[{i}].{leaf}")
                removed = True
        # a removed measure's news for Brent goes with it (a price cap, an embargo or an
        # announcement is kept, and so is its news; a lasting world-market shift is not
        # the measure's, docs/model.md 4.11, and is kept too)
        if removed and act.get("expected_loss_mbd") is not None:
            act["expected_loss_mbd"] = 0.0
            zeroed.append(f"timeline[{i}].expected_loss_mbd")
    uncertainty = data.get("uncertainty", {})
    for key in uncertainty:
        if key in zeroed:
            uncertainty[key] = dict(_ZERO)
    return data


def sample_uncertain(s: Scenario, seed: int, replicates: np.ndarray) -> dict[str, np.ndarray]:
    """Sampled values of each uncertain parameter for the given replicate indices:
    ``dist.ppf(u)`` with ``u`` drawn on day -1 from the parameter's own stream (named by its
    key, so the draws do not depend on the other entries of ``uncertainty:``)."""
    out = {}
    for key, dist in s.uncertainty.items():
        u = uniforms(seed, replicates, -1, parameter_stream(key))[:, 0]
        out[key] = _numbers(dist, dist.ppf(u))
    # a calibrated posterior (uncertainty.from_posterior): its keys jointly, one particle each
    out.update(posterior_draws(s, seed, replicates, uniforms))
    return out


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float | np.number) and not isinstance(v, bool | np.bool_)


def _numbers(dist: Any, values: np.ndarray) -> np.ndarray:
    """A ``choice`` among numbers gives an object array: make it float so the rules can
    compute with it; a choice mixing numbers and names ('line' or a share) gives text, so
    that the outcome column has one type ('line', '0.8'). Decided by the choice's values, not
    by the draws, so every chunk gets the same dtype; names (protocol, stance) stay as they
    are."""
    values = np.asarray(values)
    options = getattr(dist, "values", ())
    if values.dtype != object:
        return values
    if all(_is_number(v) for v in options):
        return values.astype(float)
    if any(_is_number(v) for v in options):
        return np.array([str(v) for v in values.reshape(-1)], dtype=object)
    return values


def as_number(v: Any) -> float:
    """A sampled number, possibly written as text by :func:`_numbers`; NaN if it is not one."""
    if _is_number(v):
        return float(v)
    try:
        return float(v)
    except (TypeError, ValueError):
        return np.nan


def lookup(table: dict[str, Any], value: Any) -> Any:
    """``table[value]``, element by element when ``value`` was sampled per replicate."""
    if isinstance(value, np.ndarray):
        return np.array([table[v] for v in value.reshape(-1)])
    return table[value]


def line_as_nan(value: Any) -> Any:
    """A demand, with 'line' as NaN (also inside a per-replicate array of draws)."""
    if isinstance(value, str):
        return np.nan
    if isinstance(value, np.ndarray) and value.dtype == object:
        return np.array([np.nan if v == "line" else as_number(v) for v in value], dtype=float)
    return value


#: names a per-replicate ``choice`` may take, by the last part of its key (one of
#: :data:`~simulate.scenario.bounds.NAMED_DRAWS`)
_NAMED_CHOICES: dict[str, dict[str, Any]] = {"protocol": PROTOCOLS, "stance": STANCE_WEIGHT}


def check_sampled(sampled: dict[str, np.ndarray]) -> None:
    """Per replicate the model takes numbers, a protocol, a stance, or a demand or
    reservation point that may be 'line'; refuse other draws (dates, booleans, actor ids)
    with a clear message."""
    for key, values in sampled.items():
        arr = np.asarray(values)
        if arr.dtype != object and arr.dtype.kind in "fiu":
            continue
        leaf = key.rsplit(".", 1)[-1]
        if leaf in NAMED_DRAWS and all(v in _NAMED_CHOICES.get(leaf, {})
                                       for v in arr.reshape(-1)):
            continue
        if any(f".{part}." in key for part in LINE_DRAWS) and all(
                v == "line" or not np.isnan(as_number(v)) for v in arr.reshape(-1)):
            continue
        raise ScenarioError.from_text(
            f"expected an uncertain parameter the model can vary per replicate (a number, a "
            f"protocol, a stance or a demand), found a distribution over {key} giving "
            f"{arr.reshape(-1)[0]!r}: run each value as its own scenario or sweep point",
            key=f"uncertainty.{key}")
