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
import math
from dataclasses import dataclass

import numpy as np
from scipy import special

from ..model import accel
from ..model.params import Params, compile_params
from ..scenario.schema import Scenario
from .record import SERIES, series_actors

__all__ = ["BandLayout", "BandSketch", "band_layout", "STATS", "QUANTILES", "DEFAULT_BINS"]

#: bins per cell for continuous series
DEFAULT_BINS = 200
#: the quantiles reported, and their names in the tidy frame
QUANTILES = {"q05": 0.05, "q25": 0.25, "q50": 0.5, "q75": 0.75, "q95": 0.95}
STATS = (*QUANTILES, "mean")
#: each value is rounded to a multiple of width / 2**QUANTUM_BITS for the fixed-point sum
QUANTUM_BITS = 20
#: series whose values are integers (unit bins centred on the integers)
INTEGER_SERIES = ("at_war", "killed", "injured")
#: tail probability left outside the range of a random quantity
_TAIL = 1e-9
_SIGMAS = 6.0


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
        """``1 / quantum`` of the fixed-point sum, a power of two per (day, column)."""
        return np.exp2(QUANTUM_BITS - np.floor(np.log2(self.width)))

    def same_as(self, other: BandLayout) -> bool:
        return (self.columns == other.columns and np.array_equal(self.nbins, other.nbins)
                and np.array_equal(self.lo, other.lo)
                and np.array_equal(self.width, other.width))


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
        return cls(band_layout(scenario, bins))

    # ----- accumulation ----------------------------------------------------------------
    def add(self, day: int, values: np.ndarray) -> None:
        """Add one day's values, shape (R, C) in the layout's column order."""
        n, C = values.shape
        if n == 0:
            return
        lo, inv, scale = self.layout.lo[day], self._inv[day], self._scale[day]
        kernel = accel.kernel("bin_rows", values.size)
        if kernel is not None:
            counts = self.counts[day]
            flat = np.zeros(counts.size, dtype=np.int64)
            vmin, vmax, qsum = self.vmin[day].copy(), self.vmax[day].copy(), self.qsum[day].copy()
            kernel(np.ascontiguousarray(values), lo, inv, self._top, self._offsets, scale,
                   flat, vmin, vmax, qsum)
            counts += flat.astype(np.uint32)
            self.vmin[day], self.vmax[day], self.qsum[day] = vmin, vmax, qsum
        else:
            t = (values - lo) * inv + 1.0
            np.clip(t, 0.0, self._top, out=t)
            idx = t.astype(np.int64) + self._offsets
            self.counts[day] += np.bincount(idx.reshape(-1),
                                            minlength=self.counts.shape[1]).astype(np.uint32)
            np.minimum(self.vmin[day], values.min(axis=0), out=self.vmin[day])
            np.maximum(self.vmax[day], values.max(axis=0), out=self.vmax[day])
            self.qsum[day] += np.rint(values * scale).astype(np.int64).sum(axis=0)
        self.n[day] += n

    def add_days(self, values: np.ndarray) -> None:
        """Add every day's values at once, shape (days, R, C) (a few replicates: the events
        engine); the same counts as :meth:`add` day by day."""
        D, n, C = values.shape
        if n == 0:
            return
        lo, inv, scale = self.layout.lo[:D, None, :], self._inv[:D, None, :], \
            self._scale[:D, None, :]
        t = (values - lo) * inv + 1.0
        np.clip(t, 0.0, self._top, out=t)
        idx = t.astype(np.int64) + self._offsets + (np.arange(D) * self.counts.shape[1])[
            :, None, None]
        self.counts[:D] += np.bincount(idx.reshape(-1), minlength=D * self.counts.shape[1]
                                       ).reshape(D, -1).astype(np.uint32)
        np.minimum(self.vmin[:D], values.min(axis=1), out=self.vmin[:D])
        np.maximum(self.vmax[:D], values.max(axis=1), out=self.vmax[:D])
        self.qsum[:D] += np.rint(values * scale).astype(np.int64).sum(axis=1)
        self.n[:D] += n

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
        self.__init__(state["layout"])
        for k in ("counts", "vmin", "vmax", "qsum", "n"):
            setattr(self, k, state[k])

    # ----- estimates -------------------------------------------------------------------
    @property
    def width(self) -> np.ndarray:
        """Bin width per (day, column): the error bound of a quantile estimate."""
        return self.layout.width

    def _order_stat(self, ranks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Estimate and error bound of the order statistics ``ranks`` (0-based; (days,))
        of every column: arrays (days, C)."""
        lay = self.layout
        days, C = lay.lo.shape
        est = np.full((days, C), np.nan)
        err = np.full((days, C), np.nan)
        for c in range(C):
            nb = int(lay.nbins[c])
            off = int(self._offsets[c])
            counts = self.counts[:, off:off + nb + 2].astype(np.int64)
            cum = np.cumsum(counts, axis=1)
            ok = self.n > 0
            r = np.where(ok, ranks, 0)
            j = (cum <= r[:, None]).sum(axis=1)                   # bin holding rank r
            j = np.minimum(j, nb + 1)
            before = np.where(j > 0, np.take_along_axis(cum, np.maximum(j - 1, 0)[:, None],
                                                        axis=1)[:, 0], 0)
            inside = np.take_along_axis(counts, j[:, None], axis=1)[:, 0]
            lo, w = lay.lo[:, c], lay.width[:, c]
            left = np.where(j == 0, self.vmin[:, c], lo + (j - 1) * w)
            right = np.where(j == nb + 1, self.vmax[:, c], lo + j * w)
            # clamp to the observed range (the order statistic is inside both)
            left = np.maximum(left, self.vmin[:, c])
            right = np.minimum(right, self.vmax[:, c])
            frac = (r - before + 0.5) / np.maximum(inside, 1)
            value = left + frac * (right - left)
            if lay.integer[c]:
                value = np.where((j > 0) & (j <= nb), lo + (j - 0.5) * w, value)
                value = np.rint(value)
                span = np.where((j > 0) & (j <= nb), 0.0, right - left)
            else:
                span = np.where((j > 0) & (j <= nb), w, right - left)
            est[:, c] = np.where(ok, value, np.nan)
            err[:, c] = np.where(ok, span, np.nan)
        return est, err

    def quantile(self, q: float) -> tuple[np.ndarray, np.ndarray]:
        """(estimate, error bound), each (days, C), of quantile ``q`` (numpy's linear
        definition) over all replicates."""
        h = q * (np.maximum(self.n, 1) - 1)
        k = np.floor(h).astype(np.int64)
        f = h - k
        lo_est, lo_err = self._order_stat(k)
        hi_est, hi_err = self._order_stat(np.minimum(k + 1, np.maximum(self.n - 1, 0)))
        f = f[:, None]
        return (1 - f) * lo_est + f * hi_est, np.maximum(lo_err, hi_err)

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
        stats, values, errors = [], [], []
        for name, q in QUANTILES.items():
            est, err = self.quantile(q)
            stats.append(name)
            values.append(est)
            errors.append(err)
        stats.append("mean")
        values.append(self.mean())
        errors.append(1.0 / self._scale)
        S = len(stats)
        value = np.stack(values, axis=2)          # (days, C, S)
        day_idx = np.repeat(np.arange(days), C * S)
        if start is not None:
            dates = pd.to_datetime(start) + pd.to_timedelta(np.arange(days), unit="D")
            date_col = np.repeat(dates.values, C * S)
        else:
            date_col = np.repeat(np.full(days, np.datetime64("NaT"), dtype="datetime64[ns]"),
                                 C * S)
        variables = np.array([v for v, _ in lay.columns], dtype=object)
        actors = np.array([a for _, a in lay.columns], dtype=object)
        frame = pd.DataFrame({
            "day": day_idx.astype(np.int64),
            "date": date_col,
            "variable": np.tile(np.repeat(variables, S), days),
            "actor": np.tile(np.repeat(actors, S), days),
            "stat": np.tile(np.array(stats, dtype=object), days * C),
            "value": value.reshape(-1),
        })
        if error:
            frame["error"] = np.stack(errors, axis=2).reshape(-1)
        for col in ("variable", "actor", "stat"):
            frame[col] = frame[col].astype("category")
        return frame

    def error_bounds(self) -> dict[str, np.ndarray]:
        """Error bound of each quantile estimate, stat name -> (days, C)."""
        return {name: self.quantile(q)[1] for name, q in QUANTILES.items()}


# ----- the layout a scenario implies --------------------------------------------------------

def _extremes(s: Scenario) -> Params:
    """Parameters with three pseudo-replicates: every uncertain parameter at its 1e-6, 0.5
    and 1 - 1e-6 quantiles (the nominal value for a discrete choice)."""
    sampled = {}
    u = np.array([1e-6, 0.5, 1 - 1e-6])
    for key, dist in s.uncertainty.items():
        values = np.asarray(dist.ppf(u))
        if values.dtype == object or values.dtype.kind not in "fiu":
            try:
                values = values.astype(float)
            except (TypeError, ValueError):
                continue
        sampled[key] = values
    try:
        return compile_params(s, sampled)
    except Exception:  # an exotic sampled key: fall back to the nominal scenario
        return compile_params(s)


def _amax(x) -> float:
    return float(np.max(np.asarray(x, dtype=float)))


def _amin(x) -> float:
    return float(np.min(np.asarray(x, dtype=float)))


def _col(x, k: int) -> np.ndarray:
    """Column k of a per-actor parameter, (3,) or scalar."""
    arr = np.asarray(x, dtype=float)
    return arr[..., k]


def _compound_poisson_max(rate: float, per: float) -> int:
    """Smallest k with P(X > k) < _TAIL for X | N ~ Poisson(N per), N ~ Poisson(rate)."""
    if rate <= 0 or per <= 0:
        return 0
    nmax = int(rate + 12 * math.sqrt(rate) + 30)
    pn = special.pdtr(np.arange(nmax + 1), rate) - special.pdtr(np.arange(nmax + 1) - 1, rate)
    mean = rate * per
    k = int(mean + 10 * math.sqrt(rate * per * (1 + per)) + 10)
    while True:
        tail = float(np.sum(pn[1:] * special.pdtrc(k, np.arange(1, nmax + 1) * per)))
        if tail < _TAIL or k > 10**6:
            return k
        k = int(k * 1.25) + 1


def band_layout(s: Scenario, bins: int = DEFAULT_BINS) -> BandLayout:
    """The bin edges of every (day, variable, actor) for a scenario (see module doc)."""
    p = _extremes(s)
    days = p.n_days + 1
    t = np.arange(days, dtype=float)
    M = len(p.importer_ids)
    base = np.asarray(p.base_volume, dtype=float)
    base_max = base.max(axis=0) if base.ndim == 2 else base
    capacity = max(_amax(p.capacity), float(np.sum(base_max)))
    # Brent: equilibrium ratio after the largest supply loss, times the AR(1) shock
    es_ed = _amin(np.asarray(p.supply_elasticity) + np.abs(p.demand_elasticity))
    loss_share = min(capacity / max(_amin(p.world_demand), 1e-12), 0.99)
    ratio_max = (1.0 - loss_share) ** (-1.0 / max(es_ed, 1e-6))
    rho = min(_amax(np.abs(p.brent_rho)), 0.999999)
    vol = _amax(p.brent_vol)
    sd = vol * np.sqrt((1 - rho ** (2 * (t + 1))) / (1 - rho ** 2)) if rho > 0 else vol + 0 * t
    brent_lo = _amin(p.brent0) * np.exp(-_SIGMAS * sd)
    brent_hi = _amax(p.brent0) * ratio_max * np.exp(_SIGMAS * sd)
    ranges: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = {}

    def const(lo: float, hi: float) -> tuple[np.ndarray, np.ndarray]:
        return np.full(days, float(lo)), np.full(days, float(hi))

    # the front: a random walk with drift scaled by the revenue ratio, or a demanded line
    revenue0 = np.asarray(p.capacity * (np.asarray(p.brent0) - np.asarray(p.discount0)),
                          dtype=float)
    rev_ratio_max = max(capacity * float(brent_hi[-1]) / max(_amin(revenue0), 1e-12), 1.0)
    elasticity = _amax(p.resource_elasticity)
    growth = rev_ratio_max ** max(elasticity, 0.0)
    for k, region in enumerate(p.region_names):
        c0 = _col(p.control0, k)
        drift = np.abs(_col(p.drift, k))
        fvol = _amax(_col(p.front_vol, k))
        reach = _amax(drift) * growth * (t + 1) + _SIGMAS * fvol * np.sqrt(t + 1)
        lo = _amin(c0) - reach
        hi = _amax(c0) + reach
        demands = np.concatenate([np.ravel(_col(p.floor_demand, k)),
                                  np.ravel(_col(p.ceil_demand, k))])
        demands = demands[np.isfinite(demands)]
        if demands.size:
            lo = np.minimum(lo, demands.min())
            hi = np.maximum(hi, demands.max())
        ranges[("control", region)] = (np.clip(lo, 0.0, 1.0), np.clip(hi, 0.0, 1.0))
    ranges[("brent_usd", "")] = (brent_lo, brent_hi)
    d0 = _amin(p.discount0)
    d_hi = _amax(p.discount0) + _amax(p.discount_slope) * capacity
    ranges[("urals_discount_usd", "")] = (np.minimum(d0, brent_lo - 1.0), np.full(days, d_hi))
    for name in ("exports_mbd", "bought_mbd", "discounted_mbd", "shut_in_mbd"):
        ranges[(name, "")] = const(0.0, capacity)
    ranges[("oil_revenue_musd", "")] = (np.zeros(days), capacity * brent_hi)
    base_m = np.zeros(M)
    np.add.at(base_m, p.buyer_importer, base_max)
    max_rate = np.asarray(p.tl_tariff, dtype=float).clip(min=0).sum(axis=0) \
        + _amax(p.tariff_rate) * p.tariff_targets
    for m, imp in enumerate(p.importer_ids):
        ranges[("volume_mbd", imp)] = const(0.0, base_m[m])
        ranges[("tariff_rate", imp)] = const(0.0, max_rate[m])
    ranges[("company_sanctions_share", "")] = const(0.0, 1.0)
    strikes_max = {"killed": _compound_poisson_max(_amax(p.strike_rate),
                                                   _amax(p.killed_per_strike)),
                   "injured": _compound_poisson_max(_amax(p.strike_rate),
                                                    _amax(p.injured_per_strike))}
    columns, nbins, los, widths, integer = [], [], [], [], []
    for name in SERIES:
        for actor in series_actors(p, name):
            actor = actor or ""
            columns.append((name, actor))
            if name in INTEGER_SERIES:
                top = 1 if name == "at_war" else strikes_max[name]
                step = max(1, math.ceil((top + 1) / (4 * bins)))
                nb = math.ceil((top + 1) / step)
                nbins.append(nb)
                los.append(np.full(days, -0.5))
                widths.append(np.full(days, float(step)))
                integer.append(step == 1)
                continue
            lo, hi = ranges[(name, actor)]
            lo = np.asarray(lo, dtype=float)
            hi = np.maximum(np.asarray(hi, dtype=float), lo)
            span = hi - lo
            # a degenerate range still gets bins of a sensible width
            span = np.where(span > 0, span, np.maximum(np.abs(lo), 1.0) * 1e-6)
            nbins.append(bins)
            los.append(lo)
            widths.append(span / bins)
            integer.append(False)
    return BandLayout(columns=tuple(columns), nbins=np.array(nbins, dtype=np.int64),
                      lo=np.stack(los, axis=1), width=np.stack(widths, axis=1),
                      integer=np.array(integer, dtype=bool))
