"""Rules a hand-made mutation review found guarded only by the pinned aug2025 regression (a
failure there says something moved, not what) or by nothing: each is now checked against
its closed form or its contract."""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy import stats

from simulate.errors import ResultsError
from simulate.model import war
from simulate.model.learning import observation_variance
from simulate.model.streams import parameter_stream
from simulate.results import folders


def test_parameter_stream_ids_are_pinned():
    """The id is part of the determinism contract (scheme by-name-v1): the first 8 bytes of
    the key's BLAKE2b digest read little-endian, top bit set. Another byte order or hash
    would silently give every uncertain parameter other draws."""
    assert parameter_stream("actors.US.credibility") == 13822780563897544510
    assert parameter_stream("market.brent_usd") == 10808268970742542423


def test_casualties_follow_the_strike_count():
    """Compound Poisson (docs/model.md, strikes): n ~ Poisson(rate), killed | n ~
    Poisson(n k), injured | n ~ Poisson(n j); each count by inversion of its CDF."""
    n, killed, injured = war.strike_counts(0.99, 0.7, 0.3, 1.0, 2.0, 12.0, True)
    assert n == stats.poisson.ppf(0.99, 1.0) == 4
    assert killed == stats.poisson.ppf(0.7, 4 * 2.0)
    assert injured == stats.poisson.ppf(0.3, 4 * 12.0)
    assert war.strike_counts(0.99, 0.7, 0.3, 1.0, 2.0, 12.0, False) == (0, 0, 0)


def test_daily_cost_adds_the_sanctions_term():
    """c = omega + gamma * loss share (docs/model.md 4.12)."""
    assert war.daily_cost(0.001, 0.01, 0.3) == pytest.approx(0.004, rel=1e-12)
    assert war.daily_cost(0.001, 0.0, 0.3) == 0.001


def test_observation_variance_weights_regions_squared():
    """Var of the weighted mean surprise: sum w^2 s^2 / (sum w)^2 + noise^2 (unequal weights,
    so w and w^2 differ)."""
    got = observation_variance(np.array([0.1, 0.2]), np.array([1.0, 3.0]), 0.05)
    assert got == pytest.approx((0.01 + 9 * 0.04) / 16 + 0.0025, rel=1e-12)


def _marked(tmp_path, state: str):
    d = tmp_path / state
    d.mkdir()
    folders.mark(d, "run")
    if state == "interrupted":
        (d / ".chunks").mkdir()
        (d / ".chunks" / "run.json").write_text("{}")
    return d


@pytest.mark.parametrize("state", ["interrupted", "marked"])
def test_force_keeps_a_users_file_in_a_folder_with_no_results_yet(tmp_path, state):
    """An interrupted or freshly made run folder has no manifest: any file that is not
    simulate's hidden bookkeeping is the user's, and --force must not delete it."""
    d = _marked(tmp_path, state)
    assert folders.folder_state(d) == state
    (d / "my_notes.txt").write_text("mine")
    with pytest.raises(ResultsError, match="would delete 1 file.*my_notes.txt"):
        folders.check_refusals(d, kind="run", force=True)
    assert (d / "my_notes.txt").read_text() == "mine"


def test_force_finds_a_users_file_in_a_subfolder(tmp_path):
    d = _marked(tmp_path, "marked")
    (d / "figures").mkdir()
    (d / "figures" / "brent.png").write_bytes(b"simulate's")
    (d / "figures" / "mine.png").write_bytes(b"the user's")
    (d / folders.MANIFEST).write_text(json.dumps({"files": {"figures/brent.png": "x"}}))
    assert folders.folder_state(d) == "results"
    with pytest.raises(ResultsError, match="figures/mine.png"):
        folders.check_refusals(d, kind="run", force=True)


def test_an_uncertain_capacity_below_the_base_volume_in_some_draws_is_refused():
    """Barrels are conserved for every draw: a buyer's capacity drawn from U(0.5, 2) can fall
    below its base volume of 0.9, so the scenario is refused at the capacity's key (its
    lowest value, not its highest, is what must cover the base)."""
    import yaml
    from clitools import GOLDEN

    from simulate.errors import ScenarioError
    from simulate.scenario.loader import validate

    data = yaml.safe_load((GOLDEN / "mini.yaml").read_text())
    data["actors"]["IN"]["buyers"]["private"]["capacity_mbd"] = 1.5
    validate(data)  # a fixed capacity above the base is fine
    data.setdefault("uncertainty", {})["actors.IN.buyers.private.capacity_mbd"] = {
        "dist": "uniform", "low": 0.5, "high": 2.0}
    with pytest.raises(ScenarioError, match=r"actors\.IN\.buyers\.private\.capacity_mbd.*at "
                                            r"least the base volume"):
        validate(data)


