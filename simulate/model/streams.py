"""Counter-based random numbers: every draw is a pure function of
``(seed, replicate, day, stream, index)`` (design section 2).

The generator is SplitMix64 (Steele, Lea & Flood 2014) used as a hash: the key
``k = mix(mix(mix(seed + GAMMA) ^ day) ^ stream)`` selects a sequence and the replicate's
counter ``c = replicate * n + index`` picks the ``c``-th output ``mix(k + (c + 1) * GAMMA)``.
No state is carried from one draw to the next, so a chunk of replicates, a single replicate
(the events engine, ``simulate trace``) and any worker compute the same number for the same
coordinates; nothing touches numpy's or Python's global random state. ``mix`` is SplitMix64's
finaliser (a bijection of 64-bit integers); an output becomes a double in the open interval
(0, 1) from its top 53 bits: ``((x >> 11) + 0.5) / 2**53``. All of it is integer arithmetic:
the same bits on every CPU.

Streams: one id per kind of random event (:class:`Stream`), so adding a draw never shifts
another; an uncertain parameter's stream id is a hash of its dotted key
(:func:`parameter_stream`), so adding, removing or reordering entries of ``uncertainty:``
leaves every other parameter's draws unchanged (scheme ``by-name-v1``).

Normals are drawn by inversion (:func:`ndtri`, Cephes' algorithm as in
``scipy.special.ndtri``), Poisson counts by inversion of the cumulative distribution
(:func:`poisson_inverse`).
"""

from __future__ import annotations

import hashlib
import math
from enum import IntEnum

import numpy as np
from numba import njit

__all__ = ["Stream", "STREAM_SCHEME", "N_STREAMS", "GAMMA", "mix", "stream_key", "day_keys", "draw",
           "uniforms", "normals", "ndtri", "poisson_inverse", "parameter_stream"]

GAMMA = 0x9E3779B97F4A7C15
_MASK = (1 << 64) - 1
_G = np.uint64(GAMMA)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)
_ONE = np.uint64(1)
_TO_UNIT = 1.0 / 9007199254740992.0

#: the name of the scheme that maps uncertain parameters to streams (recorded in manifests)
STREAM_SCHEME = "by-name-v1"


class Stream(IntEnum):
    """Stream ids of the daily random events (columns of :func:`day_keys`)."""

    FRONT = 1
    STRIKES = 2
    KILLED = 3
    INJURED = 4
    TALKS = 5
    AGREE = 6
    DEADLINE = 7
    EXTEND = 8
    BRENT = 9
    PRESSURE = 10     # a pressure threat carried out at its deadline
    ACCEPT_OCC = 11   # the occupier's acceptance of a mediator's proposal
    ACCEPT_DEF = 12   # the defender's acceptance
    RELIEF = 13       # the sanctioner lifts conditional tariffs on an importer that cut


#: how many columns :func:`day_keys` has (stream ids run from 1 to N_STREAMS - 1)
N_STREAMS = 14


def parameter_stream(key: str) -> int:
    """Stream id of the uncertain parameter with dotted key ``key``: the first 8 bytes of
    its BLAKE2b digest with the top bit set (so it never equals a :class:`Stream` id)."""
    digest = hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little") | (1 << 63)


@njit(cache=True, error_model="numpy")
def mix(z: np.uint64) -> np.uint64:
    """SplitMix64's finaliser (a bijection of 64-bit integers)."""
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@njit(cache=True, error_model="numpy")
def _key(seed_key: np.uint64, day: np.uint64, stream: np.uint64) -> np.uint64:
    """The key of (day, stream) under ``seed_key = mix(seed + GAMMA)``."""
    return mix(mix(seed_key ^ day) ^ stream)


def _seed_key(seed: int) -> np.uint64:
    return np.uint64(mix(np.uint64((seed + GAMMA) & _MASK)))


def stream_key(seed: int, day: int, stream: int) -> np.uint64:
    """64-bit key of the sequence of one (seed, day, stream); days may be negative."""
    return np.uint64(_key(_seed_key(seed), np.uint64(day & _MASK), np.uint64(stream & _MASK)))


@njit(cache=True, error_model="numpy")
def _fill_day_keys(seed_key: np.uint64, out: np.ndarray) -> None:
    for day in range(out.shape[0]):
        for stream in range(1, out.shape[1]):
            out[day, stream] = _key(seed_key, np.uint64(day), np.uint64(stream))


def day_keys(seed: int, n_days: int) -> np.ndarray:
    """Keys of every daily stream, shape (n_days + 1, N_STREAMS), uint64 (column 0 unused;
    the stream ids are 1 to N_STREAMS - 1)."""
    keys = np.zeros((n_days + 1, N_STREAMS), dtype=np.uint64)
    _fill_day_keys(_seed_key(seed), keys)
    return keys


@njit(cache=True, error_model="numpy")
def draw(key: np.uint64, replicate: int, n: int, j: int) -> float:
    """Uniform in (0, 1): draw ``j`` of ``n`` of ``replicate`` in the sequence ``key``."""
    c = (np.uint64(replicate) * np.uint64(n) + np.uint64(j) + _ONE) * _G
    z = mix(c + key)
    return (np.float64(z >> _S11) + 0.5) * _TO_UNIT


@njit(cache=True, error_model="numpy")
def _fill_uniforms(key: np.uint64, replicates: np.ndarray, out: np.ndarray) -> None:
    n = out.shape[1]
    for r in range(replicates.shape[0]):
        for j in range(n):
            out[r, j] = draw(key, replicates[r], n, j)


