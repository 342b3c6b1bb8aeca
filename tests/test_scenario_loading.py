"""Loading scenarios from Python: extends, overrides, offsets, and every problem at once."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest

from simulate import Problem, ScenarioError, load_scenario
from simulate.scenario import read_merged, validate, with_overrides
from simulate.scenario.loader import parse_set_options

BASE = textwrap.dedent("""\
    schema: 1
    name: base
    description: base of a chain
    start: 2025-08-06
    horizon_days: 60
    regions:
      Donetsk: {weight: 0.5, control: 0.76}
      Kherson: {weight: 0.5, control: 0.73}
    actors:
      RU: {role: belligerent, side: occupier, demands: {Donetsk: 1.0, Kherson: 1.0}}
      UA: {role: belligerent, side: defender, demands: {Donetsk: line}}
      US:
        role: sanctioner
        deadline: +2d
        threat:
          secondary_tariff: {rate: 1.0, targets: [CN, IN], lag_days: 21}
          company_sanctions: {share: 0.57}
        credibility: 0.4
      CN:
        role: importer
        buyers: {state: {base_volume_mbd: 1.3}}
      IN:
        role: importer
        buyers: {reliance: {base_volume_mbd: 0.55}}
    market: {brent_usd: 67.0, urals_discount_usd: 2.0}
    negotiation:
      talks: {scheduled: [2025-08-06, +8w], rate_per_day: 0.03}
    uncertainty:
      actors.US.credibility: {dist: beta, a: 2, b: 3}
    """)


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.fixture
def base(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return write(tmp_path, "base.yaml", BASE)


def problems(exc: pytest.ExceptionInfo) -> list[str]:
    return [str(p) for p in exc.value.problems]


# ----- dates -----------------------------------------------------------------------------

def test_offsets_count_from_start(base: Path):
    s = load_scenario("base.yaml")
    assert s.start == dt.date(2025, 8, 6)
    assert s.actors["US"].deadline == dt.date(2025, 8, 8)  # +2d
    assert s.negotiation.talks.scheduled == (dt.date(2025, 8, 6), dt.date(2025, 10, 1))  # +8w
    assert s.end == dt.date(2025, 10, 5)


def test_offset_overrides_resolve_and_are_checked_against_the_horizon(base: Path):
    assert load_scenario("base.yaml", overrides={"actors.US.deadline": "+3w"}) \
        .actors["US"].deadline == dt.date(2025, 8, 27)
    with pytest.raises(ScenarioError) as exc:
        load_scenario("base.yaml", overrides={"actors.US.deadline": "+61d"})
    assert problems(exc) == [
        "overrides: actors.US.deadline: expected a date inside the horizon 2025-08-06 to "
        "2025-10-05 (start + horizon_days), found 2025-10-06 (+61d); start is set at "
        "base.yaml:4:8; horizon_days is set at base.yaml:5:15"]


# ----- overrides -------------------------------------------------------------------------

def test_python_overrides_are_typed_and_validated(base: Path):
    s = load_scenario("base.yaml", overrides={
        "actors.US.credibility": 0.8, "horizon_days": 57,
        "actors.US.threat.secondary_tariff.targets": ["IN"],
        "uncertainty.actors.US.credibility": None,  # None removes, as in extends
        "regions.Donetsk.control": 0.5})
    assert s.actors["US"].credibility == 0.8
    assert s.horizon_days == 57
    assert s.actors["US"].threat.secondary_tariff.targets == ("IN",)
    assert s.uncertainty == {}
    assert s.regions["Donetsk"].control == 0.5
    with pytest.raises(ScenarioError) as exc:
        load_scenario("base.yaml", overrides={"actors.US.credibility": "high",
                                              "actors.US.credibilty": 0.3,
                                              "horizon_days": 2.5})
    assert problems(exc) == [
        "overrides: actors.US.credibility: expected a number from 0 to 1, found 'high'",
        "overrides: actors.US.credibilty: unknown key (did you mean 'credibility'?)",
        "overrides: horizon_days: expected a whole number from 1 to 3650, found 2.5"]
    assert exc.value.problems[0] == Problem("overrides", 0, 0, "actors.US.credibility",
                                            "expected a number from 0 to 1, found 'high'")


def test_override_inside_a_dotted_uncertainty_key(base: Path):
    s = load_scenario("base.yaml", overrides={"uncertainty.actors.US.credibility.b": 5})
    assert s.uncertainty["actors.US.credibility"].b == 5.0
    s = load_scenario("base.yaml", overrides={
        "uncertainty.market.brent_usd": {"dist": "lognormal", "median": 67, "sigma": 0.2}})
    assert s.uncertainty["market.brent_usd"].median == 67.0
    assert set(s.uncertainty) == {"actors.US.credibility", "market.brent_usd"}


def test_overrides_that_cannot_be_placed(base: Path):
    with pytest.raises(ScenarioError) as exc:
        load_scenario("base.yaml", overrides={"market.brent_usd.low": 3})
    assert problems(exc) == ["overrides: market.brent_usd.low: expected market.brent_usd to be "
                             "a mapping, found 67.0"]
    with pytest.raises(ScenarioError) as exc:
        load_scenario("base.yaml", overrides={"timeline[0].rate": 3})
    assert problems(exc) == ["overrides: timeline[0].rate: expected a list at timeline, found "
                             "none (set the whole list instead, e.g. timeline=[...])"]


def test_set_options_are_typed_like_yaml():
    assert parse_set_options(["a=0.8", "b=3", "c=[CN, IN]", "d=+2d", "e=2025-08-10", "f=null",
                              "g=true", "h=text with spaces"]) == {
        "a": 0.8, "b": 3, "c": ["CN", "IN"], "d": "+2d", "e": dt.date(2025, 8, 10), "f": None,
        "g": True, "h": "text with spaces"}
    with pytest.raises(ScenarioError) as exc:
        parse_set_options(["credibility"])
    assert problems(exc) == ["--set: expected KEY=VALUE, e.g. actors.US.credibility=0.8, "
                             "found 'credibility'"]


def test_with_overrides_revalidates(base: Path):
    s = load_scenario("base.yaml")
    t = with_overrides(s, {"actors.US.credibility": 0.1})
    assert (s.actors["US"].credibility, t.actors["US"].credibility) == (0.4, 0.1)
    assert with_overrides(s, {}) is s
    with pytest.raises(ScenarioError) as exc:
        with_overrides(s, {"actors.US.threat.secondary_tariff.targets": ["RU"]})
    assert problems(exc) == [
        "overrides: actors.US.threat.secondary_tariff.targets[0]: expected the id of an "
        "importer actor, found 'RU', a belligerent (importers: CN, IN)"]


# ----- extends ---------------------------------------------------------------------------

def test_extends_deep_merges_replaces_lists_and_null_removes(base: Path, tmp_path: Path):
    write(tmp_path, "variants/child.yaml", """\
        extends: ../base.yaml
        name: child
        actors:
          US:
            credibility: 0.9
            threat: {company_sanctions: null}
          UA: {demands: {Kherson: 0.7}}
        negotiation: {talks: {scheduled: [+1d]}}
        uncertainty: {actors.US.credibility: null}
        """)
    s = load_scenario("variants/child.yaml")
    assert s.name == "child"
    assert s.description == "base of a chain"  # inherited
    us = s.actors["US"]
    assert us.credibility == 0.9  # changed
    assert us.deadline == dt.date(2025, 8, 8)  # inherited, offset from the inherited start
    assert us.threat.company_sanctions is None  # removed by null
    assert us.threat.secondary_tariff.targets == ("CN", "IN")  # sibling kept
    assert s.actors["UA"].demands == {"Donetsk": "line", "Kherson": 0.7}  # mappings merge
    assert s.negotiation.talks.scheduled == (dt.date(2025, 8, 7),)  # lists replace
    assert s.negotiation.talks.rate_per_day == 0.03
    assert s.uncertainty == {}


def test_problems_point_into_the_file_that_wrote_the_value(base: Path, tmp_path: Path):
    write(tmp_path, "child.yaml", """\
        extends: base.yaml
        name: child
        actors:
          US: {credibility: 1.5}
        """)
    with pytest.raises(ScenarioError) as exc:
        load_scenario("child.yaml", overrides={"market.brent_usd": -1})
    assert problems(exc) == [
        "child.yaml:4:21: actors.US.credibility: expected a number from 0 to 1, found 1.5",
        "overrides: market.brent_usd: expected a number > 0, found -1"]
    data, positions = read_merged("child.yaml")
    assert "extends" not in data
    assert (positions["actors.US.credibility"].file, positions["market.brent_usd"].file,
            positions["market.brent_usd"].line) == ("child.yaml", "base.yaml", 25)


def test_extends_cycle_shows_the_chain_as_written(base: Path, tmp_path: Path):
    write(tmp_path, "a.yaml", "extends: sub/b.yaml\nname: a\n")
    write(tmp_path, "sub/b.yaml", "name: b\nextends: ../a.yaml\n")
    with pytest.raises(ScenarioError) as exc:
        load_scenario("a.yaml")
    assert problems(exc) == ["sub/b.yaml:2:10: extends: expected a chain of files that ends, "
                             "found a cycle: a.yaml -> sub/b.yaml -> a.yaml"]
    write(tmp_path, "self.yaml", "extends: self.yaml\n")
    with pytest.raises(ScenarioError) as exc:
        load_scenario("self.yaml")
    assert problems(exc) == ["self.yaml:1:10: extends: expected a chain of files that ends, "
                             "found a cycle: self.yaml -> self.yaml"]


def test_extends_missing_file_names_where_it_looked(base: Path, tmp_path: Path):
    write(tmp_path, "sub/c.yaml", "extends: base.yaml\nname: c\n")
    with pytest.raises(ScenarioError) as exc:
        load_scenario("sub/c.yaml")
    assert problems(exc) == [
        "sub/c.yaml:1:10: extends: expected the path of a scenario file, relative to this "
        "file's folder, found 'base.yaml' (no such file: sub/base.yaml)"]


# ----- every problem at once -------------------------------------------------------------

def test_type_errors_do_not_hide_reference_problems(base: Path, tmp_path: Path):
    text = BASE.replace("brent_usd: 67.0", "brent_usd: lots").replace(
        "targets: [CN, IN]", "targets: [CN, JP]").replace("demands: {Donetsk: line}",
                                                          "demands: {Donetsk: line, Odessa: 0.5}")
    write(tmp_path, "bad.yaml", text)
    with pytest.raises(ScenarioError) as exc:
        load_scenario("bad.yaml")
    assert problems(exc) == [
        "bad.yaml:11:68: actors.UA.demands.Odessa: expected a region named in 'regions' "
        "(Donetsk, Kherson), found 'Odessa'",
        "bad.yaml:16:51: actors.US.threat.secondary_tariff.targets[1]: expected the id of an "
        "importer actor, found 'JP', which is not an actor (importers: CN, IN)",
        "bad.yaml:25:21: market.brent_usd: expected a number > 0, found 'lots'"]


def test_validate_plain_data_reports_keys_without_positions():
    with pytest.raises(ScenarioError) as exc:
        validate({"name": "x", "start": "2025-01-01", "horizon_days": 10, "regions": {},
                  "actors": {}, "market": {"brent_usd": 60, "urals_discount_usd": 1}})
    assert problems(exc) == [
        "<scenario>: actors: expected at least 1 item(s), found 0",
        "<scenario>: regions: expected at least 1 item(s), found 0"]


# ----- safety ----------------------------------------------------------------------------

def test_python_tags_are_refused_and_never_run(base: Path, tmp_path: Path):
    marker = tmp_path / "pwned"
    write(tmp_path, "evil.yaml", BASE.replace(
        "description: base of a chain",
        f"description: !!python/object/apply:os.system ['touch {marker}']"))
    with pytest.raises(ScenarioError) as exc:
        load_scenario("evil.yaml")
    assert not marker.exists()
    assert problems(exc) == [
        "evil.yaml:3:14: description: expected plain data, found the YAML tag "
        "!!python/object/apply:os.system (tags that build Python objects are refused: "
        "scenario files hold data only)"]


def test_error_is_one_exception_with_sorted_problems(base: Path, tmp_path: Path):
    write(tmp_path, "two.yaml", BASE.replace("horizon_days: 60", "horizon_days: sixty")
          .replace("name: base", "name: 1base"))
    with pytest.raises(ScenarioError) as exc:
        load_scenario("two.yaml")
    assert [(p.line, p.column, p.key) for p in exc.value.problems] == [
        (2, 7, "name"), (5, 15, "horizon_days")]
    assert exc.value.exit_code == 2
    assert str(exc.value) == "\n".join(problems(exc))


def test_nested_aliases_are_read_in_linear_time(tmp_path: Path, monkeypatch):
    """A 'billion laughs' of nested aliases is read without expanding it while walking."""
    import time

    monkeypatch.chdir(tmp_path)
    lines = ["a: &a [1, 2]"]
    for prev, name in zip("abcdef", "bcdefg", strict=True):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    write(tmp_path, "bomb.yaml", BASE + "\n".join(f"x_{line}" for line in lines) + "\n")
    started = time.perf_counter()
    with pytest.raises(ScenarioError) as exc:
        load_scenario("bomb.yaml")
    assert time.perf_counter() - started < 10
    assert [p.key for p in exc.value.problems] == [f"x_{c}" for c in "abcdefg"]
    assert all(p.message.startswith("unknown key") for p in exc.value.problems)


def test_empty_and_non_mapping_files(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "empty.yaml", "# nothing\n")
    write(tmp_path, "list.yaml", "- a\n- b\n")
    write(tmp_path, "scalar.yaml", "just text\n")
    for name, message in [("empty.yaml", "empty.yaml: expected a mapping of scenario keys, "
                                         "found an empty file"),
                          ("list.yaml", "list.yaml:1:1: expected a mapping of scenario keys at "
                                        "the top of the file, found a list of 2 item(s)"),
                          ("scalar.yaml", "scalar.yaml:1:1: expected a mapping of scenario keys "
                                          "at the top of the file, found 'just text'")]:
        with pytest.raises(ScenarioError) as exc:
            load_scenario(name)
        assert problems(exc) == [message]
