"""Sweeps: the experiment block, designs, a point equal to a plain run, common random
numbers across points, every backend the same, resumable folders, the Experiment views and
figures."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from experiments_common import SMALL, write_small

import simulate
from simulate.errors import ResultsError, ScenarioError
from simulate.execution.runner import run
from simulate.experiments import Experiment, make_design, sweep
from simulate.experiments.design import point_scenario
from simulate.scenario import load_scenario
from simulate.scenario.experiment_block import Outcomes


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    return write_small(tmp_path_factory.mktemp("exp"))


@pytest.fixture(scope="module")
def serial(small):
    return sweep(small, progress=False)


# ----- the experiment block ---------------------------------------------------------------
def test_a_sweep_block_is_an_error_not_ignored(tmp_path):
    bad = SMALL.replace("experiment:", "sweep: {method: lhs}\nexperiment:")
    with pytest.raises(ScenarioError) as exc:
        load_scenario(write_small(tmp_path, bad))
    assert any(p.key == "sweep" for p in exc.value.problems)


def test_experiment_references_are_checked(tmp_path):
    bad = SMALL.replace("uncertainties: [actors.RU.resolve]",
                        "uncertainties: [actors.RU.resolv]").replace(
        "actors.US.credibility: {low", "actors.US.credibilty: {low")
    with pytest.raises(ScenarioError) as exc:
        load_scenario(write_small(tmp_path, bad))
    keys = {p.key for p in exc.value.problems}
    assert keys == {"experiment.uncertainties[0]", "experiment.levers.actors.US.credibilty"}
    assert all(p.line > 0 for p in exc.value.problems), exc.value.problems


def test_outcomes_reading_unknown_series_actors_or_dates_are_refused(tmp_path):
    bad = SMALL.replace("variable: volume_mbd, actor: IN", "variable: volume_mbd, actor: XX")
    bad = bad.replace("date: 2025-09-10", "date: 2027-01-01").replace(
        "variable: oil_revenue_musd", "variable: oil_revenue")
    with pytest.raises(ScenarioError) as exc:
        sweep(write_small(tmp_path, bad), progress=False)
    assert {p.key for p in exc.value.problems} == {
        "experiment.outcomes.on_date.india_low.actor",
        "experiment.outcomes.on_date.india_low.date",
        "experiment.outcomes.over_period.revenue_aug.variable"}


def _bad_outcomes() -> str:
    """SMALL with an outcome on an unknown actor, one on a date beyond the horizon and one
    reading an unknown series."""
    bad = SMALL.replace("variable: volume_mbd, actor: IN", "variable: volume_mbd, actor: XX")
    return bad.replace("date: 2025-09-10", "date: 2027-01-01").replace(
        "variable: oil_revenue_musd", "variable: oil_revenue")


def test_outcome_series_and_actors_are_checked_when_the_scenario_is_loaded(tmp_path):
    """``validate`` refuses what ``sweep`` would: every problem of the outcomes at once, each
    at its line."""
    with pytest.raises(ScenarioError) as exc:
        load_scenario(write_small(tmp_path, _bad_outcomes()))
    got = {p.key: p.message for p in exc.value.problems}
    assert got["experiment.outcomes.on_date.india_low.actor"] == (
        "expected one of ['CN', 'IN', 'TR', 'EU'] for volume_mbd, found 'XX'")
    assert got["experiment.outcomes.over_period.revenue_aug.variable"].startswith(
        "expected a daily series (control, brent_usd, ")
    assert got["experiment.outcomes.over_period.revenue_aug.variable"].endswith(
        "found 'oil_revenue' (did you mean 'oil_revenue_musd'?)")
    assert set(got) == {"experiment.outcomes.on_date.india_low.actor",
                        "experiment.outcomes.on_date.india_low.date",
                        "experiment.outcomes.over_period.revenue_aug.variable"}
    assert all(p.line > 0 for p in exc.value.problems), exc.value.problems


def test_outcomes_built_in_python_are_refused_by_the_loaders_rule(small, tmp_path):
    """``check_outcomes`` (a Scenario or Outcomes that did not come through the loader) calls
    the loader's check: the same problems, in the same words."""
    from simulate.experiments.score import check_outcomes
    from simulate.scenario.yamlio import read_yaml

    with pytest.raises(ScenarioError) as loaded:
        load_scenario(write_small(tmp_path, _bad_outcomes()))
    base = load_scenario(small)
    data, _, _, _ = read_yaml(write_small(tmp_path, _bad_outcomes(), "raw.yaml"))
    outcomes = Outcomes.model_validate(data["experiment"]["outcomes"])
    assert base.experiment is not None
    built = base.model_copy(update={"experiment": base.experiment.model_copy(
        update={"outcomes": outcomes})})
    with pytest.raises(ScenarioError) as checked:
        check_outcomes(built, outcomes)
    assert {(p.key, p.message) for p in checked.value.problems} == {
        (p.key, p.message) for p in loaded.value.problems}
    with pytest.raises(ScenarioError) as swept:
        sweep(built, progress=False)
    assert swept.value.problems == checked.value.problems


