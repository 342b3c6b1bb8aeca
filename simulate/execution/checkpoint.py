"""Checkpoints of completed chunks, so an interrupted run resumes to the identical result.

A run with a checkpoint folder writes each completed chunk to ``DIR/.chunks/`` (one file per
chunk, written under a temporary name and renamed, so a file is either whole or absent) next
to ``run.json``, the identity of the run (scenario checksum, seed, replicates, engine, chunk
size, kept series, counterfactual, package version). Resuming checks that identity, loads the
chunks already done and runs only the others; since every chunk is a pure function of its
replicate range, the result is the one an uninterrupted run gives. Saving the final results
into ``DIR`` replaces the folder, checkpoints included.
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
import zlib
from pathlib import Path

from ..engines.chunk import ChunkResult
from ..errors import ResultsError

__all__ = ["ChunkStore", "CHECKPOINT_DIR"]

CHECKPOINT_DIR = ".chunks"
_IDENTITY = "run.json"


class ChunkStore:
    """Completed chunks of one run in ``directory / .chunks``."""

    def __init__(self, directory: Path | str, identity: dict):
        self.root = Path(directory)
        self.path = self.root / CHECKPOINT_DIR
        self.identity = {k: identity[k] for k in sorted(identity)}

    def _file(self, start: int, stop: int) -> Path:
        return self.path / f"chunk-{start:012d}-{stop:012d}.pkl.z"

    def start(self, resume: bool) -> dict[tuple[int, int], ChunkResult]:
        """Prepare the folder; with ``resume``, return the chunks already completed by an
        earlier run with the same identity (a different run is refused)."""
        found = self.path / _IDENTITY
        if resume and found.is_file():
            try:
                before = json.loads(found.read_text())
            except json.JSONDecodeError:
                before = None
            if before != self.identity:
                diff = _differences(before, self.identity)
                raise ResultsError(f"{self.root}: cannot resume: the interrupted run there was "
                                   f"made with other settings ({diff}); use --force to start "
                                   "again")
            return self._load()
        if self.path.exists():
            shutil.rmtree(self.path)
        self.path.mkdir(parents=True)
        _write_atomic(found, (json.dumps(self.identity, indent=2) + "\n").encode())
        return {}

    def _load(self) -> dict[tuple[int, int], ChunkResult]:
        done = {}
        for f in sorted(self.path.glob("chunk-*.pkl.z")):
            try:
                _, a, b = f.name.split(".")[0].split("-")
                chunk = pickle.loads(zlib.decompress(f.read_bytes()))
            except Exception:  # noqa: BLE001 - a damaged checkpoint is simply run again
                continue
            done[(int(a), int(b))] = chunk
        return done

    def save(self, start: int, stop: int, chunk: ChunkResult) -> None:
        data = zlib.compress(pickle.dumps(chunk, protocol=pickle.HIGHEST_PROTOCOL), 1)
        _write_atomic(self._file(start, stop), data)

    def remove(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _differences(before: dict | None, now: dict) -> str:
    if not isinstance(before, dict):
        return "unreadable run.json"
    keys = sorted(set(before) | set(now))
    parts = [f"{k}: {before.get(k)!r} then, {now.get(k)!r} now" for k in keys
             if before.get(k) != now.get(k)]
    return "; ".join(parts) or "unknown"
