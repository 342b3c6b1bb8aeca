"""Brent with expectations: the sanctioner's threat priced at its credibility (issue 9 point 5,
docs/model.md 4.11).

Closed forms: the barrels at risk and the threat's news (rules); a scenario in which nothing
physical can follow (tests/model_scenarios/threat_brent.yaml), so Brent moves only through
the expected loss and follows it exactly through announcement, decision and lapse; and the
August 2025 scenario against its no-threat variant on the same streams, one day before the
deadline. Hypothesis: with only the threat as news, the market's expectation is the threat's
priced part every day, whatever the path of the probability.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulate.execution.runner import run
from simulate.model import brent
from simulate.model.wedges import decay_factor
from simulate.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
THREAT_BRENT = Path(__file__).parent / "model_scenarios" / "threat_brent.yaml"


def _series(res, variable: str) -> np.ndarray:
    """(replicates, days) of a scalar daily series."""
    ts = res.timeseries
    sel = ts[(ts.variable == variable) & (ts.actor == "")]
    return sel.pivot(index="replicate", columns="day", values="value").to_numpy()


def _price(p0: float, loss: float, world: float, es: float, ed: float) -> float:
    return p0 * (1.0 - loss / world) ** (-1.0 / (es + abs(ed)))


# ----- the rules ---------------------------------------------------------------------------

def test_barrels_at_risk_are_the_targets_in_full_and_the_company_share_of_others():
    base = np.array([0.6, 0.4, 0.5, 0.2])
    importer = np.array([0, 0, 1, 2])
    threatened = np.array([1.0, 0.0, 0.25])
    loss = brent.threatened_loss(base, importer, threatened, 0.3, 2.5)
    assert loss == pytest.approx(2.5 * (0.6 + 0.4 + 0.3 * 0.5 + 0.2), rel=1e-15)
    assert brent.threatened_loss(base, importer, np.zeros(3), 0.0, 2.5) == 0.0


def test_threat_news_jumps_to_the_weighted_loss_and_decays_between_changes():
    """Announced at pi = 0.4 (loss 10, half-life 5): news 4 then nothing while the part
    decays as 4 * 2^(-t/5); carried out on day 3: news 10 - 4 * 2^(-3/5), part 10; a lapse
    instead: news -4 * 2^(-3/5), part 0."""
    news, part = brent.threat_news(0.0, 0.0, 0.4, 10.0, decay_factor(5.0))
    assert (news, part) == (pytest.approx(4.0, rel=1e-15), pytest.approx(4.0, rel=1e-15))
    for t in (1, 2):
        news, part = brent.threat_news(part, 0.4, 0.4, 10.0, decay_factor(5.0))
        assert news == 0.0
        assert part == pytest.approx(4.0 * 2 ** (-t / 5), rel=1e-12)
    carried, part_c = brent.threat_news(part, 0.4, 1.0, 10.0, decay_factor(5.0))
    assert carried == pytest.approx(10.0 - 4.0 * 2 ** (-3 / 5), rel=1e-12)
    assert part_c == 10.0
    lapsed, part_l = brent.threat_news(part, 0.4, 0.0, 10.0, decay_factor(5.0))
    assert lapsed == pytest.approx(-4.0 * 2 ** (-3 / 5), rel=1e-12)
    assert part_l == 0.0


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from([0.0, 0.25, 0.4, 1.0]), min_size=1, max_size=40),
       st.floats(0.0, 20.0), st.floats(0.5, 30.0))
def test_expectation_is_the_threats_priced_part_every_day(probs, loss, half_life):
    """With no other news, the expectation equals pi_c * loss * 2^(-(t - c)/h), c the last
    day the probability changed, and stays within [0, loss]."""
    expected = perceived = part = priced_at = 0.0
    last_change, level = 0, 0.0
    for t, prob in enumerate(probs):
        news, part = brent.threat_news(part, priced_at, prob, loss, decay_factor(half_life))
        if prob != priced_at:
            last_change, level = t, prob * loss
        priced_at = prob
        expected, perceived = brent.update_expectation(expected, perceived, news,
                                                       decay_factor(half_life), 3.0)
        closed = level * 2 ** (-(t - last_change) / half_life)
        assert expected == pytest.approx(closed, rel=1e-9, abs=1e-12)
        assert part == pytest.approx(closed, rel=1e-9, abs=1e-12)
        assert -1e-12 <= expected <= loss + 1e-12


# ----- a threat with no physical loss --------------------------------------------------------

def _expected_brent(pi: float, loss: float, deadline: int, carried: bool, days: int,
                    half_life: float = 5.0, lag: float = 3.0) -> np.ndarray:
    """Brent from the closed form: E_t = pi L 2^(-t/h) before the deadline, L or 0 times
    2^(-(t - D)/h) from it; the price sees E~_t = E~_(t-1) + (E_t - E~_(t-1)) / lag."""
    seen, out = 0.0, []
    for t in range(days):
        if t < deadline:
            e = pi * loss * 2 ** (-t / half_life)
        else:
            e = (loss if carried else 0.0) * 2 ** (-(t - deadline) / half_life)
        seen += (e - seen) / lag
        out.append(_price(70.0, seen, 103.0, 0.15, -0.26))
    return np.array(out)


def test_brent_follows_the_credibility_weighted_loss_through_decision_and_lapse():
    """threat_brent.yaml: 2.2 mb/d at risk once priced (see the file), credibility 0.5,
    deadline on day 4. Exports never fall, so Brent is the closed form of the expected loss:
    0.5 x 2.2 from day 0, decaying; on day 4 the full 2.2 (carried out) or 0 (lapsed)."""
    res = run(THREAT_BRENT, progress=False)
    assert np.all(np.abs(_series(res, "shut_in_mbd")) < 1e-12)
    prices = _series(res, "brent_usd")
    threat = res.outcomes["threat"].to_numpy()
    assert {"carried_out", "lapsed"} <= set(threat)
    assert np.all(res.outcomes["decision_day"].to_numpy()[threat == "carried_out"] == 4)
    days = prices.shape[1]
    for r, outcome in enumerate(threat):
        closed = _expected_brent(0.5, 2.2, 4, outcome == "carried_out", days)
        np.testing.assert_allclose(prices[r], closed, rtol=1e-9)
    carried = prices[threat == "carried_out"][0]
    lapsed = prices[threat == "lapsed"][0]
    assert carried[5] > carried[3] > 70.0        # the jump to the full loss
    assert lapsed[5] < lapsed[3]                 # falls back toward 70
    assert lapsed[-1] == pytest.approx(70.0, rel=1e-3)


def test_no_threat_news_without_a_loss_ratio():
    """The channel is off with threat_loss_ratio 0: Brent stays at its start value."""
    res = run(THREAT_BRENT, progress=False, replicates=4,
              overrides={"market.threat_loss_ratio": 0.0})
    np.testing.assert_allclose(_series(res, "brent_usd"), 70.0, rtol=1e-12)


# ----- the August 2025 scenario --------------------------------------------------------------

def _at_risk(scenario, outcomes) -> np.ndarray:
    """Barrels at risk per replicate, by hand: the targets' buyers in full, the others at
    the company-sanctions share (drawn base volumes where the scenario samples them)."""
    threat = scenario.actors["US"].threat
    targets = set(threat.secondary_tariff.targets)
    share = threat.company_sanctions.share
    total = np.zeros(len(outcomes))
    for m, imp in scenario.actors_of("importer").items():
        for k, b in imp.buyers.items():
            col = f"param:actors.{m}.buyers.{k}.base_volume_mbd"
            base = (outcomes[col].to_numpy() if col in outcomes
                    else np.full(len(outcomes), b.base_volume_mbd))
            total += base * (1.0 if m in targets else share)
    return total


def test_aug2025_brent_before_the_deadline_carries_the_weighted_threatened_loss():
    """Day 1 (the deadline is day 2): Brent in aug2025 over Brent in aug2025_no_threat, on
    the same streams, is the price ratio of (realised loss + E~_1) to the realised loss
    without the threat, with E~_1 from pi L on day 0 (pi the drawn credibility, L the drawn
    ratio times the barrels at risk): E~_0 = pi L / 3, E~_1 = E~_0 + (pi L 2^(-1/5) - E~_0)/3.
    World demand, the elasticities and the other suppliers' spare capacity and response are
    the replicate's draws (the same in both runs: streams named by key).
    """
    n = 12
    with_threat = run(ROOT / "scenarios" / "aug2025.yaml", replicates=n, keep_series=n,
                      progress=False, counterfactual=False)
    without = run(ROOT / "scenarios" / "aug2025_no_threat.yaml", replicates=n, keep_series=n,
                  progress=False, counterfactual=False)
    s = load_scenario(ROOT / "scenarios" / "aug2025.yaml")
    o = with_threat.outcomes
    loss = o["param:market.threat_loss_ratio"].to_numpy() * _at_risk(s, o)
    weighted = o["param:actors.US.credibility"].to_numpy() * loss
    seen0 = weighted / 3.0
    seen1 = seen0 + (weighted * 2 ** (-1 / 5) - seen0) / 3.0
    drawn = {k: o[f"param:{k}"].to_numpy() for k in (
        "market.world_demand_mbd", "market.supply_elasticity", "market.demand_elasticity",
        "actors.OPEC.spare_capacity_mbd", "actors.OPEC.response_share")}

    def realised(withheld: float, r: int) -> float:
        spare = np.array([drawn["actors.OPEC.spare_capacity_mbd"][r]])
        response = np.array([drawn["actors.OPEC.response_share"][r]])
        return brent.net_loss(withheld, spare, response) if withheld > 0.0 else withheld

    day = 1
    pa, pb = _series(with_threat, "brent_usd")[:, day], _series(without, "brent_usd")[:, day]
    # barrels withheld from the world: stored and shut in, net of releases
    wa, wb = ((_series(r, "shut_in_mbd") + _series(r, "stored_mbd")
               - _series(r, "released_mbd"))[:, day] for r in (with_threat, without))
    for r in range(n):
        market = (drawn["market.world_demand_mbd"][r], drawn["market.supply_elasticity"][r],
                  drawn["market.demand_elasticity"][r])
        ratio = (_price(1.0, realised(wa[r], r) + seen1[r], *market)
                 / _price(1.0, realised(wb[r], r), *market))
        assert pa[r] / pb[r] == pytest.approx(ratio, rel=1e-9)
    assert np.all(pa > pb)
    # the expectation channel as recorded (expected_loss_mbd, perceived_loss_mbd): E_0 = pi L,
    # E_1 = pi L 2^(-1/5), and E~_0, E~_1 above; nothing without the threat
    expected, perceived = (_series(with_threat, v) for v in ("expected_loss_mbd",
                                                              "perceived_loss_mbd"))
    np.testing.assert_allclose(expected[:, 0], weighted, rtol=1e-12)
    np.testing.assert_allclose(expected[:, 1], weighted * 2 ** (-1 / 5), rtol=1e-12)
    np.testing.assert_allclose(perceived[:, 0], seen0, rtol=1e-12)
    np.testing.assert_allclose(perceived[:, 1], seen1, rtol=1e-12)
    assert np.all(_series(without, "expected_loss_mbd")[:, :2] == 0.0)
    # the weighted loss matters: about 1-2.5% of Brent at the scenario's draws
    assert 0.005 < np.median(np.log(pa / pb)) < 0.06
