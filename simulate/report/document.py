"""A report as plain data (sections of paragraphs, tables, figures), and its two renderings:
one self-contained HTML file (figures embedded as base64 PNG, inline CSS, no scripts, no
external resources), rendered by Jinja2 templates (``simulate/report/templates``) with
Markdown by markdown-it-py (:mod:`simulate.report.markup`), and a Markdown twin that
references ``figures/*.png``.

Links: only http(s), fragment and relative targets are ever clickable; any other target
(``javascript:``, ``data:``, ``file:`` ...) is shown as text."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from functools import lru_cache

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from .markup import inline, markdown_to_html, safe_href

__all__ = ["Link", "Paragraph", "Table", "FigureBlock", "MarkdownBlock", "KeyFacts",
           "Section", "Document", "to_html", "to_markdown", "CSS"]


@dataclass(frozen=True)
class Link:
    """A table cell that links somewhere (``#anchor`` inside the report, a relative file, or a
    source's web page; none is needed to display the report)."""

    text: str
    href: str


Cell = str | Link


@dataclass(frozen=True)
class Paragraph:
    """Text with inline Markdown (``code``, **bold**, *italics*, [links](#x))."""

    text: str


@dataclass(frozen=True)
class Table:
    columns: list[str]
    rows: list[list[Cell]]
    #: per column: "left" or "right" (numbers)
    align: list[str] | None = None
    caption: str = ""
    id: str = ""


@dataclass(frozen=True)
class FigureBlock:
    name: str
    title: str
    caption: str
    png: bytes
    #: other formats written beside the PNG (e.g. ``{"pdf": "figures/brent.pdf"}``)
    files: dict[str, str] = field(default_factory=dict)
    number: int = 0
    #: which replicates the drawn numbers come from (``FigureKind.data_source``)
    source: str = ""


@dataclass(frozen=True)
class MarkdownBlock:
    """Markdown from elsewhere (the assumptions register), headings moved down."""

    text: str
    heading_offset: int = 1


@dataclass(frozen=True)
class KeyFacts:
    """Headline numbers shown large: (label, value, note) per item."""

    items: list[tuple[str, str, str]]


Block = Paragraph | Table | FigureBlock | MarkdownBlock | KeyFacts


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    blocks: list[Block]
    #: shown after the main text, in a smaller type
    appendix: bool = False


@dataclass(frozen=True)
class Document:
    title: str
    subtitle: str
    sections: list[Section]
    footer: str = ""


CSS = """
body{font-family:-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;
 color:#1a1a1a;max-width:60rem;margin:2rem auto;padding:0 1.2rem;line-height:1.45}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.25rem;margin-top:2.2rem;
 border-bottom:1px solid #ddd;padding-bottom:.2rem}h3{font-size:1.05rem}
.subtitle{color:#555;margin-top:0}nav ol{columns:2;font-size:.92rem}
table{border-collapse:collapse;margin:.6rem 0 1rem;font-size:.86rem}
th,td{border-bottom:1px solid #e3e3e3;padding:.22rem .55rem;vertical-align:top}
th{background:#f4f4f4;text-align:left}td.num{text-align:right;font-variant-numeric:tabular-nums;
 white-space:nowrap}caption{caption-side:top;text-align:left;color:#555;font-size:.85rem;
 padding-bottom:.25rem}figure{margin:1.2rem 0 1.8rem}figure img{width:100%;max-width:34rem;
 height:auto;display:block;border:1px solid #eee}figcaption{font-size:.88rem;color:#333;
 max-width:40rem;margin-top:.4rem}code{font-size:.88em;background:#f6f6f6;padding:0 .2em}
.files{font-size:.8rem;color:#666}.math{font-family:"Times New Roman",Times,serif;
 font-style:italic;font-size:1.05em}.note{color:#555;font-size:.9rem}
footer{margin-top:3rem;color:#777;font-size:.8rem;border-top:1px solid #ddd;padding-top:.5rem}
.keyfacts{display:flex;flex-wrap:wrap;gap:.8rem;margin:1rem 0}.fact{border:1px solid #ddd;
 border-radius:4px;padding:.5rem .8rem;min-width:11rem;flex:1}.fact .value{font-size:1.35rem;
 font-weight:600}.fact .label{font-size:.88rem}.fact .note{font-size:.78rem;color:#666}
section.appendix{font-size:.92rem}
@media print{nav{display:none}figure{break-inside:avoid}}
"""


@lru_cache(maxsize=1)
def _env() -> Environment:
    env = Environment(loader=PackageLoader("simulate.report", "templates"),
                      autoescape=select_autoescape(["html", "j2"]), trim_blocks=False,
                      keep_trailing_newline=True)
    env.filters["md_inline"] = lambda text: Markup(inline(str(text)))
    env.filters["safe_href"] = safe_href
    env.filters["b64"] = lambda data: base64.b64encode(data).decode("ascii")
    return env


def _block_html(b: Block) -> str:
    blocks = _env().get_template("blocks.html.j2").module
    if isinstance(b, Paragraph):
        return f"<p>{inline(b.text)}</p>"
    if isinstance(b, Table):
        return str(blocks.table(b))  # type: ignore[attr-defined]
    if isinstance(b, FigureBlock):
        return str(blocks.figure(b))  # type: ignore[attr-defined]
    if isinstance(b, KeyFacts):
        return str(blocks.keyfacts(b))  # type: ignore[attr-defined]
    return markdown_to_html(b.text, heading_offset=b.heading_offset)


def to_html(doc: Document) -> str:
    """The document as one self-contained HTML page."""
    template = _env().get_template("report.html.j2")
    return template.render(doc=doc, css=Markup(CSS),
                           render_block=lambda b: Markup(_block_html(b)))


# ----- Markdown ---------------------------------------------------------------------------
def _md_escape(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _cell_md(cell: Cell) -> str:
    if isinstance(cell, Link):
        if not safe_href(cell.href):
            return _md_escape(cell.text)
        return f"[{_md_escape(cell.text)}]({cell.href})"
    return _md_escape(cell)


def _table_md(t: Table) -> str:
    align = t.align or ["left"] * len(t.columns)
    # an HTML anchor, so that links to the table (``#sources``) work in Markdown viewers too
    lines = [f'<a id="{t.id}"></a>', ""] if t.id else []
    if t.caption:
        lines += [f"*{t.caption}*", ""]
    lines.append("| " + " | ".join(_md_escape(c) for c in t.columns) + " |")
    lines.append("|" + "|".join("---:" if a == "right" else "---" for a in align) + "|")
    lines += ["| " + " | ".join(_cell_md(c) for c in row) + " |" for row in t.rows]
    return "\n".join(lines)


def _block_md(b: Block, figure_dir: str) -> str:
    if isinstance(b, Paragraph):
        return b.text
    if isinstance(b, Table):
        return _table_md(b)
    if isinstance(b, KeyFacts):
        return "\n".join(f"- **{value}** {label}" + (f" ({note})" if note else "")
                         for label, value, note in b.items)
    if isinstance(b, FigureBlock):
        number = f"Figure {b.number}. " if b.number else ""
        files = ", ".join(f"[{fmt.upper()}]({path})" for fmt, path in b.files.items())
        return (f"![{b.title}]({figure_dir}/{b.name}.png)\n\n**{number}{b.title}.** {b.caption}"
                + (f" Files: {files}." if files else ""))
    shift = "#" * b.heading_offset
    return "\n".join(shift + line if line.startswith("#") else line
                     for line in b.text.splitlines())


def to_markdown(doc: Document, figure_dir: str = "figures") -> str:
    """The Markdown twin: same sections, figures as ``figures/<name>.png``."""
    out = [f"# {doc.title}", "", doc.subtitle, ""]
    for s in doc.sections:
        out += [f"## {s.title}", ""]
        for b in s.blocks:
            out += [_block_md(b, figure_dir), ""]
    if doc.footer:
        out += ["---", "", doc.footer, ""]
    return "\n".join(out).rstrip() + "\n"
