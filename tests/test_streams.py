"""Statistical and structural tests of the counter-based random streams
(:mod:`simulate.model.streams`).

Every draw is a pure function of (seed, replicate, day, stream, index). The statistical
checks use 10^5 draws and 99.9% acceptance regions; the seeds are fixed, so the outcome of
each check is reproducible (a failure is a real change, not bad luck).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from simulate.model.sampling import sample_uncertain
from simulate.model.streams import (
    GAMMA,
    N_STREAMS,
    STREAM_SCHEME,
    Stream,
    day_keys,
    draw,
    normals,
    parameter_stream,
    poisson_inverse,
    stream_key,
    uniforms,
)
from simulate.scenario import load_scenario

#: a parameter stream (any id works the same; this one is a parameter's)
PARAM = parameter_stream("actors.US.credibility")

N = 100_000
REPS = np.arange(N)
ALPHA = 0.001
#: two-sided 99.9% bound of a correlation coefficient of N independent pairs
R_BOUND = float(stats.norm.ppf(1 - ALPHA / 2)) / math.sqrt(N)
SEED = 20250806


def _u(seed=SEED, reps=REPS, day=0, stream=Stream.FRONT, n=1):
    return uniforms(seed, reps, day, stream, n)


# ----- structure --------------------------------------------------------------------------

def test_shapes_range_and_dtype():
    u = _u(n=3)
    assert u.shape == (N, 3) and u.dtype == np.float64
    assert (u > 0).all() and (u < 1).all()
    # doubles on the grid (k + 0.5) / 2^53: never 0 or 1, and as fine as a double allows
    k = u * 2.0**53 - 0.5
    assert np.array_equal(k, np.floor(k))


def test_pure_function_of_coordinates():
    a = _u(day=5, stream=Stream.AGREE)
    b = _u(day=5, stream=Stream.AGREE)
    assert np.array_equal(a, b)
    for other in (_u(day=6, stream=Stream.AGREE), _u(day=5, stream=Stream.TALKS),
                  _u(seed=SEED + 1, day=5, stream=Stream.AGREE)):
        assert np.mean(a == other) < 1e-4


@pytest.mark.parametrize("seed", [0, 20250806, 2**63 + 5, 2**64 - 1])
def test_the_calendar_keys_are_the_stream_keys(seed):
    """The batch engine's table of daily keys (compiled) holds, for every day and stream,
    the key of :func:`stream_key`; column 0 is no stream and stays 0."""
    keys = day_keys(seed, 40)
    assert keys.shape == (41, N_STREAMS) and keys.dtype == np.uint64
    assert sorted(int(s) for s in Stream) == list(range(1, N_STREAMS))
    assert not keys[:, 0].any()
    for day in range(41):
        assert keys[day, 1:].tolist() == [int(stream_key(seed, day, s)) for s in Stream]


def test_known_values_do_not_change():
    """Pinned outputs: a change of the generator changes every published result, so it must
    be deliberate (update these numbers and the regression test together)."""
    assert stream_key(0, 0, 0) == 0x33FE8BD4F9C57863
    assert stream_key(20250806, 3, 5) == 0x1E4A7DC2BFABA645
    got = uniforms(20250806, np.array([0, 1, 123456]), 0, Stream.FRONT)[:, 0]
    assert got.tolist() == [0.7935849566163118, 0.11182104504288509, 0.438155622740048]
    got = uniforms(1, np.array([0, 7]), -1, 1002, 2).ravel()
    assert got.tolist() == [0.8824359725080642, 0.6190050890100085, 0.1402050888831316,
                            0.2580553264878231]


def test_reference_implementation_in_plain_python():
    """The vectorised generator equals SplitMix64 written out with Python integers:
    key = mix(mix(mix(seed + GAMMA) ^ day) ^ stream); x = mix(key + (r*n + i + 1) * GAMMA);
    u = ((x >> 11) + 0.5) / 2^53."""
    mask = (1 << 64) - 1

    def mix(z):
        z &= mask
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
        return z ^ (z >> 31)

    seed, day, stream, n = 12345, 42, int(Stream.AGREE), 3
    key = mix(mix(mix(seed + GAMMA) ^ (day & mask)) ^ stream)
    got = uniforms(seed, np.array([0, 5, 99]), day, stream, n)
    for row, r in enumerate((0, 5, 99)):
        for i in range(n):
            x = mix(key + (r * n + i + 1) * GAMMA)
            assert got[row, i] == ((x >> 11) + 0.5) / 2.0**53


def test_chunk_independence():
    """Replicate k's draws are identical alone, inside any block, and in any order."""
    full = _u(day=17, stream=Stream.BRENT, n=4)
    for k in (0, 1, 3, 4, 5, 999, 65_537, N - 1):
        alone = uniforms(SEED, np.array([k]), 17, Stream.BRENT, 4)
        assert np.array_equal(alone[0], full[k])
    block = uniforms(SEED, np.arange(40_000, 40_128), 17, Stream.BRENT, 4)
    assert np.array_equal(block, full[40_000:40_128])
    perm = np.random.default_rng(0).permutation(N)[:1000]
    assert np.array_equal(uniforms(SEED, perm, 17, Stream.BRENT, 4), full[perm])
    # the same holds for the derived draws
    assert np.array_equal(normals(SEED, np.array([5]), 2, Stream.FRONT, 3)[0],
                          normals(SEED, np.arange(10), 2, Stream.FRONT, 3)[5])