def test_outcome_actors_are_not_checked_against_a_malformed_part(tmp_path):
    """Buyers that are not a mapping are reported once, by the typed validation; an outcome
    naming a buyer is not refused because of them."""
    bad = SMALL.replace("experiment:", "actors:\n  IN: {buyers: 5}\nexperiment:").replace(
        "variable: volume_mbd, actor: IN", "variable: buyer_volume_mbd, actor: IN.any")
    with pytest.raises(ScenarioError) as exc:
        load_scenario(write_small(tmp_path, bad))
    assert {p.key for p in exc.value.problems} == {"actors.IN.buyers"}


def test_the_series_catalogue_and_deal_window_ids_are_written_once():
    """The engines and the metrics use the scenario layer's catalogue and names."""
    from simulate.engines import record
    from simulate.results import metrics
    from simulate.scenario import experiment_block, series

    assert record.SERIES is series.SERIES
    assert record.scenario_actors is series.scenario_actors
    assert metrics.deal_window_id is experiment_block.deal_outcome_name


def test_an_experiment_that_varies_nothing_is_an_error(tmp_path):
    bad = SMALL.replace("  levers:\n    actors.US.credibility: {low: 0.1, high: 0.9, levels: 3}\n"
                        "    actors.US.threat.secondary_tariff.rate: {choices: [0.25, 1.0]}\n"
                        "  uncertainties: [actors.RU.resolve]\n", "")
    with pytest.raises(ScenarioError, match="at least one lever"):
        load_scenario(write_small(tmp_path, bad))


# ----- designs ----------------------------------------------------------------------------
def test_factorial_design_is_the_full_grid(small):
    d = make_design(load_scenario(small), design="factorial")
    assert len(d) == 3 * 2 * 3
    assert sorted(d.values["actors.US.credibility"].unique()) == pytest.approx([0.1, 0.5, 0.9])
    assert sorted(d.values["actors.US.threat.secondary_tariff.rate"].unique()) == [0.25, 1.0]


def test_lhs_covers_each_range_once_per_stratum(small):
    d = make_design(load_scenario(small), design="lhs", points=8, seed=3)
    u = d.unit[:, 0]
    assert sorted(np.floor(u * 8).astype(int)) == list(range(8))  # Latin hypercube
    cred = d.values["actors.US.credibility"].to_numpy()
    np.testing.assert_allclose(cred, 0.1 + 0.8 * u)
    resolve = load_scenario(small).uncertainty["actors.RU.resolve"]
    np.testing.assert_allclose(d.values["actors.RU.resolve"], resolve.ppf(d.unit[:, 2]))


def test_sobol_design_takes_whole_blocks_of_2_to_the_m_points(small):
    d = make_design(load_scenario(small), design="sobol", points=16, seed=2)
    assert len(d) == 16
    u = d.unit[:, 0]
    assert sorted(np.floor(u * 16).astype(int)) == list(range(16))  # balanced per block
    with pytest.raises(ScenarioError, match="power of 2.*found 12: use 8 or 16"):
        make_design(load_scenario(small), design="sobol", points=12, seed=2)


