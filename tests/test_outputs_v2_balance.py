"""The trade side v2's outputs (issue 9, points 7 and 8): barrels conserved for every draw,
and the series and outcomes added for the Brent expectation channel, buyers' risk premiums,
releases from storage, the freight premium, the Urals FOB price, directives and stops, each
checked against a number known from the rules (docs/model.md 3.5, 4.7-4.11).

Every check uses each replicate's drawn parameters (the parameter records the engines ran
with), not the scenario's nominal values.
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path

import numpy as np
import pytest
from trade_driver import capacity_path

from simulate.engines.batch import base_outcomes, run_batch
from simulate.engines.events import run_events
from simulate.model import tradeday as T
from simulate.model.params import Params
from simulate.results.units import outcome_units, series_units
from simulate.scenario import Scenario, load_scenario

ROOT = Path(__file__).resolve().parents[1]
#: the scenarios whose balance is checked: the bundled August 2025 paths and every episode
BALANCE_SCENARIOS = (["scenarios/aug2025.yaml", "scenarios/aug2025_actual.yaml",
                      "scenarios/aug2025_threat_carried_out.yaml"]
                     + sorted(str(p.relative_to(ROOT))
                              for p in (ROOT / "scenarios" / "episodes").glob("*.yaml")))
REPLICATES = 40
#: relative tolerance of the barrel balance
REL = 1e-9
#: the added daily series and outcome columns, with their units
NEW_SERIES = {"released_mbd": "mb/d", "expected_loss_mbd": "mb/d",
              "perceived_loss_mbd": "mb/d", "buyer_premium_usd": "USD/bbl"}


def _chunk(path: str, n: int = REPLICATES, bands: bool = False):
    """(scenario, drawn parameters, batch result) with every replicate's series kept."""
    s = load_scenario(ROOT / path)
    reps = np.arange(n)
    p = base_outcomes(s, s.ensemble.seed, reps)[1]
    return s, p, run_batch(s, s.ensemble.seed, reps, keep_series=n, bands=bands)


def _scalar(res, name: str) -> np.ndarray:
    """(replicates, days) of a scalar series."""
    return res.series[name][:, :, 0]


def _actions(p: Params, row: int, code: int) -> np.ndarray:
    """The trade action rows of replicate ``row`` with action code ``code`` (day, code,
    share, wind-down, price, target, news)."""
    acts = p.table.trade_actions[row].reshape(-1, T.NA)
    return acts[acts[:, 1] == code]


# ----- (a) barrels conserved, every replicate-day ----------------------------------------------

@pytest.fixture(scope="module", params=BALANCE_SCENARIOS)
def balance_run(request):
    return _chunk(request.param)


def test_barrels_balance_every_replicate_day(balance_run):
    """capacity + released = exports + stored + shut in, every replicate-day; the day's
    capacity is the drawn one plus the timeline's dated changes up to the day."""
    s, p, res = balance_run
    assert np.array_equal(res.kept, np.arange(REPLICATES))
    capacity = _scalar(res, "export_capacity_mbd")
    np.testing.assert_allclose(capacity, capacity_path(p, capacity.shape[1]), rtol=1e-12,
                               atol=1e-12)
    # the path the band layout reads is the engine's, bit for bit
    assert np.array_equal(T.capacity_paths(p.table.trade_actions, p.table.trade_mp,
                                           capacity.shape[1]), capacity)
    supply = capacity + _scalar(res, "released_mbd")
    used = (_scalar(res, "exports_mbd") + _scalar(res, "stored_mbd")
            + _scalar(res, "shut_in_mbd"))
    assert np.all(np.abs(supply - used) <= REL * supply), s.name
    # bought is exports (v2 sends nothing through the v1 rerouting channel)
    assert np.array_equal(_scalar(res, "bought_mbd"), _scalar(res, "exports_mbd"))
    assert np.all(_scalar(res, "discounted_mbd") == 0.0)


def test_volumes_and_stocks_are_never_negative(balance_run):
    s, p, res = balance_run
    for name in ("exports_mbd", "bought_mbd", "stored_mbd", "shut_in_mbd", "released_mbd",
                 "volume_mbd", "buyer_volume_mbd"):
        assert res.series[name].min() >= 0.0, (s.name, name)
    # the stock (mb) is what was stored less what was released, between 0 and the room
    stored, released = _scalar(res, "stored_mbd"), _scalar(res, "released_mbd")
    stock = np.cumsum(stored - released, axis=1)
    room = p.table.trade_mp[:, T.M_STORAGE_CAP][:, None]
    assert stock.min() >= -1e-12 and np.all(stock <= room + 1e-9), s.name
    # a release never exceeds yesterday's stock (none on day 0)
    before = np.concatenate([np.zeros((stock.shape[0], 1)), stock[:, :-1]], axis=1)
    assert np.all(released <= before + 1e-12), s.name
    for col in ("exports_mbd", "shut_in_mbd"):
        assert res.outcomes[col].min() >= 0.0, (s.name, col)


