"""Layout and labels of the experiment figures (simulate.figures.experiments): every text
inside the figure, readable labels with units, probability bands inside [0, 1], tick labels
that do not overlap, empty heat-map cells marked, many policies readable."""

from __future__ import annotations

import itertools

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text

from simulate.experiments.experiment import Experiment
from simulate.experiments.robust import robust
from simulate.experiments.sensitivity import Sensitivity
from simulate.figures import experiments as fx
from simulate.scenario import bundled_scenarios, load_scenario

RATE = "actors.US.threat.secondary_tariff.rate"
DEADLINE = "actors.US.deadline"
EXTENSION = "actors.US.extension_probability"
SHARE = "actors.US.threat.company_sanctions.share"
CREDIBILITY = "actors.US.credibility"
STATES = ["actors.US.credibility", "actors.RU.resolve", "actors.UA.resolve",
          "actors.RU.sanctions_sensitivity", "market.threat_loss_ratio"]
OUTCOMES = ["deal_within_180d", "russia_revenue_6m", "india_volume_feb"]


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(bundled_scenarios()["experiments/aug2025_policies"][0])


def _experiment(scenario, design: pd.DataFrame, estimates: dict[str, np.ndarray],
                levers: list[str], states: list[str], se: float = 0.01) -> Experiment:
    design = design.reset_index(drop=True)
    design.insert(0, "point", np.arange(len(design)))
    rows = []
    for name, est in estimates.items():
        kind = "probability" if name.startswith("deal") else "mean"
        rows.append(pd.DataFrame({"point": design["point"], "outcome": name, "kind": kind,
                                  "estimate": est, "se": se, "ci_low": est - 2 * se,
                                  "ci_high": est + 2 * se, "n": 200}))
    stats = pd.concat(rows, ignore_index=True)
    numeric = {k: pd.api.types.is_numeric_dtype(design[k]) for k in [*levers, *states]}
    factors = ([{"key": k, "kind": "lever", "numeric": numeric[k]} for k in levers]
               + [{"key": k, "kind": "uncertainty", "numeric": numeric[k]} for k in states])
    return Experiment(scenario, design, stats, pd.DataFrame(), {}, factors=factors,
                      outcomes=list(estimates),
                      binary=[n for n in estimates if n.startswith("deal")])


@pytest.fixture(scope="module")
def lhs(scenario):
    """16 Latin-hypercube points over the policies file's factors (deadline as text)."""
    rng = np.random.default_rng(3)
    n = 16
    design = pd.DataFrame({
        RATE: rng.choice([0.25, 0.5, 1.0], n), DEADLINE: rng.choice(["+2d", "+30d", "+90d"], n),
        EXTENSION: rng.choice([0.0, 0.5, 1.0], n), SHARE: rng.choice([0.0, 0.57], n)})
    for k in STATES:
        design[k] = (rng.permutation(n) + rng.uniform(size=n)) / n
    deal = np.where(design[RATE] == 0.25, np.r_[0.3, np.zeros(n - 1)], 0.03)
    deal = np.clip(deal + 0.01 * rng.uniform(size=n), 0, 1)
    return _experiment(scenario, design, {"deal_within_180d": deal,
                                          "russia_revenue_6m": 40 + 5 * rng.uniform(size=n),
                                          "india_volume_feb": 1.6 + 0.2 * rng.uniform(size=n)},
                       [RATE, DEADLINE, EXTENSION, SHARE], STATES)


def _draw(ax) -> Figure:
    fig = ax.figure
    FigureCanvasAgg(fig)
    fig.canvas.draw()
    return fig


def _shown_ticks(axis) -> list[Text]:
    """The tick labels drawn: those of ticks inside the view interval."""
    lo, hi = sorted(axis.get_view_interval())
    eps = 1e-9 * max(1.0, abs(hi - lo))
    return [t for loc, t in zip(axis.get_ticklocs(), axis.get_ticklabels(), strict=True)
            if lo - eps <= loc <= hi + eps]