def uniforms(seed: int, replicates: np.ndarray, day: int, stream: int, n: int = 1) -> np.ndarray:
    """Uniforms in (0, 1), shape ``(len(replicates), n)``: row r belongs to replicate
    ``replicates[r]`` whatever else is in the array."""
    reps = np.ascontiguousarray(replicates, dtype=np.int64).reshape(-1)
    out = np.empty((reps.shape[0], n))
    _fill_uniforms(stream_key(seed, day, stream), reps, out)
    return out


# ----- normals: Cephes ndtri (as in scipy.special.ndtri) ------------------------------------
_P0 = np.array([-5.99633501014107895267E1, 9.80010754185999661536E1,
                -5.66762857469070293439E1, 1.39312609387279679503E1,
                -1.23916583867381258016E0])
_Q0 = np.array([1.95448858338141759834E0, 4.67627912898881538453E0,
                8.63602421390890590575E1, -2.25462687854119370527E2,
                2.00260212380060660359E2, -8.20372256168333339912E1,
                1.59056225126211695515E1, -1.18331621121330003142E0])
_P1 = np.array([4.05544892305962419923E0, 3.15251094599893866154E1,
                5.71628192246421288162E1, 4.40805073893200834700E1,
                1.46849561928858024014E1, 2.18663306850790267539E0,
                -1.40256079171354495875E-1, -3.50424626827848203418E-2,
                -8.57456785154685413611E-4])
_Q1 = np.array([1.57799883256466749731E1, 4.53907635128879210584E1,
                4.13172038254672030440E1, 1.50425385692907503408E1,
                2.50464946208309415979E0, -1.42182922854787788574E-1,
                -3.80806407691578277194E-2, -9.33259480895457427372E-4])
_P2 = np.array([3.23774891776946035970E0, 6.91522889068984211695E0,
                3.93881025292474443415E0, 1.33303460815807542389E0,
                2.01485389549179081538E-1, 1.23716634817820021358E-2,
                3.01581553508235416007E-4, 2.65806974686737550832E-6,
                6.23974539184983293730E-9])
_Q2 = np.array([6.02427039364742014255E0, 3.67983563856160859403E0,
                1.37702099489081330271E0, 2.16236993594496635890E-1,
                1.34204006088543189037E-2, 3.28014464682127739104E-4,
                2.89247864745380683936E-6, 6.79019408009981274425E-9])
_S2PI = 2.50662827463100050242E0
_EXPM2 = 0.13533528323661269189


@njit(cache=True, error_model="numpy")
def _polevl(x: float, c: np.ndarray) -> float:
    a = c[0]
    for i in range(1, c.shape[0]):
        a = a * x + c[i]
    return a


@njit(cache=True, error_model="numpy")
def _p1evl(x: float, c: np.ndarray) -> float:
    a = x + c[0]
    for i in range(1, c.shape[0]):
        a = a * x + c[i]
    return a


@njit(cache=True, error_model="numpy")
def ndtri(y0: float) -> float:
    """Standard normal quantile of ``y0`` in (0, 1) (Cephes ``ndtri``)."""
    if y0 <= 0.0:
        return -np.inf
    if y0 >= 1.0:
        return np.inf
    negate = True
    y = y0
    if y > 1.0 - _EXPM2:
        y = 1.0 - y
        negate = False
    if y > _EXPM2:
        y = y - 0.5
        y2 = y * y
        x = y + y * (y2 * _polevl(y2, _P0) / _p1evl(y2, _Q0))
        return x * _S2PI
    x = math.sqrt(-2.0 * math.log(y))
    x0 = x - math.log(x) / x
    z = 1.0 / x
    if x < 8.0:
        x1 = z * _polevl(z, _P1) / _p1evl(z, _Q1)
    else:
        x1 = z * _polevl(z, _P2) / _p1evl(z, _Q2)
    x = x0 - x1
    return -x if negate else x


def normals(seed: int, replicates: np.ndarray, day: int, stream: int, n: int = 1) -> np.ndarray:
    """Standard normals by inversion of :func:`uniforms`."""
    u = uniforms(seed, replicates, day, stream, n)
    return np.vectorize(ndtri, otypes=[float])(u) if u.size else u


# ----- Poisson counts -----------------------------------------------------------------------
#: above this mean the probabilities are summed in logarithms (exp(-mean) underflows)
_LOG_SPACE_MEAN = 600.0


@njit(cache=True, error_model="numpy")
def poisson_inverse(u: float, mean: float) -> int:
    """Poisson count by inversion: the smallest k with F(k; mean) >= u, at most
    ``mean + 12 sqrt(mean) + 30`` (where the remaining tail is below 1e-30). F is summed
    term by term, ``p(k) = p(k-1) * mean / k``."""
    if not mean > 0.0:
        return 0
    kmax = int(mean + 12.0 * math.sqrt(mean) + 30.0)
    k = 0
    if mean < _LOG_SPACE_MEAN:
        p = math.exp(-mean)
        cdf = p
        while cdf < u and k < kmax:
            k += 1
            p = p * mean / k
            cdf += p
        return k
    log_p = -mean
    cdf = math.exp(log_p)
    log_mean = math.log(mean)
    while cdf < u and k < kmax:
        k += 1
        log_p += log_mean - math.log(k)
        cdf += math.exp(log_p)
    return k
