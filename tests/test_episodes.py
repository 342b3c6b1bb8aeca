"""Stylised facts of the in-sample sanctions episodes, as bands (issue 9).

The episode scenarios under scenarios/episodes/ are built only from
shared/data/calibration-episodes.md (sources dated before 6 Aug 2025); their fitted
parameters are listed in docs/model.md (Calibration). Each test runs a scenario with the batch
engine (tests/trade_driver.py names its daily trade series) over many replicates with their
uncertain parameters and checks a stylised fact of that file on the median replicate and,
where the fact is firm, on most replicates.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest
from trade_driver import importer_volume, run_trade

from simulate.scenario import read_merged

EPISODES = Path(__file__).resolve().parent.parent / "scenarios" / "episodes"
REPLICATES = 200


@pytest.fixture(scope="module")
def embargo():
    """Episode 1: EU embargo and $60 cap from 5 Dec 2022 (day 30 of the scenario)."""
    return run_trade(EPISODES / "embargo2022.yaml", replicates=REPLICATES, seed=1)


@pytest.fixture(scope="module")
def designations():
    """Episode 2: US designations of 10 Jan 2025 (day 40 of the scenario)."""
    return run_trade(EPISODES / "designations2025.yaml", replicates=REPLICATES, seed=2)


EMBARGO_DAY = 30
DESIGNATION_DAY = 40


def test_embargo_exports_recover_within_two_months_while_destinations_shift(embargo):
    """Fact 1: seaborne crude fell about 20% in the first month and was back within about
    6-8 weeks; fact 2: India, China and Turkey took the barrels Europe stopped buying.
    Checked 8 weeks after the embargo (30 Jan 2023), before the export capacity rises on
    1 Feb 2023 (episode 1c), so the barrels shifted are the embargoed ones."""
    e = EMBARGO_DAY
    w = e + 56
    exports = embargo["exports"]
    before = exports[:, e - 1]
    first_month = exports[:, e:e + 30].mean(axis=1) / before
    assert 0.7 <= np.median(first_month) <= 0.97
    recovered = np.array([np.argmax(row[e:] >= 0.95 * b) for row, b in zip(exports, before,
                                                                             strict=True)])
    assert np.percentile(recovered, 90) <= 56
    assert np.all(embargo["capacity"][:, w] == embargo["capacity"][:, e - 1])
    assert np.all(exports[:, w] >= 0.95 * before)
    eu, india = importer_volume(embargo, "EU"), importer_volume(embargo, "IN")
    china, turkey = importer_volume(embargo, "CN"), importer_volume(embargo, "TR")
    assert np.all(eu[:, w] < 0.7 * eu[:, e - 1])
    gained = (india + china + turkey)[:, w] - (india + china + turkey)[:, e - 1]
    lost = eu[:, e - 1] - eu[:, w]
    assert np.mean(np.abs(gained - lost) <= 0.05 * lost) >= 0.9
    assert np.median(india[:, w] - india[:, e - 1]) >= 0.3


def test_embargo_fob_discount_peaks_at_30_to_40_and_halves_in_5_to_7_months(embargo):
    """Fact 3: the FOB discount reached about 30-40 USD within 4-8 weeks of the regime change
    and roughly halved within about 5-6 months; in this episode (Argus Primorsk, 1d) not yet
    by early June 2023 (20-21 against a January peak of 40.05, day 180 after the embargo)
    and by 11 July (19.55, day 218)."""
    e = EMBARGO_DAY
    fob = embargo["fob_discount"]
    peak = fob[:, e:e + 56].max(axis=1)
    assert 30.0 <= np.median(peak) <= 40.0
    assert np.mean((peak >= 28.0) & (peak <= 42.0)) >= 0.9
    at_peak = fob[:, e:e + 56].argmax(axis=1)
    halved = np.array([np.argmax(fob[r, e + at_peak[r]:] <= peak[r] / 2) + at_peak[r]
                       for r in range(len(peak))])
    assert np.all(halved > 0)
    assert 150 <= np.median(halved) <= 218
    assert np.mean((halved >= 135) & (halved <= 235)) >= 0.9
    # the delivered discount ends small (fact 4: about 3-5 USD by Aug-Sep 2023)
    assert 2.0 <= np.median(embargo["delivered_discount"][:, e + 270]) <= 7.0


def _monthly(series: dict, name: str, first: date, last: date) -> np.ndarray:
    """Each replicate's mean of ``series[name]`` over the dates ``first``..``last``."""
    start = series["start"]
    return series[name][:, (first - start).days:(last - start).days + 1].mean(axis=1)