def _texts(fig: Figure) -> list[Text]:
    """Every text drawn: titles, axis and tick labels, legends, colour bars, captions."""
    out: list[Text] = list(fig.texts)
    for ax in fig.axes:
        out += [ax.xaxis.label, ax.yaxis.label, *_shown_ticks(ax.xaxis), *_shown_ticks(ax.yaxis)]
        out += [c for c in ax.get_children() if isinstance(c, Text)]  # titles, notes
        if ax.get_legend() is not None:
            out += ax.get_legend().get_texts()
    for legend in fig.legends:
        out += legend.get_texts()
    suptitle = getattr(fig, "_suptitle", None)
    if suptitle is not None:
        out.append(suptitle)
    return [t for t in out if t.get_visible() and t.get_text().strip()]


def _assert_inside(fig: Figure) -> None:
    renderer = fig.canvas.get_renderer()
    page = fig.bbox
    texts = _texts(fig)
    assert texts
    for t in texts:
        box = t.get_window_extent(renderer)
        assert page.x0 - 1 <= box.x0 and box.x1 <= page.x1 + 1, t.get_text()
        assert page.y0 - 1 <= box.y0 and box.y1 <= page.y1 + 1, t.get_text()


def _morris(n_factors: int = 9) -> Sensitivity:
    keys = [RATE, DEADLINE, EXTENSION, SHARE, *STATES][:n_factors]
    rng = np.random.default_rng(0)
    mu = rng.uniform(0, 1, n_factors)
    table = pd.DataFrame({"factor": keys, "mu": mu, "mu_star": mu, "mu_star_conf": 0.1 * mu,
                          "sigma": 0.5 * mu, "noise_floor": 0.08, "sigma_corrected": 0.0})
    return Sensitivity("morris", "deal_within_365d", table, pd.DataFrame(), np.zeros(1),
                       np.zeros(1), 0.02)


# ----- 1. sensitivity indices ---------------------------------------------------------------
def test_indices_figure_keeps_every_text_inside_and_labels_factors_in_words():
    sens = _morris()
    ax = sens.plot()
    fig = _draw(ax)
    _assert_inside(fig)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert len(labels) == 9
    assert not any("." in s or "_" in s for s in labels), labels
    assert "US threat secondary tariff" in labels[0]
    title = fig.get_suptitle()
    assert "P(deal within 365 days)" in title and "2%" in " ".join(title.split())
    assert "range" in ax.get_xlabel()
    # the figure grows with the factors
    assert fig.get_size_inches()[1] > _draw(_morris(3).plot()).get_size_inches()[1]


def test_indices_of_sobol_fit_too():
    keys = [RATE, DEADLINE, *STATES]
    table = pd.DataFrame({"factor": keys, **{c: 0.2 for c in (
        "S1", "S1_conf", "ST", "ST_conf", "S1_corrected", "S1_conf_corrected", "ST_corrected",
        "ST_conf_corrected")}})
    sens = Sensitivity("sobol", "russia_revenue_6m", table, pd.DataFrame(), np.zeros(1),
                       np.zeros(1), 0.4)
    fig = _draw(sens.plot())
    _assert_inside(fig)
    assert "replicate noise removed" in " ".join(fig.axes[0].get_xlabel().split())


def test_indices_on_a_callers_axes_keep_the_title_on_the_axes():
    fig = Figure(figsize=(6, 4))
    ax = fig.subplots()
    assert _morris().plot(ax=ax) is ax
    assert "replicate noise" in ax.get_title(loc="left") + ax.get_title()
    assert ax.get_legend() is not None and fig.legends == []


