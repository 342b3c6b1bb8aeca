"""ABC-SMC calibration end to end on a tiny scenario with a closed-form posterior.

The scenario's Brent equals ``market.brent_usd`` on every day (no shocks), and two targets
observe it with measurement sd 1, so the exact posterior under a flat prior on [50, 90] is
normal with mean = the observations' mean and sd = 1/sqrt(2) (noisy ABC targets exactly
that posterior as its tolerance shrinks; a finite tolerance only widens it).
"""

from __future__ import annotations

import json
import random
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from calibration_cases import write_case

from simulate.calibration import Calibration, calibrate
from simulate.calibration.abc import read_scales
from simulate.calibration.model import ParticleModel
from simulate.calibration.priors import pyabc_prior
from simulate.calibration.sampler import ordered_sampler
from simulate.calibration.summaries import map_targets
from simulate.calibration.targets import load_targets
from simulate.errors import ResultsError, ResultsWarning, ScenarioError
from simulate.scenario import load_scenario

KEY = "market.brent_usd"
SMALL = {"particles": 16, "keys": [KEY], "seed": 11, "predictive": 8, "figures": False}


@pytest.fixture(scope="module")
def case(tmp_path_factory):
    return write_case(tmp_path_factory.mktemp("case"), brent_mean=75.0, brent_end=76.0)


@pytest.fixture(scope="module")
def whole(case, tmp_path_factory):
    """Two generations in one go."""
    scenario, targets = case
    return calibrate(scenario, targets, tmp_path_factory.mktemp("whole") / "cal",
                     generations=2, **SMALL)


def test_posterior_matches_the_closed_form(whole):
    post = whole.posterior
    w = post["weight"].to_numpy()
    mean = float(np.sum(w * post[KEY]))
    sd = float(np.sqrt(np.sum(w * (post[KEY] - mean) ** 2)))
    assert abs(mean - 75.5) < 1.0            # exact posterior mean: (75 + 76) / 2
    assert 0.3 < sd < 3.0                    # exact: 0.707; prior sd 11.5
    assert np.isclose(w.sum(), 1.0)
    assert len(post) == 16


def test_records_generations_targets_and_diagnostics(whole):
    state = whole.state
    gens = whole.generations
    assert list(gens["generation"]) == [0, 1]
    assert (gens["accepted"] == 16).all()
    assert np.allclose(gens["acceptance_rate"], gens["accepted"] / gens["simulations"])
    assert state["fitted"] == ["brent_mean", "brent_day20"]
    assert state["checks"] == ["discount_check"]
    assert [s["target"] for s in state["skipped"]] == ["after_horizon"]
    assert state["targets_vintage"] == "2025-08-05"
    (param,) = state["parameters"]
    assert param["parameter"] == KEY and not param["like_prior"]
    assert param["prior_sd"] == pytest.approx(40 / np.sqrt(12))
    pred = state["predictive"]
    assert {t["target"] for t in pred["targets"]} == {"brent_mean", "brent_day20",
                                                      "discount_check"}
    assert 0.0 <= pred["coverage"] <= 1.0
    table = pd.read_parquet(whole.directory / "predictive.parquet")
    assert len(table) == 8 * 3
    for name in ("abc.db", "posterior.parquet", "calibration.json", "scenario.yaml",
                 "targets.yaml"):
        assert (whole.directory / name).is_file()


def test_load_gives_the_same_posterior(whole):
    again = Calibration.load(whole.directory)
    pd.testing.assert_frame_equal(again.posterior, whole.posterior)


def test_resumed_calibration_equals_an_uninterrupted_one(case, whole, tmp_path):
    """Stopped after one generation and resumed to two: the same particles as two in one go
    (same seed); the caller's global random state is left as it was."""
    np.random.seed(5)  # noqa: NPY002 - the legacy global generators are what is tested
    random.seed(5)
    before_np, before_py = np.random.get_state(), random.getstate()  # noqa: NPY002
    scenario, targets = case
    out = tmp_path / "cal"
    first = calibrate(scenario, targets, out, generations=1, **{**SMALL, "predictive": 0})
    after = np.random.get_state()  # noqa: NPY002
    assert all(np.array_equal(a, b) for a, b in zip(before_np, after, strict=True))
    assert random.getstate() == before_py
    assert first.generations.iloc[0].to_dict() == whole.generations.iloc[0].to_dict()
    resumed = calibrate(scenario, targets, out, generations=2, resume=True, **SMALL)
    pd.testing.assert_frame_equal(resumed.posterior, whole.posterior)
    assert resumed.generations.equals(whole.generations)


