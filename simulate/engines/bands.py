"""Quantile bands of the daily series over ALL replicates, in memory bounded by the chunk.

Method: one fixed-bin histogram per (day, variable, actor) — a *cell* — plus each cell's exact
minimum, maximum and a fixed-point sum for the mean. The bin edges are a pure function of the
scenario (:func:`band_layout`), so every chunk, worker and engine bins alike and two sketches
merge by adding counts (:meth:`BandSketch.merge`): merging is exact, associative and
commutative, so bands do not depend on chunk size, worker count or backend.

Edges. Each cell has ``nbins`` equal bins over ``[lo, lo + nbins * width)`` and two overflow
bins, below ``lo`` and above the top edge. ``lo`` and ``width`` come from ranges the model's
rules imply for the scenario (with every uncertain parameter at its 1e-6 and 1 - 1e-6
quantiles): shares in [0, 1]; the front within six standard deviations of its random walk,
or at a demanded line; Brent within six standard deviations of its AR(1) shock around the
price the largest possible supply loss gives; volumes between 0 and the base volumes; tariff
rates between 0 and every rate that can add up; strike casualties (integers) in unit bins
centred on integers up to their 1 - 1e-9 quantile.

Estimate and error bound. A quantile ``q`` of ``n`` values is estimated as numpy's default
(linear) quantile is defined: ``(1 - f) x_(k) + f x_(k+1)`` with ``h = q (n - 1)``,
``k = floor(h)``, ``f = h - k``, where each order statistic ``x_(r)`` is located in its bin
by the cumulative counts and placed inside the bin by its rank. Each order statistic is
therefore off by less than the width of its bin, and so is the quantile: **the error is at
most one bin width** (``BandSketch.width``), or, in the rare case that the order statistic
falls in an overflow bin, at most that bin's span (from the top edge to the exact maximum,
or from the exact minimum to ``lo``; :meth:`BandSketch.error_bounds` reports the bound used
for every estimate). Integer series (casualties, ``at_war``) use unit bins centred on the
integers and are exact. The mean is exact up to the rounding of each value to a multiple of
``2**-20`` bin widths (a fixed-point sum in 64-bit integers, so it too merges exactly).

Memory: ``days * sum(nbins + 2)`` counts (uint32) per sketch, about 6 MB for the bundled
scenario at 200 bins — independent of the number of replicates.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
from numba import njit

from ..model.params import Params
from ..scenario.schema import Scenario

__all__ = ["BandLayout", "BandSketch", "BandArrays", "bin_day", "bin_block",
           "STATS", "QUANTILES", "DEFAULT_BINS", "QUANTUM_BITS"]

#: bins per cell for continuous series
DEFAULT_BINS = 200
#: the quantiles reported, and their names in the tidy frame
QUANTILES = {"q05": 0.05, "q25": 0.25, "q50": 0.5, "q75": 0.75, "q95": 0.95}
STATS = (*QUANTILES, "mean")
#: each value is rounded to a multiple of width / 2**QUANTUM_BITS for the fixed-point sum
QUANTUM_BITS = 20


@dataclass(frozen=True)
class BandLayout:
    """Where each value of a day falls: per column ``c`` (a (variable, actor) pair) and day
    ``t``, bin ``j`` (1..nbins) holds ``lo + (j-1) width <= v < lo + j width``; bin 0 is below
    ``lo`` and bin ``nbins + 1`` above the top edge."""

    columns: tuple[tuple[str, str], ...]
    nbins: np.ndarray        # (C,) int64
    lo: np.ndarray           # (days, C)
    width: np.ndarray        # (days, C)
    integer: np.ndarray      # (C,) bool

    @property
    def days(self) -> int:
        return self.lo.shape[0]

    @property
    def offsets(self) -> np.ndarray:
        """Start of each column's bins in a day's flat count vector."""
        return np.concatenate([[0], np.cumsum(self.nbins + 2)[:-1]]).astype(np.int64)

    @property
    def total(self) -> int:
        return int(np.sum(self.nbins + 2))

    @property
    def inv(self) -> np.ndarray:
        return 1.0 / self.width

    @property
    def scale(self) -> np.ndarray:
        """``1 / quantum`` of the fixed-point sum, a power of two per (day, column):
        ``2 ** (QUANTUM_BITS - floor(log2(width)))``, with the exponent taken exactly
        (``frexp``) so that it is the same on every CPU."""
        _, exponent = np.frexp(self.width)
        return np.ldexp(1.0, QUANTUM_BITS - (exponent - 1))

    def same_as(self, other: BandLayout) -> bool:
        return (self.columns == other.columns and np.array_equal(self.nbins, other.nbins)
                and np.array_equal(self.lo, other.lo)
                and np.array_equal(self.width, other.width))


class BandArrays(NamedTuple):
    """A sketch's accumulators and edges, as the compiled binning takes them."""

    counts: np.ndarray   # (days, total) uint32
    vmin: np.ndarray     # (days, C)
    vmax: np.ndarray     # (days, C)
    qsum: np.ndarray     # (days, C) int64
    n: np.ndarray        # (days,) int64
    lo: np.ndarray       # (days, C)
    inv: np.ndarray      # (days, C)
    top: np.ndarray      # (C,) highest bin index (nbins + 1)
    offsets: np.ndarray  # (C,) int64
    scale: np.ndarray    # (days, C)


