"""Input validation of the scenario layer, each problem with file, line, key, expected and
found: posterior files (their values checked like ``uncertainty:`` values, bad paths and
bad contents refused), lever values and outcomes of the experiment block checked at load,
messages that say a value came from ``--set``, empty ``--set`` values, and calibration
targets files given as scenarios. (Malformed YAML of the same kinds is in the corpus,
``tests/scenario_corpus/63_*`` to ``68_*``.)"""

from __future__ import annotations

import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from clitools import GOLDEN, REPO, simulate_cli

from simulate.errors import Problem, ScenarioError
from simulate.scenario import load_scenario, parse_set_options
from simulate.scenario import posterior as posterior_module
from simulate.scenario.loader import looks_like_targets

MINI = GOLDEN / "mini.yaml"
KEY = "uncertainty.from_posterior"
TARGETS = REPO / "scenarios" / "targets" / "embargo2022.yaml"


def _mini(tmp_path: Path, extra: str = "") -> Path:
    path = tmp_path / "mini.yaml"
    path.write_text(MINI.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return path


def _parquet(path: Path, columns: dict, metadata: bytes | None = None) -> Path:
    table = pa.table(columns)
    if metadata is not None:
        table = table.replace_schema_metadata({b"simulate.posterior": metadata})
    pq.write_table(table, path)
    return path


def _problems(path: Path, overrides: dict | None = None) -> list[Problem]:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, overrides=overrides, override_source="--set", announce=False)
    return info.value.problems


def _posterior_problems(tmp_path: Path, posterior: Path | str) -> list[Problem]:
    return _problems(_mini(tmp_path), {KEY: str(posterior)})


# ----- 1. a posterior's values are checked like uncertainty: values -------------------------

@pytest.mark.parametrize("columns, messages", [
    ({"market.brent_usd": [60.0, -50.0],
      "actors.IN.buyers.private.base_volume_mbd": [0.5, -3.0], "weight": [0.5, 0.5]},
     ["column 'actors.IN.buyers.private.base_volume_mbd', row 2 (of 2): expected a number >= 0 "
      "(what actors.IN.buyers.private.base_volume_mbd accepts), found -3",
      "column 'market.brent_usd', row 2 (of 2): expected a number > 0 (what market.brent_usd "
      "accepts), found -50"]),
    ({"actors.US.credibility": [0.5, 2.0, 1.5, 0.2], "weight": [0.25] * 4},
     ["column 'actors.US.credibility', row 2 (of 4): expected a number from 0 to 1 (what "
      "actors.US.credibility accepts), found 2"]),
    ({"actors.IN.buyers.private.adjustment_days": [3.0, 0.0], "weight": [0.5, 0.5]},
     ["column 'actors.IN.buyers.private.adjustment_days', row 2 (of 2): expected a number >= 1 "
      "(what actors.IN.buyers.private.adjustment_days accepts), found 0"]),
    ({"actors.US.extension_days": [7.0, 3.5], "weight": [0.5, 0.5]},
     ["column 'actors.US.extension_days', row 2 (of 2): expected a whole number >= 1 (what "
      "actors.US.extension_days accepts), found 3.5"]),
    ({"horizon_days": [30.0, 35.0], "weight": [0.5, 0.5]},
     ["expected columns that name parameters the run samples per replicate, found "
      "'horizon_days' (a setting of the run: give it one value)"]),
    ({"actors.US.lift_on_deal": [0.0, 1.0], "weight": [0.5, 0.5]},
     ["expected columns that name parameters the run samples per replicate, found "
      "'actors.US.lift_on_deal' (true or false, which the run keeps the same for every "
      "replicate)"]),
])
def test_posterior_values_are_checked_like_uncertainty_values(tmp_path, columns, messages):
    path = _parquet(tmp_path / "p.parquet", columns)
    problems = _posterior_problems(tmp_path, path)
    assert [(p.file, p.line, p.key) for p in problems] == [("--set", 0, KEY)] * len(messages)
    assert [p.message for p in problems] == [f"{path}: {m}" for m in messages]


