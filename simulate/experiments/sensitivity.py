"""Global sensitivity of an outcome to an experiment's levers and uncertainties (SALib).

Sobol' (Saltelli sampling; first-order ``S1`` and total ``ST`` indices with bootstrap 95%
intervals) or Morris (elementary effects: ``mu_star``, ``sigma``). The factors live in the
unit hypercube and map to scenario values as in a sweep design (:mod:`.design`), so a
probability estimated per point from R replicates is analysed like any other outcome.

Replicate noise. A point's estimate is ``f(x) + e(x)``: ``e`` has variance ``se(x)^2`` and
inflates ``Var(Y)`` (so it deflates ``S1``) and the squared differences behind ``ST``. The
replicates of every point are split into two halves (even and odd replicate numbers) with
independent noise, and the corrected estimators use products across halves, whose noise
terms have zero mean: ``V = Cov(Y1, Y2)`` over the points, ``V_i = mean(Y1_B (Y2_ABi -
Y2_A))`` (Saltelli et al. 2010, Table 2 (b)) and ``VT_i = mean((Y1_A - Y1_ABi)(Y2_A -
Y2_ABi)) / 2`` (Jansen 1999). This holds with common random numbers across points, where the
noise of two points is correlated. ``noise_share`` is the part of ``Var(Y)`` the noise makes.
Morris: ``sigma_corrected`` is ``sqrt(Cov(EE1, EE2))`` of the elementary effects seen by the
two halves, and ``noise_floor`` the mean absolute effect that noise alone would give.
Deterministic targets (one replicate, e.g. the Ishigami function) need no correction.

Checks. Saltelli's sample needs a power of 2 for ``points`` (a Sobol' sequence is balanced
only in blocks of 2^m); an outcome that takes one value at every point has no variance to
apportion (an error, not indices of NaN); and an index outside [0, 1], where no index can be,
whose 95% interval does not reach [0, 1], or any index whose interval is wider than [0, 1]
itself, says the sample is too small: the result carries a one-line warning (printed on
standard error) that says so.
"""

from __future__ import annotations

import math
import sys
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ScenarioError
from ..scenario.experiment_block import Lever, Outcomes, binary_outcomes
from ..scenario.messages import suggest
from .design import Factor, design_from_unit, factors_of
from .score import check_outcomes, outcome_names

__all__ = ["Sensitivity", "sensitivity", "sample_unit", "analyze", "check_points",
           "index_warnings", "METHODS"]

METHODS = ("sobol", "morris")
_Z = 1.959963984540054


@dataclass
class Sensitivity:
    """Indices of one outcome: ``indices`` (factor, S1, S1_conf, ST, ST_conf and the
    noise-corrected ``S1_corrected``... for Sobol'; mu, mu_star, mu_star_conf, sigma,
    noise_floor and, for noisy targets, sigma_corrected for Morris), the points and their
    estimates, and the noise share."""

    method: str
    outcome: str
    indices: pd.DataFrame
    design: pd.DataFrame
    y: np.ndarray
    se: np.ndarray
    noise_share: float
    info: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    #: the scenario swept (None for a function target): the figure reads outcome units from
    #: its experiment block
    scenario: Any = field(default=None, repr=False, compare=False)

    def save(self, directory: str | Path, overwrite: bool = False) -> Path:
        """Write ``indices.csv``, ``points.parquet`` (design, estimate, se), the figure
        ``indices.png``/``.pdf`` and ``manifest.json`` (with every file's sha256, so that
        ``--force`` can tell a file the user added) into a folder, atomically."""
        import json

        from ..figures.registry import save_figure
        from ..figures.styling import offscreen
        from ..results.files import sha256_file, write_text_atomic
        from .store import write_folder

        def write(d: Path) -> None:
            self.indices.to_csv(d / "indices.csv", index=False)
            self.design.assign(estimate=self.y, se=self.se).to_parquet(d / "points.parquet",
                                                                        index=False)
            with offscreen():
                save_figure(self.plot().figure, d / "indices")
            files = {p.name: sha256_file(p) for p in sorted(d.iterdir())
                     if p.is_file() and not p.name.startswith(".")}
            meta = {"kind": "sensitivity", "method": self.method, "outcome": self.outcome,
                    "noise_share": self.noise_share, **self.info,
                    "warnings": self.warnings, "files": files}
            write_text_atomic(d / "manifest.json", json.dumps(meta, indent=2) + "\n")
        return write_folder(directory, write, kind="sensitivity", overwrite=overwrite)

    def plot(self, ax: Any = None, **kw: Any) -> Any:
        """Figure of the indices with their 95% intervals."""
        from ..figures.experiments import plot_indices
        return plot_indices(self, ax=ax, **kw)

    def __repr__(self) -> str:
        base, of = self.info.get("points"), ""   # the base sample N the design grew from
        if base:
            of = (f" from a base sample of {base}" if self.method == "sobol" else
                  f" ({base} trajectories)")
        return (f"<Sensitivity ({self.method}) of {self.outcome}: {len(self.design)} "
                f"points{of}, "
                f"replicate noise {self.noise_share:.1%} of the variance>\n"
                f"{self.indices.to_string(index=False)}")