@njit(cache=True, error_model="numpy", inline="always")
def _bin(b: BandArrays, day: int, j: int, v: float) -> None:
    """Add the value ``v`` of column ``j`` on day ``day`` to the sketch: its bin's count
    (values outside the layout's range go to the end bins), the cell's minimum and maximum
    and its fixed-point sum. The one place the binning is written; inlined into the loops
    below, so binning a value costs no call."""
    t = min(max((v - b.lo[day, j]) * b.inv[day, j] + 1.0, 0.0), b.top[j])
    b.counts[day, b.offsets[j] + np.int64(t)] += 1
    b.vmin[day, j] = min(b.vmin[day, j], v)
    b.vmax[day, j] = max(b.vmax[day, j], v)
    b.qsum[day, j] += np.int64(np.rint(v * b.scale[day, j]))


@njit(cache=True, error_model="numpy")
def bin_block(b: BandArrays, values: np.ndarray, rows: int) -> None:
    """Add the first ``rows`` replicates of ``values`` (replicates, days, C) day by day, so
    that each day's counts stay in the CPU cache while its values are binned (binning one
    replicate's days in a row touches a different part of the counts every day). The
    counts, extremes and fixed-point sums are integers or order-free: the same result in
    any order. Does not count the replicates (``b.n``): the caller does."""
    for day in range(values.shape[1]):
        for r in range(rows):
            for j in range(values.shape[2]):
                _bin(b, day, j, values[r, day, j])


@njit(cache=True, error_model="numpy")
def bin_day(b: BandArrays, day: int, values: np.ndarray) -> None:
    """Add one replicate's values of one day (C,) to the sketch."""
    for j in range(values.shape[0]):
        _bin(b, day, j, values[j])
    b.n[day] += 1


