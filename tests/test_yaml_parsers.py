"""Scenario files are read by libyaml's parser where PyYAML has it (about ten times faster)
and by PyYAML's own parser otherwise: both must give the same data, the same positions, the
same problems and the same syntax errors, word for word, on every text."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from simulate.errors import ScenarioError
from simulate.scenario import yamlio

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted(p for folder in ("scenarios", "tests", "notebooks", "benchmarks")
               for p in (ROOT / folder).rglob("*.yaml") if not p.is_symlink())
needs_libyaml = pytest.mark.skipif(not yaml.__with_libyaml__,
                                   reason="PyYAML was built without libyaml")


@contextmanager
def _pure_python():
    """PyYAML's own parser only, as where PyYAML was built without libyaml."""
    with mock.patch.object(yaml, "__with_libyaml__", False):
        yield


def _outcome(text: str) -> tuple:
    """Everything read_yaml gives for ``text``, comparable with ``==`` (NaN as its repr)."""
    try:
        data, positions, problems, skipped = yamlio.read_yaml("f.yaml", text=text)
    except ScenarioError as exc:
        return ("refused", str(exc))
    return ("read", repr(data), positions, [str(p) for p in problems], skipped)


def _both(text: str) -> tuple[tuple, tuple]:
    fast = _outcome(text)
    with _pure_python():
        reference = _outcome(text)
    return fast, reference


def test_the_repository_has_yaml_files_to_compare():
    assert len(FILES) >= 60
    assert ROOT / "scenarios" / "aug2025.yaml" in FILES


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_yaml_file_of_the_repository_reads_the_same_with_either_parser(path):
    fast, reference = _both(path.read_text(encoding="utf-8"))
    assert fast == reference


#: pieces of YAML, those where the two parsers are known to differ among them (tabs, tags,
#: explicit keys, a comment right after a block scalar's header, empty documents)
_PIECES = st.sampled_from(
    list("ab1.:- \n\t!?[]{},\"'#&*|>%@`\\é") + [
        "\n  ", "\n- ", ": ", "a: ", "- a: 1\n", "---\n", "...\n", "2025-01-01", "2025-13-01",
        "0x1F", "1e3", "-1.5e-3", ".nan", "+.inf", "~", "null", "yes", "0o7", "1_000",
        "<<: ", "&x ", "*x", "|\n  a\n", ">-\n  b\n", '"a\\nb"', "'q''q'", "# c\n", " # c",
        "!!str ", "!!python/object:os.system ", "? k\n", "\x07", "\u2028"])


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(_PIECES, max_size=25).map("".join))
@example("a\t")
@example("!")
@example("a: !")
@example("?")
@example("? é")
@example(">#")
@example("---")
@example("---\n # c")
@example("x: 1\n---\n")
def test_any_text_reads_the_same_with_either_parser(text):
    fast, reference = _both(text)
    assert fast == reference


@pytest.mark.parametrize("text, words", [
    ("a: 1\t\n", "found a tab character"),          # libyaml alone would take it
    ("a: |#\n  x\n", "expected chomping or indentation indicators"),
    ("a: [1, 2\n", "in the list opened with '['"),
])
def test_errors_are_worded_by_pythons_parser_whichever_reads_first(text, words):
    fast, reference = _both(text)
    assert fast == reference
    assert fast[0] == "refused" and words in fast[1]


@needs_libyaml
def test_ordinary_scenarios_are_read_by_libyaml(monkeypatch):
    """The bundled scenarios never reach PyYAML's own parser (it would raise here); text
    where the parsers differ does."""
    class Refused(yaml.SafeLoader):
        def __init__(self, text):
            raise AssertionError("PyYAML's own parser was used")

    monkeypatch.setattr(yamlio, "_Loader", Refused)
    for path in sorted((ROOT / "scenarios").rglob("*.yaml")):
        data, _, problems, _ = yamlio.read_yaml(path)
        assert data and not problems, path
    with pytest.raises(AssertionError, match="own parser was used"):
        yamlio.read_yaml("f.yaml", text="a: 1\t\n")
