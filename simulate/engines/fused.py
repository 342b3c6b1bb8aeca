"""The batch engine's optional compiled path (numba): the dense part of each day in two
kernels, the rest with the numpy rules.

Per day: the policy and sanctioner phases (numpy; they act on timeline and deadline days
only), then :func:`_fused_kernels.day_dense` (buyers, market, front, strikes, war costs and
the talks draw, row by row), then :func:`simulate.model.day.talks_phase` on the rows holding
talks (numpy: the zone of agreement, the protocols and the terms are always the reference
code), then :func:`_fused_kernels.day_record` (the recorder's sums, the kept series and the
band histograms). The kernels repeat the numpy rules' operations in the same order, so the
results are the same numbers (``tests/test_engines_equal_accel.py``).

:func:`fused_plan` says whether a chunk can take this path: numba installed, the accelerator
mode (``SIMULATE_ACCEL``) allowing it for the chunk size, strike intensities that are the same
for every replicate (they index precomputed Poisson tables), and kept rows forming the leading
block of the chunk. Otherwise the batch engine runs the numpy phases.
"""

from __future__ import annotations

import numpy as np

from ..model import accel
from ..model.buyers import _volume_share
from ..model.day import Day, policy_phase, sanctioner_phase, static, talks_phase
from ..model.params import Params
from ..model.state import State
from ..model.streams import Counters, Stream, _poisson_cdf, stream_key
from .record import Recorder

__all__ = ["fused_plan", "run_days_fused", "MIN_ROWS", "CompileError"]

#: smallest chunk (replicates) for which ``auto`` mode compiles
MIN_ROWS = 512

_kernels = None


class CompileError(RuntimeError):
    """numba could not compile the kernels for a chunk (the numpy path is used instead)."""


def _load():
    global _kernels
    if _kernels is None:
        from . import _fused_kernels
        _kernels = _fused_kernels
    return _kernels


def fused_plan(p: Params, n: int, keep: np.ndarray) -> bool:
    """Whether a chunk of ``n`` rows with kept rows ``keep`` runs the compiled path."""
    mode = accel.mode()
    if mode == "numpy" or (mode == "auto" and n < MIN_ROWS):
        return False
    for value in (p.strike_rate, p.killed_per_strike, p.injured_per_strike):
        if np.ndim(value) != 0:
            return False
    k = int(np.sum(keep))
    if k and not np.array_equal(np.flatnonzero(keep), np.arange(k)):
        return False
    if not accel.available():
        return False
    try:
        _load()
    except ImportError:
        return False
    return True


def _r1(value, n: int) -> np.ndarray:
    """A scalar parameter as (n,) floats if it varies by replicate, else as (1,): the
    kernels read row 0 of a one-row parameter for every replicate."""
    arr = np.asarray(value, dtype=float)
    rows = n if arr.ndim >= 1 and arr.shape[0] == n and arr.ndim == 1 else 1
    return np.ascontiguousarray(np.broadcast_to(arr, (rows,)) if rows == n
                                else arr.reshape(-1)[:1])


def _r2(value, n: int, width: int) -> np.ndarray:
    """A per-actor parameter as (n, width) floats if it varies by replicate, else (1, width)."""
    arr = np.asarray(value, dtype=float)
    if arr.ndim == 2:
        return np.ascontiguousarray(np.broadcast_to(arr, (n, width)))
    return np.ascontiguousarray(np.broadcast_to(arr, (1, width)))


def _tables(rate: float, per: float) -> tuple:
    """Poisson CDF tables: strikes at ``rate``; casualties for each possible strike count."""
    if rate <= 0.0:
        return np.ones(1), 0, np.ones((1, 1)), np.zeros(1, dtype=np.int64)
    strike_cdf = np.ascontiguousarray(_poisson_cdf(rate))
    counts = strike_cdf.size                     # at most size - 1 strikes
    cdfs = [np.ones(1)] + [_poisson_cdf(float(c * np.float64(per))) if c * per > 0
                           else np.ones(0) for c in range(1, counts)]
    width = max(len(c) for c in cdfs)
    table = np.ones((counts, width))
    sizes = np.zeros(counts, dtype=np.int64)
    for c, cdf in enumerate(cdfs):
        if c == 0 or cdf.size == 0:
            continue
        table[c, :cdf.size] = cdf
        sizes[c] = cdf.size
    return strike_cdf, counts, table, sizes


