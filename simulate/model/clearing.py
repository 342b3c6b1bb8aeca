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

from numba import njit

__all__ = ["supply_share", "long_run_demand", "short_run_demand", "total_demand",
           "excess_demand", "clear_market", "split_withheld", "storage_release",
           "BISECTION_STEPS"]

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


@njit(cache=True, error_model="numpy")
def clear_market(brent, wedge, capacity, released, zero_price, full_price, volume, base,
                 ref_discount, slope, premium, cap, lag, min_discount, out):
    """Clear today's market; fill ``out`` (per buyer) with purchases, mb/d.

    Returns ``(discount, offered)``: the delivered discount (USD/bbl) and the volume the
    occupier offers at it (mb/d). The bracket runs from ``min_discount`` to the discount at
    which the FOB price reaches the shut-in price (supply 0 there, so excess demand >= 0).
    When demand exceeds supply even at ``min_discount``, purchases are rationed in proportion
    to demand, so they never exceed the offer nor any buyer's cap.
    """
    lo = min_discount
    hi = brent - wedge - zero_price
    if hi < lo:
        hi = lo
    if excess_demand(lo, brent, wedge, capacity, released, zero_price, full_price, volume,
                     base, ref_discount, slope, premium, cap, lag) >= 0.0:
        d = lo
    else:
        for _ in range(BISECTION_STEPS):
            mid = 0.5 * (lo + hi)
            if excess_demand(mid, brent, wedge, capacity, released, zero_price, full_price,
                             volume, base, ref_discount, slope, premium, cap, lag) < 0.0:
                lo = mid
            else:
                hi = mid
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
