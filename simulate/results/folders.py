"""Output folders that cannot destroy a user's files: what may be written, replaced, resumed.

Every command that writes a folder (``run --out``, ``compare --out``, ``report``, ``sweep``,
``sensitivity``, ...) goes through this module, so one set of rules holds everywhere:

* **Recognised by a marker.** A folder the tool made holds the marker file ``.simulate-results``
  (JSON: the kind of folder and the version that wrote it). A *results folder* holds the marker
  and ``manifest.json``; an *interrupted run* holds the marker and checkpoints
  (``.chunks/run.json``) but no manifest yet.
* **Never replace a foreign folder.** ``--force`` replaces only a folder the tool made, or an
  empty one; a non-empty folder without the marker is refused whatever the options.
* **Resume only what was interrupted.** ``--resume`` needs an interrupted run (the checkpoint
  store then checks that the run's identity matches); a finished or foreign folder is refused.
* **Never the folder you stand in.** The current directory, any of its ancestors, the folder
  of an input (the scenario file, a compared run) or an ancestor of one is refused as output.
* **One writer at a time.** :func:`output_lock` holds an exclusive OS lock on the hidden file
  ``.NAME.lock`` beside the folder, with the owner's pid, host and command written in it; a
  second writer is refused at once with that owner named. The lock is released by the
  operating system when its process dies, so a killed run never leaves a lock behind.
* **Atomic replacement.** New contents are built in a temporary sibling
  ``.NAME.tmp-PID-XXXX`` and swapped in (:mod:`simulate.results.saving`); a save killed
  halfway leaves that sibling, which the next writer (holding the lock) removes
  (:func:`clean_stale`).

Typical use by a command that writes a folder::

    from simulate.results.folders import output_lock, prepare_output
    from simulate.results.saving import save_folder

    with output_lock(out):
        prepare_output(out, kind="sweep", force=force, inputs=[scenario_path])
        save_folder(out, write_everything, kind="sweep", overwrite=force)

where ``write_everything(tmp)`` writes the files into a temporary folder that is then
swapped in (it takes the lock again, re-entrantly).

Every refusal is a :class:`~simulate.errors.ResultsError` (exit 2, one line, naming the
folder and the option to use).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

from ..errors import ResultsError
from .locks import lock_path, output_lock

__all__ = ["MARKER", "MANIFEST", "RUN_IDENTITY", "State", "folder_state", "check_output_path",
           "prepare_output", "check_refusals", "unexpected_files", "mark", "is_marked",
           "clean_stale", "output_lock", "lock_path", "folder_kind", "name_files"]

#: marker file of a folder written by simulate
MARKER = ".simulate-results"
MANIFEST = "manifest.json"
#: checkpoint folder and identity file of a run in progress (see execution/checkpoint.py):
#: a marked folder holding ``.chunks/run.json`` and no manifest is an interrupted run, and a
#: save that fills such a folder removes that ``.chunks/`` (:mod:`simulate.results.saving`)
RUN_IDENTITY = (".chunks", "run.json")

State = Literal["missing", "empty", "results", "interrupted", "marked", "foreign", "file"]


def is_marked(folder: Path | str) -> bool:
    """Whether ``folder`` carries the marker of a folder written by simulate."""
    return (Path(folder) / MARKER).is_file()


def folder_state(folder: Path | str) -> State:
    """What ``folder`` is: ``missing``, ``file`` (not a folder), ``empty``, ``results``
    (marker and manifest: finished), ``interrupted`` (marker and checkpoints, no manifest),
    ``marked`` (marker only: made by simulate, nothing finished in it) or ``foreign``
    (anything else: never replaced)."""
    d = Path(folder)
    if not d.exists() and not d.is_symlink():
        return "missing"
    if d.is_symlink() or not d.is_dir():
        return "file"
    try:
        entries = [p.name for p in d.iterdir()]
    except OSError as exc:
        raise ResultsError(f"{d}: cannot read the folder ({exc.strerror})") from None
    if not entries:
        return "empty"
    if MARKER not in entries:
        return "foreign"
    if MANIFEST in entries:
        return "results"
    if (d / RUN_IDENTITY[0] / RUN_IDENTITY[1]).is_file():
        return "interrupted"
    return "marked"


def _inside(child: Path, parent: Path) -> bool:
    return child == parent or parent in child.parents


def check_output_path(out: Path | str, *, inputs: Iterable[Path | str] = (),
                      option: str = "--out") -> Path:
    """Refuse an output folder that would put the user's own files at risk, or that cannot
    be written; return it resolved.

    Refused: the current directory or one of its ancestors; the folder holding an input, or
    an ancestor of it (``inputs``: the scenario file, compared results folders, ...); a path
    below a file; a place without write permission.
    """
    given = Path(out)
    target = given.expanduser().resolve()
    cwd = Path.cwd().resolve()
    if _inside(cwd, target):
        what = "the current folder" if target == cwd else "an ancestor of the current folder"
        raise ResultsError(f"{option} {given}: expected a new folder for the results, found "
                           f"{what} (choose a folder of its own, e.g. {option} runs/NAME)")
    for item in inputs:
        src = Path(item).expanduser().resolve()
        home = src if src.is_dir() else src.parent
        if _inside(home, target):
            raise ResultsError(f"{option} {given}: expected a folder apart from the inputs, "
                               f"found one that holds {item} (choose another {option})")
    probe = target
    while not probe.exists() and probe.parent != probe:
        probe = probe.parent
    if not probe.is_dir():
        raise ResultsError(f"{option} {given}: expected a folder, found that {probe} is a file")
    for need in ([target, target.parent] if probe == target else [probe]):
        if not os.access(need, os.W_OK | os.X_OK):
            raise ResultsError(f"{option} {given}: cannot write in {need} (permission denied)")
    return target


def prepare_output(out: Path | str, *, kind: str, force: bool = False, resume: bool = False,
                   inputs: Iterable[Path | str] = (), create: bool = True,
                   option: str = "--out", resumable: str | None = None,
                   can_resume: bool = True) -> State:
    """Check that ``out`` may receive the output of a command; call it holding
    :func:`output_lock`. Returns the folder's :func:`folder_state` before anything was done.

    Without options, ``out`` must be missing or empty. ``force`` also accepts a folder that
    simulate made (finished, interrupted or marked), unless it holds files simulate did not
    write (:func:`unexpected_files`: those are the user's, never deleted); ``resume`` accepts
    only an interrupted run, or, with ``resumable`` (a file name, e.g. a calibration's state
    file), a folder simulate made that holds that file (a calibration continues with more
    generations even when it finished). A foreign folder is always refused. Stale temporary
    folders of a killed save are removed (:func:`clean_stale`). With ``create``, a missing
    ``out`` is created and marked. ``can_resume``: whether the command has a ``--resume``
    option to suggest.
    """
    given = Path(out)
    check_output_path(given, inputs=inputs, option=option)
    state = check_refusals(given, kind=kind, force=force, resume=resume, option=option,
                           resumable=resumable, can_resume=can_resume)
    clean_stale(given)
    if create:
        try:
            given.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ResultsError(f"{option} {given}: cannot create the folder "
                               f"({exc.strerror})") from None
        if not is_marked(given):
            mark(given, kind)
    return state


def check_refusals(out: Path | str, *, kind: str, force: bool = False, resume: bool = False,
                   option: str = "--out", resumable: str | None = None,
                   can_resume: bool = True) -> State:
    """The rules of :func:`prepare_output` without its side effects: raise
    :class:`ResultsError` if ``out`` may not be written, else return its state. Safe to call
    before taking the lock (a refusal then leaves no lock file behind); call it again
    holding the lock, as the folder may change meanwhile."""
    given = Path(out)
    state = folder_state(given)
    if state == "file":
        raise ResultsError(f"{option} {given}: expected a folder, found a file or a "
                           "symbolic link")
    if state == "foreign":
        raise ResultsError(
            f"{option} {given}: the folder is not empty and was not written by simulate (no "
            f"{MARKER} marker); it is never replaced, not even with --force: choose another "
            f"{option}")
    continuable = state == "interrupted" or (
        resumable is not None and state in ("results", "marked")
        and (given / resumable).is_file())
    if resume and not continuable:
        if state == "results":  # with --force too: the two options contradict
            how = ("--resume and --force contradict: drop --resume to replace it with "
                   "--force" if force else "use --force to replace it")
            raise ResultsError(f"{option} {given}: holds a finished run, there is nothing to "
                               f"resume ({how}, or choose another {option})")
        if state == "marked":  # made by simulate, but nothing to continue from
            how = ("--resume and --force contradict: drop --resume to start again in it "
                   "with --force" if force else "use --force to start again in it")
            raise ResultsError(f"{option} {given}: holds no interrupted run to resume (the "
                               f"folder is simulate's but has no {_continue_file(resumable)})"
                               f"; {how}, or choose another {option}")
        if force:
            raise ResultsError(f"{option} {given}: holds no interrupted run to resume "
                               "(--resume and --force contradict: drop --resume to start "
                               "again)")
        raise ResultsError(f"{option} {given}: holds no interrupted run to resume (run "
                           "without --resume)")
    if not resume and state in ("results", "interrupted", "marked") and not force:
        if continuable and can_resume:
            what = "an interrupted run" if state == "interrupted" else f"a {kind}"
            raise ResultsError(f"{option} {given}: holds {what}; use --resume to continue "
                               "it, --force to start again, or another folder")
        if state == "marked" and can_resume:  # nothing finished, nothing to continue
            raise ResultsError(f"{given} already holds results (unfinished, and with no "
                               f"{_continue_file(resumable)} that --resume could continue "
                               f"from); use --force to start again in it, or another {option}")
        raise ResultsError(f"{given} already holds results; use --force to replace "
                           f"them, or another {option}")
    if force and not resume and state in ("results", "interrupted", "marked"):
        extra = unexpected_files(given)
        if extra:
            raise ResultsError(
                f"{option} {given}: --force would delete {len(extra)} file(s) that simulate "
                f"did not write: {name_files(extra)}; move them elsewhere, or choose another "
                f"{option}")
    return state


def _continue_file(resumable: str | None) -> str:
    """What ``--resume`` needs in a folder, for messages."""
    return resumable or f"checkpoints ({'/'.join(RUN_IDENTITY)})"


def name_files(names: list[str]) -> str:
    """The first ten of ``names``, comma-separated, then "... and N more" (for messages)."""
    more = f" ... and {len(names) - _SHOW} more" if len(names) > _SHOW else ""
    return f"{', '.join(names[:_SHOW])}{more}"


def folder_kind(folder: Path | str) -> str | None:
    """The kind of a folder simulate wrote, as its marker records it (``run``,
    ``comparison``, ``experiment``, ``sensitivity``, ``calibration``; else its manifest's
    ``kind``); None when neither says (a folder of an older version, or not simulate's)."""
    d = Path(folder)
    for name in (MARKER, MANIFEST):
        try:
            data = json.loads((d / name).read_text(encoding="utf-8")[:1_000_000])
        except (OSError, ValueError):
            continue
        if isinstance(data, dict) and isinstance(data.get("kind"), str):
            return data["kind"]
    return None


#: how many names a message lists before "... and N more"
_SHOW = 10


#: kinds of folder whose manifest lists every file simulate wrote in them
_LISTED_KINDS = ("run", "comparison", "experiment", "sensitivity", "calibration")


def unexpected_files(folder: Path | str) -> list[str]:
    """Files in a folder simulate made that simulate did not write (sorted relative paths):
    those not listed in its ``manifest.json`` (``files``) and not hidden (the marker,
    checkpoints and temporary files are simulate's own). Checked for the folders whose
    manifest lists every file (a run, a comparison, a sweep, a sensitivity analysis, a
    calibration). Without a manifest every file that is not hidden counts: an interrupted
    run or sweep holds only hidden files, a calibration lists its files as it makes its
    folder, so an unlisted file there is one simulate cannot vouch for (a calibration
    folder an older version wrote is refused by ``--force`` until its files are moved).
    Other kinds, and folders whose manifest predates its file list, give an empty list."""
    d = Path(folder)
    try:
        marker = json.loads((d / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    if not isinstance(marker, dict) or marker.get("kind") not in _LISTED_KINDS:
        return []
    expected: set[str] = set()
    if (d / MANIFEST).exists():
        try:
            files = json.loads((d / MANIFEST).read_text(encoding="utf-8")).get("files")
        except (OSError, ValueError, AttributeError):
            return []  # a damaged manifest: Results.load says so; nothing to compare with
        if not isinstance(files, dict):
            return []
        expected = {str(k).replace("\\", "/") for k in files} | {MANIFEST}
    found = []
    for p in d.rglob("*"):
        rel = p.relative_to(d)
        if any(part.startswith(".") for part in rel.parts):
            continue
        if p.is_dir() and not p.is_symlink():
            continue
        if rel.as_posix() not in expected:
            found.append(rel.as_posix())
    return sorted(found)


def mark(folder: Path | str, kind: str) -> None:
    """Write the marker that makes ``folder`` recognisable as written by simulate."""
    from .. import __version__
    from .files import write_text_atomic
    write_text_atomic(Path(folder) / MARKER, json.dumps(
        {"kind": kind, "simulate_version": __version__}) + "\n")


def clean_stale(target: Path | str) -> list[Path]:
    """Remove temporary siblings of ``target`` left by a killed save (``.NAME.tmp-*``,
    ``.NAME.old-*``) that simulate made (marked, or empty); return those removed. Call it
    holding :func:`output_lock`, so that no live writer owns them. Unmarked non-empty ones
    are left alone and reported on standard error."""
    target = Path(target)
    removed: list[Path] = []
    parent = target.parent
    if not parent.is_dir():
        return removed
    for pattern in (f".{target.name}.tmp-*", f".{target.name}.old-*"):
        for p in parent.glob(pattern):
            if not p.is_dir() or p.is_symlink():
                continue
            if is_marked(p) or not any(p.iterdir()):
                shutil.rmtree(p, ignore_errors=True)
                removed.append(p)
            else:
                print(f"note: {p} looks like a leftover of an interrupted save but is not "
                      "marked as simulate's; left in place", file=sys.stderr)
    return removed
