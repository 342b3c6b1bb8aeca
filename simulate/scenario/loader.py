"""Load a scenario: read YAML, follow ``extends``, apply overrides, validate, cross-check.

Every problem of a file is collected and raised at once as one :class:`ScenarioError`.
"""

from __future__ import annotations

import copy
import datetime as _dt
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..errors import Problem, ScenarioError
from .bundled import find_scenario
from .checks import Finding
from .dates import resolve_date
from .experiment_block import PointCheck, experiment_findings
from .keypaths import under
from .knock_on import held_back, reported_findings
from .messages import describe, parent_key, problems_from_validation, set_elsewhere
from .overrides import announce_fixed, apply_overrides, fix_uncertain, parse_set_options
from .posterior import POSTERIOR_KEY, resolve_posterior_path
from .schema import Scenario
from .variants import announce_variant_fixes, fix_inherited
from .yamlio import Position, read_yaml

__all__ = ["load_scenario", "read_merged", "apply_overrides", "validate", "with_overrides",
           "parse_set_options", "fix_uncertain", "announce_fixed", "is_targets_data",
           "looks_like_targets"]

#: what problems of overrides given from Python name as their file
PYTHON_OVERRIDES = "overrides"



#: top-level keys of a calibration targets file (simulate.calibration.targets) that no
#: scenario has, and keys every scenario has that no targets file has
_TARGETS_KEYS = ("targets", "vintage")
_SCENARIO_KEYS = ("regions", "actors", "market", "horizon_days")


def is_targets_data(data: Any) -> bool:
    """Whether the top level of a YAML file is a calibration targets file's (``targets:`` and
    ``vintage:``, none of a scenario's ``regions``, ``actors``, ``market``,
    ``horizon_days``), not a scenario's."""
    return isinstance(data, dict) and all(k in data for k in _TARGETS_KEYS) and not any(
        k in data for k in _SCENARIO_KEYS)


def looks_like_targets(path: Path | str) -> bool:
    """Whether the file at ``path`` is a calibration targets file (read safely; False for
    anything that cannot be read)."""
    try:
        data, _, _, _ = read_yaml(Path(path))
    except ScenarioError:
        return False
    return is_targets_data(data)


def _targets_problem(data: dict, positions: dict, file: str) -> Problem:
    pos = positions.get("@key:targets") or Position(file, 1, 1)
    return Problem(pos.file, pos.line, pos.column, "", (
        "expected a scenario file, found a calibration targets file (it has targets: and "
        "vintage:, and no regions: or actors:): it is the second input of simulate calibrate "
        "SCENARIO TARGETS, not a scenario"))


#: keys that say what kind of thing a mapping is: a different kind replaces the base's whole
_KIND_KEYS = ("dist", "role")


def _merge(base: Any, over: Any) -> Any:
    """Deep merge (RFC 7396 style): mappings merge key by key, ``null`` removes a key,
    anything else (lists included) replaces.

    A mapping of another kind than the base's (another ``dist`` of a distribution, another
    ``role`` of an actor) replaces it whole: a beta distribution does not inherit the bounds
    of the uniform one it replaces. The same kind merges: ``{b: 5}`` changes one parameter.
    """
    if isinstance(base, dict) and isinstance(over, dict) and not any(
            k in base and k in over and base[k] != over[k] for k in _KIND_KEYS):
        out = dict(base)
        for k, v in over.items():
            if v is None:
                out.pop(k, None)
            else:
                out[k] = _merge(base[k], v) if k in base else v
        return out
    return over


def _display(path: Path) -> str:
    """A path as the user wrote it, tidied: ``scenarios/../base.yaml`` -> ``base.yaml``."""
    return os.path.normpath(path)


