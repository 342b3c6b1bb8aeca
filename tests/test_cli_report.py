"""`simulate run` writes the report, `simulate report` rebuilds it, `simulate compare` puts runs
side by side -- through the real command line (subprocesses)."""

from __future__ import annotations

import json

import pytest
from clitools import simulate_cli
from test_report import check_images, check_report_numbers, check_self_contained, parse

from simulate import Results
from simulate.cli.main import main
from simulate.execution.runner import run
from simulate.report import COMPARISON_SECTION_IDS, SECTION_IDS


def simulate_inprocess(capsys, *args: str):
    """The command line in this process (faster than a subprocess): (code, stdout, stderr)."""
    capsys.readouterr()
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "run"
    done = simulate_cli("run", "scenarios/aug2025.yaml", "-n", "60", "--out", str(out),
                        "--quiet")
    assert done.returncode == 0, done.stderr
    return out


def _verify(d):
    r = Results.load(d)  # every checksum in manifest.json, figures and report included
    page = parse(d / "report.html")
    assert list(page.sections) == list(SECTION_IDS)
    check_images(page)
    check_self_contained(page)
    assert (d / "report.md").is_file()
    # its numbers are the closed forms of the saved outcomes (Wilson, Student-t, Newcombe,
    # Spearman), in HTML and Markdown alike
    check_report_numbers(d)
    return r, page


def test_run_writes_figures_and_report(run_dir):
    r, page = _verify(run_dir)
    assert len(r.outcomes) == 60
    assert list((run_dir / "figures").glob("*.png"))
    assert list((run_dir / "figures").glob("*.pdf"))  # design section 5: PNG and PDF
    assert "figures/deal_probability.png" in r.manifest["files"]


def test_report_rebuilds_from_saved_results(run_dir):
    (run_dir / "report.html").unlink()
    (run_dir / "figures" / "brent.png").write_bytes(b"stale")
    # a figure changed since simulate wrote it is replaced only when asked (--force); one
    # simulate did not write never is (tests/test_cli_safety_report.py)
    refused = simulate_cli("report", str(run_dir), "--formats", "png", "--dpi", "50")
    assert refused.returncode == 2 and "figures/brent.png" in refused.stderr
    done = simulate_cli("report", str(run_dir), "--formats", "png", "--dpi", "50", "--force")
    assert done.returncode == 0, done.stderr
    assert "report written to" in done.stdout
    r, _ = _verify(run_dir)
    assert (run_dir / "figures" / "brent.png").read_bytes().startswith(b"\x89PNG")
    assert not list((run_dir / "figures").glob("*.pdf"))  # the folder was rebuilt


def test_report_on_missing_folder_exits_2_without_traceback(tmp_path):
    done = simulate_cli("report", str(tmp_path / "nowhere"))
    assert done.returncode == 2
    assert "no such folder" in done.stderr and str(tmp_path / "nowhere") in done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr


def test_report_refuses_tampered_data(tmp_path, capsys):
    r = run("scenarios/aug2025.yaml", replicates=20, keep_series=2, progress=False,
            counterfactual=False)
    d = r.save(tmp_path / "run")
    path = d / "outcomes.parquet"
    data = bytearray(path.read_bytes())
    data[100] ^= 0xFF
    path.write_bytes(bytes(data))
    code, _, err = simulate_inprocess(capsys, "report", str(d))
    assert code == 2
    assert "outcomes.parquet does not match its checksum" in err
    assert "Traceback" not in err
    code, _, err = simulate_inprocess(capsys, "report", str(d), "--formats", "gif")
    assert code == 2 and "--formats" in err


def test_compare_writes_side_by_side_report(run_dir, tmp_path, capsys):
    other = run("scenarios/aug2025_no_threat.yaml", replicates=60, keep_series=2,
                progress=False, counterfactual=False)
    other_dir = other.save(tmp_path / "no_threat")
    out = tmp_path / "cmp"
    done = simulate_cli("compare", str(run_dir), str(other_dir), "--out", str(out),
                        "--formats", "png", "--dpi", "40")
    assert done.returncode == 0, done.stderr
    assert "aug2025_no_threat" in done.stdout and "paired" in done.stdout
    page = parse(out / "report.html")
    assert list(page.sections) == list(COMPARISON_SECTION_IDS)
    check_images(page)
    check_self_contained(page)
    assert {p.stem for p in (out / "figures").glob("*.png")} == {"compare_outcomes",
                                                                 "deal_probability"}
    code, _, err = simulate_inprocess(capsys, "compare", str(run_dir), str(other_dir),
                                      "--out", str(out))
    assert code == 2 and "--force" in err
    code, stdout, err = simulate_inprocess(capsys, "compare", str(run_dir), str(other_dir),
                                           "--json", "--label", "threat", "--label", "none")
    assert code == 0, err
    data = json.loads(stdout)
    assert data["labels"] == ["threat", "none"]
    assert any(row["metric"] == "deal_within_horizon" for row in data["differences"])
    code, _, err = simulate_inprocess(capsys, "compare", str(run_dir))
    assert code == 2 and "at least two" in err
    code, _, err = simulate_inprocess(capsys, "report", str(out))
    assert code == 2 and "comparison" in err


def test_run_prints_a_headed_table_says_what_it_writes_and_ends_with_the_report(tmp_path):
    out = tmp_path / "mini"
    done = simulate_cli("run", "tests/golden/mini.yaml", "-n", "20", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert f"writing figures and report to {out}/" in done.stderr
    lines = done.stdout.rstrip("\n").splitlines()
    assert lines[-1] == f"report: {out / 'report.html'} (open it in a browser)"
    header = next(x for x in lines if x.strip().startswith("metric"))
    for column in ("estimate", "95% CI of estimate", "5-95% of replicates", "unit", "n"):
        assert column in header
    assert (out / "report.html").is_file()
    quiet = simulate_cli("run", "tests/golden/mini.yaml", "-n", "20", "--out",
                         str(tmp_path / "q"), "--quiet")
    assert quiet.returncode == 0 and quiet.stdout == ""
    assert "writing figures" not in quiet.stderr
