"""The size check that runs before a scenario file is parsed (depth, keys, value lengths)
finds the same problem, at the same place, whichever YAML scanner reads the text: libyaml's,
used where PyYAML has it because it is about ten times faster, or PyYAML's own."""

from pathlib import Path

import pytest
import yaml

from simulate.scenario.bounds import MAX_DEPTH, MAX_KEYS, MAX_SCALAR_CHARS, scan_text

pytestmark = pytest.mark.skipif(not hasattr(yaml, "CSafeLoader"),
                                reason="PyYAML built without libyaml")
REPO = Path(__file__).resolve().parent.parent
FILES = [p for p in sorted((REPO / "scenarios").rglob("*.yaml"))
         + sorted((REPO / "tests").rglob("*.yaml")) if p.is_file() and not p.is_symlink()]

#: texts over each bound, and one with a syntax error before a bound is reached
OVER = {
    "deep": "a:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, MAX_DEPTH + 3)),
    "flow_deep": "a: " + "[" * (MAX_DEPTH + 2) + "]" * (MAX_DEPTH + 2) + "\n",
    "keys": "".join(f"k{i}: {i}\n" for i in range(MAX_KEYS + 1)),
    "long": "a: " + "x" * (MAX_SCALAR_CHARS + 1) + "\n",
    "broken": "a: b: c\nd: " + "x" * (MAX_SCALAR_CHARS + 1) + "\n",
}


def _both(text: str):
    return scan_text(text, "f.yaml", yaml.SafeLoader), scan_text(text, "f.yaml",
                                                                   yaml.CSafeLoader)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.relative_to(REPO).as_posix())
def test_every_yaml_file_of_the_repository_scans_alike(path):
    pure, fast = _both(path.read_text(errors="replace"))
    assert pure == fast


@pytest.mark.parametrize("name", sorted(OVER))
def test_each_bound_is_found_alike(name):
    pure, fast = _both(OVER[name])
    assert pure == fast
    assert (pure is None) == (name == "broken"), pure
    if pure is not None:
        assert pure.line >= 1 and "at most" in pure.message
