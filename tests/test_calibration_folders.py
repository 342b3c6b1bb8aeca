"""`simulate calibrate --out` follows the folder rules of every command (results/folders.py):
the folder carries the ``.simulate-results`` marker; a folder simulate did not write is
refused whatever the options; ``--force`` replaces only a marked one; ``--resume`` continues
the calibration in the same folder; a second writer is refused while the first runs."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest
from calibration_cases import write_case

from simulate.calibration import calibrate
from simulate.errors import ResultsError
from simulate.results.folders import MARKER, unexpected_files

KEY = "market.brent_usd"
SMALL = {"particles": 8, "keys": [KEY], "seed": 5, "predictive": 0, "figures": False}


@pytest.fixture(scope="module")
def case(tmp_path_factory):
    return write_case(tmp_path_factory.mktemp("case"), brent_mean=75.0, brent_end=76.0)


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "simulate", "calibrate", *map(str, args)],
                          capture_output=True, text=True, timeout=300, check=False)


def test_marked_folder_force_replaces_and_resume_reuses(case, tmp_path):
    scenario, targets = case
    out = tmp_path / "cal"
    first = calibrate(scenario, targets, out, generations=1, **SMALL)
    assert json.loads((out / MARKER).read_text())["kind"] == "calibration"
    assert len(first.generations) == 1
    (out / "extra.txt").write_text("left by the first calibration")
    # --resume continues in the same folder: the stored generation is kept, one is added
    resumed = calibrate(scenario, targets, out, generations=2, resume=True, **SMALL)
    assert resumed.directory == out
    assert list(resumed.generations["generation"]) == [0, 1]
    assert resumed.generations.iloc[0].to_dict() == first.generations.iloc[0].to_dict()
    assert (out / "extra.txt").is_file()
    # --force never deletes a file the user put in the folder: refused, nothing touched
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    with pytest.raises(ResultsError, match=r"--force would delete 1 file\(s\) that simulate "
                                           r"did not write: extra.txt"):
        calibrate(scenario, targets, out, generations=1, force=True, **SMALL)
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before
    # moved away, --force replaces the marked folder: a fresh calibration, still marked
    (out / "extra.txt").unlink()
    again = calibrate(scenario, targets, out, generations=1, force=True, **SMALL)
    assert list(again.generations["generation"]) == [0]
    assert (out / MARKER).is_file()


def test_the_manifest_lists_every_file_a_calibration_writes(case, tmp_path):
    """Every file a finished calibration wrote (figures included) is in its manifest, so
    --force replaces it; a file a user adds to the folder (or its figures) is not."""
    scenario, targets = case
    out = tmp_path / "cal"
    calibrate(scenario, targets, out, generations=1, **{**SMALL, "figures": True,
                                                        "predictive": 4})
    written = {p.relative_to(out).as_posix() for p in out.rglob("*")
               if p.is_file() and not p.name.startswith(".")} - {"manifest.json"}
    listed = json.loads((out / "manifest.json").read_text())["files"]
    assert written and written <= set(listed)
    assert any(name.startswith("figures/") for name in written)
    assert unexpected_files(out) == []
    (out / "figures" / "mine.png").write_bytes(b"x")
    assert unexpected_files(out) == ["figures/mine.png"]


def test_a_relative_out_lists_its_figures_below_it_and_force_replaces_it(case, tmp_path,
                                                                       monkeypatch):
    """--out given relative to the working folder (as in docs/cli.md): the figures' paths
    start with it, and the manifest still lists them below the folder, hashed, so that
    --force replaces the calibration instead of taking its figures for a user's files."""
    scenario, targets = case
    monkeypatch.chdir(tmp_path)
    settings = {**SMALL, "figures": True, "predictive": 4}
    calibrate(scenario, targets, "cal/small", generations=1, **settings)
    listed = json.loads((tmp_path / "cal/small/manifest.json").read_text())["files"]
    figures = [name for name in listed if name.startswith("figures/")]
    assert figures and all(listed[name] for name in figures)
    assert not any(name.startswith("cal/") for name in listed)
    again = calibrate(scenario, targets, "cal/small", generations=1, force=True, **settings)
    assert list(again.generations["generation"]) == [0]


def test_foreign_and_unmarked_folders_are_refused_even_with_force(case, tmp_path):
    scenario, targets = case
    # a folder holding a calibration's files but no marker is not simulate's: refused
    unmarked = tmp_path / "old"
    unmarked.mkdir()
    (unmarked / "calibration.json").write_text("{}")
    for options in ({}, {"force": True}, {"resume": True}):
        with pytest.raises(ResultsError, match=f"no {MARKER} marker"):
            calibrate(scenario, targets, unmarked, generations=1, **options, **SMALL)
    assert [p.name for p in unmarked.iterdir()] == ["calibration.json"]
    # --resume needs a calibration to continue
    with pytest.raises(ResultsError, match="no interrupted run to resume"):
        calibrate(scenario, targets, tmp_path / "none", generations=1, resume=True, **SMALL)
    assert not (tmp_path / "none").exists()
    # a marked folder that is not a calibration cannot be resumed as one
    other = tmp_path / "other"
    other.mkdir()
    (other / MARKER).write_text('{"kind": "run"}')
    (other / "manifest.json").write_text("{}")
    with pytest.raises(ResultsError, match="finished run, there is nothing to resume"):
        calibrate(scenario, targets, other, generations=1, resume=True, **SMALL)


