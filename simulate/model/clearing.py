"""The market for the occupier's crude: the delivered discount that clears it each day.

Rules over one replicate (docs/model.md section 4.7). Units: volumes mb/d, prices and
discounts USD/bbl, stocks mb (million barrels).

* Buyer b's **long-run demand** for the occupier's crude rises with the delivered discount it
  sees net of its own risk premium, linearly, and is bounded by its capacity today:
  ``q*_b(D) = clip(V_b + a_b (D - pi_b - D_0), 0, c_b)``.
* Its **short-run demand** closes ``1/L_b`` of the gap from yesterday's volume (cargoes are
  booked weeks ahead), and never exceeds today's cap (a stop is immediate):
  ``q_b(D) = min(v_b + (q*_b(D) - v_b) / L_b, c_b)``.
* The occupier **offers** its export capacity while the FOB Urals price is above the
  full-supply price, nothing below the shut-in price, linearly in between (Johnson, Rachel &
  Wolfram, NBER w31347: supply falls sharply below ~40 USD and reaches zero just below ~30).
* The delivered discount ``D`` solves ``sum_b q_b(D) = Q g(P - D - w)`` (excess demand rises
  with ``D``, so bisection finds it); at the lowest discount allowed, excess demand is
  rationed in proportion to demand.
* Barrels not sold are **stored** (up to the storage room and rate) or **shut in**, so
  ``Q + released = exports + stored + shut_in`` every day.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

__all__ = ["supply_share", "long_run_demand", "short_run_demand", "total_demand",
           "excess_demand", "clear_market", "split_withheld", "storage_release",
           "BISECTION_STEPS", "HINT_STEPS"]

#: bisection halvings of the discount bracket: 200 USD / 2**60 is far below a cent
BISECTION_STEPS = 60


@njit(cache=True, error_model="numpy")
def supply_share(fob_price: float, zero_price: float, full_price: float) -> float:
    """Share of export capacity offered at the FOB Urals price (USD/bbl): 1 at or above
    ``full_price``, 0 at or below ``zero_price``, linear in between."""
    if fob_price >= full_price:
        return 1.0
    if fob_price <= zero_price or full_price <= zero_price:
        return 0.0
    return (fob_price - zero_price) / (full_price - zero_price)


@njit(cache=True, error_model="numpy")
def long_run_demand(discount: float, base: float, ref_discount: float, slope: float,
                    premium: float, cap: float) -> float:
    """``clip(base + slope * (discount - premium - ref_discount), 0, cap)``, mb/d.

    ``slope`` is mb/d per USD/bbl of delivered discount; ``premium`` the buyer's risk premium
    (USD/bbl) that the discount must cover; ``cap`` its capacity for the crude today.
    """
    q = base + slope * (discount - premium - ref_discount)
    if q > cap:
        q = cap
    if q < 0.0:
        q = 0.0
    return q


@njit(cache=True, error_model="numpy")
def short_run_demand(discount: float, volume: float, base: float, ref_discount: float,
                     slope: float, premium: float, cap: float, lag: float) -> float:
    """Today's purchase at ``discount``: yesterday's ``volume`` moved ``1/lag`` of the way to
    the long-run demand, and at most ``cap`` (mb/d)."""
    target = long_run_demand(discount, base, ref_discount, slope, premium, cap)
    q = volume + (target - volume) / lag
    if q > cap:
        q = cap
    if q < 0.0:
        q = 0.0
    return q


@njit(cache=True, error_model="numpy")
def total_demand(discount, volume, base, ref_discount, slope, premium, cap, lag) -> float:
    """Sum of the buyers' short-run demands at ``discount`` (arrays per buyer), mb/d."""
    total = 0.0
    for b in range(volume.shape[0]):
        total += short_run_demand(discount, volume[b], base[b], ref_discount, slope[b],
                                  premium[b], cap[b], lag[b])
    return total


@njit(cache=True, error_model="numpy")
def excess_demand(discount, brent, wedge, capacity, released, zero_price, full_price,
                  volume, base, ref_discount, slope, premium, cap, lag) -> float:
    """Demand minus supply (mb/d) at a delivered discount; rises with the discount.

    Supply is ``capacity * supply_share(FOB price) + released`` with the FOB price
    ``brent - discount - wedge`` (``wedge`` = freight + seller-side premium, USD/bbl).
    """
    offer = capacity * supply_share(brent - discount - wedge, zero_price, full_price) + released
    return total_demand(discount, volume, base, ref_discount, slope, premium, cap, lag) - offer


#: false-position steps that narrow the bracket before the bisection (hints only)
HINT_STEPS = 12


@njit(cache=True, error_model="numpy")
def _monotone(brent, wedge, capacity, released, zero_price, full_price, volume, base,
              ref_discount, slope, premium, cap, lag) -> bool:
    """Whether excess demand, as computed in floating point, is certainly non-decreasing in
    the discount: every input finite, capacity >= 0, every slope >= 0 and lag > 0. Each
    rounded operation of :func:`excess_demand` is then monotone in its argument, so the
    computed value is too (not just the exact one)."""
    for x in (brent, wedge, capacity, released, zero_price, full_price, ref_discount):
        if not math.isfinite(x):
            return False
    if capacity < 0.0:
        return False
    for b in range(volume.shape[0]):
        if not (slope[b] >= 0.0 and lag[b] > 0.0 and math.isfinite(slope[b])
                and math.isfinite(lag[b]) and math.isfinite(volume[b])
                and math.isfinite(base[b]) and math.isfinite(premium[b])
                and math.isfinite(cap[b])):
            return False
    return True