def test_crossed_design_runs_every_policy_in_every_state(small):
    d = make_design(load_scenario(small), design="crossed", points=4, seed=1)
    assert len(d) == 6 * 4
    states = d.values.groupby(["actors.US.credibility",
                               "actors.US.threat.secondary_tariff.rate"])["actors.RU.resolve"]
    assert all(sorted(g) == sorted(states.get_group(next(iter(states.groups)))) for _, g in states)


def test_design_table_from_csv_and_bad_rows_named(small, tmp_path):
    table = tmp_path / "points.csv"
    table.write_text("actors.US.credibility,actors.US.deadline\n0.2,+5d\n0.9,+20d\n")
    ex = sweep(small, table=table, replicates=4, progress=False)
    assert list(ex.design["actors.US.credibility"]) == [0.2, 0.9]
    assert list(ex.design["actors.US.deadline"]) == ["+5d", "+20d"]
    table.write_text("actors.US.credibility\n0.2\n1.7\n")
    with pytest.raises(ScenarioError, match=r"points\.csv:3:1: actors\.US\.credibility: "
                                            r"expected a number from 0 to 1, found 1\.7"):
        sweep(small, table=table, replicates=4, progress=False)


def _table_problems(small, table) -> list[str]:
    """The problems of a design table, each as printed (file:row:column: key: message)."""
    with pytest.raises(ScenarioError) as exc:
        make_design(load_scenario(small), design="table", table=table)
    assert exc.value.exit_code == 2
    return [str(p).removeprefix(f"{table}:") for p in exc.value.problems]


def test_design_table_values_are_read_as_written(small, tmp_path):
    """A decimal comma is not read as a row label and a number (pandas' "found 3"): quoted,
    it is text the scenario refuses as written; unquoted, the row has a value too many."""
    table = tmp_path / "points.csv"
    table.write_text('actors.RU.resolve,actors.US.credibility\n0.4,"0,3"\n0.5,0.7\n')
    assert _table_problems(small, table) == [
        "2:2: actors.US.credibility: expected a number from 0 to 1, found '0,3'"]
    table.write_text("actors.US.credibility\n0,3\n0.7\n")
    assert _table_problems(small, table) == [
        "2:0: expected 1 value, one per column of the header, found 2: '0,3' (a value with a "
        "comma must be quoted; a number takes a decimal point: 0.3)"]
    table.write_text("actors.US.credibility,actors.US.deadline\n0.3,\n")
    assert _table_problems(small, table) == [
        "2:2: actors.US.deadline: expected a value, found an empty cell"]
    table.write_text("actors.US.credibility,actors.US.deadline,actors.RU.resolve\n"
                     " 0.3 ,+5d,1e-1\n.7,2025-08-20,2\n")
    d = make_design(load_scenario(small), design="table", table=table)
    assert d.values["actors.US.credibility"].tolist() == [0.3, 0.7]
    assert d.values["actors.US.deadline"].tolist() == ["+5d", "2025-08-20"]
    assert d.overrides(0)["actors.RU.resolve"] == 0.1
    assert d.overrides(1)["actors.RU.resolve"] == 2


def test_design_table_refuses_a_key_given_twice(small, tmp_path):
    table = tmp_path / "points.csv"
    table.write_text("actors.RU.resolve,actors.US.credibility,point,actors.US.credibility\n"
                     "0.4,0.3,0,0.5\n")
    assert _table_problems(small, table) == [
        "1:4: actors.US.credibility: expected each key once in the header, found column "
        "'actors.US.credibility' twice (columns 2 and 4)"]
    table.write_text("actors.US.credibility,,actors.US.credibility,actors.US.credibility\n"
                     "0.3,1,0.3,0.3\n")
    assert _table_problems(small, table) == [
        "1:2: expected a dotted key as the name of column 2, found an empty name",
        "1:3: actors.US.credibility: expected each key once in the header, found column "
        "'actors.US.credibility' 3 times (columns 1, 3 and 4)"]