def test_command_line_refusals_and_resume(case, tmp_path):
    scenario, targets = case
    out = tmp_path / "cli"
    base = [scenario, targets, "--out", out, "--particles", "8", "--param", KEY,
            "--predictive", "0", "--seed", "3", "--no-figures", "--quiet"]
    done = _cli(*base, "--generations", "1")
    assert done.returncode == 0, done.stderr
    assert (out / MARKER).is_file()
    refused = _cli(*base, "--generations", "1")
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert "holds a calibration; use --resume" in refused.stderr
    resumed = _cli(*base, "--generations", "2", "--resume", "--json")
    assert resumed.returncode == 0, resumed.stderr
    assert [g["generation"] for g in json.loads(resumed.stdout)["generations"]] == [0, 1]
    # an input's folder is refused as --out (the scenario and targets live there)
    inside = _cli(scenario, targets, "--out", scenario.parent, "--generations", "1", "--force")
    assert inside.returncode == 2 and "apart from the inputs" in inside.stderr
    # a second writer is refused at once while another process holds the folder's lock
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from simulate.results.folders import "
         "output_lock\nwith output_lock(sys.argv[1]):\n    print('held', flush=True); "
         "time.sleep(60)", str(out)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        busy = _cli(*base, "--generations", "3", "--resume")
        assert busy.returncode == 2 and "in use by another simulate process" in busy.stderr
    finally:
        holder.kill()
        holder.wait()


def test_the_library_refuses_a_folder_holding_an_input_even_with_force(case, tmp_path):
    """calibrate() itself (not only the CLI) refuses --out holding its targets file, so
    force cannot remove an input along with the marked folder."""
    scenario, targets = case
    out = tmp_path / "cal"
    calibrate(scenario, targets, out, generations=1, **SMALL)
    kept = out / "my_targets.yaml"
    kept.write_text(targets.read_text())
    with pytest.raises(ResultsError, match="apart from the inputs"):
        calibrate(scenario, kept, out, generations=1, force=True, **SMALL)
    assert kept.is_file() and (out / MARKER).is_file()


def test_a_calibration_folder_without_a_file_list_is_not_replaced_by_force(case, tmp_path):
    """A calibration folder from a version that listed no files: simulate cannot tell its
    files from a user's, so --force refuses it and deletes nothing; and a manifest.json
    that is not a calibration's is never written over."""
    from simulate.calibration.abc import _list_own_files

    scenario, targets = case
    old = tmp_path / "old"
    old.mkdir()
    (old / MARKER).write_text(json.dumps({"kind": "calibration", "version": "0.0.1"}))
    (old / "calibration.json").write_text("{}")
    (old / "notes.md").write_text("mine")
    with pytest.raises(ResultsError, match="--force would delete 2 file.*notes.md"):
        calibrate(scenario, targets, old, generations=1, force=True, **SMALL)
    assert (old / "notes.md").read_text() == "mine" and (old / "calibration.json").is_file()
    (old / "manifest.json").write_text('{"mine": true}')
    with pytest.raises(ResultsError, match="expected the manifest of a calibration"):
        _list_own_files(old, ["calibration.json"])
    assert (old / "manifest.json").read_text() == '{"mine": true}'


def test_without_pyabc_calibrate_says_so_before_claiming_its_folder(case, tmp_path,
                                                                  monkeypatch):
    """The calibrate extra missing: a clear error naming it, and no --out folder left
    behind (a second try would otherwise be refused as "already holds results")."""
    from simulate.errors import ExecutionError
    scenario, targets = case
    monkeypatch.setitem(sys.modules, "pyabc", None)          # import pyabc fails
    with pytest.raises(ExecutionError, match=r"pip install -e '\.\[calibrate\]'"):
        calibrate(scenario, targets, tmp_path / "cal", generations=1, **SMALL)
    assert not (tmp_path / "cal").exists()


def test_a_calibration_interrupted_in_its_first_generation_resumes(case, tmp_path,
                                                                 monkeypatch):
    """Interrupted before generation 0 was stored (Ctrl-C), the folder is resumable, not
    "finished": --resume gives the calibration an uninterrupted run gives."""
    import simulate.calibration.abc as abc_module
    scenario, targets = case
    whole = calibrate(scenario, targets, tmp_path / "whole", generations=2, **SMALL)
    real = abc_module._run_generations

    def interrupted(fresh, *args, **kwargs):
        fresh()                                  # pyabc's database is made, nothing stored
        raise KeyboardInterrupt

    monkeypatch.setattr(abc_module, "_run_generations", interrupted)
    with pytest.raises(KeyboardInterrupt):
        calibrate(scenario, targets, tmp_path / "cal", generations=2, **SMALL)
    monkeypatch.setattr(abc_module, "_run_generations", real)
    resumed = calibrate(scenario, targets, tmp_path / "cal", generations=2, resume=True,
                        **SMALL)
    pd.testing.assert_frame_equal(resumed.generations, whole.generations)
    pd.testing.assert_frame_equal(resumed.posterior, whole.posterior)
