"""Sanctions as wedges between Brent, the delivered price and the FOB (at-port) price.

Rules over one replicate (docs/model.md section 4.8). USD/bbl unless said.

* A buyer's **risk premium** for buying the occupier's crude while sellers or tankers are
  designated grows with its exposure (US business, dollar access, ownership):
  ``pi_b = e_b * rho * (kappa + s_tank)`` plus ``pi_nd`` once it has stopped buying from
  designated sellers and sources non-designated barrels instead.
* The **freight and insurance sanctions premium** ``x`` moves with a lag toward a target that
  jumps with each tanker designation, decays toward a lasting part, and adds a step while the
  Urals FOB price is above a price cap (compliant Western tankers and insurers cannot carry).
* **FOB discount** = delivered discount + base freight and insurance + sanctions premium;
  the occupier's revenue is exports times the FOB price.
"""

from __future__ import annotations

import math

from numba import njit

__all__ = ["adjust_toward", "buyer_premium", "freight_target", "fob_discount", "fob_price",
           "revenue_fob", "decay_factor", "fade", "faded_shock"]


@njit(cache=True, error_model="numpy")
def adjust_toward(value: float, target: float, lag: float) -> float:
    """One day of lagged adjustment: close ``1/lag`` of the gap (``lag`` >= 1 days)."""
    return value + (target - value) / lag


@njit(cache=True, error_model="numpy")
def decay_factor(half_life: float) -> float:
    """Daily factor of a geometric decay with the given half-life in days (0: no memory)."""
    if half_life <= 0.0:
        return 0.0
    return math.exp(-math.log(2.0) / half_life)


@njit(cache=True, error_model="numpy")
def buyer_premium(exposure: float, premium_scale: float, designated_share: float,
                  tanker_share: float, stopped: bool, nondesignated_premium: float) -> float:
    """Risk premium (USD/bbl) buyer b needs to keep buying: ``exposure * premium_scale *
    (designated_share + tanker_share)`` (``tanker_share`` the designated fleet share, its
    transient part fading as for freight). Once it has stopped buying from designated
    sellers it no longer bears their risk but pays ``nondesignated_premium`` for screened
    barrels: ``exposure * premium_scale * tanker_share + nondesignated_premium``."""
    if stopped:
        return exposure * premium_scale * tanker_share + nondesignated_premium
    return exposure * premium_scale * (designated_share + tanker_share)


@njit(cache=True, error_model="numpy")
def fade(days_since: float, decay_days: float) -> float:
    """``exp(-days_since / decay_days)``: what is left of a shock ``days_since`` days old
    (0 if it fades at once, ``decay_days`` <= 0)."""
    return math.exp(-days_since / decay_days) if decay_days > 0.0 else 0.0


@njit(cache=True, error_model="numpy")
def faded_shock(tanker_share: float, faded: float, per_share: float, lasting: float) -> float:
    """``per_share * tanker_share * (lasting + (1 - lasting) * faded)``, USD/bbl: a shock
    whose part ``1 - lasting`` has faded to ``faded`` (:func:`fade`)."""
    return per_share * tanker_share * (lasting + (1.0 - lasting) * faded)


@njit(cache=True, error_model="numpy")
def freight_target(tanker_share: float, days_since: float, per_share: float,
                   lasting: float, decay_days: float, cap_binding: bool,
                   cap_premium: float) -> float:
    """Target of the freight/insurance sanctions premium (USD/bbl).

    ``per_share * tanker_share * (lasting + (1 - lasting) exp(-days_since / decay_days))``
    after the latest tanker designation (``days_since`` days ago), plus ``cap_premium`` while
    the price cap binds.
    """
    shock = 0.0
    if tanker_share > 0.0 and days_since >= 0.0:
        shock = faded_shock(tanker_share, fade(days_since, decay_days), per_share, lasting)
    if cap_binding:
        shock += cap_premium
    return shock


@njit(cache=True, error_model="numpy")
def fob_discount(delivered: float, base_freight: float, premium: float) -> float:
    """FOB (at-port) Urals discount to Brent = delivered + freight/insurance + premium."""
    return delivered + base_freight + premium


@njit(cache=True, error_model="numpy")
def fob_price(brent: float, fob_disc: float) -> float:
    """Urals FOB price (USD/bbl)."""
    return brent - fob_disc


@njit(cache=True, error_model="numpy")
def revenue_fob(exports: float, fob: float) -> float:
    """The occupier's crude export revenue at the port, USD million/day (mb/d x USD/bbl)."""
    return exports * fob
