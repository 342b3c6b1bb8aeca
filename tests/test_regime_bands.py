"""Bands per regime over ALL replicates (simulate.engines.regime_cells, BandSketch cells):
every replicate is binned into the cell of the regime it ended in, so each regime's bands
meet the stated error bound against exact quantiles of that regime's replicates, the cells
add up to the pooled bands, the split survives chunking, engines, saving and loading, and
the regime-split fans draw them (falling back to the kept replicates for older folders).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simulate import Results
from simulate.engines.bands import QUANTILES, BandSketch
from simulate.engines.batch import run_batch
from simulate.engines.events import run_events
from simulate.engines.regime_cells import CELLS, cells_of, regime_cells, regime_flags
from simulate.execution.runner import run
from simulate.figures.regimes import mixture, regime_fan_data
from simulate.scenario import bundled_scenarios, load_scenario

N = 400


@pytest.fixture(scope="module")
def aug():
    return load_scenario(bundled_scenarios()["aug2025"][0])


@pytest.fixture(scope="module")
def full(aug):
    """N replicates of aug2025 with every daily series kept (exact quantiles computable)."""
    return run_batch(aug, aug.ensemble.seed, np.arange(N), keep_series=N)


def _flags(chunk, by: str) -> np.ndarray:
    o = chunk.outcomes
    return regime_flags(o["decision_day"], o["deal_day"], by)


def test_the_cell_rule_on_the_four_combinations():
    decision = np.array([-1, 3, -1, 5, 0])
    deal = np.array([-1, -1, 2, 7, 0])
    assert regime_cells(decision, deal).tolist() == [0, 2, 1, 3, 3]
    assert regime_flags(decision, deal, "threat").tolist() == [False, True, False, True, True]
    assert regime_flags(decision, deal, "deal").tolist() == [False, False, True, True, True]
    assert cells_of("threat", True) == (2, 3) and cells_of("threat", False) == (0, 1)
    assert cells_of("deal", True) == (1, 3) and cells_of("deal", False) == (0, 2)
    with pytest.raises(ValueError, match="by"):
        regime_flags(decision, deal, "war")


def test_both_regimes_of_the_scenario_are_populated(full):
    """The checks below mean something only if aug2025 splits both ways."""
    for by in ("threat", "deal"):
        share = _flags(full, by).mean()
        assert 0.05 < share < 0.95, (by, share)


@pytest.mark.parametrize("by", ["threat", "deal"])
@pytest.mark.parametrize("on", [True, False])
def test_each_regime_meets_the_error_bound_against_its_exact_quantiles(full, by, on):
    sketch = full.bands
    lay = sketch.layout
    mine = _flags(full, by) == on
    part = sketch.regime(by, on)
    assert np.all(part.n[0] == mine.sum())
    qs = list(QUANTILES.values())
    est, bound = part.quantiles(qs)
    mean = part.mean()
    for c, (var, actor) in enumerate(lay.columns):
        actors = [a for v, a in lay.columns if v == var]
        values = full.series[var][mine, :, actors.index(actor)]
        exact = np.quantile(values, qs, axis=0)                    # (Q, days)
        err = np.abs(est[:, c, :] - exact.T)
        assert np.all(err <= bound[:, c, :] * (1 + 1e-9) + 1e-12), (var, actor, by, on)
        quantum = 1.0 / lay.scale[:, c]
        exact_mean = values.mean(axis=0)
        assert np.all(np.abs(mean[:, c] - exact_mean)
                      <= quantum + 1e-12 * np.abs(exact_mean)), (var, actor)


def test_cells_add_up_to_the_pooled_sketch_and_each_replicate_is_binned_once(full):
    sketch = full.bands
    assert sketch.cells == CELLS
    pooled = sketch.select()
    for by in ("threat", "deal"):
        a, b = sketch.regime(by, True), sketch.regime(by, False)
        np.testing.assert_array_equal(a.counts + b.counts, pooled.counts)
        np.testing.assert_array_equal(a.n + b.n, pooled.n)
        np.testing.assert_array_equal(np.minimum(a.vmin, b.vmin), pooled.vmin)
    assert np.all(pooled.n == N)
    cells = regime_cells(full.outcomes["decision_day"], full.outcomes["deal_day"])
    assert sketch.n[:, 0].tolist() == np.bincount(cells, minlength=CELLS).tolist()
    # the pooled estimates are those of the one-cell sketch
    pd.testing.assert_frame_equal(sketch.to_frame(), pooled.to_frame())


def test_a_sketch_pickles_and_merges_with_its_cells(aug, full):
    import pickle
    a = run_batch(aug, aug.ensemble.seed, np.arange(0, 150)).bands
    b = run_batch(aug, aug.ensemble.seed, np.arange(150, N)).bands
    assert pickle.loads(pickle.dumps(a)).merge(b) == full.bands
    one_cell = BandSketch(a.layout, cells=1)
    with pytest.raises(ValueError, match="cells"):
        a.merge(one_cell)
    with pytest.raises(ValueError, match="cells"):
        a.select((0, CELLS))


def test_events_engine_bins_each_replicate_into_the_same_cell(aug):
    reps = np.arange(8)
    batch = run_batch(aug, 5, reps).bands
    events = run_events(aug, 5, reps, log=False).bands
    assert batch == events
    assert batch.n[:, 0].sum() == 8


@pytest.fixture(scope="module")
def results(aug):
    return run(aug, replicates=300, chunk_size=300, keep_series=30, progress=False,
               counterfactual=False)


def test_run_returns_the_regime_bands_and_they_do_not_depend_on_chunking(aug, results):
    rb = results.regime_bands
    assert list(rb.columns) == ["by", "regime", "day", "date", "variable", "actor", "stat",
                                "value"]
    assert set(rb["by"].astype(str)) == {"threat", "deal"}
    other = run(aug, replicates=300, chunk_size=41, keep_series=30, progress=False,
                counterfactual=False, workers=2)
    pd.testing.assert_frame_equal(rb, other.regime_bands, check_exact=True)
    # the rows of one regime are that regime's sketch estimates
    sketch = run_batch(aug, aug.ensemble.seed, np.arange(300)).bands
    want = sketch.regime("threat", True).to_frame(None, aug.start)
    got = rb[(rb["by"] == "threat") & rb["regime"]].drop(columns=["by", "regime"])
    np.testing.assert_array_equal(got["value"].to_numpy(), want["value"].to_numpy())


def test_regime_bands_are_saved_and_loaded(results, tmp_path):
    d = results.save(tmp_path / "run")
    assert (d / "regime_bands.parquet").is_file()
    assert "regime_bands.parquet" in results.manifest["files"]
    back = Results.load(d)
    pd.testing.assert_frame_equal(back.regime_bands, results.regime_bands, check_exact=True)
    assert back.regime_bands["by"].dtype == results.regime_bands["by"].dtype


def test_a_regime_fan_is_over_all_replicates_of_each_regime(results):
    flags = regime_flags(results.outcomes["decision_day"], results.outcomes["deal_day"],
                         "threat")
    data = regime_fan_data(results, "volume_mbd", "IN", "threat")
    assert data.attrs["source"] == "all" and data.attrs["k"] == 300
    k = data.groupby("regime")["k"].first()
    assert k[True] == flags.sum() and k[False] == (~flags).sum()
    rb = results.regime_bands
    sel = rb[(rb["by"] == "threat") & rb["regime"] & (rb["variable"] == "volume_mbd")
             & (rb["actor"] == "IN") & (rb["stat"] == "q50")]
    on = data[data["regime"].astype(bool)]
    np.testing.assert_array_equal(on["q50"].to_numpy(), sel["value"].to_numpy())


def test_results_without_regime_bands_fall_back_to_the_kept_replicates(results):
    old = Results(results.scenario, results.outcomes, results.timeseries, results.manifest,
                  bands=results.bands)
    assert old.regime_bands.empty
    data = regime_fan_data(old, "volume_mbd", "IN", "threat")
    assert data.attrs["source"] == "kept" and data.attrs["k"] == 30
    assert data.groupby("regime")["k"].first().sum() == 30
    # with all replicates behind the bands, India's imports split (their 50% bands apart)
    # and China's do not (its buyers do not follow the threat); with 30 kept replicates a
    # regime has fewer than the 20 the kept fallback needs
    assert mixture(results, "threat", "volume_mbd", "IN")
    assert not mixture(results, "threat", "volume_mbd", "CN")
    assert not mixture(old, "threat", "volume_mbd", "IN")


def test_the_fan_says_its_regime_bands_are_over_all_replicates(results):
    import matplotlib
    matplotlib.use("Agg")
    from simulate.figures import fan
    ax = fan(results, "volume_mbd", "IN")
    k = regime_fan_data(results, "volume_mbd", "IN", "threat").groupby("regime")["k"].first()
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == [f"threat carried out ({k[True]:,} of 300 replicates)",
                      f"threat not carried out ({k[False]:,} of 300 replicates)"]
    footer = " ".join(t.get_text() for t in ax.figure.texts).replace("\n", " ")
    assert "computed over all replicates of each regime" in footer
    assert "kept" not in footer


def test_the_xarray_view_has_each_regimes_quantiles(results):
    ds = results.to_xarray()
    da = ds["volume_mbd_by_threat"]
    assert da.dims == ("threat", "quantile", "date", "importer")
    rb = results.regime_bands
    for on in (True, False):
        sel = rb[(rb["by"] == "threat") & (rb["regime"] == on)
                 & (rb["variable"] == "volume_mbd") & (rb["actor"] == "IN")
                 & (rb["stat"] == "q75")]
        np.testing.assert_array_equal(da.sel(threat=on, quantile=0.75, importer="IN").values,
                                      sel["value"].to_numpy())
    assert ds["brent_usd_by_deal"].dims == ("deal", "quantile", "date")
    # the pooled median of a two-part mixture lies between the parts' medians (within the
    # bands' error, under one bin width: 0.3 USD/bbl for Brent)
    pooled = ds["brent_usd"].sel(quantile=0.5).values
    parts = ds["brent_usd_by_deal"].sel(quantile=0.5).values        # (deal, date)
    ok = ~np.isnan(parts).any(axis=0)
    assert ok.sum() > 300
    lo, hi = parts.min(axis=0)[ok], parts.max(axis=0)[ok]
    assert np.all((pooled[ok] >= lo - 0.3) & (pooled[ok] <= hi + 0.3))


def test_a_chunk_file_holds_the_sketch_by_its_nonzero_counts_and_refuses_bad_ones(aug):
    from simulate.execution import chunkfile
    chunk = run_batch(aug, 1, np.arange(40))
    structure, arrays = chunkfile.encode(chunk)
    assert chunkfile.decode(structure, arrays).bands == chunk.bands
    sizes = sorted(a.size for a in arrays.values())
    assert sizes[-1] < chunk.bands.counts.size / 20      # no dense copy of the counts
    state = chunk.bands.__getstate__()
    name = next(k for k, a in arrays.items()
                if a.shape == state["steps"].shape and np.array_equal(a, state["steps"]))
    steps = arrays[name]
    past_the_end = steps.copy()
    past_the_end[-1] = chunk.bands.counts.size            # a position beyond the counts
    for bad in (past_the_end, np.zeros_like(steps), steps[:-1]):
        crafted = {**arrays, name: bad}
        with pytest.raises(chunkfile.ChunkFileError):
            chunkfile.decode(structure, crafted)


def test_a_run_without_bands_has_the_same_numbers_and_no_bands(aug, results):
    """Sweeps and calibration run without bands: nothing they read may change."""
    plain = run(aug, replicates=300, chunk_size=120, keep_series=30, progress=False,
                counterfactual=False, bands=False)
    assert plain.bands.empty and plain.regime_bands.empty
    assert plain.manifest["bands"] is False and "bands" not in results.manifest
    pd.testing.assert_frame_equal(plain.outcomes, results.outcomes, check_exact=True)
    pd.testing.assert_frame_equal(plain.timeseries, results.timeseries, check_exact=True)
    # figures fall back to the kept replicates
    assert regime_fan_data(plain, "volume_mbd", "IN", "threat").attrs["source"] == "kept"
