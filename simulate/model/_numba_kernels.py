"""numba versions of the loops of :mod:`simulate.model.streams` and of the band histograms
(:mod:`simulate.engines.bands`). Imported only through :mod:`simulate.model.accel`.

Each kernel performs exactly the operations of its numpy reference, element by element, so
the results are identical bit for bit (no fastmath, no reassociation).
"""

from __future__ import annotations

import numba
import numpy as np

_U = np.uint64
_M1 = _U(0xBF58476D1CE4E5B9)
_M2 = _U(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = _U(30), _U(27), _U(31), _U(11)
_TO_UNIT = 1.0 / 9007199254740992.0


@numba.njit(cache=True, nogil=True, error_model="numpy")
def uniforms(cg, key, out):  # pragma: no cover - compiled
    """``out[i] = unit(mix(cg[i] + key))`` (see ``streams._uniforms_numpy``)."""
    for i in range(cg.shape[0]):
        z = cg[i] + key
        z = (z ^ (z >> _S30)) * _M1
        z = (z ^ (z >> _S27)) * _M2
        z = z ^ (z >> _S31)
        out[i] = (np.float64(z >> _S11) + 0.5) * _TO_UNIT


@numba.njit(cache=True, nogil=True, error_model="numpy")
def bin_rows(values, lo, inv, top, offset, scale, counts, vmin, vmax, qsum):  # pragma: no cover
    """Histogram one day of values (R, C) into ``counts`` (flat), with per-column minimum,
    maximum and fixed-point sum (see ``bands.DayBinner``)."""
    n, c = values.shape
    for j in range(c):
        lo_j, inv_j, top_j, off_j, sc_j = lo[j], inv[j], top[j], offset[j], scale[j]
        mn, mx, acc = vmin[j], vmax[j], qsum[j]
        for i in range(n):
            v = values[i, j]
            t = (v - lo_j) * inv_j + 1.0
            if t < 0.0:
                t = 0.0
            elif t > top_j:
                t = top_j
            counts[off_j + np.int64(t)] += 1
            if v < mn:
                mn = v
            if v > mx:
                mx = v
            acc += np.int64(np.rint(v * sc_j))
        vmin[j], vmax[j], qsum[j] = mn, mx, acc


KERNELS = {"uniforms": uniforms, "bin_rows": bin_rows}


# ----- scalar helpers shared with the fused day kernels (simulate.engines._fused_kernels) ----

# scipy.special.ndtri (Cephes): the same coefficients and operations, so the same bits
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


@numba.njit(cache=True, inline="always", error_model="numpy")
def _polevl(x, c):  # pragma: no cover - compiled
    a = c[0]
    for i in range(1, c.shape[0]):
        a = a * x + c[i]
    return a


@numba.njit(cache=True, inline="always", error_model="numpy")
def _p1evl(x, c):  # pragma: no cover - compiled
    a = x + c[0]
    for i in range(1, c.shape[0]):
        a = a * x + c[i]
    return a


@numba.njit(cache=True, error_model="numpy")
def ndtri(y0):  # pragma: no cover - compiled
    """``scipy.special.ndtri`` for y0 in (0, 1)."""
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
    x = np.sqrt(-2.0 * np.log(y))
    x0 = x - np.log(x) / x
    z = 1.0 / x
    if x < 8.0:
        x1 = z * _polevl(z, _P1) / _p1evl(z, _Q1)
    else:
        x1 = z * _polevl(z, _P2) / _p1evl(z, _Q2)
    x = x0 - x1
    if negate:
        x = -x
    return x


@numba.njit(cache=True, error_model="numpy")
def unit(cg, key):  # pragma: no cover - compiled
    """One uniform: ``unit(mix(cg + key))`` (see ``streams``)."""
    z = cg + key
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    z = z ^ (z >> _S31)
    return (np.float64(z >> _S11) + 0.5) * _TO_UNIT


@numba.njit(cache=True, error_model="numpy")
def ndtri_array(u, out):  # pragma: no cover - compiled
    for i in range(u.shape[0]):
        out[i] = ndtri(u[i])


KERNELS["ndtri"] = ndtri_array
