"""Review fixes of the command line, through real subprocesses: single-file outputs
(`trace --out`, `schema --out`) never overwrite silently, user mistakes exit 2 in one line
without a traceback, `compare` never prints nan/inf and warns about different windows,
refusals leave no lock file, `run --force` keeps the user's own files, and the examples in
--help and docs/cli.md name files that exist."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from clitools import GOLDEN, REPO, refused, simulate_cli
from experiments_common import SMALL, write_small

MINI = GOLDEN / "mini.yaml"


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> Path:
    """Finished runs of mini.yaml: a (20 replicates), b (8 replicates, same seed), c (a
    later start), in a scratch folder."""
    d = tmp_path_factory.mktemp("runs")
    for name, extra in (("a", ["-n", "20"]), ("b", ["-n", "8"]),
                        ("c", ["-n", "8", "--set", "start=2025-09-20"])):
        r = simulate_cli("run", str(MINI), *extra, "--out", str(d / name), "-q", "--no-report",
                         cwd=d)
        assert r.returncode == 0, r.stderr
    return d


# ----- 1. single-file outputs ------------------------------------------------------------

def test_trace_out_never_writes_over_its_input_even_with_force(tmp_path):
    scenario = tmp_path / "s.yaml"
    scenario.write_bytes(MINI.read_bytes())
    for extra in ([], ["--force"]):
        refused(simulate_cli("trace", "s.yaml", "-r", "1", "--out", "s.yaml", *extra,
                             cwd=tmp_path), "--out s.yaml", "input")
    assert scenario.read_bytes() == MINI.read_bytes()


def test_trace_and_schema_out_refuse_an_existing_file_unless_force(tmp_path):
    out = tmp_path / "tr.csv"
    first = simulate_cli("trace", str(MINI), "-r", "1", "--format", "csv", "--out", str(out))
    assert first.returncode == 0, first.stderr
    out.write_text("mine")
    refused(simulate_cli("trace", str(MINI), "-r", "1", "--out", str(out)), "exists",
            "--force")
    assert out.read_text() == "mine"
    forced = simulate_cli("trace", str(MINI), "-r", "1", "--format", "csv", "--out",
                          str(out), "--force")
    assert forced.returncode == 0, forced.stderr
    assert out.read_text().startswith("replicate,")
    schema = tmp_path / "schema.json"
    schema.write_text("mine")
    refused(simulate_cli("schema", "--out", str(schema)), "exists", "--force")
    assert schema.read_text() == "mine"
    assert simulate_cli("schema", "--out", str(schema), "--force").returncode == 0
    assert schema.read_text().startswith("{")
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp files


def test_single_file_outputs_that_cannot_be_written_exit_2(tmp_path):
    scenario = tmp_path / "s.yaml"
    scenario.write_bytes(MINI.read_bytes())
    refused(simulate_cli("trace", "s.yaml", "-r", "1", "--out", "s.yaml/x.csv",
                         cwd=tmp_path), "s.yaml/x.csv", "is a file")
    if Path("/proc").is_dir():
        refused(simulate_cli("trace", "s.yaml", "-r", "1", "--out", "/proc/x.csv",
                             cwd=tmp_path), "/proc/x.csv", "cannot be written")
        refused(simulate_cli("schema", "--out", "/proc/x.json"), "/proc/x.json",
                "cannot be written")


# ----- 2. user mistakes: exit 2, no traceback --------------------------------------------

def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_bad_or_unreachable_scheduler_exits_2_at_once(tmp_path):
    refused(simulate_cli("run", str(MINI), "-n", "5", "--scheduler", "foo", timeout=60),
            "--scheduler", "expected", "'foo'")
    address = f"tcp://127.0.0.1:{_closed_port()}"
    refused(simulate_cli("run", str(MINI), "-n", "5", "--scheduler", address, timeout=60),
            "--scheduler", "cannot reach", address)


def test_discover_with_an_unknown_outcome_exits_2(tmp_path):
    small = write_small(tmp_path, SMALL.replace("points: 5", "points: 2"))
    out = tmp_path / "ex"
    r = simulate_cli("sweep", str(small), "-n", "4", "--out", str(out), "-q")
    assert r.returncode == 0, r.stderr
    refused(simulate_cli("discover", str(out), "--outcome", "nope"), "--outcome nope",
            "expected one of")


# ----- 3. compare --------------------------------------------------------------------------

def test_compare_runs_of_different_sizes_prints_no_nan_or_paired_column(runs):
    r = simulate_cli("compare", "a", "b", cwd=runs)
    assert r.returncode == 0, r.stderr
    assert not re.search(r"\bnan\b|\binf\b|nanx|infx", r.stdout), r.stdout
    assert "paired vs unpaired" not in r.stdout
    assert ") (independent)" not in r.stdout and ") (paired)" not in r.stdout
    # one seed: paired on the 8 replicates both runs have, and the run says so
    assert "b paired" in r.stdout
    warnings = [x for x in r.stderr.splitlines() if x.startswith("warning:")]
    assert len(warnings) == 1 and "replicates 0 to 7" in warnings[0], r.stderr


def test_compare_a_folder_with_itself_is_refused(runs):
    refused(simulate_cli("compare", "a", "./a", cwd=runs), "given twice")


def test_compare_warns_when_start_or_horizon_differ(runs):
    r = simulate_cli("compare", "b", "c", cwd=runs)
    assert r.returncode == 0, r.stderr
    warnings = [x for x in r.stderr.splitlines() if x.startswith("warning:")]
    assert len(warnings) == 1 and "start dates" in warnings[0], r.stderr
    same = simulate_cli("compare", "a", "b", cwd=runs)
    assert "start dates" not in same.stderr and "horizons" not in same.stderr


# ----- 4. messages -------------------------------------------------------------------------

def test_out_in_a_place_that_cannot_be_written_says_so(tmp_path):
    if not Path("/proc").is_dir():
        pytest.skip("no /proc")
    line = refused(simulate_cli("run", str(MINI), "-n", "5", "--out", "/proc/x"),
                   "/proc/x", "cannot be written")
    assert "in use" not in line


def test_compare_out_on_a_finished_folder_does_not_suggest_resume(runs):
    line = refused(simulate_cli("compare", "a", "b", "--out", "c", cwd=runs), "--force")
    assert "--resume" not in line


def test_sensitivity_out_on_a_finished_folder_speaks_of_cli_options(runs, tmp_path):
    small = write_small(tmp_path)
    line = refused(simulate_cli("sensitivity", str(small), "--points", "2", "-n", "4",
                                "--out", str(runs / "a"), "-q"), "--force")
    assert "overwrite" not in line


def test_long_lists_in_messages_are_cut(runs):
    line = refused(simulate_cli("run", str(MINI), "-n", "5", "--set",
                                f"uncertainty.from_posterior={runs / 'a' / 'outcomes.parquet'}"),
                   "weight", "more]")
    assert len(line) < 600, line


# ----- 5. examples name files that exist ---------------------------------------------------

def test_examples_in_help_and_docs_name_existing_scenarios():
    texts = [(REPO / "docs" / "cli.md").read_text(encoding="utf-8")]
    for command in ("sweep", "sensitivity"):
        r = simulate_cli(command, "--help")
        assert r.returncode == 0
        texts.append(r.stdout)
    named = {m for t in texts for m in re.findall(r"scenarios/[\w/.-]+\.yaml", t)}
    assert "scenarios/experiments/aug2025_policies.yaml" in named
    assert not [n for n in named if not (REPO / n).is_file()]


# ----- 6. refusals leave no lock file ------------------------------------------------------

def test_refused_resume_and_report_leave_no_lock_file(runs, tmp_path):
    refused(simulate_cli("run", str(MINI), "-n", "5", "--resume", "--out", "nonexist",
                         cwd=tmp_path), "no interrupted run")
    assert not (tmp_path / ".nonexist.lock").exists()
    damaged = tmp_path / "damaged"
    damaged.mkdir()
    for p in (runs / "a").iterdir():
        if p.is_file():
            (damaged / p.name).write_bytes(p.read_bytes())
    (damaged / "outcomes.parquet").unlink()
    refused(simulate_cli("report", "damaged", cwd=tmp_path), "outcomes.parquet")
    assert not (tmp_path / ".damaged.lock").exists()
    refused(simulate_cli("report", "missing", cwd=tmp_path), "missing")
    assert not (tmp_path / ".missing.lock").exists()


# ----- 7. --force keeps the user's own files -----------------------------------------------

def test_force_refuses_a_results_folder_holding_the_users_files(tmp_path):
    out = tmp_path / "r"
    assert simulate_cli("run", str(MINI), "-n", "5", "--out", str(out), "-q",
                        "--no-report").returncode == 0
    (out / "my_notes.txt").write_text("precious")
    line = refused(simulate_cli("run", str(MINI), "-n", "5", "--out", str(out), "--force",
                                "-q", "--no-report"), "my_notes.txt", "--force")
    assert "did not write" in line
    assert (out / "my_notes.txt").read_text() == "precious"
    (out / "my_notes.txt").unlink()
    again = simulate_cli("run", str(MINI), "-n", "5", "--out", str(out), "--force", "-q",
                         "--no-report")
    assert again.returncode == 0, again.stderr


def test_force_names_at_most_ten_unexpected_files(tmp_path):
    out = tmp_path / "r"
    assert simulate_cli("run", str(MINI), "-n", "5", "--out", str(out), "-q",
                        "--no-report").returncode == 0
    for i in range(13):
        (out / f"note{i:02d}.txt").write_text("x")
    line = refused(simulate_cli("run", str(MINI), "-n", "5", "--out", str(out), "--force",
                                "-q", "--no-report"), "13 file(s)", "... and 3 more")
    assert "note09.txt" in line and "note10.txt" not in line


def test_a_report_does_not_adopt_the_users_files(tmp_path):
    """`simulate report` rewrites the manifest: a file the user put in the folder must not
    be listed there as the run's, or `run --force` would take it for its own and delete it."""
    out = tmp_path / "r"
    assert simulate_cli("run", str(MINI), "-n", "5", "--out", str(out), "-q",
                        "--no-report").returncode == 0
    (out / "my_notes.txt").write_text("precious")
    rebuilt = simulate_cli("report", str(out), "--formats", "png")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "my_notes.txt" not in (out / "manifest.json").read_text()
    refused(simulate_cli("run", str(MINI), "-n", "5", "--out", str(out), "--force", "-q",
                         "--no-report"), "my_notes.txt")
    assert (out / "my_notes.txt").read_text() == "precious"


