"""The scenario files that ship with simulate (``simulate list``)."""

from __future__ import annotations

import difflib
from pathlib import Path

from ..errors import Problem, ScenarioError
from .yamlio import load_yaml

__all__ = ["bundled_dir", "bundled_scenarios", "bundled_names", "find_scenario"]


def bundled_dir() -> Path:
    """Folder of the bundled scenarios: inside the wheel, or ``scenarios/`` of a checkout."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "_bundled", here.parent / "scenarios"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("bundled scenarios not found next to the simulate package")


#: subfolders of the bundled scenarios that hold scenarios (``targets/`` holds observed data)
SCENARIO_FOLDERS = ("", "episodes", "experiments")


def bundled_names() -> dict[str, Path]:
    """name -> path of every bundled scenario (the names of :func:`bundled_scenarios`),
    without reading the files."""
    root = bundled_dir()
    return {f"{folder}/{path.stem}" if folder else path.stem: path
            for folder in SCENARIO_FOLDERS for path in sorted((root / folder).glob("*.yaml"))}


def bundled_scenarios() -> dict[str, tuple[Path, str]]:
    """name -> (path, one-line description) for every bundled scenario: the top-level ones
    by name, then the in-sample episodes and the experiments as ``episodes/NAME`` and
    ``experiments/NAME`` (the names :func:`find_scenario` and ``simulate run`` take)."""
    out = {}
    for name, path in bundled_names().items():
        data, _ = load_yaml(path)
        text = str(data.get("description", "")).strip().splitlines()
        out[name] = (path, text[0] if text else "")
    return out


def find_scenario(name_or_path: str | Path) -> Path:
    """The scenario file a name or path stands for: the path as given if it exists, else
    the bundled scenario of that name (``aug2025``, ``episodes/embargo2022``).

    A name (no ``.yaml``) that is neither raises :class:`ScenarioError` suggesting the
    closest bundled names; a missing ``.yaml`` path is returned as given (its loader says
    "file not found"), unless a bundled name is close, which the error then suggests.
    """
    path = Path(name_or_path)
    if path.exists():
        return path
    names = bundled_names()
    key = str(name_or_path).replace("\\", "/")
    if path.suffix.lower() in (".yaml", ".yml"):
        close = _close(path.stem, names)
        if not close:
            return path
        raise ScenarioError(Problem(str(name_or_path), 0, 0, "", (
            f"file not found; did you mean the bundled scenario {_either(close)}? (a bundled "
            f"scenario is given by its name alone: {close[0]!r})")))
    if key in names:
        return names[key]
    close = _close(key, names)
    hint = f"; did you mean {_either(close)}?" if close else ""
    raise ScenarioError(Problem(str(name_or_path), 0, 0, "", (
        f"file not found, and no bundled scenario has this name{hint} (bundled: "
        f"{', '.join(names)})")))


def _close(key: str, names: dict[str, Path]) -> list[str]:
    """Up to 3 bundled names closest to ``key`` (also matched by their last part); the
    name alone when ``key`` is one."""
    if key in names:
        return [key]
    by_stem: dict[str, list[str]] = {}
    for n in names:
        by_stem.setdefault(n.rsplit("/", 1)[-1], []).append(n)
    hits = difflib.get_close_matches(key, list(names), n=3, cutoff=0.6)
    for stem in difflib.get_close_matches(key.rsplit("/", 1)[-1], list(by_stem), n=3,
                                          cutoff=0.6):
        hits += by_stem[stem]
    return list(dict.fromkeys(hits))[:3]


def _either(names: list[str]) -> str:
    """``'a'``, ``'a' or 'b'``, ``'a', 'b' or 'c'``."""
    quoted = [repr(n) for n in names]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"
