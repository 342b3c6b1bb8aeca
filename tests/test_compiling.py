"""The first compilation of the model says so, once, on stderr; a cached model says nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from simulate.engines.compiling import MESSAGE

REPO = Path(__file__).resolve().parent.parent
#: a small run with the engine ``{engine}``
_RUN = ("from simulate.execution.runner import run\n"
        "run('tests/golden/mini.yaml', replicates=3, progress=False, counterfactual=False,\n"
        "    engine={engine!r})\n")


def _run(engine: str, env: dict) -> str:
    """Standard error of :data:`_RUN` with ``engine`` in a new process (which must succeed)."""
    out = subprocess.run([sys.executable, "-c", _RUN.format(engine=engine)], cwd=REPO, env=env,
                         capture_output=True, text=True, timeout=900)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stderr


@pytest.mark.slow
def test_first_compilation_prints_one_line_and_the_cache_then_stays_quiet(tmp_path):
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "cache")}
    assert _run("batch", env).count(MESSAGE) == 1
    assert MESSAGE not in _run("batch", env)
    # the events engine's adapters compile on its first use, and load from the cache after
    # (closures over a compiled function were compiled anew in every process)
    _run("events", env)
    assert MESSAGE not in _run("events", env)
