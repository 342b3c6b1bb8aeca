"""The summary table (metric registry, intervals, spread) and the xarray view, with numbers
computed by hand from hand-built Results."""

import math

import numpy as np
import pandas as pd
import pytest
from results_factory import HORIZON, make_results
from scipy import stats

from simulate.errors import ResultsWarning
from simulate.results.metrics import DEAL_WINDOWS, deal_windows, get_metric, metrics_for
from simulate.results.results import Results
from simulate.results.summary import COLUMNS


def _bands(r, values):
    """Bands of brent_usd (constant per stat) and volume_mbd of IN, days 0..HORIZON."""
    rows = []
    for d in range(HORIZON + 1):
        for stat, v in values.items():
            rows.append({"day": d, "date": pd.Timestamp("2025-08-06") + pd.Timedelta(days=d),
                         "variable": "brent_usd", "actor": "", "stat": stat, "value": v})
            rows.append({"day": d, "date": pd.Timestamp("2025-08-06") + pd.Timedelta(days=d),
                         "variable": "volume_mbd", "actor": "IN", "stat": stat,
                         "value": v / 100 + d})
    return pd.DataFrame(rows)


BAND_VALUES = {"q05": 60.0, "q25": 64.0, "q50": 66.0, "q75": 68.0, "q95": 75.0, "mean": 66.5}


def test_summary_is_indexed_by_stable_ids_with_labels_and_units():
    r = make_results([2, 5, None, 5])
    s = r.summary()
    assert list(s.columns) == COLUMNS
    assert s.index.name == "id"
    assert list(s.index[:3]) == ["deal_by_deadline", "deal_within_horizon",
                                 "threat_carried_out"]
    assert s.loc["deal_within_horizon", "label"] == "P(deal within horizon, 10 days)"
    assert s.loc["tariff_cost_CN", "unit"] == "USD bn over horizon"
    assert {"oil_revenue", "exports", "brent", "urals_discount", "civilians_killed",
            "terms_North", "terms_aggregate", "tariff_cost_IN"} <= set(s.index)
    assert s.index.is_unique


def test_proportion_row_exact_wilson_and_no_spread():
    s = make_results([2, 5, None, 5]).summary()
    row = s.loc["deal_within_horizon"]
    assert row["estimate"] == 0.75 and row["n"] == 4
    ci = stats.binomtest(3, 4).proportion_ci(method="wilson")
    assert row["ci_low"] == pytest.approx(ci.low) and row["ci_high"] == pytest.approx(ci.high)
    assert math.isnan(row["p05"]) and math.isnan(row["p95"])


def test_mean_row_has_confidence_interval_and_spread_of_replicates():
    s = make_results([2, 5, None, 5]).summary()
    row = s.loc["oil_revenue"]  # 100, 98, 96, 94
    x = np.array([100.0, 98.0, 96.0, 94.0])
    se = x.std(ddof=1) / 2
    assert row["estimate"] == 97.0
    assert row["ci_low"] == pytest.approx(97.0 - stats.t.ppf(0.975, 3) * se)  # Student t, 3 df
    # numpy's linear quantiles of 94, 96, 98, 100: 94 + 0.15 * 2 and 100 - 0.15 * 2
    assert row["p05"] == pytest.approx(94.3) and row["p95"] == pytest.approx(99.7)
    assert row["kind"] == "mean"


def test_terms_median_uses_only_the_deals():
    r = make_results([2, None, None, 5], terms={"North": [0.1, 0.9, 0.9, 0.3]})
    row = r.summary().loc["terms_North"]
    assert row["n"] == 2 and row["estimate"] == pytest.approx(0.2)


def test_deal_windows_are_configurable_and_capped_by_the_horizon():
    r = make_results([2, 5, None, 9])
    assert DEAL_WINDOWS == (30, 90, 180, 365)
    assert not any(i.startswith("deal_within_") and i != "deal_within_horizon"
                   for i in r.summary().index)  # all defaults exceed the 10-day horizon
    with pytest.warns(ResultsWarning, match=r"windows: \[50\] dropped"):
        s = r.summary(windows=[3, 6, 50])
    assert s.loc["deal_within_3d", "estimate"] == 0.25
    assert s.loc["deal_within_6d", "estimate"] == 0.5
    assert s.loc["deal_within_6d", "label"] == "P(deal within 6 days)"
    assert "deal_within_50d" not in s.index
    assert deal_windows(r.scenario, [6, 3, 3]) == (3, 6)
    with pytest.raises(ValueError, match="days must be >= 1"):
        r.summary(windows=[0])
    # any window can be asked for by id
    m = get_metric(r.scenario, "deal_within_4d")
    assert m(r.outcomes).tolist() == [True, False, False, False]
    assert get_metric(r.scenario, "deal_within_4").id == "deal_within_4d"
    with pytest.raises(KeyError, match="known: deal_by_deadline"):
        get_metric(r.scenario, "no_such_metric")


