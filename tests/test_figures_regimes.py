"""Figures that respect the ensemble's structure: regime-split fans (exact numbers of the
data preparation), spaghetti of kept replicates, shared y-axes, dates with the year,
legends that match, optional footers, clean drawing into a caller's axes."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from results_factory import HORIZON, make_results

from simulate.figures import (
    deal_probability,
    fan,
    importer_volumes,
    mixture,
    paths_data,
    regime_fan_data,
    render,
    terms,
)
from simulate.figures.regimes import MIN_KEPT, apart


def _mixed(n_kept=6):
    """8 replicates; the threat is carried out in the odd ones (decision_day 2). The kept
    replicates' volume_mbd of IN is 0.5 when carried out and 2.0 (plus r/100) otherwise."""
    reps = range(n_kept)
    volumes = [0.5 if r % 2 else 2.0 + r / 100 for r in reps]
    return make_results([2, 5, None, 5, None, None, 3, None], kept=n_kept,
                        series={"volume_mbd:IN": volumes},
                        decision_days=[-1, 2, -1, 2, -1, 2, -1, 2])


def _big(k=MIN_KEPT, extra=0):
    """2k kept replicates, the threat carried out in the odd ones (volume_mbd of IN 0.5)
    and not in the even ones (2.0 + r/1000); ``extra`` more replicates, all carried out and
    none kept."""
    n = 2 * k + extra
    decision = [2 if r % 2 or r >= 2 * k else -1 for r in range(n)]
    volumes = [0.5 if r % 2 else 2.0 + r / 1000 for r in range(2 * k)]
    return make_results([None] * n, kept=2 * k, series={"volume_mbd:IN": volumes},
                        decision_days=decision)


def test_regime_fan_data_exact_quantiles_per_regime():
    r = _mixed()
    d = regime_fan_data(r, "volume_mbd", "IN", by="threat")
    on = d[d["regime"]]
    off = d[~d["regime"]]
    assert set(on["label"]) == {"threat carried out"}
    assert set(off["label"]) == {"threat not carried out"}
    assert (on["k"] == 3).all() and (off["k"] == 3).all()
    assert on["share"].iloc[0] == 0.5 and off["share"].iloc[0] == 0.5
    assert len(on) == HORIZON + 1
    assert (on["q50"] == 0.5).all() and (on["q05"] == 0.5).all()
    # kept replicates 0, 2, 4 without the threat: 2.00, 2.02, 2.04 (numpy linear quantiles)
    assert off["q50"].iloc[0] == pytest.approx(2.02)
    assert off["q25"].iloc[0] == pytest.approx(2.01)
    assert off["q05"].iloc[0] == pytest.approx(2.002)
    assert off["q95"].iloc[0] == pytest.approx(2.038)
    assert d.attrs["k"] == 6 and d.attrs["n"] == 8 and d.attrs["unit"] == "mb/d"


def test_regimes_by_deal():
    r = _mixed()
    d = regime_fan_data(r, "volume_mbd", "IN", by="deal")
    # deals in replicates 0, 1, 3, 6 of 8; kept 0..5 -> deal: 0, 1, 3; none: 2, 4, 5
    assert d.loc[d["regime"], "k"].iloc[0] == 3
    assert d.loc[d["regime"], "share"].iloc[0] == 0.5
    assert d.loc[~d["regime"], "q50"].iloc[0] == pytest.approx(2.02)  # 2.02, 2.04, 0.5
    with pytest.raises(ValueError, match="by"):
        regime_fan_data(r, "volume_mbd", "IN", by="moon")


def test_mixture_needs_both_regimes_in_share_and_kept():
    assert mixture(_big(), "threat", "volume_mbd", "IN")
    # all replicates carried out: one regime only
    one = make_results([2, None, None, 5], kept=4, decision_days=[2, 2, 2, 2])
    assert not mixture(one, "threat")
    # a mixture in the outcomes, but fewer kept replicates than MIN_KEPT in a regime
    assert not mixture(_big(MIN_KEPT - 1), "threat", "volume_mbd", "IN")
    assert not mixture(_mixed(), "threat", "volume_mbd", "IN")
    assert not mixture(make_results([2, 3], kept=0), "threat")


def test_mixture_of_a_series_needs_regimes_whose_bands_are_apart():
    # brent_usd of the kept replicates is 0.1 * day + replicate in both regimes
    r = _big()
    d = regime_fan_data(r, "brent_usd", "", by="threat")
    assert apart(d) == 0.0  # kept odd vs even replicates: gap 1, mean IQR 19
    assert mixture(r, "threat") and not mixture(r, "threat", "brent_usd", "")
    assert apart(regime_fan_data(_mixed(), "volume_mbd", "IN")) == 1.0


