"""ABC-SMC calibration of a scenario's uncertain parameters to observed targets (pyabc).

Method (Beaumont et al. 2009, Toni et al. 2009, as implemented by pyabc 0.13):
- priors: the scenario's ``uncertainty:`` distributions of the calibrated keys;
- summary statistics: one per ``use: fit`` target (its statistic of its series over its
  window, from one simulated replicate, plus the target's measurement error: noisy ABC);
- distance: pyabc's ``AdaptivePNormDistance`` (p = 2): a weighted Euclidean distance whose
  weight of each statistic is 1 / its median absolute deviation (Prangle 2017), so statistics
  in USD/bbl and mb/d count alike: generation 0's over its prior calibration sample, and
  generation t's over *every* simulation of generation t - 1, rejected ones included
  (pyabc's default ``all_particles_for_scale=True``). pyabc keeps those scales only in
  memory and stores accepted particles only, so the sampler hands each generation's whole
  sample to :func:`.scales.record_scales`, which writes the next generation's weights to
  ``scales.json`` before pyabc stores the generation; the next ``ABCSMC`` object starts
  from them (:func:`.scales.restore_scales`), uninterrupted or resumed alike;
- tolerance: the median of the previous generation's distances (``MedianEpsilon``);
- perturbation: a multivariate normal kernel fitted to the weighted particles.

Reproducibility: each generation runs in its own ``ABCSMC.run`` call, on an ``ABCSMC``
rebuilt from the stored history, and its particles are sampled by :mod:`.sampler`: one task
per particle index, each seeded from the project's counter-based streams by (seed,
generation, index), mapped in order in-process or over a process pool. A calibration is
then a pure function of (scenario, targets, settings, seed) whatever the number of workers,
and one that was interrupted and resumed gives the same particles as one that was not.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as _dt
import hashlib
import json
import logging
import shutil
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ResultsError
from ..execution.runner import as_scenario, run
from ..results.files import sha256_file
from ..results.folders import MANIFEST, prepare_output
from ..results.metrics import warn_user
from ..results.results import scenario_sha256, scenario_text
from ..scenario import Scenario
from ..scenario.bundled import find_scenario
from ..scenario.posterior import read_posterior, write_posterior
from .diagnostics import PREDICTIVE_FILE
from .model import ParticleModel, named_stream, replicates_warning
from .priors import calibrated_keys, pyabc_prior, require_pyabc
from .sampler import ordered_sampler, seeded_task, task_seed, worker_pool
from .scales import SCALES_FILE, read_scales, restore_scales, write_json
from .summaries import map_targets
from .targets import Targets, load_targets

__all__ = ["calibrate", "Calibration", "CalibrationSettings", "STATE_FILE", "DB_FILE",
           "POSTERIOR_FILE", "SCALES_FILE", "read_scales"]

STATE_FILE = "calibration.json"
DB_FILE = "abc.db"
POSTERIOR_FILE = "posterior.parquet"
#: the distance's scale weights of each generation, fitted on the previous one's simulations
#: stream seeding the global generators around a generation's main-process work
GENERATION_STREAM = named_stream("calibration.generation")
#: pyabc's loggers are "ABC" and its children
_PYABC_LOGGER = "ABC"


@dataclass(frozen=True)
class CalibrationSettings:
    """The method's settings: particles per generation, most generations in all, seed
    (default: the scenario's ensemble seed), replicates per particle, the tolerance and
    acceptance rate at which to stop, and the keys to calibrate (default: every continuous
    entry of ``uncertainty:``)."""

    particles: int = 200
    generations: int = 8
    seed: int | None = None
    replicates: int = 1
    min_epsilon: float = 0.0
    min_acceptance: float = 0.01
    keys: tuple[str, ...] | None = None

    @classmethod
    def of(cls, values: dict[str, Any]) -> CalibrationSettings:
        """Settings from keyword arguments, refusing unknown names with a suggestion."""
        from ..errors import ScenarioError
        from ..scenario.messages import nearest

        names = [f.name for f in dataclasses.fields(cls)]
        for name in values:
            if name not in names:
                raise ScenarioError.from_text(f"unknown calibration setting {name!r}"
                                              f"{nearest(name, names)}")
        keys = values.get("keys")
        return cls(**{**values, "keys": None if keys is None else tuple(keys)})


@dataclass
class Calibration:
    """A finished (or stopped) calibration: its folder, posterior and per-generation record."""

    directory: Path
    keys: list[str]
    posterior: pd.DataFrame
    generations: pd.DataFrame
    state: dict[str, Any]

    @classmethod
    def load(cls, directory: Path | str) -> Calibration:
        d = Path(directory)
        state = _read_state(d)
        if state is None or not (d / POSTERIOR_FILE).is_file():
            raise ResultsError(f"{d}: expected a calibration folder with {STATE_FILE} and "
                               f"{POSTERIOR_FILE} (simulate calibrate --out), found none")
        post = read_posterior(d / POSTERIOR_FILE)
        frame = pd.DataFrame(post.values, columns=list(post.keys))
        frame.insert(0, "weight", post.weights)
        return cls(d, list(post.keys), frame, pd.DataFrame(state["generations"]), state)

    def __repr__(self) -> str:
        g = len(self.generations)
        return (f"Calibration({self.directory}, {len(self.keys)} parameter(s), {g} "
                f"generation(s), {len(self.posterior)} particles)")


def _read_state(d: Path) -> dict[str, Any] | None:
    try:
        return json.loads((d / STATE_FILE).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None


#: files a calibration may write besides the figures (SQLite's journal while a generation
#: commits, the copies of its inputs)
_OWN_FILES = ("scenario.yaml", "targets.yaml", DB_FILE, DB_FILE + "-journal", STATE_FILE,
              POSTERIOR_FILE, PREDICTIVE_FILE, SCALES_FILE)


def _list_own_files(out: Path, names: Sequence[str | Path]) -> None:
    """Add ``names`` (paths below ``out``) to the ``files`` of ``out/manifest.json``, with the
    sha256 of those that exist: the files this calibration wrote, so that ``--force`` can
    tell them from files a user put in the folder and refuse to delete those
    (:func:`~simulate.results.folders.unexpected_files`). A ``manifest.json`` that is not a
    calibration's (a user's file in a folder an older version wrote) is never replaced."""
    path = out / MANIFEST
    files: dict[str, Any] = {}
    if path.exists():
        try:
            stored = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            stored = None
        if not (isinstance(stored, dict) and stored.get("kind") == "calibration"
                and isinstance(stored.get("files"), dict)):
            raise ResultsError(f"{path}: expected the manifest of a calibration, found "
                               "another file; move it elsewhere to use this folder")
        files = dict(stored["files"])
    for name in names:
        rel = _below(out, Path(name))
        written = out / rel
        files[rel.as_posix()] = sha256_file(written) if written.is_file() else None
    write_json(path, {"kind": "calibration", "files": dict(sorted(files.items()))})


def _below(out: Path, name: Path) -> Path:
    """``name`` relative to ``out``: a path inside ``out`` however it is written (absolute,
    or relative to the working folder like ``out`` itself), or a bare name already below
    it (``calibration.json``)."""
    if name.is_absolute():
        return name.relative_to(out.resolve() if not out.is_absolute() else out)
    if name.parts[:len(out.parts)] == out.parts and len(name.parts) > len(out.parts):
        return name.relative_to(out)
    return name


def _seeded_globals(seed: int, generation: int) -> contextlib.AbstractContextManager[None]:
    """numpy's and Python's global generators seeded for one generation's main-process work
    (stream "calibration.generation") and restored afterwards; the particles themselves are
    drawn in tasks seeded per index (:mod:`.sampler`)."""
    return seeded_task(task_seed(seed, generation, 0, GENERATION_STREAM))


@contextlib.contextmanager
def _quiet_pyabc() -> Iterator[None]:
    """pyabc's per-generation INFO lines off (our progress callback says it once)."""
    require_pyabc()  # importing pyabc sets its logger's level: do that first

    logger = logging.getLogger(_PYABC_LOGGER)
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