def test_embargo_delivered_discount_keeps_narrowing_from_april_to_september(embargo):
    """Fact 3 and episode 1: months after the embargo the delivered discount was still
    falling (India DES 13 in Apr 2023 to 3.3 in Sep) as buyers adapted to the redirected
    barrels. With adaptation the model's Sep/Apr ratio is about 0.55 (data 0.25; section 7
    of docs/calibration.md); without it (half-life 0) the discount has settled by April and
    stays (ratio 1), the misfit adaptation was added for: shown at constant export capacity
    (the episode's dated changes left out), since a capacity change moves the discount too."""
    apr, sep = (date(2023, 4, 1), date(2023, 4, 30)), (date(2023, 9, 1), date(2023, 9, 30))
    ratio = (_monthly(embargo, "delivered_discount", *sep)
             / _monthly(embargo, "delivered_discount", *apr))
    assert np.median(ratio) <= 0.7
    assert np.mean(ratio < 0.8) >= 0.9
    assert 2.0 <= np.median(_monthly(embargo, "delivered_discount", *sep)) <= 5.0  # obs 3.3
    timeline = read_merged(EPISODES / "embargo2022.yaml")[0]["timeline"]
    constant = {f"timeline[{i}].change_mbd": 0.0 for i, a in enumerate(timeline)
                if a["action"] == "export_capacity"}
    assert len(constant) == 4
    flat = run_trade(EPISODES / "embargo2022.yaml", replicates=20, seed=1,
                     overrides={"market.demand_adaptation_half_life_days": 0.0, **constant})
    ratio = (_monthly(flat, "delivered_discount", *sep)
             / _monthly(flat, "delivered_discount", *apr))
    assert np.all(ratio > 0.97)


def test_embargo_summer_cut_narrows_the_delivered_discount_without_emptying_it(embargo):
    """Episode 1c-1d: the OPEC+ export cut (seaborne 3.87 mb/d in May to 2.98 in late July
    2023) came as the DES India discount narrowed to about 5 in August, "the lowest since
    spring 2022". The model's August is within 2 USD/bbl of that, and never at the floor
    (0, where excess demand is rationed). It is the reference discount of 5.1 that keeps it
    off the floor: at the old 1.0 the cut empties the discount (docs/calibration.md 7.1)."""
    aug = (date(2023, 8, 1), date(2023, 8, 31))
    august = _monthly(embargo, "delivered_discount", *aug)
    assert 3.0 <= np.median(august) <= 7.0                      # obs 5
    assert np.mean(august > 1.0) >= 0.95
    low = run_trade(EPISODES / "embargo2022.yaml", replicates=20, seed=1,
                    overrides={"market.urals_discount_usd": 1.0})
    assert np.median(_monthly(low, "delivered_discount", *aug)) < 1.0


def test_designation_cuts_india_10_to_25_percent_for_two_months_then_recovers(designations):
    """Fact 5: the 10 Jan 2025 package cut India's intake by about 10-25% for about two
    months; intake was back within about 2-3 months."""
    d = DESIGNATION_DAY
    india = importer_volume(designations, "IN")
    before = india[:, d - 1]
    month = [india[:, d + 30 * k:d + 30 * (k + 1)].mean(axis=1) / before for k in range(4)]
    for k in (0, 1):
        assert 0.75 <= np.median(month[k]) <= 0.92
    deepest = india[:, d:d + 90].min(axis=1) / before
    assert np.mean((deepest >= 0.72) & (deepest <= 0.92)) >= 0.9
    assert np.median(month[3]) >= 0.95
    # "back" for most replicates: the remaining cut is below the smallest cut the fact
    # reports (10%); the engine's share is 0.96 over 1,200 replicates (0.90 at 0.92;
    # benchmarks/fact5_recovery.py)
    assert np.mean(month[3] >= 0.90) >= 0.9
    assert np.all(month[3] > month[1])


def test_delivered_discount_moves_1_to_2_while_fob_moves_4_to_6(designations):
    """Facts 4 and 6: enforcement moved the delivered-India discount by about 1-2 USD and the
    FOB discount by about 4-6 USD within 1-2 months (freight and premiums absorb the rest)."""
    d = DESIGNATION_DAY
    fob, dlv = designations["fob_discount"], designations["delivered_discount"]
    d_fob = fob[:, d:d + 60].max(axis=1) - fob[:, d - 1]
    d_dlv = np.abs(dlv[:, d:d + 60] - dlv[:, d - 1:d]).max(axis=1)
    assert 4.0 <= np.median(d_fob) <= 6.5
    assert 0.5 <= np.median(d_dlv) <= 2.5
    assert np.mean(d_fob - d_dlv >= 2.0) >= 0.9


