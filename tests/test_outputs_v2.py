"""The trade side v2's outputs (issue 9, point 8): FOB and delivered discounts, the freight
premium, the Urals FOB price, storage, per-buyer volumes, directives and the designation
status, recorded alike by both engines, consistent with the rules that produce them
(simulate/model/wedges.py, tradeday.py) and binned into bands."""

from __future__ import annotations

import datetime as _dt

import numpy as np
import pytest

from simulate.engines.batch import run_batch
from simulate.engines.events import run_events
from simulate.engines.record import SERIES
from simulate.model import tradeday
from simulate.model.params import compile_params
from simulate.model.sampling import sample_uncertain
from simulate.results.tables import series_frame
from simulate.results.units import outcome_units, series_units
from simulate.scenario import load_scenario

REPLICATES = 6
#: the new daily series and their units
NEW_SERIES = {
    "fob_discount_usd": "USD/bbl", "delivered_discount_usd": "USD/bbl",
    "freight_premium_usd": "USD/bbl", "urals_fob_usd": "USD/bbl", "stored_mbd": "mb/d",
    "designation_status": "0 none, 1 wind-down, 2 in force", "buyer_volume_mbd": "mb/d",
    "directive": "share of base volume; 1: none",
}
#: scenarios with designations and tanker designations (actual path) and an embargo with a
#: price cap (episode 1)
SCENARIOS = ["scenarios/aug2025_actual.yaml", "scenarios/episodes/embargo2022.yaml"]


@pytest.fixture(scope="module", params=SCENARIOS)
def runs(request):
    s = load_scenario(request.param)
    reps = np.arange(REPLICATES)
    seed = s.ensemble.seed
    batch = run_batch(s, seed, reps, keep_series=REPLICATES)
    events = run_events(s, seed, reps, keep_series=REPLICATES, log=False)
    p = compile_params(s, sample_uncertain(s, seed, reps), REPLICATES)
    return s, p, batch, events


def test_new_series_exist_with_units(runs):
    _, p, batch, _ = runs
    units = series_units()
    for name, unit in NEW_SERIES.items():
        assert name in batch.series, name
        assert units[name] == unit, name
    assert batch.series["buyer_volume_mbd"].shape[2] == len(p.buyer_ids)
    assert batch.series["directive"].shape[2] == len(p.importer_ids)
    ou = outcome_units(batch.outcomes)
    for buyer in p.buyer_ids:
        assert ou[f"buyer_volume_{buyer}_mbd"] == "mb/d (mean over horizon)"
        assert ou[f"buyer_volume_end_{buyer}_mbd"] == "mb/d (last day)"
    assert ou["fob_discount_mean_usd"] == ou["delivered_discount_mean_usd"] == "USD/bbl"


def test_engines_record_the_new_outputs_identically(runs):
    _, _, batch, events = runs
    for name in NEW_SERIES:
        assert np.array_equal(batch.series[name], events.series[name]), name
    new = [c for c in batch.outcomes if c.startswith("buyer_volume_")
           or c in ("fob_discount_mean_usd", "delivered_discount_mean_usd")]
    assert len(new) >= 4
    for col in new:
        assert np.array_equal(batch.outcomes[col], events.outcomes[col]), col


def test_buyer_volumes_sum_to_the_importer_volume_each_day(runs):
    _, p, batch, _ = runs
    buyers = batch.series["buyer_volume_mbd"]
    importers = batch.series["volume_mbd"]
    owner = np.asarray(p.column("buyer_importer")[0])
    for m in range(len(p.importer_ids)):
        total = buyers[:, :, owner == m].sum(axis=2)
        assert np.max(np.abs(total - importers[:, :, m])) <= 1e-12, p.importer_ids[m]
    # exports are the buyers' purchases
    assert np.max(np.abs(buyers.sum(axis=2) - batch.series["exports_mbd"][:, :, 0])) <= 1e-12


