"""Figures: exact numbers of the data preparation on hand-built results, and every figure kind
rendering to PNG, PDF and SVG without a single warning."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from results_factory import HORIZON, make_results
from scipy import stats

import simulate.figures as sf
from simulate.errors import ResultsWarning
from simulate.execution.runner import run
from simulate.figures import (
    FIGURES,
    compare_outcomes_data,
    deal_probability_data,
    encode_all,
    fan_data,
    figure_kind,
    flows_data,
    kinds,
    render,
    tariff_cost_data,
    terms_data,
    wilson_interval,
)
from simulate.figures.styling import COLUMN_WIDTH, OKABE_ITO
from simulate.results.compare import compare

Z = 1.959963984540054


@pytest.fixture(scope="module")
def handmade():
    return make_results([2, 5, None, 5])


@pytest.fixture(scope="module")
def real():
    """A real run of the bundled scenario: small, but with deals, tariffs and kept series."""
    return run("scenarios/aug2025.yaml", replicates=200, keep_series=8, progress=False,
               counterfactual=False)


@pytest.fixture(scope="module")
def real_no_threat():
    return run("scenarios/aug2025_no_threat.yaml", replicates=200, keep_series=8,
               progress=False, counterfactual=False)


# ----- Wilson interval ----------------------------------------------------------------------
@pytest.mark.parametrize(("k", "n"), [(0, 4), (1, 4), (3, 4), (4, 4), (7, 300), (150, 300)])
def test_wilson_interval_matches_scipy(k, n):
    lo, hi = wilson_interval(k, n)
    ci = stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    assert lo == pytest.approx(ci.low, abs=1e-12)
    assert hi == pytest.approx(ci.high, abs=1e-12)


def test_wilson_interval_known_values():
    # textbook values (Newcombe 1998, table I style): 1/4 -> (0.0456, 0.6994)
    lo, hi = wilson_interval([0, 1, 3], [4, 4, 4])
    np.testing.assert_allclose(lo, [0.0, 0.0456, 0.3006], atol=5e-5)
    np.testing.assert_allclose(hi, [0.4899, 0.6994, 0.9544], atol=5e-5)
    lo0, hi0 = wilson_interval(0, 0)
    assert math.isnan(float(lo0)) and math.isnan(float(hi0))


# ----- deal probability ---------------------------------------------------------------------
def test_deal_probability_curve_exact(handmade):
    d = deal_probability_data(handmade)
    assert list(d.columns) == ["label", "scenario", "day", "date", "n", "deals", "p",
                               "ci_low", "ci_high"]
    assert list(d["day"]) == list(range(HORIZON + 1))
    # deals on days 2, 5, 5 (one replicate without a deal) out of 4
    assert list(d["deals"]) == [0, 0, 1, 1, 1, 3, 3, 3, 3, 3, 3]
    np.testing.assert_allclose(d["p"], [0, 0, .25, .25, .25, .75, .75, .75, .75, .75, .75])
    # Wilson by its closed form, at k = 0, 1, 3 of n = 4
    def wilson(k, n):
        p = k / n
        centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
        half = Z / (1 + Z * Z / n) * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n))
        return max(0.0, centre - half), min(1.0, centre + half)
    for day, k in ((0, 0), (2, 1), (5, 3), (10, 3)):
        row = d[d["day"] == day].iloc[0]
        lo, hi = wilson(k, 4)
        assert row["ci_low"] == pytest.approx(lo, abs=1e-12)
        assert row["ci_high"] == pytest.approx(hi, abs=1e-12)
    assert d.loc[d["day"] == 2, "ci_low"].iloc[0] == pytest.approx(0.0456, abs=5e-5)
    assert d.loc[d["day"] == 5, "ci_high"].iloc[0] == pytest.approx(0.9544, abs=5e-5)
    assert d["date"].iloc[0] == pd.Timestamp("2025-08-06")
    assert d["date"].iloc[-1] == pd.Timestamp("2025-08-16")
    assert (d["n"] == 4).all()


def test_deal_probability_overlays_runs_with_labels(handmade):
    other = make_results([None, None, 1, 9])
    d = deal_probability_data([handmade, other], labels=["threat", "none"])
    assert list(dict.fromkeys(d["label"])) == ["threat", "none"]
    last = d.groupby("label", sort=False)["p"].last()
    assert last["threat"] == 0.75 and last["none"] == 0.5
    assert list(d.loc[d["label"] == "none", "deals"]) == [0, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2]
    with pytest.raises(ValueError, match="labels"):
        deal_probability_data([handmade, other], labels=["one"])


def test_deal_probability_matches_summary_on_a_real_run(real):
    d = deal_probability_data(real)
    s = real.summary()
    last = d.iloc[-1]
    assert last["p"] == pytest.approx(s.loc["deal_within_horizon", "estimate"])
    assert last["ci_low"] == pytest.approx(s.loc["deal_within_horizon", "ci_low"])
    assert last["ci_high"] == pytest.approx(s.loc["deal_within_horizon", "ci_high"])
    day90 = d[d["day"] == 90].iloc[0]
    assert day90["p"] == pytest.approx(s.loc["deal_within_90d", "estimate"])
    assert (np.diff(d["p"]) >= 0).all()


# ----- fan charts ---------------------------------------------------------------------------
def test_fan_data_from_kept_replicates_exact():
    r = make_results([None] * 6, kept=5, series={"brent_usd": [60, 62, 64, 66, 68]})
    d = fan_data(r, "brent_usd")
    assert list(d.columns) == ["day", "date", "q05", "q25", "q50", "q75", "q95"]
    assert len(d) == HORIZON + 1
    # linear-interpolated quantiles of 60, 62, 64, 66, 68
    np.testing.assert_allclose(d["q05"], 60.4)
    np.testing.assert_allclose(d["q25"], 62.0)
    np.testing.assert_allclose(d["q50"], 64.0)
    np.testing.assert_allclose(d["q75"], 66.0)
    np.testing.assert_allclose(d["q95"], 67.6)
    assert d.attrs["from_bands"] is False and d.attrs["k"] == 5
    assert d.attrs["unit"] == "USD/bbl"
    assert "5 replicates" in d.attrs["source"] and "of 6" in d.attrs["source"]


def test_fan_data_per_importer():
    r = make_results([None] * 3, kept=3, series={"volume_mbd:IN": [1.0, 2.0, 4.0],
                                                 "volume_mbd:CN": [3.0, 3.0, 3.0]})
    np.testing.assert_allclose(fan_data(r, "volume_mbd", "IN")["q50"], 2.0)
    np.testing.assert_allclose(fan_data(r, "volume_mbd", "IN")["q25"], 1.5)
    np.testing.assert_allclose(fan_data(r, "volume_mbd", "CN")["q95"], 3.0)


def _bands(days, variable="brent_usd", actor="", stats_=None):
    stats_ = stats_ or {"q05": 1.0, "q25": 2.0, "q50": 3.0, "q75": 4.0, "q95": 5.0,
                        "mean": 3.5}
    rows = [{"day": d, "date": pd.Timestamp("2025-08-06") + pd.Timedelta(days=d),
             "variable": variable, "actor": actor, "stat": s, "value": v + d}
            for d in days for s, v in stats_.items()]
    return pd.DataFrame(rows)


def test_fan_data_prefers_bands_over_all_replicates():
    bands = _bands(range(HORIZON + 1))
    r = make_results([None] * 4, kept=2, bands=bands)
    d = fan_data(r, "brent_usd")
    assert d.attrs["from_bands"] is True and d.attrs["k"] == 4
    assert "all 4 replicates" in d.attrs["source"]
    np.testing.assert_allclose(d["q05"], 1.0 + np.arange(HORIZON + 1))
    np.testing.assert_allclose(d["q95"], 5.0 + np.arange(HORIZON + 1))
    # a series the bands lack falls back to the kept replicates
    assert fan_data(r, "urals_discount_usd").attrs["from_bands"] is False
    # bands without every quantile fall back too
    partial = _bands(range(HORIZON + 1), stats_={"q50": 3.0, "mean": 3.0})
    r2 = make_results([None] * 4, kept=2, bands=partial)
    assert fan_data(r2, "brent_usd").attrs["from_bands"] is False


def test_fan_data_without_series_is_empty():
    r = make_results([None] * 3, kept=0)
    d = fan_data(r, "brent_usd")
    assert len(d) == 0 and d.attrs["k"] == 0


# ----- flows, terms, tariff costs -----------------------------------------------------------
def test_flows_data_exact_means():
    r = make_results([None] * 4, kept=2, series={"volume_mbd:IN": [1.0, 2.0],
                                                 "volume_mbd:CN": [3.0, 5.0],
                                                 "discounted_mbd": [0.5, 0.25]})
    d = flows_data(r)
    assert list(dict.fromkeys(d["buyer"])) == ["IN", "CN", "rerouted"]
    means = d.groupby("buyer")["mbd"].unique()
    assert list(means["IN"]) == [1.5] and list(means["CN"]) == [4.0]
    assert list(means["rerouted"]) == [0.375]
    names = dict(zip(d["buyer"], d["name"], strict=False))
    assert names["CN"] == "China"  # parenthetical dropped
    assert d.attrs["unit"] == "mb/d" and d.attrs["k"] == 2


def test_flows_data_uses_band_means_when_present():
    bands = pd.concat([_bands(range(HORIZON + 1), "volume_mbd", imp) for imp in ("IN", "CN")]
                      + [_bands(range(HORIZON + 1), "discounted_mbd", "")])
    r = make_results([None] * 4, kept=1, bands=bands)
    d = flows_data(r)
    assert d.attrs["from_bands"] is True
    np.testing.assert_allclose(d.loc[d["buyer"] == "IN", "mbd"], 3.5 + np.arange(HORIZON + 1))


def test_terms_data_keeps_deals_only():
    r = make_results([3, None, 7], terms={"North": [0.7, 0.1, 0.9],
                                          "South": [0.3, 0.1, 0.5]})
    d = terms_data(r)
    assert d.attrs["deals"] == 2 and d.attrs["n"] == 3 and d.attrs["occupier"] == "RU"
    north = d[d["region"] == "North"]
    assert list(north["terms"]) == [0.7, 0.9] and list(north["replicate"]) == [0, 2]
    agg = d[d["region"] == "aggregate"]
    # weights North 1, South 3
    np.testing.assert_allclose(agg["terms"], [(0.7 + 3 * 0.3) / 4, (0.9 + 3 * 0.5) / 4])
    assert d.attrs["start_control"] == pytest.approx(
        {"North": 0.6, "South": 0.2, "aggregate": (0.6 + 3 * 0.2) / 4})


def test_tariff_cost_data_exact():
    r = make_results([None] * 4, tariff_costs={"IN": [0, 10, 0, 10], "CN": [0, 0, 0, 0]})
    d = tariff_cost_data(r).set_index("importer")
    assert d.loc["IN", "mean"] == 5.0
    se = np.std([0, 10, 0, 10], ddof=1) / 2
    assert d.loc["IN", "se"] == pytest.approx(se)
    t3 = stats.t.ppf(0.975, 3)  # Student t with n - 1 = 3 degrees of freedom
    assert d.loc["IN", "ci_low"] == pytest.approx(5.0 - t3 * se)
    assert d.loc["IN", "ci_high"] == pytest.approx(5.0 + t3 * se)
    assert d.attrs["interval"] == "Student-t 95% CI of the mean"
    assert d.loc["IN", "p_positive"] == 0.5
    assert d.loc["CN", "mean"] == 0 and d.loc["CN", "ci_high"] == 0
    assert d.loc["IN", "name"] == "India"


def test_compare_outcomes_data_filters_and_orders(handmade):
    other = make_results([None, None, None, 1], tariff_costs={"IN": [0] * 4, "CN": [0] * 4})
    d = compare_outcomes_data([handmade, other], labels=["a", "b"])
    metrics = list(dict.fromkeys(d["metric"]))
    assert metrics[:3] == ["deal_by_deadline", "deal_within_horizon", "threat_carried_out"]
    assert not any(m.startswith("terms_") for m in metrics)  # medians are not shown
    assert set(d["group"]) >= {"probability", "USD bn over horizon"}
    row = d[(d["metric"] == "deal_within_horizon") & (d["label"] == "b")].iloc[0]
    assert row["estimate"] == 0.25 and row["name"] == "P(deal within horizon, 10 days)"
    chosen = compare_outcomes_data([handmade, other], metrics=["oil_revenue"])
    assert list(chosen["label"]) == ["handmade #1", "handmade #2"]
    with pytest.raises(ValueError, match="not in the summaries"):
        compare_outcomes_data([handmade], metrics=["no such metric"])


# ----- rendering ------------------------------------------------------------------------------
MAGIC = {"png": b"\x89PNG\r\n\x1a\n", "pdf": b"%PDF-"}


def _render_clean(kind, subject, formats=("png", "pdf", "svg"), dpi=100):
    """Render with every warning turned into an error; check each file's magic bytes."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = render(kind, subject)
        data = encode_all(fig, formats, dpi=dpi)
    assert data["png"].startswith(MAGIC["png"])
    if "pdf" in data:
        assert data["pdf"].startswith(MAGIC["pdf"])
    if "svg" in data:
        assert b"<svg" in data["svg"][:2000]
    return fig


