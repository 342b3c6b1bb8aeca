"""`simulate validate / show / list / schema` on the command line."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from simulate.cli.main import main
from simulate.scenario import validate

REPO = Path(__file__).resolve().parent.parent
AUG = str(REPO / "scenarios" / "aug2025.yaml")


def cli(*args: str, cwd: Path | str = REPO) -> subprocess.CompletedProcess:
    """The real command line, in a subprocess."""
    return subprocess.run([sys.executable, "-m", "simulate", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=60,
                          env={**os.environ, "COLUMNS": "100"})


def run(capsys: pytest.CaptureFixture, *args: str) -> tuple[int, str, str]:
    """The command line in this process (fast): exit code, stdout, stderr."""
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


# ----- a chain of three files ------------------------------------------------------------

GRAND = """\
    schema: 1
    name: grand
    description: the first of three
    start: 2025-01-01
    horizon_days: 30
    regions:
      North: {weight: 1.0, control: 0.5}
      South: {weight: 0.5, control: 0.2, drift_per_day: 0.001}
    actors:
      OC: {role: belligerent, side: occupier, demands: {North: 1.0, South: 1.0}, resolve: 0.2}
      DF: {role: belligerent, side: defender, demands: {North: line}}
      SA:
        role: sanctioner
        deadline: +1w
        threat: {secondary_tariff: {rate: 0.5, targets: [IM], lag_days: 3}}
        credibility: 0.5
      IM:
        role: importer
        exports_to_us_busd: 100
        buyers:
          big: {base_volume_mbd: 1.0}
          small: {base_volume_mbd: 0.1, sanctions_exposure: 0.2}
    market: {brent_usd: 70, urals_discount_usd: 5}
    negotiation:
      talks: {scheduled: [+3d, +10d], rate_per_day: 0.05}
    uncertainty:
      actors.SA.credibility: {dist: uniform, low: 0.2, high: 0.8}
      market.brent_usd: {dist: lognormal, median: 70, sigma: 0.1}
    """
PARENT = """\
    extends: ../grand.yaml
    name: parent
    horizon_days: 60
    regions:
      South: {control: 0.3}
    actors:
      SA:
        deadline: +2w
        threat: {secondary_tariff: {targets: [IM], rate: 1.0}}
      IM:
        buyers:
          small: null
    negotiation:
      talks: {scheduled: [+20d]}
    uncertainty:
      market.brent_usd: null
    """
CHILD = """\
    extends: mid/parent.yaml
    name: child
    actors:
      OC: {resolve: null, war_cost_per_day: 0.001}
      SA: {credibility: 0.9}
    uncertainty:
      actors.SA.credibility: {dist: beta, a: 2, b: 2}
    timeline:
      - {date: +5d, actor: SA, action: secondary_tariff, target: IM, rate: 0.25}
    """
#: child.yaml -> mid/parent.yaml -> grand.yaml, merged by hand
MERGED = """\
    schema: 1
    name: child
    description: the first of three
    start: 2025-01-01
    horizon_days: 60
    regions:
      North: {weight: 1.0, control: 0.5}
      South: {weight: 0.5, control: 0.3, drift_per_day: 0.001}
    actors:
      OC: {role: belligerent, side: occupier, demands: {North: 1.0, South: 1.0},
           war_cost_per_day: 0.001}
      DF: {role: belligerent, side: defender, demands: {North: line}}
      SA:
        role: sanctioner
        deadline: 2025-01-15
        threat: {secondary_tariff: {rate: 1.0, targets: [IM], lag_days: 3}}
        credibility: 0.9
      IM:
        role: importer
        exports_to_us_busd: 100
        buyers:
          big: {base_volume_mbd: 1.0}
    market: {brent_usd: 70, urals_discount_usd: 5}
    negotiation:
      talks: {scheduled: [2025-01-21], rate_per_day: 0.05}
    timeline:
      - {date: 2025-01-06, actor: SA, action: secondary_tariff, target: IM, rate: 0.25}
    uncertainty:
      actors.SA.credibility: {dist: beta, a: 2, b: 2}
    """


@pytest.fixture
def chain(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name, text in (("grand.yaml", GRAND), ("mid/parent.yaml", PARENT),
                       ("child.yaml", CHILD)):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return tmp_path


def test_show_of_a_three_file_chain_equals_the_hand_merge(chain: Path, capsys):
    code, out, err = run(capsys, "show", "child.yaml")
    assert (code, err) == (0, "")
    shown = yaml.safe_load(out)
    assert shown == validate(yaml.safe_load(textwrap.dedent(MERGED))).to_data()
    assert shown["actors"]["SA"]["deadline"] == dt.date(2025, 1, 15)  # +2w from grand's start
    assert list(shown["actors"]["IM"]["buyers"]) == ["big"]  # null removed 'small'
    assert "resolve" not in shown["actors"]["OC"]  # null removed, default is none
    assert shown["negotiation"]["talks"]["scheduled"] == [dt.date(2025, 1, 21)]
    assert list(shown["uncertainty"]) == ["actors.SA.credibility"]


def test_show_applies_typed_overrides(chain: Path, capsys):
    code, out, err = run(capsys, "show", "child.yaml", "--set", "actors.SA.credibility=0.25",
                         "--set", "actors.SA.deadline=+3d", "--set", "horizon_days=45",
                         "--set", "actors.SA.threat.secondary_tariff.targets=[IM]",
                         "--set", "uncertainty.actors.SA.credibility=null")
    assert (code, err) == (0, "")
    shown = yaml.safe_load(out)
    assert shown["actors"]["SA"]["credibility"] == 0.25
    assert shown["actors"]["SA"]["deadline"] == dt.date(2025, 1, 4)
    assert shown["horizon_days"] == 45
    assert shown["actors"]["SA"]["threat"]["secondary_tariff"]["targets"] == ["IM"]
    assert shown["uncertainty"] == {}


def test_bad_set_values_name_the_option_and_exit_2(chain: Path):
    res = cli("show", "child.yaml", "--set", "actors.SA.credibility=high",
              "--set", "actors.SA.deadline=+90d", "--set", "actors.SA.credibilty=0.3",
              cwd=chain)
    assert res.returncode == 2
    assert "Traceback" not in res.stderr
    assert res.stdout == ""
    assert res.stderr.splitlines() == [
        "--set: actors.SA.credibility: expected a number from 0 to 1, found 'high'",
        "--set: actors.SA.credibilty: unknown key (did you mean 'credibility'?)",
        "--set: actors.SA.deadline: expected a date inside the horizon 2025-01-01 to 2025-03-02 "
        "(start + horizon_days), found 2025-04-01 (+90d); start is set at grand.yaml:4:8; "
        "horizon_days is set at mid/parent.yaml:3:15"]
    res = cli("validate", "child.yaml", "--set", "no-equals-sign", cwd=chain)
    assert (res.returncode, res.stderr) == (
        2, "--set: expected KEY=VALUE, e.g. actors.US.credibility=0.8, found 'no-equals-sign'\n")


def test_validate_reports_files_and_problems_separately(chain: Path, capsys):
    (chain / "bad.yaml").write_text("extends: child.yaml\nhorizon_days: 3\n")
    code, out, err = run(capsys, "validate", "child.yaml", "bad.yaml", "mid/parent.yaml")
    assert code == 2
    assert out.splitlines() == ["child.yaml: ok", "mid/parent.yaml: ok"]
    # each date is placed where it was written; the message says where the horizon was cut
    horizon = ("expected a date inside the horizon 2025-01-01 to 2025-01-04 (start + "
               "horizon_days), found {}; start is set at grand.yaml:4:8; horizon_days is set at "
               "bad.yaml:2:15")
    assert err.splitlines() == [
        "child.yaml:9:12: timeline[0].date: " + horizon.format("2025-01-06 (+5d)"),
        "mid/parent.yaml:8:15: actors.SA.deadline: " + horizon.format("2025-01-15 (+2w)"),
        "mid/parent.yaml:14:23: negotiation.talks.scheduled[0]: "
        + horizon.format("2025-01-21 (+20d)")]
    code, out, err = run(capsys, "validate", "--quiet", "child.yaml")
    assert (code, out, err) == (0, "", "")


def test_validate_missing_file(chain: Path, capsys):
    code, out, err = run(capsys, "validate", "nope.yaml")
    assert (code, out, err) == (2, "", "nope.yaml: file not found\n")


@pytest.mark.parametrize("command", ["validate", "show", "list", "schema"])
def test_help_of_each_command_has_an_example(command: str, capsys):
    code, out, _ = run(capsys, command, "--help")
    assert code == 0
    assert "Example:" in out
    example = out.split("Example:", 1)[1].strip().splitlines()[0].strip()
    assert example.startswith(f"simulate {command}")


def test_schema_command_in_a_subprocess_prints_json():
    res = cli("schema")
    assert res.returncode == 0
    assert res.stdout.startswith("{") and res.stdout.endswith("}\n")
    assert '"$schema": "https://json-schema.org/draft/2020-12/schema"' in res.stdout


def test_validate_cite_names_uncited_keys_and_undrawn_assumptions(tmp_path: Path, capsys):
    """`validate --cite`: a value set without a cite, an assumption without a distribution
    and structure cited as an assumption, each at its line; the bundled files pass."""
    base = Path(__file__).resolve().parents[1] / "scenarios" / "aug2025.yaml"
    f = tmp_path / "variant.yaml"
    f.write_text(textwrap.dedent(f"""\
        extends: {base}
        actors:
          IN:
            buyers:
              reliance: {{front_load_share: 0.1}}
          CN:
            buyers:
              independents: {{front_load_share: 0.2}}
        cite:
          actors.CN.buyers.independents.front_load_share: assumption
          negotiation.protocol: assumption
        """))
    code, out, err = run(capsys, "validate", str(f))
    assert (code, err) == (0, "")                        # valid without --cite
    code, out, err = run(capsys, "validate", "--cite", str(f))
    assert code == 2 and out == ""
    assert err.splitlines() == [
        f"{f}:5:36: actors.IN.buyers.reliance.front_load_share: expected a cite (a source id "
        "of sources: or 'assumption' in cite:), found none",
        f"{f}:10:51: cite.actors.CN.buyers.independents.front_load_share: expected a "
        "distribution in uncertainty: for a key cited as 'assumption', found none",
        f"{f}:11:25: cite.negotiation.protocol: expected a source id: this setting is "
        "structure, not a quantity, and cannot be drawn, found 'assumption'"]
    code, out, err = run(capsys, "validate", "--cite", str(base))
    assert (code, err) == (0, "")