def test_no_buyer_takes_more_than_its_capacity_that_day(balance_run):
    """A buyer's volume stays within its drawn capacity, a state refiner's within its
    government's directive times its base volume, an embargoed buyer's at 0."""
    s, p, res = balance_run
    B = len(p.buyer_ids)
    bp = p.table.trade_bp[:, :B]
    volume = res.series["buyer_volume_mbd"]
    assert np.all(volume <= bp[:, None, :, T.B_CAP] * (1.0 + 1e-12)), s.name
    directive = res.series["directive"]
    owner = bp[0, :, T.B_IMPORTER].astype(int)
    cuts = 0
    for b in range(B):
        if bp[0, b, T.B_STATE] < 0.5:
            continue
        for r in range(REPLICATES):
            # the directed cap closes 1/lag of its gap to directive x base each day, from the
            # purchases of the day before the cut (docs/model.md 4.9)
            target = directive[r, :, owner[b]] * bp[r, b, T.B_BASE]
            lag, reached = bp[r, b, T.B_LAG], np.nan
            for day in range(volume.shape[1]):
                if directive[r, day, owner[b]] >= 1.0:
                    reached = np.nan
                    continue
                if np.isnan(reached):
                    reached = volume[r, day - 1, b] if day > 0 else bp[r, b, T.B_BASE]
                reached = reached + (target[day] - reached) / lag
                assert volume[r, day, b] <= reached * (1.0 + 1e-12) + 1e-15, \
                    (s.name, p.buyer_ids[b], r, day)
                cuts += 1
    if s.name == "aug2025":
        assert cuts > 0
    deal_day = np.asarray(res.outcomes["deal_day"])
    for r in range(REPLICATES):
        for day, *_rest, target, _news in _actions(p, r, T.A_EMBARGO):
            if 0 <= deal_day[r] <= day:
                continue   # a deal before the embargo: measures may be lifted
            for b in range(B):
                if owner[b] == int(target) and bp[r, b, T.B_EXEMPT] < 0.5:
                    assert np.all(volume[r, int(day):, b] == 0.0), (s.name, p.buyer_ids[b])


def test_exports_by_destination_add_up_to_exports(balance_run):
    s, p, res = balance_run
    exports = _scalar(res, "exports_mbd")
    by_importer = res.series["volume_mbd"]
    assert np.max(np.abs(by_importer.sum(axis=2) - exports)) <= 1e-12 * max(exports.max(), 1)
    owner = p.table.trade_bp[0, :len(p.buyer_ids), T.B_IMPORTER].astype(int)
    buyers = res.series["buyer_volume_mbd"]
    for m in range(len(p.importer_ids)):
        total = buyers[:, :, owner == m].sum(axis=2)
        assert np.max(np.abs(total - by_importer[:, :, m])) <= 1e-12, (s.name, m)


def test_exports_above_capacity_come_from_storage_only(balance_run):
    """Exports exceed the day's capacity (the drawn one plus the dated changes) only by
    barrels released that day."""
    _, p, res = balance_run
    over = _scalar(res, "exports_mbd") - capacity_path(p, res.series["exports_mbd"].shape[1])
    assert np.all(over <= _scalar(res, "released_mbd") * (1 + REL) + 1e-12)


# ----- (b) India's August volume is uncertain --------------------------------------------------

def test_india_august_volume_has_a_band_on_aug2025():
    """The 90% band of India's August 2025 volume has width: replicates differ (about
    1.1-1.9 mb/d for the August mean at 100 replicates); the band sketch agrees."""
    s, p, res = _chunk("scenarios/aug2025.yaml", n=100, bands=True)
    august = [t for t in range(s.horizon_days + 1)
              if (s.start + _dt.timedelta(days=t)).strftime("%Y-%m") == "2025-08"]
    assert len(august) == 26      # 6-31 August
    india = p.importer_ids.index("IN")
    mean = res.series["volume_mbd"][:, august, india].mean(axis=1)
    q05, q95 = np.quantile(mean, [0.05, 0.95])
    assert q95 - q05 > 0.3, (q05, q95)
    bands = res.bands.to_frame(p)
    sel = bands[(bands["variable"].astype(str) == "volume_mbd")
                & (bands["actor"].astype(str) == "IN") & bands["day"].isin(august)]
    width = (sel[sel["stat"].astype(str) == "q95"]["value"].to_numpy()
             - sel[sel["stat"].astype(str) == "q05"]["value"].to_numpy())
    assert len(width) == len(august) and np.all(width[1:] > 0.0)


