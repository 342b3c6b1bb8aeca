"""Determinism (DESIGN section 2): the same seed gives byte-identical result files, another
seed gives other outcomes, a replicate replayed alone equals itself inside a run, chunking,
backends and engines do not change a number, and a counterfactual runs on the same random
numbers as its baseline."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simulate.execution.runner import counterfactual_of, run
from simulate.model.sampling import sample_uncertain
from simulate.scenario import load_scenario
from simulate.trace import trace

SMALL = Path(__file__).parent / "model_scenarios" / "small.yaml"
FILES = ("outcomes.parquet", "summary.json", "timeseries.parquet", "scenario.yaml")


def _run(**kw):
    kw.setdefault("progress", False)
    return run(SMALL, **kw)


def _equal_frames(a: pd.DataFrame, b: pd.DataFrame, columns=None) -> None:
    columns = list(a.columns if columns is None else columns)
    for c in columns:
        assert np.array_equal(np.asarray(a[c]), np.asarray(b[c])), c


def test_same_seed_gives_byte_identical_files(tmp_path):
    first = _run().save(tmp_path / "a")
    second = _run().save(tmp_path / "b")
    for name in FILES:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_different_seed_gives_different_outcomes():
    a = _run(counterfactual=False).outcomes
    b = _run(counterfactual=False, seed=100).outcomes
    assert not np.array_equal(a["oil_revenue_busd"], b["oil_revenue_busd"])
    assert not np.array_equal(a["killed"], b["killed"])
    assert not np.array_equal(a["param:actors.RU.optimism"], b["param:actors.RU.optimism"])
    # the same seed again: identical in every column
    _equal_frames(a, _run(counterfactual=False).outcomes)


@pytest.fixture(scope="module")
def with_counterfactual():
    return _run(counterfactual=True).outcomes


@pytest.mark.parametrize("k", [0, 17, 39])
def test_trace_replays_a_replicate_exactly(k, with_counterfactual):
    """Replicate k traced alone (events engine, one row) equals row k of a batch run in
    every outcome column the trace has (a run adds only the counterfactual columns)."""
    runs = with_counterfactual
    t = trace(SMALL, k)
    row = runs.iloc[k]
    assert row["replicate"] == k
    extra = set(runs.columns) - set(t.outcome.index)
    assert extra == {"oil_revenue_cf_busd", "oil_revenue_loss_busd", "deal_cf"}
    for col, value in t.outcome.items():
        got = row[col]
        assert got == value, f"{col}: run {got!r} != trace {value!r}"
    assert not t.log.empty


def test_chunk_size_and_backend_do_not_change_results():
    ref = _run(counterfactual=True, chunk_size=40)
    for kw in ({"chunk_size": 7}, {"chunk_size": 13, "workers": 2, "backend": "processes"}):
        other = _run(counterfactual=True, **kw)
        _equal_frames(ref.outcomes, other.outcomes)
        pd.testing.assert_frame_equal(ref.timeseries, other.timeseries)
    ones = _run(counterfactual=True, chunk_size=1, replicates=6)
    _equal_frames(ref.outcomes.iloc[:6].reset_index(drop=True), ones.outcomes)


def test_events_engine_equals_batch_engine():
    """Same machine: the same bits (both engines run the same compiled phases)."""
    batch = _run(counterfactual=False, replicates=12)
    events = _run(counterfactual=False, replicates=12, engine="events")
    _equal_frames(batch.outcomes, events.outcomes)
    pd.testing.assert_frame_equal(batch.timeseries, events.timeseries, check_exact=True)
    pd.testing.assert_frame_equal(batch.bands, events.bands, check_exact=True)
    pd.testing.assert_frame_equal(batch.regime_bands, events.regime_bands, check_exact=True)


def test_a_prefix_of_replicates_is_unchanged_by_running_more():
    short = _run(counterfactual=False, replicates=10).outcomes
    long = _run(counterfactual=False, replicates=40).outcomes.iloc[:10].reset_index(drop=True)
    _equal_frames(short, long)


def test_counterfactual_keeps_every_other_parameters_stream():
    """Removing the measures must not change the draws of the other uncertain parameters
    (each has the stream of its key): the counterfactual of replicate k samples replicate
    k's values."""
    s = load_scenario(SMALL)
    cf = counterfactual_of(s)
    reps = np.arange(50)
    base, other = sample_uncertain(s, 5, reps), sample_uncertain(cf, 5, reps)
    assert list(base) == list(other)
    for key in base:
        if ".threat." in key or key.endswith("credibility"):
            assert (np.asarray(other[key], float) == 0).all()
        else:
            assert np.array_equal(base[key], other[key]), key


