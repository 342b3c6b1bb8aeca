"""The experiment commands in a subprocess: sweep (and resume refusal), sensitivity,
discover, robust; user mistakes exit 2 without a traceback; the bundled experiment file
validates and gives the documented design."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest
from clitools import REPO, simulate_cli
from experiments_common import AUG, SMALL, write_small
from test_report import shown

from simulate.experiments import make_design
from simulate.experiments.discovery import discover
from simulate.experiments.experiment import Experiment
from simulate.experiments.robust import robust
from simulate.scenario import load_scenario

POLICIES = REPO / "scenarios" / "experiments" / "aug2025_policies.yaml"


def test_documented_experiment_file_validates_and_crosses_54_policies_with_16_states():
    s = load_scenario(POLICIES)
    assert s.experiment is not None and s.experiment.design == "crossed"
    d = make_design(s)
    assert len(d) == 54 * 16
    assert set(s.experiment.uncertainties) <= set(s.uncertainty)


def _policy_table(out) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Regret of each policy (credibility, rate) over the states of the world (RU resolve)
    for oil revenue, lower being better, computed here from the saved points.parquet and
    design.parquet (the value of a policy in a state is the point's estimate): the table of
    mean, worst, best, max and mean regret by policy, and the values (state x policy)."""
    points = pd.read_parquet(out / "points.parquet")
    t = points[points["outcome"] == "oil_revenue_busd"].merge(
        pd.read_parquet(out / "design.parquet"), on="point")
    value = t.pivot_table(index="actors.RU.resolve", values="estimate", columns=[
        "actors.US.credibility", "actors.US.threat.secondary_tariff.rate"])
    assert value.shape == (2, 4)  # 2 states x 4 policies, every cell run
    regret = value - value.min(axis=1).to_numpy()[:, None]
    return pd.DataFrame({"mean": value.mean(), "worst": value.max(), "best": value.min(),
                         "max_regret": regret.max(), "mean_regret": regret.mean()}), value


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
    ex = Experiment.load(out)

    # robust: the minimax-regret policy and every row of the table, against the regret
    # computed here; a threshold at the median policy value makes some cells satisfice
    table, value = _policy_table(out)
    threshold = float(np.median(table["mean"]))
    table["satisficing_share"] = (value <= threshold).mean()  # share of states
    rob = simulate_cli("robust", str(out), "--outcome", "oil_revenue_busd", "--minimize",
                       "--threshold", repr(threshold))
    assert rob.returncode == 0, rob.stderr
    api = robust(ex, "oil_revenue_busd", maximize=False, threshold=threshold)
    assert rob.stdout == repr(api) + "\n"
    head = re.match(r"<Robustness of oil_revenue_busd \(lower is better\): minimax regret: "
                    r"credibility=(\S+), rate=(\S+?)[;> ]", rob.stdout)
    assert head, rob.stdout
    assert table.loc[(float(head[1]), float(head[2])), "max_regret"] == pytest.approx(
        table["max_regret"].min(), abs=1e-12)
    number = r"(-?\d+\.\d+)"
    printed = re.findall(r"^\s*credibility=(\S+), rate=(\S+)\s+" + r"\s+".join([number] * 6)
                         + r"\s*$", rob.stdout, flags=re.MULTILINE)
    assert len(printed) == 4
    for cred, rate, *values in printed:
        want = table.loc[(float(cred), float(rate))].tolist()
        assert [float(v) for v in values] == pytest.approx(want, abs=1e-6), (cred, rate)
    assert 0 < table["satisficing_share"].sum() < len(table)

    # discover: a threshold at the median replicate's revenue makes about half the rows
    # cases; the printed box is the API's, and its coverage and density are those of the
    # box's limits applied to the rows here
    reps = pd.read_parquet(out / "replicates.parquet")
    threshold = float(np.median(reps["oil_revenue_busd"]))
    disc = simulate_cli("discover", str(out), "--outcome", "oil_revenue_busd",
                        "--threshold", repr(threshold))
    assert disc.returncode == 0, disc.stderr
    prim, cart = discover(ex, "oil_revenue_busd", threshold=threshold)
    trajectory = prim.trajectory[["coverage", "density", "res_dim", "mass"]].round(3)
    assert disc.stdout == (f"{prim!r}\n\npeeling trajectory (coverage, density, restricted "
                           f"dimensions):\n{trajectory.to_string()}\n\n{cart!r}\n")
    rows = reps.merge(pd.read_parquet(out / "design.parquet"), on="point")
    rows = rows.rename(columns=lambda c: c.removeprefix("param:"))
    cases = rows["oil_revenue_busd"].to_numpy() > threshold
    assert 0 < cases.sum() < len(cases)
    inside = np.ones(len(rows), dtype=bool)
    for key, lim in prim.box.iterrows():
        inside &= (rows[key] >= lim["min"]).to_numpy() & (rows[key] <= lim["max"]).to_numpy()
    coverage, density = cases[inside].sum() / cases.sum(), cases[inside].mean()
    m = re.match(r"<PRIM box after \d+ of \d+ peeling steps: coverage (\S+), density (\S+) "
                 r"\((\d+) cases of "
                 r"interest in (\d+)", disc.stdout)
    assert m, disc.stdout
    assert shown(m[1], coverage) and shown(m[2], density), (m.group(0), coverage, density)
    assert (int(m[3]), int(m[4])) == (cases.sum(), len(rows))
    assert prim.coverage == pytest.approx(coverage) and prim.density == pytest.approx(density)
    assert len(prim.box) >= 1 and inside.sum() < len(rows)

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
