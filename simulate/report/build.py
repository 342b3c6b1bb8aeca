"""Write a report: ``figures/`` (PNG, PDF, SVG), ``report.html`` and ``report.md``.

Every file is written atomically; ``figures/`` is built beside the old one and swapped in,
so a reader sees the old set or the new one, and figures no longer made do not linger. Files
are reproducible: the same results give byte-identical figures and reports.
"""

from __future__ import annotations

import json
import os
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
from ..figures.style import offscreen
from ..results.files import sha256_file, write_bytes_atomic, write_text_atomic
from ..results.folders import name_files, save_folder
from ..results.results import replace_dir
from .assumptions import Register, read_register
from .comparison import comparison_document
from .content import run_document
from .document import FigureBlock, to_html, to_markdown

__all__ = ["build_report", "build_comparison_report", "render_figures", "REPORT_FILES",
           "check_report_files"]

REPORT_FILES = ("report.html", "report.md")


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


def _figures(subject: Any, subject_kind: str, directory: Path, formats: Sequence[str],
             dpi: float) -> tuple[list[FigureBlock], list[str]]:
    tmp = Path(tempfile.mkdtemp(prefix=".figures.", dir=directory))
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o777 & ~umask)
        blocks, skipped = render_figures(subject, subject_kind, tmp, formats, dpi)
        old = directory / "figures"
        if old.is_dir() and not old.is_symlink():
            for hidden in old.glob(".*"):  # a system's or an editor's (.DS_Store): kept
                if not (tmp / hidden.name).exists():
                    os.replace(hidden, tmp / hidden.name)
        replace_dir(tmp, old)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return blocks, skipped


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
    register: Register = read_register(model_doc)
    blocks, skipped = _figures(results, "run", d, formats, dpi)
    doc = run_document(results, blocks, skipped, register)
    write_text_atomic(d / "report.html", to_html(doc))
    write_text_atomic(d / "report.md", to_markdown(doc))
    results.write_manifest(d)
    return d / "report.html"


def check_report_files(directory: Path | str, force: bool = False) -> None:
    """Refuse to write a report where it would replace a file simulate did not write.

    The files a report replaces are ``figures/`` (rebuilt whole) and ``report.html``,
    ``report.md``. Each must be listed in the folder's ``manifest.json`` (what simulate
    wrote); anything else there (a file, a folder, a link) is the user's and refused, even
    with ``force``, naming at most ten. A listed file whose sha256 differs from the
    manifest's was changed after simulate wrote it: refused unless ``force``.
    """
    d = Path(directory)
    listed = _listed(d)
    foreign: list[str] = []
    changed: list[str] = []

    def judge(p: Path, rel: str) -> None:
        if p.is_symlink() or not p.is_file() or rel not in listed:
            foreign.append(rel)
        elif sha256_file(p) != listed[rel]:
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


def _listed(d: Path) -> dict[str, str]:
    """The files ``manifest.json`` lists with their sha256 (none when it is missing or
    unreadable: then nothing in the report's place is simulate's)."""
    try:
        files = json.loads((d / "manifest.json").read_text(encoding="utf-8")).get("files")
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
