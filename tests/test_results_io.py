"""Results: save/load round trip (Hypothesis), refusal of tampered folders, units, xarray,
rich display, and comparisons of runs."""

from __future__ import annotations

import json
import math
import shutil
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from interval_checks import newcombe_paired
from results_factory import HORIZON, make_results
from scipy import stats

from simulate import Results, ResultsError
from simulate.results.compare import Comparison, compare, metric_values
from simulate.results.results import DATA_FILES, OPTIONAL_DATA_FILES, outcome_units, unit_of

# ----- round trip -------------------------------------------------------------------------
finite = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False,
                   width=64)


@st.composite
def small_results(draw):
    """Results of 1-8 replicates with drawn deal days, costs, terms and series."""
    n = draw(st.integers(1, 8))
    deal_days = draw(st.lists(st.one_of(st.none(), st.integers(0, HORIZON)),
                              min_size=n, max_size=n))
    kept = draw(st.integers(0, n))
    costs = {imp: draw(st.lists(st.floats(0, 1e4, allow_nan=False), min_size=n, max_size=n))
             for imp in ("IN", "CN")}
    terms = {reg: draw(st.lists(st.floats(0, 1), min_size=n, max_size=n))
             for reg in ("North", "South")}
    series = {"brent_usd": draw(st.lists(finite, min_size=kept, max_size=kept))}
    bands = None
    if draw(st.booleans()):
        days = range(HORIZON + 1)
        bands = pd.DataFrame([
            {"day": d, "date": pd.Timestamp("2025-08-06") + pd.Timedelta(days=d),
             "variable": "brent_usd", "actor": "", "stat": stat, "value": draw(finite)}
            for d in days for stat in ("q05", "q50", "q95")])
    seed = draw(st.integers(0, 2**63 - 1))
    return make_results(deal_days, kept=kept, series=series, tariff_costs=costs, terms=terms,
                        bands=bands, seed=seed, offset=draw(finite))


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(small_results())
def test_save_load_round_trip(r):
    with tempfile.TemporaryDirectory() as tmp:
        d = r.save(Path(tmp) / "run")
        back = Results.load(d)
        pd.testing.assert_frame_equal(back.outcomes, r.outcomes)
        pd.testing.assert_frame_equal(back.timeseries, r.timeseries)
        pd.testing.assert_frame_equal(back.bands, r.bands)
        pd.testing.assert_frame_equal(back.summary(), r.summary())
        assert back.outcomes.attrs["units"] == r.outcomes.attrs["units"]
        assert back.timeseries.attrs["units"] == r.timeseries.attrs["units"]
        assert back.scenario == r.scenario
        assert back.manifest["seed"] == r.manifest["seed"]
        assert sorted(back.manifest["files"]) == sorted(DATA_FILES + OPTIONAL_DATA_FILES)
        assert json.loads((d / "summary.json").read_text()) == json.loads(
            json.dumps(r.summary_dict()))
        # saving what was loaded gives the same data files, byte for byte
        again = back.save(Path(tmp) / "again")
        for name in ("outcomes.parquet", "scenario.yaml", "summary.json"):
            assert (again / name).read_bytes() == (d / name).read_bytes()


# ----- refusal ----------------------------------------------------------------------------
@pytest.fixture()
def saved(tmp_path):
    return make_results([1, None, 4]).save(tmp_path / "run")


def test_modified_outcomes_byte_is_refused(saved):
    path = saved / "outcomes.parquet"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(ResultsError, match=r"outcomes\.parquet does not match its checksum"):
        Results.load(saved)


def test_deleted_summary_is_refused(saved):
    (saved / "summary.json").unlink()
    with pytest.raises(ResultsError, match=r"summary\.json is missing"):
        Results.load(saved)


def test_missing_or_broken_folders_are_refused(tmp_path, saved):
    with pytest.raises(ResultsError, match="no such folder"):
        Results.load(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ResultsError, match="manifest.json is missing"):
        Results.load(tmp_path / "empty")
    (saved / "manifest.json").write_text("{not json")
    with pytest.raises(ResultsError, match="not valid JSON"):
        Results.load(saved)


def test_listed_file_missing_is_refused(tmp_path):
    r = make_results([1, 2])
    d = r.save(tmp_path / "run")
    (d / "figures").mkdir()
    (d / "figures" / "x.png").write_bytes(b"png")
    r.write_manifest(d)
    (d / "figures" / "x.png").unlink()
    with pytest.raises(ResultsError, match=r"figures/x\.png is listed in manifest.json but "
                                           "missing"):
        Results.load(d)
    # the report's own files may be rebuilt: they can be skipped, the data files cannot
    assert len(Results.load(d, ignore_derived=True).outcomes) == 2
    (d / "summary.json").write_text("{}")
    with pytest.raises(ResultsError, match="summary.json does not match"):
        Results.load(d, ignore_derived=True)


