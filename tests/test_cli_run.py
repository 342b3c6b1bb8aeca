"""`simulate run` and `simulate trace` through the real command line (subprocesses).

Golden files live in tests/golden/; after an intended change of the model, rerun with
SIMULATE_UPDATE_GOLDEN=1 and review the diff before committing.
"""

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from clitools import GOLDEN, GOLDEN_RTOL, check_golden, refused, simulate_cli
from test_report import interval_cells, shown

from simulate.results.units import format_number

MINI = str(GOLDEN / "mini.yaml")


def test_trace_text_is_the_golden_story():
    out = simulate_cli("trace", MINI, "--replicate", "1")
    assert out.returncode == 0, out.stderr
    check_golden("mini_trace_r1.txt", out.stdout)


def test_trace_csv_and_json_hold_the_same_events(tmp_path):
    csv_path = tmp_path / "t.csv"
    assert simulate_cli("trace", MINI, "-r", "1", "--format", "csv", "--out",
                        str(csv_path)).returncode == 0
    js = simulate_cli("trace", MINI, "-r", "1", "--format", "json")
    assert js.returncode == 0
    table = pd.read_csv(csv_path)
    events = json.loads(js.stdout)
    assert list(table.columns) == ["replicate", "day", "date", "actor", "event", "details"]
    assert len(table) == len(events) > 5
    assert table["details"].tolist() == [e["details"] for e in events]
    assert (table["replicate"] == 1).all()
    # the deadline of mini.yaml is two days after the start
    deadline = table[table["event"].str.startswith(("threat_", "deadline_"))]
    assert deadline["date"].iloc[0] == "2025-08-08"


def test_run_json_summary_is_golden():
    out = simulate_cli("run", MINI, "--json", "--quiet")
    assert out.returncode == 0, out.stderr
    check_golden("mini_run_summary.json", out.stdout)
    data = json.loads(out.stdout)
    assert data["replicates"] == 50 and data["seed"] == 7


def _text_table(stdout: str) -> list[list[str]]:
    """The rows of `simulate run`'s text table, cut into cells at the columns of its rule
    line (a cell may be empty: no 5-95% spread for a probability)."""
    lines = stdout.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("  --"))
    spans = [m.span() for m in re.finditer(r"-+", lines[at])]
    assert [lines[at - 1][a:b].strip() for a, b in spans] == [
        "metric", "estimate", "95% CI of estimate", "5-95% of replicates", "unit", "n"]
    rows = []
    for line in lines[at + 1:]:
        if not line.strip():
            break
        rows.append([line[a:b].strip() for a, b in spans])
    return rows


def test_run_text_summary_is_golden_and_says_what_the_json_golden_says():
    """The text table of `simulate run` (stdout; the progress bar is on stderr) is golden,
    and each row shows the JSON golden's numbers, rounded: the two cannot disagree."""
    out = simulate_cli("run", MINI, "--no-report")
    assert out.returncode == 0, out.stderr
    assert "\r" not in out.stdout and "replicate/s" not in out.stdout
    check_golden("mini_run_summary.txt", out.stdout)
    assert out.stdout.splitlines()[0] == "mini: 50 replicates, seed 7, engine batch"
    metrics = json.loads((GOLDEN / "mini_run_summary.json").read_text())["metrics"]
    rows = _text_table(out.stdout)
    assert [r[0] for r in rows] == [m["label"] for m in metrics]
    for (label, est, ci, spread, unit, n), m in zip(rows, metrics, strict=True):
        low, high = interval_cells(ci)
        assert shown(est, m["estimate"]), (label, est, m["estimate"])
        assert shown(low, m["ci_low"]) and shown(high, m["ci_high"]), (label, ci, m)
        assert float(low) <= float(est) <= float(high), (label, ci)
        if m["p05"] is None:
            assert spread == "" and m["kind"] == "proportion", label
        else:
            lo, hi = spread.split(" to ")
            assert shown(lo, m["p05"]) and shown(hi, m["p95"]), (label, spread, m)
        assert unit == m["unit"] and n == f"{m['n']:,}"
        # byte-comparing the text is safe across machines: every number shown keeps its
        # digits when the value moves by the JSON goldens' tolerance (GOLDEN_RTOL)
        for text, value in ((est, m["estimate"]), (low, m["ci_low"]), (high, m["ci_high"])):
            if value != 0:
                for moved in (value * (1 - GOLDEN_RTOL), value * (1 + GOLDEN_RTOL)):
                    assert format_number(moved) == text, (label, text, value)


