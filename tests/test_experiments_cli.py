"""The experiment commands in a subprocess: sweep (and resume refusal), sensitivity,
discover, robust; user mistakes exit 2 without a traceback; the bundled experiment file
validates and gives the documented design."""

from __future__ import annotations

import json

import pytest
from clitools import REPO, simulate_cli
from experiments_common import AUG, SMALL, write_small

from simulate.experiments import make_design
from simulate.scenario import load_scenario

POLICIES = REPO / "scenarios" / "experiments" / "aug2025_policies.yaml"


def test_documented_experiment_file_validates_and_crosses_54_policies_with_16_states():
    s = load_scenario(POLICIES)
    assert s.experiment is not None and s.experiment.design == "crossed"
    d = make_design(s)
    assert len(d) == 54 * 16
    assert set(s.experiment.uncertainties) <= set(s.uncertainty)


@pytest.mark.slow
def test_sweep_discover_robust_sensitivity_commands(tmp_path):
    small = write_small(tmp_path, SMALL.replace("design: lhs", "design: crossed").replace(
        "points: 5", "points: 2").replace("levels: 3", "levels: 2"))
    out = tmp_path / "ex"
    r = simulate_cli("sweep", str(small), "-n", "8", "--out", str(out), "-q")
    assert r.returncode == 0, r.stderr
    assert (out / "points.parquet").is_file()
    again = simulate_cli("sweep", str(small), "-n", "8", "--out", str(out), "-q")
    assert again.returncode == 2 and "already holds" in again.stderr
    assert "Traceback" not in again.stderr
    rob = simulate_cli("robust", str(out), "--outcome", "oil_revenue_busd", "--minimize")
    assert rob.returncode == 0, rob.stderr
    assert "minimax regret" in rob.stdout and rob.stdout.count("rate=") >= 4
    disc = simulate_cli("discover", str(out), "--outcome", "oil_revenue_busd",
                        "--threshold", "1.0")
    assert disc.returncode in (0, 2), disc.stderr
    assert "PRIM" in disc.stdout or "nothing to discover" in disc.stderr
    sens = simulate_cli("sensitivity", str(small), "--method", "morris", "--points", "2",
                        "-n", "4", "--outcome", "oil_revenue_busd", "--json", "-q")
    assert sens.returncode == 0, sens.stderr
    got = json.loads(sens.stdout)
    assert got["method"] == "morris" and len(got["indices"]) == 3


def test_a_scenario_without_experiment_block_exits_2(tmp_path):
    r = simulate_cli("sweep", str(AUG), "-q")
    assert r.returncode == 2 and "experiment" in r.stderr and "Traceback" not in r.stderr


def test_run_on_a_file_with_an_experiment_block_says_it_runs_the_base_scenario(tmp_path):
    small = write_small(tmp_path)
    r = simulate_cli("run", str(small), "-n", "3", "--json")
    assert r.returncode == 0, r.stderr
    notes = [line for line in r.stderr.splitlines() if "experiment: block" in line]
    assert len(notes) == 1, r.stderr
    assert "simulate sweep" in notes[0] and "simulate sensitivity" in notes[0]
    assert "`run` runs the base scenario" in notes[0]
    assert json.loads(r.stdout)["replicates"] == 3
    plain = write_small(tmp_path, SMALL[:SMALL.index("experiment:")], "plain.yaml")
    r = simulate_cli("run", str(plain), "-n", "3", "--json")
    assert r.returncode == 0, r.stderr
    assert "experiment" not in r.stderr


def test_sensitivity_refuses_sobol_points_that_are_not_a_power_of_two(tmp_path):
    small = write_small(tmp_path)
    r = simulate_cli("sensitivity", str(small), "--method", "sobol", "--points", "3",
                     "-n", "2", "-q")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "power of 2" in r.stderr and "use 2 or 4" in r.stderr
    assert "Warning" not in r.stderr and len(r.stderr.strip().splitlines()) == 1
