"""Distributions for uncertain parameters (``uncertainty:`` in a scenario).

Each is a small validated value class that knows its scipy.stats counterpart, so that a
replicate's parameter is ``dist.ppf(u)`` of one uniform draw from the replicate's own
counter-based stream (design section 2): sampling is exact inversion, reproducible replicate by
replicate, and independent of chunking.
"""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import ConfigDict, Field, model_validator

from .schema_base import StrictScalars

__all__ = [
    "Uniform", "Normal", "LogNormal", "Beta", "Triangular", "Choice", "Distribution",
]


if TYPE_CHECKING:
    import numpy as np

#: quantiles taken as the ends of an unbounded distribution's support
TAIL = 0.5e-9


def _stats() -> Any:
    """scipy.stats, imported on first use: it costs a second of start-up, and validating a
    scenario file does not need it."""
    from scipy import stats

    return stats


class _Dist(StrictScalars):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    def _scipy(self) -> tuple[Any, tuple[float, ...], dict[str, float]]:  # pragma: no cover
        """The scipy.stats distribution and its shape, loc and scale arguments."""
        raise NotImplementedError

    def frozen(self) -> Any:
        """This distribution as a frozen scipy.stats object (pdf, cdf, moments...)."""
        rv, args, kwds = self._scipy()
        return rv(*args, **kwds)

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """Quantile function: maps uniforms in (0, 1) to values of this distribution.

        Calls the shared scipy.stats instance with this distribution's arguments rather than
        freezing one: freezing builds a new instance (a docstring rewrite and an ``exec``,
        ~1 ms), which per chunk and parameter added up, and an interrupt landing inside that
        ``exec`` made CPython exit by signal instead of with the CLI's code 130."""
        import numpy as np

        rv, args, kwds = self._scipy()
        return np.asarray(rv.ppf(u, *args, **kwds), dtype=float)

    def support(self) -> tuple[float, float]:
        """Smallest and largest value a draw can take (the TAIL and 1-TAIL quantiles if
        unbounded). Bounded distributions override this with their bounds."""
        import numpy as np

        lo, hi = self.ppf(np.array([TAIL, 1 - TAIL]))
        return float(lo), float(hi)


class Uniform(_Dist):
    """Uniform on [low, high]."""

    dist: Literal["uniform"]
    low: float
    high: float

    @model_validator(mode="after")
    def _check(self) -> Uniform:
        if not self.low < self.high:
            raise ValueError(f"expected low < high for a uniform distribution, found "
                             f"low={self.low:g}, high={self.high:g}")
        return self

    def _scipy(self) -> tuple[Any, tuple[float, ...], dict[str, float]]:
        return _stats().uniform, (), {"loc": self.low, "scale": self.high - self.low}

    def support(self) -> tuple[float, float]:
        return float(self.low), float(self.high)


class Normal(_Dist):
    """Normal with mean and standard deviation ``sd`` (> 0)."""

    dist: Literal["normal"]
    mean: float
    sd: float = Field(gt=0)

    def _scipy(self) -> tuple[Any, tuple[float, ...], dict[str, float]]:
        return _stats().norm, (), {"loc": self.mean, "scale": self.sd}

    def support(self) -> tuple[float, float]:
        z = NormalDist().inv_cdf(1 - TAIL)
        return float(self.mean - z * self.sd), float(self.mean + z * self.sd)


class LogNormal(_Dist):
    """Log-normal given by its median and the standard deviation ``sigma`` (> 0) of its log."""

    dist: Literal["lognormal"]
    median: float = Field(gt=0)
    sigma: float = Field(gt=0, le=10)  # exp(6 * 10): wider is not a belief, it overflows

    def _scipy(self) -> tuple[Any, tuple[float, ...], dict[str, float]]:
        return _stats().lognorm, (), {"s": self.sigma, "scale": self.median}

    def support(self) -> tuple[float, float]:
        z = NormalDist().inv_cdf(1 - TAIL)  # open at 0: the TAIL quantiles, as if unbounded
        return (float(self.median * math.exp(-z * self.sigma)),
                float(self.median * math.exp(z * self.sigma)))


class Beta(_Dist):
    """Beta(a, b) with a, b > 0, rescaled to [low, high] (default [0, 1])."""

    dist: Literal["beta"]
    a: float = Field(gt=0)
    b: float = Field(gt=0)
    low: float = 0.0
    high: float = 1.0

    @model_validator(mode="after")
    def _check(self) -> Beta:
        if not self.low < self.high:
            raise ValueError(f"expected low < high for a beta distribution, found "
                             f"low={self.low:g}, high={self.high:g}")
        return self

    def _scipy(self) -> tuple[Any, tuple[float, ...], dict[str, float]]:
        return _stats().beta, (self.a, self.b), {"loc": self.low, "scale": self.high - self.low}

    def support(self) -> tuple[float, float]:
        return float(self.low), float(self.high)


class Triangular(_Dist):
    """Triangular with low <= mode <= high and low < high."""

    dist: Literal["triangular"]
    low: float
    mode: float
    high: float

    @model_validator(mode="after")
    def _check(self) -> Triangular:
        if not (self.low <= self.mode <= self.high and self.low < self.high):
            raise ValueError(
                "expected low <= mode <= high and low < high for a triangular distribution, "
                f"found low={self.low:g}, mode={self.mode:g}, high={self.high:g}")
        return self

    def _scipy(self) -> tuple[Any, tuple[float, ...], dict[str, float]]:
        width = self.high - self.low
        return _stats().triang, ((self.mode - self.low) / width,), {"loc": self.low,
                                                                     "scale": width}

    def support(self) -> tuple[float, float]:
        return float(self.low), float(self.high)


class Choice(_Dist):
    """One of ``values``, with optional ``weights`` (>= 0, normalised to sum 1)."""

    dist: Literal["choice"]
    values: tuple[Any, ...] = Field(min_length=1)
    weights: tuple[float, ...] | None = None

    @model_validator(mode="after")
    def _check(self) -> Choice:
        if self.weights is not None:
            if len(self.weights) != len(self.values):
                raise ValueError(f"expected one weight per value, found {len(self.values)} "
                                 f"value(s) and {len(self.weights)} weight(s)")
            if any(w < 0 for w in self.weights) or sum(self.weights) <= 0:
                raise ValueError("expected weights >= 0 with a positive sum, found "
                                 f"{[float(f'{w:g}') for w in self.weights]}")
        return self

    def _cum(self) -> np.ndarray:
        import numpy as np

        w = np.ones(len(self.values)) if self.weights is None else np.asarray(self.weights, float)
        return np.cumsum(w) / w.sum()

    def index(self, u: np.ndarray) -> np.ndarray:
        """Index of the chosen value for uniforms ``u``."""
        import numpy as np

        return np.minimum(np.searchsorted(self._cum(), u, side="right"), len(self.values) - 1)

    def ppf(self, u: np.ndarray) -> np.ndarray:
        import numpy as np

        return np.asarray(self.values, dtype=object)[self.index(np.asarray(u))]

    def support(self) -> tuple[Any, Any]:
        numeric = [v for v in self.values if isinstance(v, int | float) and not isinstance(v, bool)]
        if len(numeric) == len(self.values):
            return min(numeric), max(numeric)
        return self.values[0], self.values[-1]


Distribution = Annotated[
    Uniform | Normal | LogNormal | Beta | Triangular | Choice, Field(discriminator="dist")
]
