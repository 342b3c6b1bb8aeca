"""Overrides of uncertain parameters (issue 8 part 6): ``k=v`` on a key of ``uncertainty:``
fixes it (the distribution goes, every other draw stays), ``uncertainty.k.high=...`` edits the
distribution, and the run says so on standard error and in its manifest."""

from __future__ import annotations

import numpy as np
import pytest
from clitools import simulate_cli
from experiments_common import AUG

import simulate
from simulate.scenario import load_scenario, with_overrides

KEY = "actors.US.credibility"


def test_override_fixes_an_uncertain_key_and_says_so(capsys):
    base = load_scenario(AUG)
    s = load_scenario(AUG, overrides={KEY: 0.8})
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and KEY in err and "0.8" in err
    assert KEY in base.uncertainty and KEY not in s.uncertainty
    assert s.actors["US"].credibility == 0.8
    assert s.fixed_keys == (KEY,)
    assert list(s.uncertainty) == [k for k in base.uncertainty if k != KEY]
    assert base.fixed_keys == ()


def test_with_overrides_fixes_too_and_keeps_earlier_fixed_keys(capsys):
    s = with_overrides(load_scenario(AUG), {KEY: 0.7})
    t = with_overrides(s, {"actors.RU.resolve": 0.3}, announce=False)
    assert t.fixed_keys == (KEY, "actors.RU.resolve")
    assert "actors.RU.resolve" not in capsys.readouterr().err.split("\n")[-1]
    assert {KEY, "actors.RU.resolve"}.isdisjoint(t.uncertainty)


def test_editing_the_distribution_itself_keeps_it_uncertain():
    s = load_scenario(AUG, overrides={"uncertainty.market.threat_loss_ratio.high": 20.0})
    assert s.uncertainty["market.threat_loss_ratio"].high == 20.0
    assert s.fixed_keys == ()


def test_readme_example_changes_the_result_and_leaves_other_draws_alone():
    """README: ``overrides={"actors.US.credibility": 0.8}`` must change the result; every
    other uncertain parameter keeps its draws, replicate by replicate."""
    base = simulate.run(AUG, replicates=300, seed=1, progress=False,
                        overrides={"horizon_days": 30}, counterfactual=False)
    fixed = simulate.run(AUG, replicates=300, seed=1, progress=False,
                         overrides={"horizon_days": 30, KEY: 0.8}, counterfactual=False)
    assert fixed.manifest["fixed_uncertain"] == [KEY]
    assert f"param:{KEY}" not in fixed.outcomes
    b, f = base.outcomes, fixed.outcomes
    assert (b["decision_day"] >= 0).mean() != (f["decision_day"] >= 0).mean()
    for col in [c for c in b if c.startswith("param:") and c != f"param:{KEY}"]:
        np.testing.assert_array_equal(b[col].to_numpy(), f[col].to_numpy(), err_msg=col)


@pytest.mark.slow
def test_cli_set_on_an_uncertain_key_prints_one_line(tmp_path):
    out = simulate_cli("run", str(AUG), "-n", "20", "--set", "horizon_days=20",
                       "--set", f"{KEY}=0.8", "--no-report", "-q", "--out", str(tmp_path / "r"))
    assert out.returncode == 0, out.stderr
    notes = [line for line in out.stderr.splitlines() if KEY in line]
    assert len(notes) == 1 and "0.8" in notes[0]
