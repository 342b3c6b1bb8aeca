"""Statistics of experiments: the stopping standard error of ``--target-se`` (Wilson, never
0), the model's 0/1 columns as proportions by name (never by their values), every headline
probability watched, robust policies that keep distinct lever values apart, one-replicate
functions in sensitivity analysis, and the paired change of proposal_odds with its
interval."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from experiments_common import AUG, SMALL, write_small
from scipy import stats

import simulate
from simulate.errors import ArgumentError
from simulate.experiments.proposal_odds import proposal_odds
from simulate.experiments.robust import robust
from simulate.experiments.sensitivity import sensitivity
from simulate.experiments.stats import (
    headline_se,
    point_statistics,
    proportion_columns,
    stopping_se,
)
from simulate.results.summary import paired_proportion_difference
from simulate.scenario.experiment_block import Outcomes, binary_outcomes

Z = stats.norm.ppf(0.975)
PLAN = AUG.with_name("aug2025_mediator_plan.yaml")


def _wilson_half(k: int, n: int) -> float:
    ci = stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    return (ci.high - ci.low) / 2


@pytest.mark.parametrize("k, n", [(0, 100), (100, 100), (0, 8), (3, 50), (50, 100)])
def test_stopping_se_is_the_wilson_half_width_over_z(k, n):
    hits = np.array([1] * k + [0] * (n - k))
    assert stopping_se(hits) == pytest.approx(_wilson_half(k, n) / Z, rel=1e-9)


def test_stopping_se_is_not_zero_at_none_or_all():
    # z / (2 (n + z^2)) at 0/n and n/n, where the plug-in sqrt(p (1 - p) / n) is 0
    assert stopping_se(np.zeros(100)) == pytest.approx(0.00943729, abs=1e-8)
    assert stopping_se(np.ones(100, dtype=bool)) == pytest.approx(0.00943729, abs=1e-8)
    assert stopping_se(np.array([np.nan, 0.0, 0.0])) == pytest.approx(
        Z / 2 / (2 + Z * Z))
    assert stopping_se(np.array([])) == math.inf


NEVER = SMALL.replace("""    deal_within: [10, 40]
    columns: [oil_revenue_busd]
    on_date:
      india_low: {variable: volume_mbd, actor: IN, date: 2025-09-10, below: 1.7}
""", """    deal_within: []
    columns: [oil_revenue_busd]
    on_date:
      never: {variable: volume_mbd, actor: IN, date: 2025-09-10, below: -1.0}
""")


def test_a_point_with_no_hits_in_its_first_chunk_is_extended(tmp_path):
    """0 hits in 8 replicates: the plug-in se is 0 and stopped at once; the stopping se is
    z / (2 (n + z^2)), 0.0352 at n = 24 and 0.0273 at n = 32, so a target of 0.03 needs 32."""
    assert "never:" in NEVER
    path = write_small(tmp_path, NEVER)
    ex = simulate.sweep(path, replicates=8, points=2, target_se=0.03, progress=False)
    assert (ex.replicates["never"] == 0).all()
    n = ex.replicates.groupby("point").size()
    assert list(n) == [32, 32]
    assert ex.manifest["target_se_reached"] == pytest.approx([Z / 2 / (32 + Z * Z)] * 2)
    assert "wilson" in ex.manifest["target_se_rule"]


def _reps() -> pd.DataFrame:
    return pd.DataFrame({"point": [0] * 50 + [1] * 50, "replicate": list(range(50)) * 2,
                         "deal_by_deadline": [0.0] * 50 + [1.0] * 3 + [0.0] * 47})


def test_an_indicator_column_is_a_proportion_with_a_wilson_interval():
    s = point_statistics(_reps(), ["deal_by_deadline"], set()).set_index("point")
    assert (s["kind"] == "probability").all()
    assert s.loc[0, ["estimate", "ci_low", "ci_high"]].tolist() == pytest.approx(
        [0.0, 0.0, 0.0713], abs=5e-5)
    assert s.loc[1, ["estimate", "ci_low", "ci_high"]].tolist() == pytest.approx(
        [0.06, 0.0206, 0.1622], abs=5e-5)
    assert s.loc[1, "se"] == pytest.approx(math.sqrt(0.06 * 0.94 / 50))
    # booleans, and 0/1 with NaN aside, too
    b = _reps().assign(deal_by_deadline=lambda f: f["deal_by_deadline"].astype(bool))
    assert (point_statistics(b, ["deal_by_deadline"], set())["kind"] == "probability").all()
    nan = _reps()
    nan.loc[0, "deal_by_deadline"] = np.nan
    got = point_statistics(nan, ["deal_by_deadline"], set()).set_index("point")
    assert got.loc[0, "kind"] == "probability" and got.loc[0, "n"] == 49
    # a proportion of something that is not 0/1 is refused, not counted as a hit
    two = _reps()
    two.loc[60, "deal_by_deadline"] = 2.0
    with pytest.raises(ArgumentError, match="expected 0 or 1 in every replicate"):
        point_statistics(two, ["deal_by_deadline"], set())


def test_numbers_that_happen_to_be_zero_or_one_are_means_with_a_t_interval():
    """The kind of an outcome is said by name, not read from its values: a count of
    extensions before any second one, an always-zero shut-in volume or any 0/1 number the
    model does not name as an indicator stay means (Student-t interval), while an indicator
    that never happened stays a probability (Wilson)."""
    frame = _reps().rename(columns={"deal_by_deadline": "extensions"}).assign(
        shut_in_mbd=0.0, softened_RU=0.0, deal=0.0)
    names = ["extensions", "shut_in_mbd", "softened_RU", "deal"]
    assert proportion_columns(frame, names, set()) == {"softened_RU", "deal"}
    s = point_statistics(frame, names, set()).set_index(["point", "outcome"])
    assert s.xs("extensions", level="outcome")["kind"].tolist() == ["mean", "mean"]
    assert s.xs("shut_in_mbd", level="outcome")["kind"].tolist() == ["mean", "mean"]
    assert s.xs("softened_RU", level="outcome")["kind"].tolist() == ["probability"] * 2
    ext = s.loc[(1, "extensions")]
    se = math.sqrt(0.06 * 0.94 / 49)  # sample standard deviation over sqrt(n)
    assert ext["se"] == pytest.approx(se)
    assert ext["ci_high"] - ext["estimate"] == pytest.approx(stats.t.ppf(0.975, 49) * se)
    zero = s.loc[(0, "shut_in_mbd")]
    assert (zero["estimate"], zero["ci_low"], zero["ci_high"]) == (0.0, 0.0, 0.0)
    never = s.loc[(0, "softened_RU")]
    assert never["ci_high"] == pytest.approx(0.0713, abs=5e-5)  # Wilson's, not 0
    # the block's own 0/1 outcomes, and the indicators it names, by name only
    outs = Outcomes.model_validate({"deal_within": [30], "columns": [
        "extensions", "deal", "softened_UA", "deal_cf", "shut_in_mbd"]})
    assert binary_outcomes(outs) == {"deal_within_30d", "deal", "softened_UA", "deal_cf"}


#: the outcomes block of SMALL, replaced by a block of columns only
SMALL_OUTCOMES = """    deal_within: [10, 40]
    columns: [oil_revenue_busd]
    on_date:
      india_low: {variable: volume_mbd, actor: IN, date: 2025-09-10, below: 1.7}
    over_period:
      revenue_aug: {variable: oil_revenue_musd, from: 2025-08-10, to: 2025-08-31,
                    scale: 0.001}
