"""The outcomes table's columns listed from the scenario, without running: the same list as a
real run's table (one rule for the engines and the check), an experiment's unknown
``outcomes.columns`` refused by ``validate``, ``sweep`` and ``run_design`` before anything
runs, and the 0/1 columns named once."""

from __future__ import annotations

import importlib

import pytest
from clitools import simulate_cli
from experiments_common import AUG, SMALL, write_small

import simulate
from simulate.errors import ExecutionError, ScenarioError
from simulate.experiments import make_design
from simulate.experiments.sweep import run_design
from simulate.results.units import outcome_units
from simulate.scenario import load_scenario
from simulate.scenario.experiment_block import Outcomes
from simulate.scenario.outcome_columns import (
    INDICATORS,
    is_indicator,
    scenario_outcome_columns,
)

PLAN = AUG.with_name("aug2025_mediator_plan.yaml")

#: SMALL with a misspelt column
MISSPELT = SMALL.replace("columns: [oil_revenue_busd]", "columns: [oil_revenue_bsud]")


def _table_columns(result) -> list[str]:
    return [c for c in result.outcomes.columns if not str(c).startswith("param:")]


@pytest.mark.parametrize("counterfactual", [False, True])
def test_listed_columns_are_those_of_a_real_run(tmp_path, counterfactual):
    s = load_scenario(write_small(tmp_path))
    r = simulate.run(s, replicates=3, counterfactual=counterfactual, keep_series=0,
                     progress=False)
    assert _table_columns(r) == scenario_outcome_columns(s, counterfactual=counterfactual)
    assert "softened_RU" in _table_columns(r) and "volume_IN_mbd" in _table_columns(r)


def test_listed_columns_of_a_scenario_with_a_proposal_are_those_of_a_real_run():
    s = load_scenario(PLAN, overrides={"horizon_days": 130})
    r = simulate.run(s, replicates=2, counterfactual=False, keep_series=0, progress=False)
    assert "proposal_accepted" in _table_columns(r)
    assert _table_columns(r) == scenario_outcome_columns(s, counterfactual=False)


def test_the_engines_refuse_columns_the_catalogue_does_not_list(tmp_path, monkeypatch):
    """A column added to the engines' table but not to the catalogue (or the reverse) fails
    every run, so the check of outcomes.columns cannot drift from the table."""
    from simulate.engines import record

    s = load_scenario(write_small(tmp_path))
    real = record.model_outcome_columns
    monkeypatch.setattr(record, "model_outcome_columns",
                        lambda ids, proposal: real(ids, proposal)[:-1])
    with pytest.raises(ExecutionError, match=r"outcome_columns \(not listed there: \['injured'\]"):
        simulate.run(s, replicates=2, counterfactual=False, keep_series=0, progress=False)


def test_validate_refuses_an_unknown_column_with_its_line_and_close_matches(tmp_path):
    with pytest.raises(ScenarioError) as exc:
        load_scenario(write_small(tmp_path, MISSPELT))
    (p,) = exc.value.problems
    assert p.key == "experiment.outcomes.columns[0]"
    assert p.line == SMALL.splitlines().index("    columns: [oil_revenue_busd]") + 1
    assert p.message == ("expected a numeric column of the run's outcomes table (such as "
                         "'oil_revenue_busd', 'oil_revenue_cf_busd', 'oil_revenue_loss_busd'), "
                         "found 'oil_revenue_bsud'")


def test_columns_that_are_no_outcome_are_refused(tmp_path):
    """A category, the replicate index and a sampled parameter are columns of the table but
    not numbers to average per point; a name close to nothing lists every column."""
    bad = SMALL.replace("columns: [oil_revenue_busd]",
                        "columns: [threat, replicate, 'param:actors.RU.resolve', xyz, deal_cf]")
    with pytest.raises(ScenarioError) as exc:
        load_scenario(write_small(tmp_path, bad))
    got = {p.key: p.message for p in exc.value.problems}
    assert set(got) == {f"experiment.outcomes.columns[{i}]" for i in range(4)}
    assert got["experiment.outcomes.columns[0]"].endswith("found 'threat', a category (its "
                                                          "per-point mean would mean nothing)")
    assert "the replicate's index" in got["experiment.outcomes.columns[1]"]
    assert "a sampled parameter" in got["experiment.outcomes.columns[2]"]
    assert got["experiment.outcomes.columns[3]"].startswith(
        "expected a numeric column of the run's outcomes table (one of deal, deal_day, ")
    assert got["experiment.outcomes.columns[3]"].endswith("deal_cf), found 'xyz'")


