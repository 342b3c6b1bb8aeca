"""Robust policies: each lever combination judged across the states of the world.

A *policy* is a combination of lever values; a *state of the world* is a combination of the
design uncertainties' values (a ``crossed`` or ``factorial`` design runs every policy in every
state; every point's replicates share common random numbers, so the remaining uncertainties
are the same in every cell). For each policy and state the outcome is the point's estimate (a
probability or a mean). Regret (Savage 1951) is the shortfall from the best policy in that
state; the *minimax-regret* policy has the smallest worst-case regret; the *satisficing*
policy meets a threshold in the largest share of states (Simon 1955; Lempert et al. 2003);
when no policy meets it in any state there is none.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ScenarioError

__all__ = ["Robustness", "robust", "TIE"]

#: regrets closer than this (relative to the largest regret, at least 1) are equal: they are
#: differences of estimates, and 0.9 - 0.5 and 0.5 - 0.1 differ in their last bits
TIE = 1e-9


def _tie_groups(regret: pd.Series) -> np.ndarray:
    """Per policy, the rank of its regret among the distinct regrets, where regrets closer
    than :data:`TIE` (relative to the largest, at least 1) are one: 0 for the smallest."""
    r = regret.to_numpy(dtype=float)
    if not r.size:
        return np.zeros(0, dtype=np.int64)
    order = np.argsort(r, kind="stable")
    tol = TIE * max(1.0, float(np.abs(r).max()))
    groups = np.empty(r.size, dtype=np.int64)
    groups[order] = np.cumsum(np.r_[False, np.diff(r[order]) > tol])
    return groups


@dataclass
class Robustness:
    """``table``: one row per policy (lever values, mean, worst, best, max_regret,
    mean_regret, satisficing share); ``regret``: long table (policy, state, value, regret).
    ``satisficing`` is None when there is no threshold or no policy meets it in any state."""

    outcome: str
    maximize: bool
    table: pd.DataFrame
    regret: pd.DataFrame
    minimax_regret: str
    satisficing: str | None
    threshold: float | None
    #: the outcome's unit ("probability", "USD bn"...), for the figure's axis
    unit: str = ""

    def plot(self, ax: Any = None, **kw: Any) -> Any:
        """Regret of each policy across the states of the world."""
        from ..figures.experiments import plot_regret
        return plot_regret(self, ax=ax, **kw)

    @property
    def ties(self) -> list[str]:
        """Policies whose maximum regret equals the minimax-regret policy's (within
        :data:`TIE`: 0.9 - 0.5 and 0.5 - 0.1 are the same regret)."""
        t = self.table
        return list(t.loc[_tie_groups(t["max_regret"]) == 0, "policy"])

    def __repr__(self) -> str:
        sat = ""
        if self.threshold is not None:
            rule = f"{'>=' if self.maximize else '<='} {self.threshold:g}"
            sat = (f"; satisficing ({rule}): {self.satisficing}" if self.satisficing is not None
                   else f"; no policy meets {self.outcome} {rule} in any state of the world "
                        "(no satisficing policy)")
        tied = len(self.ties) - 1
        note = (f" (tied with {tied} other polic{'y' if tied == 1 else 'ies'})" if tied
                else "")
        if self.table["mean"].nunique() == 1 and self.regret["value"].nunique() == 1:
            note += " - the outcome is the same for every policy in every state"
        return (f"<Robustness of {self.outcome} ({'higher' if self.maximize else 'lower'} is "
                f"better): minimax regret: {self.minimax_regret}{note}{sat}>\n"
                f"{self.summary().to_string(index=False)}")

    def summary(self) -> pd.DataFrame:
        """The table without the lever columns (the policy label names them)."""
        cols = ["policy", "mean", "worst", "best", "max_regret", "mean_regret"]
        if "satisficing_share" in self.table:
            cols.append("satisficing_share")
        return self.table[cols]


def _fmt(v: Any, digits: int | None) -> str:
    """A value for a label: floats to ``digits`` significant digits (None: ``repr``, which
    tells every two floats apart)."""
    if isinstance(v, float):
        return repr(float(v)) if digits is None else f"{v:.{digits}g}"
    return repr(v) if digits is None else str(v)


def _labels(t: pd.DataFrame, keys: list[str]) -> pd.Series:
    """One label per row naming its values of ``keys`` (``rate=0.25, deadline=30``): the
    shortest precision at which distinct combinations of values get distinct labels, so a
    label stands for exactly one combination (1000 and 1001 are not both ``1e+03``)."""
    combos = t[keys].apply(tuple, axis=1)
    n_distinct = len(set(combos))
    for digits in (3, 6, 10, 15, None):
        labels = combos.map(lambda c, d=digits: ", ".join(
            f"{k.split('.')[-1]}={_fmt(v, d)}" for k, v in zip(keys, c, strict=True)))
        if labels.nunique() == n_distinct:
            return labels
    raise ScenarioError.from_text(f"cannot label the combinations of {', '.join(keys)} "
                                  "distinctly (values that print alike)")


def robust(ex: Any, outcome: str, *, maximize: bool = True,
           threshold: float | None = None) -> Robustness:
    """Regret, minimax-regret and satisficing choices of an experiment's lever combinations.

    ``maximize``: whether more of the outcome is better (a deal) or less (revenue of the
    sanctioned state, when the aim is to cut it). ``threshold``: what counts as acceptable,
    for the satisficing choice.
    """
    levers, states = ex.levers, ex.uncertainties
    if not levers:
        raise ScenarioError.from_text("robust policies need levers in the experiment")
    t = ex.table(outcome)
    # labels in one-to-one correspondence with the raw values: pivoting on them is pivoting
    # on the values (labels are for display only; cells are never merged by rounding)
    t["policy"] = _labels(t, levers)
    t["state"] = _labels(t, states) if states else "all"
    counts = t.groupby("policy")["state"].nunique()
    n_states = t["state"].nunique()
    if (counts != n_states).any():
        raise ScenarioError.from_text(
            "robust policies need every lever combination run in every state of the world: "
            "use design: crossed (or factorial)")
    value = t.pivot_table(index="state", columns="policy", values="estimate", aggfunc="mean")
    best = value.max(axis=1) if maximize else value.min(axis=1)
    regret = (best.to_numpy()[:, None] - value) if maximize else (value - best.to_numpy()[:, None])
    long = value.stack().rename("value").to_frame().join(
        regret.stack().rename("regret")).reset_index()
    rows = []
    first = t.drop_duplicates("policy").set_index("policy")
    for pol in value.columns:
        v = value[pol].to_numpy()
        row = {k: first.loc[pol, k] for k in levers}
        row.update({"policy": pol, "mean": float(v.mean()),
                    "worst": float(v.min() if maximize else v.max()),
                    "best": float(v.max() if maximize else v.min()),
                    "max_regret": float(regret[pol].max()),
                    "mean_regret": float(regret[pol].mean())})
        if threshold is not None:
            ok = v >= threshold if maximize else v <= threshold
            row["satisficing_share"] = float(np.mean(ok))
        rows.append(row)
    table = pd.DataFrame(rows)
    # smallest maximum regret first, ties (within TIE) broken by the smaller mean regret
    table = table.assign(_tie=_tie_groups(table["max_regret"])).sort_values(
        ["_tie", "mean_regret"], kind="stable", ignore_index=True).drop(columns="_tie")
    minimax = str(table["policy"].iloc[0])
    sat = None
    if threshold is not None:
        ranked = table.sort_values(["satisficing_share", "mean"],
                                   ascending=[False, not maximize])
        if ranked["satisficing_share"].iloc[0] > 0:
            sat = str(ranked["policy"].iloc[0])
    from ..figures.outcome_labels import outcome_unit  # the figures' unit names
    return Robustness(outcome, maximize, table, long, minimax, sat, threshold,
                      outcome_unit(outcome, getattr(ex, "scenario", None),
                                   getattr(ex, "binary", None)))