def test_large_and_negative_coordinates():
    big = np.array([2**40, 2**40 + 1, 10**12])
    u = uniforms(2**63 - 1, big, -1, PARAM)
    assert ((u > 0) & (u < 1)).all()
    assert u[0, 0] != u[1, 0]
    assert stream_key(1, -1, 5) != stream_key(1, 1, 5)


# ----- uniformity -------------------------------------------------------------------------

@pytest.mark.parametrize("day,stream", [(0, Stream.FRONT), (1, Stream.AGREE),
                                        (364, Stream.BRENT), (-1, PARAM)])
def test_uniform_ks_and_chi_square(day, stream):
    u = _u(day=day, stream=stream)[:, 0]
    assert stats.kstest(u, "uniform").pvalue > ALPHA
    counts = np.bincount((u * 100).astype(int), minlength=100)
    assert stats.chisquare(counts).pvalue > ALPHA
    # moments: mean 1/2, variance 1/12
    assert abs(u.mean() - 0.5) < 3.29 * math.sqrt(1 / 12 / N)
    assert abs(u.var() - 1 / 12) < 3.29 * math.sqrt(1 / 180 / N)


def test_uniform_pairs_fill_the_square():
    """Two-dimensional equidistribution of (draw of replicate k, draw of replicate k+1)."""
    u = _u(day=3, stream=Stream.TALKS)[:, 0]
    cells = (np.floor(u[:-1] * 20) * 20 + np.floor(u[1:] * 20)).astype(int)
    counts = np.bincount(cells, minlength=400)
    assert stats.chisquare(counts).pvalue > ALPHA


def test_several_draws_per_replicate_are_uniform_in_every_column():
    u = _u(n=4, stream=Stream.FRONT, day=9)
    for j in range(4):
        assert stats.kstest(u[:, j], "uniform").pvalue > ALPHA


# ----- no correlation ---------------------------------------------------------------------

def _r(a, b) -> float:
    return float(np.corrcoef(a, b)[0, 1])


def test_no_correlation_across_streams():
    base = _u(stream=Stream.FRONT)[:, 0]
    for stream in (Stream.STRIKES, Stream.KILLED, Stream.INJURED, Stream.TALKS, Stream.AGREE,
                   Stream.DEADLINE, Stream.EXTEND, Stream.BRENT):
        assert abs(_r(base, _u(stream=stream)[:, 0])) < R_BOUND, stream
    # the parameter streams (day -1) against each other
    p0 = _u(day=-1, stream=PARAM)[:, 0]
    p1 = _u(day=-1, stream=parameter_stream("actors.RU.resolve"))[:, 0]
    assert abs(_r(p0, p1)) < R_BOUND


def test_no_correlation_across_neighbouring_replicates():
    u = _u(stream=Stream.AGREE, day=4)[:, 0]
    for lag in (1, 2, 4, 64):
        assert abs(_r(u[:-lag], u[lag:])) < R_BOUND * math.sqrt(N / (N - lag)), lag
    # with several draws per replicate, consecutive counters cross replicate boundaries
    v = _u(stream=Stream.FRONT, day=4, n=4)
    assert abs(_r(v[:-1, 3], v[1:, 0])) < R_BOUND * 1.0001
    assert abs(_r(v[:, 0], v[:, 1])) < R_BOUND


