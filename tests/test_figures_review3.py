"""Figures after the third review (a real 1,000-replicate run of aug2025): the deadline label
covers no data, the Urals series is named as the FOB discount, actors keep one colour in
every figure and regimes take none of theirs, long y labels fit split fans, a fan names the
actor of its series, the comparison shows the paired differences and says which rows it
leaves out."""

from __future__ import annotations

import warnings

import matplotlib.colors as mcolors
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.figure import Figure
from results_factory import make_results

from simulate.execution.runner import run
from simulate.figures import (
    compare_outcomes,
    deal_probability,
    encode_all,
    fan,
    flows,
    get_kind,
    importer_volumes,
    render,
    tariff_costs,
    terms,
)
from simulate.figures.comparison import NOT_IN_BOTH
from simulate.figures.comparison_data import (
    LEFT_OUT_MEDIANS,
    LEFT_OUT_ZERO,
    compare_outcomes_data,
)
from simulate.figures.regimes import MIN_KEPT, mixture
from simulate.figures.styling import (
    ACTOR_COLORS,
    DEADLINE_LABEL,
    GREY,
    NEUTRAL,
    OKABE_ITO,
    RUN_MARKERS,
    actor_color,
    run_marker,
)
from simulate.figures.timeseries import VARIABLE_LABELS
from simulate.results.compare import compare
from simulate.results.metrics import get_metric


def _hex(c) -> str:
    return mcolors.to_hex(c).lower()


def _footer(fig) -> str:
    return " ".join(t.get_text() for t in fig.texts).replace("\n", " ")


def _drawn(fig):
    """The figure laid out as when it is saved (:func:`encode_all`), then drawn again."""
    encode_all(fig, ("png",), dpi=60)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return canvas.get_renderer()


def _split(k=MIN_KEPT, on="IN", variable="volume_mbd"):
    """2k kept replicates of 2k + 10, the threat carried out in the odd ones and in the
    extra ones; ``variable`` of ``on`` is 0.5 when carried out and ~2 otherwise."""
    n = 2 * k + 10
    decision = [2 if r % 2 or r >= 2 * k else -1 for r in range(n)]
    key = f"{variable}:{on}" if on else variable
    series = {key: [0.5 if r % 2 else 2.0 + r / 1000 for r in range(2 * k)]}
    return make_results([None] * n, kept=2 * k, series=series, decision_days=decision)


@pytest.fixture(scope="module")
def real():
    """A small real run of aug2025 that keeps every replicate's series, so that the Urals
    discount and the oil revenue split by regime as in the reviewed 1,000-replicate run."""
    return run("scenarios/aug2025.yaml", replicates=120, keep_series=120, progress=False,
               counterfactual=False)


# ----- 1. the deadline label covers no data ---------------------------------------------------
def _deadline_label(ax):
    found = [t for t in ax.texts if t.get_text() == DEADLINE_LABEL]
    assert len(found) == 1
    return found[0]


@pytest.mark.parametrize("draw", [
    lambda r: fan(r, "brent_usd", split=False),
    lambda r: fan(r, "volume_mbd", "IN"),  # split: a two-row legend above the axes
    lambda r: flows(r),
    lambda r: deal_probability(r),
], ids=["fan", "split fan", "flows", "deal_probability"])
def test_deadline_label_sits_above_the_axes_on_no_box(draw):
    ax = draw(_split())
    renderer = _drawn(ax.figure)
    label = _deadline_label(ax)
    assert label.get_bbox_patch() is None  # nothing opaque behind it
    box = label.get_window_extent(renderer)
    data_area = ax.get_window_extent(renderer)
    assert box.y0 >= data_area.y1 - 0.5  # wholly above the plotting area
    assert not box.overlaps(ax.get_legend().get_window_extent(renderer))
    assert fig_contains(ax.figure, box)


def fig_contains(fig, box) -> bool:
    page = fig.bbox
    return page.x0 - 1 <= box.x0 and box.x1 <= page.x1 + 1 and \
        page.y0 - 1 <= box.y0 and box.y1 <= page.y1 + 1


