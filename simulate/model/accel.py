"""Optional compiled kernels (numba) for the hottest loops of the batch engine.

The numpy code is the reference; a kernel here computes the same numbers with the same
floating-point operations in the same order (integer hashing, one multiply-add per value), so
switching between them never changes a result: ``tests/test_engines_equal_accel.py`` runs both
and compares bit for bit.

Which path runs is chosen by the environment variable ``SIMULATE_ACCEL``:

- ``auto`` (default): numba when it is installed and the array is large enough for the call
  to pay off (at least :data:`MIN_SIZE` elements); numpy otherwise;
- ``numba``: numba whenever it is installed, whatever the size;
- ``numpy``: never numba.

numba is imported lazily, on the first large array, so ``import simulate`` stays light and
processes that only replay single replicates (``simulate trace``) never pay for it. Compiled
kernels are cached on disk (``cache=True``) so worker processes load them instead of
compiling again.
"""

from __future__ import annotations

import os
from collections.abc import Callable

__all__ = ["kernel", "available", "loaded", "mode", "MIN_SIZE", "set_mode"]

#: smallest array (elements) for which ``auto`` uses a compiled kernel
MIN_SIZE = 4096

_MODES = ("auto", "numba", "numpy")
_kernels: dict[str, Callable] | None = None
_failed = False
_mode_override: str | None = None


def _env_mode() -> str:
    value = os.environ.get("SIMULATE_ACCEL", "auto").strip().lower() or "auto"
    if value not in _MODES:
        raise ValueError(f"SIMULATE_ACCEL(={value!r}) must be one of {_MODES}.")
    return value


_ENV_MODE = _env_mode()


def mode() -> str:
    """The accelerator mode in force: ``auto``, ``numba`` or ``numpy`` (``SIMULATE_ACCEL``
    is read once, when this module is imported; :func:`set_mode` overrides it)."""
    return _mode_override if _mode_override is not None else _ENV_MODE


def set_mode(value: str | None) -> None:
    """Force a mode in this process (``None`` returns to ``SIMULATE_ACCEL``); for tests and
    benchmarks."""
    global _mode_override
    if value is not None and value not in _MODES:
        raise ValueError(f"mode(={value!r}) must be one of {_MODES}.")
    _mode_override = value


def loaded() -> bool:
    """Whether the compiled kernels have been loaded in this process (without loading them)."""
    return _kernels is not None


def available() -> bool:
    """Whether numba can be imported and the kernels compile."""
    return _load() is not None


def kernel(name: str, size: int) -> Callable | None:
    """The compiled kernel ``name`` if the mode and the array size call for it, else None."""
    m = _mode_override if _mode_override is not None else _ENV_MODE
    if m == "numpy" or (m == "auto" and size < MIN_SIZE):
        return None
    kernels = _load()
    return None if kernels is None else kernels[name]


def _load() -> dict[str, Callable] | None:
    global _kernels, _failed
    if _kernels is not None or _failed:
        return _kernels
    try:
        from . import _numba_kernels
    except ImportError:
        _failed = True
        return None
    _kernels = _numba_kernels.KERNELS
    return _kernels
