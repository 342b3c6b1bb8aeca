"""Say so when the model is compiled (numba caches it on disk: normally once per install),
and never let a stale cache run old rules.

numba's on-disk cache of a compiled function is keyed by the time stamp and size of the
function's OWN source file, not of the functions it calls: after an edit of
``model/clearing.py`` alone, the cached ``model/day.py`` phases would still run the old
clearing rule. :func:`ensure_fresh_cache` therefore keys the whole cache by one hash of every
compiled source file and drops the cached machine code when that hash changes.
"""

from __future__ import annotations

import functools
import hashlib
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from numba.core import event

__all__ = ["announce_compilation", "ensure_fresh_cache", "sources_digest", "MESSAGE"]

MESSAGE = "compiling the model, once"

#: the packages whose functions numba compiles (their ``__pycache__`` holds the cache)
_COMPILED = ("model", "engines")
_STAMP = "numba-sources.sha256"


def _package_root() -> Path:
    return Path(__file__).resolve().parent.parent


def sources_digest(root: Path | None = None) -> str:
    """sha256 over the names and bytes of every compiled package's ``.py`` files."""
    root = _package_root() if root is None else root
    h = hashlib.sha256()
    for pkg in _COMPILED:
        for path in sorted((root / pkg).glob("*.py")):
            h.update(f"{pkg}/{path.name}\0".encode())
            h.update(path.read_bytes())
    return h.hexdigest()


@functools.cache
def ensure_fresh_cache(root: Path | None = None) -> bool:
    """Drop numba's cached code of the compiled packages when any of their sources changed
    since it was written (once per process). Returns whether files were dropped.

    The digest is written beside the cache in ``model/__pycache__``; a read-only install (no
    writable ``__pycache__``) leaves everything as it is, as numba itself then does.
    """
    root = _package_root() if root is None else root
    digest = sources_digest(root)
    stamp = root / "model" / "__pycache__" / _STAMP
    try:
        if stamp.is_file() and stamp.read_text().strip() == digest:
            return False
        dropped = False
        for pkg in _COMPILED:
            cache = root / pkg / "__pycache__"
            for path in [*cache.glob("*.nbi"), *cache.glob("*.nbc")]:
                path.unlink(missing_ok=True)
                dropped = True
        stamp.parent.mkdir(exist_ok=True)
        tmp = stamp.with_suffix(f".{id(stamp)}.tmp")
        tmp.write_text(digest + "\n")
        tmp.replace(stamp)
        return dropped
    except OSError:
        return False


class _Announcer(event.Listener):
    """Prints :data:`MESSAGE` to stderr at the first compilation it hears of."""

    def __init__(self) -> None:
        self.told = False

    def on_start(self, ev: event.Event) -> None:
        if not self.told:
            self.told = True
            print(MESSAGE, file=sys.stderr, flush=True)

    def on_end(self, ev: event.Event) -> None:
        pass


@contextmanager
def announce_compilation() -> Iterator[None]:
    """Within the block, the first compilation (a cache miss) prints one line to stderr."""
    with event.install_listener("numba:compile", _Announcer()):
        yield
