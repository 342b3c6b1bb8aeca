"""The scenario files that ship with simulate (``simulate list``)."""

from __future__ import annotations

from pathlib import Path

from .yamlio import load_yaml

__all__ = ["bundled_dir", "bundled_scenarios", "find_scenario"]


def bundled_dir() -> Path:
    """Folder of the bundled scenarios: inside the wheel, or ``scenarios/`` of a checkout."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "_bundled", here.parent / "scenarios"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("bundled scenarios not found next to the simulate package")


#: subfolders of the bundled scenarios that hold scenarios (``targets/`` holds observed data)
SCENARIO_FOLDERS = ("", "episodes", "experiments")


def bundled_scenarios() -> dict[str, tuple[Path, str]]:
    """name -> (path, one-line description) for every bundled scenario: the top-level ones
    by name, then the in-sample episodes and the experiments as ``episodes/NAME`` and
    ``experiments/NAME`` (the names :func:`find_scenario` and ``simulate run`` take)."""
    out = {}
    root = bundled_dir()
    for folder in SCENARIO_FOLDERS:
        for path in sorted((root / folder).glob("*.yaml")):
            data, _ = load_yaml(path)
            text = str(data.get("description", "")).strip().splitlines()
            name = f"{folder}/{path.stem}" if folder else path.stem
            out[name] = (path, text[0] if text else "")
    return out


def find_scenario(name_or_path: str | Path) -> Path:
    """A path as given if it exists, else the bundled scenario of that name."""
    path = Path(name_or_path)
    if path.exists() or path.suffix in (".yaml", ".yml"):
        return path
    candidate = bundled_dir() / f"{name_or_path}.yaml"
    return candidate if candidate.exists() else path