class _Read:
    """Problems found while reading a file and its ``extends`` chain, and the keys whose
    values were dropped because of them (nothing more is reported about those)."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.skipped: list[str] = []
        #: inherited uncertain keys a variant set (fixed), with their values and the file
        self.fixed: list[tuple[str, Any, str]] = []


def _read_chain(path: Path, chain: tuple[tuple[Path, str], ...], read: _Read,
                ) -> tuple[dict, dict] | None:
    """Data and positions of ``path`` with its ``extends`` chain merged in (base first);
    None when a problem leaves nothing usable (the problem is in ``read.problems``)."""
    file = _display(path)
    try:
        data, positions, problems, skipped = read_yaml(path, name=file)
    except ScenarioError as exc:
        read.problems += exc.problems
        return None
    read.problems += problems
    read.skipped += skipped
    if data is None:
        read.problems.append(Problem(file, 0, 0, "", "expected a mapping of scenario keys, "
                                                     "found an empty file"))
        return None
    if not isinstance(data, dict):
        read.problems.append(Problem(file, 1, 1, "", "expected a mapping of scenario keys at the "
                                                     f"top of the file, found {describe(data)}"))
        return None
    if "extends" not in data:
        return data, positions
    parent = data.pop("extends")
    pos = positions["extends"]
    if not isinstance(parent, str) or not parent.strip():
        read.problems.append(Problem(pos.file, pos.line, pos.column, "extends",
                                     f"expected the path of a scenario file, found "
                                     f"{describe(parent)}"))
        return None
    base_path = path.parent / parent
    try:
        here = (*chain, (path.resolve(), file))
        base_real = base_path.resolve()
    except (OSError, RuntimeError):  # a loop of symbolic links
        read.problems.append(Problem(pos.file, pos.line, pos.column, "extends",
                                     f"expected the path of a scenario file, found "
                                     f"{parent[:80]!r} (a loop of symbolic links)"))
        return None
    if base_real in {real for real, _ in here}:
        names = " -> ".join([name for _, name in here] + [_display(base_path)])
        read.problems.append(Problem(pos.file, pos.line, pos.column, "extends",
                                     f"expected a chain of files that ends, found a cycle: "
                                     f"{names}"))
        return None
    if not base_path.is_file():
        what = "a folder" if base_path.is_dir() else "no such file"
        if _display(base_path) != _display(Path(parent)):
            what += f": {_display(base_path)}"
        read.problems.append(Problem(
            pos.file, pos.line, pos.column, "extends",
            f"expected the path of a scenario file, relative to this file's folder, found "
            f"{parent!r} ({what})"))
        return None
    merged = _read_chain(base_path, here, read)
    if merged is None:
        return None
    base, base_pos = merged
    merged_pos = dict(base_pos)
    for key, value in data.items():
        if not isinstance(value, dict):  # replaced whole: forget the base's positions below it
            merged_pos = {k: p for k, p in merged_pos.items()
                          if not under(k.removeprefix("@key:"), (key,))}
    merged_pos.update({k: v for k, v in positions.items() if k != "extends"})
    out = _merge(base, data)
    read.fixed += [(k, v, file) for k, v in fix_inherited(base, data, out)]
    return out, merged_pos


def read_merged(path: Path | str) -> tuple[dict, dict]:
    """Data and positions of a file with its ``extends`` chain merged in (base first).

    Raises :class:`ScenarioError` with every problem found while reading.
    """
    read = _Read()
    merged = _read_chain(Path(path), (), read)
    if merged is None or read.problems:
        raise ScenarioError(read.problems)
    return merged


def _start(data: dict) -> _dt.date | None:
    try:
        value = resolve_date(data.get("start"), None)
    except ValueError:
        return None
    return value if isinstance(value, _dt.date) else None


def _context(data: dict) -> dict:
    start = _start(data)
    return {"start": start, "start_invalid": start is None}


def _typed(data: dict, positions: dict, file: str) -> tuple[Scenario | None, list[Problem]]:
    """The typed validation of the data: the scenario, or None and its problems."""
    try:
        return Scenario.model_validate(data, context=_context(data)), []
    except ValidationError as exc:
        return None, problems_from_validation(exc, data, positions, Scenario, file)


def _check(data: dict, positions: dict, file: str, levers: bool = True,
           ) -> tuple[Scenario | None, list[Problem]]:
    """The scenario (None if the typed validation failed) and every problem of the data:
    typed validation, cross-references and the experiment block together. ``levers``:
    check each lever value as the design point that sets it (a full check per value; a
    scenario changed by :func:`with_overrides` had its levers checked when it was loaded)."""
    resolve_posterior_path(data, positions)
    scenario, typed = _typed(data, positions, file)
    found, waiting = reported_findings(data, typed)
    problems = held_back(typed, waiting) + [_place(f, positions, file) for f in found]
    point = _point_check(data) if levers else None
    problems += [_place(Finding(key, message, at_key), positions, file)
                 for key, message, at_key in experiment_findings(data, point)]
    return scenario, problems


def _point_check(data: dict) -> PointCheck:
    """A check of one design point of the data's experiment: the problems (key, message)
    that setting a key to a value gives the scenario, beyond those it has already. It is
    what a sweep does to each point (the override, the typed validation, the cross-part
    checks), so ``validate`` refuses a lever value exactly as ``sweep`` would."""
    base = copy.deepcopy({k: v for k, v in data.items() if k != "experiment"})
    uncertainty = base.get("uncertainty")
    if isinstance(uncertainty, dict):  # the posterior's columns are checked once, not per point
        uncertainty.pop(POSTERIOR_KEY, None)
    known: set[tuple[str, str]] | None = None

    def problems_of(point: dict) -> set[tuple[str, str]]:
        _, typed = _typed(point, {}, PYTHON_OVERRIDES)
        return {(p.key, p.message) for p in typed} | {
            (f.key, f.message) for f in reported_findings(point, typed)[0]}

    def check(key: str, value: Any) -> list[tuple[str, str]]:
        nonlocal known
        if known is None:
            known = problems_of(base)
        point = copy.deepcopy(base)
        fix_uncertain(point, {key: value})
        try:
            point = apply_overrides(point, {}, {key: value}, source=PYTHON_OVERRIDES)
        except ScenarioError as exc:
            return [(p.key, p.message) for p in exc.problems]
        return sorted(problems_of(point) - known)

    return check


def _place(finding: Finding, positions: dict, file: str) -> Problem:
    key = finding.key
    pos = positions.get("@key:" + key) if finding.at_key else None
    pos = pos or positions.get(key)
    parent = key
    while pos is None and parent:
        parent = parent_key(parent)
        pos = positions.get(parent)
    pos = pos or Position(file, 0, 0)
    message = finding.message + set_elsewhere(pos, finding.related, positions)
    return Problem(pos.file, pos.line, pos.column, key, message)


def validate(data: dict, positions: dict | None = None, file: str = "<scenario>",
             skipped: list[str] | tuple[str, ...] = (), *, levers: bool = True) -> Scenario:
    """Validate plain data into a :class:`Scenario`, or raise every problem at once.

    ``skipped`` lists keys whose values were dropped because of a problem already reported
    (a forbidden YAML tag); nothing more is reported about them. ``levers=False`` leaves
    out the check of the experiment block's lever values (each a full check of the design
    point that sets it).
    """
    scenario, problems = _check(data, positions or {}, file, levers)
    problems = [p for p in problems if not under(p.key, skipped)]
    if problems or scenario is None:
        raise ScenarioError(problems)
    return scenario


def load_scenario(path: Path | str, overrides: Mapping[str, Any] | None = None, *,
                  override_source: str = PYTHON_OVERRIDES, announce: bool = True) -> Scenario:
    """Read, merge, override and validate a scenario file, given by its path or as the name
    of a bundled scenario (``"aug2025"``; see :func:`~simulate.scenario.find_scenario`).

    Every problem is raised at once as one :class:`ScenarioError`; problems of ``overrides``
    name ``override_source`` as their file (the command line passes ``--set``). An override
    of a key that has a distribution in ``uncertainty:`` fixes it (see :func:`fix_uncertain`);
    ``announce`` says so on standard error, in one line.

    >>> s = load_scenario("scenarios/aug2025.yaml", overrides={"actors.US.credibility": 0.8})
    """
    path = find_scenario(path)
    read = _Read()
    merged = _read_chain(path, (), read)
    if merged is None:
        raise ScenarioError(read.problems)
    data, positions = merged
    if is_targets_data(data):
        raise ScenarioError(_targets_problem(data, positions, _display(Path(path))))
    fixed = fix_uncertain(data, overrides)
    try:
        data = apply_overrides(data, positions, overrides, source=override_source)
    except ScenarioError as exc:
        raise ScenarioError(read.problems + exc.problems) from None
    scenario, problems = _check(data, positions, _display(Path(path)))
    problems = read.problems + [p for p in problems if not under(p.key, read.skipped)]
    if problems or scenario is None:
        raise ScenarioError(problems)
    if announce:
        announce_variant_fixes(read.fixed)
    return _mark_fixed(scenario, [*(k for k, _, _ in read.fixed), *fixed], overrides,
                       announce)


def with_overrides(scenario: Scenario, overrides: Mapping[str, Any], *,
                   announce: bool = True) -> Scenario:
    """A copy of a validated scenario with dotted keys set (validated again).

    Overrides of uncertain keys fix them, as in :func:`load_scenario`; keys fixed before stay
    fixed.
    """
    if not overrides:
        return scenario
    positions: dict[str, Position] = {}
    data = scenario.to_data()
    fixed = fix_uncertain(data, overrides)
    data = apply_overrides(data, positions, overrides, source=PYTHON_OVERRIDES)
    out = validate(data, positions, PYTHON_OVERRIDES, levers=False)
    return _mark_fixed(out, [*scenario.fixed_keys, *fixed], overrides, announce)


def _mark_fixed(scenario: Scenario, fixed: list[str], overrides: Mapping[str, Any] | None,
                announce: bool) -> Scenario:
    """Record on ``scenario`` the uncertain keys fixed by overrides (kept for the manifest)."""
    keys = tuple(dict.fromkeys(fixed))
    if keys:
        scenario._fixed_keys = keys
        new = [k for k in keys if k in (overrides or {})]
        if announce:
            announce_fixed(new, overrides or {})
    return scenario