class _Static:
    """Per-row parameter arrays and tables of one chunk."""

    def __init__(self, p: Params, n: int):
        st = static(p)
        K, M, B = len(p.region_names), len(p.importer_ids), len(p.buyer_ids)
        S = int(np.shape(p.spare_capacity)[-1]) if np.size(p.spare_capacity) else 0
        self.tariff_lag = _r1(p.tariff_lag, n)
        self.company_lag = _r1(p.company_lag, n)
        self.tariff_rate = _r1(p.tariff_rate, n)
        self.targets = _r2(p.tariff_targets.astype(float), n, M)
        self.credibility = _r1(p.credibility, n)
        self.company_share = _r1(p.company_share, n)
        self.exports0 = _r2(p.exports0, n, M)
        self.trade_sigma = _r2(p.trade_sigma, n, M)
        self.stance = _r2(p.stance_weight, n, M)
        self.threatened = _r2(st.threatened, n, M)
        self.no_tariffs = bool(st.no_tariffs)
        self.base = _r2(p.base_volume, n, B)
        self.exposure = _r2(p.penalty_exposure, n, B)
        self.share = _r2(_volume_share(p.base_volume, p.buyer_importer, M), n, B)
        self.capture = _r2(p.discount_capture, n, B)
        self.sexp = _r2(p.sanctions_exposure, n, B)
        self.adjust = _r2(p.adjustment_days, n, B)
        self.importer_of = np.ascontiguousarray(p.buyer_importer, dtype=np.int64)
        self.capacity = _r1(p.capacity, n)
        self.discount0 = _r1(p.discount0, n)
        self.slope = _r1(p.discount_slope, n)
        self.reroute = _r1(p.reroute_share, n)
        self.shutin = _r1(p.shutin_price, n)
        self.spare = _r2(p.spare_capacity, n, S) if S else np.zeros((n, 0))
        self.response = _r2(p.response_share, n, S) if S else np.zeros((n, 0))
        self.brent0 = _r1(p.brent0, n)
        self.world = _r1(p.world_demand, n)
        exponent = -1.0 / (np.asarray(p.supply_elasticity) + np.abs(p.demand_elasticity))
        self.scalar_price = bool(np.ndim(exponent) == 0)
        self.exponent_price = _r1(exponent, n)
        self.rho = _r1(p.brent_rho, n)
        self.bvol = _r1(p.brent_vol, n)
        self.revenue0 = _r1(st.revenue0, n)
        self.scalar_elasticity = bool(np.ndim(p.resource_elasticity) == 0)
        self.elasticity = _r1(p.resource_elasticity, n)
        self.drift = _r2(p.drift, n, K)
        self.fvol = _r2(p.front_vol, n, K)
        self.war_cost_occ = _r1(p.war_cost_occ, n)
        self.sens_occ = _r1(p.sens_occ, n)
        self.war_cost_def = _r1(p.war_cost_def, n)
        self.sens_def = _r1(p.sens_def, n)
        self.resolve_occ = _r1(p.resolve_occ, n)
        self.resolve_def = _r1(p.resolve_def, n)
        self.talks_rate = _r1(p.talks_rate, n)
        rate = float(p.strike_rate)
        self.strike_cdf, self.strike_n, self.killed_cdf, self.killed_n = _tables(
            rate, float(p.killed_per_strike))
        _, _, self.injured_cdf, self.injured_n = _tables(rate, float(p.injured_per_strike))
        member = (np.arange(M)[:, None] == p.buyer_importer).astype(float)
        self.member = np.ascontiguousarray(member)
        # outputs and scratch
        self.drift_out = np.zeros((n, K))
        self.cost_occ = np.zeros(n)
        self.cost_def = np.zeros(n)
        self.talks = np.zeros(n, dtype=bool)


def _contiguous(s: State) -> None:
    """Make every state array C-contiguous (the kernels write into them)."""
    for name, value in vars(s).items():
        if isinstance(value, np.ndarray) and not value.flags.c_contiguous:
            setattr(s, name, np.ascontiguousarray(value))


