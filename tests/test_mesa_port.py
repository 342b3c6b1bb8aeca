"""The Mesa port of benchmarks/mesa_model.py computes this model: its agents call the Python
versions of the compiled phase functions, and its outcomes equal the batch engine's."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from simulate.scenario import load_scenario

pytest.importorskip("mesa")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

from mesa_model import SanctionsModel, check_against_engine  # noqa: E402


@pytest.mark.slow
@pytest.mark.parametrize("name", ["aug2025.yaml", "aug2025_no_threat.yaml"])
def test_mesa_port_equals_the_batch_engine(name):
    s = load_scenario(Path(__file__).resolve().parent.parent / "scenarios" / name)
    checked, worst, differ = check_against_engine(s, s.ensemble.seed, range(3))
    assert checked == 3 and differ == [] and worst == 0.0


def test_mesa_port_uses_mesa_agents_and_collects_data():
    s = load_scenario(Path(__file__).resolve().parent / "golden" / "mini.yaml")
    model = SanctionsModel(s, 7, 0)
    assert len(model.agents) == 5
    model.run()
    frame = model.datacollector.get_model_vars_dataframe()
    assert len(frame) == s.horizon_days + 1 and {"brent_usd", "at_war"} <= set(frame.columns)
