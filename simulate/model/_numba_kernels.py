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


@numba.njit(cache=True, nogil=True)
def uniforms(cg, key, out):  # pragma: no cover - compiled
    """``out[i] = unit(mix(cg[i] + key))`` (see ``streams._uniforms_numpy``)."""
    for i in range(cg.shape[0]):
        z = cg[i] + key
        z = (z ^ (z >> _S30)) * _M1
        z = (z ^ (z >> _S27)) * _M2
        z = z ^ (z >> _S31)
        out[i] = (np.float64(z >> _S11) + 0.5) * _TO_UNIT


@numba.njit(cache=True, nogil=True)
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
