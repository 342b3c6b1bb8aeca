"""A calibrated posterior as scenario input (``uncertainty: {from_posterior: FILE}``).

The file is the Parquet table ``simulate calibrate`` writes: one row per particle, a
``weight`` column (summing to 1), a ``particle`` index and one column per calibrated dotted
key; its schema metadata (``simulate.posterior``) says which scenario, targets and seed made
it. A scenario that names it draws, for each replicate, one particle with probability equal
to its weight and takes all of that particle's values, so the parameters keep their joint
distribution (their correlations). The draw is ``u -> particle`` by inversion of the
cumulative weights, with ``u`` from the replicate's own counter-based stream named
``from_posterior`` (the caller supplies it: this module does no random sampling itself).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ScenarioError
from .bounds import MAX_POSTERIOR_BYTES, MAX_POSTERIOR_CELLS, read_regular_file

__all__ = ["Posterior", "read_posterior", "write_posterior", "posterior_values",
           "posterior_draws", "posterior_provenance", "posterior_of",
           "resolve_posterior_path", "POSTERIOR_KEY", "POSTERIOR_STREAM", "METADATA_KEY"]

#: the key of ``uncertainty:`` that names a posterior file, and the name of its stream
POSTERIOR_KEY = "from_posterior"
METADATA_KEY = b"simulate.posterior"
#: stream id of the particle draws: BLAKE2b of "from_posterior", top bit set (the scheme of
#: the uncertain parameters' streams, keyed by name)
POSTERIOR_STREAM = int.from_bytes(hashlib.blake2b(POSTERIOR_KEY.encode(), digest_size=8).digest(),
                                  "little") | (1 << 63)
_RESERVED = ("particle", "weight")


@dataclass(frozen=True)
class Posterior:
    """Particles of a posterior: values (particles, keys), normalised weights, provenance."""

    path: str
    keys: tuple[str, ...]
    values: np.ndarray
    weights: np.ndarray
    metadata: dict[str, Any]
    sha256: str

    def draw(self, u: np.ndarray) -> np.ndarray:
        """Particle index for each uniform in ``u``: P(index = i) = weights[i]."""
        cum = np.cumsum(self.weights)
        cum /= cum[-1]
        return np.minimum(np.searchsorted(cum, np.asarray(u, float), side="right"),
                          len(self.weights) - 1)


def posterior_values(posterior: Posterior, u: np.ndarray) -> dict[str, np.ndarray]:
    """The calibrated keys' values for replicates with uniforms ``u`` (one particle each)."""
    idx = posterior.draw(u)
    return {k: posterior.values[idx, j] for j, k in enumerate(posterior.keys)}


def _fail(path: str, message: str) -> ScenarioError:
    return ScenarioError.from_text(f"{path}: {message}", key=f"uncertainty.{POSTERIOR_KEY}")


def _numeric(kind: Any) -> bool:
    """Whether an Arrow type holds numbers (booleans, text, lists and the like do not)."""
    import pyarrow as pa

    return bool(pa.types.is_integer(kind) or pa.types.is_floating(kind)
                or pa.types.is_decimal(kind))


def _column(table: Any, name: str, path: str) -> np.ndarray:
    """Column ``name`` as floats; a column of another kind, or with a missing, NaN or
    infinite value, raises with its first bad row."""
    kind = table.schema.field(name).type
    if not _numeric(kind):
        raise _fail(path, f"expected numbers in column {name!r}, found a column of {kind}"
                          f"{_first(table.column(name))}")
    values = np.asarray(table.column(name).to_numpy(zero_copy_only=False), dtype=float)
    bad = np.flatnonzero(~np.isfinite(values))
    if bad.size:
        missing = table.column(name)[int(bad[0])].as_py() is None
        found = "nothing (null)" if missing else f"{values[bad[0]]}"
        raise _fail(path, f"expected finite numbers in column {name!r}, found {found} in row "
                          f"{bad[0] + 1} (of {len(values)})")
    return values