def test_no_correlation_across_days_and_seeds():
    d0 = _u(day=10, stream=Stream.BRENT)[:, 0]
    for other in (_u(day=11, stream=Stream.BRENT)[:, 0], _u(day=9, stream=Stream.BRENT)[:, 0],
                  _u(day=375, stream=Stream.BRENT)[:, 0],
                  _u(seed=SEED + 1, day=10, stream=Stream.BRENT)[:, 0]):
        assert abs(_r(d0, other)) < R_BOUND
    # one replicate day after day: lag-1 autocorrelation over 2000 days
    walk = np.array([uniforms(SEED, np.array([7]), day, Stream.FRONT)[0, 0]
                     for day in range(2000)])
    assert abs(_r(walk[:-1], walk[1:])) < 3.29 / math.sqrt(len(walk) - 1)


def test_rank_correlation_across_streams_and_days():
    a = _u(day=2, stream=Stream.STRIKES)[:, 0]
    b = _u(day=2, stream=Stream.KILLED)[:, 0]
    c = _u(day=3, stream=Stream.STRIKES)[:, 0]
    assert abs(stats.spearmanr(a, b).statistic) < R_BOUND
    assert abs(stats.spearmanr(a, c).statistic) < R_BOUND


# ----- derived draws ----------------------------------------------------------------------

def test_normals_are_standard_normal():
    z = normals(SEED, REPS, 12, Stream.BRENT)[:, 0]
    assert stats.kstest(z, "norm").pvalue > ALPHA
    assert abs(z.mean()) < 3.29 / math.sqrt(N)
    assert np.isfinite(z).all()
    # exactly the inverse normal CDF of the same uniforms
    u = uniforms(SEED, REPS, 12, Stream.BRENT)[:, 0]
    np.testing.assert_array_equal(z, stats.norm.ppf(u))


def test_one_draw_equals_the_array_of_draws():
    """What the compiled phases call (one number) is what the array function gives."""
    key = stream_key(SEED, 3, Stream.AGREE)
    u = uniforms(SEED, np.array([0, 41, 77]), 3, Stream.AGREE, 2)
    for row, r in enumerate((0, 41, 77)):
        assert [draw(key, r, 2, j) for j in range(2)] == u[row].tolist()


def _poisson(u: np.ndarray, lam) -> np.ndarray:
    lam = np.broadcast_to(np.asarray(lam, dtype=float), u.shape)
    return np.array([poisson_inverse(a, b) for a, b in zip(u, lam, strict=True)],
                    dtype=np.int64)


@pytest.mark.parametrize("lam", [0.0, 0.036, 0.5, 2.0, 12.0, 150.0, 900.0])
def test_poisson_inversion_matches_scipy_ppf_scalar(lam):
    u = uniforms(SEED, np.arange(20_000), 1, Stream.STRIKES)[:, 0]
    k = _poisson(u, lam)
    expected = np.zeros_like(k) if lam == 0 else stats.poisson.ppf(u, lam).astype(np.int64)
    np.testing.assert_array_equal(k, expected)


def test_poisson_inversion_matches_scipy_ppf_many_means():
    """Means of a compound process (strikes times a rate) and a grid of means."""
    u = uniforms(SEED, REPS, 2, Stream.KILLED)[:, 0]
    strikes = _poisson(uniforms(SEED, REPS, 2, Stream.STRIKES)[:, 0], 1.5)
    for lam in (strikes * 2.0, np.round(np.linspace(0.0, 60.0, N), 3)):
        k = _poisson(u, lam)
        pos = lam > 0
        np.testing.assert_array_equal(k[pos],
                                      stats.poisson.ppf(u[pos], lam[pos]).astype(np.int64))
        assert (k[~pos] == 0).all()