def test_run_writes_the_contract_files_and_refuses_to_overwrite(tmp_path):
    out_dir = tmp_path / "res"
    first = simulate_cli("run", MINI, "-n", "20", "--out", str(out_dir), "--quiet",
                         "--no-report")
    assert first.returncode == 0, first.stderr
    for name in ("manifest.json", "scenario.yaml", "outcomes.parquet", "timeseries.parquet",
                 "summary.json"):
        assert (out_dir / name).is_file(), name
    manifest = json.loads((out_dir / "manifest.json").read_text())
    assert manifest["replicates"] == 20 and manifest["seed"] == 7
    assert manifest["engine"] == "batch" and manifest["scenario"] == "mini"
    outcomes = pd.read_parquet(out_dir / "outcomes.parquet")
    assert outcomes["replicate"].tolist() == list(range(20))
    before = (out_dir / "outcomes.parquet").read_bytes()
    again = simulate_cli("run", MINI, "-n", "30", "--out", str(out_dir), "--quiet")
    assert again.returncode == 2
    assert "already holds results" in again.stderr and "--force" in again.stderr
    assert "Traceback" not in again.stderr
    assert (out_dir / "outcomes.parquet").read_bytes() == before
    forced = simulate_cli("run", MINI, "-n", "30", "--out", str(out_dir), "--quiet", "--force",
                          "--no-report")
    assert forced.returncode == 0, forced.stderr
    assert len(pd.read_parquet(out_dir / "outcomes.parquet")) == 30


@pytest.mark.parametrize("args, text", [
    (["run", "no/such/file.yaml"], "file not found"),
    (["run", MINI, "--set", "actors.US.credibility=2"], "actors.US.credibility"),
    (["run", MINI, "--engine", "warp"], "Invalid value for '--engine'"),
    (["trace", MINI, "--replicate", "-1"], "Invalid value for '--replicate'"),
])
def test_user_mistakes_exit_2_without_traceback(args, text):
    out = simulate_cli(*args)
    assert out.returncode == 2
    assert text in out.stderr
    assert "Traceback" not in out.stderr


def test_events_engine_run_matches_batch_summary():
    batch = json.loads(simulate_cli("run", MINI, "-n", "12", "--json", "--quiet").stdout)
    events = json.loads(simulate_cli("run", MINI, "-n", "12", "--json", "--quiet",
                                     "--engine", "events").stdout)
    assert events["engine"] == "events"
    for a, b in zip(batch["metrics"], events["metrics"], strict=True):
        assert a["id"] == b["id"]
        assert a["estimate"] == pytest.approx(b["estimate"], abs=1e-9, nan_ok=True)


def raise_user_error(marker_dir: str, kind: str) -> None:
    """A chunk task (module level: worker processes import it by name) that counts its calls
    in ``marker_dir`` and raises a user's mistake: a ScenarioError or a ResultsError."""
    from simulate.errors import Problem, ResultsError, ScenarioError
    with (Path(marker_dir) / "calls").open("a") as f:
        f.write("call\n")
    if kind == "scenario":
        raise ScenarioError([Problem("s.yaml", 3, 5, "x", "bad parameter"),
                             Problem("", 0, 0, "y", "also bad")])
    raise ResultsError("results folder changed")


@pytest.mark.parametrize("kind", ["scenario", "results"])
@pytest.mark.parametrize("backend", ["serial", "processes"])
def test_a_user_error_inside_a_chunk_is_raised_as_it_is_once(tmp_path, backend, kind):
    """A user's mistake raised inside a chunk reaches the caller as itself (not wrapped in
    an ExecutionError, with its message and problems intact across the process boundary) and
    is not retried: the task ran exactly once."""
    from simulate.errors import ExecutionError, Problem, ResultsError, ScenarioError
    from simulate.execution import backends
    error = ScenarioError if kind == "scenario" else ResultsError
    with pytest.raises(error) as caught:
        backends.run_tasks(raise_user_error, [(str(tmp_path), kind)], backend=backend,
                           workers=2, progress=False, retries=1)
    assert type(caught.value) is error and not isinstance(caught.value, ExecutionError)
    if kind == "scenario":
        assert caught.value.problems == [Problem("", 0, 0, "y", "also bad"),
                                         Problem("s.yaml", 3, 5, "x", "bad parameter")]
        assert str(caught.value) == "y: also bad\ns.yaml:3:5: x: bad parameter"
    else:
        assert str(caught.value) == "results folder changed"
    assert (tmp_path / "calls").read_text() == "call\n"  # no retry


def test_a_user_error_inside_a_chunk_exits_2_on_worker_processes(tmp_path):
    """A drawn parameter the model refuses (supply + |demand| elasticity below 0.01, found
    per replicate when a chunk compiles its draws) is the user's mistake on every backend:
    exit 2 and one line naming the key, no traceback, no 'internal error'."""
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"extends: {MINI}\nname: bad_elasticity\nmarket: {{demand_elasticity: 0.0}}"
                   "\nuncertainty:\n  market.supply_elasticity: {dist: uniform, low: 0.0, "
                   "high: 0.005}\n")
    for args in (["--backend", "processes", "--workers", "2", "--chunk-size", "4"],
                 ["--backend", "serial"]):
        out = simulate_cli("run", str(bad), "-n", "8", "--no-report", "--quiet", *args)
        line = refused(out, "market.supply_elasticity: expected market.supply_elasticity + "
                            "|market.demand_elasticity| >= 0.01", "found ")
        assert line.startswith("market.supply_elasticity: ") and "internal error" not in line
        assert out.stdout == ""
