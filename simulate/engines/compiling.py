"""Say so when the model is compiled (numba caches it on disk: normally once per install),
and never let a stale cache run old rules.

numba's on-disk cache of a compiled function is keyed by the time stamp and size of the
function's OWN source file, not of the functions it calls: after an edit of
``model/clearing.py`` alone, the cached ``model/day.py`` phases would still run the old
clearing rule. :func:`ensure_fresh_cache` therefore keys the whole cache by one hash of every
compiled source file and drops the cached machine code when that hash changes, in every
folder numba may keep it (``NUMBA_CACHE_DIR`` included).
"""

from __future__ import annotations

import functools
import hashlib
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from numba.core import config, event

__all__ = ["announce_compilation", "ensure_fresh_cache", "sources_digest", "cache_dirs",
           "MESSAGE"]

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


def cache_dirs(root: Path, pkg: str) -> list[Path]:
    """Every folder where numba may keep the cached code of package ``pkg``'s functions (its
    own locators' paths, in numba's order of preference; nothing is created): the folder
    ``NUMBA_CACHE_DIR`` names (when set), the package's ``__pycache__`` and the per-user
    fallback used when ``__pycache__`` cannot be written."""
    from numba.core import caching

    def probe() -> None:  # a function object for the locators; its code is never cached
        pass

    sources = sorted((root / pkg).glob("*.py"))
    source = str(sources[0] if sources else root / pkg / "__init__.py")
    kinds: list[Any] = [caching.InTreeCacheLocator, caching.UserWideCacheLocator]
    if getattr(config, "CACHE_DIR", ""):
        kinds.insert(0, caching.UserProvidedCacheLocator)
    found: list[Path] = []
    for kind in kinds:
        path = Path(kind(probe, source).get_cache_path())
        if path not in found:
            found.append(path)
    return found


def _write_stamp(cache: Path, digest: str) -> None:
    stamp = cache / _STAMP
    tmp = stamp.with_suffix(f".{id(stamp)}.tmp")
    tmp.write_text(digest + "\n")
    tmp.replace(stamp)


@functools.cache
def ensure_fresh_cache(root: Path | None = None) -> bool:
    """Drop numba's cached code of the compiled packages when any of their sources changed
    since it was written (once per process). Returns whether files were dropped.

    Every cache folder numba may use is checked (:func:`cache_dirs`: ``NUMBA_CACHE_DIR`` as
    well as ``__pycache__``), each against a digest written beside its cached code; a folder
    without the digest is stale (its code came from sources nobody recorded). The folder
    ``NUMBA_CACHE_DIR`` names is made if missing, so that the digest is there before numba
    fills it; a fallback folder numba makes later is stamped by :func:`announce_compilation`.
    A folder that cannot be written is left as it is, as numba itself then does.
    """
    root = _package_root() if root is None else root
    digest = sources_digest(root)
    dropped = False
    for pkg in _COMPILED:
        for i, cache in enumerate(cache_dirs(root, pkg)):
            stamp = cache / _STAMP
            try:
                if i == 0 and bool(getattr(config, "CACHE_DIR", None)):
                    cache.mkdir(parents=True, exist_ok=True)
                if not cache.is_dir() or (stamp.is_file()
                                          and stamp.read_text().strip() == digest):
                    continue
                for path in [*cache.glob("*.nbi"), *cache.glob("*.nbc")]:
                    path.unlink(missing_ok=True)
                    dropped = True
                _write_stamp(cache, digest)
            except OSError:
                continue
    return dropped


def _stamp_new_caches(root: Path | None = None) -> None:
    """Stamp the cache folders that numba made while this process compiled (they hold code
    of the sources :func:`ensure_fresh_cache` hashed at the start of the process)."""
    root = _package_root() if root is None else root
    digest = sources_digest(root)
    for pkg in _COMPILED:
        for cache in cache_dirs(root, pkg):
            try:
                if cache.is_dir() and not (cache / _STAMP).is_file():
                    _write_stamp(cache, digest)
            except OSError:
                continue


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
    """Within the block, the first compilation (a cache miss) prints one line to stderr; a
    cache folder numba made for it is then stamped (:func:`ensure_fresh_cache`)."""
    announcer = _Announcer()
    with event.install_listener("numba:compile", announcer):
        yield
    if announcer.told:
        _stamp_new_caches()
