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


# ----- variants: a file that extends another fixes what it sets -----------------------------

def _variant(tmp_path, body: str):
    f = tmp_path / "variant.yaml"
    f.write_text(f"extends: {AUG.resolve()}\nname: variant\n" + body)
    return f


def test_a_variant_fixes_an_inherited_uncertain_key_it_sets(tmp_path, capsys):
    """A variant that sets a value its base draws means that value: the inherited
    distribution goes (else it would draw over the variant's value, silently), the scenario
    records the key as fixed, and one line on standard error says so; every other draw
    stays."""
    base = load_scenario(AUG)
    capsys.readouterr()
    s = load_scenario(_variant(tmp_path, "actors:\n  US: {credibility: 0.95}\n"))
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"{KEY}=0.95" in err and "variant.yaml" in err
    assert KEY not in s.uncertainty and s.actors["US"].credibility == 0.95
    assert s.fixed_keys == (KEY,)
    assert list(s.uncertainty) == [k for k in base.uncertainty if k != KEY]
    draws = simulate.run(s, replicates=40, progress=False, counterfactual=False).outcomes
    assert f"param:{KEY}" not in draws                     # no longer drawn
    assert (draws["decision_day"] >= 0).mean() > 0.85    # carried out at 0.95, not ~0.4


@pytest.mark.parametrize(("body", "kept"), [
    # the variant gives its own distribution: it is the variant's, nothing is fixed
    ("actors:\n  US: {credibility: 0.95}\nuncertainty:\n"
     "  actors.US.credibility: {dist: uniform, low: 0.9, high: 1.0}\n", True),
    # removed explicitly: the variant says it, nothing to report
    ("actors:\n  US: {credibility: 0.95}\nuncertainty:\n  actors.US.credibility: null\n",
     False),
    # the base's own value restated: the distribution is inherited
    ("actors:\n  US: {credibility: 0.4}\n", True),
])
def test_a_variant_that_gives_or_removes_a_distribution_fixes_nothing(tmp_path, capsys, body,
                                                                      kept):
    s = load_scenario(_variant(tmp_path, body))
    assert s.fixed_keys == () and "fixes" not in capsys.readouterr().err
    assert (KEY in s.uncertainty) == kept
