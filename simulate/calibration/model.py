"""The simulator as pyabc sees it: parameter values in, summary statistics out.

One particle is one call of :func:`simulate.run` on the scenario with the calibrated keys
set to the particle's values, on ``replicates`` replicates (default 1: the observed episode
happened once). Its seed is a hash of the calibration seed and the particle's values, so a
particle's simulation is a pure function of (seed, values) whatever process, order or
generation it runs in. Measurement error enters as in noisy ABC (Wilkinson 2013,
doi:10.1515/sagmb-2013-0010): each simulated statistic gets a normal error of the target's
``sd``, drawn from the project's counter-based streams, so that with a small tolerance the
ABC posterior is the posterior under that error model.

That holds for ``replicates = 1`` only. With R > 1 the statistic is the mean of R replicates
before the error is added, so the model's own randomness shrinks by R: the calibration then
fits the model's mean path, not the one realisation the episode was, and its posterior is
too narrow for a once-observed episode (:func:`replicates_warning`).
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from scipy import special  # type: ignore[import-untyped]

from ..execution.runner import run
from ..model.streams import uniforms
from ..scenario import Scenario, validate, with_overrides
from .summaries import Mapped, statistics

__all__ = ["ParticleModel", "particle_seed", "named_stream", "without_uncertainty",
           "replicates_warning", "NOISE_STREAM"]


def named_stream(name: str) -> int:
    """Stream id of a named draw: 8 bytes of BLAKE2b of the name, top bit set (the scheme of
    uncertain parameters' streams, so it never equals a daily event's stream)."""
    digest = hashlib.blake2b(name.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little") | (1 << 63)


#: stream of the measurement errors added to simulated statistics (noisy ABC)
NOISE_STREAM = named_stream("calibration.noise")
#: day index of calibration draws (before the scenario's day 0 and its parameter draws)
NOISE_DAY = -2


def particle_seed(seed: int, values: Sequence[float]) -> int:
    """Seed of a particle's simulation: BLAKE2b of the calibration seed and the values."""
    raw = struct.pack(f"<q{len(values)}d", int(seed), *[float(v) for v in values])
    return int.from_bytes(hashlib.blake2b(raw, digest_size=8).digest(), "little") >> 1


def replicates_warning(replicates: int) -> str | None:
    """Why ``replicates > 1`` per particle misfits a once-observed episode (None for 1): the
    mean of R replicates has 1/R of one replicate's variance, so noisy ABC then targets the
    likelihood of the model's mean path, not of one realisation, and the posterior comes
    out too narrow (Wilkinson 2013 needs data simulated as the observation was made)."""
    if replicates <= 1:
        return None
    return (f"replicates = {replicates} per particle: each simulated statistic is the mean of "
            f"{replicates} replicates, so the model's own randomness shrinks {replicates}-fold; "
            "the calibration fits the model's mean path rather than one realisation of the "
            "once-observed episode, and its posterior is too narrow for it (use replicates = 1 "
            "for noisy ABC of an episode observed once)")


def without_uncertainty(scenario: Scenario, keys: Sequence[str]) -> Scenario:
    """The scenario with ``keys`` taken out of ``uncertainty:`` (set per particle instead)."""
    data = scenario.to_data()
    data["uncertainty"] = {k: v for k, v in data.get("uncertainty", {}).items()
                           if k not in keys}
    return validate(data, {}, scenario.name)


class ParticleModel:
    """Callable ``params -> {target name: statistic}`` for pyabc; picklable for samplers."""

    def __init__(self, scenario: Scenario, keys: Sequence[str], mapped: Mapped, seed: int,
                 replicates: int = 1, noise: bool = True):
        self.base = without_uncertainty(scenario, keys)
        self.keys = list(keys)
        self.mapped = mapped
        self.seed = int(seed)
        self.replicates = int(replicates)
        self.noise = noise

    def scenario_for(self, values: Mapping[str, float]) -> Scenario:
        return with_overrides(self.base, {k: float(values[k]) for k in self.keys})

    def simulate(self, values: Mapping[str, float], noise: bool | None = None,
                 draw: int | None = None) -> np.ndarray:
        """Statistics of the targets for parameter ``values`` (mean over replicates). With
        ``draw`` (a posterior predictive draw), the seed also depends on the draw index, so two
        draws of one particle get their own simulation and their own measurement error."""
        theta = [float(values[k]) for k in self.keys]
        sim_seed = particle_seed(self.seed, theta)
        if draw is not None:
            sim_seed = particle_seed(sim_seed, [float(draw)])
        results = run(self.scenario_for(values), replicates=self.replicates, seed=sim_seed,
                      keep_series=self.replicates, counterfactual=False, progress=False,
                      workers=1, bands=False)   # only the kept series are read
        stats = statistics(results.timeseries, self.mapped, self.base.horizon_days).mean(axis=0)
        if self.noise if noise is None else noise:
            u = uniforms(sim_seed, np.zeros(1, dtype=np.int64), NOISE_DAY, NOISE_STREAM,
                         len(stats))[0]
            stats = stats + self.mapped.sd * special.ndtri(u)
        return stats

    def __call__(self, params: Mapping[str, Any]) -> dict[str, float]:
        stats = self.simulate(params)
        return {name: float(v) for name, v in zip(self.mapped.names, stats, strict=True)}
