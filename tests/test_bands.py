"""Quantile bands over all replicates (simulate.engines.bands): the stated error bound holds
against exact quantiles, merging is exact (two chunks equal one chunk, in any order), the
edges are a pure function of the scenario, and the runner's tidy frame has every stat.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simulate.engines.band_layout import band_layout
from simulate.engines.bands import QUANTILES, STATS, BandLayout, BandSketch
from simulate.engines.batch import run_batch
from simulate.engines.events import run_events
from simulate.engines.record import series_columns
from simulate.execution.runner import run
from simulate.model.params import compile_params
from simulate.scenario import bundled_scenarios, load_scenario


@pytest.fixture(scope="module")
def aug():
    return load_scenario(bundled_scenarios()["aug2025"][0])


@pytest.fixture(scope="module")
def full_run(aug):
    """1200 replicates with every daily series kept: exact quantiles are computable."""
    return run_batch(aug, aug.ensemble.seed, np.arange(1200), keep_series=1200)


def _column_values(chunk, layout: BandLayout, c: int) -> np.ndarray:
    """(replicates, days) values of layout column c from a chunk's kept series."""
    var, actor = layout.columns[c]
    actors = [a for v, a in layout.columns if v == var]
    return chunk.series[var][:, :, actors.index(actor)]


@pytest.mark.parametrize("stat", list(QUANTILES))
def test_quantile_error_is_within_one_bin_width_of_exact_quantiles(full_run, stat):
    sketch = full_run.bands
    lay = sketch.layout
    est, bound = sketch.quantile(QUANTILES[stat])
    checked = 0
    for c in range(len(lay.columns)):
        exact = np.quantile(_column_values(full_run, lay, c), QUANTILES[stat], axis=0)
        err = np.abs(est[:, c] - exact)
        # the bound reported is one bin width for values inside the edges
        inside = bound[:, c] <= lay.width[:, c] * (1 + 1e-12)
        assert np.all(err <= bound[:, c] * (1 + 1e-9) + 1e-12), (lay.columns[c], stat,
                                                                   float(np.max(err)))
        assert np.all(err[inside] <= lay.width[inside, c] * (1 + 1e-9) + 1e-12)
        checked += inside.sum()
    # nearly every estimate falls inside the scenario-derived edges
    assert checked >= 0.999 * est.size


def test_integer_series_quantiles_are_exact(full_run):
    sketch = full_run.bands
    lay = sketch.layout
    for c, (var, _) in enumerate(lay.columns):
        if var not in ("killed", "injured", "at_war"):
            continue
        assert lay.integer[c]
        values = _column_values(full_run, lay, c)
        for q in QUANTILES.values():
            est, _ = sketch.quantile(q)
            np.testing.assert_allclose(est[:, c], np.quantile(values, q, axis=0),
                                       rtol=0, atol=1e-9)


def test_mean_is_exact_up_to_the_fixed_point_quantum(full_run):
    sketch = full_run.bands
    lay = sketch.layout
    mean = sketch.mean()
    for c in range(len(lay.columns)):
        exact = _column_values(full_run, lay, c).mean(axis=0)
        quantum = 1.0 / lay.scale[:, c]
        assert np.all(np.abs(mean[:, c] - exact) <= quantum + 1e-12 * np.abs(exact)), \
            lay.columns[c]


def test_two_chunks_merged_equal_one_chunk_in_any_order(aug):
    seed = aug.ensemble.seed
    one = run_batch(aug, seed, np.arange(700), 0).bands
    a = run_batch(aug, seed, np.arange(0, 260), 0).bands
    b = run_batch(aug, seed, np.arange(260, 700), 0).bands
    c1 = run_batch(aug, seed, np.arange(0, 100), 0).bands
    c2 = run_batch(aug, seed, np.arange(100, 260), 0).bands
    assert a.merge(b) == one
    assert b.merge(a) == one
    assert c1.merge(c2).merge(b) == one
    assert c1.merge(c2.merge(b)) == one
    n = one.n.sum(axis=0)  # replicates per day, over the regime cells
    assert int(n[0]) == 700 and np.all(n == 700)
    # the estimates are therefore identical too
    pd.testing.assert_frame_equal(a.merge(b).to_frame(), one.to_frame())


