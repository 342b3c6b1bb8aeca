"""Test session set-up: numba's cached code is dropped first if any compiled source changed
(rule tests call compiled functions directly, before any engine would check)."""

from simulate.engines.compiling import ensure_fresh_cache


def pytest_configure(config):
    ensure_fresh_cache()
