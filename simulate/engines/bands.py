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

Regimes. Each replicate is binned, at its end, into the *cell* of the regime it ended in
(threat carried out or not, deal reached or not: :mod:`~simulate.engines.regime_cells`); a
sketch holds one histogram per cell. The pooled estimates add all cells, a regime's add the
cells that share its flag (:meth:`BandSketch.regime`): both exact, both over all replicates,
with the same error bound; binning costs the same. Memory: ``cells * days * sum(nbins + 2)``
uint32 counts, 4 cells of 15 MB for ``aug2025``, whatever the number of replicates.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from numba import njit

from ..model.params import Params
from ..scenario.schema import Scenario
from .band_frames import pooled_and_regimes, regime_frame, tidy_frame
from .band_locate import locate_ranks
from .regime_cells import CELLS, cells_of

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

    counts: np.ndarray   # (cells, days, total) uint32
    vmin: np.ndarray     # (cells, days, C)
    vmax: np.ndarray     # (cells, days, C)
    qsum: np.ndarray     # (cells, days, C) int64
    n: np.ndarray        # (cells, days) int64
    lo: np.ndarray       # (days, C)
    inv: np.ndarray      # (days, C)
    top: np.ndarray      # (C,) highest bin index (nbins + 1)
    offsets: np.ndarray  # (C,) int64
    scale: np.ndarray    # (days, C)


@njit(cache=True, error_model="numpy", inline="always")
def _bin(b: BandArrays, k: int, day: int, j: int, v: float) -> None:
    """Add the value ``v`` of column ``j`` on day ``day`` to regime cell ``k`` of the
    sketch: its bin's count (values outside the layout's range go to the end bins), the
    minimum and maximum and the fixed-point sum. The one place the binning is written;
    inlined into the loops below, so binning a value costs no call."""
    t = min(max((v - b.lo[day, j]) * b.inv[day, j] + 1.0, 0.0), b.top[j])
    b.counts[k, day, b.offsets[j] + np.int64(t)] += 1
    b.vmin[k, day, j] = min(b.vmin[k, day, j], v)
    b.vmax[k, day, j] = max(b.vmax[k, day, j], v)
    b.qsum[k, day, j] += np.int64(np.rint(v * b.scale[day, j]))


@njit(cache=True, error_model="numpy")
def bin_block(b: BandArrays, values: np.ndarray, cells: np.ndarray, rows: int) -> None:
    """Add the first ``rows`` replicates of ``values`` (replicates, days, C), replicate
    ``r`` to regime cell ``cells[r]`` (:func:`~simulate.engines.regime_cells.regime_cell`),
    day by day, so that each day's counts stay in the CPU cache while its values are binned
    (binning one replicate's days in a row touches a different part of the counts every
    day). The counts, extremes and fixed-point sums are integers or order-free: the same
    result in any order."""
    for day in range(values.shape[1]):
        for r in range(rows):
            k = cells[r]
            for j in range(values.shape[2]):
                _bin(b, k, day, j, values[r, day, j])
            b.n[k, day] += 1


@njit(cache=True, error_model="numpy")
def bin_day(b: BandArrays, k: int, day: int, values: np.ndarray) -> None:
    """Add one replicate's values of one day (C,) to regime cell ``k`` of the sketch."""
    for j in range(values.shape[0]):
        _bin(b, k, day, j, values[j])
    b.n[k, day] += 1


