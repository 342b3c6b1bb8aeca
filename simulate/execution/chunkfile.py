"""A chunk result as a file that cannot run code: numpy ``.npz`` read with ``allow_pickle=False``.

The encoding is generic over what an engine returns (:class:`~simulate.engines.chunk.ChunkResult`
and what it holds): numeric and text arrays are stored as arrays; dicts, lists, tuples and
plain scalars as JSON; numpy scalars as 0-d arrays; instances of the project's own engine
and model classes (a band sketch) as their attributes, rebuilt without calling their
constructor. A structure entry (JSON) says how to put the pieces back. Nothing is ever
unpickled, and only classes defined in ``simulate.engines`` or ``simulate.model`` can be
rebuilt, so a crafted file can at worst be refused.

Each file carries the identity of the run that wrote it (``run_id``), its replicate range and
the sha256 of its contents (structure and every array's dtype, shape and bytes); :func:`read`
checks all three before the chunk is used.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ResultsError

__all__ = ["encode", "decode", "write_bytes", "read", "FORMAT", "MAX_UNPACKED_BYTES"]

#: version of this encoding, part of the run identity
FORMAT = "npz-2"
#: refuse a chunk file whose arrays would unpack to more than this (a zip bomb)
MAX_UNPACKED_BYTES = 8 << 30
_STRUCTURE = "__structure__"
_REBUILDABLE = ("simulate.engines.", "simulate.model.")


class ChunkFileError(ResultsError):
    """A chunk file is damaged, foreign or crafted (it is then run again, never trusted)."""


def encode(value: Any) -> tuple[Any, dict[str, np.ndarray]]:
    """(JSON structure, arrays by name) of ``value``."""
    arrays: dict[str, np.ndarray] = {}

    def enc(v: Any) -> Any:
        if v is None or isinstance(v, bool | str):
            return v
        if isinstance(v, int | float):
            return {"t": "num", "v": repr(v) if isinstance(v, float) else v,
                    "f": isinstance(v, float)}
        if isinstance(v, np.generic):
            name = f"a{len(arrays)}"
            arrays[name] = np.asarray(v)
            return {"t": "scalar", "k": name}
        if isinstance(v, np.ndarray):
            if v.dtype.hasobject:
                return {"t": "objarray", "shape": list(v.shape),
                        "items": [enc(x) for x in v.reshape(-1).tolist()]}
            name = f"a{len(arrays)}"
            arrays[name] = v
            return {"t": "array", "k": name}
        if isinstance(v, dict):
            if not all(isinstance(k, str) for k in v):
                return {"t": "pairs", "items": [[enc(k), enc(x)] for k, x in v.items()]}
            return {"t": "dict", "items": {k: enc(x) for k, x in v.items()}}
        if isinstance(v, list | tuple):
            return {"t": type(v).__name__, "items": [enc(x) for x in v]}
        cls = type(v)
        if cls.__module__.startswith(_REBUILDABLE) and "__setstate__" in cls.__dict__:
            # a class that says what to store (the band sketch: its non-zero counts)
            return {"t": "objstate", "cls": f"{cls.__module__}:{cls.__qualname__}",
                    "state": enc(v.__getstate__())}
        if cls.__module__.startswith(_REBUILDABLE) or cls.__module__ == "simulate.engines":
            state = ({f.name: getattr(v, f.name) for f in dataclasses.fields(v)}
                     if dataclasses.is_dataclass(v) and not hasattr(v, "__dict__")
                     else dict(vars(v)))
            return {"t": "obj", "cls": f"{cls.__module__}:{cls.__qualname__}",
                    "state": enc(state)}
        raise TypeError(f"cannot store a {cls.__module__}.{cls.__qualname__} in a chunk file")

    return enc(value), arrays


def _class(name: Any) -> Any:
    if not isinstance(name, str) or ":" not in name:
        raise ChunkFileError(f"not a class name: {name!r:.60}")
    module, _, qualname = name.partition(":")
    if not module.startswith(_REBUILDABLE) or not qualname.isidentifier():
        raise ChunkFileError(f"refused to rebuild {name!r:.80} (only simulate's engine and "
                             "model classes are rebuilt)")
    cls = getattr(importlib.import_module(module), qualname, None)
    if not isinstance(cls, type):
        raise ChunkFileError(f"no class {name!r:.80}")
    return cls


def decode(structure: Any, arrays: dict[str, np.ndarray]) -> Any:
    """The value :func:`encode` was given."""

    def dec(s: Any) -> Any:
        if s is None or isinstance(s, bool | str):
            return s
        if not isinstance(s, dict) or "t" not in s:
            raise ChunkFileError("malformed structure")
        t = s["t"]
        if t == "num":
            return float(s["v"]) if s.get("f") else int(s["v"])
        if t in ("array", "scalar"):
            a = arrays[s["k"]]
            return a[()] if t == "scalar" else a
        if t == "objarray":
            out = np.empty(len(s["items"]), dtype=object)
            out[:] = [dec(x) for x in s["items"]]
            return out.reshape(s["shape"])
        if t == "dict":
            return {str(k): dec(v) for k, v in s["items"].items()}
        if t == "pairs":
            return {dec(k): dec(v) for k, v in s["items"]}
        if t in ("list", "tuple"):
            items = [dec(x) for x in s["items"]]
            return items if t == "list" else tuple(items)
        if t == "obj":
            cls = _class(s["cls"])
            state = dec(s["state"])
            if not isinstance(state, dict):
                raise ChunkFileError("malformed object state")
            obj = object.__new__(cls)
            for k, v in state.items():
                if hasattr(getattr(cls, k, None), "__set__"):
                    raise ChunkFileError(f"refused attribute {k!r:.40}")
                object.__setattr__(obj, k, v)
            return obj
        if t == "objstate":
            cls = _class(s["cls"])
            state = dec(s["state"])
            if "__setstate__" not in cls.__dict__ or not isinstance(state, dict):
                raise ChunkFileError("malformed object state")
            obj = object.__new__(cls)
            obj.__setstate__(state)
            return obj
        raise ChunkFileError(f"unknown entry type {t!r:.40}")

    try:
        return dec(structure)
    except (KeyError, TypeError, ValueError, AttributeError, ImportError, IndexError) as exc:
        raise ChunkFileError(f"malformed chunk file ({type(exc).__name__})") from None


def _digest(structure_text: str, arrays: dict[str, np.ndarray]) -> str:
    h = hashlib.sha256(structure_text.encode())
    for name in sorted(arrays):
        a = np.ascontiguousarray(arrays[name])
        h.update(f"{name}|{a.dtype.str}|{a.shape}|".encode())
        h.update(a.tobytes())
    return h.hexdigest()


def write_bytes(value: Any, header: dict) -> bytes:
    """The ``.npz`` bytes of ``value`` with ``header`` (run id, replicate range) and checksum."""
    structure, arrays = encode(value)
    text = json.dumps({"header": header, "value": structure}, allow_nan=True)
    meta = {"structure": text, "sha256": _digest(text, arrays)}
    buf = io.BytesIO()
    payload: dict[str, Any] = {**arrays,
                               _STRUCTURE: np.frombuffer(json.dumps(meta).encode(), np.uint8)}
    np.savez_compressed(buf, **payload)
    return buf.getvalue()


def read(path: Path, expected_header: dict) -> Any:
    """The value stored in chunk file ``path``, after checking its header and checksum;
    :class:`ChunkFileError` if anything is wrong (unreadable, other run, other range,
    checksum mismatch, oversized, crafted)."""
    try:
        with zipfile.ZipFile(path) as z:
            if sum(i.file_size for i in z.infolist()) > MAX_UNPACKED_BYTES:
                raise ChunkFileError(f"{path.name}: unpacks to more than "
                                     f"{MAX_UNPACKED_BYTES >> 30} GiB")
        with np.load(path, allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in npz.files}
    except ChunkFileError:
        raise
    except Exception as exc:  # noqa: BLE001 - zlib, zip, numpy: any damage means "refused"
        raise ChunkFileError(f"{path.name}: unreadable ({type(exc).__name__})") from None
    try:
        meta = json.loads(arrays.pop(_STRUCTURE).tobytes().decode())
        text, digest = meta["structure"], meta["sha256"]
        content = json.loads(text)
        header, structure = content["header"], content["value"]
    except (KeyError, ValueError, TypeError, AttributeError):
        raise ChunkFileError(f"{path.name}: no readable structure") from None
    if _digest(text, arrays) != digest:
        raise ChunkFileError(f"{path.name}: contents do not match their checksum")
    if header != expected_header:
        raise ChunkFileError(f"{path.name}: written by another run or for other replicates")
    return decode(structure, arrays)
