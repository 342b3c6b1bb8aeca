"""Output folders through the real command line: an empty folder of the user's is written in
place (the folder itself, its mode and inode stay), and the messages about --resume and
--force agree on one way out. Every refusal is exit 2, one line, no traceback, and leaves
the folder as it was."""

from __future__ import annotations

import json
import os
import stat
import subprocess
from pathlib import Path

import pytest
from clitools import GOLDEN, checksums, refused, simulate_cli

from simulate.errors import ResultsError
from simulate.results import folders, saving

MINI = GOLDEN / "mini.yaml"


def inode_and_mode(d: Path) -> tuple[int, int]:
    st = d.stat()
    return st.st_ino, stat.S_IMODE(st.st_mode)


def run(out: Path, *extra: str) -> subprocess.CompletedProcess:
    return simulate_cli("run", str(MINI), "-n", "5", "--out", str(out), "-q", "--no-report",
                        *extra)


# ----- an empty folder of the user's is used in place ----------------------------------------

def test_run_writes_into_an_empty_folder_in_place(tmp_path):
    out = tmp_path / "emp2"
    out.mkdir()
    os.chmod(out, 0o2770)
    before = inode_and_mode(out)
    r = run(out)
    assert r.returncode == 0, r.stderr
    assert inode_and_mode(out) == before == (before[0], 0o2770)
    assert (out / "manifest.json").is_file() and (out / "outcomes.parquet").is_file()
    assert not (out / ".chunks").exists()  # the checkpoints go once the results are saved
    assert folders.folder_state(out) == "results"
    assert not [p.name for p in tmp_path.iterdir() if ".tmp-" in p.name or ".old-" in p.name]


def test_compare_writes_into_an_empty_folder_in_place(tmp_path):
    for name in ("a", "b"):
        assert run(tmp_path / name).returncode == 0
    out = tmp_path / "cmp"
    out.mkdir()
    os.chmod(out, 0o750)
    before = inode_and_mode(out)
    r = simulate_cli("compare", str(tmp_path / "a"), str(tmp_path / "b"), "--out", str(out),
                     "-q", "--formats", "png", "--dpi", "40")
    assert r.returncode == 0, r.stderr
    assert inode_and_mode(out) == before
    assert (out / "manifest.json").is_file() and (out / "report.html").is_file()


def test_force_over_finished_results_keeps_the_folders_mode(tmp_path):
    out = tmp_path / "r"
    out.mkdir()
    os.chmod(out, 0o2750)
    assert run(out).returncode == 0
    r = run(out, "--force")
    assert r.returncode == 0, r.stderr
    assert inode_and_mode(out)[1] == 0o2750  # swapped whole (atomic), mode kept


def test_saving_in_place_never_writes_over_a_file_it_did_not_write(tmp_path):
    """A folder of simulate's with nothing finished in it, holding a file of the user's by
    the name of one simulate saves: refused before anything moves, the file kept."""
    out = tmp_path / "r"
    out.mkdir()
    folders.mark(out, "run")
    (out / "summary.json").write_text("mine")

    def writer(tmp: Path) -> None:
        (tmp / "summary.json").write_text("simulate's")
        (tmp / "manifest.json").write_text("{}")
    with pytest.raises(ResultsError, match="summary.json"):
        saving.save_folder(out, writer, kind="run")
    assert (out / "summary.json").read_text() == "mine"
    assert not (out / "manifest.json").exists()


def test_filling_a_folder_in_place_removes_only_the_checkpoint_store_s_own_chunks(tmp_path):
    """A folder of simulate's with nothing finished in it, holding a `.chunks/` the
    checkpoint store did not write (no run.json): the save fills the folder and keeps it."""
    out = tmp_path / "r"
    out.mkdir()
    folders.mark(out, "run")
    (out / ".chunks").mkdir()
    (out / ".chunks" / "notes.txt").write_text("mine")

    def writer(tmp: Path) -> None:
        (tmp / "summary.json").write_text("simulate's")
        (tmp / "manifest.json").write_text("{}")
    saving.save_folder(out, writer, kind="run")
    assert (out / "summary.json").read_text() == "simulate's"
    assert (out / ".chunks" / "notes.txt").read_text() == "mine"


# ----- --resume and --force -----------------------------------------------------------------

def test_resume_with_force_on_a_finished_run_says_they_contradict(tmp_path):
    out = tmp_path / "r"
    assert run(out).returncode == 0
    before = checksums(out)
    line = refused(run(out, "--resume", "--force"), "nothing to resume", "contradict",
                   "drop --resume")
    assert "use --force" not in line
    assert checksums(out) == before


def _without_identity(out: Path) -> None:
    """An interrupted run of simulate's whose checkpoints lost .chunks/run.json."""
    out.mkdir()
    folders.mark(out, "run")
    (out / ".chunks").mkdir()
    (out / ".chunks" / "chunk-000000000000-000000000005.npz").write_bytes(b"x")


def test_an_interrupted_run_without_its_identity_file_has_one_way_out(tmp_path):
    out = tmp_path / "r"
    _without_identity(out)
    before = checksums(out)
    with_resume = refused(run(out, "--resume"), "no interrupted run", "--force",
                          ".chunks/run.json")
    without = refused(run(out), "--force", ".chunks/run.json")
    assert "use --resume" not in without and "--resume to continue" not in without
    assert "without --resume" not in with_resume
    assert checksums(out) == before
    r = run(out, "--force")  # the way out both name
    assert r.returncode == 0, r.stderr
    assert folders.folder_state(out) == "results"


def test_resume_names_each_setting_as_written_and_whole(tmp_path):
    out = tmp_path / "r"
    out.mkdir()
    folders.mark(out, "run")
    (out / ".chunks").mkdir()
    old_hash = "a" * 64
    (out / ".chunks" / "run.json").write_text(json.dumps(
        {"seed": 7, "replicates": 5, "counterfactual": True, "scenario_sha256": old_hash}))
    before = checksums(out)
    line = refused(simulate_cli("run", str(MINI), "-n", "6", "--out", str(out), "--resume",
                                "-q", "--no-report"),
                   "cannot resume", "replicates 5 then, 6 now",
                   "counterfactual true then, false now", f"{old_hash} then", "--force")
    assert "'" not in line  # no value quoted as text
    now_hash = line.split(f"{old_hash} then, ")[1].split(" now")[0]
    assert len(now_hash) == 64
    assert checksums(out) == before