class BandSketch:
    """Mergeable histograms of every daily series over replicates (see the module doc), one
    per regime cell (:mod:`~simulate.engines.regime_cells`): the accumulators ``counts``
    (cells, days, bins), ``vmin``, ``vmax``, ``qsum`` (cells, days, columns) and ``n``
    (cells, days). The estimates (:meth:`quantiles`, :meth:`mean`, :meth:`to_frame`) are
    over all cells; :meth:`select` and :meth:`regime` give a one-cell sketch of some."""

    _FIELDS = ("counts", "vmin", "vmax", "qsum", "n")

    def __init__(self, layout: BandLayout, cells: int = CELLS):
        self.layout = layout
        days, C = layout.lo.shape
        self.counts = np.zeros((cells, days, layout.total), dtype=np.uint32)
        self.vmin = np.full((cells, days, C), np.inf)
        self.vmax = np.full((cells, days, C), -np.inf)
        self.qsum = np.zeros((cells, days, C), dtype=np.int64)
        self.n = np.zeros((cells, days), dtype=np.int64)
        self._offsets = layout.offsets
        self._top = (layout.nbins + 1).astype(float)
        self._inv = layout.inv
        self._scale = layout.scale

    @classmethod
    def for_scenario(cls, scenario: Scenario, bins: int = DEFAULT_BINS) -> BandSketch:
        from .band_layout import band_layout
        return cls(band_layout(scenario, bins))

    @property
    def cells(self) -> int:
        return self.counts.shape[0]

    def _cells(self, cells: tuple[int, ...] | None) -> np.ndarray:
        idx = np.arange(self.cells, dtype=np.int64) if cells is None else \
            np.asarray(cells, dtype=np.int64).reshape(-1)
        if np.any((idx < 0) | (idx >= self.cells)):
            raise ValueError(f"cells(={cells!r}) must be within 0..{self.cells - 1}")
        return idx

    def select(self, cells: tuple[int, ...] | None = None) -> BandSketch:
        """A one-cell sketch holding the values of the cells ``cells`` (default: all), added
        exactly (the estimates take ``cells`` directly and need no such copy)."""
        idx = self._cells(cells)
        out = BandSketch(self.layout, cells=1)
        for k in idx:
            out.counts[0] += self.counts[k]
        out.qsum[0], out.n[0] = self.qsum[idx].sum(axis=0), self.n[idx].sum(axis=0)
        out.vmin[0], out.vmax[0] = self._extremes(idx)
        return out

    def regime(self, by: str, on: bool) -> BandSketch:
        """A one-cell sketch of the replicates in (``on``) or out of the regime ``by``
        (``"threat"``: carried out; ``"deal"``: reached)."""
        return self.select(cells_of(by, on))

    # ----- accumulation ----------------------------------------------------------------
    def arrays(self) -> BandArrays:
        """The sketch's accumulators and edges for the compiled binning (:func:`bin_day`)."""
        lay = self.layout
        return BandArrays(counts=self.counts, vmin=self.vmin, vmax=self.vmax, qsum=self.qsum,
                          n=self.n, lo=lay.lo, inv=self._inv, top=self._top,
                          offsets=self._offsets, scale=self._scale)

    def add(self, day: int, values: np.ndarray, cell: int = 0) -> None:
        """Add one day's values, shape (R, C) in the layout's column order, to cell ``cell``."""
        arrays = self.arrays()
        for row in np.ascontiguousarray(values, dtype=float):
            bin_day(arrays, cell, day, row)

    def merge(self, other: BandSketch | None) -> BandSketch:
        """A new sketch holding both sketches' values (exact; any order gives the same)."""
        out = self.copy()
        out.merge_into(other)
        return out

    def merge_into(self, other: BandSketch | None) -> BandSketch:
        """Add ``other`` into this sketch in place; returns self."""
        if other is None:
            return self
        if not self.layout.same_as(other.layout) or self.cells != other.cells:
            raise ValueError("cannot merge band sketches with different bin edges or cells "
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
        for name in self._FIELDS:
            setattr(out, name, getattr(self, name).copy())
        return out

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, BandSketch) and self.layout.same_as(other.layout)
                and all(np.array_equal(getattr(self, k), getattr(other, k))
                        for k in self._FIELDS))

    def __getstate__(self) -> dict:
        """What pickling and chunk files store: the counts as their non-zero entries (a
        chunk fills a small part of its ~60 MB of bins), the rest as they are."""
        flat = self.counts.reshape(-1)
        nonzero = np.flatnonzero(flat)
        # positions as steps from the previous one: small numbers, which compress well
        return {"layout": self.layout, "cells": self.cells,
                "steps": np.diff(nonzero, prepend=-1).astype(np.uint32),
                "values": flat[nonzero], **{k: getattr(self, k) for k in self._FIELDS[1:]}}

    def __setstate__(self, state: dict) -> None:
        """Rebuild from :meth:`__getstate__`; ``ValueError`` for a state that does not fit
        its layout (a damaged or crafted chunk file)."""
        BandSketch.__init__(self, state["layout"], cells=int(state["cells"]))
        steps = np.asarray(state["steps"], dtype=np.int64)
        values = np.asarray(state["values"], dtype=np.uint32)
        flat = self.counts.reshape(-1)
        nonzero = np.cumsum(steps) - 1
        if steps.shape != values.shape or steps.ndim != 1 or (steps.size and (
                steps.min() < 1 or nonzero[-1] >= flat.size)):
            raise ValueError("band counts outside the sketch's layout")
        flat[nonzero] = values
        for k in self._FIELDS[1:]:
            value = np.asarray(state[k], dtype=getattr(self, k).dtype)
            if value.shape != getattr(self, k).shape:
                raise ValueError(f"band sketch {k} of shape {value.shape}, expected "
                                 f"{getattr(self, k).shape}")
            setattr(self, k, value.copy())

    # ----- estimates -------------------------------------------------------------------
    @property
    def width(self) -> np.ndarray:
        """Bin width per (day, column): the error bound of a quantile estimate."""
        return self.layout.width

    def _extremes(self, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Minimum and maximum per (day, column) over the cells ``idx``."""
        if not idx.size:
            return np.full(self.vmin.shape[1:], np.inf), np.full(self.vmax.shape[1:], -np.inf)
        return self.vmin[idx].min(axis=0), self.vmax[idx].max(axis=0)

    def _order_stats(self, ranks: np.ndarray, idx: np.ndarray,
                     n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Estimate and error bound of the order statistics ``ranks`` (0-based; (days, R))
        of every column over the cells ``idx`` (``n`` values per day): arrays (days, C, R).
        The bins are located by the compiled
        :func:`~simulate.engines.band_locate.locate_ranks`; the placement inside a bin is
        elementwise arithmetic."""
        lay = self.layout
        days, C = lay.lo.shape
        ok = n > 0
        r = np.where(ok[:, None], ranks, 0).astype(np.int64)
        shape = (days, C, r.shape[1])
        j, before, inside = (np.empty(shape, dtype=np.int64) for _ in range(3))
        locate_ranks(self.counts, idx, self._offsets, lay.nbins, r, j, before, inside)
        r = r[:, None, :]
        nb = lay.nbins[None, :, None]
        lo, w = lay.lo[:, :, None], lay.width[:, :, None]
        vmin, vmax = (x[:, :, None] for x in self._extremes(idx))
        inner = (j > 0) & (j <= nb)
        left = np.where(j == 0, vmin, lo + (j - 1) * w)
        right = np.where(j == nb + 1, vmax, lo + j * w)
        # clamp to the observed range (the order statistic is inside both)
        left = np.maximum(left, vmin)
        right = np.minimum(right, vmax)
        frac = (r - before + 0.5) / np.maximum(inside, 1)
        with np.errstate(invalid="ignore"):  # no value on a day: inf - inf, masked below
            value = left + frac * (right - left)
        span = np.where(inner, w, right - left)
        integer = lay.integer[None, :, None]
        # integer series: unit bins centred on the integers, exact inside the edges
        value = np.where(integer, np.rint(np.where(inner, lo + (j - 0.5) * w, value)), value)
        span = np.where(integer & inner, 0.0, span)
        ok = ok[:, None, None]
        return np.where(ok, value, np.nan), np.where(ok, span, np.nan)

    def quantiles(self, qs: tuple[float, ...] | list[float],
                  cells: tuple[int, ...] | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(estimates, error bounds), each (days, C, len(qs)), of the quantiles ``qs``
        (numpy's linear definition) over the replicates of the cells ``cells`` (default:
        all)."""
        idx = self._cells(cells)
        n = self.n[idx].sum(axis=0)
        q = np.asarray(qs, dtype=float)
        h = q[None, :] * (np.maximum(n, 1) - 1)[:, None]                # (days, Q)
        k = np.floor(h).astype(np.int64)
        f = (h - k)[:, None, :]
        k1 = np.minimum(k + 1, np.maximum(n - 1, 0)[:, None])
        est, err = self._order_stats(np.concatenate([k, k1], axis=1), idx, n)
        Q = q.size
        lo_est, hi_est = est[:, :, :Q], est[:, :, Q:]
        return (1 - f) * lo_est + f * hi_est, np.maximum(err[:, :, :Q], err[:, :, Q:])

    def quantile(self, q: float) -> tuple[np.ndarray, np.ndarray]:
        """(estimate, error bound), each (days, C), of quantile ``q`` (numpy's linear
        definition) over all replicates."""
        est, err = self.quantiles([q])
        return est[:, :, 0], err[:, :, 0]

    def mean(self, cells: tuple[int, ...] | None = None) -> np.ndarray:
        """Mean over the replicates of the cells ``cells`` (default: all) per (day, column),
        exact up to the fixed-point rounding."""
        idx = self._cells(cells)
        with np.errstate(invalid="ignore", divide="ignore"):
            return self.qsum[idx].sum(axis=0) / self._scale / \
                self.n[idx].sum(axis=0)[:, None]

    def estimates(self, cells: tuple[int, ...] | None) -> tuple[np.ndarray, np.ndarray]:
        """(values (days, C, S) of every stat of :data:`STATS`, error bounds of the
        quantiles (days, C, Q)) over the cells ``cells``."""
        est, err = self.quantiles(list(QUANTILES.values()), cells)
        return np.concatenate([est, self.mean(cells)[:, :, None]], axis=2), err

    def to_frame(self, p: Params | None = None, start: _dt.date | None = None,
                 error: bool = False, cells: tuple[int, ...] | None = None):
        """Tidy frame ``day, date, variable, actor, stat, value`` with stats q05, q25, q50,
        q75, q95 and mean over the cells ``cells`` (default: all replicates;
        ``error=True`` adds the column ``error``: the bound of each estimate, the
        fixed-point quantum for the mean)."""
        lay = self.layout
        value, err = self.estimates(cells)
        frame = tidy_frame(lay.columns, STATS, value[None], start)
        if error:
            days, C = lay.lo.shape
            mean_err = np.broadcast_to(1.0 / self._scale, (days, C))[:, :, None]
            frame["error"] = np.concatenate([err, mean_err], axis=2).reshape(-1)
        return frame

    def frames(self, start: _dt.date | None = None):
        """See :func:`~simulate.engines.band_frames.pooled_and_regimes`."""
        return pooled_and_regimes(self, STATS, start)

    def regime_frame(self, start: _dt.date | None = None):
        """See :func:`~simulate.engines.band_frames.regime_frame`."""
        return regime_frame(self, STATS, start)

    def error_bounds(self) -> dict[str, np.ndarray]:
        """Error bound of each quantile estimate, stat name -> (days, C)."""
        err = self.quantiles(list(QUANTILES.values()))[1]
        return {name: err[:, :, i] for i, name in enumerate(QUANTILES)}