@njit(cache=True, error_model="numpy")
def clear_market(brent, wedge, capacity, released, zero_price, full_price, volume, base,
                 ref_discount, slope, premium, cap, lag, min_discount, out, guess=np.nan):
    """Clear today's market; fill ``out`` (per buyer) with purchases, mb/d.

    Returns ``(discount, offered)``: the delivered discount (USD/bbl) and the volume the
    occupier offers at it (mb/d). The bracket runs from ``min_discount`` to the discount at
    which the FOB price reaches the shut-in price (supply 0 there, so excess demand >= 0).
    When demand exceeds supply even at ``min_discount``, purchases are rationed in proportion
    to demand, so they never exceed the offer nor any buyer's cap.

    The result is that of :data:`BISECTION_STEPS` halvings, computed with fewer evaluations
    (docs/performance.md): when the computed excess demand is monotone (:func:`_monotone`),
    a few false-position (Illinois) steps first find discounts ``a < b`` with excess demand
    < 0 at ``a`` and >= 0 at ``b``; a midpoint at or below ``a`` (at or above ``b``) then
    has the same sign without being evaluated. The bisection also stops once its midpoint
    equals an end of the bracket (later halvings change nothing). ``guess`` (yesterday's
    discount, optional) is evaluated first to narrow the bracket; it changes only how many
    evaluations are needed, never the result.
    """
    lo = min_discount
    hi = brent - wedge - zero_price
    if hi < lo:
        hi = lo
    args = (brent, wedge, capacity, released, zero_price, full_price, volume, base,
            ref_discount, slope, premium, cap, lag)
    e_lo = excess_demand(lo, *args)
    if e_lo >= 0.0:
        d = lo
    else:
        neg_at, pos_at = lo, np.inf    # excess < 0 known at neg_at, >= 0 at pos_at
        if hi > lo and _monotone(*args):
            a, ea, b = lo, e_lo, hi
            eb = excess_demand(hi, *args)
            if eb >= 0.0:
                side = 0
                fa, fb = ea, eb      # excess demand at a and b (ea, eb: Illinois weights)
                if guess > a and guess < b:
                    eg = excess_demand(guess, *args)
                    if eg < 0.0:
                        a, ea, fa, side = guess, eg, eg, -1
                    else:
                        b, eb, fb, side = guess, eg, eg, 1
                for _ in range(HINT_STEPS):
                    x = (a * eb - b * ea) / (eb - ea)
                    if not (x > a and x < b):
                        x = 0.5 * (a + b)
                        if not (x > a and x < b):
                            break
                    ex = excess_demand(x, *args)
                    if ex < 0.0:
                        a, ea, fa = x, ex, ex
                        if side == -1:
                            eb *= 0.5
                        side = -1
                    else:
                        b, eb, fb = x, ex, ex
                        if side == 1:
                            ea *= 0.5
                        side = 1
                        if ex == 0.0:
                            break
                # bring the far end next to the one nearer the root (a few ulps, then
                # wider)
                near_b = fb <= -fa
                step = (abs(b) + abs(a)) * 1e-15 + 1e-300
                for _ in range(6):
                    if near_b:
                        x = b - step
                        if not x > a:
                            break
                        if excess_demand(x, *args) < 0.0:
                            a = x
                            break
                        b = x
                    else:
                        x = a + step
                        if not x < b:
                            break
                        if excess_demand(x, *args) >= 0.0:
                            b = x
                            break
                        a = x
                    step *= 16.0
                pos_at = b
            elif eb < 0.0:
                a = hi
            neg_at = a
        for _ in range(BISECTION_STEPS):
            mid = 0.5 * (lo + hi)
            last = mid == lo or mid == hi
            if mid <= neg_at:
                negative = True
            elif mid >= pos_at:
                negative = False
            else:
                negative = excess_demand(mid, *args) < 0.0
            if negative:
                lo = mid
            else:
                hi = mid
            if last:
                break
        d = hi
    offer = capacity * supply_share(brent - d - wedge, zero_price, full_price) + released
    demand = 0.0
    for b in range(volume.shape[0]):
        out[b] = short_run_demand(d, volume[b], base[b], ref_discount, slope[b], premium[b],
                                  cap[b], lag[b])
        demand += out[b]
    if demand > offer:
        scale = offer / demand if demand > 0.0 else 0.0
        for b in range(volume.shape[0]):
            out[b] *= scale
    return d, offer


@njit(cache=True, error_model="numpy")
def split_withheld(capacity: float, released: float, exports: float, stock: float,
                   storage_capacity: float, storage_rate: float):
    """``(stored, shut_in)`` mb/d of the barrels produced but not exported today.

    Withheld barrels ``capacity + released - exports`` go to storage while there is room
    (``storage_capacity - stock`` mb) and up to ``storage_rate`` mb/d; the rest is shut in.
    """
    withheld = capacity + released - exports
    if withheld < 0.0:
        withheld = 0.0
    room = storage_capacity - stock
    if room < 0.0:
        room = 0.0
    stored = min(withheld, room, storage_rate)
    return stored, withheld - stored


@njit(cache=True, error_model="numpy")
def storage_release(stock: float, release_rate: float, fob_price: float,
                    full_price: float) -> float:
    """Stored barrels put back on the market today (mb/d): up to ``release_rate`` once the
    FOB price (yesterday's) is back at or above the full-supply price, else none."""
    if fob_price < full_price or stock <= 0.0:
        return 0.0
    return min(stock, release_rate)
