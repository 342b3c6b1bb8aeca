"""Arguments of the figure functions (user review): the style module reachable beside the
``style`` function, ``split`` and ``by`` of fan charts checked, misspelt experiment factors
and actors of a series without actors named in the error, axis labels and xarray
``long_name`` from one table of series labels, each unit given once."""

from __future__ import annotations

import importlib
import pkgutil
import sys
import types

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

import simulate
import simulate.figures
from simulate.errors import ArgumentError, ResultsError
from simulate.experiments.experiment import Experiment
from simulate.figures import regimes
from simulate.figures.importers import importer_volumes
from simulate.figures.timeseries import VARIABLE_LABELS, fan
from simulate.results.tables import LABELS, UNITS

RATE = "actors.US.threat.secondary_tariff.rate"
RESOLVE = "actors.RU.resolve"


@pytest.fixture(scope="module")
def run():
    return simulate.run("aug2025", replicates=20, seed=1, progress=False)


def _axes():
    return Figure().subplots()


# ----- 1: the styling module is not shadowed by the style function ----------------------
def test_actor_color_from_the_package_and_the_styling_module():
    styling = importlib.import_module("simulate.figures.styling")
    assert simulate.figures.actor_color("IN") == styling.actor_color("IN") \
        == styling.ACTOR_COLORS["IN"]
    assert simulate.figures.style is styling.style        # the public function is kept
    assert callable(simulate.figures.style)


def test_no_submodule_of_figures_is_shadowed_by_a_package_attribute():
    names = [m.name for m in pkgutil.iter_modules(simulate.figures.__path__)]
    assert "styling" in names and "style" not in names
    shadowed = []
    for name in names:
        module = importlib.import_module(f"simulate.figures.{name}")
        assert sys.modules[f"simulate.figures.{name}"] is module
        attr = getattr(simulate.figures, name)
        if attr is not module:
            shadowed.append(f"{name}: {type(attr).__name__}")
    assert shadowed == []
    assert all(isinstance(getattr(simulate.figures, n), types.ModuleType) for n in names)


# ----- 2: split and by of a fan ---------------------------------------------------------
@pytest.mark.parametrize(("split", "message"), [
    ("yes", "split: expected True, False or 'auto', found 'yes'"),
    ("Auto", "split: expected True, False or 'auto', found 'Auto' (did you mean 'auto'?)"),
    (None, "split: expected True, False or 'auto', found None"),
    (1, "split: expected True, False or 'auto', found 1"),
])
def test_a_split_other_than_true_false_or_auto_is_refused(run, split, message):
    with pytest.raises(ArgumentError) as exc:
        run.plot.fan("volume_mbd", "IN", split=split, ax=_axes())
    assert str(exc.value) == message
    assert isinstance(exc.value, ValueError)
    with pytest.raises(ArgumentError, match="^split: expected True, False or 'auto'"):
        importer_volumes(run, split=split)


def test_documented_split_values_are_accepted(run):
    assert regimes.check_split(np.True_) is True
    for split in (True, False, "auto"):
        assert run.plot.fan("volume_mbd", "IN", split=split, ax=_axes()).get_ylabel() \
            == "India: Russian crude imports (mb/d)"


@pytest.mark.parametrize(("by", "message"), [
    ("foo", "by: expected one of 'deal', 'threat', found 'foo'"),
    ("thread", "by: expected one of 'deal', 'threat', found 'thread' (did you mean 'threat'?)"),
    (None, "by: expected one of 'deal', 'threat', found None"),
])
def test_an_unknown_regime_split_is_an_argument_error(run, by, message):
    for split in (True, False, "auto"):
        with pytest.raises(ArgumentError) as exc:
            fan(run, "volume_mbd", "IN", split=split, by=by, ax=_axes())
        assert str(exc.value) == message
    with pytest.raises(ArgumentError) as exc:
        regimes.regime_labels(by)
    assert str(exc.value) == message


# ----- 3: factors of experiment figures -------------------------------------------------
@pytest.fixture(scope="module")
def experiment():
    rng = np.random.default_rng(1)
    design = pd.DataFrame({"point": np.arange(6), RATE: [0.25, 1.0] * 3,
                           RESOLVE: rng.uniform(size=6)})
    est = rng.uniform(size=6)
    stats = pd.DataFrame({"point": design["point"], "outcome": "deal_within_180d",
                          "kind": "probability", "estimate": est, "se": 0.01,
                          "ci_low": est - 0.02, "ci_high": est + 0.02, "n": 100})
    factors = [{"key": RATE, "kind": "lever", "numeric": True},
               {"key": RESOLVE, "kind": "uncertainty", "numeric": True}]
    return Experiment(None, design, stats, pd.DataFrame(), {},  # type: ignore[arg-type]
                      factors=factors, outcomes=["deal_within_180d"],
                      binary=["deal_within_180d"])


