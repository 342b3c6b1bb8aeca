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

__all__ = ["Posterior", "read_posterior", "write_posterior", "posterior_values",
           "posterior_draws", "posterior_provenance", "posterior_problems",
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


@lru_cache(maxsize=16)
def _read(path: str, mtime_ns: int, size: int) -> Posterior:
    import pyarrow as pa
    import pyarrow.parquet as pq

    raw = Path(path).read_bytes()
    try:
        table = pq.read_table(pa.BufferReader(raw))
    except (pa.ArrowInvalid, OSError) as exc:
        raise _fail(path, f"expected a Parquet posterior written by simulate calibrate, "
                          f"found an unreadable file ({exc})") from None
    names = table.column_names
    if "weight" not in names:
        raise _fail(path, f"expected a 'weight' column, found columns {names}")
    keys = tuple(n for n in names if n not in _RESERVED)
    if not keys or table.num_rows == 0:
        raise _fail(path, "expected at least one parameter column and one particle, found "
                          f"{len(keys)} column(s) and {table.num_rows} row(s)")
    values = np.column_stack([table.column(k).to_numpy().astype(float) for k in keys])
    weights = table.column("weight").to_numpy().astype(float)
    if not (np.all(np.isfinite(weights)) and np.all(weights >= 0) and weights.sum() > 0):
        raise _fail(path, "expected weights >= 0 with a positive sum")
    if not np.all(np.isfinite(values)):
        raise _fail(path, "expected finite parameter values, found NaN or infinity")
    meta = (table.schema.metadata or {}).get(METADATA_KEY)
    metadata = json.loads(meta) if meta else {}
    return Posterior(path, keys, values, weights / weights.sum(), metadata,
                     hashlib.sha256(raw).hexdigest())


def read_posterior(path: Path | str) -> Posterior:
    """Read (and cache, while the file is unchanged) a posterior Parquet file."""
    path = str(path)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise _fail(path, "expected a posterior file (simulate calibrate --out DIR writes "
                          "DIR/posterior.parquet), found no such file") from None
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


def posterior_problems(data: dict, known: Callable[[str], str | None]) -> list[tuple[str, str]]:
    """(key, message) for a ``from_posterior`` entry that cannot be used: not a path, no
    such file, not a posterior, or a column that names no parameter of the scenario
    (``known(key)`` returns why a dotted key is not a parameter, or None)."""
    uncertainty = data.get("uncertainty")
    if not isinstance(uncertainty, dict) or POSTERIOR_KEY not in uncertainty:
        return []
    where = f"uncertainty.{POSTERIOR_KEY}"
    value = uncertainty[POSTERIOR_KEY]
    if not isinstance(value, str):
        return []  # the typed validation reports it
    try:
        post = read_posterior(value)
    except ScenarioError as exc:
        return [(where, exc.problems[0].message)]
    out = []
    for key in post.keys:
        why = known(key)
        if why:
            out.append((where, f"expected columns that name parameters of this scenario, "
                               f"found {key!r} ({why})"))
    return out


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