def test_merge_leaves_its_inputs_alone_and_refuses_other_edges(aug):
    a = run_batch(aug, 1, np.arange(50), 0).bands
    before = a.copy()
    a.merge(run_batch(aug, 1, np.arange(50, 80), 0).bands)
    assert a == before
    other = BandSketch.for_scenario(load_scenario(bundled_scenarios()["aug2025_actual"][0]))
    other_bins = BandSketch.for_scenario(aug, bins=50)
    with pytest.raises(ValueError, match="different bin edges"):
        a.merge(other_bins)
    assert a.merge(None) == a
    del other


def test_edges_are_a_pure_function_of_the_scenario(aug):
    first, second = band_layout(aug), band_layout(aug)
    assert first.same_as(second)
    p = compile_params(aug)
    assert first.columns == tuple((v, a) for v, a in series_columns(p))
    assert first.lo.shape == (aug.horizon_days + 1, len(first.columns))
    assert np.all(first.width > 0)
    # shares in [0, 1]
    for c, (var, _) in enumerate(first.columns):
        if var in ("control", "company_sanctions_share"):
            assert np.all(first.lo[:, c] >= 0)
            assert np.all(first.lo[:, c] + first.nbins[c] * first.width[:, c] <= 1 + 1e-12)


def test_values_outside_the_edges_are_bounded_by_the_observed_range():
    lay = BandLayout(columns=(("x", ""),), nbins=np.array([10]), lo=np.zeros((1, 1)),
                     width=np.full((1, 1), 0.1), integer=np.array([False]))
    sk = BandSketch(lay)
    values = np.concatenate([np.linspace(0.0, 0.99, 80), [5.0, 7.0, 9.0] * 6,
                             [-3.0, -2.0]])[:, None]
    sk.add(0, values)
    for q in (0.05, 0.5, 0.9, 0.95, 0.99):
        est, err = sk.quantile(q)
        exact = np.quantile(values, q)
        assert abs(est[0, 0] - exact) <= err[0, 0] + 1e-12, q
    est, err = sk.quantile(0.99)
    assert err[0, 0] > 0.1              # an overflow bin: its span (up to the maximum)
    assert est[0, 0] <= 9.0
    assert sk.vmin[0, 0, 0] == -3.0 and sk.vmax[0, 0, 0] == 9.0


def test_binning_one_value_at_a_time_matches_numpy(aug):
    """The compiled binning (one replicate-day at a time) counts what numpy's
    clip-and-bincount counts, and keeps the exact minimum, maximum and fixed-point sum."""
    rng = np.random.default_rng(2)
    sk = BandSketch.for_scenario(aug)
    lay = sk.layout
    C = len(lay.columns)
    block = rng.normal(size=(lay.days, 3, C)) * 30 + 20
    for day in range(lay.days):
        sk.add(day, block[day])
    t = (block - lay.lo[:, None, :]) / lay.width[:, None, :] + 1.0
    t = np.clip(t, 0.0, (lay.nbins + 1).astype(float))
    idx = t.astype(np.int64) + lay.offsets
    for day in (0, 17, lay.days - 1):
        counts = np.bincount(idx[day].reshape(-1), minlength=lay.total)
        np.testing.assert_array_equal(sk.counts[0, day], counts)
        np.testing.assert_array_equal(sk.vmin[0, day], block[day].min(axis=0))
        np.testing.assert_array_equal(sk.vmax[0, day], block[day].max(axis=0))
        np.testing.assert_array_equal(
            sk.qsum[0, day], np.rint(block[day] * lay.scale[day]).astype(np.int64).sum(axis=0))
    assert (sk.n[0] == 3).all() and (sk.n[1:] == 0).all()  # all in the default cell


