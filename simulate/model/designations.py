"""Designations as stops and embargoes.

Rules over one replicate (docs/model.md section 4.10). Days are integers from the start.

* A **designation** names sellers with a share ``kappa`` of the occupier's exports, from an
  effective day, with a wind-down of ``W`` days. At the end of the wind-down an exposed buyer
  (exposure above its replicate's threshold) **stops** buying from designated sellers: a
  discrete switch. A refiner owned by a designated seller cannot stop.
* A stopped buyer may still buy non-designated barrels: at first only ``1 - kappa`` of its
  capacity, then more as sellers reshuffle cargoes between designated and non-designated
  channels, ``1 - kappa exp(-(t - t_stop) / T)``.
* During the wind-down a buyer that will stop may **front-load** up to ``1 + flex`` of its
  demand (bounded by its capacity).
* Price-cap compliance is a price ceiling in the clearing (``clearing.clear_under_price_cap``).
* An **embargo** on an importer stops its buyers (pipeline exemptions aside) from its date.
"""

from __future__ import annotations

from numba import njit

from .wedges import fade

__all__ = ["NONE", "WIND_DOWN", "IN_FORCE", "designation_status", "stops", "reshuffled_cap",
           "front_load_factor"]

#: designation status codes
NONE, WIND_DOWN, IN_FORCE = 0, 1, 2


@njit(cache=True, error_model="numpy")
def designation_status(day: int, effective_day: int, wind_down_days: int) -> int:
    """NONE before the effective day (or when ``effective_day`` < 0), WIND_DOWN until
    ``effective_day + wind_down_days``, IN_FORCE from then on."""
    if effective_day < 0 or day < effective_day:
        return NONE
    if day < effective_day + wind_down_days:
        return WIND_DOWN
    return IN_FORCE


@njit(cache=True, error_model="numpy")
def stops(status: int, exposure: float, threshold: float, seller_owned: bool) -> bool:
    """Whether a buyer stops buying from designated sellers today (a discrete switch at the
    end of the wind-down for buyers whose exposure exceeds the threshold)."""
    return status == IN_FORCE and exposure > threshold and not seller_owned


@njit(cache=True, error_model="numpy")
def reshuffled_cap(cap: float, designated_share: float, days_stopped: float,
                   reshuffle_days: float) -> float:
    """Capacity (mb/d) a stopped buyer can fill with non-designated barrels:
    ``cap (1 - kappa exp(-days_stopped / reshuffle_days))``."""
    return cap * (1.0 - designated_share * fade(days_stopped, reshuffle_days))


@njit(cache=True, error_model="numpy")
def front_load_factor(status: int, exposure: float, threshold: float, seller_owned: bool,
                      flex: float) -> float:
    """Demand multiplier during the wind-down for a buyer that will stop: ``1 + flex``."""
    if status == WIND_DOWN and exposure > threshold and not seller_owned:
        return 1.0 + flex
    return 1.0
