"""Model-specific Hypothesis strategies, built on the shared ones in ``strategies.py``.

``strategies.scenario_data()`` draws valid scenario data; the model tests also need cases it
does not draw, which exercise parts of the model code the format tests do not care about:

- ``'line'`` demands (the front line at the talks) next to numeric ones;
- scenarios without a sanctioner (no threat, no deadline, no timeline measures);
- every buyer with a zero base volume (no start oil revenue);
- uncertain parameters of kinds the shared strategy does not draw: the threatened tariff rate
  listed first (so removing the measures for the counterfactual must keep the other streams),
  a numeric ``choice`` (a per-replicate ``nash_power``), a ``choice`` of protocol and a
  demand that is 'line' in some replicates and a share in others;
- small ensembles (1-6 replicates, keep all series) so each example runs in milliseconds.

Every draw is valid: it goes through :func:`simulate.scenario.loader.validate`.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st
from strategies import scenario_data

from simulate.scenario import Scenario
from simulate.scenario.loader import validate

__all__ = ["model_scenario_data", "model_scenarios"]


def _role(data: dict, role: str) -> list[str]:
    return [k for k, a in data["actors"].items() if a["role"] == role]


def _drop_sanctioner(data: dict) -> None:
    sanctioner = _role(data, "sanctioner")[0]
    del data["actors"][sanctioner]
    data["timeline"] = [a for a in data["timeline"] if a["actor"] != sanctioner]
    data["uncertainty"] = {k: v for k, v in data["uncertainty"].items()
                           if not k.startswith(f"actors.{sanctioner}.")}
    data.pop("experiment", None)


@st.composite
def model_scenario_data(draw: st.DrawFn, max_horizon: int = 40) -> dict:
    """Valid scenario data for model runs (see the module docstring)."""
    data = draw(scenario_data(max_regions=3, max_importers=2, max_buyers=2,
                              max_horizon=max_horizon))
    regions = list(data["regions"])
    for aid in _role(data, "belligerent"):
        demands = data["actors"][aid]["demands"]
        for r in regions:
            if draw(st.integers(0, 3)) == 0:
                demands[r] = "line"
    if draw(st.integers(0, 4)) == 0:
        for aid in _role(data, "importer"):
            for buyer in data["actors"][aid]["buyers"].values():
                buyer["base_volume_mbd"] = 0.0
        data["market"].pop("export_capacity_mbd", None)
    extra: dict[str, Any] = {}
    if draw(st.integers(0, 3)) == 0:
        _drop_sanctioner(data)
    else:
        sanctioner = _role(data, "sanctioner")[0]
        if draw(st.booleans()):
            extra[f"actors.{sanctioner}.threat.secondary_tariff.rate"] = {
                "dist": "uniform", "low": 0.0, "high": draw(st.floats(0.1, 2.0))}
    if draw(st.booleans()):
        extra["negotiation.nash_power"] = {
            "dist": "choice", "values": draw(st.lists(st.sampled_from([0.0, 0.25, 0.5, 1.0]),
                                                      min_size=1, max_size=3, unique=True))}
    numeric = [(aid, r) for aid in _role(data, "belligerent")
               for r, v in data["actors"][aid]["demands"].items() if not isinstance(v, str)]
    if numeric and draw(st.booleans()):
        aid, r = draw(st.sampled_from(numeric))
        extra[f"actors.{aid}.demands.{r}"] = {
            "dist": "choice", "values": ["line", data["actors"][aid]["demands"][r]]}
    if draw(st.booleans()):
        extra["negotiation.protocol"] = {
            "dist": "choice", "values": ["nash", "alternating_offers", "split_the_difference"]}
    data["uncertainty"] = {**extra, **{k: v for k, v in data["uncertainty"].items()
                                       if k not in extra}}
    n = draw(st.integers(1, 6))
    data["ensemble"]["replicates"] = n
    data["ensemble"]["chunk_size"] = draw(st.integers(1, n))
    data["outputs"]["keep_series"] = n
    return data


def model_scenarios(**sizes: int) -> st.SearchStrategy[Scenario]:
    """Validated scenarios drawn from :func:`model_scenario_data`."""
    return model_scenario_data(**sizes).map(lambda data: validate(data, file="<hypothesis>"))
