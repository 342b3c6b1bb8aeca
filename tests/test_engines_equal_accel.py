"""The optional compiled path (numba) of the batch engine gives the numbers of its numpy
reference path, bit for bit: on every bundled scenario and on scenarios with many
per-replicate parameters; and each compiled kernel equals the numpy function it replaces.

Skipped when numba is not installed (the numpy path then runs everywhere).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy import special

from simulate.engines.bands import BandSketch
from simulate.engines.batch import run_batch
from simulate.engines.fused import fused_plan
from simulate.execution.runner import counterfactual_of
from simulate.model import accel
from simulate.model.params import compile_params
from simulate.model.streams import GAMMA, counter_products, stream_key, uniforms_from
from simulate.scenario import bundled_scenarios, load_scenario

numba = pytest.importorskip("numba")

HERE = Path(__file__).parent / "engines_scenarios"
N = 1500


def _both(scenario, reps, keep):
    accel.set_mode("numpy")
    try:
        reference = run_batch(scenario, scenario.ensemble.seed, reps, keep)
        accel.set_mode("numba")
        compiled = run_batch(scenario, scenario.ensemble.seed, reps, keep)
    finally:
        accel.set_mode(None)
    return reference, compiled


def _assert_identical(a, b, label):
    assert list(a.outcomes) == list(b.outcomes)
    for col in a.outcomes:
        assert np.array_equal(a.outcomes[col], b.outcomes[col]), f"{label}: {col}"
    assert np.array_equal(a.kept, b.kept)
    for name in a.series:
        assert np.array_equal(a.series[name], b.series[name]), f"{label}: series {name}"
    assert a.bands == b.bands, f"{label}: band sketches"


@pytest.mark.parametrize("name", sorted(bundled_scenarios()))
def test_compiled_batch_equals_numpy_batch_on_bundled_scenarios(name):
    s = load_scenario(bundled_scenarios()[name][0])
    reps = np.arange(N)
    p = compile_params(s)
    assert fused_plan(p, N, reps < 40) if accel.mode() != "numpy" else True
    a, b = _both(s, reps, 40)
    _assert_identical(a, b, name)
    if s.outputs.counterfactual:
        a, b = _both(counterfactual_of(s), reps, 0)
        _assert_identical(a, b, f"{name} (counterfactual)")


@pytest.mark.parametrize("file", ["aug2025_uncertain.yaml", "strikes_uncertain.yaml"])
def test_compiled_batch_equals_numpy_batch_with_per_replicate_parameters(file):
    s = load_scenario(HERE / file)
    reps = np.arange(1000, 1000 + 800)        # a chunk that does not start at 0
    a, b = _both(s, reps, 1030)
    _assert_identical(a, b, file)


def test_compiled_path_is_used_only_where_it_applies():
    s = load_scenario(bundled_scenarios()["aug2025"][0])
    p = compile_params(s)
    accel.set_mode("numba")
    try:
        assert fused_plan(p, 1000, np.arange(1000) < 10)
        # kept rows that are not a leading block: numpy recording
        assert not fused_plan(p, 1000, np.arange(1000) % 2 == 0)
        s2 = load_scenario(HERE / "strikes_uncertain.yaml")
        from simulate.model.params import sample_uncertain
        p2 = compile_params(s2, sample_uncertain(s2, 1, np.arange(1000)))
        assert not fused_plan(p2, 1000, np.zeros(1000, dtype=bool))
        accel.set_mode("numpy")
        assert not fused_plan(p, 1000, np.zeros(1000, dtype=bool))
        accel.set_mode("auto")
        assert not fused_plan(p, 10, np.zeros(10, dtype=bool))
    finally:
        accel.set_mode(None)


# ----- the kernels one by one ---------------------------------------------------------------

def test_uniform_kernel_equals_numpy_hash():
    from simulate.model.streams import _uniforms_numpy, _uniforms_python
    reps = np.concatenate([np.arange(5000), [2**40, 2**62 - 1]])
    cg = counter_products(reps, 3)
    key = stream_key(20250806, 17, 9)
    kernel = accel._load()["uniforms"]
    out = np.empty(cg.size)
    kernel(cg.reshape(-1), np.uint64(key), out)
    with np.errstate(over="ignore"):
        ref = _uniforms_numpy(key, cg)
    assert np.array_equal(out.reshape(cg.shape), ref)
    assert np.array_equal(_uniforms_python(key, cg[:2]), ref[:2])
    assert np.array_equal(uniforms_from(key, cg), ref)
    assert GAMMA == 0x9E3779B97F4A7C15


def test_ndtri_kernel_equals_scipy_bit_for_bit():
    rng = np.random.default_rng(7)
    grid = (np.arange(1, 200_000, dtype=float) + 0.5) / 2.0**53
    u = np.concatenate([rng.random(500_000), grid, 1.0 - grid, [0.5, 0.135, 0.865,
                                                                np.exp(-32.0)]])
    out = np.empty_like(u)
    accel._load()["ndtri"](u, out)
    assert np.array_equal(out, special.ndtri(u))


def test_pairwise_sum_kernel_equals_numpy_sum():
    from simulate.engines import _fused_kernels as k
    rng = np.random.default_rng(3)
    for n in list(range(0, 40)) + [127, 128, 129, 200, 300, 1000]:
        a = rng.standard_normal(n) * 10.0 ** rng.uniform(-6, 6, n)
        assert k._np_sum(a, n) == a.sum() or (n == 0 and k._np_sum(a, n) == 0.0), n
        rows = rng.standard_normal((50, n))
        if n:
            assert np.array_equal([k._np_sum(r, n) for r in rows], rows.sum(axis=-1)), n


def test_power_kernel_follows_numpy_scalar_exponent_shortcuts():
    from simulate.engines import _fused_kernels as k
    x = np.random.default_rng(4).random(20_000) * 3 + 1e-3
    for e in (0.5, 2.0, -1.0, 1.0, 0.0, 0.37, -2.44):
        scalar = x ** e                            # numpy: ndarray ** scalar
        array = np.power(x, np.full_like(x, e))    # numpy: element-wise power
        assert np.array_equal([k._pow(v, e, True) for v in x], scalar), e
        assert np.array_equal([k._pow(v, e, False) for v in x], array), e


def test_band_kernel_equals_numpy_binning():
    s = load_scenario(bundled_scenarios()["aug2025"][0])
    a = BandSketch.for_scenario(s)
    b = BandSketch.for_scenario(s)
    rng = np.random.default_rng(9)
    C = len(a.layout.columns)
    for day in (0, 5, 200):
        values = rng.normal(size=(6000, C)) * 50 + 10
        values[:, -1] = np.rint(np.abs(values[:, -1]))
        accel.set_mode("numpy")
        a.add(day, values)
        accel.set_mode("numba")
        b.add(day, values)
    accel.set_mode(None)
    assert a == b


def test_a_compile_failure_falls_back_to_the_numpy_path(monkeypatch):
    """If numba cannot compile for a chunk, the chunk is run again from day 0 with numpy."""
    from numba.core.errors import TypingError

    from simulate.engines import fused

    def fail(*args, **kwargs):
        raise TypingError("simulated typing failure")

    s = load_scenario(bundled_scenarios()["aug2025"][0])
    reps = np.arange(700)
    accel.set_mode("numpy")
    try:
        reference = run_batch(s, 5, reps, 10)
        monkeypatch.setattr(fused, "_days", fail)
        accel.set_mode("numba")
        fallback = run_batch(s, 5, reps, 10)
    finally:
        accel.set_mode(None)
    _assert_identical(reference, fallback, "fallback")