def test_deadline_label_starts_at_the_deadline_line():
    ax = fan(_split(), "brent_usd", split=False)
    renderer = _drawn(ax.figure)
    label = _deadline_label(ax)
    deadline = next(x for x in ax.get_lines() if x.get_linestyle() == ":")
    x_line = ax.transData.transform((deadline.get_xdata()[0], 0))[0]
    assert abs(label.get_window_extent(renderer).x0 - x_line) < 3


def test_deadline_label_on_a_users_axes_is_outside_them_too():
    fig = Figure(figsize=(4, 3), layout="constrained")
    ax = fig.subplots()
    fan(_split(), "brent_usd", split=False, ax=ax)
    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.canvas.draw()
    label = _deadline_label(ax)
    assert label.get_bbox_patch() is None
    assert label.get_window_extent(renderer).y0 >= ax.get_window_extent(renderer).y1 - 0.5


def test_no_deadline_label_for_a_deadline_outside_the_run():
    s = make_results([None] * 4).scenario
    late = s.model_copy(update={"horizon_days": 1})  # deadline on day 2: after the end
    ax = fan(make_results([None] * 4, kept=4, scenario=late), "brent_usd", split=False)
    assert not [t for t in ax.texts if t.get_text() == DEADLINE_LABEL]


# ----- 2. the Urals series is the FOB discount --------------------------------------------------
def test_urals_series_and_metric_are_named_fob_discount():
    r = make_results([None] * 4, kept=4)
    assert VARIABLE_LABELS["urals_discount_usd"] == "Urals FOB discount to Brent"
    metric = get_metric(r.scenario, "urals_discount")
    assert metric.label == "Urals FOB discount to Brent (horizon mean)"
    assert r.summary().loc["urals_discount", "label"] == metric.label
    kind = get_kind("urals_discount")
    assert kind.title == "Urals FOB discount to Brent"
    assert "FOB" in kind.describe(r)
    ax = kind(r, split=False)
    assert ax.get_ylabel().replace("\n", " ") == "Urals FOB discount to Brent (USD/bbl)"


# ----- 3. one colour per actor, none of them for regimes or aggregates --------------------------
def _flows_colours(ax) -> dict[str, str]:
    layers = [c for c in ax.collections if isinstance(c, PolyCollection)]
    return {c.get_label(): _hex(c.get_facecolor()[0]) for c in layers}


def test_actor_colours_are_one_mapping_of_okabe_ito_and_never_black_or_grey():
    assert set(ACTOR_COLORS) >= {"CN", "IN", "TR", "EU", "US", "RU", "UA"}
    colours = list(ACTOR_COLORS.values())
    assert len(set(colours)) == len(colours)
    assert set(colours) <= set(OKABE_ITO.values())
    assert NEUTRAL not in colours and GREY not in colours
    assert actor_color("XX") == actor_color("XX") in colours  # an unknown id: stable


def test_the_same_actor_has_the_same_colour_in_flows_importer_and_tariff_figures(real):
    names = {"CN": "China", "IN": "India", "TR": "Turkey", "EU": "European Union"}
    in_flows = _flows_colours(flows(real))
    assert in_flows == {names[a]: actor_color(a).lower() for a in real.importers}
    for ax, imp in zip(importer_volumes(real), real.importers, strict=True):
        drawn = {_hex(x.get_color()) for x in ax.get_lines() if x.get_linestyle() != ":"}
        assert drawn == {actor_color(imp).lower()}, imp
        bands = {_hex(c.get_facecolor()[0][:3]) for c in ax.collections
                 if len(c.get_facecolor())} | {_hex(c.get_edgecolor()[0][:3])
                                               for c in ax.collections
                                               if c.get_hatch()}
        assert bands <= {actor_color(imp).lower(), "#000000"}, imp
    ax = tariff_costs(real)
    at = {round(float(y), 6): t.get_text()
          for y, t in zip(ax.get_yticks(), ax.get_yticklabels(), strict=True)}
    bars = {at[round(p.get_y() + p.get_height() / 2, 6)]: _hex(p.get_facecolor())
            for p in ax.patches}
    assert bars
    for name, colour in bars.items():
        imp = next(a for a, n in names.items() if n == name)
        assert colour == actor_color(imp).lower()


