"""A misspelt mapping key is reported once, with the references it hides counted on its
line; references it does not hide, and every reference once it is fixed, are reported."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulate import ScenarioError, load_scenario

CASE = Path(__file__).parent / "scenario_corpus" / "70_misspelt_mapping_hides_references.yaml"


def _problems(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as refused:
        load_scenario(path)
    return [f"{p.key}: {p.message}" for p in refused.value.problems]


def test_the_typo_is_the_one_problem_of_its_mapping(tmp_path):
    problems = _problems(tmp_path, CASE.read_text(encoding="utf-8"))
    assert problems[0] == ("actors.IN.buyrs: unknown key (did you mean 'buyers'?); 3 references "
                           "to keys in actors.IN (cite:, uncertainty:) will be checked once it "
                           "is fixed")
    assert not any(p.startswith(("uncertainty.actors.IN", "cite.actors.IN")) for p in problems)
    # a wrong reference into another mapping is still reported
    assert any(p.startswith("uncertainty.actors.CN.buyers.stat.capacity_mbd:") for p in problems)


def test_once_the_typo_is_fixed_the_references_are_checked(tmp_path):
    text = CASE.read_text(encoding="utf-8").replace("    buyrs:", "    buyers:")
    text = text.replace("reliance.capacity_mbd:", "relaince.capacity_mbd:")
    problems = _problems(tmp_path, text)
    assert any(p.startswith("uncertainty.actors.IN.buyers.relaince.capacity_mbd: expected the "
                            "dotted key") for p in problems)
    assert not any("buyrs" in p for p in problems)


def test_a_top_level_typo_hides_no_reference(tmp_path):
    text = CASE.read_text(encoding="utf-8").replace("    buyrs:", "    buyers:")
    text += "notse: a top-level typo\n"
    problems = _problems(tmp_path, text)
    typo = [p for p in problems if p.startswith("notse: unknown key")]
    assert len(typo) == 1 and "references" not in typo[0]
    assert any(p.startswith("uncertainty.actors.CN.buyers.stat.capacity_mbd:") for p in problems)
