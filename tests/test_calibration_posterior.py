"""A calibrated posterior as scenario input: the Parquet format, the joint draw of one
particle per replicate by weight, priors that match the scenario's distributions, and
``uncertainty: {from_posterior: FILE}`` in scenario files."""

from __future__ import annotations

import numpy as np
import pytest
from calibration_cases import write_case
from hypothesis import given, settings
from hypothesis import strategies as st

from simulate.calibration.priors import pyabc_prior, scipy_spec
from simulate.errors import ScenarioError
from simulate.model.streams import uniforms
from simulate.scenario import load_scenario
from simulate.scenario.posterior import (
    POSTERIOR_STREAM,
    posterior_draws,
    posterior_values,
    read_posterior,
    write_posterior,
)

KEYS = ["market.brent_usd", "market.urals_discount_usd"]
VALUES = np.array([[60.0, 6.0], [70.0, 7.0], [80.0, 8.0]])
WEIGHTS = np.array([2.0, 3.0, 5.0])       # normalised on writing: 0.2, 0.3, 0.5


@pytest.fixture()
def posterior_file(tmp_path):
    path = tmp_path / "posterior.parquet"
    write_posterior(path, KEYS, VALUES, WEIGHTS, {"targets": "t", "seed": 4})
    return path


def test_round_trip(posterior_file):
    post = read_posterior(posterior_file)
    assert post.keys == tuple(KEYS)
    assert np.array_equal(post.values, VALUES)
    assert np.allclose(post.weights, [0.2, 0.3, 0.5])
    assert post.metadata == {"targets": "t", "seed": 4}
    assert len(post.sha256) == 64


def test_draw_inverts_the_cumulative_weights(posterior_file):
    """u in (0, 0.2] -> particle 0, (0.2, 0.5] -> 1, (0.5, 1) -> 2; on an even grid of
    10,000 uniforms the counts are exactly 2,000, 3,000 and 5,000."""
    post = read_posterior(posterior_file)
    u = (np.arange(10_000) + 0.5) / 10_000
    assert np.bincount(post.draw(u)).tolist() == [2000, 3000, 5000]
    values = posterior_values(post, np.array([0.1, 0.3, 0.9]))
    assert values[KEYS[0]].tolist() == [60.0, 70.0, 80.0]
    assert values[KEYS[1]].tolist() == [6.0, 7.0, 8.0]         # jointly: same particle


def test_draws_are_per_replicate_whatever_the_chunk(tmp_path, posterior_file):
    scenario, _ = write_case(tmp_path)
    s = load_scenario(scenario, overrides={"uncertainty.from_posterior": str(posterior_file)})
    reps = np.arange(50, dtype=np.int64)
    whole = posterior_draws(s, 9, reps, uniforms)
    part = posterior_draws(s, 9, reps[20:30], uniforms)
    assert np.array_equal(whole[KEYS[0]][20:30], part[KEYS[0]])
    expected = read_posterior(posterior_file).draw(uniforms(9, reps, -1, POSTERIOR_STREAM)[:, 0])
    assert np.array_equal(whole[KEYS[0]], VALUES[expected, 0])
    assert posterior_draws(load_scenario(scenario), 9, reps, uniforms) == {}
    pinned = load_scenario(scenario, overrides={
        "uncertainty.from_posterior": str(posterior_file),
        "uncertainty.market.brent_usd": {"dist": "choice", "values": [65.0]}})
    assert set(posterior_draws(pinned, 9, reps, uniforms)) == {KEYS[1]}   # stays pinned


def test_scenario_names_a_posterior_relative_to_its_file(tmp_path, posterior_file):
    scenario, _ = write_case(tmp_path)
    text = scenario.read_text().replace("uncertainty:\n", "uncertainty:\n  from_posterior: "
                                                           "posterior.parquet\n")
    scenario.write_text(text)
    s = load_scenario(scenario)
    assert s.posterior_file == str(posterior_file.resolve())
    assert s.to_data()["uncertainty"]["from_posterior"] == s.posterior_file
    assert set(s.uncertainty) == set(KEYS)                  # the distributions stay