"""


def with_columns(columns: str) -> str:
    """SMALL with ``deal_within: []`` and ``columns: [<columns>]`` as its outcomes."""
    assert SMALL_OUTCOMES in SMALL
    return SMALL.replace(SMALL_OUTCOMES, f"    deal_within: []\n    columns: [{columns}]\n")


COUNT = with_columns("extensions, softened_RU")


def test_a_count_holding_only_zeros_and_ones_keeps_its_kind_in_a_sweep(tmp_path):
    """In this sweep ``extensions`` is 0 or 1 in every replicate: still a mean, not watched
    by --target-se; ``softened_RU`` is 0 in every replicate: still a probability."""
    assert "columns: [extensions, softened_RU]" in COUNT
    path = write_small(tmp_path, COUNT)
    ex = simulate.sweep(path, replicates=8, points=2, target_se=0.2, progress=False)
    assert set(ex.replicates["extensions"].unique()) == {0.0, 1.0}
    assert (ex.replicates["softened_RU"] == 0.0).all()
    assert ex.binary == ["softened_RU"]
    kinds = ex.statistics.groupby("outcome")["kind"].unique().map(list).to_dict()
    assert kinds == {"extensions": ["mean"], "softened_RU": ["probability"]}
    # the stopping rule watched the indicator only: 0/8 has a stopping se of 0.0832 < 0.2
    assert list(ex.replicates.groupby("point").size()) == [8, 8]
    assert ex.manifest["target_se_reached"] == pytest.approx([Z / 2 / (8 + Z * Z)] * 2)


def test_target_se_watches_a_zero_one_column_of_the_outcomes_table(tmp_path):
    """``columns: [deal]``: a proportion, extended to the target like a deal window."""
    text = with_columns("deal")
    assert "columns: [deal]" in text
    ex = simulate.sweep(write_small(tmp_path, text), replicates=8, points=2, target_se=0.06,
                        progress=False)
    assert ex.binary == ["deal"]
    assert (ex.statistics["kind"] == "probability").all()
    for _point, part in ex.replicates.groupby("point"):
        n = len(part)
        assert n > 8  # 0.083 at 0/8, the smallest stopping se of 8 replicates
        hits = part.sort_values("replicate")["deal"].to_numpy()
        assert stopping_se(hits) <= 0.06 < stopping_se(hits[: n - 8])


WINDOWS = SMALL.replace("outputs: {counterfactual: false, keep_series: 0}",
                        "outputs: {counterfactual: false, keep_series: 0, deal_within: [10, 20]}")


def test_every_deal_window_of_the_run_is_a_watched_headline_probability(tmp_path):
    """Every replicate settles by day 30, half of them by day 10: P(deal within 10 days)
    has the largest standard error, and --target-se must see it."""
    assert "deal_within: [10, 20]" in WINDOWS
    s = simulate.load_scenario(write_small(tmp_path, WINDOWS))
    n = 40
    frame = pd.DataFrame({"deal": np.ones(n, dtype=bool),
                          "deal_day": np.r_[np.full(n // 2, 5), np.full(n // 2, 30)],
                          "deal_by_deadline": np.zeros(n, dtype=bool),
                          "decision_day": np.full(n, -1)})
    ses = headline_se(frame, s)
    assert set(ses) == {"deal_by_deadline", "deal_within_10d", "deal_within_20d",
                        "deal_within_horizon", "threat_carried_out"}
    half = math.sqrt(n / 4 + Z * Z / 4) / (n + Z * Z)
    assert ses["deal_within_10d"] == pytest.approx(half)
    assert ses["deal_within_20d"] == pytest.approx(half)
    assert ses["deal_within_horizon"] == pytest.approx(Z / 2 / (n + Z * Z))
    assert max(ses.values()) == pytest.approx(half)


class _Crossed:
    """Three policies (rate 1000, 1001, 500) in two states: the stub of an Experiment."""

    levers = ["actors.US.rate"]
    uncertainties = ["u.x"]

    def table(self, outcome: str) -> pd.DataFrame:
        rows = [{"actors.US.rate": lever, "u.x": u, "estimate": v}
                for lever, vals in ((1000.0, (0.9, 0.1)), (1001.0, (0.1, 0.9)),
                                    (500.0, (0.6, 0.6)))
                for u, v in zip((0.1, 0.2), vals, strict=True)]
        return pd.DataFrame(rows)


def test_robust_keeps_lever_values_that_print_alike_apart():
    r = robust(_Crossed(), "y")
    t = r.table.set_index("actors.US.rate")
    assert len(t) == 3 and t["policy"].nunique() == 3
    assert t.loc[500.0, "max_regret"] == pytest.approx(0.3)
    assert t.loc[1000.0, "max_regret"] == pytest.approx(0.8)
    assert t.loc[1001.0, "max_regret"] == pytest.approx(0.8)
    assert t.loc[1000.0, "mean"] == pytest.approx(0.5)
    assert r.minimax_regret == t.loc[500.0, "policy"]
    assert len(r.regret) == 6


def test_sensitivity_of_a_function_returning_one_replicate_column():
    def f(x: np.ndarray) -> np.ndarray:
        return np.sin(x[:, 0]) + 7.0 * np.sin(x[:, 1]) ** 2

    bounds = {"x1": (-np.pi, np.pi), "x2": (-np.pi, np.pi)}
    flat = sensitivity(f, bounds=bounds, points=256, seed=1)
    column = sensitivity(lambda x: f(x)[:, None], bounds=bounds, points=256, seed=1)
    assert column.noise_share == 0.0 and column.warnings == []
    pd.testing.assert_frame_equal(column.indices, flat.indices)
    assert np.isfinite(column.indices[["S1", "ST"]].to_numpy()).all()


def test_proposal_odds_gives_the_paired_change_with_newcombes_interval(tmp_path):
    """A plan Russia sometimes accepts (Donetsk 0.8, relief 0.2): the change from no credibility
    to full is P(accepted) at 1 minus at 0, replicate by replicate, with the interval of
    simulate.results.summary.paired_proportion_difference on the same replicates."""
    path = tmp_path / "plan.yaml"
    path.write_text(f"""\
