"""Provenance of a run (``manifest.json``)."""

from __future__ import annotations

import datetime as _dt
import platform
import subprocess
from pathlib import Path

import numpy as np

__all__ = ["make_manifest", "git_commit"]


def git_commit(where: Path | None = None) -> str | None:
    """Commit of the simulate source tree, if it is a git checkout."""
    where = where or Path(__file__).resolve().parent
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=where, capture_output=True,
                             text=True, timeout=5, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


def make_manifest(*, scenario_name: str, scenario_sha256: str, seed: int, replicates: int,
                  engine: str, backend: str, workers: int, chunk_size: int,
                  started: _dt.datetime, finished: _dt.datetime, keep_series: int,
                  counterfactual: bool) -> dict:
    """The manifest fields of design section 5 (checksums are added when saving)."""
    import pandas as pd

    from .. import __version__
    return {
        "simulate_version": __version__, "scenario": scenario_name,
        "scenario_sha256": scenario_sha256, "seed": int(seed), "replicates": int(replicates),
        "engine": engine, "backend": backend, "workers": int(workers),
        "chunk_size": int(chunk_size), "keep_series": int(keep_series),
        "counterfactual": bool(counterfactual),
        "started": started.isoformat(timespec="seconds"),
        "finished": finished.isoformat(timespec="seconds"),
        "wall_seconds": round((finished - started).total_seconds(), 3),
        "python": platform.python_version(), "numpy": np.__version__,
        "pandas": pd.__version__, "platform": platform.platform(),
        "git_commit": git_commit(),
    }
