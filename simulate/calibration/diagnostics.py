"""Diagnostics of a calibration: identifiability and posterior predictive checks.

- Identifiability: for each calibrated parameter, the posterior's weighted standard deviation
  over the prior's, and the shift of its mean in prior standard deviations. A posterior that
  is about as wide as its prior (ratio > 0.8) and barely moved (shift below 0.2, or below
  two Monte Carlo standard errors of a mean of the particles, 2 / sqrt(ESS) with ESS the
  effective sample size 1 / sum(w^2), when that is larger) is flagged: the targets say little
  about that parameter, and its posterior is mostly its prior.
- Posterior predictive check: ``n`` particles drawn by weight (counter-based stream
  ``calibration.predictive``) are simulated with measurement error, for every target the run
  records (fitted and ``use: check``). For each target: the 5%, 50% and 95% quantiles of the
  predicted observation, the observed value, and whether it lies in the band between them.
  The coverage score is the share of targets inside. Its reference when the model and its
  error model fit is not 0.9 but :func:`band_coverage` of the number of draws, (D - 1) 0.9 /
  (D + 1): 0.865 at D = 50, since a band of D draws' quantiles holds a new draw less often
  than its nominal 90%. That reference holds for ``use: check`` targets; fitted targets were
  also used to choose the posterior, and are inside more often (they are reported apart).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..model.streams import uniforms
from ..scenario import Scenario
from .model import ParticleModel, named_stream, replicates_warning
from .summaries import Mapped

__all__ = ["identifiability", "predictive_check", "coverage_table", "finish", "weight_warning",
           "band_coverage", "PREDICTIVE_FILE", "SD_RATIO_FLAG", "SHIFT_FLAG", "ESS_FLAG",
           "BAND"]

PREDICTIVE_FILE = "predictive.parquet"
SD_RATIO_FLAG = 0.8
SHIFT_FLAG = 0.2
#: a posterior whose weights rest on fewer particles than this share of them is flagged
ESS_FLAG = 0.1
#: quantiles of the predicted observation that bound the predictive check's band
BAND = (0.05, 0.95)
_PREDICTIVE_STREAM = named_stream("calibration.predictive")


def _weighted_mean_sd(x: np.ndarray, w: np.ndarray) -> tuple[float, float]:
    w = w / w.sum()
    mean = float(np.sum(w * x))
    return mean, float(np.sqrt(np.sum(w * (x - mean) ** 2)))


def _ess(posterior: pd.DataFrame) -> float:
    """Effective sample size of the importance weights, ``(sum w)^2 / sum w^2``."""
    w = posterior["weight"].to_numpy(float)
    return float(w.sum() ** 2 / np.sum(w ** 2))


def identifiability(scenario: Scenario, posterior: pd.DataFrame) -> pd.DataFrame:
    """Per parameter: prior and posterior mean and sd, sd ratio, shift, and a flag."""
    rows = []
    w = posterior["weight"].to_numpy(float)
    ess = _ess(posterior)
    shift_flag = max(SHIFT_FLAG, 2.0 / np.sqrt(ess))
    for key in [c for c in posterior.columns if c != "weight"]:
        frozen = scenario.uncertainty[key].frozen()
        p_mean, p_sd = float(frozen.mean()), float(frozen.std())
        mean, sd = _weighted_mean_sd(posterior[key].to_numpy(float), w)
        ratio = sd / p_sd if p_sd > 0 else float("nan")
        shift = abs(mean - p_mean) / p_sd if p_sd > 0 else float("nan")
        rows.append({"parameter": key, "prior_mean": p_mean, "prior_sd": p_sd,
                     "posterior_mean": mean, "posterior_sd": sd, "sd_ratio": ratio,
                     "shift": shift,
                     "ess": ess,
                     "like_prior": bool(ratio > SD_RATIO_FLAG and shift < shift_flag)})
    return pd.DataFrame(rows)


def weight_warning(posterior: pd.DataFrame) -> str | None:
    """A warning when the last generation's importance weights rest on few particles: an
    effective sample size ``(sum w)^2 / sum w^2`` below :data:`ESS_FLAG` of the particles
    (or below 10) makes the posterior's means, sds and bands rough."""
    ess = _ess(posterior)
    if ess >= max(10.0, ESS_FLAG * len(posterior)):
        return None
    if ess >= ESS_FLAG * len(posterior):   # the weights are even: too few particles
        return (f"the posterior has {len(posterior)} particles (effective sample size "
                f"{ess:.1f}), fewer than 10: its means, sds and predictive bands are rough; "
                "run more particles")
    return (f"the posterior's weights rest on about {ess:.1f} of its {len(posterior)} particles "
            "(effective sample size): its means, sds and predictive bands are rough; run "
            "more particles or generations, or calibrate fewer keys (--param)")