def test_brent_announcement_effect_decays_without_a_physical_loss(designations):
    """Fact 10: +2-4% on day 1, +6-8% over 2-4 sessions, gone within about 1-2 weeks."""
    d = DESIGNATION_DAY
    brent = designations["brent"]
    rise = brent[:, d:d + 6] / brent[:, d - 1:d] - 1.0
    assert 0.02 <= np.median(rise[:, 0]) <= 0.045
    assert 0.05 <= np.median(rise.max(axis=1)) <= 0.085
    assert np.median(brent[:, d + 21] / brent[:, d - 1] - 1.0) <= 0.02


# ----- the Turkey cap switch (fact 9): turkey_cap2025 extends designations2025 -------------
# days from the scenario start (1 Dec 2024) of the months of 2025
JAN, FEB, MAR, APR, MAY = (31, 62), (62, 90), (90, 121), (121, 151), (151, 182)
CAP = 60.0
WORLD_SHIFT_DAY = APR[0]    # 1 Apr 2025, the lasting Brent fall


@pytest.fixture(scope="module")
def turkey():
    """Fact 9: Tupras follows the $60 cap line from Feb 2025; Brent falls in April."""
    return run_trade(EPISODES / "turkey_cap2025.yaml", replicates=REPLICATES, seed=3)


def _month(series: np.ndarray, month: tuple[int, int]) -> np.ndarray:
    """Average of each replicate over the days of ``month``."""
    return series[:, month[0]:month[1]].mean(axis=1)


def _tupras(series: dict) -> np.ndarray:
    return series["purchases"][:, :, series["buyer_ids"].index("TR.tupras")]


def test_tupras_stops_while_urals_is_above_the_cap_and_resumes_below_it(turkey):
    """Fact 9: Tupras stopped buying in Feb 2025 and resumed in April once Urals was below
    $60 (from 2-3 Apr at Russian ports; IEA: Russian crude averaged $55.64 in April)."""
    urals, tupras = turkey["urals_fob"], _tupras(turkey)
    jan = _month(tupras, JAN)
    assert np.all(jan > 0.1)
    # the rule: Tupras buys only on days the market clears at an FOB price at or below the
    # cap (the clearing prices on yesterday's Brent), and there are days it does not buy
    cleared = np.full_like(urals, np.nan)
    cleared[:, 1:] = turkey["brent"][:, :-1] - turkey["fob_discount"][:, 1:]
    days = slice(FEB[0], MAY[1])
    bought = tupras[:, days] > 0.0
    assert np.all(cleared[:, days][bought] <= CAP + 1e-9)
    assert (~bought).any()
    # ... and the price does not flip around the cap from one day to the next
    jumps = np.diff(turkey["delivered_discount"], axis=1)
    big = np.abs(jumps) > 0.5
    flips = big[:, 1:] & big[:, :-1] & (np.sign(jumps[:, 1:]) != np.sign(jumps[:, :-1]))
    assert not flips.any()
    # the cap binds in March: Urals above it most days, Tupras' intake near zero
    assert np.median((urals[:, MAR[0]:MAR[1]] > CAP).mean(axis=1)) >= 0.75
    assert np.mean((urals[:, MAR[0]:MAR[1]] > CAP).mean(axis=1) >= 0.4) >= 0.9
    march = _month(tupras, MAR) / jan
    assert np.median(march) <= 0.05
    assert np.mean(march <= 0.1) >= 0.9
    assert np.median(_month(tupras, (FEB[0], MAR[1])) / jan) <= 0.15
    # the April fall takes Urals below the cap within days, and it stays there
    first_below = np.argmax(urals[:, WORLD_SHIFT_DAY:] < CAP, axis=1)
    assert np.all(urals[np.arange(len(first_below)), WORLD_SHIFT_DAY + first_below] < CAP)
    assert np.mean(first_below <= 7) >= 0.9
    assert not np.any(urals[:, APR[0] + 14:MAY[1]] > CAP)
    assert 53.5 <= np.median(_month(urals, APR)) <= 57.5
    # Tupras resumes: about 57% of January in April (0.9 Mt of 1.2 Mt less the others'
    # 0.12 mb/d, derived), back to its January level in May
    april, may = _month(tupras, APR) / jan, _month(tupras, MAY) / jan
    assert 0.35 <= np.median(april) <= 0.8
    assert np.median(may) >= 0.85
    assert np.mean(may >= 0.75) >= 0.9
    assert np.all(may > march)