def test_design_table_reports_every_bad_row_at_once(small, tmp_path):
    table = tmp_path / "points.csv"
    table.write_text("point,actors.US.credibility\n0,1.7\n1,0.5\n\n2,abc\n3,TRUE\n")
    assert _table_problems(small, table) == [
        "2:2: actors.US.credibility: expected a number from 0 to 1, found 1.7",
        "5:2: actors.US.credibility: expected a number from 0 to 1, found 'abc'",
        "6:2: actors.US.credibility: expected a number from 0 to 1, found true"]


# ----- runs -------------------------------------------------------------------------------
def test_a_sweep_point_equals_a_plain_run_with_the_same_parameters_and_seed(serial, small):
    base = load_scenario(small)
    for i in (0, 3):
        overrides = {k: serial.design.loc[i, k] for k in serial.factor_keys}
        plain = run(point_scenario(base, overrides), replicates=24, seed=7, progress=False,
                    keep_series=0)
        mine = serial.replicates[serial.replicates["point"] == i].reset_index(drop=True)
        o = plain.outcomes
        np.testing.assert_array_equal(mine["deal_within_40d"],
                                      (o["deal"] & (o["deal_day"] <= 40)).astype(int))
        np.testing.assert_array_equal(mine["oil_revenue_busd"], o["oil_revenue_busd"])
        for col in [c for c in o if c.startswith("param:")]:
            np.testing.assert_array_equal(mine[col], o[col])


def test_variables_on_a_date_and_over_a_period_match_the_daily_series(serial, small):
    base = load_scenario(small)
    overrides = {k: serial.design.loc[1, k] for k in serial.factor_keys}
    plain = run(point_scenario(base, overrides), replicates=24, seed=7, progress=False,
                keep_series=24)
    ts = plain.timeseries
    vol = ts[(ts["variable"] == "volume_mbd") & (ts["actor"] == "IN")
             & (ts["date"] == pd.Timestamp("2025-09-10"))].sort_values("replicate")["value"]
    rev = ts[(ts["variable"] == "oil_revenue_musd") & (ts["date"] >= "2025-08-10")
             & (ts["date"] <= "2025-08-31")].groupby("replicate")["value"].sum() * 0.001
    mine = serial.replicates[serial.replicates["point"] == 1]
    np.testing.assert_array_equal(mine["india_low"], (vol.to_numpy() < 1.7).astype(int))
    np.testing.assert_allclose(mine["revenue_aug"], rev.to_numpy(), rtol=1e-12)


def test_points_share_common_random_numbers(serial):
    """The uncertainties the design does not fix draw the same value for replicate r at every
    point."""
    r = serial.replicates
    col = "param:actors.RU.optimism"
    wide = r.pivot(index="replicate", columns="point", values=col)
    assert (wide.nunique(axis=1) == 1).all()
    assert "param:actors.RU.resolve" not in r  # fixed by the design at every point


def test_statistics_state_their_standard_errors(serial):
    s = serial.statistics
    p = s[(s["outcome"] == "india_low")]
    for row in p.itertuples():
        x = serial.replicates.loc[serial.replicates["point"] == row.point, "india_low"]
        assert row.estimate == pytest.approx(x.mean())
        assert row.se == pytest.approx(np.sqrt(x.mean() * (1 - x.mean()) / len(x)))
        assert row.ci_low <= row.estimate <= row.ci_high
    m = s[s["outcome"] == "oil_revenue_busd"].iloc[0]
    x = serial.replicates.loc[serial.replicates["point"] == m["point"], "oil_revenue_busd"]
    assert m["se"] == pytest.approx(x.std(ddof=1) / np.sqrt(len(x)))


# ----- folders ----------------------------------------------------------------------------
def test_saved_experiment_loads_back_and_refuses_to_be_overwritten(serial, tmp_path):
    out = serial.save(tmp_path / "ex")
    back = Experiment.load(out)
    pd.testing.assert_frame_equal(back.replicates, serial.replicates)
    pd.testing.assert_frame_equal(back.statistics, serial.statistics)
    assert back.factor_keys == serial.factor_keys
    with pytest.raises(ResultsError, match="already holds"):
        serial.save(out)
    (out / "points.parquet").write_bytes(b"x")
    with pytest.raises(ResultsError, match="checksum"):
        Experiment.load(out)