def test_a_writer_that_fails_halfway_leaves_the_old_file_and_no_temporary(tmp_path):
    """Atomic writes: the writer works on a temporary sibling, so a failure halfway leaves
    the previous file byte for byte, and the temporary file is removed."""
    from simulate.results.files import write_atomic, write_text_atomic

    target = write_text_atomic(tmp_path / "summary.json", "old contents")

    def half(p):
        with open(p, "w", encoding="utf-8") as fh:
            fh.write("new contents, first half")
            fh.flush()
            assert target.read_text() == "old contents"  # the target is never written to
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_atomic(target, half)
    assert target.read_text() == "old contents"
    assert [p.name for p in tmp_path.iterdir()] == ["summary.json"]


def test_a_distribution_removed_explicitly_is_not_reported_as_fixed():
    """``--set k=v`` fixes an uncertain k and says so; ``uncertainty.k=null`` beside it says
    the same thing explicitly, so k is dropped from the block but not announced as fixed."""
    from simulate.scenario.overrides import fix_uncertain

    def block():
        return {"uncertainty": {"actors.US.credibility": {"dist": "beta", "a": 2, "b": 3},
                                "actors.RU.resolve": {"dist": "uniform", "low": 0, "high": 1}}}

    data = block()
    assert fix_uncertain(data, {"actors.US.credibility": 0.8}) == ["actors.US.credibility"]
    assert list(data["uncertainty"]) == ["actors.RU.resolve"]
    data = block()
    assert fix_uncertain(data, {"actors.US.credibility": 0.8,
                                "uncertainty.actors.US.credibility": None}) == []
    assert fix_uncertain(data, {"uncertainty.actors.RU.resolve.high": 2}) == []


def test_brent_noise_is_an_ar1_shock_on_the_log_price():
    """With no barrels missing and no news, log(Brent / P0) is Brent's own AR(1) shock
    (docs/model.md 4.11): s_t = rho s_(t-1) + sigma z_t, so s_t - rho s_(t-1) has sd sigma
    and no serial correlation (6,000 residuals: sd within 3%, correlation within 4 se)."""
    from pathlib import Path

    from simulate.execution.runner import run

    rho, sigma = 0.9, 0.02
    over = {"timeline": [], "actors.US.threat.secondary_tariff.rate": 0.0,
            "market.threat_loss_ratio": 0.0, "market.brent_persistence": rho,
            "market.brent_volatility_per_day": sigma}
    path = Path(__file__).parent / "model_scenarios" / "tariff_cost.yaml"
    r = run(path, overrides=over, replicates=200, keep_series=200, progress=False,
            counterfactual=False)
    ts = r.timeseries
    wide = ts[ts["variable"] == "brent_usd"].pivot(index="replicate", columns="day",
                                                    values="value").to_numpy()
    exports = ts[ts["variable"] == "exports_mbd"]["value"].to_numpy()
    assert np.allclose(exports, exports[0])  # nothing missing: Brent moves by its shock alone
    s = np.log(wide / r.scenario.market.brent_usd)
    resid = s[:, 1:] - rho * s[:, :-1]
    assert resid.std() == pytest.approx(sigma, rel=0.03)
    corr = np.corrcoef(resid[:, 1:].ravel(), resid[:, :-1].ravel())[0, 1]
    assert abs(corr) < 4 / np.sqrt(resid[:, 1:].size)


def test_the_noise_corrected_sobol_estimator_matches_salib_without_noise():
    """With identical halves (no replicate noise) the cross-half estimator is SALib's
    Saltelli (2010) estimator on centred outputs: the same indices, and 95% intervals of
    the same width (1.96 bootstrap sd; uncentred outputs made them ~2.5 times wider)."""
    from SALib.analyze import sobol as salib_sobol
    from SALib.sample import sobol as salib_sample

    from simulate.experiments.sensitivity import _cross_sobol

    problem = {"num_vars": 3, "names": ["a", "b", "c"], "bounds": [[0, 1]] * 3}
    x = salib_sample.sample(problem, 1024, calc_second_order=False, seed=1)
    y = 10.0 + 2 * x[:, 0] + x[:, 1] + x[:, 0] * x[:, 1]   # c does nothing
    ref = salib_sobol.analyze(problem, y, calc_second_order=False, seed=1)
    got = _cross_sobol(y, y, 3, 300, 1)
    np.testing.assert_allclose(got["S1"], ref["S1"], atol=1e-6)
    np.testing.assert_allclose(got["ST"], ref["ST"], atol=1e-6)
    ratio = got["S1_conf"][:2] / ref["S1_conf"][:2]
    assert ((ratio > 0.75) & (ratio < 1.33)).all(), ratio
