"""The ABC proposal kernel: pyabc's multivariate normal perturbation, kept non-singular.

Imported only once pyabc is known to be installed (:func:`.priors.require_pyabc`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from pyabc.transition import MultivariateNormalTransition  # type: ignore[import-untyped]
from scipy import stats

__all__ = ["NonSingularNormalTransition", "MIN_RELATIVE_EIGENVALUE"]

#: smallest eigenvalue of the kernel's covariance, as a share of its largest; scipy's
#: density treats directions below about 2.2e-10 of the largest as outside the support
MIN_RELATIVE_EIGENVALUE = 1e-8


class NonSingularNormalTransition(MultivariateNormalTransition):  # type: ignore[misc]
    """pyabc's ``MultivariateNormalTransition`` with every eigenvalue of its covariance at
    least :data:`MIN_RELATIVE_EIGENVALUE` of the largest.

    When a generation's weights rest on one or two particles, the fitted covariance is
    singular in some direction: numpy perturbs particles along it, but scipy's density
    (``allow_singular``) puts them outside the support and returns 0, so pyabc's importance
    weight prior / transition is infinite and the population's total weight NaN. A well
    conditioned covariance is left as it is (the same numbers as pyabc's kernel)."""

    cov: np.ndarray

    def fit(self, X: Any, w: np.ndarray) -> None:
        super().fit(X, w)
        values, vectors = np.linalg.eigh(self.cov)
        floor = MIN_RELATIVE_EIGENVALUE * float(values.max())
        if floor > 0.0 and float(values.min()) < floor:
            self.cov = (vectors * np.maximum(values, floor)) @ vectors.T
            self.normal = stats.multivariate_normal(cov=self.cov, allow_singular=True)
