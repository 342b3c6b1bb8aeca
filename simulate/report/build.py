"""Write a report: ``figures/`` (PNG, PDF, SVG), ``report.html`` and ``report.md``.

Every file is written atomically; ``figures/`` is built beside the old one and swapped in,
so a reader sees the old set or the new one, and figures no longer made do not linger. The
folder's ``manifest.json`` lists the new files before they move in, so an interrupted report
never leaves a file of simulate's that the next one would take for the user's. Files are
reproducible: the same results give byte-identical figures and reports.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..errors import ResultsError
from ..figures.registry import (
    DEFAULT_FORMATS,
    FORMATS,
    FigureKind,
    encode_all,
    kinds,
    render,
)
from ..figures.styling import offscreen
from ..results.files import sha256_file, write_bytes_atomic, write_text_atomic
from ..results.folders import is_marked, mark, name_files
from ..results.saving import save_folder, swap_folder
from .assumptions import Register, read_register
from .comparison import comparison_document
from .content import run_document
from .document import FigureBlock, to_html, to_markdown

__all__ = ["build_report", "build_comparison_report", "render_figures", "REPORT_FILES",
           "check_report_files", "remove_dead_stages"]

REPORT_FILES = ("report.html", "report.md")
#: hidden file in a results folder while a report moves in: the new files' checksums (JSON
#: ``{"files": {name: sha256}}``); a file matching them is simulate's, not a user's edit
PENDING = ".report-pending.json"


def _check_formats(formats: Sequence[str]) -> tuple[str, ...]:
    formats = tuple(dict.fromkeys(f.lower().lstrip(".") for f in formats))
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise ValueError(f"formats(={list(formats)!r}): unknown {unknown}; choose from "
                         f"{list(FORMATS)}")
    return formats if "png" in formats else ("png", *formats)


def render_figures(subject: Any, subject_kind: str, folder: Path,
                   formats: Sequence[str] = DEFAULT_FORMATS, dpi: float = 300,
                   ) -> tuple[list[FigureBlock], list[str]]:
    """Draw every applicable registered kind for ``subject`` into ``folder``.

    Returns the figure blocks (with their PNG bytes, for embedding) and the titles of the
    kinds that do not apply.
    """
    formats = _check_formats(formats)
    blocks: list[FigureBlock] = []
    skipped: list[str] = []
    for kind in kinds(subject_kind):
        if not kind.applies(subject):
            skipped.append(kind.title)
            continue
        blocks.append(_render_one(kind, subject, folder, formats, len(blocks) + 1, dpi))
    return blocks, skipped


def _render_one(kind: FigureKind, subject: Any, folder: Path, formats: Sequence[str],
                number: int, dpi: float) -> FigureBlock:
    with offscreen():
        data = encode_all(render(kind, subject), formats, dpi)
    for fmt, payload in data.items():
        write_bytes_atomic(folder / f"{kind.name}.{fmt}", payload)
    return FigureBlock(kind.name, kind.title, kind.describe(subject), data["png"],
                       {fmt: f"figures/{kind.name}.{fmt}" for fmt in formats if fmt != "png"},
                       number, kind.data_source(subject))


def build_report(results: Any, directory: Path | str,
                 formats: Sequence[str] = DEFAULT_FORMATS,
                 model_doc: Path | str | None = None, dpi: float = 300,
                 force: bool = False) -> Path:
    """Write ``figures/``, ``report.html`` and ``report.md`` for ``results`` into
    ``directory`` (a results folder), then rewrite ``manifest.json`` with every checksum.

    ``formats``: figure files to write (PNG always, for the report); ``model_doc``: the
    model documentation whose assumptions register the report includes (default: found
    beside the package, see :mod:`simulate.report.assumptions`); ``dpi``: resolution of the
    PNG files (300 for print; vector formats do not depend on it). Returns the HTML path.

    Only files simulate wrote are replaced (:func:`check_report_files`): a file in
    ``figures/`` or a ``report.*`` that the folder's ``manifest.json`` does not list is
    refused whatever ``force`` says; one it lists but that changed since (a hand-edited
    ``report.md``) is replaced only with ``force``.
    """
    d = Path(directory)
    if not d.is_dir():
        raise ResultsError(f"{d}: no such folder (save the results there first)")
    check_report_files(d, force=force)
    remove_dead_stages(d)
    register: Register = read_register(model_doc)
    # the whole report is built in a hidden folder inside d, then moved into place
    stage = Path(tempfile.mkdtemp(prefix=f".report.tmp-{os.getpid()}-", dir=d))
    try:
        mark(stage, "report")  # simulate's, for remove_dead_stages after a kill
        (stage / "figures").mkdir()  # the umask's mode, as any folder the user makes
        blocks, skipped = render_figures(results, "run", stage / "figures", formats, dpi)
        doc = run_document(results, blocks, skipped, register)
        write_text_atomic(stage / "report.html", to_html(doc))
        write_text_atomic(stage / "report.md", to_markdown(doc))
        _install(results, stage, d)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return d / "report.html"


def _alive(pid: int) -> bool:
    """Whether process ``pid`` exists on this machine (a process of another user counts)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_dead_stages(d: Path) -> list[Path]:
    """Remove the folders a killed report left in ``d``: its stage ``.report.tmp-PID-*`` and
    the old figures set aside ``.figures.old-PID-*``, named by the process that made them,
    when that process no longer runs and the folder is simulate's (it carries the marker
    both are made with, or is empty). A folder of another name, of a live process (a report
    running now), or unmarked with something in it, is left alone. Returns those removed."""
    removed = []
    for prefix in (".report.tmp-", ".figures.old-"):
        for p in d.glob(f"{prefix}*-*"):
            m = re.match(re.escape(prefix) + r"(\d+)-", p.name)
            if (m and p.is_dir() and not p.is_symlink() and not _alive(int(m.group(1)))
                    and (is_marked(p) or not any(p.iterdir()))):
                shutil.rmtree(p, ignore_errors=True)
                removed.append(p)
    return removed


