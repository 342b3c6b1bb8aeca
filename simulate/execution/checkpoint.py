"""Checkpoints of completed chunks, so an interrupted run resumes to the identical result.

A run with a checkpoint folder ``DIR`` writes each completed chunk to ``DIR/.chunks/`` (one
``.npz`` file per chunk, see :mod:`simulate.execution.chunkfile`: no pickle, so a crafted file
cannot run code), written under a temporary name and renamed, so a file is either whole or
absent. ``run.json`` beside them holds the identity of the run (scenario checksum, seed,
replicates, engine, chunk size, kept series, counterfactual, package version, checkpoint
format and a fingerprint of the random streams); every chunk file carries the hash of that
identity (``run_id``), its replicate range and a checksum, all checked before the chunk is
used: a damaged or foreign chunk is run again, never trusted.

Resuming checks the identity, loads the chunks already done and runs only the others; since
every chunk is a pure function of its replicate range, the result is the one an
uninterrupted run gives. The store holds the folder's lock
(:func:`simulate.results.folders.output_lock`) from :meth:`ChunkStore.start` to
:meth:`ChunkStore.close`, so two runs can never write the same folder. Saving the final
results into ``DIR`` replaces the folder, checkpoints included.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

from ..engines.chunk import ChunkResult
from ..errors import ResultsError
from ..results import folders
from . import chunkfile

__all__ = ["ChunkStore", "CHECKPOINT_DIR", "CHUNK_SUFFIX", "stream_fingerprint"]

CHECKPOINT_DIR = ".chunks"
CHUNK_SUFFIX = ".npz"
_IDENTITY = "run.json"


def stream_fingerprint() -> str:
    """A short hash of a few random numbers: changes whenever the stream scheme does, so a
    checkpoint of another scheme is never mixed with this one's."""
    import numpy as np

    from ..model.streams import uniforms
    u = uniforms(1, np.arange(3, dtype=np.int64), 1, 1, 2)
    return hashlib.sha256(np.ascontiguousarray(u, dtype=np.float64).tobytes()).hexdigest()[:16]


class ChunkStore:
    """Completed chunks of one run in ``directory / .chunks``."""

    def __init__(self, directory: Path | str, identity: dict):
        self.root = Path(directory)
        self.path = self.root / CHECKPOINT_DIR
        ident = dict(identity)
        ident.setdefault("checkpoint_format", chunkfile.FORMAT)
        ident.setdefault("streams", stream_fingerprint())
        self.identity = {k: ident[k] for k in sorted(ident)}
        self.run_id = hashlib.sha256(json.dumps(self.identity, sort_keys=True,
                                                default=str).encode()).hexdigest()
        self.rejected: list[str] = []
        self._lock = contextlib.ExitStack()

    def _file(self, start: int, stop: int) -> Path:
        return self.path / f"chunk-{start:012d}-{stop:012d}{CHUNK_SUFFIX}"

    def _header(self, start: int, stop: int) -> dict:
        return {"run_id": self.run_id, "start": int(start), "stop": int(stop)}

    def start(self, resume: bool) -> dict[tuple[int, int], ChunkResult]:
        """Lock and prepare the folder; with ``resume``, return the chunks already completed
        by an interrupted run with the same identity (anything else is refused)."""
        self._lock.enter_context(folders.output_lock(self.root))
        try:
            return self._start(resume)
        except BaseException:
            self.close()
            raise

    def _start(self, resume: bool) -> dict[tuple[int, int], ChunkResult]:
        state = folders.folder_state(self.root)
        if state in ("foreign", "file"):
            raise ResultsError(f"{self.root}: cannot hold checkpoints, it is not empty and was "
                               f"not written by simulate (no {folders.MARKER} marker)")
        found = self.path / _IDENTITY
        if resume:
            if state == "results":
                raise ResultsError(f"{self.root}: holds a finished run, there is nothing to "
                                   "resume (use --force to replace it, or another folder)")
            if state != "interrupted":
                raise ResultsError(f"{self.root}: holds no interrupted run to resume")
            try:
                before = json.loads(found.read_text(encoding="utf-8")[:100_000])
            except (OSError, ValueError):
                before = None
            if before != self.identity:
                diff = _differences(before, self.identity)
                raise ResultsError(f"{self.root}: cannot resume: the interrupted run there was "
                                   f"made with other settings ({diff}); use --force to start "
                                   "again")
            return self._load()
        folders.clean_stale(self.root)
        self.root.mkdir(parents=True, exist_ok=True)
        if not folders.is_marked(self.root):
            folders.mark(self.root, "run")
        if self.path.exists():
            shutil.rmtree(self.path)
        self.path.mkdir(parents=True)
        _write_atomic(found, (json.dumps(self.identity, indent=2) + "\n").encode())
        return {}

    def _load(self) -> dict[tuple[int, int], ChunkResult]:
        done = {}
        for f in sorted(self.path.glob(f"chunk-*{CHUNK_SUFFIX}")):
            try:
                _, a, b = f.name.removesuffix(CHUNK_SUFFIX).split("-")
                start, stop = int(a), int(b)
                chunk = chunkfile.read(f, self._header(start, stop))
                if not isinstance(chunk, ChunkResult):
                    raise chunkfile.ChunkFileError(f"{f.name}: not a chunk result")
            except (ValueError, chunkfile.ChunkFileError) as exc:
                self.rejected.append(str(exc))  # run again, never trusted
                continue
            done[(start, stop)] = chunk
        if self.rejected:
            print(f"note: {len(self.rejected)} checkpoint file(s) in {self.path} could not be "
                  "verified and will be run again", file=sys.stderr)
        return done

    def save(self, start: int, stop: int, chunk: ChunkResult) -> None:
        _write_atomic(self._file(start, stop),
                      chunkfile.write_bytes(chunk, self._header(start, stop)))

    def remove(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)

    def close(self) -> None:
        """Release the folder's lock (taken by :meth:`start`)."""
        self._lock.close()


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


#: a setting the interrupted run did not record
_ABSENT = object()


def _as_written(value: Any) -> str:
    """A setting's value as a file or the command line writes it, whole: text without
    quotes, the rest as JSON (``true``, ``5``, ``null``)."""
    if value is _ABSENT:
        return "(not recorded)"
    return value if isinstance(value, str) else json.dumps(value, default=str)


def _differences(before: dict | None, now: dict) -> str:
    """The settings of the interrupted run (``before``, its run.json) that differ from this
    run's: "KEY THEN then, NOW now", values as written."""
    if not isinstance(before, dict):
        return "unreadable run.json"
    keys = sorted(set(before) | set(now))
    parts = [f"{k} {_as_written(before.get(k, _ABSENT))} then, "
             f"{_as_written(now.get(k, _ABSENT))} now" for k in keys
             if before.get(k, _ABSENT) != now.get(k, _ABSENT)]
    return "; ".join(parts) or "unknown"