# ----- the end of the process ----------------------------------------------------------------

def test_console_runs_the_exit_handlers_and_returns_the_commands_code(tmp_path):
    """`console` ends the process itself (no interpreter teardown) but first does what a
    normal exit does: the atexit handlers run, output is flushed, the exit code is main's."""
    mark = tmp_path / "atexit-ran"
    for argv, code in ((["validate", str(MINI)], 0), (["validate", str(tmp_path / "no.yaml")], 2)):
        script = (f"import atexit\natexit.register(lambda: open({str(mark)!r}, 'a').write('x'))\n"
                  f"from simulate.cli.main import console\nconsole({argv!r})\n")
        r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                           cwd=tmp_path, timeout=300)
        assert r.returncode == code, r.stderr
        assert (r.stdout if code == 0 else r.stderr).strip()
    assert mark.read_text() == "xx"


def test_a_refusal_after_reading_parquet_exits_2_every_time(tmp_path):
    """pyarrow's thread pools could abort the process at interpreter teardown after a
    refusal that read a Parquet file (exit 134 in 1 to 6 runs of 30 before `console`,
    depending on the scenario): eight runs in a row must all exit 2. A probe that catches
    the crash only sometimes; the mechanism itself is the test above."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    posterior = tmp_path / "posterior.parquet"
    pq.write_table(pa.table({"actors.XX.nothing": [0.1, 0.2], "weight": [0.5, 0.5]}),
                   posterior)
    for _ in range(8):
        r = simulate_cli("run", str(MINI), "-n", "5", "--set",
                         f"uncertainty.from_posterior={posterior}", cwd=tmp_path)
        assert r.returncode == 2, (r.returncode, r.stderr[-300:])


@pytest.mark.parametrize("command, extra", [
    ("sweep", ["--design", "lhs", "--points", "2", "-n", "4"]),
    ("sensitivity", ["--method", "morris", "--points", "2", "-n", "4",
                     "--outcome", "oil_revenue_busd"])])
def test_force_keeps_the_users_files_in_sweep_and_sensitivity_folders(tmp_path, command,
                                                                      extra):
    """A sweep's and a sensitivity analysis' manifests list every file they write (the
    figure included), so `--force` replaces their own folder but refuses one holding a
    file the user put there."""
    small = write_small(tmp_path)
    out = tmp_path / "out"
    args = [command, str(small), *extra, "--out", str(out), "-q"]
    first = simulate_cli(*args)
    assert first.returncode == 0, first.stderr
    listed = json.loads((out / "manifest.json").read_text())["files"]
    on_disk = sorted(p.name for p in out.iterdir() if p.is_file()
                     and not p.name.startswith(".") and p.name != "manifest.json")
    assert sorted(listed) == on_disk
    again = simulate_cli(*args, "--force")
    assert again.returncode == 0, again.stderr
    (out / "my_notes.txt").write_text("precious")
    refused(simulate_cli(*args, "--force"), "my_notes.txt")
    assert (out / "my_notes.txt").read_text() == "precious"
