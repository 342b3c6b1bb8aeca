"""The regime a replicate ends in, as a *cell* of the band sketch.

A run's replicates can follow different courses -- the threat carried out or not, a deal or
not -- and a pointwise band over all of them can be a path none follows. The band sketch
(:mod:`simulate.engines.bands`) therefore keeps one histogram per cell: the pair (threat
carried out, deal reached) at the end of the replicate's horizon, four cells. The pooled
bands add all cells; the bands of one regime (say, threat carried out) add the two cells
that share that flag. Every replicate lands in exactly one cell, so both are exact, over
all replicates.

The rule is written once, here: :func:`regime_cell` (compiled, called by both engines at
the end of a replicate) and :func:`regime_flags` (the same rule over the outcome columns,
for figures and tables).
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["SPLITS", "CELLS", "regime_cell", "regime_cells", "regime_flags", "cells_of"]

#: regime split -> its bit in the cell index
SPLITS = {"threat": 2, "deal": 1}
#: number of cells (every combination of the splits' flags)
CELLS = 4


@njit(cache=True, error_model="numpy")
def regime_cell(decision_day: int, deal_day: int) -> int:
    """Cell of a replicate from its final state: bit 2 set when the threat was carried out
    (a decision day, ``>= 0``), bit 1 when a deal was reached (a deal day, ``>= 0``)."""
    return 2 * int(decision_day >= 0) + int(deal_day >= 0)


@njit(cache=True, error_model="numpy")
def _cells(decision_day: np.ndarray, deal_day: np.ndarray, out: np.ndarray) -> None:
    for i in range(out.shape[0]):
        out[i] = regime_cell(decision_day[i], deal_day[i])


def regime_cells(decision_day: np.ndarray, deal_day: np.ndarray) -> np.ndarray:
    """:func:`regime_cell` of every replicate (outcome columns ``decision_day`` and
    ``deal_day``; day indices, -1 for never)."""
    a = np.ascontiguousarray(decision_day, dtype=np.int64)
    b = np.ascontiguousarray(deal_day, dtype=np.int64)
    if a.shape != b.shape:
        raise ValueError(f"decision_day{a.shape} and deal_day{b.shape} differ in shape")
    out = np.empty(a.shape[0], dtype=np.int64)
    _cells(a, b, out)
    return out


def _bit(by: str) -> int:
    if by not in SPLITS:
        raise ValueError(f"by(={by!r}) must be one of {sorted(SPLITS)}")
    return SPLITS[by]


def regime_flags(decision_day: np.ndarray, deal_day: np.ndarray, by: str) -> np.ndarray:
    """Per replicate, whether it is in the regime ``by`` (``"threat"``: carried out,
    ``"deal"``: reached), by the same rule the engines bin with."""
    return (regime_cells(decision_day, deal_day) & _bit(by)) > 0


def cells_of(by: str, on: bool) -> tuple[int, ...]:
    """The cells whose replicates are (``on``) or are not in the regime ``by``."""
    bit = _bit(by)
    return tuple(k for k in range(CELLS) if bool(k & bit) == on)
