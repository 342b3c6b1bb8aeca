"""Compiled (numba) twins of the dense part of a model day, for the batch engine.

Each kernel loops over the rows (replicates) of a chunk and applies, row by row, exactly the
operations of the numpy rules in :mod:`simulate.model` (buyers, market, war, the cost part of
negotiation) and of :class:`simulate.engines.record.Recorder`, in the same order, so the
numbers are the same (``tests/test_engines_equal_accel.py`` checks bit for bit on every
bundled scenario). Two numpy details are mirrored on purpose:

- ``array ** scalar`` takes numpy's shortcuts for the exponents 0.5 (sqrt), 2 (square),
  -1 (reciprocal), 1 and 0; ``np.power`` with an array exponent does not (``_pow``);
- ``ndarray.sum(axis=-1)`` adds a row pairwise (numpy's ``pairwise_sum``; ``_np_sum``).

Imported only through :mod:`simulate.engines.fused`, when numba is installed.
"""

from __future__ import annotations

import numba
import numpy as np

from ..model._numba_kernels import ndtri, unit

_BBL = 0.365          # buyers.BBL_DAY_TO_BN_YEAR
_MIN_URALS = 1.0      # market.MIN_URALS_USD


@numba.njit(cache=True, inline="always", error_model="numpy")
def _g(a, i):  # pragma: no cover - compiled
    """Row i of a per-row parameter, or its only value when it is the same for all rows
    (shape (1,)): constants stay in cache instead of being streamed once per row."""
    return a[i] if a.shape[0] > 1 else a[0]


@numba.njit(cache=True, inline="always", error_model="numpy")
def _g2(a, i, j):  # pragma: no cover - compiled
    """Element (i, j) of a per-row, per-actor parameter of shape (R, X) or (1, X)."""
    return a[i, j] if a.shape[0] > 1 else a[0, j]


@numba.njit(cache=True, inline="always", error_model="numpy")
def _pow(x, y, scalar_exponent):  # pragma: no cover - compiled
    if scalar_exponent:
        if y == 0.5:
            return np.sqrt(x)
        if y == 2.0:
            return x * x
        if y == -1.0:
            return 1.0 / x
        if y == 1.0:
            return x
        if y == 0.0:
            return 1.0
    return x ** y


@numba.njit(cache=True, inline="always", error_model="numpy")
def _tariff_pow(t, sigma, cache, m):  # pragma: no cover - compiled
    """``(1 + t) ** -sigma`` (``np.power``) remembering the last value per importer ``m``:
    tariff rates take few values, and a repeated power is the same number."""
    if cache[m, 0] == t and cache[m, 1] == sigma:
        return cache[m, 2]
    v = (1.0 + t) ** (-sigma)
    cache[m, 0] = t
    cache[m, 1] = sigma
    cache[m, 2] = v
    return v


@numba.njit(cache=True, error_model="numpy")
def _np_sum(a, n):  # pragma: no cover - compiled
    """numpy's pairwise sum of ``a[:n]`` (contiguous)."""
    if n < 8:
        res = 0.0
        for i in range(n):
            res += a[i]
        return res
    if n <= 128:
        r0, r1, r2, r3 = a[0], a[1], a[2], a[3]
        r4, r5, r6, r7 = a[4], a[5], a[6], a[7]
        top = n - n % 8
        i = 8
        while i < top:
            r0 += a[i]
            r1 += a[i + 1]
            r2 += a[i + 2]
            r3 += a[i + 3]
            r4 += a[i + 4]
            r5 += a[i + 5]
            r6 += a[i + 6]
            r7 += a[i + 7]
            i += 8
        res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
        while i < n:
            res += a[i]
            i += 1
        return res
    n2 = n // 2
    n2 -= n2 % 8
    return _np_sum(a[:n2], n2) + _np_sum(a[n2:], n - n2)


@numba.njit(cache=True, inline="always", error_model="numpy")
def _searchsorted_left(cdf, n, u):  # pragma: no cover - compiled
    """Number of entries of ``cdf[:n]`` (ascending) below ``u`` (``np.searchsorted``)."""
    lo, hi = 0, n
    while lo < hi:
        mid = (lo + hi) >> 1
        if cdf[mid] < u:
            lo = mid + 1
        else:
            hi = mid
    return lo


