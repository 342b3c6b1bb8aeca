"""Input the command line refuses, through real subprocesses: an output never overwrites a
file the scenario was read from (its `extends:` chain, its posterior), float options are
finite, and options that do not apply to a saved experiment are refused, not ignored."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from clitools import GOLDEN, REPO, refused, simulate_cli
from experiments_common import write_small

MINI = GOLDEN / "mini.yaml"


def sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


# ----- outputs never overwrite what the scenario was read from --------------------------------

@pytest.fixture
def chain(tmp_path) -> Path:
    """sc2/child.yaml extends base/mini.yaml (another folder)."""
    (tmp_path / "base").mkdir()
    (tmp_path / "sc2").mkdir()
    shutil.copy(MINI, tmp_path / "base" / "mini.yaml")
    (tmp_path / "sc2" / "child.yaml").write_text("extends: ../base/mini.yaml\nname: child\n")
    return tmp_path


@pytest.mark.parametrize("out", ["base/mini.yaml", "sc2/../base/mini.yaml", "sc2/child.yaml"])
def test_trace_out_never_overwrites_a_file_the_scenario_extends(chain, out):
    files = [chain / "base" / "mini.yaml", chain / "sc2" / "child.yaml"]
    before = [sha(f) for f in files]
    refused(simulate_cli("trace", "sc2/child.yaml", "-r", "0", "--out", out, "--force",
                         cwd=chain), f"--out {out}", "input", "never overwritten")
    assert [sha(f) for f in files] == before


def test_trace_out_never_overwrites_the_posterior_the_scenario_names(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq
    posterior = tmp_path / "post.parquet"
    pq.write_table(pa.table({"actors.US.credibility": [0.3, 0.5], "weight": [0.5, 0.5]}),
                   posterior)
    before = sha(posterior)
    ok = simulate_cli("trace", str(MINI), "-r", "0", "--set",
                      "uncertainty.from_posterior=post.parquet", cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr  # the scenario loads: only the output is refused
    refused(simulate_cli("trace", str(MINI), "-r", "0", "--set",
                         "uncertainty.from_posterior=post.parquet", "--out", "post.parquet",
                         "--force", cwd=tmp_path), "--out post.parquet", "input")
    assert sha(posterior) == before


def test_run_out_never_replaces_the_folder_of_a_file_the_scenario_extends(tmp_path):
    """A scenario extending a saved run's scenario.yaml: `run --out` that run's folder, even
    with --force, would replace the very file it extends."""
    saved = tmp_path / "runs" / "a"
    r = simulate_cli("run", str(MINI), "-n", "5", "--out", str(saved), "-q", "--no-report")
    assert r.returncode == 0, r.stderr
    (tmp_path / "child.yaml").write_text("extends: runs/a/scenario.yaml\nname: child\n")
    before = {p.name: sha(p) for p in saved.iterdir() if p.is_file()}
    for out in ("runs/a", "runs"):
        refused(simulate_cli("run", "child.yaml", "-n", "5", "--out", out, "--force", "-q",
                             "--no-report", cwd=tmp_path), f"--out {out}",
                "runs/a/scenario.yaml")
    refused(simulate_cli("trace", "child.yaml", "-r", "0", "--out", "runs/a/scenario.yaml",
                         "--force", cwd=tmp_path), "input")
    assert {p.name: sha(p) for p in saved.iterdir() if p.is_file()} == before


# ----- float options are finite -------------------------------------------------------------------

@pytest.fixture(scope="module")
def sweep_folder(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("sweep")
    small = write_small(d)
    r = simulate_cli("sweep", str(small), "--design", "lhs", "--points", "2", "-n", "4",
                     "--out", str(d / "sw"), "-q")
    assert r.returncode == 0, r.stderr
    return d / "sw"


@pytest.mark.parametrize("args, option", [
    (["run", str(MINI), "--target-se", "nan"], "--target-se"),
    (["run", str(MINI), "-n", "5", "--target-se", "inf"], "--target-se"),
    (["sweep", "SMALL", "--target-se", "nan"], "--target-se"),
    (["discover", "SWEEP", "--outcome", "deal_within_40d", "--threshold", "nan"],
     "--threshold"),
    (["discover", "SWEEP", "--outcome", "deal_within_40d", "--min-density", "nan"],
     "--min-density"),
    (["robust", "SWEEP", "--outcome", "deal_within_40d", "--threshold", "-inf"],
     "--threshold"),
    (["calibrate", str(MINI), "TARGETS", "--out", "cal", "--min-epsilon", "nan"],
     "--min-epsilon"),
])
def test_float_options_refuse_nan_and_infinity(args, option, sweep_folder, tmp_path):
    small = write_small(tmp_path)
    targets = REPO / "scenarios" / "targets" / "embargo2022.yaml"
    args = [{"SMALL": str(small), "SWEEP": str(sweep_folder),
             "TARGETS": str(targets)}.get(a, a) for a in args]
    out = simulate_cli(*args, cwd=tmp_path, timeout=60)  # a NaN target ran 1e6 replicates
    assert out.returncode == 2, (out.returncode, out.stderr)
    assert "Traceback" not in out.stderr
    value = args[args.index(option) + 1]
    assert f"'{option}': expected a finite number, found {value}" in out.stderr, out.stderr
    assert not (tmp_path / "cal").exists()


# ----- options that apply to running are refused on a saved experiment ------------------------

def test_discover_and_robust_refuse_options_that_apply_to_running(sweep_folder):
    line = refused(simulate_cli("discover", str(sweep_folder), "--outcome", "deal_within_40d",
                                "--set", "actors.US.credibility=0.2", "-n", "3", "--points",
                                "2"), "--set, --points and --replicates apply to a scenario",
                   str(sweep_folder))
    assert "leave them out" in line
    refused(simulate_cli("robust", str(sweep_folder), "--outcome", "deal_within_40d", "-n",
                         "3"), "--replicates applies to a scenario")
    ok = simulate_cli("discover", str(sweep_folder), "--outcome", "deal_within_40d")
    assert ok.returncode == 0, ok.stderr