def sample_unit(d: int, method: str, n: int, seed: int, num_levels: int = 4) -> np.ndarray:
    """SALib sample in the unit hypercube: Saltelli (``n (d + 2)`` rows) or Morris
    (``n (d + 1)`` rows)."""
    check_points(method, n)
    problem = {"num_vars": d, "names": [f"x{i}" for i in range(d)], "bounds": [[0, 1]] * d}
    if method == "sobol":
        from SALib.sample import sobol
        return sobol.sample(problem, n, calc_second_order=False, seed=seed)
    from SALib.sample import morris
    return morris.sample(problem, n, num_levels=num_levels, seed=seed)


def check_points(method: str, n: int) -> None:
    """Saltelli's sample needs a power of 2 (at least 2) for its base size N."""
    if method == "sobol" and (n < 2 or n & (n - 1)):
        low = 1 << max(int(math.floor(math.log2(max(n, 1)))), 1)
        hint = f"use {low} or {2 * low}" if n > 2 else "use 2 or more"
        raise ScenarioError.from_text(
            f"expected a power of 2 (at least 2) for the points of a Sobol' analysis (Saltelli's "
            f"sample is balanced only for 2^m points), found {n}: {hint}", key="points")


def index_warnings(method: str, outcome: str, table: pd.DataFrame, points: int
                   ) -> list[str]:
    """One-line warnings about indices no sample can trust: outside [0, 1] beyond their 95%
    interval, or with an interval wider than [0, 1] wherever the estimate falls; corrected
    indices left undefined
    because replicate noise accounts for all the variance."""
    if method != "sobol":
        return []
    out = []
    bad = []
    for col in ("S1", "ST", "S1_corrected", "ST_corrected"):
        if col not in table:
            continue
        conf_col = col.replace("_corrected", "_conf_corrected") if "corrected" in col \
            else f"{col}_conf"
        v = table[col].to_numpy(dtype=float)
        c = np.nan_to_num(table[conf_col].to_numpy(dtype=float), nan=np.inf)
        # outside [0, 1] beyond its interval, or an interval wider than [0, 1] itself (an
        # index of 0.62 +- 0.71 says nothing, wherever its estimate falls)
        flag = (v - c > 1) | (v + c < 0) | (c > 0.5)
        bad += [(abs(v[i] - np.clip(v[i], 0, 1)), c[i], col, str(table["factor"].iloc[i]),
                 v[i]) for i in np.flatnonzero(flag)]
    if bad:
        bad.sort(reverse=True)   # farthest outside [0, 1] first, then the widest
        shown = ", ".join(f"{col} of {f} = {v:.3g} ± {c:.3g}" for _, c, col, f, v in bad[:2])
        more = f" and {len(bad) - 2} more" if len(bad) > 2 else ""
        out.append(f"{outcome}: Sobol' indices the sample cannot estimate: outside [0, 1] "
                   f"beyond their 95% interval, or with an interval wider than [0, 1] "
                   f"({shown}{more}); increase the points (now {points}; e.g. "
                   f"{max(64, 4 * points)})")
    if "S1_corrected" in table and table["S1_corrected"].isna().all():
        out.append(f"{outcome}: replicate noise accounts for all its variance across the "
                   "points, so the noise-corrected indices are undefined (NaN); increase the "
                   "replicates")
    return out