def test_poisson_counts_have_the_poisson_law():
    u = uniforms(SEED, REPS, 4, Stream.STRIKES)[:, 0]
    k = _poisson(u, 3.0)
    counts = np.bincount(k, minlength=12)[:12].astype(float)
    counts[-1] += (k >= 12).sum()
    probs = stats.poisson.pmf(np.arange(12), 3.0)
    probs[-1] += stats.poisson.sf(11, 3.0)
    assert stats.chisquare(counts, N * probs).pvalue > ALPHA


# ----- parameter sampling -----------------------------------------------------------------

def test_sampled_parameters_depend_only_on_seed_and_replicate():
    s = load_scenario("scenarios/aug2025.yaml")
    full = sample_uncertain(s, 9, np.arange(500))
    alone = sample_uncertain(s, 9, np.array([321]))
    for key in full:
        assert full[key][321] == alone[key][0]
    u = uniforms(9, np.arange(500), -1, parameter_stream("actors.US.credibility"))[:, 0]
    np.testing.assert_allclose(full["actors.US.credibility"], stats.beta(2, 3).ppf(u),
                               rtol=1e-12)
    # each parameter its own stream: no correlation between them
    a, b = full["actors.RU.optimism"], full["actors.RU.sanctions_sensitivity"]
    assert abs(_r(a, b)) < 3.29 / math.sqrt(500)


def test_generator_constants():
    """SplitMix64's golden-ratio increment: documented in docs/model.md."""
    assert GAMMA == 0x9E3779B97F4A7C15


# ----- streams by name (scheme by-name-v1) -------------------------------------------------

def test_parameter_streams_are_named_by_key_and_never_an_event_stream():
    ids = {parameter_stream(k) for k in ("actors.US.credibility", "actors.RU.resolve",
                                         "market.threat_loss_ratio")}
    assert len(ids) == 3
    assert all(i >= 2**63 for i in ids) and not ids & {int(s) for s in Stream}
    # stable: the id is a pure function of the key (BLAKE2b), pinned
    assert parameter_stream("actors.US.credibility") == parameter_stream("actors.US.credibility")
    assert STREAM_SCHEME == "by-name-v1"


def test_scenario_variants_draw_the_same_values_for_every_shared_parameter():
    """aug2025_no_threat drops actors.US.credibility and the removed threat's company-sanctions
    lag and wind-down from its uncertainty block: every other parameter keeps its draws,
    replicate by replicate."""
    reps = np.arange(2000)
    base = sample_uncertain(load_scenario("scenarios/aug2025.yaml"), 20250806, reps)
    other = sample_uncertain(load_scenario("scenarios/aug2025_no_threat.yaml"), 20250806, reps)
    shared = set(base) & set(other)
    assert len(shared) >= 4 and set(base) - set(other) == {
        "actors.US.credibility", "actors.US.threat.company_sanctions.lag_days",
        "actors.US.threat.company_sanctions.wind_down_days"}
    for key in shared:
        np.testing.assert_array_equal(base[key], other[key], err_msg=key)


def test_reordering_the_uncertainty_block_changes_no_draw():
    s = load_scenario("scenarios/aug2025.yaml")
    data = s.to_data()
    data["uncertainty"] = dict(reversed(list(data["uncertainty"].items())))
    from simulate.scenario.loader import validate

    reordered = validate(data, {}, "reordered")
    reps = np.arange(300)
    a, b = sample_uncertain(s, 3, reps), sample_uncertain(reordered, 3, reps)
    for key in a:
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)


def test_compare_pairs_runs_only_with_the_same_seed_and_stream_scheme():
    from results_factory import make_results

    from simulate.results.compare import compare

    a = make_results([1, 2, None, 3], seed=5)
    b = make_results([1, 2, None, None], seed=5, offset=1.0)
    assert a.manifest["streams"] == STREAM_SCHEME
    assert compare(a, b).paired(1)
    b.manifest["streams"] = "positional"      # a run from before streams were named
    assert not compare(a, b).paired(1)
    del b.manifest["streams"]
    assert not compare(a, b).paired(1)
    c = make_results([1, 2, None, None], seed=6)
    assert not compare(a, c).paired(1)


def test_a_run_records_its_stream_scheme():
    from simulate.execution.runner import run

    res = run("tests/model_scenarios/small.yaml", replicates=2, progress=False,
              counterfactual=False)
    assert res.manifest["streams"] == STREAM_SCHEME
