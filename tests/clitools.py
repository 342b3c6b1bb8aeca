"""Helpers for tests that run the real command line in a subprocess."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"


def simulate_cli(*args: str, cwd: Path | str | None = None, timeout: float = 300,
                 env: dict | None = None) -> subprocess.CompletedProcess:
    """Run ``python -m simulate ARGS`` and capture its output (text)."""
    full_env = {**os.environ, "PYTHONHASHSEED": "0", **(env or {})}
    return subprocess.run([sys.executable, "-m", "simulate", *args], cwd=cwd or REPO,
                          capture_output=True, text=True, timeout=timeout, env=full_env,
                          stdin=subprocess.DEVNULL)


#: a process on a generic x86-64 CPU: numpy without its SIMD kernels above the x86-64-v2
#: baseline (``np.show_runtime()`` names them), numba compiling for no particular CPU
GENERIC_CPU = {"NPY_DISABLE_CPU_FEATURES": "X86_V3 X86_V4 AVX512_ICL AVX512_SPR",
               "NUMBA_CPU_NAME": "generic"}

#: relative tolerance of numbers in JSON golden files: the cross-machine contract of
#: docs/design.md ("Determinism")
GOLDEN_RTOL = 1e-9


def _close(a, b) -> bool:
    """JSON values equal, numbers within GOLDEN_RTOL (absolute 1e-12 near zero)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b, strict=True))
    numbers = (int, float)
    if isinstance(a, numbers) and isinstance(b, numbers) and not isinstance(a, bool) \
            and not isinstance(b, bool):
        return abs(a - b) <= max(GOLDEN_RTOL * max(abs(a), abs(b)), 1e-12)
    return a == b


def check_golden(name: str, text: str) -> None:
    """Compare ``text`` with ``tests/golden/NAME``; SIMULATE_UPDATE_GOLDEN=1 rewrites it.
    A ``.json`` golden file compares its numbers within GOLDEN_RTOL, other files exactly."""
    path = GOLDEN / name
    if os.environ.get("SIMULATE_UPDATE_GOLDEN") == "1":
        path.write_text(text, encoding="utf-8")
    expected = path.read_text(encoding="utf-8")
    if name.endswith(".json"):
        import json

        same = _close(json.loads(text), json.loads(expected))
    else:
        same = text == expected
    assert same, f"output differs from {path}; if the change is intended, rerun " \
                 "with SIMULATE_UPDATE_GOLDEN=1 and review the diff"


def refused(out: subprocess.CompletedProcess, *words: str) -> str:
    """Exit 2, one line on standard error holding every word, no traceback."""
    assert out.returncode == 2, (out.returncode, out.stderr)
    assert "Traceback" not in out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    for w in words:
        assert w in lines[0], lines[0]
    return lines[0]


def checksums(d: Path) -> dict[str, str]:
    """sha256 of every file below ``d`` (hidden ones too), and every folder's name."""
    return {p.relative_to(d).as_posix(): (hashlib.sha256(p.read_bytes()).hexdigest()
                                          if p.is_file() else "folder")
            for p in sorted(d.rglob("*"))}


#: a small batch run (the golden scenario, 3 replicates)
SMALL_RUN = ("from simulate.execution.runner import run\n"
             "run('tests/golden/mini.yaml', replicates=3, progress=False, counterfactual=False,\n"
             "    engine={engine!r})\n")


def run_small(engine: str, env: dict) -> str:
    """Standard error of :data:`SMALL_RUN` with ``engine`` in a new process, which must
    succeed."""
    out = subprocess.run([sys.executable, "-c", SMALL_RUN.format(engine=engine)], cwd=REPO,
                         env=env, capture_output=True, text=True, timeout=900)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stderr
