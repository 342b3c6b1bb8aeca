"""Module-level task functions for the execution-backend tests (worker processes and Dask
workers import them by name)."""

from __future__ import annotations

import os
from pathlib import Path


def flaky(marker_dir: str, key: str, fail_times: int, die: bool = False) -> tuple[str, int]:
    """Fail (raise, or kill the worker process with ``die``) the first ``fail_times`` calls
    for ``key``, then return (key, number of calls)."""
    path = Path(marker_dir) / f"{key}.count"
    n = int(path.read_text()) if path.exists() else 0
    path.write_text(str(n + 1))
    if n < fail_times:
        if die:
            os._exit(3)
        raise RuntimeError(f"planned failure {n + 1} of {key}")
    return key, n + 1


def square(x: int) -> int:
    return x * x