def test_columns_are_not_checked_against_a_malformed_part(tmp_path):
    """Buyers that are not a mapping are reported once, by the typed validation; a column
    named after a buyer is not refused because of them."""
    bad = SMALL.replace("experiment:", "actors:\n  IN: {buyers: 5}\nexperiment:").replace(
        "columns: [oil_revenue_busd]", "columns: [buyer_volume_IN.any_mbd]")
    with pytest.raises(ScenarioError) as exc:
        load_scenario(write_small(tmp_path, bad))
    assert {p.key for p in exc.value.problems} == {"actors.IN.buyers"}


def test_cli_validate_and_sweep_refuse_an_unknown_column_before_running(tmp_path):
    path = write_small(tmp_path, MISSPELT)
    line = SMALL.splitlines().index("    columns: [oil_revenue_busd]") + 1
    where = f"{path}:{line}:"
    out = simulate_cli("validate", str(path))
    assert out.returncode == 2, out.stderr
    assert "Traceback" not in out.stderr
    text = out.stdout + out.stderr
    assert where in text and "experiment.outcomes.columns[0]" in text
    assert "found 'oil_revenue_bsud'" in text and "'oil_revenue_busd'" in text
    folder = tmp_path / "ex"
    out = simulate_cli("sweep", str(path), "-n", "4", "--out", str(folder), "-q")
    assert out.returncode == 2, out.stderr
    assert where in out.stderr and "found 'oil_revenue_bsud'" in out.stderr
    assert not folder.exists()  # refused before the folder was made or a chunk was run


def test_run_design_refuses_an_unknown_column_before_running(tmp_path, monkeypatch):
    """From Python, with outcomes that never went through the loader."""
    base = load_scenario(write_small(tmp_path))
    design = make_design(base, points=2)

    def no_chunk(*args, **kwargs):
        raise AssertionError("a chunk ran")

    monkeypatch.setattr(importlib.import_module("simulate.experiments.sweep"),
                        "run_point_chunk", no_chunk)
    outcomes = Outcomes.model_validate({"deal_within": [10], "columns": ["oil_revenue_bsud"]})
    with pytest.raises(ScenarioError) as exc:
        run_design(base, design, outcomes, replicates=4, seed=1, progress=False)
    assert [p.key for p in exc.value.problems] == ["experiment.outcomes.columns[0]"]
    assert "found 'oil_revenue_bsud'" in exc.value.problems[0].message
    # and a known column gets as far as running the chunks
    good = Outcomes.model_validate({"deal_within": [10], "columns": ["deal_cf"]})
    with pytest.raises(ExecutionError, match="a chunk ran"):
        run_design(base, design, good, replicates=4, seed=1, progress=False)


def test_the_zero_one_columns_are_named_once():
    """The units of the outcomes table call a column "bool" exactly when the catalogue names
    it an indicator (which the experiments' statistics read as a proportion)."""
    cols = ["deal", "deal_day", "deal_by_deadline", "extensions", "softened_RU",
            "softened_UA", "shut_in_mbd", "proposal_judged", "proposal_accepted",
            "proposal_rejected_by", "deal_cf", "param:deal"]
    units = outcome_units(cols)
    assert {c for c in cols if units[c] == "bool"} == {c for c in cols if is_indicator(c)}
    assert {c for c in cols if is_indicator(c)} == {
        "deal", "deal_by_deadline", "softened_RU", "softened_UA", "proposal_judged",
        "proposal_accepted", "deal_cf"}
    assert units["extensions"] == "count"
    assert len(INDICATORS) == 6
