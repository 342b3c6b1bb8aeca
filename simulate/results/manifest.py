"""Provenance of a run (``manifest.json``)."""

from __future__ import annotations

import datetime as _dt
import platform
import subprocess
from pathlib import Path

import numpy as np

__all__ = ["make_manifest", "git_commit", "RUN_KEY", "IDENTITY_FIELDS", "run_identity",
           "check_listed_names", "check_against_data", "stamp"]


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
    import numba
    import pandas as pd

    from .. import __version__
    from ..model.streams import STREAM_SCHEME
    return {
        "simulate_version": __version__, "scenario": scenario_name,
        "scenario_sha256": scenario_sha256, "seed": int(seed), "replicates": int(replicates),
        "engine": engine, "backend": backend, "workers": int(workers),
        "chunk_size": int(chunk_size), "keep_series": int(keep_series),
        "counterfactual": bool(counterfactual), "streams": STREAM_SCHEME,
        "started": started.isoformat(timespec="seconds"),
        "finished": finished.isoformat(timespec="seconds"),
        "wall_seconds": round((finished - started).total_seconds(), 3),
        "python": platform.python_version(), "numpy": np.__version__,
        "pandas": pd.__version__, "numba": numba.__version__,
        "platform": platform.platform(),
        "git_commit": git_commit(),
    }


#: Parquet schema metadata key of outcomes.parquet holding the run's identity (JSON)
RUN_KEY = b"simulate.run"
#: the manifest fields that must agree with the data they describe
IDENTITY_FIELDS = ("scenario_sha256", "seed", "replicates", "engine")


def run_identity(manifest: dict) -> dict:
    """The fields of a manifest that identify the run (stored with the outcomes too)."""
    return {k: manifest.get(k) for k in IDENTITY_FIELDS}


def check_listed_names(directory: Path, listed: dict) -> None:
    """Refuse a manifest that lists a file outside its folder or a name that is not a plain
    relative path (a crafted manifest must not make a reader open other files)."""
    from ..errors import ResultsError
    for name, digest in listed.items():
        parts = Path(str(name)).parts
        if (not isinstance(name, str) or not parts or Path(name).is_absolute()
                or ".." in parts or not isinstance(digest, str)):
            raise ResultsError(f"{directory / 'manifest.json'}: files: expected relative "
                               f"names inside the folder with sha256 texts, found "
                               f"{str(name)[:60]!r}")


def check_against_data(directory: Path, manifest: dict, outcomes, scenario_bytes: bytes,
                       stored: dict | None, summary: dict | None) -> None:
    """Refuse a manifest that describes another run than the data beside it.

    Checked: rows of ``outcomes`` = ``replicates`` and replicate indices 0..n-1; sha256 of
    ``scenario.yaml`` = ``scenario_sha256``; the run identity stored inside
    ``outcomes.parquet`` (``stored``: seed, replicates, scenario checksum, engine; absent in
    folders written before it was) and ``summary.json``'s seed and replicates agree with the
    manifest. Raises :class:`~simulate.errors.ResultsError` naming the first disagreement.
    """
    import hashlib

    from ..errors import ResultsError
    where = directory / "manifest.json"

    def refuse(what: str, found: object, data: object, source: str) -> None:
        raise ResultsError(f"{where}: {what}: expected {data!r:.80} as in {source}, found "
                           f"{found!r:.80} (the manifest does not describe this data)")

    n = len(outcomes)
    if manifest.get("replicates") != n:
        refuse("replicates", manifest.get("replicates"), n, "outcomes.parquet (rows)")
    if "replicate" in outcomes:
        reps = np.asarray(outcomes["replicate"])
        if not np.array_equal(reps, np.arange(n)):
            raise ResultsError(f"{directory / 'outcomes.parquet'}: replicate: expected the "
                               f"indices 0 to {n - 1} in order, found others")
    digest = hashlib.sha256(scenario_bytes).hexdigest()
    if manifest.get("scenario_sha256") != digest:
        refuse("scenario_sha256", manifest.get("scenario_sha256"), digest,
               "scenario.yaml")
    for key, value in (stored or {}).items():
        if manifest.get(key) != value:
            refuse(key, manifest.get(key), value, "outcomes.parquet (run identity)")
    for key in ("seed", "replicates", "engine"):
        if isinstance(summary, dict) and key in summary and summary[key] != manifest.get(key):
            refuse(key, manifest.get(key), summary[key], "summary.json")


def stamp(manifest: dict, rows: int, scenario_text: str) -> dict[bytes, str]:
    """Make ``manifest`` state what is being saved (rows, checksum of the scenario text) and
    return the Parquet metadata that stores the run identity with the outcomes."""
    import hashlib
    import json

    manifest["replicates"] = int(rows)
    manifest["scenario_sha256"] = hashlib.sha256(scenario_text.encode()).hexdigest()
    return {RUN_KEY: json.dumps(run_identity(manifest), default=str)}
