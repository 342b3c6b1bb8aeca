"""Issue 11: output folders that cannot destroy user files, one writer at a time, runs that
cannot mix, limits refused up front. Real subprocesses for the command line: every refusal is
exit 2 with a one-line message and no traceback, and nothing of the user's is lost."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from clitools import GOLDEN, REPO

from simulate.errors import ResultsError
from simulate.results import folders, saving

MINI = GOLDEN / "mini.yaml"


def cli(*args: str, cwd: Path | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONHASHSEED": "0"}
    return subprocess.run([sys.executable, "-m", "simulate", *args], cwd=cwd or REPO,
                          capture_output=True, text=True, timeout=timeout, env=env,
                          stdin=subprocess.DEVNULL)


def refused(out: subprocess.CompletedProcess, *words: str) -> None:
    assert out.returncode == 2, out.stderr
    assert "Traceback" not in out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    for w in words:
        assert w in lines[0], lines[0]


def _tree(d: Path) -> dict[str, bytes]:
    return {str(p.relative_to(d)): p.read_bytes() for p in sorted(d.rglob("*")) if p.is_file()}


@pytest.fixture
def user_folder(tmp_path: Path) -> Path:
    """A folder of the user's: files simulate never wrote."""
    d = tmp_path / "mine"
    d.mkdir()
    (d / "notes.txt").write_text("precious")
    (d / "sub").mkdir()
    (d / "sub" / "data.csv").write_text("a,b\n1,2\n")
    return d


def test_resume_on_a_folder_that_never_held_a_run_deletes_nothing(user_folder):
    before = _tree(user_folder)
    out = cli("run", str(MINI), "-n", "5", "--out", str(user_folder), "--resume", "-q")
    refused(out, str(user_folder), "not written by simulate")
    assert _tree(user_folder) == before


def test_force_never_replaces_a_foreign_folder(user_folder):
    before = _tree(user_folder)
    out = cli("run", str(MINI), "-n", "5", "--out", str(user_folder), "--force", "-q")
    refused(out, "never replaced", "--force")
    assert _tree(user_folder) == before


def test_out_cannot_be_the_current_folder_its_ancestor_or_the_scenarios(tmp_path):
    work = tmp_path / "work"
    (work / "deep").mkdir(parents=True)
    shutil.copy(MINI, work / "mini.yaml")
    folders.mark(work, "run")  # even a folder simulate made is refused as --out here
    for out, cwd in ((".", work), ("..", work / "deep"), (str(work), tmp_path)):
        result = cli("run", str(work / "mini.yaml"), "-n", "5", "--out", out, "--force", "-q",
                     cwd=cwd)
        refused(result, "--out")
    assert (work / "mini.yaml").read_text() == MINI.read_text()


def test_resume_refuses_a_finished_run_and_keeps_it(tmp_path):
    out_dir = tmp_path / "res"
    first = cli("run", str(MINI), "-n", "6", "--out", str(out_dir), "-q", "--no-report")
    assert first.returncode == 0, first.stderr
    before = _tree(out_dir)
    for extra in ([], ["--seed", "99"], ["-n", "3"]):
        again = cli("run", str(MINI), "-n", "6", *extra, "--out", str(out_dir), "--resume",
                    "-q", "--no-report")
        refused(again, "finished run", "nothing to resume")
    assert _tree(out_dir) == before


def test_a_second_writer_is_refused_while_the_first_holds_the_folder(tmp_path):
    out_dir = tmp_path / "res"
    with folders.output_lock(out_dir):
        folders.prepare_output(out_dir, kind="run")
        out = cli("run", str(MINI), "-n", "5", "--out", str(out_dir), "--force", "-q")
        refused(out, "in use by another simulate process", f"pid {os.getpid()}")
        report = cli("report", str(out_dir))
        refused(report, "in use by another simulate process")
    again = cli("run", str(MINI), "-n", "5", "--out", str(out_dir), "--force", "-q",
                "--no-report")
    assert again.returncode == 0, again.stderr  # the lock died with its holder's block


def test_stale_temporary_folders_of_a_killed_save_are_removed(tmp_path):
    out_dir = tmp_path / "res"
    stale = tmp_path / ".res.tmp-999999-abc"
    stale.mkdir()
    folders.mark(stale, "run")
    (stale / "outcomes.parquet").write_bytes(b"half")
    foreign = tmp_path / ".res.tmp-999999-xyz"
    foreign.mkdir()
    (foreign / "keep.txt").write_text("not ours")
    out = cli("run", str(MINI), "-n", "5", "--out", str(out_dir), "-q", "--no-report")
    assert out.returncode == 0, out.stderr
    assert not stale.exists()
    assert (foreign / "keep.txt").read_text() == "not ours"
    assert folders.folder_state(out_dir) == "results"


