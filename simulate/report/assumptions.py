"""The assumptions register of the model documentation (``docs/model.md``), read at build time.

Where the file is looked for, in order:

1. ``simulate/_docs/model.md`` inside the installed package (a wheel ships a copy there);
2. ``docs/model.md`` beside the package in a source checkout or editable install.

The register is the section whose heading mentions "assumption" (``## Assumptions register``,
``## Assumptions``...), up to the next heading of the same or a higher level. When the file or
the section is missing the report says so instead of failing.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Register", "find_model_doc", "read_register", "candidate_paths"]

_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")


@dataclass(frozen=True)
class Register:
    """The register's Markdown, where it came from, and that file's sha256."""

    heading: str
    markdown: str
    path: Path | None
    sha256: str
    #: why there is no register (empty when there is one)
    missing: str = ""


def candidate_paths() -> list[Path]:
    """Where ``model.md`` may be, most specific first."""
    package = Path(__file__).resolve().parent.parent
    return [package / "_docs" / "model.md", package.parent / "docs" / "model.md"]


def find_model_doc() -> Path | None:
    """The first existing candidate path, or None."""
    return next((p for p in candidate_paths() if p.is_file()), None)


def _section(text: str) -> tuple[str, str] | None:
    lines = text.splitlines()
    in_fence = False
    headings = []
    for i, line in enumerate(lines):
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
        m = None if in_fence else _HEADING.match(line)
        if m:
            headings.append((i, len(m.group(1)), m.group(2)))
    matches = [h for h in headings if "assumption" in h[2].lower()]
    if not matches:
        return None
    # prefer a heading that names the register itself
    start, level, title = next((h for h in matches if "register" in h[2].lower()), matches[0])
    end = next((i for i, lvl, _ in headings if i > start and lvl <= level), len(lines))
    return title, "\n".join(lines[start + 1:end]).strip("\n")


def read_register(path: Path | str | None = None) -> Register:
    """The assumptions register from ``path`` (default: :func:`find_model_doc`)."""
    where = Path(path) if path is not None else find_model_doc()
    if where is None or not where.is_file():
        looked = ", ".join(str(p) for p in ([where] if where else candidate_paths()))
        return Register("", "", None, "", f"the model documentation (docs/model.md) was not "
                                          f"found (looked in: {looked})")
    data = where.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    found = _section(data.decode("utf-8", errors="replace"))
    if found is None:
        return Register("", "", where, digest,
                        f"{where.name} has no section whose heading mentions assumptions")
    title, body = found
    return Register(title, end_lists(body), where, digest)


_ITEM = re.compile(r"^\s{0,3}(?:[-*+]|\d{1,9}[.)])(?:\s|$)")
_BLOCK = re.compile(r"^\s{0,3}(?:#|>|```|~~~|\||-{3,}|\*{3,}|_{3,})")


def end_lists(markdown: str) -> str:
    """Put a blank line before an unindented paragraph that directly follows a list item
    written with indented continuation lines.

    CommonMark reads such a line as a *lazy continuation* of the item, so a note written
    right after item 13 (``*Items 14-20 describe ...*``) would render inside item 13; the
    blank line makes it a paragraph of its own. Items wrapped without indentation (the
    author's lazy style) are left alone.
    """
    out: list[str] = []
    in_item = in_fence = False  # inside a list item (its marker line seen, no outdent yet)
    for line in markdown.split("\n"):
        fence = line.lstrip().startswith(("```", "~~~"))
        prev = out[-1] if out else ""
        if (in_item and not in_fence and line.strip() and not line[0].isspace()
                and not _ITEM.match(line) and not _BLOCK.match(line)):
            if prev.strip() and prev[0].isspace():  # after an indented continuation
                out.append("")
            in_item = False
        elif _ITEM.match(line) and not in_fence:
            in_item = True
        in_fence = in_fence != fence
        out.append(line)
    return "\n".join(out)
