"""Checkpoints of an experiment's finished tasks, and atomic replacement of its folder.

While a sweep runs with an output folder, each finished (point, replicate range) task is
written to ``DIR/.tasks/`` as a NumPy ``.npz`` of plain arrays (read back with
``allow_pickle=False``; never a pickle), under a temporary name then renamed, beside
``identity.json`` (scenario checksum, design checksum, seed, replicates, engine, chunk size,
outcomes, package version). Resuming checks the identity and runs only the missing tasks;
every task is a pure function of its coordinates, so the result equals an uninterrupted
sweep's. The finished experiment is written into a fresh temporary folder that then replaces
``DIR`` (checkpoints included), the convention of :meth:`simulate.Results.save`.

(When ``simulate/results/folders.py`` offers shared folder-safety helpers, this module should
use them; until then it follows the same conventions.)
"""

from __future__ import annotations

import io
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ResultsError
from ..results.files import write_bytes_atomic, write_text_atomic

__all__ = ["TaskStore", "TASKS_DIR", "write_folder"]

TASKS_DIR = ".tasks"
_IDENTITY = "identity.json"


class TaskStore:
    """Finished tasks of one experiment in ``directory / .tasks``."""

    def __init__(self, directory: Path, identity: dict[str, Any]):
        self.root = Path(directory)
        self.path = self.root / TASKS_DIR
        self.identity = json.loads(json.dumps(identity, sort_keys=True, default=str))
        self._resumed = False

    def start(self, resume: bool, force: bool) -> None:
        """Prepare the folder: refuse one that holds something else unless ``force``; with
        ``resume``, keep the tasks of an interrupted sweep with the same identity."""
        found = self.path / _IDENTITY
        if resume:
            if not found.is_file():
                raise ResultsError(f"{self.root}: nothing to resume (no interrupted sweep "
                                   "there)")
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
        if self.root.exists() and any(self.root.iterdir()) and not force:
            raise ResultsError(f"{self.root} already holds results; use --force to replace "
                               "them, --resume to continue an interrupted sweep, or another "
                               "--out")
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


def write_folder(directory: Path | str, writer: Callable[[Path], None],
                 overwrite: bool = False) -> Path:
    """Call ``writer(tmp)`` on a fresh temporary folder beside ``directory``, then put it in
    place of ``directory``. A non-empty folder is refused unless ``overwrite``."""
    directory = Path(directory)
    if directory.exists() and any(directory.iterdir()) and not overwrite:
        raise ResultsError(f"{directory} already holds results; use --force (overwrite=True) "
                           "to replace them or choose another --out")
    directory.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", dir=directory.parent))
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o777 & ~umask)
    try:
        writer(tmp)
        if directory.exists():
            old = directory.with_name(f".{directory.name}.old-{os.getpid()}")
            os.replace(directory, old)
            os.replace(tmp, directory)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, directory)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return directory