@numba.njit(cache=True, nogil=True, error_model="numpy")
def day_dense(day, n_days,
              # state (mutated)
              threat, decision_day, tariff_tl, company_tl, volume, discount, brent,
              brent_shock, bought, discounted, shut_in, revenue, control, at_war, strikes,
              killed, injured, cost_occ_cum, cost_def_cum, soft_occ, soft_def,
              # per-row parameters
              tariff_lag, company_lag, tariff_rate, targets, credibility, company_share,
              exports0, trade_sigma, stance, threatened, no_tariffs,
              base, exposure, share, capture, sexp, adjust, importer_of,
              capacity, discount0, slope, reroute, shutin_price, spare, response,
              brent0, world, exponent_price, scalar_price, rho, bvol,
              revenue0, elasticity, scalar_elasticity, drift, fvol,
              war_cost_occ, sens_occ, war_cost_def, sens_def, resolve_occ, resolve_def,
              talks_today, talks_rate,
              # strike tables
              strike_cdf, strike_n, killed_cdf, killed_n, injured_cdf, injured_n,
              # random numbers: counter products and today's keys
              cg1, cgk, key_brent, key_front, key_strikes, key_killed, key_injured, key_talks,
              # outputs
              drift_out, cost_occ_out, cost_def_out, talks_out):  # pragma: no cover
    """Phases 3-6a of a day (buyers, market, front and strikes, war costs and talks draws)
    for every row; see :func:`simulate.model.day.run_day`."""
    R = threat.shape[0]
    M = tariff_tl.shape[1]
    B = volume.shape[1]
    K = control.shape[1]
    S = spare.shape[1]
    rates = np.empty(M)
    pen = np.empty(M)
    memo = np.full((M, 3), np.nan)
    memo2 = np.full((M, 3), np.nan)
    tmp_s = np.empty(max(S, 1))
    for i in range(R):
        # ----- buyers (day.buyers_phase, buyers.country_penalty, buyers.buyer_target) ----
        decided = threat[i] == 1
        pending = threat[i] == 0
        tariff_on = decided and (decision_day[i] + _g(tariff_lag, i) <= day)
        on_rate = _g(tariff_rate, i) if tariff_on else 0.0
        for m in range(M):
            rates[m] = tariff_tl[i, m] + on_rate * _g2(targets, i, m)
        if decided:
            prob = 1.0
        elif pending:
            prob = _g(credibility, i)
        else:
            prob = 0.0
        pr = prob * (0.0 if tariff_on else 1.0)
        for m in range(M):
            if no_tariffs:
                pen[m] = 0.0
                continue
            x0 = _g2(exports0, i, m)
            sg = _g2(trade_sigma, i, m)
            t = rates[m]
            fac = _tariff_pow(t, sg, memo, m) if t != 0.0 else 1.0
            now = x0 - x0 * fac
            tt = t + _g2(threatened, i, m)
            fac2 = _tariff_pow(tt, sg, memo2, m) if (tt != 0.0 and pr != 0.0) else 1.0
            pen[m] = _g2(stance, i, m) * (now + pr * ((x0 - x0 * fac2) - now))
        company_on_flag = decided and (decision_day[i] + _g(company_lag, i) <= day)
        company_on = max(company_tl[i], _g(company_share, i) if company_on_flag else 0.0)
        company_expected = max(company_on, prob * _g(company_share, i))
        disc = discount[i]
        for b in range(B):
            penalty = _g2(exposure, i, b) * pen[importer_of[b]] * _g2(share, i, b)
            benefit = _g2(capture, i, b) * disc * _g2(base, i, b) * _BBL
            denom = benefit + penalty
            keep = benefit / denom if denom > 0 else 1.0
            target = _g2(base, i, b) * keep * (1.0 - _g2(sexp, i, b) * company_expected)
            v = volume[i, b]
            volume[i, b] = v + (target - v) / _g2(adjust, i, b)
        # ----- market (day.market_phase, market.*) ----------------------------------------
        bo = _np_sum(volume[i], B)
        bought[i] = bo
        unsold = max(_g(capacity, i) - bo, 0.0)
        d_new = _g(discount0, i) + _g(slope, i) * unsold
        placed = _g(reroute, i) if brent[i] - d_new > _g(shutin_price, i) else 0.0
        dsc = unsold * placed
        shut = unsold - dsc
        discounted[i] = dsc
        shut_in[i] = shut
        if S == 0:
            loss = shut
        else:
            for k in range(S):
                tmp_s[k] = min(_g2(spare, i, k), _g2(response, i, k) * shut)
            loss = max(shut - _np_sum(tmp_s, S), 0.0)
        z = ndtri(unit(cg1[i], key_brent))
        shock = _g(rho, i) * brent_shock[i] + _g(bvol, i) * z
        brent_shock[i] = shock
        ls = min(max(loss / _g(world, i), 0.0), 0.99)
        br = _g(brent0, i) * _pow(1.0 - ls, _g(exponent_price, i), scalar_price) * np.exp(shock)
        brent[i] = br
        dd = min(d_new, br - _MIN_URALS)
        discount[i] = dd
        rev = (bo + dsc) * (br - dd)
        revenue[i] = rev
        # ----- war (day.war_phase, war.*) ---------------------------------------------------
        r0 = _g(revenue0, i)
        ratio = rev / r0 if r0 > 0 else 1.0
        factor = _pow(max(ratio, 0.0), _g(elasticity, i), scalar_elasticity)
        war_on = at_war[i]
        for k in range(K):
            dk = _g2(drift, i, k) * factor
            drift_out[i, k] = dk
            zk = ndtri(unit(cgk[i, k], key_front))
            step = (dk + _g2(fvol, i, k) * zk) * (1.0 if war_on else 0.0)
            c = control[i, k] + step
            control[i, k] = min(max(c, 0.0), 1.0)
        n = 0
        if strike_n > 0:
            n = _searchsorted_left(strike_cdf, strike_n, unit(cg1[i], key_strikes))
        if not war_on:
            n = 0
        strikes[i] = n
        kk = 0
        jj = 0
        if n > 0:
            if killed_n[n] > 0:
                kk = _searchsorted_left(killed_cdf[n], killed_n[n], unit(cg1[i], key_killed))
            if injured_n[n] > 0:
                jj = _searchsorted_left(injured_cdf[n], injured_n[n],
                                        unit(cg1[i], key_injured))
        killed[i] = kk
        injured[i] = jj
        # ----- negotiation: costs, softening, talks (day.negotiation_phase) ---------------
        loss_share = min(max(1.0 - ratio, 0.0), 1.0)
        co = _g(war_cost_occ, i) + _g(sens_occ, i) * loss_share
        cd = _g(war_cost_def, i) + _g(sens_def, i) * loss_share
        cost_occ_out[i] = co
        cost_def_out[i] = cd
        w = 1.0 if war_on else 0.0
        cost_occ_cum[i] += co * w
        cost_def_cum[i] += cd * w
        if war_on and not soft_occ[i] and cost_occ_cum[i] > _g(resolve_occ, i):
            soft_occ[i] = True
        if war_on and not soft_def[i] and cost_def_cum[i] > _g(resolve_def, i):
            soft_def[i] = True
        talks_out[i] = war_on and (talks_today or unit(cg1[i], key_talks) < _g(talks_rate, i))