def test_a_posterior_named_in_the_file_is_placed_at_its_line(tmp_path):
    _parquet(tmp_path / "p.parquet", {"market.brent_usd": [-1.0], "weight": [1.0]})
    path = _mini(tmp_path, "uncertainty:\n  from_posterior: p.parquet\n")
    (problem,) = _problems(path)
    assert (problem.file, problem.line, problem.column, problem.key) == (str(path), 39, 19, KEY)
    assert problem.message == (f"{tmp_path / 'p.parquet'}: column 'market.brent_usd', row 1 "
                               "(of 1): expected a number > 0 (what market.brent_usd accepts), "
                               "found -1")


def test_posterior_ranges_count_in_the_capacity_check(tmp_path):
    path = _parquet(tmp_path / "p.parquet", {"actors.IN.buyers.private.base_volume_mbd":
                                             [0.5, 2.0], "weight": [0.5, 0.5]})
    problems = _problems(_mini(tmp_path), {
        KEY: str(path), "actors.IN.buyers.private.capacity_mbd": 1.5})
    assert [(p.file, p.key, p.message) for p in problems] == [
        ("--set", "actors.IN.buyers.private.capacity_mbd", "expected a capacity of at least the "
         "base volume (up to 2 mb/d) for every draw, found 1.5 mb/d")]


def test_validate_and_run_refuse_a_posterior_out_of_range(tmp_path):
    _parquet(tmp_path / "pneg.parquet", {"market.brent_usd": [60.0, -50.0], "weight": [.5, .5]})
    _mini(tmp_path)
    line = (f"--set: {KEY}: {tmp_path / 'pneg.parquet'}: column 'market.brent_usd', row 2 "
            "(of 2): expected a number > 0 (what market.brent_usd accepts), found -50\n")
    for command in (["validate"], ["run", "-n", "4"]):
        r = simulate_cli(*command, "mini.yaml", "--set",
                         f"{KEY}=pneg.parquet", cwd=tmp_path)
        assert (r.returncode, r.stdout, r.stderr) == (2, "", line)


# ----- 2. bad posterior paths and contents ---------------------------------------------------

def test_a_calibration_folder_suggests_its_posterior(tmp_path):
    folder = tmp_path / "cal"
    folder.mkdir()
    _parquet(folder / "posterior.parquet", {"market.brent_usd": [60.0], "weight": [1.0]})
    (problem,) = _posterior_problems(tmp_path, folder)
    assert (problem.file, problem.key) == ("--set", KEY)
    assert problem.message == (f"{folder}: expected a posterior.parquet file, found a folder; "
                               f"did you mean {folder / 'posterior.parquet'}?")
    r = simulate_cli("validate", "mini.yaml", "--set", f"{KEY}=cal", cwd=tmp_path)
    assert (r.returncode, r.stderr) == (2, f"--set: {KEY}: {problem.message}\n")


def _bad_files(tmp_path: Path) -> list[tuple[Path | str, str]]:
    """(posterior path, message after the path) for posteriors that cannot be used."""
    empty = tmp_path / "empty"
    empty.mkdir()
    text = tmp_path / "text.parquet"
    text.write_text("particle,weight\n0,1\n")
    nan = _parquet(tmp_path / "nan.parquet", {"market.brent_usd": [60.0, float("nan"), 61.0],
                                              "weight": [0.2, 0.3, 0.5]})
    null = _parquet(tmp_path / "null.parquet", {"market.brent_usd": pa.array([None, 60.0],
                                                                             pa.float64()),
                                                "weight": [0.5, 0.5]})
    negative = _parquet(tmp_path / "neg.parquet", {"market.brent_usd": [60.0, 61.0],
                                                   "weight": [1.0, -1.0]})
    string = _parquet(tmp_path / "str.parquet", {"market.brent_usd": ["60", "abc"],
                                                 "weight": [0.5, 0.5]})
    ok = {"market.brent_usd": [60.0, 61.0], "weight": [0.5, 0.5]}
    corrupt = _parquet(tmp_path / "meta.parquet", ok, b"{not json")
    listed = _parquet(tmp_path / "list.parquet", ok, b"[1, 2]")
    twice = tmp_path / "twice.parquet"
    pq.write_table(pa.Table.from_arrays([pa.array([60.0]), pa.array([61.0]), pa.array([1.0])],
                                        names=["market.brent_usd", "market.brent_usd",
                                               "weight"]), twice)
    return [
        (empty, "expected a posterior.parquet file, found a folder"),
        (text, "expected a Parquet posterior written by simulate calibrate, found an "
               "unreadable file"),
        (nan, "expected finite numbers in column 'market.brent_usd', found nan in row 2 (of 3)"),
        (null, "expected finite numbers in column 'market.brent_usd', found nothing (null) in "
               "row 1 (of 2)"),
        (negative, "expected weights >= 0 with a positive sum in column 'weight', found -1 in "
                   "row 2"),
        (string, "expected numbers in column 'market.brent_usd', found a column of string "
                 "('abc' in row 2)"),
        (corrupt, "expected the simulate.posterior metadata to be JSON (as simulate calibrate "
                  "writes it), found b'{not json'"),
        (listed, "expected the simulate.posterior metadata to be a JSON object, found list"),
        (twice, "expected each column once, found ['market.brent_usd'] more than once"),
    ]


