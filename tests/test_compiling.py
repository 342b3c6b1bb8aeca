"""The first compilation of the model says so, once, on stderr; a cached model says nothing."""

from __future__ import annotations

import pytest
from clitools import run_small

from simulate.engines.compiling import MESSAGE


@pytest.mark.slow
def test_first_compilation_prints_one_line_and_the_cache_then_stays_quiet(generic_cpu_cache):
    env, first = generic_cpu_cache       # its first run compiled into an empty cache
    assert first.count(MESSAGE) == 1
    assert MESSAGE not in run_small("batch", env)
    # the events engine's adapters compile on its first use, and load from the cache after
    # (closures over a compiled function were compiled anew in every process)
    run_small("events", env)
    assert MESSAGE not in run_small("events", env)