def test_existing_folder_is_never_overwritten(case, whole, tmp_path):
    scenario, targets = case
    with pytest.raises(ResultsError, match="holds a calibration; use --resume to continue it, "
                                            "--force"):
        calibrate(scenario, targets, whole.directory, generations=1, **SMALL)
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me")
    with pytest.raises(ResultsError, match="not written by simulate.*not even with --force"):
        calibrate(scenario, targets, foreign, generations=1, force=True, **SMALL)
    assert (foreign / "notes.txt").read_text() == "keep me"
    with pytest.raises(ResultsError, match="differs in seed"):
        calibrate(scenario, targets, whole.directory, generations=2, resume=True,
                  **{**SMALL, "seed": 12})


def test_bad_settings_are_user_errors(case, tmp_path):
    scenario, targets = case
    with pytest.raises(ScenarioError, match="did you mean 'market.brent_usd'"):
        calibrate(scenario, targets, tmp_path / "c", **{**SMALL, "keys": ["market.brent"]})
    with pytest.raises(ScenarioError, match="particles >= 2"):
        calibrate(scenario, targets, tmp_path / "c", **{**SMALL, "particles": 1})
    with pytest.raises(ScenarioError, match="unknown calibration setting 'generation' "
                                            r"\(did you mean 'generations'\?\)"):
        calibrate(scenario, targets, tmp_path / "c", generation=2, **SMALL)
    assert not (tmp_path / "c").exists()


def test_command_line(case, tmp_path):
    scenario, targets = case
    out = tmp_path / "cli"
    cmd = [sys.executable, "-m", "simulate", "calibrate", str(scenario), str(targets),
           "--out", str(out), "--particles", "8", "--generations", "1", "--param", KEY,
           "--predictive", "4", "--seed", "3"]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert "generation 0: epsilon" in done.stderr
    assert "note: target after_horizon not used" in done.stderr
    assert "posterior predictive coverage" in done.stdout
    assert {p.name for p in (out / "figures").glob("*.png")} == {
        "posterior_marginals.png", "epsilon_schedule.png", "predictive_check.png"}
    state = json.loads((out / "calibration.json").read_text())
    assert state["identity"]["keys"] == [KEY]
    again = subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False)
    assert again.returncode == 2 and "Traceback" not in again.stderr
    assert "--resume" in again.stderr


def test_the_current_folder_and_its_ancestors_are_refused(case, tmp_path, monkeypatch):
    scenario, targets = case
    work = tmp_path / "work"
    work.mkdir()
    (work / "notes.txt").write_text("keep me")
    monkeypatch.chdir(work)
    for out in (".", str(tmp_path)):
        with pytest.raises(ResultsError, match="current folder|contains the current"):
            calibrate(scenario, targets, out, generations=1, force=True, **SMALL)
    assert (work / "notes.txt").read_text() == "keep me"


def _mad_weights(stats: np.ndarray) -> np.ndarray:
    """1 / median absolute deviation of each column (pyabc's default scale of a statistic)."""
    return 1.0 / np.median(np.abs(stats - np.median(stats, axis=0)), axis=0)


