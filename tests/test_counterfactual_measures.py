"""The counterfactual removes every measure of a sanctioner, pressure on a belligerent too."""

from __future__ import annotations

from simulate.model.sampling import remove_measures
from simulate.scenario import load_scenario


def test_counterfactual_drops_the_pressure_threat_and_keeps_the_rest():
    s = load_scenario("scenarios/aug2025_mediator_plan.yaml")
    data = s.to_data()
    assert data["actors"]["US"]["pressure"]["credibility"] > 0 or \
        "actors.US.pressure.credibility" in data.get("uncertainty", {})
    cf = remove_measures(data)
    assert cf["actors"]["US"]["pressure"]["credibility"] == 0.0
    assert cf["actors"]["US"]["credibility"] == 0.0
    assert cf["actors"]["US"]["pressure"]["war_cost_per_day"] == \
        data["actors"]["US"]["pressure"]["war_cost_per_day"]
    unc = cf.get("uncertainty", {})
    if "actors.US.pressure.credibility" in unc:
        assert unc["actors.US.pressure.credibility"]["values"] == [0.0]
    # the mediator's proposal is not a measure: it stays, as written
    assert [a for a in cf["timeline"] if a["action"] == "proposal"] == \
        [a for a in data["timeline"] if a["action"] == "proposal"]


def test_counterfactual_drops_the_news_of_a_removed_designation_and_keeps_the_cap():
    """aug2025_actual: the Rosneft/Lukoil designation (timeline[2]) carries 4 mb/d of news
    for Brent; without the designation there is no news of it. The EU's price cap
    (timeline[1]) is not the sanctioner's measure and stays, as written."""
    data = load_scenario("scenarios/aug2025_actual.yaml").to_data()
    assert data["timeline"][2]["expected_loss_mbd"] == 4.0
    cf = remove_measures(data)
    assert cf["timeline"][2]["share"] == 0.0
    assert cf["timeline"][2]["expected_loss_mbd"] == 0.0
    assert cf["timeline"][0]["rate"] == 0.0
    assert cf["timeline"][1] == data["timeline"][1]
