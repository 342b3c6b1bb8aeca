"""Fixes from a review of the Python API in Jupyter: paired intervals of probabilities,
median intervals of few values, comparisons of mismatched runs, argument checks of run,
sweep and trace, one-line reprs, bundled names, the fixed-parameter marker after loading,
and the project's errors for bad ``windows``/``labels``."""

from __future__ import annotations

import math
import re
import warnings
from pathlib import Path

import numpy as np
import pytest
from results_factory import make_results, small_scenario
from scipy import stats

import simulate
from simulate import ScenarioError, SimulateError
from simulate.report.insights import threat_effect
from simulate.results.compare import Comparison, ResultsWarning, compare
from simulate.results.results import Results
from simulate.results.summary import paired_proportion_difference, quantile, summarize
from simulate.scenario import find_scenario, load_scenario
from simulate.trace import trace

ROOT = Path(__file__).resolve().parent.parent
SMALL = ROOT / "tests" / "model_scenarios" / "small.yaml"
Z = 1.959963984540054


def _pairs(a: int, b: int, c: int, d: int) -> tuple[np.ndarray, np.ndarray]:
    """Paired 0/1 outcomes: a both, b first only, c second only, d neither."""
    x = np.array([1] * a + [1] * b + [0] * c + [0] * d, dtype=bool)
    y = np.array([1] * a + [0] * b + [1] * c + [0] * d, dtype=bool)
    return x, y


def _wilson(k: int, n: int) -> tuple[float, float]:
    """Wilson score interval in closed form (not scipy's)."""
    p = k / n
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n)) / (1 + Z * Z / n)
    return centre - half, centre + half


@pytest.fixture(scope="module")
def small_run():
    return simulate.run(SMALL, replicates=40, seed=3, progress=False)


# ----- 1. paired interval of a difference of probabilities ------------------------------------
def test_paired_interval_matches_the_published_example():
    # Cavo et al. (2012) as in Fagerland, Lydersen & Laake (2014, 2017), Newcombe's method
    # 10: 59 both, 6 before only, 16 after only, 80 neither -> -0.0621 (-0.1186 to -0.0046)
    got = paired_proportion_difference(*_pairs(59, 6, 16, 80))
    assert round(got["estimate"], 4) == -0.0621
    assert round(got["ci_low"], 4) == -0.1186 and round(got["ci_high"], 4) == -0.0046
    assert got["n"] == 161


