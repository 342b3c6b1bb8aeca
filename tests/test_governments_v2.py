"""Governments and the sanctioner in the compiled day (issue 9, point 3; docs/model.md 4.9):
on aug2025, the directive in force at the start is observed (none, as reported on 3 Aug
2025), decisions stand between reviews, and the sanctioner lifts the tariff on an importer
whose government cut, at the cut's start plus the tariff lag, and only then."""

from __future__ import annotations

import numpy as np
import pytest

from simulate.engines.batch import base_outcomes, run_batch
from simulate.model import tradeday as T
from simulate.scenario import load_scenario

REPLICATES = 300


@pytest.fixture(scope="module")
def aug2025():
    s = load_scenario("scenarios/aug2025.yaml")
    reps = np.arange(REPLICATES)
    batch = run_batch(s, s.ensemble.seed, reps, keep_series=REPLICATES)
    p = base_outcomes(s, s.ensemble.seed, reps)[1]           # the drawn parameters
    return p, batch


def test_no_directive_at_the_start_and_few_changes(aug2025):
    p, batch = aug2025
    directive = batch.series["directive"]                  # (replicates, days, importers)
    assert np.all(directive[:, 0, :] == 1.0)
    changes = (np.diff(directive, axis=1) != 0).sum(axis=1)
    review = p.table.trade_ip[:, :directive.shape[2], T.I_REVIEW].min()
    assert review >= 14.0
    # at most one decision per review period, plus the few days what they weigh changes
    assert changes.max() <= directive.shape[1] / review + 6
    assert (directive < 1.0).any()                         # some governments do cut


def test_tariffs_are_lifted_only_the_tariff_lag_after_a_cut(aug2025):
    p, batch = aug2025
    directive, tariff = batch.series["directive"], batch.series["tariff_rate"]
    lag = max(int(p.table.tariff_lag[0]), 1)
    deal_day = np.asarray(batch.outcomes["deal_day"])
    lifts = 0
    for r, t, m in zip(*np.nonzero((tariff[:, 1:, :] == 0.0) & (tariff[:, :-1, :] > 0.0)),
                       strict=True):
        day = t + 1
        if 0 <= deal_day[r] <= day:                        # measures lifted by a deal
            continue
        cut = directive[r, :day, m] < 1.0
        assert cut[-1], (r, day, m)                        # a cut stands
        start = day - 1 - np.argmin(cut[::-1]) + 1 if not cut.all() else 0
        assert day == start + lag, (r, day, m, start)
        lifts += 1
    assert lifts > 0


def test_a_lifted_tariff_returns_the_day_after_the_cut_is_revoked(aug2025):
    """The sanctioner answers a revocation the next day (docs/model.md 4.9): on the day a
    government revokes its cut the tariff is still suspended; it is back the day after."""
    p, batch = aug2025
    directive, tariff = batch.series["directive"], batch.series["tariff_rate"]
    deal_day = np.asarray(batch.outcomes["deal_day"])
    returns = 0
    for r, t, m in zip(*np.nonzero((tariff[:, 1:, :] > 0.0) & (tariff[:, :-1, :] == 0.0)),
                       strict=True):
        day = t + 1                                        # the tariff is back on this day
        if tariff[r, :day, m].max() == 0.0 or 0 <= deal_day[r] <= day:
            continue                                       # first in force, or a deal
        # it was lifted after a cut: the cut stood until the day before that day, when
        # it was revoked, and the tariff was still suspended on the revocation day
        assert directive[r, day - 2, m] < 1.0, (r, day, m)
        assert directive[r, day - 1, m] == 1.0, (r, day, m)
        returns += 1
    assert returns > 0