@numba.njit(cache=True, nogil=True, error_model="numpy")
def day_record(day, threat, decision_day, tariff_tl, company_tl, volume, discount, brent,
               bought, discounted, shut_in, revenue, control, at_war, strikes, killed,
               injured, tariff_lag, company_lag, tariff_rate, targets, company_share,
               exports0, trade_sigma, member,
               sums, volume_sum, tariff_cost_sum, series, n_kept, today,
               lo, inv, top, offset, scale, counts, vmin, vmax, qsum,
               do_bands):  # pragma: no cover
    """Phase 7 (record, :meth:`Recorder.record`) and the band sketch for every row."""
    R = threat.shape[0]
    M = tariff_tl.shape[1]
    B = volume.shape[1]
    K = control.shape[1]
    C = today.shape[0]
    prod = np.empty(B)
    memo = np.full((M, 3), np.nan)
    for i in range(R):
        threat_on = threat[i] == 1 and decision_day[i] + _g(tariff_lag, i) <= day
        on_rate = _g(tariff_rate, i) if threat_on else 0.0
        company_flag = threat[i] == 1 and decision_day[i] + _g(company_lag, i) <= day
        company = max(company_tl[i], _g(company_share, i) if company_flag else 0.0)
        c = 0
        for k in range(K):
            today[c] = control[i, k]
            c += 1
        today[c] = brent[i]
        today[c + 1] = discount[i]
        exports = bought[i] + discounted[i]
        today[c + 2] = exports
        today[c + 3] = bought[i]
        today[c + 4] = discounted[i]
        today[c + 5] = shut_in[i]
        today[c + 6] = revenue[i]
        c += 7
        for m in range(M):
            for b in range(B):
                prod[b] = volume[i, b] * member[m, b]
            vm = _np_sum(prod, B)
            today[c + m] = vm
            volume_sum[i, m] += vm
        c += M
        for m in range(M):
            rate = tariff_tl[i, m] + on_rate * _g2(targets, i, m)
            today[c + m] = rate
            x0 = _g2(exports0, i, m)
            fac = _tariff_pow(rate, _g2(trade_sigma, i, m), memo, m) if rate != 0.0 else 1.0
            tariff_cost_sum[i, m] += x0 - x0 * fac
        c += M
        today[c] = company
        today[c + 1] = 1.0 if at_war[i] else 0.0
        today[c + 2] = killed[i]
        today[c + 3] = injured[i]
        sums[0, i] += revenue[i]
        sums[1, i] += exports
        sums[2, i] += shut_in[i]
        sums[3, i] += brent[i]
        sums[4, i] += discount[i]
        sums[5, i] += strikes[i]
        sums[6, i] += killed[i]
        sums[7, i] += injured[i]
        if i < n_kept:
            for j in range(C):
                series[i, day, j] = today[j]
        if not do_bands:
            continue
        for j in range(C):
            v = today[j]
            t = (v - lo[j]) * inv[j] + 1.0
            t = min(max(t, 0.0), top[j])
            counts[offset[j] + np.int64(t)] += 1
            vmin[j] = min(vmin[j], v)
            vmax[j] = max(vmax[j], v)
            qsum[j] += np.int64(np.rint(v * scale[j]))
