"""Checkpoints of an experiment's finished tasks, and atomic replacement of its folder.

While a sweep runs with an output folder, each finished (point, replicate range) task is
written to ``DIR/.chunks/`` as a NumPy ``.npz`` of plain arrays (read back with
``allow_pickle=False``; never a pickle), under a temporary name then renamed, beside
``run.json`` (scenario checksum, design checksum, seed, replicates, engine, chunk size,
outcomes, package version). Resuming checks the identity and runs only the missing tasks;
every task is a pure function of its coordinates, so the result equals an uninterrupted
sweep's. The folder rules are those of every output folder (:mod:`simulate.results.folders`:
a marker, never a foreign folder, ``--force`` only for simulate's own, ``--resume`` only for an
interrupted one, an exclusive lock); the finished experiment replaces ``DIR`` atomically.
"""

from __future__ import annotations

import io
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ResultsError
from ..results.files import write_bytes_atomic, write_text_atomic
from ..results.folders import prepare_output
from ..results.saving import save_folder

__all__ = ["TaskStore", "TASKS_DIR", "write_folder"]

#: the checkpoint folder and identity file of every interrupted output (results/folders.py)
TASKS_DIR = ".chunks"
_IDENTITY = "run.json"


class TaskStore:
    """Finished tasks of one experiment in ``directory / .tasks``."""

    def __init__(self, directory: Path, identity: dict[str, Any]):
        self.root = Path(directory)
        self.path = self.root / TASKS_DIR
        self.identity = json.loads(json.dumps(identity, sort_keys=True, default=str))
        self._resumed = False

    def start(self, resume: bool, force: bool, inputs: tuple[Path, ...] = ()) -> None:
        """Prepare the folder (call it holding the folder's lock): the rules of
        :func:`~simulate.results.folders.prepare_output`; with ``resume``, keep the tasks of
        an interrupted sweep with the same identity."""
        found = self.path / _IDENTITY
        prepare_output(self.root, kind="experiment", force=force, resume=resume,
                       inputs=inputs)
        if resume:
            try:
                before = json.loads(found.read_text())
            except (json.JSONDecodeError, UnicodeDecodeError):
                before = None
            if before != self.identity:
                keys = sorted(set(before or {}) | set(self.identity))
                diff = [k for k in keys if (before or {}).get(k) != self.identity.get(k)]
                raise ResultsError(f"{self.root}: cannot resume: the interrupted sweep there "
                                   f"was made with other settings ({', '.join(diff)}); use "
                                   "--force to start again")
            self._resumed = True
            return
        if self.path.exists():
            shutil.rmtree(self.path)
        self.path.mkdir(parents=True)
        write_text_atomic(found, json.dumps(self.identity, indent=2) + "\n")

    def _file(self, key: tuple[int, int, int]) -> Path:
        return self.path / f"task-{key[0]:06d}-{key[1]:012d}-{key[2]:012d}.npz"

    def save(self, key: tuple[int, int, int], arrays: dict[str, np.ndarray]) -> None:
        buf = io.BytesIO()
        columns: dict[str, Any] = {f"c{i}": np.asarray(v)
                                   for i, v in enumerate(arrays.values())}
        columns["names"] = np.array(list(arrays), dtype=str)
        np.savez(buf, **columns)
        write_bytes_atomic(self._file(key), buf.getvalue())

    def load(self) -> dict[tuple[int, int, int], dict[str, np.ndarray]]:
        """Tasks already done (only when resuming; a damaged file is run again)."""
        if not self._resumed:
            return {}
        done = {}
        for f in sorted(self.path.glob("task-*.npz")):
            try:
                _, p, a, b = f.stem.split("-")
                with np.load(f, allow_pickle=False) as z:
                    names = [str(n) for n in z["names"]]
                    done[(int(p), int(a), int(b))] = {n: z[f"c{i}"] for i, n in
                                                      enumerate(names)}
            except (ValueError, OSError, KeyError):
                continue
        return done


def write_folder(directory: Path | str, writer: Callable[[Path], None], *, kind: str,
                 overwrite: bool = False) -> Path:
    """``writer(tmp)`` fills a marked temporary folder that then replaces ``directory``
    (:func:`~simulate.results.saving.save_folder`: finished results only with
    ``overwrite``, a foreign folder never)."""
    return save_folder(directory, writer, kind=kind, overwrite=overwrite)
