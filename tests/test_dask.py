"""The Dask backend on a real ``distributed.LocalCluster`` (2 worker processes): the same
results as the serial backend, by address from Python and from the command line (a
subprocess), with a local cluster started for the run, and with failed tasks retried."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from clitools import simulate_cli
from exec_helpers import flaky
from worker_tools import assert_workers_die_with_killed_parent

from simulate.errors import ExecutionError
from simulate.execution.backends import run_tasks
from simulate.execution.runner import run
from simulate.scenario import bundled_scenarios

pytest.importorskip("distributed")

AUG = bundled_scenarios()["aug2025"][0]
N, CHUNK = 240, 60


@pytest.fixture(scope="module")
def serial():
    return run(AUG, replicates=N, chunk_size=CHUNK, keep_series=10, progress=False)


def _same(a, b):
    pd.testing.assert_frame_equal(a.outcomes, b.outcomes, check_exact=True)
    pd.testing.assert_frame_equal(a.timeseries, b.timeseries, check_exact=True)
    pd.testing.assert_frame_equal(a.bands, b.bands, check_exact=True)
    pd.testing.assert_frame_equal(a.regime_bands, b.regime_bands, check_exact=True)


def test_cluster_by_address_from_python_and_cli_and_retries(dask_cluster, serial, tmp_path):
    cluster = dask_cluster
    res = run(AUG, replicates=N, chunk_size=45, keep_series=10, progress=False,
              scheduler=cluster.scheduler_address)
    assert res.manifest["backend"] == "dask"
    _same(serial, res)
    _cli_run_by_scheduler_address(cluster, serial, tmp_path)
    _retries(cluster, tmp_path)


def _cli_run_by_scheduler_address(cluster, serial, tmp_path):
    out = tmp_path / "dask"
    cli = simulate_cli("run", str(AUG), "-n", str(N), "--chunk-size", "80", "--scheduler",
                       cluster.scheduler_address, "--out", str(out), "--quiet", "--no-report")
    assert cli.returncode == 0, cli.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["backend"] == "dask"
    pd.testing.assert_frame_equal(pd.read_parquet(out / "outcomes.parquet"),
                                  serial.outcomes, check_exact=True)


def test_local_cluster_started_for_the_run(serial):
    res = run(AUG, replicates=N, chunk_size=CHUNK, keep_series=10, progress=False,
              backend="dask", workers=2)
    assert res.manifest["backend"] == "dask" and res.manifest["workers"] == 2
    _same(serial, res)


def _retries(cluster, tmp_path):
    tasks = [(str(tmp_path), f"t{i}", 1) for i in range(4)]
    out = run_tasks(flaky, tasks, backend="dask", scheduler=cluster.scheduler_address,
                    progress=False)
    assert out == [(f"t{i}", 2) for i in range(4)]
    with pytest.raises(ExecutionError, match="failed after 1 retry"):
        run_tasks(flaky, [(str(tmp_path), "bad", 5)], backend="dask",
                  scheduler=cluster.scheduler_address, progress=False)


def test_unreachable_scheduler_is_an_execution_error():
    from simulate.execution.dask_backend import connect
    with pytest.raises(ExecutionError, match="cannot reach the Dask scheduler"):
        connect(scheduler="tcp://127.0.0.1:9", timeout=2)


def test_dask_workers_die_with_a_killed_parent(tmp_path):
    """`simulate run --backend dask` starts a local cluster; killed with SIGKILL mid-run, its
    worker processes end too (issue 11; the processes backend: test_safety_execution.py)."""
    pytest.importorskip("psutil")
    assert_workers_die_with_killed_parent(tmp_path, "dask")
