"""Issue 11: valid scenario files, mutated (a line deleted or duplicated, a value retyped,
deepened, made non-finite, a control character inserted), are either accepted or refused with
problems that name the file and a line; never an internal error. What is accepted runs (two
replicates, short horizon) without an internal error."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import scenario_data

from simulate.errors import ScenarioError
from simulate.scenario import dump_yaml, load_scenario

_VALUES = [".inf", "-.inf", ".nan", "1e400", "99999999999999999999999", "[1, [2, [3]]]",
           "{a: {b: {c: 1}}}", "''", "null", "true", "-1", "2025-02-30", "+999999999d",
           "\"\\u0007\"", "[" * 40 + "]" * 40]


@st.composite
def mutated(draw: st.DrawFn) -> str:
    lines = dump_yaml(draw(scenario_data())).splitlines()
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(lines) - 1))
        kind = draw(st.sampled_from(["delete", "duplicate", "retype", "control", "deepen"]))
        line = lines[i]
        if kind == "delete":
            del lines[i]
        elif kind == "duplicate":
            lines.insert(i, line)
        elif kind == "retype" and ":" in line:
            head = line.split(":", 1)[0]
            lines[i] = f"{head}: {draw(st.sampled_from(_VALUES))}"
        elif kind == "control":
            at = draw(st.integers(0, len(line)))
            lines[i] = line[:at] + draw(st.sampled_from(["\x00", "\x07", "\x1b", "\t"])) + \
                line[at:]
        elif kind == "deepen" and ":" in line:
            head = line.split(":", 1)[0]
            lines[i] = f"{head}: " + "{x: " * 40 + "1" + "}" * 40
        if not lines:
            lines = ["name: x"]
    return "\n".join(lines) + "\n"


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=mutated())
def test_validate_never_raises_internally_and_what_it_accepts_runs(text, tmp_path_factory):
    path = Path(tmp_path_factory.mktemp("fuzz")) / "s.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        scenario = load_scenario(path)
    except ScenarioError as exc:
        assert exc.problems
        for p in exc.problems:
            assert p.file == str(path)
            assert p.line >= 1 or p.message.startswith(("expected", "file not found")), p
            assert len(str(p)) < 600, "messages quote short excerpts"
        return
    from simulate.execution.runner import run
    from simulate.scenario import with_overrides
    try:
        short = with_overrides(scenario, {"horizon_days": 30}) \
            if scenario.horizon_days > 30 else scenario
        results = run(short, replicates=2, keep_series=1, chunk_size=2, progress=False)
    except ScenarioError:
        return  # a per-replicate check (exit 2), not an internal error
    assert len(results.outcomes) == 2


def test_text_that_reads_like_a_huge_number_is_still_text():
    """A source title or note such as '1000000000000' is text: only number fields are bounded."""
    from simulate.scenario.bounds import number_findings

    data = {"sources": {"src": {"title": "1000000000000"}}, "description": "2e99",
            "timeline": [{"note": "1e13", "rate": "1e13"}]}
    assert number_findings(data) == [
        ("timeline[0].rate", "expected a number from -1e12 to 1e12, found 1e+13")]
