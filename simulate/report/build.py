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
from ..results.folders import replace_folder
from ..results.results import replace_dir
from .assumptions import Register, read_register
from .comparison import comparison_document
from .content import run_document
from .document import FigureBlock, to_html, to_markdown

__all__ = ["build_report", "build_comparison_report", "render_figures", "REPORT_FILES"]

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
        replace_dir(tmp, directory / "figures")
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return blocks, skipped


def build_report(results: Any, directory: Path | str,
                 formats: Sequence[str] = DEFAULT_FORMATS,
                 model_doc: Path | str | None = None, dpi: float = 300) -> Path:
    """Write ``figures/``, ``report.html`` and ``report.md`` for ``results`` into
    ``directory`` (a results folder), then rewrite ``manifest.json`` with every checksum.

    ``formats``: figure files to write (PNG always, for the report); ``model_doc``: the
    model documentation whose assumptions register the report includes (default: found
    beside the package, see :mod:`simulate.report.assumptions`); ``dpi``: resolution of the
    PNG files (300 for print; vector formats do not depend on it). Returns the HTML path.
    """
    d = Path(directory)
    if not d.is_dir():
        raise ResultsError(f"{d}: no such folder (save the results there first)")
    register: Register = read_register(model_doc)
    blocks, skipped = _figures(results, "run", d, formats, dpi)
    doc = run_document(results, blocks, skipped, register)
    write_text_atomic(d / "report.html", to_html(doc))
    write_text_atomic(d / "report.md", to_markdown(doc))
    results.write_manifest(d)
    return d / "report.html"


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
    d.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{d.name}.", dir=d.parent))
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o777 & ~umask)
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
        replace_folder(tmp, d, kind="comparison")  # refuses folders not simulate's
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
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