def _prepare_dir(out: Path, resume: bool, force: bool, identity: dict[str, Any],
                 create: bool = True, inputs: Sequence[Path] = ()) -> bool:
    """Check (and with ``create``, make or clear) the output folder by the rules of every
    command's ``--out`` (:func:`~simulate.results.folders.prepare_output`: never a folder
    simulate did not write, ``--force`` only on one it did, which then carries the
    ``.simulate-results`` marker); True when a stored run is to be continued. Checked once
    before any simulation, so a refusal comes at once. A folder holding one of ``inputs``
    (the scenario and targets files) is refused, so ``--force`` cannot remove them."""
    state = prepare_output(out, kind="calibration", force=force, resume=resume, create=False,
                           resumable=STATE_FILE, inputs=inputs)
    if resume:
        stored = (_read_state(out) or {}).get("identity") or {}
        if stored != identity:
            diff = sorted(k for k in identity if stored.get(k) != identity[k])
            raise ResultsError(f"{out}: cannot resume: the stored calibration differs "
                               f"in {', '.join(diff)}")
        return (out / DB_FILE).is_file()
    if create:
        if state not in ("missing", "empty"):  # --force on a folder simulate wrote
            shutil.rmtree(out)
        prepare_output(out, kind="calibration")  # makes and marks it
    return False