def _install(results: Any, stage: Path, d: Path) -> None:
    """Move the report built in ``stage`` into the results folder ``d``: ``report.html``
    and ``report.md`` are renamed in, ``figures/`` is swapped whole, then ``manifest.json``
    is rewritten with every checksum.

    Wherever this is interrupted, the next ``report`` (or ``run --force``) takes no file of
    simulate's for the user's (:func:`check_report_files`,
    :func:`~simulate.results.folders.unexpected_files`). Before anything moves,
    ``manifest.json`` becomes the old one plus the names of the new files (so it lists every
    file simulate wrote, whichever are in place), and :data:`PENDING` records the new files'
    checksums (so a file is simulate's if it matches either); the final manifest lists only
    the files then present, and the record is removed. Hidden files in the old ``figures/``
    (a system's, an editor's) move to the new one, and back if the swap does not happen."""
    new_files = {k.replace("\\", "/"): v for k, v in _checksums(stage).items()}
    write_text_atomic(d / PENDING, json.dumps({"files": new_files}, indent=2) + "\n")
    interim = {**new_files, **_listed(d)}  # a name in both keeps its old checksum
    write_text_atomic(d / "manifest.json", json.dumps(
        {**results.manifest, "files": dict(sorted(interim.items()))}, indent=2) + "\n")
    for name in REPORT_FILES:
        os.replace(stage / name, d / name)
    new, old = stage / "figures", d / "figures"
    moved: list[str] = []
    try:
        if old.is_dir() and not old.is_symlink():
            for hidden in old.glob(".*"):  # a system's or an editor's (.DS_Store): kept
                os.replace(hidden, new / hidden.name)  # simulate writes no hidden names
                moved.append(hidden.name)
        swap_folder(new, old)  # the old figures are removed after the swap
    except BaseException:
        if new.is_dir() and old.is_dir():  # not swapped in: the hidden files go back
            for name in moved:
                if not (old / name).exists():
                    os.replace(new / name, old / name)
        raise
    results.write_manifest(d)
    (d / PENDING).unlink(missing_ok=True)