def test_regimes_and_aggregates_take_no_actor_colour(real):
    actor = {c.lower() for c in ACTOR_COLORS.values()}
    for name in ("urals_discount", "oil_revenue"):
        ax = render(name, real).axes[0]
        regime_lines = [x for x in ax.get_lines() if x.get_label().endswith(" replicates)")]
        assert len(regime_lines) == 2, name
        assert not {_hex(x.get_color()) for x in regime_lines} & actor
        assert {x.get_linestyle() for x in regime_lines} == {"-", "--"}  # told apart
        assert not {_hex(c.get_facecolor()[0][:3]) for c in ax.collections
                    if len(c.get_facecolor())} & actor
    ax = terms(real)
    assert not {_hex(c.get_facecolor()[0][:3]) for c in ax.collections
                if len(c.get_facecolor())} & actor
    assert "Aggregate (grey)" in _footer(ax.figure)
    # split regimes in an actor's panel stay in the actor's colour, told apart by style
    ax = fan(_split(), "volume_mbd", "IN")
    assert {_hex(x.get_color()) for x in ax.get_lines() if x.get_linestyle() != ":"} == \
        {actor_color("IN").lower()}


# ----- 4. long y labels fit split fans ----------------------------------------------------------
@pytest.mark.parametrize(("name", "variable"), [("urals_discount", "urals_discount_usd"),
                                              ("oil_revenue", "oil_revenue_musd")])
def test_split_fan_y_label_fits_beside_the_axes_and_axes_keep_most_of_the_figure(real, name,
                                                                                 variable):
    assert mixture(real, "threat", variable)  # drawn split, as in the reviewed run
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = render(name, real)
        renderer = _drawn(fig)
    ax = fig.axes[0]
    label = ax.yaxis.label.get_window_extent(renderer)
    area = ax.get_window_extent(renderer)
    assert fig_contains(fig, label)
    assert area.y0 - 0.5 <= label.y0 and label.y1 <= area.y1 + 0.5, (label, area)
    caption = next(t for t in fig.texts if t.get_text().startswith("Source"))
    assert label.y0 > caption.get_window_extent(renderer).y1  # clear of the footer
    assert area.height >= 0.5 * fig.bbox.height, (area.height, fig.bbox.height)
    assert ax.get_legend() is not None and len(ax.get_legend().get_texts()) == 2  # two rows


# ----- 5. a fan names its actor -----------------------------------------------------------------
def test_fan_names_the_actor_or_region_and_gives_the_unit_once():
    r = _split()
    ax = fan(r, "volume_mbd", "IN", split=False)
    assert ax.get_ylabel().replace("\n", " ") == "India: Russian crude imports (mb/d)"
    control = fan(make_results([None] * 4, kept=4), "control", "North")
    assert control.get_ylabel().replace("\n", " ") == "North: Occupier's share"
    assert "occupier share" not in control.get_ylabel()
    assert fan(r, "brent_usd", split=False).get_ylabel() == "Brent (USD/bbl)"
    # a title that already names the actor: the label does not repeat it
    titled = fan(r, "volume_mbd", "IN", split=False, title="India")
    assert titled.get_ylabel().replace("\n", " ") == "Russian crude imports (mb/d)"


# ----- 6. the comparison shows the paired differences ------------------------------------------
def _pair():
    a = make_results([1, None, 3, None, 2, None], tariff_costs={"CN": [0] * 6})
    b = make_results([None, None, 3, None, 2, 4], offset=-5, tariff_costs={"CN": [0] * 6})
    return compare(a, b, labels=["threat", "no threat"])


def _points(ax):
    """(estimate x, interval (lo, hi)) of each marker drawn, top to bottom."""
    dots = [(x, y) for line in ax.get_lines() if line.get_marker() in RUN_MARKERS
            for x, y in zip(line.get_xdata(), line.get_ydata(), strict=True)]
    segs = [s for c in ax.collections if isinstance(c, LineCollection)
            for s in c.get_segments()]
    intervals = {round(float(s[0][1]), 9): (float(s[0][0]), float(s[1][0])) for s in segs}
    return [(float(x), intervals[round(float(y), 9)])
            for x, y in sorted(dots, key=lambda p: -p[1])]


