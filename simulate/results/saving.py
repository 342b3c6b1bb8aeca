"""Saving an output folder atomically: build it in a temporary sibling, then swap it in.

The rules of what may be written (:mod:`simulate.results.folders`: a marker, never a foreign
folder, ``--force`` only for simulate's own, one writer at a time) hold here too; this module
only moves finished contents into place, so that a reader sees the old folder or the new one.

* **Built beside the target.** New contents are written into a temporary sibling
  ``.NAME.tmp-PID-XXXX`` (:func:`make_temp_folder`, marked at once) and swapped in by renames
  (:func:`replace_folder`). A save killed halfway leaves that sibling, which the next writer
  (holding the lock) removes (:func:`~simulate.results.folders.clean_stale`).
* **A folder with nothing finished in it stays.** An empty folder (perhaps the user's, or
  holding checkpoints) is kept and filled in place, so its mode, group and inode stay; a
  finished one is swapped whole, keeping its mode bits.

Commands call :func:`save_folder` holding the lock, after
:func:`~simulate.results.folders.prepare_output` (see the example there).
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path

from ..errors import ResultsError
from .folders import (
    MANIFEST,
    MARKER,
    RUN_IDENTITY,
    clean_stale,
    folder_state,
    is_marked,
    mark,
    name_files,
    output_lock,
)

__all__ = ["save_folder", "make_temp_folder", "replace_folder", "swap_folder"]


def make_temp_folder(target: Path | str, kind: str) -> Path:
    """A new, marked, empty temporary folder beside ``target`` to build its contents in."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-{os.getpid()}-",
                                dir=target.parent))
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o777 & ~umask)
    mark(tmp, kind)
    return tmp


def replace_folder(new: Path | str, target: Path | str, kind: str = "run") -> Path:
    """Swap folder ``new`` (from :func:`make_temp_folder`) in as ``target``.

    ``target`` may be missing, empty, or a folder simulate made; anything else is refused
    (``new`` is then removed if it is marked as simulate's, as :func:`make_temp_folder`'s
    is; an unmarked one is the caller's and stays). The old folder is renamed aside and
    removed after the swap.
    ``new`` is marked as a folder of ``kind`` if it is not marked yet.
    """
    new, target = Path(new), Path(target)
    state = folder_state(target)
    if state in ("foreign", "file"):
        if is_marked(new) and not new.is_symlink():
            shutil.rmtree(new, ignore_errors=True)
        what = "a file" if state == "file" else f"a folder not written by simulate (no {MARKER})"
        raise ResultsError(f"{target}: cannot be replaced, it is {what}")
    if not is_marked(new):
        mark(new, kind)
    swap_folder(new, target)
    return target


def save_folder(target: Path | str, writer: Callable[[Path], None], *, kind: str,
                overwrite: bool = False) -> Path:
    """Write a whole folder atomically: ``writer(tmp)`` fills a marked temporary sibling,
    which then replaces ``target``, holding the lock throughout.

    ``target`` may be missing, empty, or a folder of simulate's with nothing finished in it
    (checkpoints of a run); a finished results folder only with ``overwrite``; a foreign
    folder or a file never. A failure leaves ``target`` as it was.

    An existing folder with nothing finished in it (empty, or holding only checkpoints) is
    filled in place (:func:`_fill_in_place`): the folder itself, perhaps the user's own with
    its permissions and group, stays; only a finished folder is swapped whole (keeping its
    mode bits).
    """
    target = Path(target)
    with output_lock(target):
        state = folder_state(target)
        if state in ("foreign", "file"):
            what = ("a file" if state == "file" else
                    f"a folder not written by simulate (no {MARKER} marker)")
            raise ResultsError(f"{target}: cannot be replaced, it is {what}; choose another "
                               "folder")
        if state == "results" and not overwrite:
            raise ResultsError(f"{target} already holds results; replace them (save(..., "
                               "overwrite=True) in Python, --force on the command line) or "
                               "choose another folder")
        clean_stale(target)
        tmp = make_temp_folder(target, kind)
        try:
            writer(tmp)
            if state in ("empty", "marked", "interrupted"):
                _fill_in_place(tmp, target)
            else:
                _keep_mode(tmp, target)
                replace_folder(tmp, target)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    return target


def _fill_in_place(new: Path, target: Path) -> None:
    """Move the files of ``new`` into the existing folder ``target`` (empty, or simulate's
    with nothing finished in it), then remove the checkpoints and ``new``.

    The folder keeps its inode, mode and group. Names already taken in ``target`` are
    refused before anything moves (a file there is not simulate's: such a folder has no
    manifest listing its files). ``manifest.json`` moves first, so a save killed halfway
    leaves a folder whose manifest lists every file of simulate's: ``--force`` replaces it,
    and a reader is told which files are missing."""
    entries = sorted(new.iterdir(), key=lambda p: (p.name != MANIFEST, p.name))
    taken = [p.name for p in entries if p.name != MARKER
             and ((target / p.name).exists() or (target / p.name).is_symlink())]
    if taken:
        raise ResultsError(f"{target}: holds {len(taken)} file(s) that simulate did not write "
                           f"where it saves its own: {name_files(sorted(taken))}; move them "
                           "elsewhere and try again (an interrupted run then continues with "
                           "--resume)")
    for p in entries:
        os.replace(p, target / p.name)
    checkpoints = target / RUN_IDENTITY[0]
    # only the checkpoint store's own folder: it holds the run identity it wrote
    if (checkpoints.is_dir() and not checkpoints.is_symlink()
            and (checkpoints / RUN_IDENTITY[1]).is_file()):
        shutil.rmtree(checkpoints, ignore_errors=True)
    new.rmdir()


def _keep_mode(new: Path, target: Path) -> None:
    """Give folder ``new`` the group and permission bits of ``target`` (a folder it is
    about to replace), as far as the operating system allows."""
    try:
        st = target.stat()
        if st.st_gid != new.stat().st_gid:
            os.chown(new, -1, st.st_gid)
        os.chmod(new, stat.S_IMODE(st.st_mode))
    except OSError:
        pass  # another group, or a file system without modes: the umask's default stays


def swap_folder(new: Path, target: Path) -> None:
    """Move folder ``new`` to ``target`` by renames, replacing ``target`` if present (no
    ownership checks: the caller has made them, as for ``figures/`` inside a results folder).

    The old ``target`` goes aside into a new, marked folder ``.NAME.old-PID-*`` of its own,
    which is removed after the swap; nothing already there is removed or replaced, and a
    swap killed halfway leaves a folder that :func:`~simulate.results.folders.clean_stale`
    and :func:`simulate.report.build.remove_dead_stages` know to be simulate's."""
    if not target.exists():
        os.replace(new, target)
        return
    aside = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-{os.getpid()}-",
                                  dir=target.parent))
    mark(aside, "old")
    os.replace(target, aside / target.name)
    os.replace(new, target)
    shutil.rmtree(aside, ignore_errors=True)