# ----- 2. regret of many policies -----------------------------------------------------------
@pytest.fixture(scope="module")
def crossed(scenario):
    """54 policies (the policies file's four levers) x 4 states of the world."""
    grid = list(itertools.product([0.25, 0.5, 1.0], ["+2d", "+30d", "+90d"], [0.0, 0.5, 1.0],
                                  [0.0, 0.57], range(4)))
    design = pd.DataFrame(grid, columns=[RATE, DEADLINE, EXTENSION, SHARE, CREDIBILITY])
    design[CREDIBILITY] = design[CREDIBILITY] / 4 + 0.1
    rng = np.random.default_rng(1)
    n = len(design)
    return _experiment(scenario, design, {"deal_within_180d": rng.uniform(0, 0.2, n),
                                          "russia_revenue_6m": 40 + 5 * rng.uniform(size=n)},
                       [RATE, DEADLINE, EXTENSION, SHARE], [CREDIBILITY])


def test_regret_of_many_policies_is_readable(crossed):
    rob = robust(crossed, "deal_within_180d")
    assert len(rob.table) == 54
    ax = rob.plot()
    fig = _draw(ax)
    _assert_inside(fig)
    assert ax.get_position().width >= 0.5
    labels = [t.get_text().replace("\n", " ") for t in ax.get_yticklabels()]
    assert labels == list(rob.table["policy"][:15])
    note = " ".join((ax.get_title(loc="left") + ax.get_title()).split())
    assert "15 of 54 policies" in note and "4 states" in note
    assert "(probability)" in ax.get_xlabel()
    assert fig.get_size_inches()[1] < 8
    everything = fx.plot_regret(rob, top=None)
    assert len(everything.get_yticklabels()) == 54


def test_regret_names_the_outcomes_unit(crossed, scenario):
    rob = robust(crossed, "russia_revenue_6m", maximize=False)
    unit = fx.outcome_unit("russia_revenue_6m", scenario)
    assert unit == "USD bn"
    ax = fx.plot_regret(rob, unit=unit)
    fig = _draw(ax)
    _assert_inside(fig)
    assert "(USD bn)" in " ".join(ax.get_xlabel().split())
    assert "excess over" in " ".join(ax.get_xlabel().split())
    # robust() carries the unit itself: its own plot names it without being told
    assert rob.unit == "USD bn"
    assert "(USD bn)" in " ".join(rob.plot().get_xlabel().split())


# ----- 3. an outcome against a lever ------------------------------------------------------
def test_probability_band_stays_between_0_and_1_and_is_explained(lhs):
    t = lhs.table("deal_within_180d")
    low = t[t[RATE] == 0.25]
    # the old band, mean - 1.96 sqrt(se^2/k + spread^2/k), went below 0 here
    k = len(low)
    assert low["estimate"].mean() - 1.96 * np.sqrt(
        (0.01 ** 2 + low["estimate"].var()) / k) < 0
    ax = lhs.plot.lever(RATE, "deal_within_180d")
    fig = _draw(ax)
    _assert_inside(fig)
    bands = [c for c in ax.collections if len(c.get_paths())]
    assert bands
    for band in bands:
        y = np.concatenate([p.vertices[:, 1] for p in band.get_paths()])
        assert y.min() >= 0.0 and y.max() <= 1.0
    assert ax.get_ylabel() == "P(deal within 180 days)"
    assert ax.get_xlabel() == "US threat secondary tariff rate (fraction)"
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any("95% interval" in s for s in legend)
    caption = " ".join(" ".join(t.get_text().split()) for t in fig.texts)
    assert "Band: 95% interval" in caption and "Wilson" in caption


def test_lever_labels_carry_units_of_means(lhs):
    ax = lhs.plot.lever(DEADLINE, "russia_revenue_6m")
    _assert_inside(_draw(ax))
    assert ax.get_ylabel() == "russia revenue 6m (USD bn)"
    assert ax.get_xlabel() == "US deadline"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["+2d", "+30d", "+90d"]
    by = lhs.plot.lever(RATE, "india_volume_feb", by=SHARE)
    _assert_inside(_draw(by))
    assert by.get_ylabel() == "india volume feb (mb/d)"


