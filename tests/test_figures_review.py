"""Figures after the referee's review: split fans say how many kept replicates each regime has,
importer panels are split one by one and say so, legends explain every mark and fit, layers
and importers that are zero throughout are left out (the deadline label: see
test_figures_review3.py)."""

from __future__ import annotations

import matplotlib.colors as mcolors
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from results_factory import make_results

from simulate.figures import (
    compare_outcomes,
    fan,
    flows,
    get_kind,
    importer_volumes,
    mixture,
    tariff_costs,
    terms,
)
from simulate.figures.regimes import MIN_KEPT
from simulate.figures.styling import actor_color
from simulate.results.compare import compare


def _split(k=MIN_KEPT, extra=10, on="IN", kept=None):
    """2k kept replicates, the threat carried out in the odd ones; ``extra`` replicates more,
    all carried out, none kept (so the share over all replicates differs from the kept
    split). Importer ``on`` buys 0.5 mb/d when the threat is carried out and ~2 otherwise;
    the other importer follows one course."""
    n = 2 * k + extra
    kept = 2 * k if kept is None else kept
    decision = [2 if r % 2 or r >= 2 * k else -1 for r in range(n)]
    other = "CN" if on == "IN" else "IN"
    series = {f"volume_mbd:{on}": [0.5 if r % 2 else 2.0 + r / 1000 for r in range(kept)],
              f"volume_mbd:{other}": [1.0 + r / 1000 for r in range(kept)]}
    return make_results([None] * n, kept=kept, series=series, decision_days=decision)


def _texts(legend):
    return [t.get_text() for t in legend.get_texts()]


def _footer(fig):
    return " ".join(t.get_text() for t in fig.texts).replace("\n", " ")


# ----- 1. split fans: kept counts, not shares of all replicates ----------------------------------
def test_split_legend_gives_kept_count_per_regime_and_note_says_kept_only():
    r = _split()  # 30 of 50 replicates carried out; 20 / 20 of the 40 kept
    ax = fan(r, "volume_mbd", "IN")
    assert _texts(ax.get_legend()) == ["threat carried out (20 of 40 kept replicates)",
                                       "threat not carried out (20 of 40 kept replicates)"]
    note = _footer(ax.figure)
    assert "computed over the kept replicates of each regime" in note
    assert "20 threat carried out, 20 threat not carried out; 40 of 50 replicates kept" in note
    assert "over all 50 replicates, threat carried out in 60%" in note


def test_fewer_than_min_kept_in_a_regime_draws_pooled_bands():
    assert MIN_KEPT == 20
    r = _split(k=MIN_KEPT - 1)
    assert not mixture(r, "threat", "volume_mbd", "IN")
    ax = fan(r, "volume_mbd", "IN")
    assert _texts(ax.get_legend()) == ["median", "50% band", "90% band"]
    assert "Split by regime" not in _footer(ax.figure)
    kind = get_kind("importer_volumes")
    assert kind.data_source(r) == ("no panel split by regime; bands over the 38 replicates "
                                   "with daily series kept (of 48)")
    assert "split" not in kind.describe(r)
    assert "median and 50%/90% bands across replicates." in get_kind("brent").describe(r)


def test_figure_sources_say_which_replicates_are_drawn():
    r = _split()
    assert get_kind("deal_probability").data_source(r) == "all 50 replicates"
    assert get_kind("brent").data_source(r) == \
        "the 40 replicates with daily series kept (of 50)"  # ramps: regimes not apart
    assert get_kind("terms").data_source(make_results([1, None, 3])) == \
        "the 2 replicates with a deal (of 3)"
    oil = get_kind("oil_revenue")
    assert "one fan per regime" not in oil.describe(r)  # ramps: the regimes are not apart
    split = make_results([None] * 50, kept=40, decision_days=r.outcomes["decision_day"],
                         series={"oil_revenue_musd": [100.0 * (i % 2) for i in range(40)]})
    assert "one fan per regime" in oil.describe(split)
    assert oil.data_source(split).startswith("split by regime, bands over the kept replicates")
    caption = get_kind("importer_volumes").describe(_split(on="CN"))
    assert "split by whether the threat was carried out (solid or dashed medians), the " \
        "others pooled" in caption


# ----- 3. importer panels: split decided and described per panel -----------------------------
def test_importer_footer_describes_each_panel_and_every_panel_has_its_importers_colour():
    r = _split(on="CN")  # the second panel splits, the first does not
    axes = importer_volumes(r)
    note = _footer(axes[0].figure)
    assert "Split by whether the threat was carried out: China. Carried out: solid" in note
    assert "20 threat carried out, 20 threat not carried out; 40 of 50 replicates kept" in note
    assert "Not split: India. Median and 50%/90% bands over the 40 replicates" in note
    assert "Each panel in its importer's colour." in note
    india, china = axes
    def drawn(ax):  # the fans' lines, not the dotted deadline
        return {mcolors.to_hex(x.get_color()) for x in ax.get_lines()
                if x.get_linestyle() != ":"}
    assert drawn(india) == {actor_color("IN").lower()}
    assert drawn(china) == {actor_color("CN").lower()}
    styles = {x.get_label(): x.get_linestyle() for x in china.get_lines()}
    assert styles["threat carried out (20 of 40 kept replicates)"] == "-"
    assert styles["threat not carried out (20 of 40 kept replicates)"] == "--"
    legend = axes[0].figure.legends[0]
    assert _texts(legend) == ["median (panels not split)",
                              "threat carried out (20 of 40 kept replicates)",
                              "threat not carried out (20 of 40 kept replicates)"]


