"""Execution: results identical for any chunk size, worker count and backend; failed tasks
are retried; an interrupted run resumes to the identical result (design sections 2, 5, 7).
The Dask backend has its own module (test_dask.py)."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from clitools import REPO, simulate_cli
from exec_helpers import flaky, square

from simulate.errors import ExecutionError, ResultsError
from simulate.execution.backends import run_tasks
from simulate.execution.checkpoint import CHECKPOINT_DIR
from simulate.execution.runner import chunk_ranges, run
from simulate.scenario import bundled_scenarios, load_scenario

AUG = bundled_scenarios()["aug2025"][0]


def _assert_same_results(a, b):
    pd.testing.assert_frame_equal(a.outcomes, b.outcomes, check_exact=True)
    pd.testing.assert_frame_equal(a.timeseries, b.timeseries, check_exact=True)
    pd.testing.assert_frame_equal(a.bands, b.bands, check_exact=True)
    pd.testing.assert_frame_equal(a.regime_bands, b.regime_bands, check_exact=True)
    assert a.log == b.log


@pytest.fixture(scope="module")
def reference():
    """300 replicates of aug2025 (with its counterfactual pass) in one chunk, serial."""
    return run(AUG, replicates=300, chunk_size=300, keep_series=20, progress=False)


@pytest.mark.parametrize("chunk", [1000, 64, 23])
def test_results_do_not_depend_on_chunk_size(reference, chunk):
    res = run(AUG, replicates=300, chunk_size=chunk, keep_series=20, progress=False)
    _assert_same_results(reference, res)
    assert res.manifest["chunk_size"] == chunk


@pytest.mark.parametrize("workers", [2, 3])
def test_results_do_not_depend_on_worker_processes(reference, workers):
    res = run(AUG, replicates=300, chunk_size=45, keep_series=20, workers=workers,
              progress=False)
    assert res.manifest["backend"] == "processes" and res.manifest["workers"] == workers
    _assert_same_results(reference, res)


def test_prefix_of_a_larger_run_is_the_smaller_run(reference):
    res = run(AUG, replicates=330, chunk_size=100, keep_series=20, progress=False)
    pd.testing.assert_frame_equal(res.outcomes.iloc[:300].reset_index(drop=True),
                                  reference.outcomes, check_exact=True)


def test_chunk_ranges_cover_every_replicate_once():
    assert chunk_ranges(10, 4) == [(0, 4), (4, 8), (8, 10)]
    assert chunk_ranges(3, 10) == [(0, 3)]
    ranges = chunk_ranges(1_000_003, 9_999)
    assert ranges[0][0] == 0 and ranges[-1][1] == 1_000_003
    assert all(a[1] == b[0] for a, b in zip(ranges, ranges[1:], strict=False))


# ----- run_tasks: ordering, retries, dead workers --------------------------------------------

@pytest.mark.parametrize("backend", ["serial", "processes"])
def test_run_tasks_returns_results_in_task_order(backend):
    out = run_tasks(square, [(i,) for i in range(23)], backend=backend, workers=2,
                    progress=False)
    assert out == [i * i for i in range(23)]
    got = {}
    assert run_tasks(square, [(i,) for i in range(5)], backend=backend, workers=2,
                     progress=False, on_result=lambda i, r: got.__setitem__(i, r)) is None
    assert got == {i: i * i for i in range(5)}


@pytest.mark.parametrize("backend", ["serial", "processes"])
def test_a_failed_task_is_retried_once(tmp_path, backend):
    tasks = [(str(tmp_path), f"t{i}", 1 if i % 2 else 0) for i in range(6)]
    out = run_tasks(flaky, tasks, backend=backend, workers=2, progress=False)
    assert out == [(f"t{i}", 2 if i % 2 else 1) for i in range(6)]


@pytest.mark.parametrize("backend", ["serial", "processes"])
def test_a_task_failing_twice_fails_the_run_with_its_description(tmp_path, backend):
    with pytest.raises(ExecutionError, match="failed 2 time") as info:
        run_tasks(flaky, [(str(tmp_path), "bad", 5)], backend=backend, workers=2,
                  progress=False)
    assert "planned failure 2" in str(info.value)
    assert (tmp_path / "bad.count").read_text() == "2"


@pytest.mark.parametrize("backend", ["serial", "processes"])
def test_a_failing_task_is_named_by_its_label(tmp_path, backend):
    """A sweep's task starts (scenario, point, seed, start, stop, ...): the message names the
    label its caller gave, not the first integers of the task."""
    tasks = [(str(tmp_path), "ok", 0), (str(tmp_path), "bad", 5)]
    with pytest.raises(ExecutionError) as info:
        run_tasks(flaky, tasks, backend=backend, workers=2, progress=False, retries=0,
                  labels=["point 0, replicates [0, 50)", "point 1, replicates [50, 100)"])
    assert str(info.value).startswith("point 1, replicates [50, 100) failed 1 time")
    with pytest.raises(ExecutionError, match="2 labels for 1 tasks"):
        run_tasks(square, [(1,)], labels=["a", "b"], progress=False)


def test_retries_can_be_raised_or_switched_off(tmp_path):
    assert run_tasks(flaky, [(str(tmp_path), "a", 2)], retries=2, progress=False) == [("a", 3)]
    with pytest.raises(ExecutionError):
        run_tasks(flaky, [(str(tmp_path), "b", 1)], retries=0, progress=False)


def test_a_dead_worker_process_is_replaced_and_its_task_resubmitted(tmp_path):
    tasks = [(str(tmp_path), "dies", 1, True)] + [(str(tmp_path), f"ok{i}", 0) for i in
                                                   range(4)]
    out = run_tasks(flaky, tasks, backend="processes", workers=2, progress=False)
    assert out[0] == ("dies", 2)
    assert [o[0] for o in out[1:]] == [f"ok{i}" for i in range(4)]


def test_a_worker_dying_every_time_fails_the_run(tmp_path):
    with pytest.raises(ExecutionError, match="worker process died"):
        run_tasks(flaky, [(str(tmp_path), "always", 9, True)], backend="processes",
                  workers=1, progress=False)


def test_unknown_backend_is_refused():
    with pytest.raises(ExecutionError, match="unknown backend"):
        run_tasks(square, [(1,)], backend="threads", progress=False)


# ----- checkpoints and resume ---------------------------------------------------------------

def test_resume_after_losing_chunks_gives_the_identical_result(tmp_path, reference):
    folder = tmp_path / "run"
    full = run(AUG, replicates=300, chunk_size=50, keep_series=20, progress=False,
               checkpoint_dir=folder)
    chunks = sorted((folder / CHECKPOINT_DIR).glob("chunk-*"))
    assert len(chunks) == 6
    identity = json.loads((folder / CHECKPOINT_DIR / "run.json").read_text())
    assert identity["replicates"] == 300 and identity["chunk_size"] == 50
    # an interruption: only some chunks were written
    for f in chunks[1::2]:
        f.unlink()
    resumed = run(AUG, replicates=300, chunk_size=50, keep_series=20, progress=False,
                  resume_dir=folder)
    assert resumed.manifest["resumed_chunks"] == 3
    _assert_same_results(full, resumed)
    _assert_same_results(reference, resumed)
    # a damaged checkpoint is run again, not trusted
    chunks = sorted((folder / CHECKPOINT_DIR).glob("chunk-*"))
    chunks[0].write_bytes(b"garbage")
    again = run(AUG, replicates=300, chunk_size=50, keep_series=20, progress=False,
                resume_dir=folder)
    assert again.manifest["resumed_chunks"] == 5
    _assert_same_results(full, again)


def test_resume_refuses_a_run_with_other_settings(tmp_path):
    folder = tmp_path / "run"
    run(AUG, replicates=60, chunk_size=30, progress=False, checkpoint_dir=folder,
        counterfactual=False)
    seed = load_scenario(AUG).ensemble.seed
    # each differing setting as written, whole: "KEY THEN then, NOW now"
    with pytest.raises(ResultsError, match=f"other settings \\(seed {seed} then, 99 now\\)"):
        run(AUG, replicates=60, chunk_size=30, seed=99, progress=False, resume_dir=folder,
            counterfactual=False)
    with pytest.raises(ResultsError, match="chunk_size 30 then, 20 now"):
        run(AUG, replicates=60, chunk_size=20, progress=False, resume_dir=folder,
            counterfactual=False)


def _chunk_files(folder: Path) -> list[Path]:
    return sorted((folder / CHECKPOINT_DIR).glob("chunk-*.npz"))


def test_killed_run_resumes_to_byte_identical_outcomes(tmp_path):
    """A run killed midway (SIGKILL), then `simulate run --resume`, writes the same
    outcomes.parquet, byte for byte, as an uninterrupted `simulate run`."""
    n, chunk, horizon = 2000, 200, 120
    folder = tmp_path / "interrupted"
    code = ("from simulate.execution.runner import run\n"
            f"run({str(AUG)!r}, replicates={n}, chunk_size={chunk}, progress=False, "
            f"overrides={{'horizon_days': {horizon}}}, checkpoint_dir={str(folder)!r})\n")
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=REPO,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 240
        while len(_chunk_files(folder)) < 3:
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.monotonic() < deadline, "no checkpoint written in time"
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=60)
    done_before = len(_chunk_files(folder))
    assert 3 <= done_before < n // chunk
    args = [str(AUG), "-n", str(n), "--chunk-size", str(chunk), "--set",
            f"horizon_days={horizon}", "--quiet", "--no-report"]
    resumed = simulate_cli("run", *args, "--out", str(folder), "--resume")
    assert resumed.returncode == 0, resumed.stderr
    fresh = simulate_cli("run", *args, "--out", str(tmp_path / "fresh"))
    assert fresh.returncode == 0, fresh.stderr
    for name in ("outcomes.parquet", "timeseries.parquet"):
        assert (folder / name).read_bytes() == (tmp_path / "fresh" / name).read_bytes(), name
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["resumed_chunks"] >= done_before
    assert not (folder / CHECKPOINT_DIR).exists()       # replaced by the final results