def test_turkey_russian_volume_falls_to_a_fifth_and_is_back_near_280_kbd_by_may(turkey):
    """Fact 9 and Episode 2: Turkey took ~283 kb/d of Urals in Jan 2025, 19% of ~650 kb/d
    (about 0.12 mb/d) in March, 0.9 Mt (about 0.21 mb/d) in April and 1.2 Mt (~0.28) in May."""
    turkey_volume = importer_volume(turkey, "TR")
    jan, mar = _month(turkey_volume, JAN), _month(turkey_volume, MAR)
    apr, may = _month(turkey_volume, APR), _month(turkey_volume, MAY)
    assert 0.25 <= np.median(jan) <= 0.31
    assert np.median(mar) <= 0.15
    assert np.mean(mar <= 0.17) >= 0.9
    assert 0.17 <= np.median(apr) <= 0.25
    assert 0.24 <= np.median(may) <= 0.31
    assert np.mean((may >= 0.2) & (may <= 0.32)) >= 0.9
    assert np.all(may > mar)


def test_fob_discount_renarrows_once_the_cap_stops_binding(turkey):
    """Fact 6: the FOB discount re-narrowed once Urals fell below the cap and Western tankers
    returned (Apr 2025); freight Baltic-India about 8 mn USD a cargo in early March, about 6
    in April-May."""
    fob, freight = turkey["fob_discount"], turkey["freight_premium"]
    narrowing = _month(fob, MAR) - _month(fob, MAY)
    assert np.median(narrowing) >= 2.0
    assert np.mean(narrowing >= 1.5) >= 0.9
    freight_fall = _month(freight, MAR) - _month(freight, MAY)
    assert np.median(freight_fall) >= 1.5
    assert np.all(freight_fall > 0.0)


def test_lasting_world_shift_holds_the_expectation_at_its_level():
    """The lasting_loss_mbd rule (docs/model.md 4.11): from its day the news renewed every
    day, X (1 - 2^(-1/h)), takes the expected loss to X as X (1 - 2^(-(t - t0 + 1)/h)),
    without fading; a later shift replaces it."""
    from simulate.model import tradeday as T
    from simulate.model.brent import update_expectation
    from simulate.model.tradeparams import lasting_news
    from simulate.model.wedges import decay_factor

    half_life, lag, shift, t0, t1 = 5.0, 3.0, -6.0, 4, 40
    keep = decay_factor(half_life)
    rows = np.full(T.MAX_TRADE_ACTIONS * T.NA, np.nan)
    rows[:2 * T.NA] = [t0, T.A_WORLD, 0.0, 0.0, lasting_news(shift, half_life), -1, 0.0,
                       t1, T.A_WORLD, 0.0, 0.0, lasting_news(0.0, half_life), -1, 0.0]
    ps, embargo = T.empty_policy(), -np.ones(1)
    expected = perceived = 0.0
    for day in range(t1):
        news = T.apply_actions_today(rows, day, ps, embargo)
        expected, perceived = update_expectation(expected, perceived, news, keep, lag)
        closed = shift * (1.0 - 2.0 ** (-(day - t0 + 1) / half_life)) if day >= t0 else 0.0
        assert expected == pytest.approx(closed, rel=1e-12, abs=1e-15)
    assert expected == pytest.approx(shift, rel=1e-2)
    assert perceived == pytest.approx(shift, rel=0.02)
    for day in range(t1, t1 + 10):     # ended: the expectation decays from there
        before = expected
        news = T.apply_actions_today(rows, day, ps, embargo)
        expected, perceived = update_expectation(expected, perceived, news, keep, lag)
        assert news == 0.0
        assert expected == pytest.approx(before * 2.0 ** (-1.0 / half_life), rel=1e-12)


def test_both_engines_run_the_lasting_world_shift_identically():
    """turkey_cap2025 is the one scenario with a lasting world-market shift and a price cap
    switching a buyer: the batch and events engines agree replicate by replicate, bit for
    bit, on its daily Brent, FOB discount and volumes."""
    from simulate.engines.batch import run_batch
    from simulate.engines.events import run_events
    from simulate.scenario import load_scenario

    s = load_scenario(EPISODES / "turkey_cap2025.yaml")
    reps = np.arange(6)
    batch = run_batch(s, s.ensemble.seed, reps, keep_series=len(reps))
    events = run_events(s, s.ensemble.seed, reps, keep_series=len(reps), log=False)
    assert list(batch.series) == list(events.series)
    for name in batch.series:
        np.testing.assert_array_equal(batch.series[name], events.series[name], err_msg=name)
    for col in batch.outcomes:
        np.testing.assert_array_equal(np.asarray(batch.outcomes[col]),
                                      np.asarray(events.outcomes[col]), err_msg=col)
    brent = batch.series["brent_usd"]       # the April fall is in the engines' Brent
    assert np.all(brent[:, MAY[0]] < 0.93 * brent[:, MAR[0]])