@pytest.mark.parametrize("kind", [k.name for k in kinds("run")])
def test_every_run_figure_renders_without_warnings(kind, real, handmade):
    for subject, formats in ((real, ("png", "pdf")), (handmade, ("png",))):
        fig = _render_clean(kind, subject, formats, dpi=72)
        w, _ = fig.get_size_inches()
        assert w == pytest.approx(COLUMN_WIDTH)
        captions = [t.get_text() for t in fig.texts]
        assert any("Source: simulate" in c and subject.scenario.name in c for c in captions)


@pytest.mark.parametrize("kind", [k.name for k in kinds("runs")])
def test_every_comparison_figure_renders_without_warnings(kind, real, real_no_threat):
    c = compare(real, real_no_threat)
    fig = _render_clean(kind, c, ("png", "pdf"), dpi=72)
    text = " ".join(t.get_text() for t in fig.texts)
    assert "aug2025_no_threat" in text


@pytest.mark.parametrize("kind", [k.name for k in kinds("run")])
def test_figures_render_edge_cases_without_warnings(kind):
    # one replicate, no deal, no daily series; then deals everywhere and no tariff at all
    for r in (make_results([None], kept=0),
              make_results([1, 1, 1], tariff_costs={"IN": [0] * 3, "CN": [0] * 3})):
        _render_clean(kind, r, ("png",), dpi=30)


