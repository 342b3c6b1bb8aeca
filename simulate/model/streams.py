"""Counter-based random numbers: every draw is a pure function of
``(seed, replicate, day, stream, index)`` (design section 2).

The generator is SplitMix64 (Steele, Lea & Flood 2014) used as a hash: the key
``k = mix(mix(mix(seed) ^ day) ^ stream)`` selects a sequence and the replicate's counter
``c = replicate * n + index`` picks the ``c``-th output ``mix(k + (c + 1) * GAMMA)``. Because
no state is carried from one draw to the next, a chunk of replicates, a single replicate
(the events engine, ``simulate trace``) and any worker compute the same number for the same
coordinates; nothing touches numpy's or Python's global random state.

``mix`` is SplitMix64's finaliser (a bijection of 64-bit integers); outputs are turned into
doubles in the open interval (0, 1) from their top 53 bits: ``((x >> 11) + 0.5) / 2**53``.

Speed: :class:`Counters` holds a chunk's ``(c + 1) * GAMMA`` products once, so a day's draw
costs one addition and the finaliser; :func:`uniforms_from` computes it with in-place numpy
operations, or with the optional numba kernel of :mod:`simulate.model.accel` (integer
arithmetic: both give the same bits).
"""

from __future__ import annotations

from enum import IntEnum
from functools import lru_cache

import numpy as np
from scipy import special

from . import accel

__all__ = ["Stream", "uniforms", "normals", "bernoulli", "poisson", "stream_key", "Counters",
           "uniforms_from"]

GAMMA = 0x9E3779B97F4A7C15
_M1 = 0xBF58476D1CE4E5B9
_M2 = 0x94D049BB133111EB
_MASK = (1 << 64) - 1
_U64 = np.uint64
_TO_UNIT = 1.0 / 9007199254740992.0
#: arrays up to this size are hashed with Python integers
_PYTHON_MAX = 8


class Stream(IntEnum):
    """Stream ids: one per kind of random event, so adding a draw never shifts another."""

    FRONT = 1
    STRIKES = 2
    KILLED = 3
    INJURED = 4
    TALKS = 5
    AGREE = 6
    DEADLINE = 7
    EXTEND = 8
    BRENT = 9
    PARAMETERS = 1000  # + index of the uncertain parameter


def _mix_int(z: int) -> int:
    z &= _MASK
    z = ((z ^ (z >> 30)) * _M1) & _MASK
    z = ((z ^ (z >> 27)) * _M2) & _MASK
    return z ^ (z >> 31)


def _mix(z: np.ndarray) -> np.ndarray:
    z = (z ^ (z >> _U64(30))) * _U64(_M1)
    z = (z ^ (z >> _U64(27))) * _U64(_M2)
    return z ^ (z >> _U64(31))


@lru_cache(maxsize=65536)
def stream_key(seed: int, day: int, stream: int) -> int:
    """64-bit key of the sequence for one (seed, day, stream); days may be negative."""
    return _mix_int(_mix_int(_mix_int(seed + GAMMA) ^ (day & _MASK)) ^ (stream & _MASK))