@pytest.mark.parametrize("args, words", [
    (["--seed", str(2**64)], ["--seed"]),
    (["--seed", str(2**63)], ["--seed"]),
    (["-n", str(10**12)], ["--replicates"]),
    (["--workers", "100000"], ["--workers"]),
])
def test_out_of_range_options_are_refused_up_front(args, words):
    out = cli("run", str(MINI), *args, "-q", timeout=60)
    assert out.returncode == 2, out.stderr
    assert "Traceback" not in out.stderr
    for w in words:
        assert w in out.stderr


def test_out_below_a_file_or_read_only_is_refused(tmp_path):
    afile = tmp_path / "afile"
    afile.write_text("x")
    refused(cli("run", str(MINI), "-n", "5", "--out", str(afile / "res"), "-q"), "is a file")
    if os.geteuid() == 0:
        return  # root writes anywhere
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        refused(cli("run", str(MINI), "-n", "5", "--out", str(ro / "res"), "-q"),
                "permission denied")
    finally:
        ro.chmod(0o700)


def test_prepare_output_rules(tmp_path, user_folder):
    """The rules every folder-writing command shares (folders.prepare_output)."""
    fresh = tmp_path / "fresh"
    with folders.output_lock(fresh):
        assert folders.prepare_output(fresh, kind="comparison") == "missing"
    assert folders.folder_state(fresh) == "marked"
    with pytest.raises(ResultsError, match="already holds results"):
        folders.prepare_output(fresh, kind="comparison")
    assert folders.prepare_output(fresh, kind="comparison", force=True) == "marked"
    with pytest.raises(ResultsError, match="no interrupted run"):
        folders.prepare_output(fresh, kind="run", resume=True)
    for force in (False, True):
        with pytest.raises(ResultsError, match="not written by simulate"):
            folders.prepare_output(user_folder, kind="run", force=force)
    tmp = saving.make_temp_folder(user_folder, "run")
    with pytest.raises(ResultsError, match="cannot be replaced"):
        saving.replace_folder(tmp, user_folder)
    assert not tmp.exists() and (user_folder / "notes.txt").is_file()
    staged = tmp_path / "staged-by-the-user"   # not simulate's: refused, and left in place
    staged.mkdir()
    (staged / "draft.txt").write_text("draft")
    with pytest.raises(ResultsError, match="cannot be replaced"):
        saving.replace_folder(staged, user_folder)
    assert (staged / "draft.txt").read_text() == "draft"


def test_manifest_edited_by_hand_is_refused_on_load(tmp_path):
    from results_factory import make_results

    from simulate.results.results import Results
    d = make_results().save(tmp_path / "r")
    Results.load(d)
    for key, value in (("seed", 8), ("replicates", 3), ("scenario_sha256", "0" * 64)):
        manifest = json.loads((d / "manifest.json").read_text())
        good = manifest[key]
        manifest[key] = value
        (d / "manifest.json").write_text(json.dumps(manifest))
        with pytest.raises(ResultsError, match=key):
            Results.load(d)
        manifest[key] = good
        (d / "manifest.json").write_text(json.dumps(manifest))
    Results.load(d)


def test_malformed_parquet_with_recomputed_checksums_is_a_results_error(tmp_path):
    from results_factory import make_results

    from simulate.results.files import sha256_file
    from simulate.results.results import Results
    d = make_results().save(tmp_path / "r")
    (d / "outcomes.parquet").write_bytes(b"PAR1 not really parquet PAR1")
    manifest = json.loads((d / "manifest.json").read_text())
    manifest["files"]["outcomes.parquet"] = sha256_file(d / "outcomes.parquet")
    (d / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ResultsError, match="cannot read the data files"):
        Results.load(d)
    manifest["files"]["../../etc/passwd"] = "0" * 64
    (d / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ResultsError, match="relative names inside the folder"):
        Results.load(d)


def test_a_refusal_removes_only_a_lock_file_it_made(tmp_path):
    out_dir = tmp_path / "res"
    lock = folders.lock_path(out_dir)
    with pytest.raises(ResultsError), folders.output_lock(out_dir):
        assert lock.is_file()
        raise ResultsError("refused")
    assert not lock.exists()
    with folders.output_lock(out_dir):  # a lock file made by a command that went through
        pass
    assert lock.is_file()
    with pytest.raises(ResultsError), folders.output_lock(out_dir):
        raise ResultsError("refused")
    assert lock.is_file()  # it existed before: left for the next writer


def test_a_swap_neither_removes_nor_reuses_a_folder_already_beside_it(tmp_path):
    """The old folder goes aside into a new folder of its own: a folder of the name an
    earlier version used (``.NAME.old-PID``, here a user's) is left as it was, and nothing
    of the swap is left behind."""
    from simulate.results.saving import swap_folder
    target, new = tmp_path / "figures", tmp_path / "staged"
    target.mkdir()
    (target / "old.png").write_bytes(b"old")
    new.mkdir()
    (new / "new.png").write_bytes(b"new")
    mine = tmp_path / f".figures.old-{os.getpid()}"
    mine.mkdir()
    (mine / "keep.txt").write_text("mine")
    swap_folder(new, target)
    assert sorted(p.name for p in target.iterdir()) == ["new.png"]
    assert (mine / "keep.txt").read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == [mine.name, "figures"]
