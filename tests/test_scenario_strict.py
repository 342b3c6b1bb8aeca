"""Values of the wrong kind are refused, not coerced: a boolean or quoted text for a number,
a number or text for a boolean; and ``--set`` keys that are malformed or name an actor the
scenario does not have are reported as problems of the override, not of the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulate import ScenarioError, load_scenario
from simulate.scenario import with_overrides
from simulate.scenario.loader import parse_set_options
from simulate.scenario.yamlio import parse_scalar

MINI = Path(__file__).resolve().parent / "golden" / "mini.yaml"


def _copy(tmp_path: Path, old: str = "", new: str = "") -> Path:
    text = MINI.read_text(encoding="utf-8")
    if old:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = tmp_path / "mini.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _problems(path: Path, sets: list[str] | None = None) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, overrides=parse_set_options(sets or []), override_source="--set",
                      announce=False)
    return [str(p).replace(str(path.parent) + "/", "") for p in info.value.problems]


@pytest.mark.parametrize("old, new, expected", [
    ("schema: 1\n", "schema: true\n", "mini.yaml:2:9: schema: expected 1, found true"),
    ("brent_usd: 67,", "brent_usd: true,",
     "mini.yaml:32:21: market.brent_usd: expected a number > 0, found true"),
    ("brent_usd: 67,", 'brent_usd: "67",',
     "mini.yaml:32:21: market.brent_usd: expected a number > 0, found '67' (a number in "
     "quotes is text: write it without quotes)"),
    ("lag_days: 7}", "lag_days: true}",
     "mini.yaml:23:62: actors.US.threat.secondary_tariff.lag_days: expected a whole number "
     ">= 0, found true"),
    ("    credibility: 0.6\n", "    credibility: 0.6\n    extension_days: true\n",
     "mini.yaml:25:21: actors.US.extension_days: expected a whole number >= 1, found true"),
    ("    credibility: 0.6\n", "    credibility: 0.6\n    lift_on_deal: 1\n",
     "mini.yaml:25:19: actors.US.lift_on_deal: expected true or false, found 1"),
    ("    credibility: 0.6\n", "    credibility: 0.6\n    lift_on_deal: 'false'\n",
     "mini.yaml:25:19: actors.US.lift_on_deal: expected true or false, found 'false' (true "
     "or false in quotes is text: write it without quotes)"),
    ("seed: 7}", "seed: true}",
     "mini.yaml:36:34: ensemble.seed: expected a whole number >= 0 and < "
     "9223372036854775808, found true"),
    ("{keep_series: 2}", "{keep_series: 2, counterfactual: 1}",
     "mini.yaml:37:43: outputs.counterfactual: expected true or false, found 1"),
    ("outputs: {keep_series: 2}\n",
     "outputs: {keep_series: 2}\nuncertainty:\n  market.brent_usd: {dist: uniform, low: true, "
     "high: 70}\n",
     "mini.yaml:39:42: uncertainty.market.brent_usd.low: expected a number, found true"),
    ("outputs: {keep_series: 2}\n",
     "outputs: {keep_series: 2}\nuncertainty:\n  actors.US.lift_on_deal: {dist: choice, "
     "values: [true, 0]}\n",
     "mini.yaml:39:27: uncertainty.actors.US.lift_on_deal: expected a distribution that stays "
     "within what actors.US.lift_on_deal accepts (true or false), found one that can give 0"),
])
def test_values_of_the_wrong_kind_are_refused(tmp_path, old, new, expected):
    assert _problems(_copy(tmp_path, old, new)) == [expected]


def test_values_of_the_right_kind_still_pass(tmp_path):
    """An integer is a number; unquoted exponent notation is a number (PyYAML alone reads
    ``1e-3`` as text); offsets, ``line`` and null removal keep working."""
    path = _copy(tmp_path, "drift_per_day: 0.001,", "drift_per_day: 1e-3,")
    s = load_scenario(path, announce=False)
    assert s.market.brent_usd == 67.0 and isinstance(s.market.brent_usd, float)
    assert s.regions["North"].drift_per_day == 0.001
    assert s.actors["UA"].demands == {"North": "line", "South": "line"}
    assert (s.actors["US"].deadline - s.start).days == 2
    assert parse_scalar("2.5e3") == 2500.0 and parse_scalar("1e") == "1e"


def test_set_values_are_typed_like_yaml_and_checked(tmp_path):
    path = _copy(tmp_path)
    s = load_scenario(path, overrides=parse_set_options(
        ["market.brent_usd=70", "actors.US.lift_on_deal=false", "outputs.counterfactual=true",
         "horizon_days=30", "actors.RU.resolve=5e-3"]), announce=False)
    assert s.market.brent_usd == 70.0 and s.horizon_days == 30
    assert s.actors["US"].lift_on_deal is False and s.outputs.counterfactual is True
    assert s.actors["RU"].resolve == 0.005
    assert _problems(path, ["horizon_days=true"]) == [
        "--set: horizon_days: expected a whole number from 1 to 3650, found true"]
    assert _problems(path, ["ensemble.seed=true"]) == [
        "--set: ensemble.seed: expected a whole number >= 0 and < 9223372036854775808, "
        "found true"]
    assert _problems(path, ["actors.US.lift_on_deal=1"]) == [
        "--set: actors.US.lift_on_deal: expected true or false, found 1"]


@pytest.mark.parametrize("key", ["market..brent_usd", "market.brent_usd.", ".market.brent_usd",
                                 "uncertainty..market"])
def test_set_keys_with_an_empty_part_are_refused(tmp_path, key):
    assert _problems(_copy(tmp_path), [f"{key}=3"]) == [
        f"--set: {key}: expected a dotted key of names joined by single dots (e.g. "
        f"market.brent_usd), found {key!r} (a part of it is empty)"]


def test_set_key_naming_an_unknown_actor_blames_the_override(tmp_path):
    path = _copy(tmp_path)
    assert _problems(path, ["actors.XX.credibility=0.3"]) == [
        "--set: actors.XX.credibility: expected the name of an existing actor (IN, RU, UA, "
        "US), found unknown actor 'XX'"]
    assert _problems(path, ["regions.Nort.weight=1"]) == [
        "--set: regions.Nort.weight: expected the name of an existing region (North, South), "
        "found unknown region 'Nort' (did you mean 'North'?)"]
    assert _problems(path, ["markt.brent_usd=3"]) == [
        "--set: markt: unknown key (did you mean 'market'?)"]
    # a new entry set whole is fine, and later keys may go below it
    s = load_scenario(path, overrides={"actors.XX": {"role": "importer"},
                                       "actors.XX.stance": "defy"}, announce=False)
    assert s.actors["XX"].stance == "defy"
    with pytest.raises(ScenarioError, match="unknown actor 'XX'") as info:
        with_overrides(load_scenario(path, announce=False), {"actors.XX.credibility": 0.3})
    assert info.value.problems[0].file == "overrides"


def test_command_line_exits_2_for_a_bad_set_key(tmp_path, capsys):
    from simulate.cli.main import main

    path = _copy(tmp_path)
    code = main(["validate", str(path), "--set", "market..brent_usd=3", "--set",
                 "actors.XX.credibility=0.3"])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert "--set: market..brent_usd: expected a dotted key" in err
    assert "--set: actors.XX.credibility: expected the name of an existing actor" in err
    assert "mini.yaml" not in err


def test_the_model_draws_names_exactly_where_the_scenario_allows_them():
    """``check_sampled`` (the model) reads which keys draw names from the scenario layer's
    ``NAMED_DRAWS`` and ``LINE_DRAWS``: one list, and the two checks agree on each draw."""
    import typing

    import numpy as np

    from simulate.model import sampling
    from simulate.scenario import bounds
    from simulate.scenario.negotiation import Negotiation
    from simulate.scenario.trade import Importer
    from simulate.scenario.value_checks import draw_problem

    assert sampling.NAMED_DRAWS is bounds.NAMED_DRAWS
    assert sampling.LINE_DRAWS is bounds.LINE_DRAWS

    def sampled(key: str, value: object) -> bool:
        try:
            sampling.check_sampled({key: np.array([value], dtype=object)})
        except ScenarioError:
            return False
        return True

    cases = [("negotiation.protocol", v)
             for v in typing.get_args(Negotiation.model_fields["protocol"].annotation)]
    cases += [("actors.CN.stance", v)
              for v in typing.get_args(Importer.model_fields["stance"].annotation)]
    cases += [(f"actors.RU.{part}.Donetsk", "line") for part in bounds.LINE_DRAWS]
    cases += [("actors.US.credibility", "line"), ("actors.US.credibility", "nash"),
              ("actors.RU.resolve", "defy")]
    parts = [k.split(".") for k, _ in cases]
    assert {*bounds.NAMED_DRAWS, *bounds.LINE_DRAWS} <= {p[-1] for p in parts} | {
        p[-2] for p in parts}
    for key, value in cases:
        assert sampled(key, value) == (draw_problem(key, value) is None), (key, value)