def test_units_of_the_outcomes_of_an_experiment_block(scenario):
    assert fx.outcome_unit("deal_within_30d", scenario) == "probability"
    assert fx.outcome_unit("india_below_1mbd_feb", scenario) == "probability"
    assert fx.outcome_unit("india_volume_feb", scenario) == "mb/d"
    assert fx.outcome_unit("russia_revenue_6m", scenario) == "USD bn"
    assert fx.outcome_unit("oil_revenue_busd", scenario) == "USD bn over horizon"
    assert fx.outcome_unit("deal_within_90d") == "probability"
    assert fx.factor_label(RATE, scenario) == "US threat secondary tariff rate (fraction)"
    assert fx.factor_label("market.threat_loss_ratio", unit=False) == \
        "market threat loss ratio"


# ----- 4. parallel coordinates --------------------------------------------------------------
def test_parallel_tick_labels_do_not_overlap_and_a_text_lever_is_named(lhs):
    ax = lhs.plot.parallel("india_volume_feb")
    fig = _draw(ax)
    _assert_inside(fig)
    renderer = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in ax.get_xticklabels() if t.get_text()]
    assert len(boxes) == 9  # 8 numeric factors and the outcome
    for a, b in itertools.combinations(boxes, 2):
        assert not a.overlaps(b)
    assert "US deadline" in ax.get_title(loc="left")
    assert "not numeric" in ax.get_title(loc="left")


# ----- 5. heat map --------------------------------------------------------------------------
def test_heatmap_marks_empty_cells_bins_and_unit(lhs):
    ax = lhs.plot.heatmap(RATE, CREDIBILITY, "russia_revenue_6m")
    fig = _draw(ax)
    _assert_inside(fig)
    values = ax.images[0].get_array()
    empty = int(np.isnan(np.ma.filled(values.astype(float), np.nan)).sum())
    assert empty > 0
    hatched = [p for p in ax.patches if p.get_hatch()]
    assert len(hatched) == empty
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == [f"no design points ({empty} of {values.size} cells)"]
    # credibility is binned: ticks at the bin edges, and the label says so
    assert "bins" in ax.get_ylabel() and "(probability)" in ax.get_ylabel()
    ticks = ax.get_yticks()
    assert np.allclose(ticks, np.arange(len(ticks)) - 0.5)
    assert len(ticks) == values.shape[0] + 1
    # the lever has few values: one cell each, ticks at the cells
    assert np.allclose(ax.get_xticks(), [0, 1, 2]) and "bins" not in ax.get_xlabel()
    bar = fig.axes[1]
    assert bar.get_ylabel() == "russia revenue 6m (USD bn)"


def test_heatmap_without_empty_cells_has_no_legend(lhs):
    ax = lhs.plot.heatmap(RATE, SHARE, "deal_within_180d")
    _draw(ax)
    full = not np.isnan(ax.images[0].get_array().astype(float).filled(np.nan)).any()
    assert (ax.get_legend() is None) == full
    assert ax.figure.axes[1].get_ylabel() == "P(deal within 180 days)"


def test_outcome_labels_state_a_unit_once():
    """A column's unit suffix gives way to the unit in brackets; without a unit (or for a
    probability) the name is kept whole, so nothing is lost."""
    from simulate.figures.outcome_labels import outcome_label
    assert outcome_label("oil_revenue_loss_busd", "USD bn/yr") == \
        "oil revenue loss (USD bn/yr)"
    assert outcome_label("volume_IN_mbd", "mb/d") == "volume IN (mb/d)"
    assert outcome_label("brent_mean_usd", "USD/bbl") == "brent mean (USD/bbl)"
    assert outcome_label("volume_IN_mbd", "") == "volume IN mbd"
    assert outcome_label("india_below_1mbd", "probability") == "P(india below 1mbd)"
    assert outcome_label("deal_within_180d", "probability") == "P(deal within 180 days)"
