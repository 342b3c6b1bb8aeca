"""An independent oracle for the tests: Newcombe's (1998) paired score interval (method 10),
written out from the paper's formulas with scipy's Wilson interval of each margin, to check
the library's one implementation (simulate.results.summary.paired_proportion_difference)
on tables small enough to reason about."""

from __future__ import annotations

import math

from scipy import stats


def _wilson(k: int, n: int) -> tuple[float, float]:
    ci = stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    return float(ci.low), float(ci.high)


def newcombe_paired(a: int, b: int, c: int, d: int) -> tuple[float, float]:
    """95% interval of p1 - p2 for pairs: ``a`` both 1, ``b`` first only, ``c`` second only,
    ``d`` neither (phi's numerator ad - bc moved n/2 towards 0 when positive, 0 when a
    margin is empty)."""
    n = a + b + c + d
    p1, p2 = (a + b) / n, (a + c) / n
    (l1, u1), (l2, u2) = _wilson(a + b, n), _wilson(a + c, n)
    den = (a + b) * (c + d) * (a + c) * (b + d)
    num = a * d - b * c
    num = max(num - n / 2, 0.0) if num > 0 else num
    phi = num / math.sqrt(den) if den else 0.0
    dl = math.sqrt(max((p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2, 0))
    du = math.sqrt(max((u1 - p1) ** 2 - 2 * phi * (u1 - p1) * (p2 - l2) + (p2 - l2) ** 2, 0))
    return p1 - p2 - dl, p1 - p2 + du