def check_report_files(directory: Path | str, force: bool = False) -> None:
    """Refuse to write a report where it would replace a file simulate did not write.

    The files a report replaces are ``figures/`` (rebuilt whole) and ``report.html``,
    ``report.md``. Each must be listed in the folder's ``manifest.json`` (what simulate
    wrote); anything else there (a file, a folder, a link) is the user's and refused, even
    with ``force``, naming at most ten. A listed file whose sha256 differs from the
    manifest's (and from :data:`PENDING`'s, if a report was interrupted while it moved in)
    was changed after simulate wrote it: refused unless ``force``.
    """
    d = Path(directory)
    listed = _listed(d)
    pending = _listed(d, PENDING)  # of a report interrupted while it moved in (_install)
    foreign: list[str] = []
    changed: list[str] = []

    def judge(p: Path, rel: str) -> None:
        if p.is_symlink() or not p.is_file() or rel not in listed:
            foreign.append(rel)
        elif sha256_file(p) not in (listed[rel], pending.get(rel)):
            changed.append(rel)

    figures = d / "figures"
    if figures.is_symlink() or (figures.exists() and not figures.is_dir()):
        foreign.append("figures")
    elif figures.is_dir():
        for p in sorted(figures.rglob("*")):
            rel = p.relative_to(d).as_posix()
            if any(part.startswith(".") for part in p.relative_to(figures).parts):
                continue  # a system's or an editor's hidden file (.DS_Store): never ours
            if p.is_dir() and not p.is_symlink():
                if not any(p.iterdir()):
                    foreign.append(f"{rel}/")
                continue
            judge(p, rel)
    for name in REPORT_FILES:
        if (d / name).exists() or (d / name).is_symlink():
            judge(d / name, name)
    if foreign:
        raise ResultsError(
            f"{d}: holds {len(foreign)} file(s) that simulate did not write where the report "
            f"goes: {name_files(foreign)}; writing the report would delete them (not even "
            "--force replaces them): move them elsewhere, then build the report again")
    if changed and not force:
        raise ResultsError(
            f"{d}: {len(changed)} file(s) of the report changed since simulate wrote them "
            f"(their sha256 differs from manifest.json): {name_files(changed)}; move them "
            "elsewhere to keep your edits, or use --force to replace them")


def _listed(d: Path, name: str = "manifest.json") -> dict[str, str]:
    """The files ``manifest.json`` (or ``name``) lists with their sha256 (none when it is
    missing or unreadable: then nothing in the report's place is simulate's)."""
    try:
        files = json.loads((d / name).read_text(encoding="utf-8")).get("files")
    except (OSError, ValueError, AttributeError):
        return {}
    if not isinstance(files, dict):
        return {}
    return {str(k).replace("\\", "/"): str(v) for k, v in files.items()}


def build_comparison_report(comparison: Any, directory: Path | str,
                            formats: Sequence[str] = DEFAULT_FORMATS,
                            overwrite: bool = False, dpi: float = 300) -> Path:
    """Write a comparison folder: ``figures/``, ``comparison.csv`` (wide headline table),
    ``differences.csv``, ``report.html``, ``report.md`` and ``manifest.json`` (inputs and
    checksums). The folder is built beside ``directory`` and swapped in; an existing
    non-empty folder is refused unless ``overwrite``. Returns the HTML path."""
    from .. import __version__
    d = Path(directory)
    if d.exists() and (not d.is_dir() or any(d.iterdir())) and not overwrite:
        raise ResultsError(f"{d} already exists; use --force (overwrite=True) to replace it "
                           "or choose another --out")

    def write(tmp: Path) -> None:
        (tmp / "figures").mkdir()
        blocks, skipped = render_figures(comparison, "runs", tmp / "figures", formats, dpi)
        write_text_atomic(tmp / "comparison.csv", comparison.table().to_csv(index=False))
        write_text_atomic(tmp / "differences.csv",
                          comparison.differences().to_csv(index=False))
        manifest = {
            "kind": "comparison", "simulate_version": __version__,
            "runs": len(comparison.runs), "labels": list(comparison.labels),
            "inputs": [_input(label, r, src) for label, r, src in
                       zip(comparison.labels, comparison.runs, comparison.sources, strict=True)],
        }
        manifest["files"] = _checksums(tmp)
        doc = comparison_document(comparison, blocks, skipped, manifest)
        write_text_atomic(tmp / "report.html", to_html(doc))
        write_text_atomic(tmp / "report.md", to_markdown(doc))
        manifest["files"] = _checksums(tmp)
        write_text_atomic(tmp / "manifest.json", json.dumps(manifest, indent=2) + "\n")

    # built in a marked sibling, then swapped in (or moved into an empty folder, which
    # stays); refuses folders not simulate's
    save_folder(d, write, kind="comparison", overwrite=overwrite)
    return d / "report.html"


def _input(label: str, r: Any, src: Any) -> dict:
    m = r.manifest
    return {"label": label, "results": str(src) if src else None,
            "scenario": r.scenario.name, "scenario_sha256": m.get("scenario_sha256"),
            "seed": m.get("seed"), "replicates": int(len(r.outcomes)),
            "engine": m.get("engine"), "simulate_version": m.get("simulate_version"),
            "files": dict(m.get("files", {}))}


def _checksums(d: Path) -> dict[str, str]:
    return {str(p.relative_to(d)): sha256_file(p) for p in sorted(d.rglob("*"))
            if p.is_file() and p.name != "manifest.json" and not p.name.startswith(".")}