# ----- (c) the new series and outcomes, at numbers known from the rules -------------------------

def test_new_series_and_outcomes_have_units():
    units = series_units()
    for name, unit in NEW_SERIES.items():
        assert units[name] == unit, name
    cols = ["freight_premium_mean_usd", "urals_fob_mean_usd", "directive_days_IN",
            "buyer_stop_day_IN.reliance"]
    ou = outcome_units(cols)
    assert ou["freight_premium_mean_usd"] == ou["urals_fob_mean_usd"] == "USD/bbl"
    assert ou["directive_days_IN"] == "days with a cut directive in force"
    assert ou["buyer_stop_day_IN.reliance"] == "days from start (-1: never)"


@pytest.fixture(scope="module")
def aug2025():
    return _chunk("scenarios/aug2025.yaml")


def test_stock_is_released_as_the_clearing_price_rises_above_full_supply(aug2025):
    """clearing.release_share: of the stock releasable today, min(stock, rate), the share
    clip((U - full) / (full - zero), 0, 1) is sold, U the FOB price the market cleared at
    (yesterday's Brent less today's FOB discount, where that discount is not held below
    Brent - 1): nothing at or below full supply, and exactly the rule above it."""
    _, p, res = aug2025
    released, stored = _scalar(res, "released_mbd"), _scalar(res, "stored_mbd")
    fob_disc, brent = _scalar(res, "fob_discount_usd"), _scalar(res, "brent_usd")
    mp = p.table.trade_mp
    full, zero = mp[:, T.M_FULL][:, None], mp[:, T.M_ZERO][:, None]
    rate = mp[:, T.M_RELEASE_RATE][:, None]
    stock = np.cumsum(stored - released, axis=1)
    before = np.concatenate([np.zeros((stock.shape[0], 1)), stock[:, :-1]], axis=1)
    cleared = brent[:, :-1] - fob_disc[:, 1:]          # U of days 1.. (an upper bound if held)
    assert (released > 0).any() and (cleared < full).any()     # both occur in aug2025
    assert np.all(released[:, 0] == 0.0)
    assert np.all(released[:, 1:][cleared <= full] == 0.0)
    exact = fob_disc[:, 1:] < brent[:, 1:] - 1.0 - 1e-9          # the discount not held
    share = np.clip((cleared - full) / (full - zero), 0.0, 1.0)
    expect = np.minimum(np.maximum(before[:, 1:], 0.0), rate) * share
    assert np.allclose(released[:, 1:][exact], expect[exact], rtol=1e-9, atol=1e-9)
    assert (released[:, 1:][exact] > 0).sum() > 10
    assert np.all(released <= rate)


def test_shut_in_is_never_negative_where_released_barrels_are_sold(aug2025):
    """The true shut-in (the market state's), not capacity less exports: that v1 quantity
    goes negative when released barrels are sold beyond capacity; shut-in barrels never do,
    and they are at most what was produced and released but not exported."""
    _, p, res = aug2025
    shut = _scalar(res, "shut_in_mbd")
    withheld = p.table.trade_mp[:, T.M_CAPACITY][:, None] - _scalar(res, "exports_mbd")
    assert (withheld < -0.01).any()
    assert shut.min() >= 0.0
    assert np.all(shut <= np.maximum(withheld + _scalar(res, "released_mbd"), 0.0) + 1e-12)
    days = shut.shape[1]
    np.testing.assert_allclose(res.outcomes["shut_in_mbd"], shut.sum(axis=1) / days,
                               rtol=1e-12, atol=1e-15)


def test_directive_days_count_the_days_with_a_cut(aug2025):
    _, p, res = aug2025
    directive = res.series["directive"]
    total = 0
    for m, imp in enumerate(p.importer_ids):
        counted = (directive[:, :, m] < 1.0).sum(axis=1)
        assert np.array_equal(res.outcomes[f"directive_days_{imp}"], counted), imp
        total += counted.sum()
    assert total > 0
    assert res.outcomes["directive_days_IN"].dtype.kind == "i"


