"""Scenario discovery: under which conditions does an outcome of interest happen?

PRIM (Friedman & Fisher 1999; as used for scenario discovery by Bryant & Lempert 2010) with
the maintained ``prim`` package: the peeling trajectory (coverage, density, mass, restricted
dimensions of each box), the chosen box, its restricted dimensions with their limits and
quasi-p-values (one-sided binomial tests of each restriction, Bryant & Lempert 2010). Rows
that share a replicate share its random numbers and sampled parameters (common random
numbers across points), so they are not independent: the quasi-p-values count independent
units, not rows. With ``groups`` (the replicate of each row), the box's cases and rows are
divided by the design effect ``1 + (m - 1) rho`` (Kish 1965): ``rho`` is the intra-replicate
correlation of the case indicator (one-way ANOVA estimator, after removing the effects of
the design points given as ``blocks``) and ``m = sum T_c^2 / T`` the mean number of box rows
a replicate contributes. Rows copied k times within their replicate thus give the p-value
of the rows once. CART (Breiman et al. 1984) with
scikit-learn: a shallow classification tree, its rules, and the leaf richest in cases of
interest as a box.

Inputs are a table of conditions (factors: levers, design uncertainties, and per-replicate
sampled parameters) and a 0/1 case of interest per row. From an :class:`Experiment`, rows are
replicates by default, so the uncertainties the design did not fix take part too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ScenarioError

__all__ = ["PrimResult", "CartResult", "prim_box", "cart_box", "discovery_data", "discover",
           "cluster_icc", "quasi_p"]


@dataclass
class PrimResult:
    """``trajectory`` (one row per box: coverage, density, mean, res_dim, mass), the
    ``chosen`` index, its ``box`` (restricted factors: min, max, qp_value), the
    intra-group correlation ``icc`` of the cases and the box's ``units`` (its rows divided by
    the design effect: the number of independent units its quasi-p-values count)."""

    trajectory: pd.DataFrame
    chosen: int
    box: pd.DataFrame
    n: int
    cases: int
    icc: float = 0.0
    units: float = float("nan")

    @property
    def coverage(self) -> float:
        return float(self.trajectory["coverage"].iloc[self.chosen])

    @property
    def density(self) -> float:
        return float(self.trajectory["density"].iloc[self.chosen])

    @property
    def restricted(self) -> list[str]:
        return list(self.box.index)

    def plot(self, ax: Any = None, **kw: Any) -> Any:
        """Peeling trajectory: density against coverage, the chosen box marked."""
        from ..figures.experiments import plot_peeling
        return plot_peeling(self, ax=ax, **kw)

    def __repr__(self) -> str:
        dep = (f"; quasi-p-values count independent units, not rows: correlation within a "
               f"unit {self.icc:.2f}, the box's rows weigh as {self.units:.1f} units"
               if self.icc > 0 else "")
        return (f"<PRIM box after {self.chosen} of {len(self.trajectory) - 1} peeling steps: "
                f"coverage "
                f"{self.coverage:.2f}, density {self.density:.2f} ({self.cases} cases of "
                f"interest in {self.n}{dep})>\n{self.box.to_string()}")


@dataclass
class CartResult:
    """A fitted tree: ``rules`` (text), ``leaves`` (one row per leaf: size, density and the
    bounds of each factor on its path) and the ``box`` of the densest leaf."""

    rules: str
    leaves: pd.DataFrame
    box: pd.DataFrame
    density: float
    coverage: float

    def __repr__(self) -> str:
        return (f"<CART densest leaf: density {self.density:.2f}, coverage "
                f"{self.coverage:.2f}>\n{self.rules}")


def _cases(y: Any) -> np.ndarray:
    y = np.asarray(y)
    if y.dtype != bool and not set(np.unique(y)) <= {0, 1}:
        raise ScenarioError.from_text("scenario discovery needs a 0/1 case of interest per "
                                      "row; give a threshold for a continuous outcome")
    return y.astype(bool)


def cluster_icc(y: Any, groups: Any, blocks: Any = None) -> float:
    """Intra-group correlation of ``y`` (one-way ANOVA estimator, clipped to [0, 1]); with
    ``blocks``, their effects are removed first (two-way ANOVA: design points x replicates).
    0 when no group has two rows."""
    frame = pd.DataFrame({"y": np.asarray(y, dtype=float), "g": np.asarray(groups)})
    extra = 0
    if blocks is not None:
        frame["b"] = np.asarray(blocks)
        frame["y"] = frame["y"] - frame.groupby("b")["y"].transform("mean") + frame["y"].mean()
        extra = frame["b"].nunique() - 1
    size = frame.groupby("g")["y"].transform("size")
    n, k = len(frame), frame["g"].nunique()
    df_within = n - k - extra
    if k < 2 or df_within <= 0 or not (size > 1).any():
        return 0.0
    gmean = frame.groupby("g")["y"].transform("mean")
    msb = float(((gmean - frame["y"].mean()) ** 2).sum()) / (k - 1)
    msw = float(((frame["y"] - gmean) ** 2).sum()) / df_within
    m0 = (n - float((frame.groupby("g").size() ** 2).sum()) / n) / (k - 1)
    if msb + (m0 - 1) * msw <= 0:
        return 0.0
    return float(np.clip((msb - msw) / (msb + (m0 - 1) * msw), 0.0, 1.0))


def quasi_p(cases: int | float, rows: int | float, p: float) -> float:
    """One-sided binomial tail P(X >= cases), X ~ Bin(rows, p), continuous in its counts
    (the regularized incomplete beta function ``I_p(cases, rows - cases + 1)``): equal to
    ``binom.sf(cases - 1, rows, p)`` for whole counts, defined for effective ones."""
    from scipy.special import betainc

    if cases <= 0 or p >= 1:
        return 1.0
    if p <= 0:
        return 0.0
    return float(betainc(cases, rows - cases + 1.0, p))


def _in_box(x: pd.DataFrame, lims: pd.DataFrame, skip: str | None = None) -> np.ndarray:
    inside = np.ones(len(x), dtype=bool)
    for k, r in lims.iterrows():
        if k != skip:
            inside &= (x[k].to_numpy() >= r["min"]) & (x[k].to_numpy() <= r["max"])
    return inside


def prim_box(x: pd.DataFrame, y: Any, *, min_density: float = 0.8, peel_alpha: float = 0.05,
             mass_min: float = 0.05, groups: Any = None, blocks: Any = None) -> PrimResult:
    """PRIM's first box for cases ``y`` among conditions ``x`` (numeric columns).

    The chosen box maximises coverage + density among the boxes with density at least
    ``min_density`` (else it is the densest): the knee of the trajectory, where peeling
    further loses more coverage than it gains density.

    ``groups``: the independent unit of each row (rows of a group are dependent: the
    replicate, under common random numbers); ``blocks``: the design point of each row, whose
    effect is not dependence. The quasi-p-value of each restriction is the binomial tail of
    the box's cases among its rows, both divided by the design effect of the groups (see the
    module's docstring), with the density of the box without that restriction as ``p``.
    """
    import prim

    cases = _cases(y)
    x = x.reset_index(drop=True).astype(float)
    p = prim.Prim(x, cases.astype(int), threshold=0.5, threshold_type=">",
                  peel_alpha=peel_alpha, mass_min=mass_min)
    box = p.find_box()
    traj = box.peeling_trajectory.reset_index(drop=True).rename(columns={"res dim": "res_dim"})
    traj = traj.astype(float)
    ok = traj.index[traj["density"] >= min_density]
    score = traj["coverage"] + traj["density"]
    chosen = int(score.loc[ok].idxmax()) if len(ok) else int(traj["density"].idxmax())
    box.select(chosen)
    lims = box.limits.rename(columns={"qp values": "qp_value"})[["min", "max"]].astype(float)
    icc = 0.0 if groups is None else cluster_icc(cases, groups, blocks)
    inside = _in_box(x, lims)
    rows, hits = int(inside.sum()), int(cases[inside].sum())
    if groups is not None and rows:
        per = pd.Series(np.asarray(groups)[inside]).value_counts().to_numpy(dtype=float)
        deff = 1.0 + (float((per ** 2).sum()) / rows - 1.0) * icc
    else:
        deff = 1.0
    qps = []
    for k in lims.index:
        relaxed = _in_box(x, lims, skip=str(k))
        base = float(cases[relaxed].mean()) if relaxed.any() else float("nan")
        qps.append(quasi_p(hits / deff, rows / deff, base))
    lims["qp_value"] = qps
    lims = lims.sort_values("qp_value", kind="stable")
    init = {c: (float(x[c].min()), float(x[c].max())) for c in x.columns}
    lims = lims[[not (np.isclose(r["min"], init[k][0]) and np.isclose(r["max"], init[k][1]))
                 for k, r in lims.iterrows()]]
    return PrimResult(traj, chosen, lims.astype(float), len(x), int(cases.sum()), icc,
                      rows / deff)


def cart_box(x: pd.DataFrame, y: Any, *, max_depth: int = 3, min_samples_leaf: int | None = None,
             seed: int = 0) -> CartResult:
    """A CART classification tree of cases ``y`` over conditions ``x``."""
    from sklearn.tree import DecisionTreeClassifier, export_text

    cases = _cases(y)
    x = x.reset_index(drop=True).astype(float)
    leaf_min = min_samples_leaf or max(5, len(x) // 50)
    tree = DecisionTreeClassifier(max_depth=max_depth, min_samples_leaf=leaf_min,
                                  random_state=seed).fit(x.to_numpy(), cases)
    rules = export_text(tree, feature_names=list(x.columns), show_weights=True, decimals=5)
    t = tree.tree_
    rows = []

    def walk(node: int, bounds: dict[str, list[float]]) -> None:
        if t.children_left[node] == -1:
            leaf = x.index[tree.apply(x.to_numpy()) == node]
            size = len(leaf)
            hits = int(cases[leaf].sum())
            rows.append({"leaf": node, "size": size, "cases": hits,
                         "density": hits / size if size else np.nan,
                         **{f"{k} min": v[0] for k, v in bounds.items()},
                         **{f"{k} max": v[1] for k, v in bounds.items()}})
            return
        name = x.columns[t.feature[node]]
        thr = float(t.threshold[node])
        left = {k: list(v) for k, v in bounds.items()}
        left[name][1] = min(left[name][1], thr)
        right = {k: list(v) for k, v in bounds.items()}
        right[name][0] = max(right[name][0], thr)
        walk(int(t.children_left[node]), left)
        walk(int(t.children_right[node]), right)

    walk(0, {c: [float(x[c].min()), float(x[c].max())] for c in x.columns})
    leaves = pd.DataFrame(rows)
    best = leaves.sort_values(["density", "size"], ascending=False).iloc[0]
    box = pd.DataFrame({"min": [best[f"{c} min"] for c in x.columns],
                        "max": [best[f"{c} max"] for c in x.columns]}, index=list(x.columns))
    box = box[[not (np.isclose(r["min"], x[k].min()) and np.isclose(r["max"], x[k].max()))
               for k, r in box.iterrows()]]
    total = int(cases.sum())
    return CartResult(rules, leaves, box, float(best["density"]),
                      float(best["cases"] / total) if total else float("nan"))


def discovery_data(ex: Any, outcome: str, *, threshold: float | None = None,
                   below: bool = False, on: str = "replicates") -> tuple[pd.DataFrame, np.ndarray]:
    """Conditions and cases of interest from an experiment.

    ``on="replicates"``: one row per replicate (numeric design factors and sampled
    parameters); ``on="points"``: one row per point (its factors), the case being that the
    point's estimate exceeds ``threshold`` (or falls below it with ``below``).
    """
    numeric = [f["key"] for f in ex.factors if f.get("numeric", True)]
    if on == "points":
        t = ex.table(outcome)
        x, v = t[numeric], t["estimate"].to_numpy(dtype=float)
    else:
        frame = ex.replicates.merge(ex.design, on="point")
        params = [c for c in frame.columns if c.startswith("param:")
                  and pd.api.types.is_numeric_dtype(frame[c])]
        x = frame[numeric + params].rename(columns=lambda c: c.removeprefix("param:"))
        v = frame[outcome].to_numpy(dtype=float)
    if threshold is None:
        if outcome not in ex.binary or on == "points":
            raise ScenarioError.from_text(f"{outcome} is not 0/1 per row: give a threshold")
        cases = v > 0.5
    else:
        cases = v < threshold if below else v > threshold
    return x, cases


def discover(ex: Any, outcome: str, *, threshold: float | None = None, below: bool = False,
             on: str = "replicates", min_density: float = 0.8, max_depth: int = 3
             ) -> tuple[PrimResult, CartResult]:
    """PRIM and CART on an experiment's outcome (see :func:`discovery_data`)."""
    x, cases = discovery_data(ex, outcome, threshold=threshold, below=below, on=on)
    groups = blocks = None
    if on != "points":
        # the same row order as discovery_data's merge: a replicate's rows share its random
        # numbers and sampled parameters at every point (common random numbers)
        keys = ex.replicates[["point", "replicate"]].merge(ex.design[["point"]], on="point")
        groups, blocks = keys["replicate"].to_numpy(), keys["point"].to_numpy()
    elif ex.levers and ex.uncertainties:
        # points of one state of the world (a crossed design) share its values and its
        # replicates' random numbers: the state is the unit, the policy the block
        t = ex.table(outcome)
        groups = pd.factorize(t[ex.uncertainties].apply(tuple, axis=1))[0]
        blocks = pd.factorize(t[ex.levers].apply(tuple, axis=1))[0]
    if not cases.any() or cases.all():
        which = "every row is a" if cases.all() else "no row is a"
        raise ScenarioError.from_text(f"{outcome}: {which} case of interest; nothing to "
                                      "discover (change the threshold)")
    return (prim_box(x, cases, min_density=min_density, groups=groups, blocks=blocks),
            cart_box(x, cases, max_depth=max_depth))