def test_posterior_problems_name_the_key(tmp_path, posterior_file):
    scenario, _ = write_case(tmp_path)
    text = scenario.read_text()
    missing = text.replace("uncertainty:\n", "uncertainty:\n  from_posterior: nothing.parquet\n")
    scenario.write_text(missing)
    with pytest.raises(ScenarioError) as info:
        load_scenario(scenario)
    (problem,) = info.value.problems
    assert (problem.line, problem.column, problem.key) == (19, 19, "uncertainty.from_posterior")
    assert "found no such file" in problem.message
    write_posterior(tmp_path / "other.parquet", ["market.brent"], VALUES[:, :1], WEIGHTS, {})
    scenario.write_text(text.replace("uncertainty:\n",
                                     "uncertainty:\n  from_posterior: other.parquet\n"))
    with pytest.raises(ScenarioError, match="found 'market.brent'"):
        load_scenario(scenario)


@pytest.mark.parametrize("spec", [
    {"dist": "uniform", "low": 2.0, "high": 5.0},
    {"dist": "normal", "mean": 1.0, "sd": 2.0},
    {"dist": "lognormal", "median": 0.3, "sigma": 0.6},
    {"dist": "beta", "a": 2.0, "b": 3.0, "low": 0.0, "high": 0.5},
    {"dist": "triangular", "low": 4.0, "mode": 8.0, "high": 15.0},
])
def test_priors_are_the_scenario_distributions(tmp_path, spec):
    scenario, _ = write_case(tmp_path)
    s = load_scenario(scenario, overrides={"uncertainty.regions.A.drift_per_day": spec})
    dist = s.uncertainty["regions.A.drift_per_day"]
    prior = pyabc_prior(s, ["regions.A.drift_per_day"])
    name, kwargs = scipy_spec(dist)
    u = np.array([0.01, 0.3, 0.5, 0.9, 0.99])
    x = dist.ppf(u)
    assert name in ("uniform", "norm", "lognorm", "beta", "triang") and kwargs
    rv = prior["regions.A.drift_per_day"]
    assert np.allclose(rv.cdf(x), u)
    assert np.allclose([prior.pdf({"regions.A.drift_per_day": v}) for v in x],
                       dist.frozen().pdf(x))


@settings(max_examples=30, deadline=None)
@given(weights=st.lists(st.floats(0.0, 10.0), min_size=1, max_size=8).filter(
    lambda w: sum(w) > 0.01), u=st.floats(1e-9, 1 - 1e-9))
def test_a_drawn_particle_has_positive_weight(tmp_path_factory, weights, u):
    path = tmp_path_factory.mktemp("p") / "p.parquet"
    values = np.arange(len(weights), dtype=float).reshape(-1, 1)
    write_posterior(path, ["x"], values, np.array(weights), {})
    post = read_posterior(path)
    i = int(post.draw(np.array([u]))[0])
    assert post.weights[i] > 0
    cum = np.cumsum(post.weights)
    assert (i == 0 or cum[i - 1] < u * cum[-1] + 1e-12) and u * cum[-1] <= cum[i] + 1e-12


def test_a_run_draws_each_replicate_from_one_particle(tmp_path, posterior_file):
    """Every replicate takes one particle's values (both keys from the same particle), with
    frequencies near the weights, whatever the chunk size; the manifest names the file."""
    import simulate

    scenario, _ = write_case(tmp_path)
    s = load_scenario(scenario, overrides={"uncertainty.from_posterior": str(posterior_file)})
    res = simulate.run(s, replicates=400, seed=3, progress=False)
    brent = res.outcomes[f"param:{KEYS[0]}"].to_numpy()
    disc = res.outcomes[f"param:{KEYS[1]}"].to_numpy()
    assert set(np.unique(brent)) <= {60.0, 70.0, 80.0}
    assert np.array_equal(disc * 10, brent)                 # jointly from one particle
    share = np.array([np.mean(brent == v) for v in (60.0, 70.0, 80.0)])
    assert np.all(np.abs(share - [0.2, 0.3, 0.5]) < 4 * np.sqrt(0.25 / 400))
    chunked = simulate.run(s, replicates=400, seed=3, chunk_size=7, progress=False)
    assert np.array_equal(chunked.outcomes[f"param:{KEYS[0]}"].to_numpy(), brent)
    assert res.manifest["posterior"]["sha256"] == read_posterior(posterior_file).sha256