def test_no_directive_without_the_threat():
    """aug2025_no_threat: no tariff threatened, so no government directs a cut: 0 days."""
    _, p, res = _chunk("scenarios/aug2025_no_threat.yaml", n=10)
    for imp in p.importer_ids:
        assert np.all(res.outcomes[f"directive_days_{imp}"] == 0), imp
    assert np.all(res.series["directive"] == 1.0)


@pytest.fixture(scope="module")
def designations():
    return _chunk("scenarios/episodes/designations2025.yaml", n=20)


def test_exposed_buyers_stop_at_the_end_of_the_wind_down(designations):
    """designations2025: a buyer whose drawn exposure exceeds the drawn threshold (and is not
    owned by a designated seller) stops on the designation day plus the wind-down; the
    others never stop (-1)."""
    _, p, res = designations
    B = len(p.buyer_ids)
    bp = p.table.trade_bp[:, :B]
    stopped_somewhere = 0
    for r in range(len(res.kept)):
        (des,) = _actions(p, r, T.A_DESIGNATION)
        end = int(des[0] + des[3])
        threshold = p.table.trade_mp[r, T.M_THRESHOLD]
        for b, buyer in enumerate(p.buyer_ids):
            exposed = bp[r, b, T.B_EXPOSURE] > threshold and bp[r, b, T.B_SELLER_OWNED] < 0.5
            got = res.outcomes[f"buyer_stop_day_{buyer}"][r]
            assert got == (end if exposed else -1), (r, buyer)
            stopped_somewhere += exposed
    assert stopped_somewhere > 0
    assert res.outcomes["buyer_stop_day_IN.reliance"].dtype.kind == "i"
    # 10 Jan 2025 + 48 days from the start on 1 Dec 2024
    assert set(res.outcomes["buyer_stop_day_IN.reliance"]) <= {-1, 40 + 48}


def test_buyer_premium_is_exposure_times_the_designated_shares(designations):
    """wedges.buyer_premium in closed form: 0 before the designations; then exposure x scale
    x (designated share + the fading part of the tanker share), the designated share dropped
    (plus the non-designated premium) from a buyer's stop."""
    _, p, res = designations
    B = len(p.buyer_ids)
    premium = res.series["buyer_premium_usd"]
    days = np.arange(premium.shape[1])
    for r in range(len(res.kept)):
        bp, mp = p.table.trade_bp[r, :B], p.table.trade_mp[r]
        (des,) = _actions(p, r, T.A_DESIGNATION)
        (tank,) = _actions(p, r, T.A_TANKERS)
        since = days - tank[0]
        transient = np.where(since >= 0, tank[2] * np.exp(-np.maximum(since, 0)
                                                         / mp[T.M_FREIGHT_DECAY]), 0.0)
        transient *= 1.0 - mp[T.M_FREIGHT_LASTING]
        kappa = np.where(days >= des[0], des[2], 0.0)
        for b, buyer in enumerate(p.buyer_ids):
            exposure = 0.0 if bp[b, T.B_SELLER_OWNED] > 0.5 else bp[b, T.B_EXPOSURE]
            stop = res.outcomes[f"buyer_stop_day_{buyer}"][r]
            stopped = (days >= stop) if stop >= 0 else np.zeros(len(days), dtype=bool)
            expect = np.where(stopped,
                              exposure * mp[T.M_PREMIUM_SCALE] * transient + mp[T.M_ND_PREMIUM],
                              exposure * mp[T.M_PREMIUM_SCALE] * (kappa + transient))
            np.testing.assert_allclose(premium[r, :, b], expect, rtol=1e-12, atol=1e-12,
                                       err_msg=f"{r} {buyer}")
        assert np.all(premium[r, :int(min(des[0], tank[0]))] == 0.0)
    assert premium.max() > 1.0


