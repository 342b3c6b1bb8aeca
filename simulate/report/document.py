"""A report as plain data (sections of paragraphs, tables, figures), and its two renderings:
one self-contained HTML file (figures embedded as base64 PNG, inline CSS, no scripts, no
external resources) and a Markdown twin that references ``figures/*.png``."""

from __future__ import annotations

import base64
import html
from dataclasses import dataclass, field

from .markdown import inline, markdown_to_html

__all__ = ["Link", "Paragraph", "Table", "FigureBlock", "MarkdownBlock", "Section", "Document",
           "to_html", "to_markdown", "CSS"]


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


@dataclass(frozen=True)
class MarkdownBlock:
    """Markdown from elsewhere (the assumptions register), headings moved down."""

    text: str
    heading_offset: int = 1


Block = Paragraph | Table | FigureBlock | MarkdownBlock


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    blocks: list[Block]


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
@media print{nav{display:none}figure{break-inside:avoid}}
"""


def _cell_html(cell: Cell) -> str:
    if isinstance(cell, Link):
        return f'<a href="{html.escape(cell.href, quote=True)}">{html.escape(cell.text)}</a>'
    return html.escape(str(cell))


def _table_html(t: Table) -> str:
    align = t.align or ["left"] * len(t.columns)
    head = "".join(f"<th>{html.escape(c)}</th>" for c in t.columns)
    rows = []
    for row in t.rows:
        cells = "".join(f'<td class="num">{_cell_html(c)}</td>' if a == "right"
                        else f"<td>{_cell_html(c)}</td>" for c, a in zip(row, align, strict=True))
        rows.append(f"<tr>{cells}</tr>")
    cap = f"<caption>{inline(t.caption)}</caption>" if t.caption else ""
    ident = f' id="{html.escape(t.id, quote=True)}"' if t.id else ""
    return (f"<table{ident}>{cap}<thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>")


def _figure_html(f: FigureBlock) -> str:
    data = base64.b64encode(f.png).decode("ascii")
    files = " · ".join(f'<a href="{html.escape(path, quote=True)}">{fmt.upper()}</a>'
                       for fmt, path in f.files.items())
    number = f"Figure {f.number}. " if f.number else ""
    return (f'<figure id="fig-{html.escape(f.name, quote=True)}">'
            f'<img src="data:image/png;base64,{data}" alt="{html.escape(f.title, quote=True)}">'
            f"<figcaption><strong>{html.escape(number + f.title)}.</strong> "
            f"{inline(f.caption)}"
            + (f' <span class="files">Files: {files}</span>' if files else "")
            + "</figcaption></figure>")


def _block_html(b: Block) -> str:
    if isinstance(b, Paragraph):
        return f"<p>{inline(b.text)}</p>"
    if isinstance(b, Table):
        return _table_html(b)
    if isinstance(b, FigureBlock):
        return _figure_html(b)
    return markdown_to_html(b.text, heading_offset=b.heading_offset)


def to_html(doc: Document) -> str:
    """The document as one self-contained HTML page."""
    e = html.escape
    nav = "".join(f'<li><a href="#{e(s.id, quote=True)}">{e(s.title)}</a></li>'
                  for s in doc.sections)
    body = []
    for s in doc.sections:
        blocks = "\n".join(_block_html(b) for b in s.blocks)
        body.append(f'<section id="{e(s.id, quote=True)}">\n<h2>{e(s.title)}</h2>\n{blocks}\n'
                    "</section>")
    footer = f"<footer>{inline(doc.footer)}</footer>" if doc.footer else ""
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{e(doc.title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
            f"<header><h1>{e(doc.title)}</h1><p class=\"subtitle\">{inline(doc.subtitle)}</p>"
            f"</header>\n<nav><ol>{nav}</ol></nav>\n" + "\n".join(body)
            + f"\n{footer}\n</body>\n</html>\n")


# ----- Markdown ---------------------------------------------------------------------------
def _md_escape(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _cell_md(cell: Cell) -> str:
    if isinstance(cell, Link):
        return f"[{_md_escape(cell.text)}]({cell.href})"
    return _md_escape(cell)


def _table_md(t: Table) -> str:
    align = t.align or ["left"] * len(t.columns)
    lines = []
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