def counter_products(replicates: np.ndarray, n: int) -> np.ndarray:
    """``(replicate * n + j + 1) * GAMMA`` modulo 2**64, shape ``(len(replicates), n)``."""
    reps = np.asarray(replicates, dtype=np.uint64).reshape(-1, 1)
    counters = reps * _U64(n) + np.arange(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        return (counters + _U64(1)) * _U64(GAMMA)


class Counters:
    """The counter products of one chunk of replicates, computed once per width ``n``."""

    def __init__(self, replicates: np.ndarray):
        self.replicates = np.asarray(replicates, dtype=np.int64)
        self._products: dict[int, np.ndarray] = {}

    def __len__(self) -> int:
        return len(self.replicates)

    def products(self, n: int) -> np.ndarray:
        cg = self._products.get(n)
        if cg is None:
            cg = self._products[n] = counter_products(self.replicates, n)
        return cg


def _uniforms_numpy(key: int, cg: np.ndarray) -> np.ndarray:
    z = np.add(cg, _U64(key))
    tmp = np.empty_like(z)
    np.right_shift(z, _U64(30), out=tmp)
    np.bitwise_xor(z, tmp, out=z)
    np.multiply(z, _U64(_M1), out=z)
    np.right_shift(z, _U64(27), out=tmp)
    np.bitwise_xor(z, tmp, out=z)
    np.multiply(z, _U64(_M2), out=z)
    np.right_shift(z, _U64(31), out=tmp)
    np.bitwise_xor(z, tmp, out=z)
    np.right_shift(z, _U64(11), out=z)
    out = z.astype(np.float64)
    out += 0.5
    out *= _TO_UNIT
    return out


def _uniforms_python(key: int, cg: np.ndarray) -> np.ndarray:
    """The same numbers with Python integers: faster than numpy for a handful of values
    (the events engine draws one replicate's numbers at a time)."""
    if cg.size == 1:
        out = np.empty(cg.shape)
        out.fill(((_mix_int(key + int(cg.flat[0])) >> 11) + 0.5) * _TO_UNIT)
        return out
    out = [((_mix_int(key + c) >> 11) + 0.5) * _TO_UNIT for c in cg.reshape(-1).tolist()]
    return np.array(out, dtype=np.float64).reshape(cg.shape)


def uniforms_from(key: int, cg: np.ndarray) -> np.ndarray:
    """Uniforms in (0, 1) for the counter products ``cg`` of the sequence ``key``."""
    if cg.size <= _PYTHON_MAX:
        return _uniforms_python(key, cg)
    kernel = accel.kernel("uniforms", cg.size)
    if kernel is not None:
        out = np.empty(cg.shape)
        kernel(cg.reshape(-1), _U64(key), out.reshape(-1))
        return out
    with np.errstate(over="ignore"):
        return _uniforms_numpy(key, cg)


def uniforms(seed: int, replicates: np.ndarray, day: int, stream: int, n: int = 1) -> np.ndarray:
    """Uniforms in (0, 1), shape ``(len(replicates), n)``: row r belongs to replicate
    ``replicates[r]`` whatever else is in the array."""
    return uniforms_from(stream_key(seed, day, stream), counter_products(replicates, n))


def normals(seed: int, replicates: np.ndarray, day: int, stream: int, n: int = 1) -> np.ndarray:
    """Standard normals by inversion of the uniforms (``scipy.special.ndtri``)."""
    return special.ndtri(uniforms(seed, replicates, day, stream, n))


def bernoulli(seed: int, replicates: np.ndarray, day: int, stream: int,
              p: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
    """Events with probability ``p`` per replicate; returns (happened, the uniform drawn)."""
    u = uniforms(seed, replicates, day, stream)[:, 0]
    return u < p, u


@lru_cache(maxsize=1024)
def _poisson_cdf(mean: float) -> np.ndarray:
    kmax = int(mean + 12.0 * np.sqrt(mean) + 30)
    cdf = special.pdtr(np.arange(kmax + 1), mean)
    cdf[-1] = 1.0
    cdf.setflags(write=False)
    return cdf


def _poisson_table(u: np.ndarray, mean: float) -> np.ndarray:
    if mean <= 0.0:
        return np.zeros(u.shape, dtype=np.int64)
    return np.searchsorted(_poisson_cdf(mean), u, side="left").astype(np.int64)


def poisson(u: np.ndarray, lam: np.ndarray | float) -> np.ndarray:
    """Poisson counts by inversion of uniforms ``u``: the smallest k with F(k; lam) >= u.

    ``lam`` is a scalar or one mean per element. Each distinct mean (there are few: a scalar,
    or a small integer count times a rate) gets a table of the CDF searched with
    ``searchsorted``; many distinct means fall back to scipy's ``pdtrik`` with a step fix.
    """
    u = np.asarray(u, dtype=float)
    lam = np.asarray(lam, dtype=float)
    if lam.ndim == 0:
        return _poisson_table(u, float(lam))
    lam_b = np.broadcast_to(lam, u.shape)
    means = np.unique(lam_b)
    if means.size == 1:
        return _poisson_table(u, float(means[0]))
    out = np.zeros(u.shape, dtype=np.int64)
    if means.size <= 32:
        for mean in means:
            if mean <= 0.0:
                continue
            sel = lam_b == mean
            out[sel] = _poisson_table(u[sel], float(mean))
        return out
    pos = lam_b > 0
    k = np.maximum(np.ceil(special.pdtrik(u[pos], lam_b[pos])), 0)
    km1 = np.maximum(k - 1, 0)
    k = np.where((k > 0) & (special.pdtr(km1, lam_b[pos]) >= u[pos]), km1, k)
    out[pos] = k.astype(np.int64)
    return out


def poisson_by_count(u: np.ndarray, counts: np.ndarray, rate) -> np.ndarray:
    """``poisson(u, counts * rate)`` for small non-negative integer ``counts`` and a scalar
    ``rate``: one table per distinct count, found with ``bincount`` rather than a sort."""
    rate = np.asarray(rate, dtype=float)
    counts = np.asarray(counts)
    if rate.ndim or counts.size == 0 or counts.dtype.kind not in "iub":
        return poisson(u, counts * rate)
    if counts.size == 1:
        c = int(counts.reshape(-1)[0])
        return _poisson_table(u, float(c * rate)) if c > 0 \
            else np.zeros(u.shape, dtype=np.int64)
    out = np.zeros(u.shape, dtype=np.int64)
    present = np.flatnonzero(np.bincount(counts.reshape(-1)))
    for c in present[present > 0]:
        sel = counts == c
        out[sel] = _poisson_table(u[sel], float(c * rate))
    return out
