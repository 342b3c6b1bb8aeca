"""Test session set-up: numba's cached code is dropped first if any compiled source changed
(rule tests call compiled functions directly, before any engine would check); fixtures
shared by several test modules; Hypothesis without its per-example deadline (the first
example of a rule test compiles the rule when numba's cache is cold, as on a fresh clone, and
CI's CPUs differ in speed: a time limit there tests the machine, not the rule)."""

import pytest
from hypothesis import settings

from simulate.engines.compiling import ensure_fresh_cache

settings.register_profile("simulate", deadline=None)
settings.load_profile("simulate")


def pytest_configure(config):
    ensure_fresh_cache()


@pytest.fixture(scope="module")
def dask_cluster():
    """A real ``distributed.LocalCluster`` of 2 single-threaded worker processes (no
    dashboard), one per test module; skipped where distributed is not installed."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=":0") as cluster:
        yield cluster