def test_expected_and_perceived_loss_follow_the_news(designations):
    """designations2025 has no threat: the expected loss is the news decayed with its
    half-life, E_t = sum_s n_s 2^(-(t-s)/h), and the perceived loss closes 1/lag of its gap
    each day, from 0."""
    _, p, res = designations
    expected, perceived = _scalar(res, "expected_loss_mbd"), _scalar(res, "perceived_loss_mbd")
    days = np.arange(expected.shape[1])
    for r in range(len(res.kept)):
        mp = p.table.trade_mp[r]
        acts = p.table.trade_actions[r].reshape(-1, T.NA)
        acts = acts[~np.isnan(acts[:, 0])]
        closed = np.zeros(len(days))
        for day, news in zip(acts[:, 0], acts[:, 6], strict=True):
            closed += np.where(days >= day, news * 2.0 ** (-(days - day)
                                                          / mp[T.M_EXP_HALF_LIFE]), 0.0)
        np.testing.assert_allclose(expected[r], closed, rtol=1e-12, atol=1e-15)
        seen, lag = 0.0, mp[T.M_EXP_LAG]
        for t in days:
            seen += (closed[t] - seen) / lag
            assert perceived[r, t] == pytest.approx(seen, rel=1e-10, abs=1e-15)
    assert expected.max() > 1.0


def test_freight_premium_and_urals_fob_means(designations):
    """The freight premium closes 1/lag of its gap to its target each day (wedges.py): the
    start premium's and the tanker designation's fading shocks; the outcomes are the means
    of the series over the horizon."""
    s, p, res = designations
    freight = _scalar(res, "freight_premium_usd")
    n_days = freight.shape[1]
    for r in range(len(res.kept)):
        mp = p.table.trade_mp[r]
        (tank,) = _actions(p, r, T.A_TANKERS)
        lasting, decay = mp[T.M_FREIGHT_LASTING], mp[T.M_FREIGHT_DECAY]
        x = mp[T.M_PREMIUM0]
        for t in range(n_days):
            target = mp[T.M_PREMIUM0] * (lasting + (1 - lasting) * np.exp(-t / decay))
            if t >= tank[0]:
                faded = np.exp(-(t - tank[0]) / decay)
                target += mp[T.M_FREIGHT_PER_SHARE] * tank[2] * (lasting
                                                                 + (1 - lasting) * faded)
            x += (target - x) / mp[T.M_FREIGHT_LAG]
            assert freight[r, t] == pytest.approx(x, rel=1e-12), (r, t)
    o = res.outcomes
    np.testing.assert_allclose(o["freight_premium_mean_usd"], freight.mean(axis=1),
                               rtol=1e-12)
    urals = _scalar(res, "brent_usd") - _scalar(res, "fob_discount_usd")
    np.testing.assert_allclose(o["urals_fob_mean_usd"], urals.mean(axis=1), rtol=1e-12)
    assert np.all(o["urals_fob_mean_usd"] > s.market.shutin_price_usd)


@pytest.mark.parametrize("path", ["scenarios/aug2025_actual.yaml",
                                  "scenarios/episodes/designations2025.yaml"])
def test_engines_record_the_added_outputs_identically(path):
    s = load_scenario(ROOT / path)
    reps = np.arange(4)
    batch = run_batch(s, s.ensemble.seed, reps, keep_series=4)
    events = run_events(s, s.ensemble.seed, reps, keep_series=4, log=False)
    for name in (*NEW_SERIES, "shut_in_mbd"):
        assert np.array_equal(batch.series[name], events.series[name]), name
    added = [c for c in batch.outcomes if c.startswith(("directive_days_", "buyer_stop_day_"))
             or c in ("freight_premium_mean_usd", "urals_fob_mean_usd")]
    assert len(added) >= 4
    for col in added:
        assert np.array_equal(batch.outcomes[col], events.outcomes[col]), col
    assert batch.bands == events.bands


@pytest.mark.parametrize("path", ["scenarios/episodes/turkey_cap2025.yaml",
                                  "scenarios/aug2025_threat_carried_out.yaml"])
def test_bands_hold_the_added_series(path):
    """Every value of the added series falls inside the layout's edges (no overflow bin):
    negative news (turkey_cap2025), releases and the carried-out threat's expected loss."""
    scenario: Scenario = load_scenario(ROOT / path)
    res = run_batch(scenario, scenario.ensemble.seed, np.arange(10), keep_series=0)
    lay = res.bands.layout
    top = lay.lo + lay.nbins[None, :] * lay.width
    pooled = res.bands.select()  # every regime cell
    checked = 0
    for c, (name, actor) in enumerate(lay.columns):
        if name not in (*NEW_SERIES, "shut_in_mbd"):
            continue
        checked += 1
        assert np.all(pooled.vmin[0, :, c] >= lay.lo[:, c] - 1e-9), (name, actor)
        assert np.all(pooled.vmax[0, :, c] <= top[:, c] + 1e-9), (name, actor)
    assert checked >= 5