def test_measures_that_cannot_matter_give_a_zero_paired_difference():
    """With credibility 0 and no timeline the threat never acts, so the baseline and its
    counterfactual are the same path draw for draw: identical deals, zero revenue loss."""
    over = {"actors.US.credibility": 0.0, "timeline": [],
            "uncertainty": {"actors.US.threat.secondary_tariff.rate":
                            {"dist": "uniform", "low": 0.5, "high": 1.0},
                            "actors.RU.optimism": {"dist": "uniform", "low": 0.0,
                                                   "high": 0.001}}}
    o = _run(counterfactual=True, overrides=over).outcomes
    assert o["deal"].any() and not o["deal"].all()
    assert (o["deal"] == o["deal_cf"]).all()
    assert (o["oil_revenue_loss_busd"] == 0).all()


def test_counterfactual_has_no_measures():
    cf = counterfactual_of(load_scenario(SMALL))
    o = run(cf, replicates=10, progress=False, counterfactual=False).outcomes
    assert (o["threat"] == "none").all()
    assert (o["tariff_cost_CN_busd"] == 0).all() and (o["tariff_cost_IN_busd"] == 0).all()
    assert (o["decision_day"] == -1).all()


def test_no_global_random_state_is_touched():
    """The legacy global generators are exactly what this test is about."""
    np.random.seed(123)  # noqa: NPY002
    random.seed(123)
    np_state, py_state = np.random.get_state(), random.getstate()  # noqa: NPY002
    _run(counterfactual=True, replicates=5)
    trace(SMALL, 3)
    after = np.random.get_state()  # noqa: NPY002
    assert all(np.array_equal(a, b) for a, b in zip(np_state, after, strict=True))
    assert random.getstate() == py_state


# ----- the determinism contract across CPUs and the pure-Python path (docs/design.md) ------

#: relative tolerance of the cross-machine contract (docs/design.md, "Determinism")
CROSS_TOL = 1e-9
GOLDEN = Path(__file__).parent / "golden" / "mini.yaml"
_DUMP = """
import sys
from simulate.execution.runner import run
res = run(sys.argv[1], progress=False, counterfactual=True, keep_series=5)
res.outcomes.to_parquet(sys.argv[2] + "/outcomes.parquet")
res.timeseries.to_parquet(sys.argv[2] + "/timeseries.parquet")
"""


def _run_in_subprocess(tmp_path: Path, name: str, env: dict[str, str]) -> tuple:
    import os
    import subprocess
    import sys

    out = tmp_path / name
    out.mkdir()
    full_env = {**os.environ, **env}
    done = subprocess.run([sys.executable, "-W", "ignore::RuntimeWarning", "-c", _DUMP,
                           str(GOLDEN), str(out)], env=full_env, capture_output=True,
                          text=True, timeout=900, cwd=Path(__file__).parent.parent)
    assert done.returncode == 0, done.stderr[-3000:]
    return (pd.read_parquet(out / "outcomes.parquet"),
            pd.read_parquet(out / "timeseries.parquet"))


def _within_contract(a: pd.DataFrame, b: pd.DataFrame, label: str) -> None:
    """Floating-point columns equal within CROSS_TOL (relative; absolute near 0), every other
    column identical."""
    assert list(a.columns) == list(b.columns), label
    for c in a.columns:
        x, y = np.asarray(a[c]), np.asarray(b[c])
        if x.dtype.kind == "f":
            np.testing.assert_allclose(x, y, rtol=CROSS_TOL, atol=1e-12,
                                       err_msg=f"{label}: {c}")
        else:
            assert np.array_equal(x, y), f"{label}: {c}"


@pytest.mark.slow
def test_golden_scenario_on_a_generic_cpu_and_without_simd_meets_the_contract(
        tmp_path, generic_cpu_cache):
    """numpy without its AVX2/AVX-512 kernels and numba compiled for a generic x86-64 CPU
    give the normal run's numbers within the cross-machine tolerance (a CPU-dependent
    result cannot land unnoticed). The generic compilation is the session's shared one."""
    ref = _run_in_subprocess(tmp_path, "ref", {})
    env, _ = generic_cpu_cache
    other = _run_in_subprocess(tmp_path, "generic", env)
    for a, b, what in zip(ref, other, ("outcomes", "timeseries"), strict=True):
        _within_contract(a, b, f"generic CPU {what}")


@pytest.mark.slow
def test_pure_python_rules_give_the_compiled_numbers(tmp_path):
    """NUMBA_DISABLE_JIT=1 runs the same source as plain Python: the same numbers within the
    cross-machine tolerance."""
    ref = _run_in_subprocess(tmp_path, "ref", {})
    python = _run_in_subprocess(tmp_path, "python", {"NUMBA_DISABLE_JIT": "1"})
    for a, b, what in zip(ref, python, ("outcomes", "timeseries"), strict=True):
        _within_contract(a, b, f"pure Python {what}")
