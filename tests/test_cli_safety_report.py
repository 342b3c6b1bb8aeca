"""`simulate report` replaces only the files it wrote, and `report`/`compare` say what a
folder is when it is not a run's. Real subprocesses: every refusal is exit 2, one line, no
traceback, and the user's files are byte for byte what they were."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from clitools import GOLDEN, checksums, refused, simulate_cli
from experiments_common import write_small

from simulate.results.folders import mark

MINI = GOLDEN / "mini.yaml"


@pytest.fixture(scope="module")
def reported(tmp_path_factory) -> Path:
    """A finished run of mini.yaml with its report (PNG figures only)."""
    d = tmp_path_factory.mktemp("reported") / "run"
    r = simulate_cli("run", str(MINI), "-n", "5", "--out", str(d), "-q", "--no-report")
    assert r.returncode == 0, r.stderr
    r = simulate_cli("report", str(d), "--formats", "png", "--dpi", "40", "-q")
    assert r.returncode == 0, r.stderr
    return d


@pytest.fixture
def copy(reported, tmp_path) -> Path:
    d = tmp_path / "u"
    shutil.copytree(reported, d)
    return d


def report(d: Path, *extra: str) -> subprocess.CompletedProcess:
    return simulate_cli("report", str(d), "--formats", "png", "--dpi", "40", "-q", *extra)


@pytest.mark.parametrize("force", [[], ["--force"]])
def test_report_never_deletes_the_users_files_in_figures(copy, force):
    (copy / "figures" / "mine.png").write_text("x")
    (copy / "figures" / "custom").mkdir()
    (copy / "figures" / "custom" / "a.txt").write_text("y")
    (copy / "figures" / "empty").mkdir()
    before = checksums(copy)
    line = refused(report(copy, *force), "figures/mine.png", "figures/custom/a.txt",
                   "figures/empty/", "did not write", "3 file(s)")
    assert "not even --force" in line
    assert checksums(copy) == before


def test_report_names_at_most_ten_of_the_users_files(copy):
    for i in range(13):
        (copy / "figures" / f"note{i:02d}.txt").write_text("x")
    before = checksums(copy)
    line = refused(report(copy, "--force"), "13 file(s)", "... and 3 more")
    assert "note09.txt" in line and "note10.txt" not in line
    assert checksums(copy) == before


def test_a_hand_edited_report_is_replaced_only_with_force(copy, reported):
    with open(copy / "report.md", "a", encoding="utf-8") as fh:
        fh.write("\nMy conclusions.\n")
    before = checksums(copy)
    refused(report(copy), "report.md", "changed since simulate wrote", "--force")
    assert checksums(copy) == before
    again = report(copy, "--force")
    assert again.returncode == 0, again.stderr
    assert (copy / "report.md").read_bytes() == (reported / "report.md").read_bytes()
    listed = json.loads((copy / "manifest.json").read_text())["files"]
    assert listed["report.md"] == hashlib.sha256((copy / "report.md").read_bytes()).hexdigest()


def test_a_report_file_simulate_never_wrote_is_refused_even_with_force(tmp_path):
    d = tmp_path / "r"
    r = simulate_cli("run", str(MINI), "-n", "5", "--out", str(d), "-q", "--no-report")
    assert r.returncode == 0, r.stderr
    (d / "report.md").write_text("my own report")
    before = checksums(d)
    for force in ([], ["--force"]):
        refused(report(d, *force), "report.md", "did not write")
    assert checksums(d) == before


def test_a_report_of_its_own_files_only_is_rebuilt(copy):
    before = checksums(copy)
    again = report(copy)
    assert again.returncode == 0, again.stderr
    assert checksums(copy) == before  # byte-identical rebuild


@pytest.fixture(scope="module")
def other_folders(tmp_path_factory) -> dict[str, Path]:
    """A sweep folder and a sensitivity folder of a small scenario."""
    d = tmp_path_factory.mktemp("kinds")
    small = write_small(d)
    out = {"sweep": d / "sw", "sensitivity": d / "sens"}
    for command, extra in (("sweep", ["--design", "lhs", "--points", "2", "-n", "4"]),
                           ("sensitivity", ["--method", "morris", "--points", "2", "-n", "4",
                                            "--outcome", "oil_revenue_busd"])):
        r = simulate_cli(command, str(small), *extra, "--out", str(out[command]), "-q")
        assert r.returncode == 0, r.stderr
    return out


def test_report_and_compare_say_what_a_folder_is(other_folders, reported):
    sw, sens = other_folders["sweep"], other_folders["sensitivity"]
    line = refused(simulate_cli("report", str(sw)), "is a sweep folder",
                   "report works on run folders", f"simulate discover {sw}")
    assert "is missing" not in line
    line = refused(simulate_cli("report", str(sens)), "is a sensitivity folder",
                   "report works on run folders")
    assert "is missing" not in line
    line = refused(simulate_cli("compare", str(reported), str(sw)), "is a sweep folder",
                   "compare works on run folders")
    assert "is missing" not in line


def test_report_on_a_comparison_folder_says_so(reported, tmp_path):
    out = tmp_path / "cmp"
    other = tmp_path / "b"
    shutil.copytree(reported, other)
    r = simulate_cli("compare", str(reported), str(other), "--out", str(out), "-q",
                     "--formats", "png", "--dpi", "40")
    assert r.returncode == 0, r.stderr
    refused(simulate_cli("report", str(out)), "is a comparison folder", "simulate compare")


def test_a_hidden_file_in_figures_does_not_block_the_report_and_is_kept(copy):
    """A system's or an editor's hidden file in figures/ (.DS_Store) is neither taken for
    the user's figures nor deleted: the report is rebuilt and the file stays."""
    (copy / "figures" / ".DS_Store").write_bytes(b"finder")
    r = simulate_cli("report", str(copy), "--formats", "png", "--dpi", "40", "-q")
    assert r.returncode == 0, r.stderr
    assert (copy / "figures" / ".DS_Store").read_bytes() == b"finder"