def test_one_name_per_metric_in_summary_comparison_and_figures():
    from simulate.figures.comparison_data import compare_outcomes_data
    from simulate.results.compare import compare
    a, b = make_results([2, None]), make_results([2, 3])
    labels = a.summary()["label"].to_dict()
    table = compare(a, b, labels=["a", "b"]).table().set_index("metric")
    assert table["name"].to_dict() == labels
    data = compare_outcomes_data([a, b], ["a", "b"])
    assert all(labels[m] == n for m, n in zip(data["metric"], data["name"], strict=True))
    ids = [m.id for m in metrics_for(a.scenario, list(a.outcomes.columns))]
    assert ids == list(a.summary().index)


def test_summary_json_holds_ids_and_labels(tmp_path):
    import json
    r = make_results([2, 5, None, 5])
    d = r.save(tmp_path / "run")
    data = json.loads((d / "summary.json").read_text())
    first = data["metrics"][0]
    assert first["id"] == "deal_by_deadline" and first["label"] == "P(deal by deadline)"
    assert "95% confidence interval of the estimate" in data["intervals"]


def test_to_xarray_bands_on_a_quantile_axis_and_kept_replicates_apart():
    r = make_results([1, None, 2], kept=2, series={"brent_usd": [60.0, 70.0],
                                                   "volume_mbd:IN": [1.0, 2.0]})
    r = Results(r.scenario, r.outcomes, r.timeseries, r.manifest, bands=_bands(r, BAND_VALUES))
    ds = r.to_xarray()
    assert np.issubdtype(ds["date"].dtype, np.datetime64)
    assert str(ds["date"].values[0])[:10] == "2025-08-06" and ds.sizes["date"] == HORIZON + 1
    assert ds["quantile"].values.tolist() == [0.05, 0.25, 0.5, 0.75, 0.95]
    assert ds["brent_usd"].dims == ("quantile", "date")
    assert ds["brent_usd"].sel(quantile=0.5).values.tolist() == [66.0] * (HORIZON + 1)
    assert ds["brent_usd"].sel(quantile=0.95).values[0] == 75.0
    assert ds["brent_usd_mean"].values.tolist() == [66.5] * (HORIZON + 1)
    assert ds["brent_usd"].attrs["units"] == "USD/bbl"
    assert "all 3 replicates" in ds["brent_usd"].attrs["source"]
    assert ds["volume_mbd"].dims == ("quantile", "date", "importer")
    assert float(ds["volume_mbd"].sel(quantile=0.25, importer="IN").isel(date=4)) == \
        pytest.approx(0.64 + 4)
    # kept replicates separately, on their own axis
    assert ds["brent_usd_kept"].dims == ("replicate", "date")
    assert ds["brent_usd_kept"].sel(replicate=1).values.tolist() == [70.0] * (HORIZON + 1)
    assert float(ds["volume_mbd_kept"].sel(replicate=0, importer="IN").isel(date=3)) == 1.0
    assert ds["control_kept"].dims == ("replicate", "date", "region")
    assert "2 kept replicates (of 3)" in ds["control_kept"].attrs["source"]
    assert ds.attrs["replicates"] == 3 and ds.attrs["kept_replicates"] == 2
    # every kept value of the tidy table is in the Dataset
    ts = r.timeseries
    for var in ("brent_usd", "oil_revenue_musd"):
        sel = ts[ts["variable"] == var]
        got = ds[f"{var}_kept"].values[sel["replicate"].to_numpy(), sel["day"].to_numpy()]
        np.testing.assert_array_equal(got, sel["value"].to_numpy())
    assert make_results([None], kept=0).to_xarray().sizes["replicate"] == 0


def test_bands_have_their_own_parquet_file_and_old_folders_still_load(tmp_path):
    r = make_results([1, None, 2], kept=2)
    r = Results(r.scenario, r.outcomes, r.timeseries, r.manifest, bands=_bands(r, BAND_VALUES))
    d = r.save(tmp_path / "new")
    assert (d / "bands.parquet").is_file()
    assert "stat" not in pd.read_parquet(d / "timeseries.parquet").columns
    assert len(pd.read_parquet(d / "bands.parquet")) == len(r.bands)
    back = Results.load(d)
    pd.testing.assert_frame_equal(back.bands.reset_index(drop=True),
                                  r.bands.reset_index(drop=True), check_dtype=False,
                                  check_categorical=False)
    # an older folder: bands inside timeseries.parquet as rows with replicate -1
    old = pd.concat([r.timeseries.assign(stat="value"), r.bands.assign(replicate=-1)],
                    ignore_index=True)
    old.to_parquet(d / "timeseries.parquet")
    (d / "bands.parquet").unlink()
    r.write_manifest(d)
    again = Results.load(d)
    assert len(again.bands) == len(r.bands) and "stat" not in again.timeseries
    assert len(again.timeseries) == len(r.timeseries)
    assert again.to_xarray()["brent_usd"].sel(quantile=0.5).values[0] == 66.0


def test_scenario_outputs_deal_within_sets_the_default_windows():
    from types import SimpleNamespace
    s = SimpleNamespace(outputs=SimpleNamespace(deal_within=(7, 3)), horizon_days=10)
    assert deal_windows(s) == (3, 7)
    assert deal_windows(s, [5]) == (5,)  # an explicit argument wins
    assert deal_windows(SimpleNamespace(outputs=SimpleNamespace(), horizon_days=400)) == \
        DEAL_WINDOWS