def _first(column: Any) -> str:
    """' (X in row N)': the first value of a column that does not read as a number (else its
    first value), as a message gives it."""
    from .bounds import excerpt

    values = column.to_pylist()
    if not values:
        return ""
    row = next((i for i, v in enumerate(values) if not _reads_as_number(v)), 0)
    value = values[row]
    shown = excerpt(value, 30) if isinstance(value, str) else repr(value)[:40]
    return f" ({shown} in row {row + 1})"


def _reads_as_number(value: Any) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True


def _metadata(raw: bytes | None, path: str) -> dict[str, Any]:
    """The ``simulate.posterior`` metadata: a JSON object, or empty when absent."""
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except (ValueError, RecursionError):  # JSONDecodeError and bytes that are not UTF-8
        raise _fail(path, "expected the simulate.posterior metadata to be JSON (as simulate "
                          f"calibrate writes it), found {raw[:40]!r}") from None
    if not isinstance(value, dict):
        raise _fail(path, "expected the simulate.posterior metadata to be a JSON object, "
                          f"found {type(value).__name__}")
    return value


@lru_cache(maxsize=16)
def _read(path: str, mtime_ns: int, size: int) -> Posterior:
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = "a folder"
    candidate = Path(path) / "posterior.parquet"
    if candidate.is_file():
        folder += f"; did you mean {candidate}?"
    raw = read_regular_file(Path(path), MAX_POSTERIOR_BYTES, "a posterior.parquet file",
                            lambda message: _fail(path, message), folder=folder)
    try:
        parquet = pq.ParquetFile(pa.BufferReader(raw))
        cells = parquet.metadata.num_rows * max(parquet.metadata.num_columns, 1)
        if cells > MAX_POSTERIOR_CELLS:
            raise _fail(path, f"expected a posterior of at most {MAX_POSTERIOR_CELLS:,} values "
                              f"(particles x columns), found {cells:,}")
        table = parquet.read()
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise _fail(path, f"expected a Parquet posterior written by simulate calibrate, "
                          f"found an unreadable file ({str(exc)[:120]})") from None
    names = table.column_names
    if len(set(names)) != len(names):
        twice = sorted({n for n in names if names.count(n) > 1})
        raise _fail(path, f"expected each column once, found {twice} more than once")
    if "weight" not in names:
        raise _fail(path, f"expected a 'weight' column, found columns {names}")
    keys = tuple(n for n in names if n not in _RESERVED)
    if not keys or table.num_rows == 0:
        raise _fail(path, "expected at least one parameter column and one particle, found "
                          f"{len(keys)} column(s) and {table.num_rows} row(s)")
    weights = _column(table, "weight", path)
    negative = np.flatnonzero(weights < 0)
    if negative.size or weights.sum() <= 0:
        found = (f"{weights[negative[0]]:g} in row {negative[0] + 1}" if negative.size
                 else "all weights 0")
        raise _fail(path, f"expected weights >= 0 with a positive sum in column 'weight', "
                          f"found {found}")
    values = np.column_stack([_column(table, k, path) for k in keys])
    metadata = _metadata((table.schema.metadata or {}).get(METADATA_KEY), path)
    return Posterior(path, keys, values, weights / weights.sum(), metadata,
                     hashlib.sha256(raw).hexdigest())


def read_posterior(path: Path | str) -> Posterior:
    """Read (and cache, while the file is unchanged) a posterior Parquet file; every
    problem (no such file, a folder, a device, too large, not Parquet, a column that is not
    numbers, bad metadata) raises :class:`ScenarioError`."""
    path = str(path)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise _fail(path, "expected a posterior file (simulate calibrate --out DIR writes "
                          "DIR/posterior.parquet), found no such file") from None
    except (OSError, ValueError) as exc:
        raise _fail(path, f"expected a posterior file, found one that cannot be read "
                          f"({getattr(exc, 'strerror', None) or exc})") from None
    return _read(path, st.st_mtime_ns, st.st_size)


