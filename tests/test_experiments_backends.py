"""Sweeps and sensitivity analyses give identical results on the serial, processes and Dask
backends (a small ``distributed.LocalCluster``), whatever the chunk size."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from experiments_common import SMALL, write_small

import simulate

pytest.importorskip("distributed")
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    return write_small(tmp_path_factory.mktemp("backends"), SMALL)


def test_sweep_identical_on_serial_processes_and_dask(small, dask_cluster):
    cluster = dask_cluster
    serial = simulate.sweep(small, progress=False)
    procs = simulate.sweep(small, workers=2, backend="processes", chunk_size=10,
                           progress=False)
    dask = simulate.sweep(small, scheduler=cluster.scheduler_address, chunk_size=7,
                          progress=False)
    for other in (procs, dask):
        pd.testing.assert_frame_equal(other.replicates, serial.replicates, check_exact=True)
        pd.testing.assert_frame_equal(other.statistics, serial.statistics, check_exact=True)


def test_sensitivity_identical_on_serial_processes_and_dask(small, dask_cluster):
    cluster = dask_cluster
    kw = dict(points=4, replicates=10, outcome="oil_revenue_busd", progress=False)
    serial = simulate.sensitivity(small, **kw)
    for other in (simulate.sensitivity(small, workers=2, backend="processes", chunk_size=3, **kw),
                  simulate.sensitivity(small, scheduler=cluster.scheduler_address,
                                       chunk_size=4, **kw)):
        np.testing.assert_array_equal(other.y, serial.y)
        pd.testing.assert_frame_equal(other.indices, serial.indices, check_exact=True)