def test_difference_panels_draw_the_compare_tables_differences_with_a_zero_line():
    c = _pair()
    axes = compare_outcomes(c)
    table = c.differences()
    data = compare_outcomes_data(c)
    groups = list(dict.fromkeys(data["group"]))
    assert len(axes) == 2 * len(groups)
    drawn = []
    for group, panel in zip(groups, axes[1::2], strict=True):
        zero = [x for x in panel.get_lines() if x.get_linestyle() == ":"]
        assert len(zero) == 1 and list(zero[0].get_xdata()) == [0, 0]
        drawn += _points(panel)
        shown = [m for m in dict.fromkeys(data.loc[data["group"] == group, "metric"])]
        assert [t for t in panel.texts if t.get_text() == NOT_IN_BOTH] == [] or \
            any(m not in set(table["metric"]) for m in shown)
    rows = table[table["metric"].isin(set(data["metric"]))]
    expected = [(d, (lo, hi)) for d, lo, hi in
                rows[["difference", "ci_low", "ci_high"]].itertuples(index=False)]
    assert len(drawn) == len(expected)
    np.testing.assert_allclose(np.array([[d, *i] for d, i in drawn]),
                               np.array([[d, *i] for d, i in expected]), rtol=1e-12)
    assert axes[1].get_title(loc="left") == "Difference from threat"


def test_runs_are_told_apart_by_marker_shape_as_well_as_colour():
    """Run colours come from the palette the actors use, so each run also has its own
    marker: in the levels panels, in the differences panel and in the legend."""
    c = _pair()
    axes = compare_outcomes(c)
    for panel in axes[::2]:
        shapes = {ln.get_marker() for ln in panel.get_lines()}
        assert shapes == {run_marker(0), run_marker(1)} and run_marker(0) != run_marker(1)
    assert {ln.get_marker() for ln in axes[1].get_lines()
            if ln.get_linestyle() != ":"} == {run_marker(1)}
    legend = axes[0].figure.legends[0]
    assert [h.get_marker() for h in legend.legend_handles] == [run_marker(0), run_marker(1)]
    assert "one shape per run" in _footer(axes[0].figure)


def test_comparison_footer_names_the_rows_left_out_and_why():
    c = _pair()
    axes = compare_outcomes(c)
    note = _footer(axes[0].figure)
    left_out = compare_outcomes_data(c).attrs["left_out"]
    assert left_out[LEFT_OUT_MEDIANS] == ["Terms in a deal: North", "Terms in a deal: South",
                                          "Terms in a deal: all regions (weighted)"]
    assert left_out[LEFT_OUT_ZERO] == ["Tariff cost CN: lost exports to the US"]
    assert ("Not shown: Terms in a deal: North, South, all regions (weighted) (medians over "
            "the deals, not a probability or mean); Tariff cost CN: lost exports to the US "
            "(zero in every run).") in note
    assert "paired on common random numbers" in note
    shown = {t.get_text() for a in axes[::2] for t in a.get_yticklabels()}
    assert not shown & {"Terms in a deal: North", "Tariff cost CN: lost exports to the US"}


def test_comparison_on_a_users_axes_levels_only_or_both():
    c = _pair()
    groups = list(dict.fromkeys(compare_outcomes_data(c)["group"]))
    fig = Figure()
    one = list(fig.subplots(len(groups), 1).ravel())
    assert compare_outcomes(c, ax=one) == one
    assert all(not any(x.get_linestyle() == ":" for x in a.get_lines()) for a in one)
    both = list(Figure().subplots(len(groups), 2).ravel())
    assert compare_outcomes(c, ax=both) == both
    with pytest.raises(ValueError, match="two Axes per unit group"):
        compare_outcomes(c, ax=one, differences=True)


@pytest.mark.parametrize("owned", [True, False])
def test_a_title_sits_above_the_deadline_label_and_below_the_legend(owned):
    if owned:
        ax = fan(_split(), "brent_usd", split=False, title="Brent")
        renderer = _drawn(ax.figure)
    else:
        fig = Figure(figsize=(4, 3), layout="constrained")
        ax = fig.subplots()
        fan(_split(), "brent_usd", split=False, title="Brent", ax=ax)
        renderer = FigureCanvasAgg(fig).get_renderer()
        fig.canvas.draw()
    label = _deadline_label(ax).get_window_extent(renderer)
    title = ax.title.get_window_extent(renderer)
    assert title.y0 >= label.y1 - 0.5
    if owned:
        assert ax.get_legend().get_window_extent(renderer).y0 >= title.y1 - 0.5