def _abc(model: ParticleModel, scenario: Scenario, settings: CalibrationSettings,
         map_: Callable[..., Any]) -> Any:
    pyabc = require_pyabc()
    from .transition import NonSingularNormalTransition

    return pyabc.ABCSMC(
        model, pyabc_prior(scenario, settings.keys or ()),
        distance_function=pyabc.AdaptivePNormDistance(p=2),
        population_size=settings.particles, eps=pyabc.MedianEpsilon(),
        transitions=NonSingularNormalTransition(),
        sampler=ordered_sampler(int(settings.seed or 0), map_))


def _generation_record(history: Any, t: int) -> dict[str, Any]:
    pops = history.get_all_populations()
    row = pops[pops["t"] == t].iloc[0]
    samples = int(row["samples"])
    particles = int(history.get_nr_particles_per_population().get(t, 0))
    return {"generation": t, "epsilon": float(row["epsilon"]), "simulations": samples,
            "accepted": particles,
            "acceptance_rate": particles / samples if samples else float("nan")}


def _save_posterior(history: Any, out: Path, keys: Sequence[str], meta: dict[str, Any]
                    ) -> pd.DataFrame:
    frame, weights = history.get_distribution(m=0, t=history.max_t)
    values = frame[list(keys)].to_numpy(dtype=float)
    write_posterior(out / POSTERIOR_FILE, list(keys), values, weights,
                    {**meta, "generation": int(history.max_t)})
    post = pd.DataFrame(values, columns=list(keys))
    post.insert(0, "weight", np.asarray(weights, float) / np.sum(weights))
    return post


