"""The corpus of malformed scenarios: each ``NN_name.yaml`` in ``tests/scenario_corpus/`` is
paired with ``NN_name.expected``, the exact lines ``simulate validate NN_name.yaml`` prints on
standard error (run from the corpus folder, so paths are relative).

Every line names ``file:line:column``, the dotted key, what was expected and what was found.
Files under ``bases/`` are only the targets of ``extends`` and are not cases themselves.

To add a case: write the YAML, run ``simulate validate NN_name.yaml`` in the corpus folder,
check every message is right and helpful (fix the code if not), then save its stderr as
``NN_name.expected``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest

from simulate import ScenarioError, load_scenario

CORPUS = Path(__file__).parent / "scenario_corpus"
CASES = sorted(CORPUS.glob("[0-9][0-9]_*.yaml"))
#: file:line:column: key: message, or file: message for problems without a position
LINE = re.compile(r"^(?P<file>[^:]+\.yaml)(:(?P<line>\d+):(?P<col>\d+))?: (?P<rest>.+)$")


def _expected(case: Path) -> str:
    return case.with_suffix(".expected").read_text(encoding="utf-8")


def _run(case: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "simulate", "validate", case.name], cwd=CORPUS,
        capture_output=True, text=True, timeout=60,
        env={**os.environ, "COLUMNS": "100"})


@pytest.fixture(scope="module")
def cli_runs() -> dict[str, Future]:
    """The CLI on every case, started together (the interpreter's start-up dominates); under
    pytest-xdist each test runs its own case, as the workers are parallel already."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        yield {}
        return
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        yield {case.name: pool.submit(_run, case) for case in CASES}


def test_corpus_is_complete():
    assert len(CASES) >= 30
    names = {c.stem for c in CASES}
    expected = {p.stem for p in CORPUS.glob("*.expected")}
    assert expected == names, "every case needs its .expected file and vice versa"
    numbers = [c.name[:2] for c in CASES]
    assert len(set(numbers)) == len(numbers), "case numbers are unique"


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_validate_prints_exact_problems(case: Path, cli_runs: dict[str, Future]):
    run = cli_runs[case.name].result() if case.name in cli_runs else _run(case)
    assert "Traceback" not in run.stderr
    assert run.stderr == _expected(case)
    assert run.returncode == 2
    assert run.stdout == ""


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_expected_lines_are_well_formed(case: Path):
    """Each expected line places the problem and says what was expected and found."""
    lines = _expected(case).splitlines()
    assert lines, "a malformed scenario reports at least one problem"
    for line in lines:
        m = LINE.match(line)
        assert m, line
        assert (CORPUS / m["file"]).is_file(), line
        if m["line"] is None:  # no position: only for files that have no content to point at
            assert "empty file" in line or "file not found" in line, line
        assert "expected" in m["rest"] or "unknown key" in m["rest"] or \
            "duplicate key" in m["rest"], line


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_api_raises_the_same_problems(case: Path, monkeypatch: pytest.MonkeyPatch):
    """``load_scenario`` raises one ScenarioError holding exactly the problems the CLI prints."""
    monkeypatch.chdir(CORPUS)
    with pytest.raises(ScenarioError) as info:
        load_scenario(case.name)
    assert [str(p) for p in info.value.problems] == _expected(case).splitlines()
    assert str(info.value) == _expected(case).rstrip("\n")


def test_problem_fields_of_the_issue_example(monkeypatch: pytest.MonkeyPatch):
    """The issue's example: ``x.yaml:12:5: actors.IN.buyrs: unknown key (did you mean ...)``."""
    monkeypatch.chdir(CORPUS)
    with pytest.raises(ScenarioError) as info:
        load_scenario("15_misspelt_buyers.yaml")
    (problem,) = info.value.problems
    assert (problem.file, problem.line, problem.column, problem.key, problem.message) == (
        "15_misspelt_buyers.yaml", 34, 5, "actors.IN.buyrs",
        "unknown key (did you mean 'buyers'?)")
    text = (CORPUS / "15_misspelt_buyers.yaml").read_text().splitlines()[33]
    assert text[4:].startswith("buyrs:")


def test_every_problem_of_a_file_at_once(monkeypatch: pytest.MonkeyPatch):
    """A type error does not hide the cross-reference problems of the same file."""
    monkeypatch.chdir(CORPUS)
    with pytest.raises(ScenarioError) as info:
        load_scenario("47_multiple_errors.yaml")
    keys = [p.key for p in info.value.problems]
    assert keys == ["actors.RU.demands.Kherzon", "actors.US.deadline",
                    "actors.US.threat.secondary_tariff.targets[1]", "actors.IN.buyrs",
                    "market.brent_usd"]
