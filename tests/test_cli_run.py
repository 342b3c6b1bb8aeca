"""`simulate run` and `simulate trace` through the real command line (subprocesses).

Golden files live in tests/golden/; after an intended change of the model, rerun with
SIMULATE_UPDATE_GOLDEN=1 and review the diff before committing.
"""

import json

import pandas as pd
import pytest
from clitools import GOLDEN, check_golden, simulate_cli

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


def test_a_user_error_inside_a_chunk_is_not_an_internal_error(tmp_path):
    """An invalid per-replicate parameter found while running still exits 2."""
    from simulate.errors import ScenarioError
    from simulate.execution import backends

    def bad_task(_):
        raise ScenarioError.from_text("bad parameter", key="x")

    for backend in ("serial",):
        with pytest.raises(ScenarioError):
            backends.run_tasks(bad_task, [(1,)], backend=backend, progress=False)
