"""The lock of an output folder: one writer at a time (:mod:`simulate.results.folders`).

An exclusive OS lock on the hidden file ``.NAME.lock`` beside the folder, with the owner's
pid, host and command written in it; a second writer is refused at once with that owner
named; the operating system releases the lock when its process dies.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import os
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

from ..errors import ResultsError

__all__ = ["lock_path", "output_lock"]


def lock_path(target: Path | str) -> Path:
    """The lock file of an output folder: ``.NAME.lock`` beside it (inside, it would be
    swapped away with the folder)."""
    target = Path(target).expanduser().absolute()
    return target.with_name(f".{target.name}.lock")


def _owner() -> dict:
    return {"pid": os.getpid(), "host": socket.gethostname(),
            "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]])[:200],
            "since": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")}


def _describe_owner(path: Path) -> str:
    try:
        info = json.loads(path.read_text(encoding="utf-8")[:2000])
        return (f"pid {int(info['pid'])} on host {str(info['host'])[:60]}, since "
                f"{str(info['since'])[:30]}: {str(info['command'])[:80]}")
    except (OSError, ValueError, KeyError, TypeError):
        return "owner unknown"


@contextlib.contextmanager
def output_lock(target: Path | str, *, option: str = "--out") -> Iterator[Path]:
    """Hold the exclusive lock of output folder ``target`` for the ``with`` block.

    Re-entrant within a process (a command holding it may call library functions that take
    it again). Another process holding it makes this raise :class:`ResultsError` at once,
    naming the owner (pid, host, command). A lock whose owner died is free: the operating
    system releases it with the process; the stale owner text is simply overwritten. A lock
    file this call created is removed again when the block ends with a refusal
    (:class:`~simulate.errors.SimulateError`): a refused command leaves nothing behind.
    """
    import filelock

    from ..errors import SimulateError

    path = lock_path(target)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ResultsError(f"{option} {target}: cannot be written: cannot create "
                           f"{path.parent} ({exc.strerror})") from None
    existed = path.exists()
    try:  # a place that cannot be written is said so, not mistaken for a lock in use
        os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o644))
    except OSError as exc:
        if existed:
            raise ResultsError(f"{option} {target}: cannot open the lock file {path} "
                               f"({exc.strerror})") from None
        raise ResultsError(f"{option} {target}: cannot be written: cannot create {path} "
                           f"({exc.strerror})") from None
    lock = filelock.FileLock(str(path), timeout=0, is_singleton=True, thread_local=False)
    first = not lock.is_locked
    for _attempt in range(3):
        try:
            lock.acquire()
        except filelock.Timeout:
            raise ResultsError(f"{option} {target}: in use by another simulate process "
                               f"({_describe_owner(path)}); wait for it to finish or choose "
                               f"another {option}") from None
        except OSError as exc:
            raise ResultsError(f"{option} {target}: cannot lock {path} "
                               f"({exc.strerror})") from None
        if not first or _locks_path(lock, path):
            break
        lock.release()  # we locked a file its previous holder removed: lock the new one
    else:
        raise ResultsError(f"{option} {target}: in use by another simulate process "
                           f"({_describe_owner(path)}); wait for it to finish or choose "
                           f"another {option}")
    try:
        if first:
            try:
                with open(path, "w", encoding="utf-8") as fh:
                    fh.write(json.dumps(_owner()) + "\n")
            except OSError:
                pass  # the lock holds without the owner's description
        yield path
    except SimulateError:
        if first and not existed:  # a refusal: remove the lock file we made (still held)
            with contextlib.suppress(OSError):
                path.unlink()
        raise
    finally:
        lock.release()


def _locks_path(lock: object, path: Path) -> bool:
    """Whether the file ``lock`` holds is still the one at ``path`` (a holder that made
    the lock file removes it when it was refused)."""
    fd = getattr(getattr(lock, "_context", None), "lock_file_fd", None)
    if fd is None:
        return True
    try:
        held, now = os.fstat(fd), os.stat(path)
    except OSError:
        return False
    return (held.st_dev, held.st_ino) == (now.st_dev, now.st_ino)
