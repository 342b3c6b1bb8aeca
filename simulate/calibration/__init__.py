"""Calibration to observed data: targets files, ABC-SMC (pyabc), posterior, diagnostics.

Execution layer: it runs scenarios through :func:`simulate.run` and reads their
``Results.timeseries``; it knows nothing of the engines' internals.
"""

from ..scenario.posterior import Posterior, read_posterior, write_posterior
from .abc import Calibration, CalibrationSettings, calibrate
from .diagnostics import coverage_table, identifiability, predictive_check
from .model import ParticleModel, particle_seed
from .priors import calibrated_keys, pyabc_prior, scipy_spec
from .summaries import Mapped, map_targets, statistics
from .targets import Target, Targets, TargetSource, load_targets

__all__ = [
    "calibrate", "Calibration", "CalibrationSettings", "Target", "Targets", "TargetSource",
    "load_targets", "Mapped", "map_targets", "statistics", "ParticleModel", "particle_seed",
    "calibrated_keys", "pyabc_prior", "scipy_spec", "identifiability", "predictive_check",
    "coverage_table", "Posterior", "read_posterior", "write_posterior",
]