def _cross_sobol(y1: np.ndarray, y2: np.ndarray, d: int, resamples: int, seed: int
                 ) -> dict[str, np.ndarray]:
    """Noise-corrected S1, ST (products across replicate halves) with bootstrap intervals.

    Each half's outputs are centred on the mean of its A and B rows first, as SALib does:
    the first-order estimator mean(f_B (f_ABi - f_A)) is unbiased either way, but its
    variance grows with the outputs' mean, so uncentred outputs widen its interval."""
    step = d + 2
    n = len(y1) // step

    def split(y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        m = y.reshape(n, step)
        m = m - np.concatenate([m[:, 0], m[:, -1]]).mean()
        return m[:, 0], m[:, 1:d + 1], m[:, -1]

    a1, ab1, b1 = split(y1)
    a2, ab2, b2 = split(y2)

    def indices(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        ya1 = np.concatenate([a1[rows], b1[rows]])
        ya2 = np.concatenate([a2[rows], b2[rows]])
        v = float(np.mean((ya1 - ya1.mean()) * (ya2 - ya2.mean())))
        vi = np.mean(b1[rows, None] * (ab2[rows] - a2[rows, None]), axis=0)
        vt = 0.5 * np.mean((a1[rows, None] - ab1[rows]) * (a2[rows, None] - ab2[rows]), axis=0)
        return (vi / v, vt / v) if v > 0 else (np.full(d, np.nan), np.full(d, np.nan))

    s1, st = indices(np.arange(n))
    rng = np.random.default_rng(seed)
    boot = [indices(rng.integers(0, n, n)) for _ in range(resamples)]
    s1b = np.array([b[0] for b in boot])
    stb = np.array([b[1] for b in boot])
    return {"S1": s1, "S1_conf": _Z * np.nanstd(s1b, axis=0, ddof=1),
            "ST": st, "ST_conf": _Z * np.nanstd(stb, axis=0, ddof=1)}


def analyze(method: str, names: list[str], unit: np.ndarray, y: np.ndarray, *,
            halves: tuple[np.ndarray, np.ndarray] | None = None, se: np.ndarray | None = None,
            seed: int = 0, num_levels: int = 4, resamples: int = 200
            ) -> tuple[pd.DataFrame, float]:
    """Indices table and noise share from per-point estimates ``y`` (and, for noisy targets,
    the two half-sample estimates ``halves`` and per-point standard errors ``se``)."""
    d = len(names)
    problem = {"num_vars": d, "names": names, "bounds": [[0, 1]] * d}
    y = np.asarray(y, dtype=float)
    var = float(np.var(y, ddof=1)) if len(y) > 1 else 0.0
    noise = float(np.mean(np.asarray(se) ** 2)) if se is not None else 0.0
    share = min(noise / var, 1.0) if var > 0 else (1.0 if noise > 0 else 0.0)
    if method == "sobol":
        from SALib.analyze import sobol
        with _quiet():
            si = sobol.analyze(problem, y, calc_second_order=False, num_resamples=resamples,
                               conf_level=0.95, seed=seed)
        table = pd.DataFrame({"factor": names, "S1": si["S1"], "S1_conf": si["S1_conf"],
                              "ST": si["ST"], "ST_conf": si["ST_conf"]})
        if halves is not None:
            with _quiet():
                corr = _cross_sobol(halves[0], halves[1], d, resamples, seed)
            for k, v in corr.items():
                table[f"{k}_corrected"] = v
        return table, share
    from SALib.analyze import morris
    with _quiet():
        si = morris.analyze(problem, np.asarray(unit, dtype=float), y,
                            num_resamples=resamples, conf_level=0.95, num_levels=num_levels,
                            seed=seed)
    table = pd.DataFrame({"factor": names, "mu": si["mu"], "mu_star": si["mu_star"],
                          "mu_star_conf": si["mu_star_conf"], "sigma": si["sigma"]})
    # a step of delta = p / (2 (p - 1)) moves Y by noise with s.d. sqrt(2) se at worst
    # (independent noise): elementary effects below this floor are indistinguishable from it
    delta = num_levels / (2.0 * (num_levels - 1))
    table["noise_floor"] = np.sqrt(2.0 * noise) / delta * np.sqrt(2 / np.pi)
    if halves is not None:
        # Var of the true effects = Cov of the effects seen by the two halves (their noise is
        # independent), so sigma loses the noise it gathered
        e1, e2 = _effects(unit, halves[0], d), _effects(unit, halves[1], d)
        with _quiet():
            cov = np.array([np.cov(e1[:, i], e2[:, i])[0, 1] for i in range(d)])
        table["sigma_corrected"] = np.sqrt(np.maximum(cov, 0.0))
    return table, share


@contextmanager
def _quiet() -> Iterator[None]:
    """Numerical warnings of degenerate samples (0/0, too few resamples) silenced: what they
    mean is checked and said in words (:func:`index_warnings`)."""
    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


def _effects(unit: np.ndarray, y: np.ndarray, d: int) -> np.ndarray:
    """Elementary effects (trajectories x factors) of Morris trajectories of d + 1 rows: each
    step changes one factor; its effect is the change of y per unit of that factor."""
    x = np.asarray(unit, dtype=float).reshape(-1, d + 1, d)
    yy = np.asarray(y, dtype=float).reshape(-1, d + 1)
    dx = np.diff(x, axis=1)
    which = np.argmax(np.abs(dx), axis=2)
    step = np.take_along_axis(dx, which[..., None], axis=2)[..., 0]
    out = np.empty((x.shape[0], d))
    rows = np.arange(x.shape[0])[:, None]
    out[rows, which] = np.diff(yy, axis=1) / step
    return out


Halves = tuple[np.ndarray, np.ndarray]


def _evaluate_callable(fn: Callable[[np.ndarray], np.ndarray], values: np.ndarray
                       ) -> tuple[np.ndarray, Halves | None, np.ndarray | None]:
    """Per-point estimate, halves and se of a function that returns (n,) or (n, R).

    (n, 1) is one replicate, like (n,): no halves to estimate the noise from, so no noise
    estimate (a standard deviation of one value would be NaN, and so every index)."""
    out = np.asarray(fn(values), dtype=float)
    n = values.shape[0]
    if out.ndim not in (1, 2) or out.shape[0] != n:
        raise ScenarioError.from_text(
            f"expected the function to return ({n},) values or ({n}, R) replicates, found "
            f"shape {out.shape}")
    if out.ndim == 1 or out.shape[1] == 1:
        return out.reshape(n), None, None
    se = out.std(axis=1, ddof=1) / np.sqrt(out.shape[1])
    return out.mean(axis=1), (out[:, 0::2].mean(axis=1), out[:, 1::2].mean(axis=1)), se


def sensitivity(target: Any, *, method: str = "sobol", points: int = 64,
                replicates: int | None = None, outcome: str | None = None,
                seed: int | None = None, bounds: dict[str, tuple[float, float]] | None = None,
                num_levels: int = 4, resamples: int = 200, engine: str = "batch",
                backend: str | None = None, workers: int = 1, scheduler: str | None = None,
                chunk_size: int | None = None, progress: bool = True,
                out: str | Path | None = None, force: bool = False) -> Sensitivity:
    """Sobol' or Morris indices of ``outcome`` over the experiment's factors.

    ``target``: a scenario (path, bundled name or Scenario with an ``experiment:`` block),
    or a function of a (n, d) array of factor values returning (n,) values or (n, R)
    replicates, with ``bounds`` naming the factors and their ranges. ``points``: SALib's
    base sample size N (Sobol': N (d + 2) points; Morris: N trajectories of d + 1 points).
    """
    if method not in METHODS:
        raise ScenarioError.from_text(f"unknown method {method!r}: expected one of {METHODS}")
    check_points(method, points)
    from ..execution.runner import check_seed_argument
    seed_ = check_seed_argument(seed) if seed is not None else 0
    halves: Halves | None
    se: np.ndarray | None
    base: Any = None  # the scenario swept, if any
    if callable(target) and not isinstance(target, str | Path):
        if not bounds:
            raise ScenarioError.from_text("a function target needs bounds={name: (low, high)}")
        factors = [Factor(k, "lever", lever=Lever.model_validate({"low": lo, "high": hi}))
                   for k, (lo, hi) in bounds.items()]
        unit = sample_unit(len(factors), method, points, seed_, num_levels)
        design = design_from_unit(factors, unit, method)
        values = design.values[[f.key for f in factors]].to_numpy(dtype=float)
        y, halves, se = _evaluate_callable(target, values)
        name = outcome or "y"
    else:
        from ..execution.runner import as_scenario
        from .stats import point_statistics
        from .sweep import run_design
        base = as_scenario(target)
        if base.experiment is None:
            raise ScenarioError.from_text(f"scenario {base.name!r} has no experiment: block")
        seed_ = seed_ if seed is not None else int(base.ensemble.seed)
        factors = factors_of(base)
        unit = sample_unit(len(factors), method, points, seed_, num_levels)
        design = design_from_unit(factors, unit, method)
        outs: Outcomes = base.experiment.outcomes
        check_outcomes(base, outs)
        names_ = outcome_names(outs)
        name = outcome or names_[0]
        if name not in names_:
            raise ScenarioError.from_text(f"unknown outcome {name!r}: expected one of "
                                          f"{', '.join(names_)}{suggest(name, names_)}")
        n = int(replicates or base.experiment.replicates)
        reps = run_design(base, design, outs, replicates=n, seed=seed_, engine=engine,
                          backend=backend or ("dask" if scheduler else "serial" if workers <= 1
                                              else "processes"),
                          workers=workers, scheduler=scheduler, chunk_size=chunk_size,
                          progress=progress)
        stats = point_statistics(reps, [name], binary_outcomes(outs))
        y = stats["estimate"].to_numpy(dtype=float)
        se = stats["se"].to_numpy(dtype=float) if n > 1 else None
        halves = None
        if n > 1:
            even = reps[reps["replicate"] % 2 == 0].groupby("point")[name].mean()
            odd = reps[reps["replicate"] % 2 == 1].groupby("point")[name].mean()
            halves = (even.to_numpy(dtype=float), odd.to_numpy(dtype=float))
    keys = [f.key for f in factors]
    finite = y[np.isfinite(y)]
    if len(finite) and float(finite.max()) == float(finite.min()):
        raise ScenarioError.from_text(
            f"{name} is {finite[0]:g} at every one of the {len(y)} points: it has no variance "
            "to apportion, so it has no sensitivity indices (choose another outcome, or more "
            "points or replicates)", key="outcome")
    table, share = analyze(method, keys, unit, y, halves=halves, se=se, seed=seed_,
                           num_levels=num_levels, resamples=resamples)
    result = Sensitivity(method, name, table, design.values, y,
                         se if se is not None else np.zeros_like(y), share,
                         {"points": points, "replicates": replicates, "seed": seed_},
                         index_warnings(method, name, table, points), base)
    for w in result.warnings:
        print(f"warning: {w}", file=sys.stderr, flush=True)
    if out is not None:
        result.save(out, overwrite=force)
    return result
