"""Scenario-level consequences of negotiation v2 (issue 10), run through the real engine on
common random numbers: a credible threat brings deals before its deadline in the August
2025 scenario, and the mediator-plan question gets a probability with its interval."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from scipy import stats

from simulate.execution.runner import run
from simulate.experiments.proposal_odds import proposal_odds

REPO = Path(__file__).resolve().parent.parent
AUG = REPO / "scenarios" / "aug2025.yaml"
PLAN = REPO / "scenarios" / "aug2025_mediator_plan.yaml"


def _by_deadline(credibility: float):
    # ten days cover the deadline (day 2); 20,000 replicates on the same random numbers
    return run(AUG, replicates=20_000, counterfactual=False, keep_series=0, progress=False,
               overrides={"actors.US.credibility": credibility, "horizon_days": 10}
               ).outcomes["deal_by_deadline"].to_numpy()


def test_deal_before_the_deadline_rises_with_credibility():
    """The threat's expected cost enters Russia's cost of fighting on before the deadline,
    so P(deal by the deadline) rises with the credibility (it was 0 by construction in v1).
    Paired by replicate, the replicates that settle only with the credible threat far
    outnumber those that settle only without it (exact McNemar test)."""
    d0, d5, d1 = (_by_deadline(c) for c in (0.0, 0.5, 1.0))
    assert d0.sum() <= d5.sum() <= d1.sum()
    assert d1.sum() > d0.sum() > 0
    only_with = int((d1 & ~d0).sum())
    only_without = int((d0 & ~d1).sum())
    assert only_with > only_without
    p = stats.binomtest(only_with, only_with + only_without, 0.5,
                        alternative="greater").pvalue
    assert p < 0.001


def test_mediator_plan_acceptance_has_a_probability_with_its_interval():
    """'Would a plan ceding Donetsk in full and freezing the other lines be accepted if
    tabled three months after the meeting, and how does it depend on credibility?' One row
    per credibility (the oil threat and the pressure on Ukraine together), on the same
    random numbers; the interval is Wilson's score interval, recomputed here by hand."""
    table = proposal_odds(PLAN, [0.0, 1.0], replicates=1500,
                          overrides={"horizon_days": 130})
    assert list(table["credibility"]) == [0.0, 1.0]
    z = stats.norm.ppf(0.975)
    for row in table.itertuples():
        n, phat = row.replicates, row.p_accepted
        center = (phat + z * z / (2 * n)) / (1 + z * z / n)
        half = z * math.sqrt(phat * (1 - phat) / n + z * z / (4 * n * n)) / (1 + z * z / n)
        assert (row.p_low, row.p_high) == (pytest.approx(center - half),
                                           pytest.approx(center + half))
        assert row.p_low <= phat <= row.p_high
        # the defender's reservation point is the line: ceding the rest of Donetsk fails
        # its margin unless its resolve is exhausted, so Ukraine rejects most of the time
        assert row.p_rejected_by_defender > 0.5
        assert row.margin_def_mean < 0.0
        assert 0.0 <= phat < 0.5
