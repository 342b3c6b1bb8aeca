"""The summary's deal windows come from the scenario's ``outputs.deal_within`` when it is set."""

from __future__ import annotations

import numpy as np
import pytest

import simulate
from simulate.errors import ScenarioError


def test_scenario_deal_windows_name_the_summary_rows_and_count_deals_by_day():
    s = simulate.load_scenario("scenarios/aug2025.yaml",
                               overrides={"outputs.deal_within": [14, 60]})
    r = simulate.run(s, replicates=300, seed=3)
    table = r.summary()
    assert "deal_within_14d" in table.index and "deal_within_60d" in table.index
    assert "deal_within_90d" not in table.index
    day = r.outcomes["deal_day"].to_numpy()
    expected = np.mean((day >= 0) & (day <= 60))
    assert table.loc["deal_within_60d", "estimate"] == pytest.approx(expected, abs=1e-12)


def test_a_window_of_zero_days_is_refused():
    with pytest.raises(ScenarioError, match="deal_within"):
        simulate.load_scenario("scenarios/aug2025.yaml", overrides={"outputs.deal_within": [0]})