def test_bad_posteriors_are_refused_with_what_and_where(tmp_path):
    for path, message in _bad_files(tmp_path):
        (problem,) = _posterior_problems(tmp_path, path)
        assert (problem.file, problem.line, problem.key) == ("--set", 0, KEY), path
        assert problem.message.startswith(f"{path}: {message}"), problem.message


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
def test_a_device_is_refused_without_being_read(tmp_path):
    """In a child process limited to 4 GiB of memory: reading /dev/zero to its end (the
    defect) fails there, not on the machine running the tests."""
    import resource
    import subprocess
    import sys

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))

    _mini(tmp_path)
    r = subprocess.run([sys.executable, "-m", "simulate", "validate", "mini.yaml", "--set",
                        f"{KEY}=/dev/zero"], cwd=tmp_path, capture_output=True, text=True,
                       timeout=120, preexec_fn=limit)
    assert (r.returncode, r.stdout, r.stderr) == (
        2, "", f"--set: {KEY}: /dev/zero: expected a posterior.parquet file (a regular file), "
               "found a device, pipe or socket (not read)\n")


def test_posterior_size_is_capped(tmp_path, monkeypatch):
    path = _parquet(tmp_path / "p.parquet", {"market.brent_usd": [60.0, 61.0, 62.0],
                                             "weight": [0.2, 0.3, 0.5]})
    size = path.stat().st_size
    monkeypatch.setattr(posterior_module, "MAX_POSTERIOR_BYTES", 100)
    (problem,) = _posterior_problems(tmp_path, path)
    assert problem.message == (f"{path}: expected a posterior.parquet file of at most 100 "
                               f"bytes, found {size:,} bytes")
    monkeypatch.setattr(posterior_module, "MAX_POSTERIOR_BYTES", 2**20)
    monkeypatch.setattr(posterior_module, "MAX_POSTERIOR_CELLS", 5)
    path.touch()  # a new modification time: not the cached reading
    os.utime(path, ns=(1, 1))
    (problem,) = _posterior_problems(tmp_path, path)
    assert problem.message == (f"{path}: expected a posterior of at most 5 values (particles x "
                               "columns), found 6")


# ----- 5. the experiment block's levers are checked as the design points that set them -----

def test_a_lever_value_that_breaks_another_key_names_both(tmp_path):
    path = _mini(tmp_path, (
        "experiment:\n  levers:\n"
        "    actors.IN.buyers.private.base_volume_mbd: {choices: [0.5, 3.0]}\n"))
    problems = _problems(path, {"actors.IN.buyers.private.capacity_mbd": 2.0})
    assert [(p.file, p.line, p.column, p.key, p.message) for p in problems] == [
        (str(path), 40, 63, "experiment.levers.actors.IN.buyers.private.base_volume_mbd"
                            ".choices[1]",
         "expected a value of actors.IN.buyers.private.base_volume_mbd that the rest of the "
         "scenario allows, found 3.0, with which actors.IN.buyers.private.capacity_mbd: "
         "expected a capacity of at least the base volume (3 mb/d), found 2 mb/d")]