def write_posterior(path: Path | str, keys: list[str], values: np.ndarray, weights: np.ndarray,
                    metadata: dict[str, Any]) -> None:
    """Write a posterior atomically (temporary name, then rename)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    values = np.asarray(values, float).reshape(len(weights), len(keys))
    w = np.asarray(weights, float)
    cols = {"particle": pa.array(np.arange(len(w), dtype=np.int64)),
            "weight": pa.array(w / w.sum())}
    cols.update({k: pa.array(values[:, j]) for j, k in enumerate(keys)})
    table = pa.table(cols).replace_schema_metadata(
        {METADATA_KEY: json.dumps(metadata, sort_keys=True, default=str).encode()})
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    pq.write_table(table, tmp)
    os.replace(tmp, path)


def resolve_posterior_path(data: dict, positions: dict) -> None:
    """Make ``uncertainty.from_posterior`` absolute, in place: a relative path is taken
    relative to the folder of the file that wrote it (as ``extends`` is), or to the working
    folder when it came from an override."""
    uncertainty = data.get("uncertainty")
    if not isinstance(uncertainty, dict) or not isinstance(uncertainty.get(POSTERIOR_KEY), str):
        return
    path = Path(uncertainty[POSTERIOR_KEY])
    pos = positions.get(f"uncertainty.{POSTERIOR_KEY}")
    folder = Path(pos.file).parent if pos is not None and pos.line else Path.cwd()
    uncertainty[POSTERIOR_KEY] = str((path if path.is_absolute() else folder / path).resolve())


def posterior_of(data: dict) -> tuple[Posterior | None, str | None]:
    """The posterior that ``uncertainty.from_posterior`` names in plain data, or why it
    cannot be used: (posterior, None), (None, message), or (None, None) when there is none
    or the entry is not a path (the typed validation reports that)."""
    uncertainty = data.get("uncertainty")
    if not isinstance(uncertainty, dict) or not isinstance(uncertainty.get(POSTERIOR_KEY), str):
        return None, None
    try:
        return read_posterior(uncertainty[POSTERIOR_KEY]), None
    except ScenarioError as exc:
        return None, exc.problems[0].message


def posterior_provenance(posterior_file: str | None) -> dict[str, Any] | None:
    """What a run's manifest records about the posterior it drew from (None if none)."""
    if posterior_file is None:
        return None
    post = read_posterior(posterior_file)
    meta = post.metadata
    return {"file": post.path, "sha256": post.sha256, "keys": list(post.keys),
            "particles": int(len(post.weights)),
            **{k: meta[k] for k in ("scenario", "scenario_sha256", "targets", "targets_sha256",
                                    "targets_vintage", "seed", "generation") if k in meta}}


def posterior_draws(scenario: Any, seed: int, replicates: np.ndarray,
                    uniforms: Callable[..., np.ndarray]) -> dict[str, np.ndarray]:
    """Per-replicate values of the posterior's keys for ``scenario`` (empty when it names no
    posterior): one particle per replicate, chosen with the uniform of stream
    ``from_posterior`` on day -1. ``uniforms`` is :func:`simulate.model.streams.uniforms`,
    passed in so that this layer does not import the model.

    The draws replace those of the keys' distributions, except for a key whose distribution
    is one fixed value (``{dist: choice, values: [v]}``): that is how the counterfactual
    without measures pins a rate, share or credibility at 0, and it stays pinned."""
    if scenario.posterior_file is None:
        return {}
    u = uniforms(seed, replicates, -1, POSTERIOR_STREAM)[:, 0]
    values = posterior_values(read_posterior(scenario.posterior_file), u)
    pinned = {k for k, d in scenario.uncertainty.items()
              if d.dist == "choice" and len(d.values) == 1}
    return {k: v for k, v in values.items() if k not in pinned}
