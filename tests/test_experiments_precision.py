"""Precision on demand and paired comparisons of scenario files: ``--target-se`` stops at
the first chunk where the standard errors say so and equals a plain run of that size; a
scenario compared with itself differs by exactly zero; paired intervals are narrower."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from clitools import simulate_cli
from experiments_common import AUG, SMALL, write_small

import simulate
from simulate.experiments import compare_scenarios, pairing_gain, run_to_target_se
from simulate.experiments.stats import headline_se


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    return write_small(tmp_path_factory.mktemp("prec"), SMALL)


def test_target_se_stops_where_the_standard_error_says(small):
    target, step = 0.06, 16
    res = run_to_target_se(small, target, step=step, progress=False)
    n = len(res.outcomes)
    assert n % step == 0 and res.manifest["target_se"] == target
    o = res.outcomes
    s = simulate.load_scenario(small)
    now = headline_se(o, s)
    before = headline_se(o.iloc[: n - step], s)
    assert max(now.values()) <= target < max(before.values())
    # the manifest states the standard errors the rule used: Wilson's half-width / 1.96
    assert res.manifest["target_se_reached"] == pytest.approx(now)
    assert "deal_within_30d" in now  # every deal window of the run is watched
    z, k = 1.959963984540054, int(o["deal"].sum())
    assert now["deal_within_horizon"] == pytest.approx(
        np.sqrt(k * (n - k) / n + z * z / 4) / (n + z * z))
    plain = simulate.run(small, replicates=n, progress=False)
    pd.testing.assert_frame_equal(res.outcomes, plain.outcomes, check_exact=True)


def _stopping_se(hits) -> float:
    """docs/experiments.md: the 95% Wilson half-width over z, sqrt(x (n - x) / n + z²/4) /
    (n + z²) for x hits in n (written out here, not the library's)."""
    z = 1.959963984540054
    h = np.asarray(hits, dtype=float)
    n, x = h.size, float(h.sum())
    return float(np.sqrt(x * (n - x) / n + z * z / 4) / (n + z * z))


def test_sweep_target_se_per_point(small):
    """Each point stops at the first multiple of the chunk (the 8 first replicates) at which
    every 0/1 outcome's stopping standard error is at most the target, computed here from
    the point's replicates; a target of 0.06 makes some point need more than 8 (with 8 the
    largest stopping se is 0.145)."""
    target, chunk = 0.06, 8
    ex = simulate.sweep(small, replicates=chunk, points=2, target_se=target, progress=False)
    assert sorted(ex.binary) == ["deal_within_10d", "deal_within_40d", "india_low"]
    stats = ex.statistics
    reached = []
    for point, here in ex.replicates.groupby("point"):
        here = here.sort_values("replicate")
        n = len(here)
        assert here["replicate"].tolist() == list(range(n))

        def worst(m: int, _here=here) -> float:
            return max(_stopping_se(_here[c].to_numpy()[:m]) for c in ex.binary)

        first = next(m for m in range(chunk, n + 1, chunk) if worst(m) <= target)
        assert n == first, (point, n, [round(worst(m), 4) for m in range(chunk, n + 1, chunk)])
        assert (stats.loc[stats["point"] == point, "n"] == n).all()
        reached.append(worst(n))
    counts = ex.replicates.groupby("point").size()
    assert counts.max() > chunk, counts  # the extension ran
    assert ex.manifest["target_se_reached"] == pytest.approx(reached)


def test_a_scenario_compared_with_itself_differs_by_exactly_zero(small):
    c = compare_scenarios([small, small], replicates=30, progress=False)
    d = c.differences()
    assert len(d) and (d["difference"] == 0).all() and (d["se"] == 0).all()
    assert d["paired"].all()
    g = pairing_gain(c)
    assert (g["se_paired"] == 0).all() and (g["se_unpaired"] > 0).any()


def test_paired_differences_are_narrower_than_unpaired(tmp_path):
    a = write_small(tmp_path, SMALL, "a.yaml")
    b = write_small(tmp_path, SMALL.replace("name: small", "name: lowcred") + (
        "actors:\n  US: {credibility: 0.05}\n"), "b.yaml")
    c = simulate.compare(a, b, replicates=60, progress=False)
    assert c.differences()["paired"].all()
    g = pairing_gain(c).set_index("metric")
    revenue = [m for m in g.index if "revenue" in str(m)][0]
    # the variant's credibility really differs (0.05 against the base's draws): the runs
    # differ, and pairing still narrows the revenue difference (1.23x at this seed). The
    # earlier bound of 1.5 held only while the base's distribution drew over the variant's
    # value, so the two runs were the same scenario.
    assert g.loc[revenue, "se_paired"] > 0.0
    assert g.loc[revenue, "narrower"] > 1.1
    assert (g["se_paired"] <= g["se_unpaired"] + 1e-15).all()


@pytest.mark.slow
def test_cli_compare_scenario_files_and_run_target_se(small, tmp_path):
    out = simulate_cli("compare", str(small), str(small), "-n", "20", "--json", "-q")
    assert out.returncode == 0, out.stderr
    diffs = json.loads(out.stdout)["differences"]
    assert diffs and all(d["difference"] == 0 for d in diffs)
    text = simulate_cli("compare", str(small), str(small), "-n", "20")
    assert "identical runs" in text.stdout, text.stdout
    mixed = simulate_cli("compare", str(small), str(tmp_path))
    assert mixed.returncode == 2 and "not both" in mixed.stderr
    run = simulate_cli("run", str(small), "--target-se", "0.08", "--chunk-size", "16",
                       "--json", "-q")
    assert run.returncode == 0, run.stderr
    direct = run_to_target_se(small, 0.08, step=16, progress=False)
    assert json.loads(run.stdout)["replicates"] == len(direct.outcomes)


def test_readme_scenario_is_comparable_to_its_no_threat_variant():
    """The bundled variants share their uncertain parameters, so compare pairs them."""
    no_threat = AUG.with_name("aug2025_no_threat.yaml")
    c = simulate.compare(AUG, no_threat, replicates=20, seed=3, progress=False)
    assert c.differences()["paired"].all()