def test_an_interrupted_sweep_resumes_to_the_identical_result(serial, small, tmp_path,
                                                              monkeypatch):
    import importlib
    sweep_module = importlib.import_module("simulate.experiments.sweep")
    calls = {"n": 0}
    real = sweep_module.run_point_chunk

    def dies_after_three(*args):
        calls["n"] += 1
        if calls["n"] > 3:
            raise KeyboardInterrupt
        return real(*args)

    monkeypatch.setattr(sweep_module, "run_point_chunk", dies_after_three)
    with pytest.raises(KeyboardInterrupt):
        sweep(small, out=tmp_path / "ex", progress=False)
    assert len(list((tmp_path / "ex" / ".chunks").glob("task-*.npz"))) == 3
    monkeypatch.setattr(sweep_module, "run_point_chunk", real)
    with pytest.raises(ResultsError, match="interrupted run; use --resume"):
        sweep(small, out=tmp_path / "ex", progress=False)
    done = sweep(small, out=tmp_path / "ex", resume=True, progress=False)
    pd.testing.assert_frame_equal(done.replicates, serial.replicates, check_exact=True)
    manifest = json.loads((tmp_path / "ex" / "manifest.json").read_text())
    assert manifest["kind"] == "experiment" and manifest["points"] == 5
    with pytest.raises(ResultsError, match="no interrupted run"):
        sweep(small, out=tmp_path / "other", resume=True, progress=False)
    with pytest.raises(ResultsError, match="finished run"):
        sweep(small, out=tmp_path / "ex", resume=True, progress=False)
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me")
    with pytest.raises(ResultsError, match="not written by simulate"):
        sweep(small, out=foreign, force=True, progress=False)
    assert (foreign / "notes.txt").read_text() == "keep me"


# ----- views and figures ------------------------------------------------------------------
def test_xarray_view_is_indexed_by_the_factors_of_a_grid(small):
    ex = simulate.sweep(small, design="factorial", replicates=2, progress=False)
    ds = ex.to_xarray()
    assert set(ds.dims) == {"actors.US.credibility", "actors.US.threat.secondary_tariff.rate",
                            "actors.RU.resolve"}
    t = ex.table("oil_revenue_busd")
    row = t.iloc[5]
    got = ds["oil_revenue_busd"].sel({k: row[k] for k in ex.factor_keys}).item()
    assert got == pytest.approx(row["estimate"])


def test_xarray_view_of_a_crossed_design_has_policy_and_state_dimensions(tmp_path):
    two = SMALL.replace("uncertainties: [actors.RU.resolve]",
                        "uncertainties: [actors.RU.resolve, actors.UA.resolve]")
    ex = simulate.sweep(write_small(tmp_path, two), design="crossed", points=3, replicates=2,
                        progress=False)
    ds = ex.to_xarray()
    assert dict(ds.sizes) == {"actors.US.credibility": 3,
                              "actors.US.threat.secondary_tariff.rate": 2, "state": 3}
    row = ex.table("oil_revenue_busd").iloc[4]
    state = int(np.flatnonzero(ds["actors.RU.resolve"].values == row["actors.RU.resolve"])[0])
    got = ds["oil_revenue_busd"].sel({"actors.US.credibility": row["actors.US.credibility"],
                                      "actors.US.threat.secondary_tariff.rate":
                                          row["actors.US.threat.secondary_tariff.rate"],
                                      "state": state}).item()
    assert got == pytest.approx(row["estimate"])


def test_figures_take_axes_and_return_them(serial):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    _, ax = plt.subplots()
    assert serial.plot.lever("actors.US.credibility", "india_low", ax=ax) is ax
    for got in (serial.plot.lever("actors.US.threat.secondary_tariff.rate", "india_low"),
                serial.plot.heatmap("actors.US.credibility", "actors.RU.resolve",
                                    "revenue_aug"),
                serial.plot.parallel("oil_revenue_busd")):
        assert got.has_data() or got.images
    plt.close("all")
