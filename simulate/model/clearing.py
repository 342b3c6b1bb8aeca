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
* The delivered discount ``D`` solves ``sum_b q_b(D) = Q g(P - D - w)``. Excess demand is
  continuous, piecewise linear and rises with ``D``: safeguarded Newton steps from yesterday's
  discount find the root, usually in two evaluations; at the lowest discount allowed, excess
  demand is rationed in proportion to demand.
* Buyers **adapt** to the barrels they take above their base volume (shipping, insurance,
  payment channels, crude slates): the demand curve shifts out by ``A_b``, which moves
  toward the extra volume with a half-life ``h``,
  ``A_b <- k A_b + (1 - k) max(v_b - V_b, 0)``, ``k = 2^(-1/h)``; with lasting extra
  supply the discount's excess over ``D_0 + pi_b`` then halves every ``h`` days
  (calibration stylised fact 3).
* Under a **price cap**, compliant buyers may buy only at an FOB price at or below the cap:
  their demand is 0 below the discount ``D_c = P - w - cap`` and whole above it. If the
  market clears above the cap without them and below it with them, it clears at the cap,
  ``D = D_c``, and they share what the others leave, in proportion to their demand.
* Barrels not sold are **stored** (up to the storage room and rate) or **shut in**, so
  ``Q + released = exports + stored + shut_in`` every day. Stored barrels are **offered**
  back as the FOB price rises above the full-supply price: the share
  ``clip((U - U_full) / (U_full - U_0), 0, 1)`` of what may be released today
  (``min(stock, release rate)``), so the offer, and the discount, are continuous in the
  price (a release switched on by yesterday's price made the discount jump day after day).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

__all__ = ["Market", "buyer_rows", "W_BASE", "W_SLOPE", "W_LAG", "W_PREMIUM", "W_CAP",
           "W_VOLUME", "W_OTHERS", "NW", "supply_share", "long_run_demand",
           "short_run_demand", "excess_demand", "find_discount", "clear_market",
           "split_withheld", "releasable", "release_share", "adapted_shift",
           "clear_under_price_cap", "MAX_STEPS", "STEP_TOL"]


class Market(NamedTuple):
    """What one day's clearing takes besides the buyers' rows: the sellers' side and the
    terms common to all buyers."""

    brent: float          #: yesterday's Brent, USD/bbl
    wedge: float          #: freight and seller-side premium, delivered minus FOB, USD/bbl
    capacity: float       #: production that can be shipped today, mb/d
    releasable: float     #: stock that may be released today (:func:`releasable`), mb/d
    zero_price: float     #: FOB price at and below which nothing is offered, USD/bbl
    full_price: float     #: FOB price from which the capacity is offered in full, USD/bbl
    ref_discount: float   #: the delivered discount at which buyers take their base, USD/bbl
    min_discount: float   #: the lowest delivered discount the search allows, USD/bbl


# ----- the buyers' rows of a clearing: a (NW, B) matrix, one column per buyer -----------
#: base volume (shifted by adaptation and front-loading), mb/d; slope of demand, mb/d per
#: USD/bbl; adjustment lag, days; risk premium, USD/bbl; cap today, mb/d; yesterday's
#: volume, mb/d; and a row the price-cap clearing fills (the caps without compliant buyers)
W_BASE, W_SLOPE, W_LAG, W_PREMIUM, W_CAP, W_VOLUME, W_OTHERS = range(7)
NW = 7


def buyer_rows(volume, base, slope, premium, cap, lag) -> np.ndarray:
    """The (NW, B) rows of a clearing from per-buyer arrays (B,), in the units of
    :data:`W_BASE` and the rows after it."""
    rows = np.zeros((NW, len(np.atleast_1d(base))))
    for row, values in ((W_VOLUME, volume), (W_BASE, base), (W_SLOPE, slope),
                        (W_PREMIUM, premium), (W_CAP, cap), (W_LAG, lag)):
        rows[row] = values
    return rows


@njit(cache=True, error_model="numpy")
def _supply(fob_price: float, zero_price: float, full_price: float) -> tuple[float, float]:
    """``(share, d share / d FOB price)`` of :func:`supply_share` (per USD/bbl); at a kink
    the derivative on the side of higher prices (lower discounts), as :func:`_clip`."""
    if fob_price >= full_price:
        return 1.0, 0.0
    if fob_price < zero_price or full_price <= zero_price:
        return 0.0, 0.0
    width = full_price - zero_price
    return (fob_price - zero_price) / width, 1.0 / width


@njit(cache=True, error_model="numpy")
def supply_share(fob_price: float, zero_price: float, full_price: float) -> float:
    """Share of export capacity offered at the FOB Urals price (USD/bbl): 1 at or above
    ``full_price``, 0 at or below ``zero_price``, linear in between."""
    return _supply(fob_price, zero_price, full_price)[0]


@njit(cache=True, error_model="numpy")
def _release(fob_price: float, zero_price: float, full_price: float) -> tuple[float, float]:
    """``(share, d share / d FOB price)`` of :func:`release_share`: the supply curve moved up
    by its own width, so stock is offered only where production is offered in full."""
    return _supply(fob_price - (full_price - zero_price), zero_price, full_price)


@njit(cache=True, error_model="numpy")
def release_share(fob_price: float, zero_price: float, full_price: float) -> float:
    """Share of the stock releasable today that is offered at the FOB price (USD/bbl): 0 up
    to ``full_price``, rising linearly to 1 at ``2 full_price - zero_price``."""
    return _release(fob_price, zero_price, full_price)[0]


@njit(cache=True, error_model="numpy")
def _offer(fob_price: float, capacity: float, releasable: float, zero_price: float,
           full_price: float) -> tuple[float, float]:
    """``(offer, d offer / d FOB price)``, mb/d and mb/d per USD/bbl: production offered
    (``capacity`` x :func:`supply_share`) plus stock offered (``releasable`` x
    :func:`release_share`)."""
    share, dshare = _supply(fob_price, zero_price, full_price)
    rel, drel = _release(fob_price, zero_price, full_price)
    return capacity * share + releasable * rel, capacity * dshare + releasable * drel


@njit(cache=True, error_model="numpy")
def _clip(x: float, dx: float, cap: float) -> tuple[float, float]:
    """``x`` clipped to ``[0, cap]`` and its slope ``dx`` (0 where clipped). ``x`` rises
    with the discount; at a kink the slope is the one on the side of lower discounts (the
    left derivative), which :func:`find_discount` needs to tell the smallest root."""
    if x > cap:
        return cap, 0.0
    if x <= 0.0:
        return 0.0, 0.0
    return x, dx


@njit(cache=True, error_model="numpy")
def _demand(discount: float, volume: float, base: float, ref_discount: float, slope: float,
            premium: float, cap: float, lag: float) -> tuple[float, float, float]:
    """``(long-run demand, short-run demand, d short-run / d discount)`` of one buyer
    (mb/d, mb/d, mb/d per USD/bbl): the one place the demand rules are written."""
    target, dtarget = _clip(base + slope * (discount - premium - ref_discount), slope, cap)
    q, dq = _clip(volume + (target - volume) / lag, dtarget / lag, cap)
    return target, q, dq


@njit(cache=True, error_model="numpy")
def adapted_shift(shift: float, extra: float, keep: float) -> float:
    """Tomorrow's outward shift of a buyer's demand (mb/d): today's ``shift`` moved toward
    the volume it took above its base, ``extra`` (none if negative), keeping ``keep`` of
    the gap (the daily factor of the adaptation half-life; 0 adapts at once)."""
    return keep * shift + (1.0 - keep) * max(extra, 0.0)


@njit(cache=True, error_model="numpy")
def long_run_demand(discount: float, base: float, ref_discount: float, slope: float,
                    premium: float, cap: float) -> float:
    """``clip(base + slope * (discount - premium - ref_discount), 0, cap)``, mb/d.

    ``slope`` is mb/d per USD/bbl of delivered discount; ``premium`` the buyer's risk premium
    (USD/bbl) that the discount must cover; ``cap`` its capacity for the crude today.
    """
    return _demand(discount, 0.0, base, ref_discount, slope, premium, cap, 1.0)[0]


@njit(cache=True, error_model="numpy")
def short_run_demand(discount: float, volume: float, base: float, ref_discount: float,
                     slope: float, premium: float, cap: float, lag: float) -> float:
    """Today's purchase at ``discount``: yesterday's ``volume`` moved ``1/lag`` of the way to
    the long-run demand, and at most ``cap`` (mb/d)."""
    return _demand(discount, volume, base, ref_discount, slope, premium, cap, lag)[1]


@njit(cache=True, error_model="numpy")
def _excess(discount: float, m: Market, rows: np.ndarray, cap_row: int) -> tuple[float, float]:
    """``(excess demand, its slope in the discount)``: mb/d and mb/d per USD/bbl; the
    buyers' caps are row ``cap_row`` of ``rows``."""
    total = 0.0
    dtotal = 0.0
    for b in range(rows.shape[1]):
        _, q, dq = _demand(discount, rows[W_VOLUME, b], rows[W_BASE, b], m.ref_discount,
                           rows[W_SLOPE, b], rows[W_PREMIUM, b], rows[cap_row, b],
                           rows[W_LAG, b])
        total += q
        dtotal += dq
    offer, doffer = _offer(m.brent - discount - m.wedge, m.capacity, m.releasable,
                           m.zero_price, m.full_price)
    # the FOB price falls one for one with the discount, so the offer falls with it
    return total - offer, dtotal + doffer


@njit(cache=True, error_model="numpy")
def excess_demand(discount: float, m: Market, rows: np.ndarray, cap_row: int = W_CAP) -> float:
    """Demand minus supply (mb/d) at a delivered discount (USD/bbl); rises with it.

    Demand is the buyers' short-run demand (:func:`short_run_demand`, their rows
    :func:`buyer_rows`, caps in row ``cap_row``); supply is
    ``capacity * supply_share(U) + releasable * release_share(U)`` at the FOB price
    ``U = brent - discount - wedge`` (:class:`Market`).
    """
    return _excess(discount, m, rows, cap_row)[0]


#: most evaluations of excess demand one clearing may take (bisection steps included)
MAX_STEPS = 200
#: a Newton step shorter than this (relative to 1 + |discount|) ends the search
STEP_TOL = 1e-12


@njit(cache=True, error_model="numpy", inline="always")
def find_discount(lo: float, hi: float, guess: float, m: Market, rows: np.ndarray,
                  cap_row: int = W_CAP) -> tuple[float, int]:
    """The smallest delivered discount in ``[lo, hi]`` at which excess demand is >= 0
    (USD/bbl; ``hi`` if there is none), and the evaluations used.

    Excess demand is continuous, piecewise linear and non-decreasing in the discount, so a
    Newton step from a point lands on the root whenever the point's linear piece reaches
    it: from yesterday's discount (``guess``) that is usually the first step, and the
    second evaluation confirms it. Slopes are left derivatives, so a zero with a positive
    slope is the smallest one; from a zero on a flat piece the search goes on to the left.
    Steps leaving the bracket known so far fall back to bisection, so the search ends on
    any input (at most :data:`MAX_STEPS` evaluations).
    """
    a, b = lo, hi                 # excess < 0 is known at a if a_known, >= 0 at b if b_known
    ea, sa = 0.0, 0.0             # excess demand and slope at a
    a_known = False
    b_known = False
    x = guess if guess >= lo and guess <= hi else lo
    steps = 0
    while steps < MAX_STEPS:
        e, s = _excess(x, m, rows, cap_row)
        steps += 1
        if e < 0.0:
            if x >= hi:
                return hi, steps
            a, ea, sa, a_known = x, e, s, True
        else:
            if x <= lo:
                return lo, steps
            if e == 0.0 and s > 0.0:
                return x, steps
            b, b_known = x, True
        newton = s > 0.0
        if newton:
            nx = x - e / s
        elif e < 0.0:
            nx = hi
        elif a_known and sa > 0.0:      # flat at or above zero: go back to a's piece
            nx = a - ea / sa
        else:
            nx = lo
        if not nx == nx:      # NaN (non-finite inputs): bisect
            nx = 0.5 * (a + b)
        nx = min(max(nx, lo), hi)
        if newton and abs(nx - x) <= STEP_TOL * (1.0 + abs(x)):
            return x, steps
        if (a_known and nx <= a) or (b_known and nx >= b):
            nx = 0.5 * (a + b)
            if not (nx > a and nx < b):       # the bracket is two adjacent doubles
                return b, steps
        x = nx
    return (b if b_known else x), steps


@njit(cache=True, error_model="numpy", inline="always")
def clear_market(m: Market, rows: np.ndarray, out: np.ndarray, guess: float = np.nan,
                 cap_row: int = W_CAP) -> tuple[float, float]:
    """Clear today's market; fill ``out`` (per buyer) with purchases, mb/d.

    Returns ``(discount, offered)``: the delivered discount (USD/bbl) and the volume the
    occupier offers at it (mb/d). The discount is searched (:func:`find_discount`) from
    ``m.min_discount`` to the discount at which the FOB price reaches the shut-in price
    (supply 0 there); ``guess`` (yesterday's discount, optional) is where the search starts;
    the buyers' caps are row ``cap_row`` of ``rows``. When demand exceeds supply at the
    discount found (at the lowest discount, or by rounding), purchases are rationed in
    proportion to demand, so they never exceed the offer nor any buyer's cap.
    """
    lo = m.min_discount
    hi = m.brent - m.wedge - m.zero_price
    if hi < lo:
        hi = lo
    d, _ = find_discount(lo, hi, guess, m, rows, cap_row)
    offer = _offer(m.brent - d - m.wedge, m.capacity, m.releasable, m.zero_price,
                   m.full_price)[0]
    demand = 0.0
    n = rows.shape[1]
    for b in range(n):
        out[b] = short_run_demand(d, rows[W_VOLUME, b], rows[W_BASE, b], m.ref_discount,
                                  rows[W_SLOPE, b], rows[W_PREMIUM, b], rows[cap_row, b],
                                  rows[W_LAG, b])
        demand += out[b]
    if demand > offer:
        scale = offer / demand if demand > 0.0 else 0.0
        for b in range(n):
            out[b] *= scale
    return d, offer


@njit(cache=True, error_model="numpy")
def clear_under_price_cap(m: Market, rows: np.ndarray, out: np.ndarray, guess: float,
                          compliant: np.ndarray, price_cap: float) -> tuple[float, float]:
    """:func:`clear_market` when ``compliant`` buyers (flags, nonzero) may buy only at an FOB
    price at or below ``price_cap`` (USD/bbl; <= 0: no cap). Returns ``(discount, offered)``.

    Their demand is 0 for delivered discounts below ``D_c = brent - wedge - price_cap`` and
    whole from ``D_c`` on, so excess demand jumps there. The market clears with every buyer
    if that leaves the FOB price at or below the cap; else without the compliant buyers if
    that leaves it at or above the cap; else at the cap (``D_c``), where the others buy
    their demand and the compliant buyers share the rest of the offer in proportion to
    their demand (a price ceiling for part of the market). Row :data:`W_OTHERS` of ``rows``
    is filled with the caps without the compliant buyers.
    """
    n = rows.shape[1]
    any_compliant = False
    for b in range(n):
        if compliant[b] != 0 and rows[W_CAP, b] > 0.0:
            any_compliant = True
    d, offer = clear_market(m, rows, out, guess)
    d_cap = m.brent - m.wedge - price_cap
    if price_cap <= 0.0 or not any_compliant or d >= d_cap:
        return d, offer
    for b in range(n):
        rows[W_OTHERS, b] = 0.0 if compliant[b] != 0 else rows[W_CAP, b]
    d, offer = clear_market(m, rows, out, guess, W_OTHERS)
    if d <= d_cap:
        return d, offer
    # at the cap: the others at their demand, the compliant buyers share the rest
    offer = _offer(m.brent - d_cap - m.wedge, m.capacity, m.releasable, m.zero_price,
                   m.full_price)[0]
    others = 0.0
    wanted = 0.0
    for b in range(n):
        out[b] = short_run_demand(d_cap, rows[W_VOLUME, b], rows[W_BASE, b], m.ref_discount,
                                  rows[W_SLOPE, b], rows[W_PREMIUM, b], rows[W_CAP, b],
                                  rows[W_LAG, b])
        if compliant[b] != 0:
            wanted += out[b]
        else:
            others += out[b]
    if others > offer:           # only by rounding: the market cleared above the cap
        scale = offer / others
        for b in range(n):
            out[b] = 0.0 if compliant[b] != 0 else out[b] * scale
        return d_cap, offer
    rest = offer - others
    if wanted > rest:
        scale = rest / wanted
        for b in range(n):
            if compliant[b] != 0:
                out[b] *= scale
    return d_cap, offer


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
def releasable(stock: float, release_rate: float) -> float:
    """Stored barrels that may be put back on the market today (mb/d): the stock, at most
    ``release_rate``; how much is offered depends on today's price (:func:`release_share`)."""
    if stock <= 0.0:
        return 0.0
    return min(stock, release_rate)
