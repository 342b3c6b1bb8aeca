"""The first compilation of the model says so, once, on stderr; a cached model says nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from simulate.engines.compiling import MESSAGE

REPO = Path(__file__).resolve().parent.parent
_RUN = ("from simulate.execution.runner import run\n"
        "run('tests/golden/mini.yaml', replicates=3, progress=False, counterfactual=False)\n")


@pytest.mark.slow
def test_first_compilation_prints_one_line_and_the_cache_then_stays_quiet(tmp_path):
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "cache")}
    first = subprocess.run([sys.executable, "-c", _RUN], cwd=REPO, env=env,
                           capture_output=True, text=True, timeout=900)
    assert first.returncode == 0, first.stderr[-2000:]
    assert first.stderr.count(MESSAGE) == 1
    again = subprocess.run([sys.executable, "-c", _RUN], cwd=REPO, env=env,
                           capture_output=True, text=True, timeout=900)
    assert again.returncode == 0 and MESSAGE not in again.stderr
    # the events engine's adapters compile on its first use, and load from the cache after
    # (closures over a compiled function were compiled anew in every process)
    events = _RUN.replace("counterfactual=False)", "counterfactual=False, engine='events')")
    for _ in range(2):
        last = subprocess.run([sys.executable, "-c", events], cwd=REPO, env=env,
                              capture_output=True, text=True, timeout=900)
        assert last.returncode == 0, last.stderr[-2000:]
    assert MESSAGE not in last.stderr