def test_axis_labels_carry_units_and_time_axes_dates(real):
    ax = sf.brent(real)
    assert "USD/bbl" in ax.get_ylabel()
    assert "Date" in type(ax.xaxis.get_major_formatter()).__name__
    assert "mb/d" in sf.flows(real).get_ylabel()
    assert "USD M/day" in sf.oil_revenue(real).get_ylabel()
    assert "USD bn" in sf.tariff_costs(real).get_xlabel()
    assert "fraction" in sf.terms(real).get_xlabel()
    axes = sf.importer_volumes(real)
    titles = [a.get_title(loc="left") for a in axes]
    assert titles == ["China", "India", "Turkey", "European Union"]
    assert all(a.get_ylabel() == "mb/d" for a in axes)


def test_colours_are_okabe_ito(real):
    ax = sf.deal_probability(real)
    line = ax.get_lines()[0]
    assert line.get_color().upper() == OKABE_ITO["black"]  # one run: no actor's colour
    two = sf.deal_probability([real, real], labels=["a", "b"])
    assert [x.get_color().upper() for x in two.get_lines()[:2]] == \
        [OKABE_ITO["blue"], OKABE_ITO["vermillion"]]


def test_drawing_on_given_axes_returns_them_and_adds_no_caption(real, handmade):
    fig = Figure(figsize=(7, 3))
    ax1, ax2 = fig.subplots(1, 2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert sf.deal_probability(real, ax=ax1) is ax1
        assert sf.fan(real, "urals_discount_usd", ax=ax2) is ax2
        assert fig.texts == []
        encode_all(fig, ("png",), dpi=40)
        axes = list(Figure().subplots(2, 2).ravel())
        assert sf.importer_volumes(real, ax=axes) == axes
    with pytest.raises(ValueError, match="one Axes per importer"):
        sf.importer_volumes(real, ax=axes[:2])


def test_plot_accessor_has_every_kind(handmade, real):
    names = dir(handmade.plot)
    for k in kinds("run"):
        assert k.name in names
    assert isinstance(handmade.plot.deal_probability(), Axes)
    assert isinstance(handmade.plot("brent"), Axes)
    assert isinstance(real.plot.fan("volume_mbd", "CN"), Axes)
    assert "Cumulative probability" in handmade.plot.deal_probability.__doc__
    with pytest.raises(AttributeError, match="no figure kind"):
        _ = handmade.plot.no_such_figure
    with pytest.warns(ResultsWarning, match="different horizons"):
        c = compare(real, handmade)
    assert isinstance(c.plot.deal_probability(), Axes)
    assert len(c.plot.compare_outcomes()) >= 2


def test_new_kinds_slot_in_beside_the_others(handmade):
    @figure_kind("test_bars", subjects=("run",), title="Test bars", caption="A test.",
                 order=999)
    def test_bars(results, ax=None):
        fig = Figure()
        ax = ax or fig.subplots()
        ax.bar([0, 1], [1, 2])
        return ax

    try:
        assert FIGURES["test_bars"].title == "Test bars"
        assert kinds("run")[-1].name == "test_bars"
        assert isinstance(handmade.plot.test_bars(), Axes)
        with pytest.raises(ValueError, match="already registered"):
            figure_kind("test_bars", subjects=("run",), title="again")(test_bars)
    finally:
        del FIGURES["test_bars"]


def test_figures_are_reproducible_and_pdf_fonts_embedded(real):
    a = encode_all(render("deal_probability", real), ("png", "pdf", "svg"), dpi=60)
    b = encode_all(render("deal_probability", real), ("png", "pdf", "svg"), dpi=60)
    assert a == b
    # TrueType (Type 42) fonts, which journals accept, not Type 3
    assert b"/Subtype /Type3" not in a["pdf"] and b"/CIDFontType2" in a["pdf"]


def test_no_pyplot_state_is_touched(real):
    import matplotlib
    before = {k: str(v) for k, v in matplotlib.rcParams.items()}
    render("flows", real)
    encode_all(render("deal_probability", real), ("svg",), dpi=40)
    assert {k: str(v) for k, v in matplotlib.rcParams.items()} == before


def test_every_daily_series_has_an_axis_label():
    """A new output series gets a readable axis name, not its variable name."""
    from simulate.engines.record import SERIES
    from simulate.figures.timeseries import VARIABLE_LABELS
    assert [k for k in SERIES if k not in VARIABLE_LABELS] == []
