"""Where an order statistic lies in a band cell's histogram (the compiled search of
:meth:`simulate.engines.bands.BandSketch.quantiles`)."""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["locate_ranks"]


@njit(cache=True)
def locate_ranks(counts: np.ndarray, cells: np.ndarray, offsets: np.ndarray,
                 nbins: np.ndarray, ranks: np.ndarray, j_out: np.ndarray,
                 before_out: np.ndarray, inside_out: np.ndarray) -> None:
    """For each day, column and 0-based rank ``ranks[day, k]`` of the values in the cells
    ``cells`` of ``counts`` (cells, days, bins): the bin ``j`` holding that order statistic
    (0 the underflow bin, ``nbins + 1`` the overflow bin), the count of values in the bins
    before it and the count inside it. The cells' counts are added bin by bin as they are
    read (no summed copy); the cumulative counts are non-decreasing, so the bin is found by
    bisection: the number of bins whose cumulative count is at most the rank."""
    days = counts.shape[1]
    top = 0
    for c in range(offsets.shape[0]):
        top = max(top, int(nbins[c]) + 2)
    cum = np.empty(top, dtype=np.int64)
    for d in range(days):
        for c in range(offsets.shape[0]):
            off = offsets[c]
            n2 = nbins[c] + 2
            for b in range(n2):
                cum[b] = 0
            for k in cells:
                for b in range(n2):
                    cum[b] += np.int64(counts[k, d, off + b])
            s = np.int64(0)
            for b in range(n2):
                s += cum[b]
                cum[b] = s
            for k in range(ranks.shape[1]):
                r = ranks[d, k]
                lo, hi = 0, n2
                while lo < hi:
                    mid = (lo + hi) // 2
                    if cum[mid] <= r:
                        lo = mid + 1
                    else:
                        hi = mid
                j = min(lo, n2 - 1)
                j_out[d, c, k] = j
                before = cum[j - 1] if j > 0 else 0
                before_out[d, c, k] = before
                inside_out[d, c, k] = cum[j] - before
