"""Paired comparisons of scenario files: run each with the same seed and replicates, so
replicate k of every file faces the same shocks and draws the same value of every uncertain
parameter the files share (streams are keyed by the parameter's name), and compare.

The difference of two runs' means is then estimated from per-replicate differences: for a
mean, its normal interval is narrower than the unpaired one by the factor ``se_unpaired /
se_paired``, which :func:`pairing_gain` reports per metric. For a proportion the interval
shown is Newcombe's paired score interval, not ``difference ± 1.96 se``, so the factor tells
only approximately how much narrower it is. A scenario compared with itself gives exactly
zero differences.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..execution.runner import as_scenario, run
from ..results.compare import Comparison
from ..results.compare import compare as compare_results
from ..results.results import Results
from ..scenario import Scenario
from ..scenario.bundled import bundled_names

__all__ = ["compare_scenarios", "compare", "pairing_gain", "is_scenario_file",
           "format_pairing", "load_runs"]

_SUFFIXES = (".yaml", ".yml")


def is_scenario_file(item: Any) -> bool:
    """Whether ``item`` names a scenario (a .yaml/.yml file, or the name of a bundled
    scenario such as ``"aug2025"`` that is not also a folder here) rather than a results
    folder."""
    if not isinstance(item, str | Path) or Path(item).is_dir():
        return False
    return Path(item).suffix.lower() in _SUFFIXES or str(item) in bundled_names()


def compare_scenarios(scenarios: Sequence[Scenario | str | Path], *,
                      replicates: int | None = None, seed: int | None = None,
                      labels: Sequence[str] | None = None, progress: bool = True,
                      **run_options: Any) -> Comparison:
    """Run scenarios on common random numbers and compare them (the first is the baseline).

    ``seed`` and ``replicates`` default to the first scenario's ``ensemble`` block and are
    used for every scenario, so the runs are paired.
    """
    loaded = [as_scenario(s) for s in scenarios]
    first = loaded[0]
    seed = int(seed if seed is not None else first.ensemble.seed)
    n = int(replicates or first.ensemble.replicates)
    runs = [run(s, replicates=n, seed=seed, progress=progress, **run_options) for s in loaded]
    sources = [str(s) if isinstance(s, str | Path) else None for s in scenarios]
    return Comparison(runs, labels, sources)


def compare(*items: Any, labels: Sequence[str] | None = None, replicates: int | None = None,
            seed: int | None = None, progress: bool = True) -> Comparison:
    """Compare runs given as Results, results folders or scenario files.

    Scenario files are run first on common random numbers (:func:`compare_scenarios`);
    saved runs and Results are compared as they are.

    >>> c = compare("scenarios/aug2025.yaml", "scenarios/aug2025_no_threat.yaml",
    ...             replicates=2000)
    """
    flat: list[Any] = []
    for it in items:
        if isinstance(it, Results | Scenario | str | Path):
            flat.append(it)
        else:
            flat.extend(it if isinstance(it, Iterable) else [it])
    if any(is_scenario_file(it) or isinstance(it, Scenario) for it in flat):
        if not all(is_scenario_file(it) or isinstance(it, Scenario) for it in flat):
            from ..errors import ResultsError
            raise ResultsError("compare either scenario files (run here on common random "
                               "numbers) or saved runs, not both")
        return compare_scenarios(flat, replicates=replicates, seed=seed, labels=labels,
                                 progress=progress)
    return compare_results(flat, labels=labels)


def load_runs(items: Sequence[str | Path], *, replicates: int | None = None,
              seed: int | None = None, progress: bool = True) -> list[Results]:
    """Runs for ``simulate compare``: results folders are loaded; scenario files are run on
    common random numbers (same seed and replicates for all)."""
    from ..errors import ResultsError
    scenarios = [is_scenario_file(it) for it in items]
    if any(scenarios):
        if not all(scenarios):
            raise ResultsError("compare either scenario files (run here on common random "
                               "numbers) or saved runs, not both")
        return compare_scenarios(list(items), replicates=replicates, seed=seed,
                                 progress=progress).runs
    if replicates is not None or seed is not None:
        raise ResultsError("--replicates and --seed apply to scenario files, not to saved runs")
    return [Results.load(it) for it in items]


def pairing_gain(comparison: Comparison, baseline: int = 0) -> pd.DataFrame:
    """Per metric and run: the paired difference's standard error, the unpaired one (as if
    the runs were independent) and their ratio: how many times narrower the paired interval
    is (exactly for a mean's normal interval, approximately for a proportion's Newcombe
    interval)."""
    from ..results.summary import mean

    diff = comparison.differences(baseline)
    rows = []
    base = comparison.runs[baseline]
    for i, r in enumerate(comparison.runs):
        if i == baseline:
            continue
        for metric in diff.loc[diff["label"] == comparison.labels[i], "metric"]:
            a, b = _values(r, metric), _values(base, metric)
            if a is None or b is None or a.size < 2 or b.size < 2:
                continue
            paired = float(np.std(a - b, ddof=1) / math.sqrt(a.size)) if a.size == b.size \
                else math.nan
            unpaired = math.sqrt(float(mean("", a, "")["se"]) ** 2
                                 + float(mean("", b, "")["se"]) ** 2)
            ratio = unpaired / paired if paired > 0 else math.inf if unpaired > 0 else math.nan
            rows.append({"metric": metric, "label": comparison.labels[i],
                         "se_paired": paired, "se_unpaired": unpaired, "narrower": ratio})
    return pd.DataFrame(rows, columns=["metric", "label", "se_paired", "se_unpaired",
                                       "narrower"])


def _values(results: Results, metric: str) -> np.ndarray | None:
    import importlib
    try:  # the metric registry (stable ids); earlier trees kept the lookup in compare
        module = importlib.import_module(f"{__package__.rsplit('.', 1)[0]}.results.metrics")
    except ImportError:
        module = importlib.import_module(f"{__package__.rsplit('.', 1)[0]}.results.compare")
    got = module.metric_values(results, metric)
    return None if got is None else np.asarray(got[0], dtype=float)


def format_pairing(comparison: Comparison) -> str:
    """How much narrower each paired interval is than an unpaired one, for the runs paired
    with the first (same seed and replicates); nothing for runs compared as independent, and
    no ratio that is not a finite number."""
    paired = {label for i, label in enumerate(comparison.labels)
              if i > 0 and comparison.paired(i)}
    if not paired:
        return ""
    gain = pairing_gain(comparison)
    rows = [r for r in gain.to_dict("records") if r["label"] in paired
            and math.isfinite(float(r["se_paired"])) and math.isfinite(float(r["se_unpaired"]))]
    if not rows:
        return ""
    lines = ["", "  paired vs unpaired standard errors of the differences:"]
    width = max(len(str(r["metric"])) for r in rows)
    for r in rows:
        se_p, se_u = float(r["se_paired"]), float(r["se_unpaired"])
        ratio = float(r["narrower"])
        times = ("identical runs" if se_p == 0 and se_u == 0 else
                 "no variation" if se_u == 0 else
                 "identical replicates" if se_p == 0 else
                 f"{ratio:.1f}x narrower" if math.isfinite(ratio) else "")
        lines.append(f"  {str(r['metric']):<{width}}  {r['label']}: paired {se_p:.4g}, "
                     f"unpaired {se_u:.4g}" + (f" ({times})" if times else ""))
    return "\n".join(lines)