class Interrupted(BaseException):
    """Stands for Ctrl-C or a kill in the middle of `simulate report`."""


def _interrupt(monkeypatch, where: str) -> None:
    """Make the next build_report stop at ``where``, as an interruption would."""
    from simulate.report import build
    from simulate.results.results import Results
    real_write, real_swap = build.write_text_atomic, build.swap_folder

    def write_then_stop(path, text):
        real_write(path, text)
        if Path(path).name == "manifest.json":
            raise Interrupted

    def stop(*args, **kwargs):
        raise Interrupted

    def swap_then_stop(new, target):
        real_swap(new, target)
        raise Interrupted

    if where == "after the first manifest":
        monkeypatch.setattr(build, "write_text_atomic", write_then_stop)
    elif where == "before the swap":
        monkeypatch.setattr(build, "swap_folder", stop)
    elif where == "after the swap":
        monkeypatch.setattr(build, "swap_folder", swap_then_stop)
    else:
        monkeypatch.setattr(Results, "write_manifest", stop)


@pytest.mark.parametrize("where", ["after the first manifest", "before the swap",
                                   "after the swap", "before the final manifest"])
def test_an_interrupted_report_leaves_no_file_of_simulate_s_unlisted(copy, monkeypatch, where):
    """Interrupted anywhere while it moves the new report in (here with SVG files the old
    report did not have), `report` leaves a manifest that lists every file it wrote: the
    next `report` rebuilds it, `run --force` would replace the folder, and the user's files
    are kept (a file of theirs in figures/ is still refused, even with --force)."""
    from simulate.report import build_report
    from simulate.results.folders import unexpected_files
    from simulate.results.results import Results
    (copy / "notes.txt").write_text("mine")  # beside the run: never touched
    (copy / "figures" / ".DS_Store").write_bytes(b"finder")
    results = Results.load(copy, ignore_derived=True)
    _interrupt(monkeypatch, where)
    with pytest.raises(Interrupted):
        build_report(results, copy, formats=("png", "svg"), dpi=40)
    monkeypatch.undo()
    listed = json.loads((copy / "manifest.json").read_text())["files"]
    written = [p.relative_to(copy).as_posix() for p in copy.rglob("*")
               if p.is_file() and not p.name.startswith(".")
               and p.name not in ("notes.txt", "manifest.json")]
    assert set(written) - set(listed) == set()
    assert unexpected_files(copy) == ["notes.txt"]  # run --force: only the user's file
    assert (copy / "figures" / ".DS_Store").read_bytes() == b"finder"
    assert not list(copy.glob(".report.tmp-*"))

    (copy / "figures" / "mine.png").write_text("x")
    before = checksums(copy)
    refused(simulate_cli("report", str(copy), "--formats", "png,svg", "--dpi", "40", "-q",
                         "--force"), "1 file(s)", "figures/mine.png", "did not write")
    assert checksums(copy) == before
    (copy / "figures" / "mine.png").unlink()

    again = simulate_cli("report", str(copy), "--formats", "png,svg", "--dpi", "40", "-q")
    assert again.returncode == 0, again.stderr
    assert (copy / "notes.txt").read_text() == "mine"
    assert (copy / "figures" / ".DS_Store").read_bytes() == b"finder"
    assert [p.name for p in copy.glob(".*")] == [".simulate-results"]  # nothing left over
    stems = {fmt: sorted(p.stem for p in (copy / "figures").glob(f"*.{fmt}"))
             for fmt in ("png", "svg")}
    assert stems["svg"] and stems["svg"] == stems["png"]
    listed = json.loads((copy / "manifest.json").read_text())["files"]
    assert all((copy / name).is_file() for name in listed)
    assert unexpected_files(copy) == ["notes.txt"]


def test_a_killed_reports_leftovers_are_removed_and_a_live_ones_kept(copy):
    """`kill -9` during a report leaves its stage (.report.tmp-PID-*) and the old figures
    set aside (.figures.old-PID-*), both marked as simulate's, in the folder; the next
    report removes those of processes that no longer run, and leaves alone a running
    report's, any other hidden folder, and one of those names that is not marked (a user's,
    whatever its name)."""
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    pid = int(dead.stdout)  # a process that has ended
    ours = (f".report.tmp-{pid}-abc123", f".figures.old-{pid}-def456",
            f".report.tmp-{os.getpid()}-live")
    for name in (*ours, ".report.tmp-notes", f".figures.old-{pid}-mine"):
        (copy / name).mkdir()
        (copy / name / "x.png").write_bytes(b"x")
        if name in ours:
            mark(copy / name, "report")
    done = simulate_cli("report", str(copy), "--formats", "png", "--dpi", "40", "-q")
    assert done.returncode == 0, done.stderr
    left = sorted(p.name for p in copy.glob(".*") if p.name != ".simulate-results")
    assert left == [f".figures.old-{pid}-mine", f".report.tmp-{os.getpid()}-live",
                    ".report.tmp-notes"]
    assert (copy / f".figures.old-{pid}-mine" / "x.png").read_bytes() == b"x"