def test_a_lever_on_an_uncertain_key_fixes_it_as_a_sweep_does(tmp_path):
    path = _mini(tmp_path, (
        "uncertainty:\n  actors.US.credibility: {dist: uniform, low: 0.4, high: 0.8}\n"
        "experiment:\n  levers:\n    actors.US.credibility: {choices: [0.1, 0.9]}\n"
        "    actors.US.extension_days: {low: 3, high: 20, integer: true}\n"))
    assert load_scenario(path).experiment is not None


# ----- 6. messages ---------------------------------------------------------------------------

@pytest.mark.parametrize("high, message", [
    (0.1, "expected low < high for a uniform distribution, found low=0.4, high=0.1"),
    (1.5, "expected a distribution that stays within what actors.US.credibility accepts (a "
          "number from 0 to 1), found one that reaches 1.5 (its values run from 0.4 to 1.5)"),
])
def test_a_distribution_changed_by_set_says_so(tmp_path, high, message):
    path = _mini(tmp_path, "uncertainty:\n  actors.US.credibility: {dist: uniform, low: 0.4, "
                           "high: 0.8}\n")
    (problem,) = _problems(path, {"uncertainty.actors.US.credibility.high": high})
    assert (problem.file, problem.line, problem.column, problem.key) == (
        str(path), 39, 26, "uncertainty.actors.US.credibility")
    assert problem.message == (f"{message}; uncertainty.actors.US.credibility.high is set "
                               "by --set")


def test_an_empty_set_value_is_refused():
    with pytest.raises(ScenarioError) as info:
        parse_set_options(["actors.US.credibility="])
    (problem,) = info.value.problems
    assert (problem.file, problem.line, problem.key, problem.message) == (
        "--set", 0, "actors.US.credibility", "expected a value after '=', found nothing (to "
        "remove the key, write actors.US.credibility=null)")
    assert parse_set_options(["actors.US.credibility=null"]) == {"actors.US.credibility": None}
    r = simulate_cli("validate", str(MINI), "--set", "actors.US.credibility=")
    assert (r.returncode, r.stdout, r.stderr) == (2, "", f"--set: {problem.key}: "
                                                         f"{problem.message}\n")


def test_a_targets_file_is_named_as_such():
    (problem,) = _problems(TARGETS)
    line = next(i for i, text in enumerate(TARGETS.read_text().splitlines(), 1)
                if text.startswith("targets:"))
    assert (problem.file, problem.line, problem.column, problem.key) == (str(TARGETS), line, 1,
                                                                         "")
    assert problem.message.startswith("expected a scenario file, found a calibration targets "
                                      "file")
    assert looks_like_targets(TARGETS) and not looks_like_targets(MINI)


def test_levers_that_are_valid_together_are_not_refused_one_at_a_time(tmp_path):
    """Each lever value is checked with the other levers' keys left to the design: base
    volume 2.0-2.5 conflicts with the file's capacity 1.0, but the capacity is a lever too
    (3.0 or 4.0), and every point of the factorial design is valid."""
    import shutil

    from simulate.scenario import load_scenario
    shutil.copyfile(GOLDEN / "mini.yaml", tmp_path / "mini.yaml")
    buyer = "actors.IN.buyers.private"
    (tmp_path / "exp.yaml").write_text(
        "extends: mini.yaml\nname: two_levers\n"
        f"actors: {{IN: {{buyers: {{private: {{capacity_mbd: 1.0}}}}}}}}\n"
        "experiment:\n  design: factorial\n  levers:\n"
        f"    {buyer}.capacity_mbd: {{choices: [3.0, 4.0]}}\n"
        f"    {buyer}.base_volume_mbd: {{choices: [2.0, 2.5]}}\n"
        "  outcomes:\n    deal_within: [10]\n")
    s = load_scenario(tmp_path / "exp.yaml")
    assert s.experiment is not None and len(s.experiment.levers) == 2