def test_fob_discount_is_delivered_plus_freight_plus_premium(runs):
    """wedges.fob_discount, with tradeday's floor of MIN_URALS_USD under the Urals price:
    FOB = min(delivered + base freight + sanctions premium, Brent - 1); price = Brent - FOB."""
    _, p, batch, _ = runs
    ser = {k: v[:, :, 0] for k, v in batch.series.items() if v.shape[2] == 1}
    base_freight = p.table.trade_mp[batch.kept, tradeday.M_FREIGHT][:, None]
    expect = np.minimum(ser["delivered_discount_usd"] + base_freight
                        + ser["freight_premium_usd"],
                        ser["brent_usd"] - tradeday.MIN_URALS_USD)
    np.testing.assert_allclose(ser["fob_discount_usd"], expect, rtol=0, atol=1e-12)
    np.testing.assert_allclose(ser["urals_fob_usd"], ser["brent_usd"] - ser["fob_discount_usd"],
                               rtol=0, atol=1e-12)
    # the v1 name is an alias of the FOB discount; the wedge is not trivially zero
    assert np.array_equal(ser["urals_discount_usd"], ser["fob_discount_usd"])
    assert np.all(ser["fob_discount_usd"] > ser["delivered_discount_usd"])
    assert np.all(ser["freight_premium_usd"] >= 0.0)


def test_status_directive_and_storage_stay_in_their_ranges(runs):
    _, _, batch, _ = runs
    status = batch.series["designation_status"]
    assert set(np.unique(status)) <= {0.0, 1.0, 2.0}
    directive = batch.series["directive"]
    assert np.all((directive >= 0.0) & (directive <= 1.0))
    assert np.all(batch.series["stored_mbd"] >= 0.0)


def test_outcomes_are_the_series_summaries(runs):
    _, p, batch, _ = runs
    o, ser = batch.outcomes, batch.series
    order = np.argsort(o["replicate"])
    assert np.array_equal(o["replicate"][order], batch.kept)
    days = ser["fob_discount_usd"].shape[1]
    for name in ("fob_discount", "delivered_discount"):
        np.testing.assert_allclose(o[f"{name}_mean_usd"][order],
                                   ser[f"{name}_usd"][:, :, 0].sum(axis=1) / days,
                                   rtol=1e-12, atol=0)
    for b, buyer in enumerate(p.buyer_ids):
        vol = ser["buyer_volume_mbd"][:, :, b]
        np.testing.assert_allclose(o[f"buyer_volume_{buyer}_mbd"][order],
                                   vol.sum(axis=1) / days, rtol=1e-12, atol=1e-15)
        assert np.array_equal(o[f"buyer_volume_end_{buyer}_mbd"][order], vol[:, -1])


def test_bands_cover_the_new_series(runs):
    s, p, batch, events = runs
    assert batch.bands == events.bands
    lay = batch.bands.layout
    frame = batch.bands.to_frame(p)
    for name in NEW_SERIES:
        assert name in set(frame["variable"].astype(str)), name
    buyers = frame[frame["variable"].astype(str) == "buyer_volume_mbd"]
    assert sorted(set(buyers["actor"].astype(str))) == sorted(p.buyer_ids)
    # every new value falls inside the layout's edges (no overflow bin): the ranges the
    # rules imply hold
    top = lay.lo + lay.nbins[None, :] * lay.width
    pooled = batch.bands.select()  # every regime cell
    for c, (name, actor) in enumerate(lay.columns):
        if name not in NEW_SERIES:
            continue
        assert np.all(pooled.vmin[0, :, c] >= lay.lo[:, c] - 1e-9), (name, actor)
        assert np.all(pooled.vmax[0, :, c] <= top[:, c] + 1e-9), (name, actor)
    # the median of the designation status is an integer code
    med = frame[(frame["variable"].astype(str) == "designation_status")
                & (frame["stat"].astype(str) == "q50")]["value"]
    assert set(np.unique(med)) <= {0.0, 1.0, 2.0}


def test_tidy_series_name_buyers(runs):
    s, p, batch, _ = runs
    df = series_frame(batch, p, _dt.date(2025, 1, 1))
    rows = df[df["variable"].astype(str) == "buyer_volume_mbd"]
    assert sorted(set(rows["actor"].astype(str))) == sorted(p.buyer_ids)
    assert SERIES["buyer_volume_mbd"] == "buyer"