def test_generations_equal_one_uninterrupted_pyabc_run(case, whole, tmp_path):
    """Run generation by generation (each on an ABCSMC rebuilt from the database), the
    calibration equals pyabc's own uninterrupted run of two generations with the same model
    and sampler: the distance's scales of generation 1 come from *every* simulation of
    generation 0, rejected ones included (pyabc's all_particles_for_scale=True, Prangle
    2017), not from its accepted particles, which are all the database keeps."""
    pyabc = pytest.importorskip("pyabc")
    scenario, targets = case
    s = load_scenario(scenario)
    mapped = map_targets(load_targets(targets), s).subset("fit")
    assert list(mapped.names) == whole.state["fitted"]
    samples = {}
    abc = pyabc.ABCSMC(ParticleModel(s, [KEY], mapped, 11),
                       pyabc_prior(s, [KEY]),
                       distance_function=pyabc.AdaptivePNormDistance(p=2),
                       population_size=16, eps=pyabc.MedianEpsilon(),
                       sampler=ordered_sampler(11, on_sample=samples.__setitem__))
    abc.new("sqlite:///" + str(tmp_path / "plain.db"),
            {n: float(v) for n, v in zip(mapped.names, mapped.observed, strict=True)})
    plain = abc.run(max_nr_populations=2)
    ours = pyabc.History("sqlite:///" + str(whole.directory / "abc.db"))
    for t in (0, 1):
        a, wa = plain.get_distribution(m=0, t=t)
        b, wb = ours.get_distribution(m=0, t=t)
        np.testing.assert_array_equal(a[KEY].to_numpy(), b[KEY].to_numpy())
        np.testing.assert_array_equal(wa, wb)
    pd.testing.assert_frame_equal(plain.get_all_populations()[["t", "epsilon", "samples"]],
                                  ours.get_all_populations()[["t", "epsilon", "samples"]])
    # the weights of generation 1: 1 / MAD over all 28 simulations of generation 0
    scales = read_scales(whole.directory)
    every = np.array([[p.sum_stat[n] for n in mapped.names] for p in samples[0].all_particles])
    accepted = np.array([[p.sum_stat[n] for n in mapped.names]
                         for p in samples[0].accepted_particles])
    assert len(every) == whole.generations["simulations"].iloc[0] > len(accepted) == 16
    stored = np.array([scales[1][n] for n in mapped.names])
    np.testing.assert_allclose(stored, _mad_weights(every), rtol=1e-12)
    np.testing.assert_allclose(stored, abc.distance_function.scale_weights[1], rtol=1e-12)
    assert not np.allclose(stored, _mad_weights(accepted), rtol=0.1)


def test_predictive_reference_is_computed_from_the_draws(whole):
    pred = whole.state["predictive"]
    assert pred["draws"] == 8
    assert pred["reference"] == pytest.approx((8 - 1) * 0.9 / (8 + 1))  # 0.7, not 0.9
    inside = {t["target"]: t["inside"] for t in pred["targets"]}
    assert pred["coverage_check"] == float(inside["discount_check"])
    assert pred["coverage_fit"] == np.mean([inside["brent_mean"], inside["brent_day20"]])


def test_several_replicates_per_particle_warn(case, whole, tmp_path):
    """R > 1 replicates per particle fit the model's mean path, not the one observed
    realisation: a ResultsWarning at once and a line in calibration.json's warnings."""
    scenario, targets = case
    with pytest.warns(ResultsWarning, match="replicates = 2 per particle.*mean path"):
        done = calibrate(scenario, targets, tmp_path / "r2", generations=1, replicates=2,
                         **{**SMALL, "particles": 4, "predictive": 0})
    assert any("mean path" in w for w in done.state["warnings"])
    assert not any("mean path" in w for w in whole.state["warnings"])  # replicates = 1


def test_the_proposal_kernel_stays_non_singular_when_the_particles_are_collinear():
    """Weights resting on particles along one line give a singular covariance: pyabc's kernel
    then gives density 0 just off the line (pyabc's importance weight became infinite and
    the population's weight NaN, on embargo2022 with 20 particles); ours keeps every
    direction, and leaves a well-conditioned covariance exactly as pyabc fits it."""
    from pyabc.transition import MultivariateNormalTransition

    from simulate.calibration.transition import (
        MIN_RELATIVE_EIGENVALUE,
        NonSingularNormalTransition,
    )

    line = pd.DataFrame({"a": [0.0, 1.0, 2.0], "b": [0.0, 2.0, 4.0]})
    w = np.full(3, 1 / 3)
    plain, ours = MultivariateNormalTransition(), NonSingularNormalTransition()
    plain.fit(line, w)
    ours.fit(line, w)
    off = pd.Series({"a": 1.0 + 1e-3, "b": 2.0 - 5e-4})      # just off the line
    assert plain.pdf(off) == 0.0
    assert ours.pdf(off) > 0.0
    values = np.linalg.eigvalsh(ours.cov)
    assert values.min() == pytest.approx(MIN_RELATIVE_EIGENVALUE * values.max(), rel=1e-6)
    cloud = pd.DataFrame({"a": [0.0, 1.0, 2.5, 0.7], "b": [1.0, -0.5, 2.0, 0.3]})
    w = np.array([0.1, 0.2, 0.3, 0.4])
    plain.fit(cloud, w)
    ours.fit(cloud, w)
    np.testing.assert_array_equal(ours.cov, plain.cov)
