"""Targets files: the shipped episodes load, and every mistake names file, line, column, key,
what was expected and what was found."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from calibration_cases import write_case

from simulate.calibration.summaries import map_targets, statistics
from simulate.calibration.targets import SERIES_UNITS, load_targets
from simulate.errors import ScenarioError
from simulate.scenario import load_scenario

REPO = Path(__file__).resolve().parent.parent
SHIPPED = sorted((REPO / "scenarios" / "targets").glob("*.yaml"))
CUTOFF = dt.date(2025, 8, 5)

GOOD = """\
schema: 1
name: t
vintage: 2025-08-05
retrieved: 2026-11-30
sources:
  s1: {title: a source, date: 2025-01-02}
targets:
  india:
    quantity: India imports
    variable: volume_mbd
    actor: IN
    window: [2025-01-01, 2025-01-31]
    value: 1.6
    unit: mb/d
    sd: 0.2
    source: s1
"""


def test_three_episodes_ship():
    assert {p.stem for p in SHIPPED} >= {"embargo2022", "designations2025", "tankers2023"}


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_targets_are_in_sample_and_consistent(path):
    t = load_targets(path)
    assert t.vintage <= CUTOFF                      # nothing after the cutoff is used
    assert t.fitted()
    for name, target in t.targets.items():
        src = t.sources[target.source]
        assert src.date is not None and src.date <= t.vintage, name
        assert target.last_day <= CUTOFF, name
        want = "%" if target.statistic == "pct_change" else SERIES_UNITS[target.variable]
        assert target.unit == want, name
        assert target.sd > 0


@pytest.mark.parametrize("name", ["embargo2022", "designations2025"])
def test_shipped_targets_name_series_the_episode_records(name):
    """Every buyer a shipped target names is a buyer of the episode scenario, and China's
    seaborne-only figures name seaborne buyers, never the pipeline (nor China's total)."""
    from simulate.engines.record import scenario_actors

    t = load_targets(REPO / "scenarios" / "targets" / f"{name}.yaml")
    scenario = load_scenario(REPO / "scenarios" / "episodes" / f"{name}.yaml")
    actors = scenario_actors(scenario)
    for key, target in t.targets.items():
        kind = {"buyer_volume_mbd": "buyer", "volume_mbd": "importer"}.get(target.variable)
        if kind is not None:
            assert set(target.actors) <= set(actors[kind]), key
        if "seaborne" in target.quantity.lower():
            assert target.variable == "buyer_volume_mbd", key
            assert not any(a.endswith(".pipeline") for a in target.actors), key


def _problems(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_targets(path)
    return [str(p).replace(str(path), "bad.yaml") for p in info.value.problems]


def test_good_file_loads(tmp_path):
    path = tmp_path / "good.yaml"
    path.write_text(GOOD, encoding="utf-8")
    t = load_targets(path)
    assert t.targets["india"].first_day == dt.date(2025, 1, 1)


@pytest.mark.parametrize("old, new, expected", [
    ("    sd: 0.2\n", "    sdev: 0.2\n",
     ["bad.yaml:9:5: targets.india.sd: required key missing: expected a number > 0",
      "bad.yaml:15:5: targets.india.sdev: unknown key (did you mean 'sd'?)"]),
    ("unit: mb/d", "unit: kb/d",
     ["bad.yaml:9:5: targets.india: expected unit 'mb/d' for mean of volume_mbd, "
      "found 'kb/d'"]),
    ("source: s1\n", "source: s2\n",
     ["bad.yaml:16:13: targets.india.source: expected the id of an entry of sources, "
      "found 's2' (expected one of: s1)"]),
    ("date: 2025-01-02", "date: 2025-09-01",
     ["bad.yaml:6:31: sources.s1.date: expected a date on or before the vintage 2025-08-05 "
      "(later data are held out), found 2025-09-01"]),
    ("    window: [2025-01-01, 2025-01-31]\n",
     "    window: [2025-01-31, 2025-01-01]\n",
     ["bad.yaml:9:5: targets.india: expected a window [first, last] with first <= last, "
      "found [2025-01-31, 2025-01-01]"]),
    ("    window: [2025-01-01, 2025-01-31]\n",
     "    window: [2025-01-01, 2025-01-31]\n    date: 2025-01-05\n",
     ["bad.yaml:9:5: targets.india: expected either date or window (one of them), found "
      "both"]),
    ("    sd: 0.2\n", "    sd: -1\n",
     ["bad.yaml:15:9: targets.india.sd: expected a number > 0, found -1"]),
])
def test_mistakes_name_file_line_column_key(tmp_path, old, new, expected):
    assert old in GOOD
    assert _problems(tmp_path, GOOD.replace(old, new)) == expected


def test_yaml_problems_and_tags_are_refused(tmp_path):
    assert _problems(tmp_path, GOOD.replace("value: 1.6", "value: !!python/object:os.system 1")
                     )[0].startswith("bad.yaml:13:12: targets.india.value: expected plain data")
    assert _problems(tmp_path, "") == ["bad.yaml: expected a mapping of targets-file keys, "
                                       "found an empty file"]


def test_statistics_of_a_window(tmp_path):
    """Each statistic of a hand-made series: days 0..4 hold 1, 2, 4, 8, 16."""
    import pandas as pd

    path = tmp_path / "t.yaml"
    stats = ["mean", "first", "last", "min", "max", "change", "pct_change"]
    unit = {s: ("'%'" if s == "pct_change" else "USD/bbl") for s in stats}
    body = "".join(
        f"  {s}:\n    quantity: q\n    variable: brent_usd\n    window: [2025-01-02, "
        f"2025-01-05]\n    statistic: {s}\n    value: 1\n    unit: {unit[s]}\n    sd: 1\n"
        f"    source: s1\n" for s in stats)
    path.write_text(GOOD.split("targets:")[0] + "targets:\n" + body, encoding="utf-8")
    scenario = load_scenario(write_case(tmp_path)[0], overrides={"horizon_days": 4})
    mapped = map_targets(load_targets(path), scenario)
    assert mapped.days == ((1, 4),) * len(stats)
    series = pd.DataFrame({"replicate": [7] * 5, "day": range(5), "variable": "brent_usd",
                           "actor": "", "value": [1.0, 2.0, 4.0, 8.0, 16.0]})
    got = statistics(series, mapped, 4)[0]
    assert list(got) == [7.5, 2.0, 16.0, 2.0, 16.0, 14.0, 700.0]


def test_a_list_of_actors_is_the_sum_of_their_series(tmp_path):
    """Two buyers' daily volumes 1, 2, 3, 4 and 10, 20, 30, 40: the mean of the sum over
    days 1-3 is (2+3+4) / 3 + (20+30+40) / 3 = 3 + 30 = 33."""
    import pandas as pd

    path = tmp_path / "t.yaml"
    body = ("  both:\n    quantity: q\n    variable: buyer_volume_mbd\n"
            "    actor: [IN.a, IN.b]\n    window: [2025-01-02, 2025-01-04]\n"
            "    value: 1\n    unit: mb/d\n    sd: 1\n    source: s1\n")
    path.write_text(GOOD.split("targets:")[0] + "targets:\n" + body, encoding="utf-8")
    targets = load_targets(path)
    assert targets.targets["both"].actors == ("IN.a", "IN.b")
    assert targets.targets["both"].actor_label == "IN.a+IN.b"
    buyers = {"a": {"base_volume_mbd": 1.0}, "b": {"base_volume_mbd": 1.0}}
    scenario = load_scenario(write_case(tmp_path)[0],
                             overrides={"horizon_days": 4, "actors.IN.buyers": buyers})
    recorded = {("buyer_volume_mbd", "IN.a"), ("buyer_volume_mbd", "IN.b")}
    mapped = map_targets(targets, scenario, recorded)
    series = pd.DataFrame({"replicate": 0, "day": list(range(4)) * 2,
                           "variable": "buyer_volume_mbd", "actor": ["IN.a"] * 4 + ["IN.b"] * 4,
                           "value": [1.0, 2.0, 3.0, 4.0, 10.0, 20.0, 30.0, 40.0]})
    assert statistics(series, mapped, 4)[0, 0] == pytest.approx(33.0)
    with pytest.raises(ScenarioError, match="records no series 'buyer_volume_mbd' for actor "
                                            "'IN.b'"):
        map_targets(targets, scenario, {("buyer_volume_mbd", "IN.a")})


@pytest.mark.parametrize("actor, variable, unit, message", [
    ("[IN.a, IN.a]", "buyer_volume_mbd", "mb/d",
     "expected a list of two or more distinct actor ids (a sum), found ['IN.a', 'IN.a']"),
    ("[IN.a]", "buyer_volume_mbd", "mb/d",
     "expected a list of two or more distinct actor ids (a sum), found ['IN.a']"),
    ("[IN, CN]", "tariff_rate", "fraction",
     "expected one actor for tariff_rate (only mb/d volumes add up), found the list "
     "['IN', 'CN']"),
])
def test_a_bad_list_of_actors_is_refused(tmp_path, actor, variable, unit, message):
    text = (GOOD.replace("actor: IN", f"actor: {actor}")
            .replace("variable: volume_mbd", f"variable: {variable}")
            .replace("unit: mb/d", f"unit: {unit}"))
    assert _problems(tmp_path, text) == [f"bad.yaml:9:5: targets.india: {message}"]


def test_targets_outside_the_scenario_or_unrecorded_are_set_aside(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text(GOOD, encoding="utf-8")
    tiny = write_case(tmp_path)[0]                       # 2025-01-01 + 20 days
    with pytest.raises(ScenarioError, match="window 2025-01-01..2025-01-31 is outside"):
        map_targets(load_targets(path), load_scenario(tiny))
    longer = load_scenario(tiny, overrides={"horizon_days": 40})
    mapped = map_targets(load_targets(path), longer, {("volume_mbd", "IN")})
    assert mapped.names == ("india",) and mapped.days == ((0, 30),)
    with pytest.raises(ScenarioError, match="records no series 'volume_mbd' for actor 'IN'"):
        map_targets(load_targets(path), longer, {("brent_usd", "")})


def test_command_line_reports_a_bad_targets_file_with_exit_2(tmp_path, capsys):
    from simulate.cli.main import main

    scenario, _ = write_case(tmp_path)
    bad = tmp_path / "bad.yaml"
    bad.write_text(GOOD.replace("    sd: 0.2\n", "    sdev: 0.2\n"), encoding="utf-8")
    code = main(["calibrate", str(scenario), str(bad), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert f"{bad}:15:5: targets.india.sdev: unknown key (did you mean 'sd'?)" in err
    assert not (tmp_path / "out").exists()


def test_a_misspelt_variable_is_an_error_not_a_note(tmp_path):
    assert _problems(tmp_path, GOOD.replace("variable: volume_mbd", "variable: volume_mdb")) == [
        "bad.yaml:10:15: targets.india.variable: expected a daily series of the model, found "
        "'volume_mdb' (did you mean 'volume_mbd'?)"]


def test_target_values_of_the_wrong_kind_are_refused(tmp_path):
    assert _problems(tmp_path, GOOD.replace("value: 1.6", "value: true")) == [
        "bad.yaml:13:12: targets.india.value: expected a number, found true"]
    assert _problems(tmp_path, GOOD.replace("sd: 0.2", "sd: '0.2'")) == [
        "bad.yaml:15:9: targets.india.sd: expected a number > 0, found '0.2' (a number in "
        "quotes is text: write it without quotes)"]


@pytest.mark.parametrize("variable, actor, unit, key, message", [
    ("volume_mbd", "INN", "mb/d", "actor",
     "expected an importer of scenario tiny_brent (IN), found 'INN' (did you mean 'IN'?)"),
    ("volume_mbd", "RU", "mb/d", "actor",
     "expected an importer of scenario tiny_brent (IN), found 'RU', which is a belligerent"),
    ("buyer_volume_mbd", "[IN.b, IN.c]", "mb/d", "actor[1]",
     "expected a buyer (IMPORTER.buyer) of scenario tiny_brent (IN.b), found 'IN.c' (did you "
     "mean 'IN.b'?)"),
    ("control", "B", "occupier share", "actor",
     "expected a region of scenario tiny_brent (A), found 'B'"),
    ("brent_usd", "IN", "USD/bbl", "actor",
     "expected '' (brent_usd is a world series: it has no actor), found 'IN'"),
])
def test_a_target_naming_an_actor_the_scenario_lacks_is_an_error(tmp_path, variable, actor,
                                                                 unit, key, message):
    """A misspelt or wrong actor is a mistake of the targets file, reported at its line with
    a suggestion, not a target quietly set aside."""
    path = tmp_path / "t.yaml"
    path.write_text(GOOD.replace("variable: volume_mbd", f"variable: {variable}")
                    .replace("actor: IN", f"actor: {actor}").replace("unit: mb/d", f"unit: {unit}")
                    .replace("2025-01-31", "2025-01-10"), encoding="utf-8")
    scenario = load_scenario(write_case(tmp_path)[0])
    with pytest.raises(ScenarioError) as info:
        map_targets(load_targets(path), scenario, {(variable, actor)})
    column = 12 + (len("[IN.b, ") if key == "actor[1]" else 0)
    assert [str(p) for p in info.value.problems] == [
        f"{path}:11:{column}: targets.india.{key}: {message}"]


def test_command_line_refuses_a_target_with_a_misspelt_actor(tmp_path, capsys):
    from simulate.cli.main import main

    scenario, _ = write_case(tmp_path)
    bad = tmp_path / "bad.yaml"
    bad.write_text(GOOD.replace("actor: IN", "actor: INN").replace("2025-01-31", "2025-01-10"),
                   encoding="utf-8")
    code = main(["calibrate", str(scenario), str(bad), "--out", str(tmp_path / "out"),
                 "--particles", "2", "--generations", "1", "--predictive", "0",
                 "--no-figures"])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert (f"{bad}:11:12: targets.india.actor: expected an importer of scenario tiny_brent "
            "(IN), found 'INN' (did you mean 'IN'?)") in err
    assert "not used" not in err
