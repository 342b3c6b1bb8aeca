"""Priors of a calibration: the scenario's ``uncertainty:`` distributions as pyabc priors.

Each distribution of the scenario format has a scipy.stats counterpart
(:mod:`simulate.scenario.distributions`); pyabc's ``RV`` wraps scipy.stats by name, so the
prior of a calibrated parameter is exactly the distribution the scenario samples it from.
A ``choice`` (a discrete or named parameter) is not calibrated: it stays uncertain and is
drawn per replicate as before.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..errors import ScenarioError
from ..scenario import Scenario

__all__ = ["scipy_spec", "calibrated_keys", "pyabc_prior", "prior_draws", "require_pyabc"]


def require_pyabc() -> Any:
    """The pyabc module, or a clear error naming the extra that installs it."""
    try:
        import pyabc  # type: ignore[import-untyped]
    except ImportError:
        from ..errors import ExecutionError

        raise ExecutionError("calibration needs pyabc, in the calibrate extra: pip install "
                             "-e '.[calibrate]' in a checkout, or pip install "
                             "'simulate[calibrate]'") from None
    return pyabc


def scipy_spec(dist: Any) -> tuple[str, dict[str, float]]:
    """(scipy.stats name, keyword arguments) of a scenario distribution."""
    kind = dist.dist
    if kind == "uniform":
        return "uniform", {"loc": dist.low, "scale": dist.high - dist.low}
    if kind == "normal":
        return "norm", {"loc": dist.mean, "scale": dist.sd}
    if kind == "lognormal":
        return "lognorm", {"s": dist.sigma, "scale": dist.median}
    if kind == "beta":
        return "beta", {"a": dist.a, "b": dist.b, "loc": dist.low, "scale": dist.high - dist.low}
    if kind == "triangular":
        width = dist.high - dist.low
        return "triang", {"c": (dist.mode - dist.low) / width, "loc": dist.low, "scale": width}
    raise ScenarioError.from_text(f"expected a continuous distribution to calibrate, found "
                                  f"dist: {kind}")


def calibrated_keys(scenario: Scenario, keys: Sequence[str] | None = None) -> list[str]:
    """The uncertain parameters to calibrate: ``keys`` (checked), or every continuous one."""
    continuous = [k for k, d in scenario.uncertainty.items() if d.dist != "choice"]
    if keys is None:
        if not continuous:
            raise ScenarioError.from_text(
                f"expected at least one continuous distribution in the uncertainty: block of "
                f"{scenario.name} to calibrate, found none", key="uncertainty")
        return continuous
    from ..scenario.messages import nearest

    for key in keys:
        if key not in continuous:
            raise ScenarioError.from_text(
                f"expected a key of uncertainty: with a continuous distribution, found "
                f"{key!r}{nearest(key, continuous)}", key="--param")
    return list(keys)


def pyabc_prior(scenario: Scenario, keys: Sequence[str]) -> Any:
    """A ``pyabc.Distribution`` over ``keys``, each with its scenario distribution."""
    pyabc = require_pyabc()
    rvs = {}
    for key in keys:
        name, kwargs = scipy_spec(scenario.uncertainty[key])
        rvs[key] = pyabc.RV(name, **kwargs)
    return pyabc.Distribution(**rvs)


def prior_draws(scenario: Scenario, keys: Sequence[str], u: Any) -> dict[str, Any]:
    """Prior quantiles ``ppf(u[:, j])`` for each key (for comparing posterior and prior)."""
    return {k: scenario.uncertainty[k].ppf(u[:, j]) for j, k in enumerate(keys)}