def calibrate(scenario: Scenario | str | Path, targets: Targets | str | Path,
              out: str | Path, *, workers: int = 1, resume: bool = False, force: bool = False,
              progress: Callable[[dict[str, Any]], None] | None = None,
              predictive: int = 50, figures: bool = True, **method: Any) -> Calibration:
    """Fit the scenario's uncertain parameters to the targets by ABC-SMC; write ``out``.

    ``method`` takes the fields of :class:`CalibrationSettings` (``particles``,
    ``generations``, ``seed``, ``keys``, ``replicates``, ``min_epsilon``, ``min_acceptance``).
    ``out`` receives ``abc.db`` (pyabc's SQLite history, which ``resume`` continues),
    ``posterior.parquet`` (one row per particle, with weights; a scenario can draw from it
    with ``uncertainty: {from_posterior: ...}``), ``calibration.json`` (settings, epsilon
    schedule, acceptance rates, skipped targets, identifiability and predictive-check
    results), ``predictive.parquet`` (``predictive`` particles simulated for every target)
    and, with ``figures``, ``figures/*.png`` (figures are imported lazily, from the layer
    above). ``progress`` is called after each generation with its record. Stops after
    ``generations`` generations in all, when the tolerance reaches ``min_epsilon`` or the
    acceptance rate falls below ``min_acceptance``.
    """
    from .. import __version__
    from .diagnostics import finish

    require_pyabc()  # before anything is read or any folder claimed
    asked = CalibrationSettings.of(method)
    s = as_scenario(scenario)
    targets_path = None if isinstance(targets, Targets) else Path(targets)
    t_obj = targets if isinstance(targets, Targets) else load_targets(targets)
    chosen = tuple(calibrated_keys(s, asked.keys))
    seed = int(s.ensemble.seed if asked.seed is None else asked.seed)
    settings = dataclasses.replace(asked, seed=seed, keys=chosen)
    _check_settings(settings, workers)
    several = replicates_warning(settings.replicates)
    if several is not None:
        warn_user(several)
    identity = {"scenario": s.name, "scenario_sha256": scenario_sha256(s),
                "targets": t_obj.name, "targets_sha256": hashlib.sha256(
                    json.dumps(t_obj.model_dump(mode="json", by_alias=True),
                               sort_keys=True).encode()).hexdigest(),
                "seed": seed, "particles": settings.particles, "keys": list(chosen),
                "replicates": settings.replicates}
    out = Path(out)
    inputs = [find_scenario(scenario)] if isinstance(scenario, (str, Path)) else []
    inputs += [] if targets_path is None else [targets_path]
    _prepare_dir(out, resume, force, identity, create=False, inputs=inputs)
    pilot = run(s, replicates=1, seed=seed, keep_series=1, counterfactual=False,
                progress=False, workers=1, bands=False)
    recorded = {(str(v), str(a)) for v, a in
                pilot.timeseries[["variable", "actor"]].drop_duplicates().itertuples(
                    index=False)}
    mapped_all = map_targets(t_obj, s, recorded)
    mapped = mapped_all.subset("fit")
    continuing = _prepare_dir(out, resume, force, identity, inputs=inputs)
    _list_own_files(out, _OWN_FILES)
    if not continuing:
        (out / "scenario.yaml").write_text(scenario_text(s), encoding="utf-8")
        if targets_path is not None:
            shutil.copyfile(targets_path, out / "targets.yaml")
    state = _read_state(out) if continuing else None
    state = state or {"identity": identity, "generations": [],
                      "started": _dt.datetime.now(_dt.UTC).isoformat()}
    state.update({"simulate_version": __version__, "settings": dataclasses.asdict(settings),
                  "targets_vintage": str(t_obj.vintage), "targets_retrieved":
                  str(t_obj.retrieved), "targets_file": str(targets_path or ""),
                  "fitted": list(mapped.names), "checks": list(mapped_all.subset("check").names),
                  "skipped": [{"target": n, "reason": r} for n, r in mapped_all.skipped],
                  "method": "ABC-SMC (pyabc): AdaptivePNormDistance(p=2) with scales "
                            "(MAD) from every simulation of the previous generation, "
                            "MedianEpsilon, multivariate normal transition; noisy ABC with "
                            "each target's sd as measurement error"})
    # written before generation 0: a calibration interrupted at any point can be resumed
    write_json(out / STATE_FILE, state)
    model = ParticleModel(s, chosen, mapped, seed, settings.replicates)
    db = "sqlite:///" + str((out / DB_FILE).resolve())
    observed = {n: float(v) for n, v in zip(mapped.names, mapped.observed, strict=True)}

    with _quiet_pyabc(), worker_pool(workers) as map_:
        def fresh() -> Any:
            """An ABCSMC object on the stored history: each generation starts from the
            database alone, so a resumed calibration continues as an uninterrupted one."""
            abc = _abc(model, s, settings, map_)
            if (out / DB_FILE).is_file():
                abc.load(db, 1)
            else:
                abc.new(db, observed)
            restore_scales(abc, out)
            return abc

        history = _run_generations(fresh, settings, state, out, progress)
    meta = {**identity, "targets_vintage": str(t_obj.vintage), "db": DB_FILE}
    post = _save_posterior(history, out, chosen, meta)
    state["finished"] = _dt.datetime.now(_dt.UTC).isoformat()
    finish(out, s, chosen, post, mapped_all, model, state, predictive)
    write_json(out / STATE_FILE, state)
    result = Calibration(out, list(chosen), post, pd.DataFrame(state["generations"]), state)
    written: list[str | Path] = list(_OWN_FILES)
    if figures:
        from ..figures.calibration import save_calibration_figures
        written += list(save_calibration_figures(result, s).values())
    _list_own_files(out, written)
    return result


def _check_settings(settings: CalibrationSettings, workers: int) -> None:
    from ..errors import ScenarioError

    for name, value, low in (("particles", settings.particles, 2),
                             ("generations", settings.generations, 1),
                             ("replicates", settings.replicates, 1), ("workers", workers, 1)):
        if value < low:
            raise ScenarioError.from_text(f"expected {name} >= {low}, found {value}",
                                          key=f"--{name}")


def _run_generations(fresh: Callable[[], Any], settings: CalibrationSettings,
                     state: dict[str, Any], out: Path,
                     progress: Callable[[dict[str, Any]], None] | None) -> Any:
    """Run generations one ``ABCSMC.run`` call each, until a stopping rule holds; return the
    history."""
    history = fresh().history
    while history.max_t + 1 < settings.generations:
        last = state["generations"][-1] if state["generations"] else None
        if last is not None and (last["epsilon"] <= settings.min_epsilon
                                 or last["acceptance_rate"] < settings.min_acceptance):
            break
        t = history.max_t + 1
        abc = fresh()
        with _seeded_globals(int(settings.seed or 0), t):
            abc.run(max_nr_populations=1, minimum_epsilon=settings.min_epsilon)
        history = abc.history
        if history.max_t < t:  # pyabc could not fill the generation
            break
        record = _generation_record(history, t)
        state["generations"] = [g for g in state["generations"] if g["generation"] < t]
        state["generations"].append(record)
        write_json(out / STATE_FILE, state)
        if progress is not None:
            progress(record)
    return history
