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
