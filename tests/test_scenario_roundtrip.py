"""Generated valid scenarios (tests/strategies.py) survive YAML and keep their meaning."""

from __future__ import annotations

import datetime as dt

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import distributions_for, scenario_data, scenarios

from simulate import load_scenario
from simulate.scenario import Scenario, dump_yaml, validate

FAST = settings(max_examples=30, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@FAST
@given(scenarios())
def test_scenario_yaml_scenario_round_trip(s: Scenario):
    text = dump_yaml(s.to_data())
    again = validate(yaml.safe_load(text))
    assert again == s
    assert again.to_data() == s.to_data()
    assert "&id" not in text and "!!" not in text  # plain YAML: no anchors, no tags


@FAST
@given(scenario_data())
def test_generated_data_is_within_the_stated_sizes(data: dict):
    s = validate(data)
    assert 1 <= len(s.regions) <= 4
    assert 5 <= s.horizon_days <= 60
    assert sorted(a.side for a in s.actors_of("belligerent").values()) == ["defender", "occupier"]
    (sanctioner,) = s.actors_of("sanctioner").values()
    assert s.start <= sanctioner.deadline <= s.end
    assert set(sanctioner.threat.secondary_tariff.targets) <= set(s.actors_of("importer"))
    assert 1 <= len(s.actors_of("importer")) <= 3
    assert all(1 <= len(imp.buyers) <= 3 for imp in s.actors_of("importer").values())
    assert len(s.actors_of("supplier")) == 1
    assert all(s.start <= act.date <= s.end for act in s.timeline)
    assert set(s.uncertainty) <= {k for k in data["uncertainty"]}


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=scenario_data(max_regions=2, max_importers=1, max_buyers=1))
def test_written_file_loads_to_the_same_scenario(tmp_path_factory, data: dict):
    """The data as drawn (offsets and all) written to a file and loaded again."""
    path = tmp_path_factory.mktemp("rt") / "s.yaml"
    path.write_text(dump_yaml(data), encoding="utf-8")
    assert load_scenario(path) == validate(data)


@settings(max_examples=20, deadline=None)
@given(data=scenario_data(max_regions=1, max_importers=1, max_buyers=1),
       description=st.text(max_size=40), name=st.text(max_size=20))
def test_any_text_survives_the_dump(data: dict, description: str, name: str):
    """Descriptions and names of any characters (quotes, colons, newlines) round-trip."""
    data["description"] = description
    sanctioner = next(k for k, a in data["actors"].items() if a["role"] == "sanctioner")
    data["actors"][sanctioner]["name"] = name
    s = validate(data)
    assert validate(yaml.safe_load(dump_yaml(s.to_data()))) == s


@settings(max_examples=60, deadline=None)
@given(kind=st.sampled_from(["share", "positive", "stance"]), data=st.data())
def test_distribution_strategies_draw_valid_distributions(kind: str, data: st.DataObject):
    spec = data.draw(distributions_for(kind))
    key = {"share": "actors.US.credibility", "positive": "market.brent_usd",
           "stance": "actors.CN.stance"}[kind]
    base = {
        "name": "d", "start": dt.date(2025, 1, 1), "horizon_days": 10,
        "regions": {"R": {"weight": 1, "control": 0.5}},
        "actors": {"A": {"role": "belligerent", "side": "occupier"},
                   "B": {"role": "belligerent", "side": "defender"},
                   "US": {"role": "sanctioner"}, "CN": {"role": "importer"}},
        "market": {"brent_usd": 60, "urals_discount_usd": 1},
        "uncertainty": {key: spec}}
    s = validate(base)
    assert s.uncertainty[key].dist == spec["dist"]