def band_coverage(draws: int, low: float = BAND[0], high: float = BAND[1]) -> float:
    """Probability that one more draw from the predictive distribution falls inside the
    ``[low, high]`` quantiles of ``draws`` draws (numpy's linear interpolation): the
    reference of the coverage score when the model fits, ``(D - 1)(high - low) / (D + 1)``.

    numpy puts the q-quantile of D values at 0-based position h = (D - 1) q, between the
    order statistics of ranks floor(h) + 1 and floor(h) + 2. A new draw Y lies below the
    k-th order statistic with probability k / (D + 1) (its rank among the D + 1 values is
    uniform), and below the interpolated quantile with probability (h + 1) / (D + 1): exactly
    for uniform draws or a whole h, closely otherwise. The band's two ends differ by
    (D - 1)(high - low) / (D + 1). NaN below 2 draws."""
    if draws < 2:
        return float("nan")
    return (draws - 1) * (high - low) / (draws + 1)


def predictive_check(model: ParticleModel, posterior: pd.DataFrame, n: int,
                     seed: int) -> pd.DataFrame:
    """Simulated observations of every mapped target for ``n`` particles drawn by weight:
    a tidy table (draw, particle, target, value). Each draw is seeded by its particle and its
    index, so a particle drawn twice gives two independent simulated observations (a
    posterior with a small effective sample size still gets a band of ``n`` draws)."""
    w = posterior["weight"].to_numpy(float)
    cum = np.cumsum(w) / w.sum()
    u = uniforms(seed, np.arange(n, dtype=np.int64), -3, _PREDICTIVE_STREAM)[:, 0]
    picks = np.minimum(np.searchsorted(cum, u, side="right"), len(w) - 1)
    rows = []
    for draw, i in enumerate(picks):
        values = {k: float(posterior[k].iloc[i]) for k in model.keys}
        stats = model.simulate(values, noise=True, draw=draw)
        rows += [{"draw": draw, "particle": int(i), "target": name, "value": float(v)}
                 for name, v in zip(model.mapped.names, stats, strict=True)]
    return pd.DataFrame(rows)


def coverage_table(predicted: pd.DataFrame, mapped: Mapped) -> pd.DataFrame:
    """Per target: use, observed, sd, predicted 5/50/95% quantiles and whether inside."""
    by_target = {name: g.to_numpy(float) for name, g in predicted.groupby("target")["value"]}
    rows = []
    for name, t in zip(mapped.names, mapped.targets, strict=True):
        lo, mid, hi = (float(v) for v in np.quantile(by_target[name], [BAND[0], 0.5, BAND[1]]))
        rows.append({"target": name, "use": t.use, "variable": t.variable, "actor": t.actor_label,
                     "first_day": t.first_day, "last_day": t.last_day, "unit": t.unit,
                     "observed": t.value, "sd": t.sd, "q05": lo, "q50": mid, "q95": hi,
                     "inside": bool(lo <= t.value <= hi)})
    return pd.DataFrame(rows)


def finish(out: Path, scenario: Scenario, keys: tuple[str, ...], posterior: pd.DataFrame,
           mapped_all: Mapped, model: ParticleModel, state: dict[str, Any], n: int) -> None:
    """Add identifiability and the predictive check to ``state``; write predictive.parquet."""
    ident = identifiability(scenario, posterior)
    state["parameters"] = ident.to_dict(orient="records")
    state["warnings"] = [
        f"{r['parameter']}: the posterior is close to its prior (sd ratio {r['sd_ratio']:.2f}, "
        f"mean shift {r['shift']:.2f} prior sd): the targets barely identify it"
        for r in state["parameters"] if r["like_prior"]]
    for extra in (replicates_warning(model.replicates), weight_warning(posterior)):
        if extra is not None:
            state["warnings"].append(extra)
    if n <= 0:
        return
    checker = ParticleModel(scenario, keys, mapped_all, model.seed, model.replicates)
    predicted = predictive_check(checker, posterior, n, model.seed)
    table = coverage_table(predicted, mapped_all)
    tmp = out / f".{PREDICTIVE_FILE}.tmp"
    predicted.to_parquet(tmp, index=False)
    tmp.replace(out / PREDICTIVE_FILE)
    state["predictive"] = {
        "draws": n, "coverage": float(table["inside"].mean()),
        "coverage_fit": float(table.loc[table["use"] == "fit", "inside"].mean()),
        "coverage_check": float(table.loc[table["use"] == "check", "inside"].mean()),
        # what coverage_check should be near when the model fits (coverage_fit runs above)
        "reference": band_coverage(n),
        "targets": table.assign(first_day=table["first_day"].astype(str),
                                last_day=table["last_day"].astype(str)
                                ).to_dict(orient="records")}
