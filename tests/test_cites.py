"""Every bundled scenario cites what it sets (issue 9): each key that feeds the model names a
source or `assumption`; each assumption has a distribution and a row in docs/model.md's
Assumptions register; structure that cannot be drawn is never an assumption."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from simulate.scenario import read_merged
from simulate.scenario.citations import (
    EXEMPT,
    assumption_keys,
    assumptions_without_distribution,
    cited_by,
    exempt_as_assumption,
    set_keys,
    uncited_keys,
)

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
BUNDLED = sorted(SCENARIOS.glob("*.yaml")) + sorted((SCENARIOS / "episodes").glob("*.yaml"))
IDS = [str(p.relative_to(SCENARIOS)) for p in BUNDLED]


def merged(path: Path) -> dict:
    return read_merged(path)[0]


def register() -> str:
    """docs/model.md's 'Assumptions register' section (to the next level-2 heading)."""
    text = (ROOT / "docs" / "model.md").read_text(encoding="utf-8")
    start = text.index("\n## Assumptions register")
    end = text.find("\n## ", start + 1)
    return text[start:] if end < 0 else text[start:end]


def test_the_bundled_files_are_all_checked():
    assert len(BUNDLED) == 8
    assert "episodes/turkey_cap2025.yaml" in IDS and "aug2025_mediator_plan.yaml" in IDS


def _not_in_register(data: dict) -> list[str]:
    """Assumptions missing from docs/model.md's Assumptions register."""
    listed = set(re.findall(r"`([^`]+)`", register()))
    return [k for k in assumption_keys(data) if k not in listed]


#: check -> (what it finds in a file's merged data, what the failure says they are)
CHECKS = {
    "every_key_set_is_cited": (
        uncited_keys, "keys set with no cite (a source id or 'assumption')"),
    "every_assumption_has_a_distribution": (
        assumptions_without_distribution,
        "keys cited as 'assumption' with no distribution in uncertainty"),
    "every_assumption_is_in_the_register": (
        _not_in_register, "assumptions missing from docs/model.md's Assumptions register"),
    "structure_is_never_cited_as_an_assumption": (
        exempt_as_assumption,
        "settings cited as 'assumption' that cannot be drawn (structure or labels)"),
}


@pytest.mark.parametrize("check", CHECKS)
@pytest.mark.parametrize("path", BUNDLED, ids=IDS)
def test_bundled_files_pass_the_cite_checks(path: Path, check: str):
    find, what = CHECKS[check]
    found = find(merged(path))
    assert not found, f"{path.relative_to(ROOT)}: {what}: {', '.join(found)}"


def test_the_exemptions_are_justified_in_the_register():
    text = register()
    assert "regions.<k>.weight" in text and "negotiation.protocol" in text
    assert EXEMPT == ("regions.*.weight", "negotiation.protocol")


# ----- the checks themselves, on small data --------------------------------------------------

DATA = {
    "name": "x", "horizon_days": 30, "start": "2025-01-01",
    "sources": {"s": {"title": "a source"}},
    "regions": {"A": {"weight": 1.0, "control": 0.5, "drift_per_day": 0.001}},
    "actors": {"RU": {"role": "belligerent", "side": "occupier", "resolve": 0.2},
               "IM": {"role": "importer", "name": "Importer",
                      "buyers": {"b": {"base_volume_mbd": 1.0, "adjustment_days": 20}}}},
    "timeline": [{"date": "2025-01-05", "actor": "US", "action": "secondary_tariff",
                  "target": "IM", "rate": 0.5, "note": "n"}],
    "negotiation": {"protocol": "nash", "talks": {"scheduled": ["2025-01-02"]}},
    "cite": {"start": "s", "regions.A.control": "s", "regions.A.drift_per_day": "assumption",
             "actors.RU.resolve": "assumption", "actors.IM.buyers.b": "s",
             "timeline": "s", "negotiation.talks.scheduled": "s"},
    "uncertainty": {"regions.A.drift_per_day": {"dist": "uniform", "low": 0, "high": 0.002}},
}


def test_set_keys_skip_labels_structure_and_the_runs_settings():
    keys = set_keys(DATA)
    assert keys == ["start", "regions.A.control", "regions.A.drift_per_day",
                    "actors.RU.resolve", "actors.IM.buyers.b.base_volume_mbd",
                    "actors.IM.buyers.b.adjustment_days", "timeline[0].date",
                    "timeline[0].actor", "timeline[0].action", "timeline[0].target",
                    "timeline[0].rate", "negotiation.talks.scheduled"]


def test_a_cite_covers_the_keys_below_it_and_a_missing_one_is_named():
    assert cited_by("timeline[0].rate", DATA["cite"]) == ("timeline", "s")
    assert cited_by("actors.IM.buyers.b.adjustment_days", DATA["cite"]) == (
        "actors.IM.buyers.b", "s")
    assert uncited_keys(DATA) == []
    data = {**DATA, "cite": {k: v for k, v in DATA["cite"].items() if k != "timeline"}}
    assert uncited_keys(data) == ["timeline[0].date", "timeline[0].actor", "timeline[0].action",
                                  "timeline[0].target", "timeline[0].rate"]
    data = {**DATA, "cite": {**DATA["cite"], "timeline": None}}  # null removes an inherited cite
    assert "timeline[0].rate" in uncited_keys(data)


def test_an_assumption_needs_a_distribution_on_itself_or_on_everything_below():
    assert assumptions_without_distribution(DATA) == ["actors.RU.resolve"]
    data = {**DATA, "cite": {**DATA["cite"], "actors.IM.buyers.b": "assumption"},
            "uncertainty": {**DATA["uncertainty"],
                            "actors.RU.resolve": {"dist": "uniform", "low": 0, "high": 1},
                            "actors.IM.buyers.b.base_volume_mbd": {"dist": "uniform",
                                                                   "low": 0.9, "high": 1.1}}}
    assert assumptions_without_distribution(data) == ["actors.IM.buyers.b"]
    data["uncertainty"]["actors.IM.buyers.b.adjustment_days"] = {"dist": "uniform", "low": 10,
                                                                 "high": 30}
    assert assumptions_without_distribution(data) == []


def test_structure_cited_as_an_assumption_is_found():
    data = {**DATA, "cite": {**DATA["cite"], "regions.A.weight": "assumption",
                             "negotiation.protocol": "assumption", "actors.RU.side": "s"}}
    assert exempt_as_assumption(data) == ["regions.A.weight", "negotiation.protocol"]