def test_events_and_batch_bands_are_identical(aug):
    reps = np.arange(5)
    assert run_batch(aug, 3, reps).bands == run_events(aug, 3, reps, log=False).bands


def test_runner_bands_frame_has_every_stat_for_every_series(aug):
    res = run(aug, replicates=300, chunk_size=120, progress=False, counterfactual=False)
    b = res.bands
    assert list(b.columns) == ["day", "date", "variable", "actor", "stat", "value"]
    assert set(b["stat"].astype(str)) == set(STATS)
    p = compile_params(aug)
    cols = series_columns(p)
    assert len(b) == (aug.horizon_days + 1) * len(cols) * len(STATS)
    brent = b[(b["variable"] == "brent_usd") & (b["day"] == 30)].set_index(
        b["stat"].astype(str)[(b["variable"] == "brent_usd") & (b["day"] == 30)])["value"]
    assert brent["q05"] <= brent["q25"] <= brent["q50"] <= brent["q75"] <= brent["q95"]
    assert pd.Timestamp(b["date"].iloc[0]) == pd.Timestamp(aug.start)
    assert not b["value"].isna().any()


def test_bands_do_not_depend_on_chunking(aug):
    a = run(aug, replicates=240, chunk_size=240, progress=False, counterfactual=False)
    b = run(aug, replicates=240, chunk_size=37, progress=False, counterfactual=False)
    pd.testing.assert_frame_equal(a.bands, b.bands, check_exact=True)


def test_block_binning_equals_binning_one_day_at_a_time():
    """The batch engine's block binning (day-major over a block of replicates) gives the
    same counts, extremes and fixed-point sums as binning each replicate's days in turn
    (:func:`bin_day`, what the events engine does), including values below and above the
    layout's range (clamped into the end bins)."""
    from simulate.engines.bands import BandArrays, bin_block, bin_day

    rng = np.random.default_rng(7)
    rows, days, C, nbins, K = 5, 4, 6, 10, 3
    values = rng.normal(0.0, 2.0, (rows, days, C))
    cells = np.array([2, 0, 2, 1, 0], dtype=np.int64)

    def empty():
        return BandArrays(
            counts=np.zeros((K, days, C * (nbins + 2)), dtype=np.uint32),
            vmin=np.full((K, days, C), np.inf), vmax=np.full((K, days, C), -np.inf),
            qsum=np.zeros((K, days, C), dtype=np.int64), n=np.zeros((K, days), dtype=np.int64),
            lo=np.full((days, C), -1.0), inv=np.full((days, C), nbins / 2.0),  # [-1, 1]
            top=np.full(C, nbins + 1.0), offsets=np.arange(C, dtype=np.int64) * (nbins + 2),
            scale=np.full((days, C), 1e6))

    block, one = empty(), empty()
    bin_block(block, values, cells, rows)
    for r in range(rows):
        for day in range(days):
            bin_day(one, cells[r], day, values[r, day].copy())
    for name in ("counts", "vmin", "vmax", "qsum", "n"):
        np.testing.assert_array_equal(getattr(block, name), getattr(one, name))
    # each replicate in its own cell only: 2 replicates in cells 0 and 2, 1 in cell 1
    assert block.n[:, 0].tolist() == [2, 1, 2] and np.all(block.n == block.n[:, :1])
    for k in range(K):
        mine = values[cells == k]
        np.testing.assert_array_equal(block.vmin[k], mine.min(axis=0))
        np.testing.assert_array_equal(block.vmax[k], mine.max(axis=0))
    counts, first = block.counts, block.offsets[0]
    assert counts.sum() == rows * days * C
    assert counts[:, :, first].sum() > 0 and counts[:, :, first + nbins + 1].sum() > 0