def test_existing_folder_is_not_overwritten_silently(saved):
    r = make_results([1])
    with pytest.raises(ResultsError, match="already holds results") as refused:
        r.save(saved)
    assert "save(..., overwrite=True) in Python, --force on the command line" in str(
        refused.value)
    r.save(saved, overwrite=True)
    assert len(Results.load(saved).outcomes) == 1


# ----- units, xarray, display ---------------------------------------------------------------
def test_units_in_attrs_and_parquet_metadata(saved):
    r = Results.load(saved)
    units = r.outcomes.attrs["units"]
    assert units["brent_mean_usd"] == "USD/bbl"
    assert units["tariff_cost_IN_busd"] == "USD bn over horizon"
    assert units["terms_North"] == "occupier share"
    assert units["killed"] == "people over horizon"
    assert units["param:actors.US.credibility"] == "probability"
    assert r.timeseries.attrs["units"]["brent_usd"] == "USD/bbl"
    assert r.timeseries.attrs["units"]["volume_mbd"] == "mb/d"
    assert r.outcomes.attrs["start"] == "2025-08-06"
    schema = pq.read_schema(saved / "outcomes.parquet")
    assert schema.field("brent_mean_usd").metadata[b"unit"] == b"USD/bbl"
    assert json.loads(schema.metadata[b"simulate.units"])["deal_day"].startswith("days")
    ts_schema = pq.read_schema(saved / "timeseries.parquet")
    assert json.loads(ts_schema.metadata[b"simulate.units"])["oil_revenue_musd"] == "USD M/day"


def test_unit_of_field_descriptions():
    assert unit_of("Brent at start, USD/bbl") == "USD/bbl"
    assert unit_of("mean lag of volume adjustment, days (cargoes booked ahead)") == "days"
    assert unit_of("probability of agreeing when a deal is possible") == "probability"
    assert unit_of("mean strikes per day") == "strikes per day"
    assert unit_of("", "lag_days") == "days"
    assert outcome_units(["volume_XX_mbd"])["volume_XX_mbd"].startswith("mb/d")


def test_parameter_columns_carry_the_units_of_the_report_s_parameter_table():
    """A sampled parameter's column has the unit its row in the report's parameter table
    shows (one lookup for both), e.g. a demand slope in mb/d per USD/bbl, not USD/bbl."""
    from simulate.report.params import parameter_rows
    from simulate.scenario import load_scenario
    s = load_scenario("aug2025")
    table = {row.key: row.unit for row in parameter_rows(s)}
    units = outcome_units([f"param:{k}" for k in s.uncertainty], s)
    assert units["param:actors.IN.buyers.reliance.demand_slope_mbd_per_usd"] == \
        "mb/d per USD/bbl"
    assert units["param:market.storage_capacity_mb"] == "mb"
    assert units["param:actors.IN.buyers.reliance.sanctions_exposure"] == "fraction"
    shared = [k for k in s.uncertainty if k in table]
    assert len(shared) > 50
    assert {k: units[f"param:{k}"] for k in shared} == {k: table[k] for k in shared}


def test_format_number_writes_whole_numbers_without_decimals():
    from simulate.results.units import format_number
    assert format_number(175.0) == "175"
    assert format_number(np.float64(713.0)) == "713"
    assert format_number(12345.0) == "12,345"
    assert format_number(175.25) == "175.2"  # fractions keep one decimal below 1000
    assert format_number(5.0) == "5.000"  # below 10 the table's 3 decimals stay
    assert format_number(0.5) == "0.500"
    assert format_number(-40.0) == "-40"
    assert format_number(0.0004) == "0.0004"   # plain decimals, at most two significant digits
    assert format_number(-0.000682) == "-0.00068"
    assert format_number(1.234e-7) == "0.00000012"
    assert format_number(float("nan")) == "n/a"


def test_a_percentage_is_the_tables_probability_written_in_percent():
    """0.1945 (389 of 2,000) is 0.195 in the table and 19.5% in the report's text, not 19.4%
    (100 * 0.1945 is 19.4499... in binary)."""
    from simulate.results.units import format_percent
    assert format_percent(0.1945) == "19.5"
    assert format_percent(0.1945, sign=True) == "+19.5"
    assert format_percent(-0.25, sign=True) == "-25.0"
    assert format_percent(-0.0001, sign=True) == "+0.0"   # no "-0.0"
    assert format_percent(0.5, decimals=0) == "50"
    assert format_percent(float("nan")) == "n/a"


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 10_000), st.integers(1, 10_000))
def test_percentages_and_table_numbers_round_alike(k, n):
    from decimal import Decimal

    from simulate.results.units import format_number, format_percent
    p = min(k, n) / n
    table = format_number(p)
    if p >= 0.001:
        assert Decimal(format_percent(p)) == Decimal(table) * 100