def test_paired_interval_in_closed_form():
    # positive correlation: ad - bc = 52 > n/2, reduced by n/2 as Newcombe does
    a, b, c, d = 5, 3, 1, 11
    n = a + b + c + d
    p1, p2 = (a + b) / n, (a + c) / n
    (l1, u1), (l2, u2) = _wilson(a + b, n), _wilson(a + c, n)
    phi = (a * d - b * c - n / 2) / math.sqrt((a + b) * (c + d) * (a + c) * (b + d))
    lo = p1 - p2 - math.sqrt((p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2)
    hi = p1 - p2 + math.sqrt((u1 - p1) ** 2 - 2 * phi * (u1 - p1) * (p2 - l2) + (p2 - l2) ** 2)
    got = paired_proportion_difference(*_pairs(a, b, c, d))
    assert got["ci_low"] == pytest.approx(lo, abs=1e-12)
    assert got["ci_high"] == pytest.approx(hi, abs=1e-12)
    # ad - bc = 0: phi = 0, the square-and-add of the two Wilson intervals
    a, b, c, d = 2, 4, 2, 4
    p1, p2 = 6 / 12, 4 / 12
    (l1, u1), (l2, u2) = _wilson(6, 12), _wilson(4, 12)
    got = paired_proportion_difference(*_pairs(a, b, c, d))
    assert got["ci_low"] == pytest.approx(p1 - p2 - math.hypot(p1 - l1, u2 - p2), abs=1e-12)
    assert got["ci_high"] == pytest.approx(p1 - p2 + math.hypot(u1 - p1, p2 - l2), abs=1e-12)


def test_paired_interval_is_not_degenerate_when_all_pairs_agree():
    for a, d in ((30, 170), (0, 200), (200, 0)):
        got = paired_proportion_difference(*_pairs(a, 0, 0, d))
        assert got["estimate"] == 0.0 and got["se"] == 0.0
        assert got["ci_low"] < 0.0 < got["ci_high"]
        assert got["ci_high"] - got["ci_low"] > 0.02


def test_compare_gives_paired_proportions_newcombes_interval():
    a = make_results([1, None, None, 3, 2, None], seed=5)
    b = make_results([1, None, None, 3, 2, None], seed=5, offset=1.0)
    row = compare(a, b).differences().set_index("metric").loc["deal_within_horizon"]
    assert row["paired"] and row["difference"] == 0.0
    want = paired_proportion_difference(b.outcomes["deal"], a.outcomes["deal"])
    assert row["ci_low"] == want["ci_low"] < 0 < want["ci_high"] == row["ci_high"]
    # a mean keeps the t interval of the per-replicate differences (exact offset: zero width)
    rev = compare(a, b).differences().set_index("metric").loc["oil_revenue"]
    assert rev["difference"] == pytest.approx(1.0) and rev["ci_low"] == pytest.approx(1.0)


def test_threat_effect_uses_the_same_paired_interval():
    r = make_results([1, None, 3, None, None])
    r.outcomes["deal_cf"] = r.outcomes["deal"].to_numpy()  # the measures change nothing
    row = threat_effect(r).loc["deal_within_horizon"]
    want = paired_proportion_difference(r.outcomes["deal"], r.outcomes["deal_cf"])
    assert row["estimate"] == 0.0 and row["ci_low"] == want["ci_low"] < 0.0
    assert row["ci_high"] == want["ci_high"] > 0.0


def test_bundled_runs_with_and_without_threat():
    quick = {"replicates": 100, "seed": 1, "progress": False, "counterfactual": False,
             "keep_series": 0}
    r = simulate.run("aug2025", **quick)
    no_threat = simulate.run("aug2025_no_threat", **quick)
    d = compare(r, no_threat).differences().set_index("metric")
    probabilities = [m for m in d.index if d.loc[m, "unit"] == "probability"]
    assert "deal_within_180d" in probabilities
    for metric in probabilities:
        row = d.loc[metric]
        assert row["paired"]
        assert row["ci_low"] < row["difference"] < row["ci_high"], metric


# ----- 2. median interval of few values ---------------------------------------------------
def test_median_interval_of_few_values_is_nan_not_zero_width():
    for n in range(1, 6):
        row = quantile("m", np.arange(n, dtype=float) + 0.5, 0.5, "u")
        assert math.isnan(row["ci_low"]) and math.isnan(row["ci_high"]), n
        assert not math.isnan(row["estimate"])
    row = quantile("m", [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0], 0.5, "u")
    assert (row["ci_low"], row["ci_high"]) == (1.0, 7.0)  # coverage 1 - 2/2^7 >= 95%
    row = quantile("m", [2.0] * 4, 0.5, "u")  # too few even without spread
    assert math.isnan(row["ci_low"]) and row["estimate"] == 2.0
    row = quantile("m", [2.0] * 12, 0.5, "u")  # enough, and no spread: a point
    assert row["ci_low"] == row["ci_high"] == 2.0


def test_median_interval_of_many_values_is_unchanged():
    x = np.random.default_rng(0).normal(size=57)
    xs = np.sort(x)
    k_lo, k_hi = int(stats.binom.ppf(0.025, 57, 0.5)), int(stats.binom.ppf(0.975, 57, 0.5))
    row = quantile("m", x, 0.5, "u")
    assert (row["ci_low"], row["ci_high"]) == (xs[k_lo - 1], xs[k_hi])


def test_summary_explains_a_missing_median_interval():
    r = make_results([2, 5, None, 5])  # 3 deals
    table = summarize(r.outcomes, r.scenario)
    row = table.loc["terms_North"]
    assert row["n"] == 3 and math.isnan(row["ci_low"]) and not math.isnan(row["estimate"])
    assert "3 value(s)" in table.attrs["notes"]["terms_North"]
    assert "(too few values)" in r._repr_html_()


# ----- 3. comparisons of mismatched runs ------------------------------------------------------
def test_same_seed_different_replicates_pair_on_the_common_ones():
    a = make_results([1, None, 3, None, 2, 2], seed=5)
    b = make_results([1, 2, None, None], seed=5, offset=1.0)
    with pytest.warns(ResultsWarning, match="paired on the replicates 0 to 3"):
        c = compare(a, b, labels=["six", "four"])
    assert c.paired(1)
    row = c.differences().set_index("metric").loc["deal_within_horizon"]
    assert row["paired"]
    want = paired_proportion_difference(b.outcomes["deal"], a.outcomes["deal"][:4])
    assert row["difference"] == want["estimate"] == 0.0
    assert (row["ci_low"], row["ci_high"]) == (want["ci_low"], want["ci_high"])
    assert len(c.warnings) == 1 and "four (4 replicates) and six (6)" in c.warnings[0]
    other_seed = make_results([1, 2, None, None], seed=6)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert not compare(a, other_seed).paired(1)  # independent samples: nothing to say


def test_different_horizons_warn():
    a = make_results([1, None], seed=5)
    b = make_results([1, None], seed=5, scenario=small_scenario(horizon_days=20))
    with pytest.warns(ResultsWarning, match=r"different horizons \(a: 2025-08-06, 10 days, "
                                            r"b: 2025-08-06, 20 days\)"):
        c = compare(a, b, labels=["a", "b"])
    assert c.paired(1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert Comparison([a, b], ["a", "b"], warn=False).warnings == c.warnings


def test_readme_compares_runs_of_the_same_replicates_and_traces_the_run():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    python = text[text.index("## Python"):text.index("## Output files")]
    run_n = re.search(r"results = simulate\.run\(s, replicates=(\d+), seed=(\d+)\)", python)
    assert run_n is not None
    cmp = re.search(r"simulate\.compare\(results, simulate\.run\([^)]*replicates=(\d+), "
                    r"seed=(\d+)\)", python)
    assert cmp is not None and cmp.groups() == run_n.groups()
    assert "simulate.trace(s, replicate=" not in python and "results.trace(7)" in python


# ----- 4. arguments of run and sweep ----------------------------------------------------------
@pytest.mark.parametrize("kwargs, key", [
    ({"replicates": 10.7}, "replicates"), ({"replicates": 0}, "replicates"),
    ({"seed": 1.5}, "seed"), ({"seed": "1"}, "seed"), ({"seed": "abc"}, "seed"),
    ({"seed": -1}, "seed"), ({"keep_series": -1}, "keep_series"),
    ({"chunk_size": 0}, "chunk_size"), ({"workers": 1.5}, "workers"),
    ({"replicates": True}, "replicates"),
])
def test_run_refuses_arguments_that_are_not_whole_numbers_in_range(kwargs, key):
    with pytest.raises(ScenarioError) as err:
        simulate.run(small_scenario(), progress=False, **kwargs)
    assert str(err.value).startswith(f"{key}: expected a whole number")


def test_run_accepts_numpy_integers():
    r = simulate.run(SMALL, replicates=np.int64(3), seed=np.uint32(3), progress=False)
    assert len(r.outcomes) == 3 and r.manifest["seed"] == 3


@pytest.mark.parametrize("kwargs, key", [
    ({"replicates": 0}, "replicates"), ({"points": -2}, "points"), ({"points": 0}, "points"),
    ({"replicates": 2.5}, "replicates"), ({"seed": "7"}, "seed"),
    ({"chunk_size": 0}, "chunk_size"),
])
def test_sweep_refuses_bad_arguments(kwargs, key):
    with pytest.raises(ScenarioError) as err:
        simulate.sweep("experiments/aug2025_policies", progress=False, **kwargs)
    assert str(err.value).startswith(f"{key}: expected a whole number")


# ----- 5. trace ------------------------------------------------------------------------------
def test_trace_refuses_a_negative_replicate():
    for bad in (-1, 2.5, "3"):
        with pytest.raises(ScenarioError, match="replicate: expected a whole number"):
            trace(SMALL, bad)


def test_trace_repr_and_threat_by_name(small_run):
    t = trace(SMALL, 4, seed=3)
    text = repr(t)
    assert "\n" not in text and len(text) < 200
    assert text.startswith("<Trace small replicate 4, seed 3: ")
    assert f"{len(t.log)} events" in text
    assert t.outcome["threat"] == small_run.outcomes.loc[4, "threat"]
    assert t.outcome["threat"] in ("lapsed", "lifted", "carried_out", "pending", "none")


def test_results_trace_tells_the_runs_own_replicate(small_run):
    assert load_scenario(SMALL).ensemble.seed != 3  # the run's seed is not the file's
    for k in (0, 7, 39):
        t = small_run.trace(k)
        assert t.seed == 3 and t.replicate == k
        row = small_run.outcomes.iloc[k]
        for col in ("deal", "deal_day", "threat", "oil_revenue_busd", "killed"):
            assert t.outcome[col] == row[col], col
    with pytest.raises(ScenarioError, match="replicate: expected a whole number from 0 to 39"):
        small_run.trace(40)


# ----- 6. Scenario repr --------------------------------------------------------------------
def test_scenario_repr_is_one_short_line():
    s = load_scenario("aug2025")
    text = repr(s)
    assert "\n" not in text and len(text) < 200
    assert text == ("<Scenario aug2025: start 2025-08-06, 365 days, actors "
                    f"{', '.join(s.actors)}; {len(s.uncertainty)} uncertain>")


# ----- 7. bundled names ------------------------------------------------------------------------
def test_load_scenario_takes_bundled_names_like_run():
    by_name = load_scenario("aug2025")
    assert by_name == load_scenario(ROOT / "scenarios" / "aug2025.yaml")
    assert load_scenario("episodes/embargo2022").name == "embargo2022"


def test_unknown_names_suggest_bundled_ones():
    with pytest.raises(ScenarioError, match=r"aug2026: file not found, and no bundled "
                                            r"scenario has this name; did you mean 'aug2025'"):
        find_scenario("aug2026")
    with pytest.raises(ScenarioError, match="did you mean 'aug2025'"):
        load_scenario("aug2026")
    with pytest.raises(ScenarioError, match="did you mean 'episodes/embargo2022'"):
        simulate.run("embargo2021", progress=False)
    assert find_scenario("no/such/file.yaml") == Path("no/such/file.yaml")  # loader says so


def test_a_bundled_name_given_as_a_results_folder_gets_a_hint():
    with pytest.raises(simulate.ResultsError,
                       match=r"'aug2025' is a bundled scenario, not a results folder"):
        compare("aug2025", "aug2025_no_threat")


# ----- 8. the fixed-parameter marker after loading -------------------------------------------
def test_load_keeps_the_uncertain_keys_overrides_fixed(tmp_path):
    s = load_scenario(SMALL, overrides={"actors.US.credibility": 0.3}, announce=False)
    r = simulate.run(s, replicates=2, seed=1, progress=False)
    assert r.scenario.fixed_keys == ("actors.US.credibility",)
    loaded = Results.load(r.save(tmp_path / "run"))
    assert loaded.scenario.fixed_keys == ("actors.US.credibility",)
    assert loaded.scenario == r.scenario


# ----- 9. the project's errors for bad windows and labels ------------------------------------
@pytest.mark.parametrize("windows, found", [
    ([0], "days must be >= 1, found [0]"), (90, "found 90 (int)"), ("90", "found '90' (str)"),
    ([45.5], "found 45.5 (float)"), ([True], "found True (bool)"),
])
def test_bad_windows_raise_the_projects_error(windows, found):
    r = make_results([2, 5, None, 9])
    with pytest.raises(SimulateError) as err:
        r.summary(windows=windows)
    assert str(err.value).startswith("windows: ") and found in str(err.value)
    assert isinstance(err.value, ValueError)  # as before


def test_a_window_not_shorter_than_the_horizon_is_dropped_with_a_warning():
    r = make_results([2, 5, None, 9])  # horizon 10 days
    with pytest.warns(ResultsWarning, match=r"windows: \[10, 50\] dropped"):
        s = r.summary(windows=[3, 10, 50])
    assert [i for i in s.index if i.startswith("deal_within_")] == ["deal_within_3d",
                                                                    "deal_within_horizon"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r.summary()  # the default windows are dropped quietly, as documented


def test_bad_labels_raise_the_projects_error():
    a, b = make_results([2, None]), make_results([2, 3])
    with pytest.raises(SimulateError, match=r"labels: expected 2 labels, one per run"):
        compare(a, b, labels=["a"])
    with pytest.raises(SimulateError, match="labels: expected a list of 2 labels"):
        compare(a, b, labels="ab")
    with pytest.raises(SimulateError, match="labels must be distinct"):
        compare(a, b, labels=["x", "x"])