class BandSketch:
    """Mergeable histograms of every daily series over replicates (see the module doc)."""

    def __init__(self, layout: BandLayout):
        self.layout = layout
        days, C = layout.lo.shape
        self.counts = np.zeros((days, layout.total), dtype=np.uint32)
        self.vmin = np.full((days, C), np.inf)
        self.vmax = np.full((days, C), -np.inf)
        self.qsum = np.zeros((days, C), dtype=np.int64)
        self.n = np.zeros(days, dtype=np.int64)
        self._offsets = layout.offsets
        self._top = (layout.nbins + 1).astype(float)
        self._inv = layout.inv
        self._scale = layout.scale

    @classmethod
    def for_scenario(cls, scenario: Scenario, bins: int = DEFAULT_BINS) -> BandSketch:
        from .band_layout import band_layout
        return cls(band_layout(scenario, bins))

    # ----- accumulation ----------------------------------------------------------------
    def arrays(self) -> BandArrays:
        """The sketch's accumulators and edges for the compiled binning (:func:`bin_day`)."""
        lay = self.layout
        return BandArrays(counts=self.counts, vmin=self.vmin, vmax=self.vmax, qsum=self.qsum,
                          n=self.n, lo=lay.lo, inv=self._inv, top=self._top,
                          offsets=self._offsets, scale=self._scale)

    def add(self, day: int, values: np.ndarray) -> None:
        """Add one day's values, shape (R, C) in the layout's column order."""
        arrays = self.arrays()
        for row in np.ascontiguousarray(values, dtype=float):
            bin_day(arrays, day, row)

    def merge(self, other: BandSketch | None) -> BandSketch:
        """A new sketch holding both sketches' values (exact; any order gives the same)."""
        out = self.copy()
        out.merge_into(other)
        return out

    def merge_into(self, other: BandSketch | None) -> BandSketch:
        """Add ``other`` into this sketch in place; returns self."""
        if other is None:
            return self
        if not self.layout.same_as(other.layout):
            raise ValueError("cannot merge band sketches with different bin edges "
                             "(different scenarios or bin counts)")
        self.counts += other.counts
        np.minimum(self.vmin, other.vmin, out=self.vmin)
        np.maximum(self.vmax, other.vmax, out=self.vmax)
        self.qsum += other.qsum
        self.n += other.n
        return self

    def copy(self) -> BandSketch:
        out = BandSketch.__new__(BandSketch)
        out.__dict__.update(self.__dict__)
        for name in ("counts", "vmin", "vmax", "qsum", "n"):
            setattr(out, name, getattr(self, name).copy())
        return out

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, BandSketch) and self.layout.same_as(other.layout)
                and all(np.array_equal(getattr(self, k), getattr(other, k))
                        for k in ("counts", "vmin", "vmax", "qsum", "n")))

    def __getstate__(self) -> dict:
        return {k: getattr(self, k) for k in ("layout", "counts", "vmin", "vmax", "qsum", "n")}

    def __setstate__(self, state: dict) -> None:
        BandSketch.__init__(self, state["layout"])
        for k in ("counts", "vmin", "vmax", "qsum", "n"):
            setattr(self, k, state[k])

    # ----- estimates -------------------------------------------------------------------
    @property
    def width(self) -> np.ndarray:
        """Bin width per (day, column): the error bound of a quantile estimate."""
        return self.layout.width

    def _order_stats(self, ranks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Estimate and error bound of the order statistics ``ranks`` (0-based; (days, R))
        of every column: arrays (days, C, R). The bins are located by the compiled
        :func:`_locate`; the placement inside a bin is elementwise arithmetic."""
        lay = self.layout
        days, C = lay.lo.shape
        ok = self.n > 0
        r = np.where(ok[:, None], ranks, 0).astype(np.int64)
        shape = (days, C, r.shape[1])
        j, before, inside = (np.empty(shape, dtype=np.int64) for _ in range(3))
        _locate(self.counts, self._offsets, lay.nbins, r, j, before, inside)
        r = r[:, None, :]
        nb = lay.nbins[None, :, None]
        lo, w = lay.lo[:, :, None], lay.width[:, :, None]
        vmin, vmax = self.vmin[:, :, None], self.vmax[:, :, None]
        inner = (j > 0) & (j <= nb)
        left = np.where(j == 0, vmin, lo + (j - 1) * w)
        right = np.where(j == nb + 1, vmax, lo + j * w)
        # clamp to the observed range (the order statistic is inside both)
        left = np.maximum(left, vmin)
        right = np.minimum(right, vmax)
        frac = (r - before + 0.5) / np.maximum(inside, 1)
        value = left + frac * (right - left)
        span = np.where(inner, w, right - left)
        integer = lay.integer[None, :, None]
        # integer series: unit bins centred on the integers, exact inside the edges
        value = np.where(integer, np.rint(np.where(inner, lo + (j - 0.5) * w, value)), value)
        span = np.where(integer & inner, 0.0, span)
        ok = ok[:, None, None]
        return np.where(ok, value, np.nan), np.where(ok, span, np.nan)

    def quantiles(self, qs: tuple[float, ...] | list[float]) -> tuple[np.ndarray, np.ndarray]:
        """(estimates, error bounds), each (days, C, len(qs)), of the quantiles ``qs``
        (numpy's linear definition) over all replicates."""
        q = np.asarray(qs, dtype=float)
        h = q[None, :] * (np.maximum(self.n, 1) - 1)[:, None]           # (days, Q)
        k = np.floor(h).astype(np.int64)
        f = (h - k)[:, None, :]
        k1 = np.minimum(k + 1, np.maximum(self.n - 1, 0)[:, None])
        est, err = self._order_stats(np.concatenate([k, k1], axis=1))
        Q = q.size
        lo_est, hi_est = est[:, :, :Q], est[:, :, Q:]
        return (1 - f) * lo_est + f * hi_est, np.maximum(err[:, :, :Q], err[:, :, Q:])

    def quantile(self, q: float) -> tuple[np.ndarray, np.ndarray]:
        """(estimate, error bound), each (days, C), of quantile ``q`` (numpy's linear
        definition) over all replicates."""
        est, err = self.quantiles([q])
        return est[:, :, 0], err[:, :, 0]

    def mean(self) -> np.ndarray:
        """Mean over replicates per (day, column) (exact up to the fixed-point rounding)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return self.qsum / self._scale / self.n[:, None]

    def to_frame(self, p: Params | None = None, start: _dt.date | None = None,
                 error: bool = False):
        """Tidy frame ``day, date, variable, actor, stat, value`` with stats q05, q25, q50,
        q75, q95 and mean (``error=True`` adds the column ``error``: the bound of each
        estimate, 0 for the mean's rounding-free part)."""
        import pandas as pd
        lay = self.layout
        days, C = lay.lo.shape
        est, err = self.quantiles(list(QUANTILES.values()))
        stats = list(STATS)                                   # the quantiles, then the mean
        S = len(stats)
        value = np.concatenate([est, self.mean()[:, :, None]], axis=2)      # (days, C, S)
        day_idx = np.repeat(np.arange(days), C * S)
        if start is not None:
            dates = pd.to_datetime(start) + pd.to_timedelta(np.arange(days), unit="D")
            date_col = np.repeat(dates.values, C * S)
        else:
            date_col = np.repeat(np.full(days, np.datetime64("NaT"), dtype="datetime64[ns]"),
                                 C * S)

        def category(names: list[str], reps: int, tiles: int) -> Any:
            # categories sorted, as astype("category") sorts them; built from codes
            cats = sorted(set(names))
            codes = np.array([cats.index(n) for n in names], dtype=np.int32)
            return pd.Categorical.from_codes(np.tile(np.repeat(codes, reps), tiles),
                                             categories=pd.Index(cats))

        frame = pd.DataFrame({
            "day": day_idx.astype(np.int64),
            "date": date_col,
            "variable": category([v for v, _ in lay.columns], S, days),
            "actor": category([a for _, a in lay.columns], S, days),
            "stat": category(stats, 1, days * C),
            "value": value.reshape(-1),
        })
        if error:
            mean_err = np.broadcast_to(1.0 / self._scale, (days, C))[:, :, None]
            frame["error"] = np.concatenate([err, mean_err], axis=2).reshape(-1)
        return frame

    def error_bounds(self) -> dict[str, np.ndarray]:
        """Error bound of each quantile estimate, stat name -> (days, C)."""
        err = self.quantiles(list(QUANTILES.values()))[1]
        return {name: err[:, :, i] for i, name in enumerate(QUANTILES)}


@njit(cache=True)
def _locate(counts: np.ndarray, offsets: np.ndarray, nbins: np.ndarray, ranks: np.ndarray,
            j_out: np.ndarray, before_out: np.ndarray, inside_out: np.ndarray) -> None:
    """For each day, column and 0-based rank ``ranks[day, k]``: the bin ``j`` holding that
    order statistic (0 the underflow bin, ``nbins + 1`` the overflow bin), the count of
    values in the bins before it and the count inside it. The cumulative counts are
    non-decreasing, so the bin is found by bisection: the number of bins whose cumulative
    count is at most the rank."""
    days = counts.shape[0]
    top = 0
    for c in range(offsets.shape[0]):
        top = max(top, int(nbins[c]) + 2)
    cum = np.empty(top, dtype=np.int64)
    for d in range(days):
        for c in range(offsets.shape[0]):
            off = offsets[c]
            n2 = nbins[c] + 2
            s = np.int64(0)
            for b in range(n2):
                s += np.int64(counts[d, off + b])
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
                before_out[d, c, k] = cum[j - 1] if j > 0 else 0
                inside_out[d, c, k] = counts[d, off + j]