def test_importer_volumes_on_a_users_grid_hides_spare_axes_and_explains_all_lines():
    r = _split(on="CN")
    fig = Figure(figsize=(6, 5))
    grid = fig.subplots(2, 2)
    panels = importer_volumes(r, ax=grid)
    assert panels == [grid[0, 0], grid[0, 1]]
    holder, spare = grid[1, 0], grid[1, 1]
    assert not spare.get_visible() and not holder.axison
    assert _texts(holder.get_legend()) == [
        "median (panels not split)", "threat carried out (20 of 40 kept replicates)",
        "threat not carried out (20 of 40 kept replicates)"]
    assert panels[0].get_legend() is None and panels[1].get_legend() is None


# ----- 4. comparison legend -----------------------------------------------------------------
def test_compare_outcomes_legend_is_figure_level_and_fits():
    a = make_results([1, None, 3, None])
    b = make_results([None, None, 3, None], offset=-5)
    labels = ["aug2025", "aug2025_no_threat_long_label"]
    axes = compare_outcomes(compare(a, b, labels=labels))
    fig = axes[0].figure
    FigureCanvasAgg(fig).draw()
    assert axes[0].get_legend() is None and len(fig.legends) == 1
    legend = fig.legends[0]
    assert _texts(legend) == labels
    box, page = legend.get_window_extent(), fig.bbox
    assert page.x0 <= box.x0 and box.x1 <= page.x1 and box.y1 <= page.y1


# ----- 5. flows: no all-zero layers ---------------------------------------------------------
def test_flows_leaves_out_layers_that_are_zero_throughout():
    series = {"volume_mbd:IN": [1.0, 2.0], "volume_mbd:CN": [3.0, 5.0],
              "discounted_mbd": [0.0, 0.0]}
    r = make_results([None] * 4, kept=2, series=series)
    ax = flows(r)
    assert _texts(ax.get_legend()) == ["India", "China"]
    assert len(ax.collections) == 2
    assert "Not drawn (zero throughout): Others (rerouted at a discount)." in _footer(ax.figure)
    kind = get_kind("flows")
    assert "no crude was rerouted" in kind.describe(r) and "top layer" not in kind.describe(r)
    rerouted = make_results([None] * 4, kept=2, series={**series, "discounted_mbd": [0.5, 0]})
    assert _texts(flows(rerouted).get_legend())[-1] == "Others (rerouted at a discount)"
    assert "the top layer is crude sold to other buyers at a discount" in \
        kind.describe(rerouted)


# ----- 6. terms: every mark explained -------------------------------------------------------
def test_terms_legend_and_footer_explain_every_mark():
    ax = terms(make_results([2, 3, 4, 5]))
    assert _texts(ax.get_legend()) == ["one deal", "median", "middle 50%", "5-95%",
                                       "front line at start"]
    note = _footer(ax.figure)
    assert "4 deals in 4 replicates; ranges over the replicates with a deal" in note
    assert "Aggregate (grey): the regions' shares weighted by their weights" in note
    assert "Aggregate" in get_kind("terms").caption


# ----- 7. tariff costs: no importer that never pays -----------------------------------------
def test_tariff_costs_leave_out_importers_without_any_cost():
    r = make_results([None] * 4, tariff_costs={"IN": [0, 10, 0, 10], "CN": [0, 0, 0, 0]})
    ax = tariff_costs(r)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["India"]
    assert "Not shown (no tariff cost in any replicate): China." in _footer(ax.figure)


def test_a_fan_of_a_series_the_run_did_not_record_names_the_recorded_ones():
    """A misspelt series or an actor the series does not have is an error naming what the
    run recorded (it used to draw empty axes blaming outputs.keep_series)."""
    import pytest

    from simulate.errors import ResultsError

    r = _split()
    with pytest.raises(ResultsError, match=r"no daily series 'volum_mbd'.*did you mean "
                                           r"'volume_mbd'"):
        fan(r, "volum_mbd", "IN")
    with pytest.raises(ResultsError, match=r"'volume_mbd' for actor 'TR': expected one of its "
                                           r"actors 'CN', 'IN'"):
        fan(r, "volume_mbd", "TR")
    assert fan(r, "volume_mbd", "IN").has_data()
