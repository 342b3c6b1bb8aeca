"""`simulate report` replaces only the files it wrote, and `report`/`compare` say what a
folder is when it is not a run's. Real subprocesses: every refusal is exit 2, one line, no
traceback, and the user's files are byte for byte what they were."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from clitools import GOLDEN, checksums, refused, simulate_cli
from experiments_common import write_small

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
