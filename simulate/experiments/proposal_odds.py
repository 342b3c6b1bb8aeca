"""Would a mediator's proposal be accepted, and how does that depend on a threat's
credibility? One run per credibility, on common random numbers (docs/model.md 4.12).

Each point fixes the credibility keys at a value (an override of an uncertain key drops its
distribution, every other draw is unchanged) and runs the same replicates with the same
seed, so the points differ only by the credibility. Common random numbers make the
difference between two points much less noisy than between independent runs, but not free of
noise: each row's change from the row before (``diff_accepted``) comes with Newcombe's 95%
interval for paired proportions (``diff_low``, ``diff_high``); a change whose interval
includes 0 may be noise. The probability of acceptance comes with a Wilson score interval
(``scipy.stats.binomtest``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats  # type: ignore[import-untyped]

from ..errors import ScenarioError
from ..execution.runner import as_scenario, run
from ..results.summary import paired_proportion_difference
from ..scenario import Scenario

__all__ = ["proposal_odds", "CREDIBILITY_KEYS"]

#: the credibilities a researcher usually varies together: the sanctioner's threat on the
#: occupier and its pressure threat on the defender
CREDIBILITY_KEYS = ("actors.US.credibility", "actors.US.pressure.credibility")

#: outcome columns written by the negotiation phase for a scenario with a proposal
_COLUMNS = ("proposal_accepted", "proposal_rejected_by", "proposal_margin_occ",
            "proposal_margin_def")


def _wilson(k: int, n: int, confidence: float) -> tuple[float, float]:
    ci = stats.binomtest(k, n).proportion_ci(confidence_level=confidence, method="wilson")
    return float(ci.low), float(ci.high)


def proposal_odds(scenario: Scenario | str | Path, credibilities: Iterable[float],
                  *, keys: Sequence[str] = CREDIBILITY_KEYS, replicates: int | None = None,
                  seed: int | None = None, confidence: float = 0.95,
                  overrides: Mapping[str, Any] | None = None, **run_kw: Any) -> pd.DataFrame:
    """One row per credibility: P(proposal accepted) with its interval, its paired change
    from the previous row with a 95% interval (NaN on the first row), who rejected, the mean
    margins (share-eq) and P(deal within the horizon).

    ``keys``: the credibility keys set to each value (those present in the scenario; a
    key the scenario lacks is skipped). ``overrides``: other scenario values to fix at every
    point (e.g. a shorter ``horizon_days``). ``run_kw`` goes to :func:`simulate.run`
    (``engine``, ``workers``, ``backend``...).
    """
    points = [float(c) for c in credibilities]
    if not points or any(not 0.0 <= c <= 1.0 for c in points):
        raise ScenarioError.from_text(
            f"expected credibilities between 0 and 1, found {points!r}")
    run_kw.setdefault("progress", False)
    run_kw.setdefault("counterfactual", False)
    run_kw.setdefault("keep_series", 0)
    rows = []
    previous: np.ndarray | None = None
    for c in points:
        fixed = {**dict(overrides or {}), **_present(scenario, keys, c)}
        res = run(scenario, replicates=replicates, seed=seed, overrides=fixed, **run_kw)
        o = res.outcomes
        missing = [col for col in _COLUMNS if col not in o.columns]
        if missing:
            raise ScenarioError.from_text(
                f"expected a scenario with a mediator's proposal in its timeline (outcome "
                f"columns {', '.join(_COLUMNS)}), found none of {', '.join(missing)}")
        n = len(o)
        k = int(o["proposal_accepted"].sum())
        lo, hi = _wilson(k, n, confidence)
        who = o["proposal_rejected_by"].astype(str)
        accepted = o.sort_values("replicate")["proposal_accepted"].to_numpy(dtype=bool)
        diff = _paired_change(accepted, previous)
        previous = accepted
        rows.append({"credibility": c, "replicates": n, "p_accepted": k / n,
                     "p_low": lo, "p_high": hi, **diff,
                     "p_rejected_by_occupier": float(np.mean(who.isin(("occupier", "both")))),
                     "p_rejected_by_defender": float(np.mean(who.isin(("defender", "both")))),
                     "margin_occ_mean": float(o["proposal_margin_occ"].mean()),
                     "margin_def_mean": float(o["proposal_margin_def"].mean()),
                     "p_deal": float(o["deal"].mean())})
    return pd.DataFrame(rows)


def _paired_change(now: np.ndarray, before: np.ndarray | None) -> dict[str, float]:
    """P(accepted) now minus before, replicate by replicate, with Newcombe's 95% interval
    (NaN without a previous point)."""
    if before is None:
        return {"diff_accepted": np.nan, "diff_low": np.nan, "diff_high": np.nan}
    d = paired_proportion_difference(now, before)
    return {"diff_accepted": d["estimate"], "diff_low": d["ci_low"], "diff_high": d["ci_high"]}


def _has(data: Any, dotted: str) -> bool:
    """Whether plain scenario data holds a value at ``dotted`` (dict keys only)."""
    node = data
    for part in dotted.split("."):
        if not isinstance(node, dict) or node.get(part) is None:
            return False
        node = node[part]
    return True


def _present(scenario: Scenario | str | Path, keys: Sequence[str], value: float) -> dict:
    """The overrides ``{key: value}`` for the keys the scenario has."""
    data = as_scenario(scenario, None).to_data()
    out = {key: value for key in keys if _has(data, key)}
    if not out:
        raise ScenarioError.from_text(
            f"expected the scenario to have one of the credibility keys {', '.join(keys)}, "
            "found none")
    return out