def test_paths_data_is_the_kept_matrix():
    r = _mixed()
    wide = paths_data(r, "volume_mbd", "IN")
    assert list(wide.columns) == [0, 1, 2, 3, 4, 5]
    assert len(wide) == HORIZON + 1 and str(wide.index[0])[:10] == "2025-08-06"
    assert wide[1].tolist() == [0.5] * (HORIZON + 1)
    assert wide[4].iloc[3] == pytest.approx(2.04)


def test_fan_splits_by_default_on_a_mixture_and_not_otherwise():
    r = _big()
    ax = fan(r, "volume_mbd", "IN")
    labels = ax.get_legend().get_texts()
    # two rows: each regime's key shows its median over its bands
    assert [t.get_text() for t in labels] == ["threat carried out (20 of 40 kept replicates)",
                                             "threat not carried out (20 of 40 kept replicates)"]
    assert "Split by regime" in " ".join(t.get_text() for t in ax.figure.texts).replace(
        "\n", " ")
    plain = fan(r, "volume_mbd", "IN", split=False)
    assert [t.get_text() for t in plain.get_legend().get_texts()] == \
        ["median", "50% band", "90% band"]
    with_paths = fan(r, "volume_mbd", "IN", split=False, paths=True)
    # one line per kept replicate, plus the median and the legend's proxy line
    assert len(with_paths.get_lines()) >= 40 + 2


def test_footer_option_and_default_off_on_given_axes():
    r = _mixed()
    assert render("deal_probability", r).texts  # own figure: footer by default
    assert render("deal_probability", r, footer=False).texts == []
    fig = Figure()
    ax = fig.subplots()
    assert deal_probability(r, ax=ax) is ax and fig.texts == []
    deal_probability(r, ax=ax, footer=True)
    assert any("Source: simulate" in t.get_text() for t in fig.texts)


def test_drawing_into_a_users_axes_keeps_legend_inside():
    r = _mixed()
    fig = Figure(figsize=(4, 3))
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fan(r, "volume_mbd", "IN", ax=ax, split=False)
        fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    legend = ax.get_legend().get_window_extent(renderer)
    box = ax.get_window_extent(renderer)
    assert box.x0 <= legend.x0 and legend.x1 <= box.x1
    assert box.y0 <= legend.y0 and legend.y1 <= box.y1


def test_deal_probability_legend_swatch_matches_the_band():
    r = _mixed()
    ax = deal_probability(r)
    band = next(c for c in ax.collections if c.get_alpha() == 0.2)
    swatch = ax.get_legend().legend_handles[-1]
    assert np.allclose(swatch.get_facecolor()[:3], band.get_facecolor()[0][:3])
    assert swatch.get_alpha() == band.get_alpha()


def test_date_axes_carry_the_year():
    short = fan(_mixed(), "volume_mbd", "IN", split=False)  # 10 days: ticks are days
    FigureCanvasAgg(short.figure).draw()
    assert short.xaxis.get_major_formatter().get_offset() == "2025"
    real = make_results([2, None], scenario=None)
    s = real.scenario.model_copy(update={"horizon_days": 300})
    long = fan(make_results([2, None], scenario=s), "brent_usd", "", split=False)
    FigureCanvasAgg(long.figure).draw()
    labels = [t.get_text() for t in long.get_xticklabels() if t.get_text()]
    assert labels and all("'2" in x or x.startswith("20") for x in labels), labels


def test_importer_panels_share_one_scale_by_default():
    r = _mixed()
    axes = importer_volumes(r)
    tops = {a.get_ylim() for a in axes}
    assert len(tops) == 1 and next(iter(tops))[0] == 0
    free = importer_volumes(r, sharey=False, split=False)
    assert len({a.get_ylim() for a in free}) == 2


def test_terms_dots_at_full_control_are_not_clipped():
    r = make_results([2, 3, 4, 5], terms={"North": [1.0, 1.0, 0.99, 1.0]})
    ax = terms(r)
    assert ax.get_xlim()[1] > 1.0


@pytest.mark.parametrize("name", ["deal_probability", "brent", "urals_discount",
                                  "oil_revenue", "flows", "terms", "tariff_costs"])
def test_every_single_axes_figure_fits_inside_a_users_figure(name):
    from simulate.figures import get_kind
    r = _mixed()
    fig = Figure(figsize=(4, 3), layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert get_kind(name)(r, ax=ax) is ax
        fig.canvas.draw()
    assert fig.texts == []  # no footer on the caller's figure unless asked
    renderer = fig.canvas.get_renderer()
    page = fig.bbox
    parts = [ax.xaxis.label, ax.yaxis.label]
    if ax.get_legend() is not None:
        parts.append(ax.get_legend())
    for part in parts:
        box = part.get_window_extent(renderer)
        if box.width and box.height:
            assert page.x0 - 1 <= box.x0 and box.x1 <= page.x1 + 1, (name, part)
            assert page.y0 - 1 <= box.y0 and box.y1 <= page.y1 + 1, (name, part)