extends: {PLAN}
name: plan_variant
timeline:
  - {{date: 2025-11-06, actor: US, action: proposal, open_days: 30,
     terms: {{Donetsk: 0.8, Luhansk: line, Zaporizhzhia: line, Kherson: line}},
     sanctions_relief: {{RU: 0.2}}, security: {{UA: 0.1}}}}
""")
    fixed = {"horizon_days": 130}
    table = proposal_odds(path, [0.0, 1.0], replicates=300, overrides=fixed)
    first, second = table.iloc[0], table.iloc[1]
    assert np.isnan(first[["diff_accepted", "diff_low", "diff_high"]].astype(float)).all()
    accepted = [simulate.run(path, replicates=300, counterfactual=False, keep_series=0,
                             progress=False, overrides={
                                 **fixed, "actors.US.credibility": c,
                                 "actors.US.pressure.credibility": c}
                             ).outcomes["proposal_accepted"].to_numpy(dtype=bool)
                for c in (0.0, 1.0)]
    assert accepted[0].any() or accepted[1].any()  # a question with something to answer
    want = paired_proportion_difference(accepted[1], accepted[0])
    assert second["diff_accepted"] == pytest.approx(second["p_accepted"] - first["p_accepted"])
    assert second["diff_accepted"] == pytest.approx(want["estimate"])
    assert (second["diff_low"], second["diff_high"]) == (
        pytest.approx(want["ci_low"]), pytest.approx(want["ci_high"]))
    assert second["diff_low"] <= second["diff_accepted"] <= second["diff_high"]
    assert second["diff_high"] - second["diff_low"] > 0
