"""Test session set-up: numba's cached code is dropped first if any compiled source changed
(rule tests call compiled functions directly, before any engine would check); fixtures
shared by several test modules (one compilation for a generic CPU serves all workers);
Hypothesis without its per-example deadline (the first example of a rule test compiles the
rule when numba's cache is cold, as on a fresh clone, and CI's CPUs differ in speed: a time
limit there tests the machine, not the rule)."""

import os

import pytest
from clitools import GENERIC_CPU, run_small
from filelock import FileLock
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


@pytest.fixture(scope="session")
def generic_cpu_cache(tmp_path_factory, worker_id):
    """``(environment, standard error of the first run)``: a process environment of a
    generic CPU (:data:`GENERIC_CPU`) whose numba cache, a folder of its own, was empty when
    its first run compiled the model. Compiled once per test session, under a lock, for
    every pytest-xdist worker: the compilation test needs an empty cache and the
    cross-CPU determinism test a generic-CPU compilation, and one cold compilation serves
    both."""
    shared = tmp_path_factory.getbasetemp()
    if worker_id != "master":
        shared = shared.parent      # the session's folder, above the workers' own
    env = {**os.environ, **GENERIC_CPU, "NUMBA_CACHE_DIR": str(shared / "numba-generic")}
    first = shared / "numba-generic.first-stderr"
    with FileLock(str(shared / "numba-generic.lock")):
        if not first.exists():
            first.write_text(run_small("batch", env))
    return env, first.read_text()