def test_outcomes_with_dates():
    r = make_results([2, None, 10], decision_days=[-1, 2, 2])
    o = r.outcomes_with_dates()
    assert o["deal_date"].isna().tolist() == [False, True, False]
    assert o["deal_date"].iloc[2] == pd.Timestamp("2025-08-16")
    assert o["deal_date"].iloc[0] == pd.Timestamp("2025-08-08")
    assert o["decision_date"].isna().tolist() == [True, False, False]
    assert "deal_date" not in r.outcomes  # the table itself is unchanged, with no NaN
    assert o.attrs["units"]["deal_date"].startswith("date")


class _Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.text: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text.append(data)


def test_repr_html_shows_identity_and_headline():
    r = make_results([1, None, 2, 3], seed=99)
    p = _Collect()
    p.feed(r._repr_html_())
    text = " ".join(p.text)
    for needle in ("handmade", "replicates", "4", "seed", "99", "P(deal within horizon",
                   "0.750", "95% CI of estimate", "5-95% of replicates",
                   "Russian oil export revenue", "USD bn over horizon"):
        assert needle in text
    assert "script" not in p.tags and "table" in p.tags
    assert "handmade" in repr(r) and "4 replicates" in repr(r)


# ----- comparisons --------------------------------------------------------------------------
def test_paired_differences_exact():
    a = make_results([1, None, None, 3], seed=5)
    b = make_results([1, 2, None, None], seed=5, offset=1.0)
    c = compare(a, b, labels=["base", "alt"])
    assert c.paired(1)
    d = c.differences().set_index("metric")
    # deal indicators: base 1,0,0,1 ; alt 1,1,0,0 -> differences 0,1,0,-1
    diff = np.array([0, 1, 0, -1], dtype=float)
    se = diff.std(ddof=1) / 2
    row = d.loc["deal_within_horizon"]
    assert row["difference"] == 0.0 and row["paired"] and row["se"] == pytest.approx(se)
    # Newcombe's paired score interval: one pair each of (1,1), (0,1), (1,0), (0,0)
    low, high = newcombe_paired(a=1, b=1, c=1, d=1)
    assert row["ci_low"] == pytest.approx(low) and row["ci_high"] == pytest.approx(high)
    assert low == pytest.approx(-high)
    # oil revenue differs by the offset in every replicate: zero-width paired interval
    rev = d.loc["oil_revenue"]
    assert rev["difference"] == pytest.approx(1.0) and rev["se"] == pytest.approx(0.0)
    t = c.table().set_index("metric")
    assert t.loc["deal_within_horizon", "base"] == 0.5
    assert t.loc["deal_within_horizon", "alt ci_high"] == pytest.approx(
        c.runs[1].summary().loc["deal_within_horizon", "ci_high"])
    assert "base" in c._repr_html_() and "alt" in repr(c)


def test_independent_differences_use_newcombe():
    a = make_results([1, None, None, None], seed=1)
    b = make_results([1, 2, 3, None], seed=2)
    c = Comparison([a, b], ["a", "b"])
    assert not c.paired(1)
    row = c.differences().set_index("metric").loc["deal_within_horizon"]
    assert row["difference"] == pytest.approx(0.5)
    # Newcombe hybrid score interval from the Wilson intervals of 3/4 and 1/4
    l1, u1, l2, u2 = 0.300642, 0.954413, 0.045587, 0.699358
    lo = 0.5 - math.sqrt((0.75 - l1) ** 2 + (u2 - 0.25) ** 2)
    hi = 0.5 + math.sqrt((u1 - 0.75) ** 2 + (0.25 - l2) ** 2)
    assert row["ci_low"] == pytest.approx(lo, abs=1e-5)
    assert row["ci_high"] == pytest.approx(hi, abs=1e-5)
    assert not row["paired"]
    # a mean of independent runs: Welch's se, sqrt(var_a / n_a + var_b / n_b), and Welch's t
    # quantile with Welch-Satterthwaite degrees of freedom
    rev = c.differences().set_index("metric").loc["oil_revenue"]
    xa, xb = a.outcomes["oil_revenue_busd"], b.outcomes["oil_revenue_busd"]
    va, vb = xa.var(ddof=1) / len(xa), xb.var(ddof=1) / len(xb)
    se = math.sqrt(va + vb)
    df = (va + vb) ** 2 / (va ** 2 / (len(xa) - 1) + vb ** 2 / (len(xb) - 1))
    assert rev["se"] == pytest.approx(se) and se > 0
    assert rev["ci_high"] - rev["difference"] == pytest.approx(stats.t.ppf(0.975, df) * se)


def test_compare_loads_folders_and_checks_labels(tmp_path):
    a = make_results([1, None]).save(tmp_path / "a")
    b = make_results([None, None]).save(tmp_path / "b")
    c = compare([a, b])
    assert c.labels == ["handmade #1", "handmade #2"]
    assert c.sources == [str(a), str(b)]
    with pytest.raises(ValueError, match="distinct"):
        compare(a, b, labels=["x", "x"])
    assert metric_values(c.runs[0], "terms_North") is None
    shutil.rmtree(b)
    with pytest.raises(ResultsError, match="no such folder"):
        compare(a, b)