FACTORS = f"expected one of {RATE}, {RESOLVE}"


def test_a_misspelt_lever_names_the_experiments_factors(experiment):
    with pytest.raises(ResultsError) as exc:
        experiment.plot.lever("actors.US.threat.secondary_tariff.rte", "deal_within_180d",
                              ax=_axes())
    assert str(exc.value) == ("lever: unknown factor 'actors.US.threat.secondary_tariff.rte': "
                              f"{FACTORS} (did you mean '{RATE}'?)")
    with pytest.raises(ResultsError) as exc:
        experiment.plot.lever(RATE, ax=_axes(), by="zzz")
    assert str(exc.value) == f"by: unknown factor 'zzz': {FACTORS}"
    experiment.plot.lever(RATE, "deal_within_180d", ax=_axes())   # the right name draws


def test_a_misspelt_heatmap_factor_names_the_experiments_factors(experiment):
    with pytest.raises(ResultsError) as exc:
        experiment.plot.heatmap(RATE, "actors.RU.resolv", "deal_within_180d", ax=_axes())
    assert str(exc.value) == (f"y: unknown factor 'actors.RU.resolv': {FACTORS} "
                              f"(did you mean '{RESOLVE}'?)")
    with pytest.raises(ResultsError, match="^x: unknown factor 'rate'"):
        experiment.plot.heatmap("rate", RESOLVE, ax=_axes())


# ----- 4: an actor for a series without actors ------------------------------------------
def test_an_actor_for_a_series_of_no_actor_says_to_leave_it_out(run):
    with pytest.raises(ResultsError) as exc:
        run.plot.fan("brent_usd", "IN", ax=_axes())
    assert str(exc.value) == ("no daily series 'brent_usd' for actor 'IN': brent_usd has no "
                              "actor (leave actor out)")
    with pytest.raises(ResultsError) as exc:
        run.plot.fan("volume_mbd", "XX", ax=_axes())
    assert str(exc.value) == ("no daily series 'volume_mbd' for actor 'XX': expected one of "
                              "its actors 'CN', 'EU', 'IN', 'TR'")


# ----- 5: each unit once ----------------------------------------------------------------
def test_the_directive_axis_gives_its_unit_once(run):
    ax = run.plot.fan("directive", "CN", split=False, ax=_axes())
    assert ax.get_ylabel() == "China: Cap on state refiners' intake (share of base volume; 1: none)"


def test_no_series_label_is_repeated_in_its_unit(run):
    assert VARIABLE_LABELS is LABELS
    series = dict(zip(run.bands["variable"].astype(str), run.bands["actor"].astype(str),
                      strict=True))
    assert len(series) >= 25
    for variable, actor in sorted(series.items()):
        label, unit = LABELS[variable].lower(), UNITS[variable].lower()
        assert label not in unit and unit not in label, variable
        text = fan(run, variable, actor, split=False, legend=False, ax=_axes()).get_ylabel()
        assert text.lower().count(label) == 1, text
        assert text.endswith(f" ({UNITS[variable]})") or variable == "control", text


# ----- 6: xarray names ------------------------------------------------------------------
def test_xarray_variables_are_named_and_unitised_as_on_the_figures(run):
    ds = run.to_xarray()
    assert ds["brent_usd"].attrs["long_name"] == "Brent"
    assert ds["brent_usd"].attrs["units"] == "USD/bbl"
    assert ds["directive"].attrs["long_name"] == "Cap on state refiners' intake"
    assert ds["directive"].attrs["units"] == "share of base volume; 1: none"
    assert ds["volume_mbd_mean"].attrs["long_name"] == "Russian crude imports"
    for name, var in ds.data_vars.items():
        base = next(v for v in sorted(LABELS, key=len, reverse=True)
                    if name == v or str(name).startswith(f"{v}_"))
        assert var.attrs["long_name"] == LABELS[base], name
        assert var.attrs["units"] == UNITS[base], name
