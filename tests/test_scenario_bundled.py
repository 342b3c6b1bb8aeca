"""The bundled scenarios (scenarios/*.yaml) and the published JSON Schema of the format."""

from __future__ import annotations

import copy
import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

from simulate import load_scenario
from simulate.cli.main import main
from simulate.scenario import bundled_scenarios, json_schema, validate

REPO = Path(__file__).resolve().parent.parent
SCENARIOS = REPO / "scenarios"
BUNDLED = sorted(SCENARIOS.glob("*.yaml"))
NAMES = ["aug2025", "aug2025_actual", "aug2025_mediator_plan", "aug2025_no_threat",
         "aug2025_threat_carried_out"]


def raw(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def as_json(value):
    """YAML data as an editor's schema checker sees it: dates are strings."""
    if isinstance(value, dict):
        return {k: as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def test_the_bundled_scenarios_are_there():
    assert [p.stem for p in BUNDLED] == NAMES
    names = list(bundled_scenarios())
    assert names[:len(NAMES)] == NAMES     # the top-level ones first, then the subfolders'
    assert names[len(NAMES):] == ["episodes/designations2025", "episodes/embargo2022",
                                  "episodes/turkey_cap2025", "experiments/aug2025_policies"]


@pytest.mark.parametrize("path", BUNDLED, ids=[p.stem for p in BUNDLED])
def test_bundled_scenario_validates(path: Path):
    s = load_scenario(path)
    assert s.name == path.stem
    assert s.start == dt.date(2025, 8, 6)
    assert s.horizon_days == 365
    assert set(s.regions) == {"Donetsk", "Luhansk", "Zaporizhzhia", "Kherson"}
    assert sorted(s.actors) == ["CN", "EU", "IN", "OPEC", "RU", "TR", "UA", "US"]


def test_validate_command_accepts_all_bundled_files():
    run = subprocess.run([sys.executable, "-m", "simulate", "validate",
                          *[f"scenarios/{n}.yaml" for n in NAMES]],
                         cwd=REPO, capture_output=True, text=True, timeout=60)
    assert (run.returncode, run.stderr) == (0, "")
    assert run.stdout.splitlines() == [f"scenarios/{n}.yaml: ok" for n in NAMES]


def test_variants_differ_from_the_base_as_described():
    base, actual, none, carried = (load_scenario(SCENARIOS / f"{n}.yaml") for n in (
        "aug2025", "aug2025_actual", "aug2025_no_threat", "aug2025_threat_carried_out"))
    assert base.actors["US"].deadline == dt.date(2025, 8, 8)  # deadline: +2d
    assert base.actors["US"].threat.secondary_tariff.targets == ("CN", "IN")
    assert (none.actors["US"].deadline, none.actors["US"].threat.secondary_tariff,
            none.actors["US"].threat.company_sanctions) == (None, None, None)
    assert carried.actors["US"].credibility == 1.0
    assert "actors.US.credibility" in base.uncertainty
    assert all("actors.US.credibility" not in s.uncertainty for s in (actual, none, carried))
    assert [(a.date, a.action, a.target) for a in actual.timeline] == [
        (dt.date(2025, 8, 27), "secondary_tariff", "IN"),
        (dt.date(2025, 9, 3), "price_cap", None),
        (dt.date(2025, 10, 22), "company_sanctions", None),
        (dt.date(2026, 2, 2), "lift_tariff", "IN")]
    plan = load_scenario(SCENARIOS / "aug2025_mediator_plan.yaml")
    (proposal,) = plan.timeline
    assert (proposal.date, proposal.action, proposal.open_days) == (
        dt.date(2025, 11, 6), "proposal", 30)
    assert proposal.terms == {"Donetsk": 1.0, "Luhansk": "line", "Zaporizhzhia": "line",
                              "Kherson": "line"}
    assert plan.actors["US"].pressure.target == "UA"
    assert plan.actors["US"].pressure.deadline == dt.date(2025, 12, 6)


# ----- JSON Schema -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def published() -> dict:
    return json.loads((SCENARIOS / "scenario.schema.json").read_text(encoding="utf-8"))


def test_published_schema_is_current(published: dict):
    """scenarios/scenario.schema.json is what `simulate schema` prints today."""
    assert published == json_schema(), (
        "scenarios/scenario.schema.json is stale: run "
        "`simulate schema --out scenarios/scenario.schema.json --force`")
    text = (SCENARIOS / "scenario.schema.json").read_text(encoding="utf-8")
    assert text == json.dumps(json_schema(), indent=2) + "\n"


def test_schema_command_prints_a_valid_json_schema(capsys: pytest.CaptureFixture, tmp_path):
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema == json_schema()
    assert main(["schema", "--out", str(tmp_path / "s.json")]) == 0
    assert json.loads((tmp_path / "s.json").read_text()) == schema


def _validator(schema: dict) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


@pytest.mark.parametrize("path", BUNDLED, ids=[p.stem for p in BUNDLED])
def test_bundled_file_validates_against_the_published_schema(path: Path, published: dict):
    errors = [e.message for e in _validator(published).iter_errors(as_json(raw(path)))]
    assert errors == []


@pytest.mark.parametrize("path", BUNDLED, ids=[p.stem for p in BUNDLED])
def test_bundled_file_validates_against_the_current_schema(path: Path):
    errors = [e.message for e in _validator(json_schema()).iter_errors(as_json(raw(path)))]
    assert errors == []


def test_schema_rejects_what_the_loader_rejects():
    check = _validator(json_schema())
    base = as_json(raw(SCENARIOS / "aug2025.yaml"))
    bad = copy.deepcopy(base)
    bad["actors"]["US"]["credibilty"] = 0.5  # unknown key
    assert not check.is_valid(bad)
    bad = copy.deepcopy(base)
    bad["regions"]["Donetsk"]["control"] = 1.5  # share out of range
    assert not check.is_valid(bad)
    bad = copy.deepcopy(base)
    del bad["market"]  # required in a whole scenario
    assert not check.is_valid(bad)
    bad = copy.deepcopy(base)
    bad["uncertainty"]["actors.US.credibility"] = {"dist": "gaussian", "mean": 0.4}
    assert not check.is_valid(bad)
    bad = copy.deepcopy(base)
    bad["actors"]["US"]["deadline"] = "in two days"
    assert not check.is_valid(bad)
    # a file that extends another holds changes only: no key required, null removes a key
    assert check.is_valid({"extends": "aug2025.yaml", "name": "x",
                           "actors": {"US": {"deadline": None, "credibility": 0.2}}})
    assert not check.is_valid({"extends": "aug2025.yaml", "actors": {"US": {"credibility": 2}}})
    assert not check.is_valid({"extends": "aug2025.yaml", "horizon_dayz": 3})


# ----- list and show ---------------------------------------------------------------------

def test_list_shows_each_bundled_scenario_with_its_description(capsys: pytest.CaptureFixture):
    """Top-level scenarios first, then the episodes and the experiments by their folder
    (the README's table lists them all); not the targets, which are observed data."""
    assert main(["list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    names = NAMES + [f"{folder}/{p.stem}" for folder in ("episodes", "experiments")
                     for p in sorted((SCENARIOS / folder).glob("*.yaml"))]
    assert "episodes/embargo2022" in names and "experiments/aug2025_policies" in names
    width = max(map(len, names))
    expected = []
    for name in names:
        description = raw(SCENARIOS / f"{name}.yaml")["description"].strip().splitlines()[0]
        assert len(description) > 20
        expected.append(f"{name:<{width}}  {description}")
    assert lines == expected


def test_show_actual_equals_the_base_merged_by_hand(capsys: pytest.CaptureFixture):
    """aug2025_actual.yaml merged with aug2025.yaml by hand, defaults filled by validation."""
    base, child = raw(SCENARIOS / "aug2025.yaml"), raw(SCENARIOS / "aug2025_actual.yaml")
    assert set(child) == {"extends", "name", "description", "sources", "actors",
                          "uncertainty", "negotiation", "timeline", "cite"}, \
        "aug2025_actual.yaml changed: update this hand merge"
    merged = copy.deepcopy(base)
    merged["name"] = "aug2025_actual"
    merged["description"] = child["description"]
    merged["sources"]["timeline_after"] = child["sources"]["timeline_after"]
    merged["actors"]["US"]["credibility"] = 0.0
    merged["actors"]["US"]["extension_probability"] = 0.0
    del merged["uncertainty"]["actors.US.credibility"]  # null removes
    del merged["uncertainty"]["actors.US.extension_probability"]
    merged["cite"]["actors.US.credibility"] = "timeline_after"
    merged["cite"]["actors.US.extension_probability"] = "timeline_after"
    merged["negotiation"]["talks"]["scheduled"] = [dt.date(2025, 8, 6), dt.date(2025, 8, 15)]
    merged["timeline"] = child["timeline"]
    merged["cite"]["timeline"] = "timeline_after"
    merged["cite"]["negotiation.talks.scheduled"] = "timeline_after"
    merged["cite"]["timeline[1].price_usd"] = "price_caps"
    merged["cite"]["timeline[2].share"] = "rosneft_lukoil"
    merged["cite"]["timeline[2].wind_down_days"] = "timeline_after"
    merged["cite"]["timeline[2].expected_loss_mbd"] = "episodes_fit"

    assert main(["show", str(SCENARIOS / "aug2025_actual.yaml")]) == 0
    shown = yaml.safe_load(capsys.readouterr().out)
    assert shown == validate(merged).to_data()
    assert shown["actors"]["US"]["deadline"] == dt.date(2025, 8, 8)  # the base's +2d, resolved
    assert shown["actors"]["US"]["extension_days"] == 30  # kept from the base
    assert shown["actors"]["US"]["progress_window_days"] == 14  # a default, filled in
    assert shown["timeline"][0] == {"date": dt.date(2025, 8, 27), "actor": "US",
                                    "action": "secondary_tariff", "target": "IN", "rate": 0.25,
                                    "note": "extra 25% on India for buying Russian oil (total 50%)"}


def test_show_by_bundled_name_and_as_json(capsys: pytest.CaptureFixture):
    assert main(["show", "aug2025_no_threat", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["name"] == "aug2025_no_threat"
    assert "deadline" not in shown["actors"]["US"]
    assert shown["actors"]["US"]["threat"] == {}
    assert shown["start"] == "2025-08-06"