def run_days_fused(s: State, p: Params, seed: int, replicates: np.ndarray, rec: Recorder,
                   observer=None) -> None:
    """Advance the chunk through every day with the compiled kernels, recording as it goes."""
    k = _load()
    n = len(replicates)
    x = _Static(p, n)
    counters = Counters(replicates)
    cg1 = np.ascontiguousarray(counters.products(1)[:, 0])
    cgk = np.ascontiguousarray(counters.products(len(p.region_names)))
    _contiguous(s)
    try:
        _days(k, x, s, p, seed, replicates, rec, observer, counters, cg1, cgk)
    except Exception as exc:
        from numba.core.errors import NumbaError
        if isinstance(exc, NumbaError):
            raise CompileError(str(exc)) from exc
        raise


def _days(k, x, s, p, seed, replicates, rec, observer, counters, cg1, cgk) -> None:
    """The day loop of :func:`run_days_fused`."""
    n = len(replicates)
    u64 = np.uint64
    sketch = rec.bands
    lay = sketch.layout if sketch is not None else None
    n_kept = rec._all_series.shape[0]
    series = rec._all_series if n_kept else np.zeros((0, 1, rec.today.shape[1]))
    today = np.zeros(rec.today.shape[1])
    if sketch is not None:
        offset, top = sketch._offsets, sketch._top
    for day in range(p.n_days + 1):
        d = Day(seed, replicates, day, counters)
        policy_phase(s, p, d)
        sanctioner_phase(s, p, d)

        def key(stream: int, day: int = day) -> np.uint64:
            return u64(stream_key(seed, day, stream))

        k.day_dense(
            day, p.n_days,
            s.threat, s.decision_day, s.tariff_tl, s.company_tl, s.volume, s.discount,
            s.brent, s.brent_shock, s.bought, s.discounted, s.shut_in, s.revenue, s.control,
            s.at_war, s.strikes, s.killed, s.injured, s.cost_occ, s.cost_def, s.soft_occ,
            s.soft_def,
            x.tariff_lag, x.company_lag, x.tariff_rate, x.targets, x.credibility,
            x.company_share, x.exports0, x.trade_sigma, x.stance, x.threatened, x.no_tariffs,
            x.base, x.exposure, x.share, x.capture, x.sexp, x.adjust, x.importer_of,
            x.capacity, x.discount0, x.slope, x.reroute, x.shutin, x.spare, x.response,
            x.brent0, x.world, x.exponent_price, x.scalar_price, x.rho, x.bvol,
            x.revenue0, x.elasticity, x.scalar_elasticity, x.drift, x.fvol,
            x.war_cost_occ, x.sens_occ, x.war_cost_def, x.sens_def, x.resolve_occ,
            x.resolve_def, bool(p.talks_days[day]), x.talks_rate,
            x.strike_cdf, x.strike_n, x.killed_cdf, x.killed_n, x.injured_cdf, x.injured_n,
            cg1, cgk, key(Stream.BRENT), key(Stream.FRONT), key(Stream.STRIKES),
            key(Stream.KILLED), key(Stream.INJURED), key(Stream.TALKS),
            x.drift_out, x.cost_occ, x.cost_def, x.talks)
        talks_phase(s, p, d, x.drift_out, x.cost_occ, x.cost_def, {"talks": x.talks})
        if sketch is not None:
            counts, vmin, vmax, qsum = (sketch.counts[day], sketch.vmin[day],
                                        sketch.vmax[day], sketch.qsum[day])
            lo, inv, scale = lay.lo[day], sketch._inv[day], sketch._scale[day]
        else:
            counts = np.zeros(1, dtype=np.uint32)
            vmin, vmax, qsum = np.zeros(0), np.zeros(0), np.zeros(0, dtype=np.int64)
            lo = inv = scale = top_ = np.zeros(0)
        k.day_record(
            day, s.threat, s.decision_day, s.tariff_tl, s.company_tl, s.volume, s.discount,
            s.brent, s.bought, s.discounted, s.shut_in, s.revenue, s.control, s.at_war,
            s.strikes, s.killed, s.injured, x.tariff_lag, x.company_lag, x.tariff_rate,
            x.targets, x.company_share, x.exports0, x.trade_sigma, x.member,
            rec.sum_rows, rec.volume_sum, rec.tariff_cost_sum, series, n_kept, today,
            lo, inv, top if sketch is not None else top_,
            offset if sketch is not None else np.zeros(0, dtype=np.int64), scale,
            counts, vmin, vmax, qsum, sketch is not None)
        if sketch is not None:
            sketch.n[day] += n
        if observer is not None:
            observer(day, None, s.at_war)
