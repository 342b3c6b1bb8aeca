"""A real `simulate run` in a subprocess, its worker processes, and the check that they end
when the run is killed with SIGKILL (issue 11: no orphaned workers keep computing)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from clitools import REPO

from simulate.scenario import bundled_scenarios

AUG = bundled_scenarios()["aug2025"][0]


def children(pid: int) -> list:
    """The live descendants of process ``pid`` (psutil processes; empty once it is gone)."""
    import psutil
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def _is_worker(process) -> bool:
    """A Python child that is not multiprocessing's resource tracker."""
    import psutil
    try:
        return "python" in process.name().lower() and \
            "resource_tracker" not in " ".join(process.cmdline())
    except psutil.Error:  # it ended meanwhile
        return False


def start_cli(cwd: Path, *args: str) -> subprocess.Popen:
    """``simulate run <aug2025> ARGS`` in its own session, stderr piped."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen([sys.executable, "-m", "simulate", "run", str(AUG), *args],
                            cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)


def assert_workers_die_with_killed_parent(cwd: Path, backend: str, workers: int = 2,
                                          grace: float = 15.0) -> None:
    """Start a long run on ``backend`` with ``workers`` workers, SIGKILL it once they run,
    and assert that none of its descendant processes is alive ``grace`` seconds later."""
    import psutil
    proc = start_cli(cwd, "-n", "400000", "--chunk-size", "2000", "--workers", str(workers),
                     "--backend", backend, "-q", "--set", "horizon_days=200")
    try:
        deadline = time.monotonic() + 180
        found: list = []
        while len(found) < workers:
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            assert time.monotonic() < deadline, "no worker processes started"
            time.sleep(0.2)
            found = [p for p in children(proc.pid) if _is_worker(p)]
        time.sleep(3.0)  # the workers are computing chunks: the run is mid-way
        assert proc.poll() is None, "the run ended before it was killed"
        descendants = children(proc.pid)
        assert len(descendants) >= workers
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        _, alive = psutil.wait_procs(descendants, timeout=grace)
        for p in alive:  # do not leave them behind for the next test
            p.kill()
        assert not alive, f"processes outlived their killed parent: {alive}"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)
