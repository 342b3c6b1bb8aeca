"""A small, safe Markdown-to-HTML converter for the report (no dependency, no raw HTML).

It covers what project documentation uses: ATX headings, paragraphs, bullet and numbered
lists (one level, with continuation lines), pipe tables with alignment, fenced code,
block quotes, and inline code, bold, italics and links. Everything else is escaped text, so
the output never carries scripts or external resources other than link targets.
"""

from __future__ import annotations

import html
import re

__all__ = ["markdown_to_html", "inline"]

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_BULLET = re.compile(r"^\s{0,3}([-*+])\s+(.*)$")
_NUMBERED = re.compile(r"^\s{0,3}(\d{1,9})[.)]\s+(.*)$")
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_TABLE_SEP = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_CODE = re.compile(r"`([^`]+)`")
_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
_AUTOLINK = re.compile(r"<(https?://[^>\s]+)>")
_BOLD = re.compile(r"\*\*(.+?)\*\*|__(.+?)__")
_EM = re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])"
                 r"|(?<![\w_])_(?!\s)(.+?)(?<!\s)_(?![\w_])")
_SAFE_URL = re.compile(r"^(https?://|mailto:|#|[\w./-]+$)", re.IGNORECASE)
# TeX inline math, Pandoc's rule: no space inside the dollars, no digit after the closing one
# (so "$40 and $30" stays text)
_MATH = re.compile(r"(?<![\\$\w])\$(?=\S)([^$\n]+?)(?<=\S)\$(?!\d)")
_TEX_SYMBOLS = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "Delta": "Δ", "epsilon": "ε",
    "varepsilon": "ε", "eta": "η", "theta": "θ", "kappa": "κ", "lambda": "λ", "mu": "μ",
    "pi": "π", "rho": "ρ", "sigma": "σ", "Sigma": "Σ", "tau": "τ", "phi": "φ", "chi": "χ",
    "omega": "ω", "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥", "ne": "≠", "neq": "≠",
    "times": "×", "cdot": "·", "approx": "≈", "infty": "∞", "in": "∈", "to": "→",
    "pm": "±", "sum": "Σ", "min": "min", "max": "max", "log": "log", "exp": "exp",
    "ldots": "…", "dots": "…",
}


def inline(text: str) -> str:
    """Inline Markdown (code, links, bold, italics) to HTML; all else escaped."""
    slots: list[str] = []

    def keep(fragment: str) -> str:
        slots.append(fragment)
        return f"\x00{len(slots) - 1}\x00"

    text = _CODE.sub(lambda m: keep(f"<code>{html.escape(m.group(1))}</code>"), text)
    text = _MATH.sub(lambda m: keep(_math(m.group(1))), text)

    def link(m: re.Match[str]) -> str:
        label, url = m.group(1), m.group(2)
        if not _SAFE_URL.match(url):
            return keep(html.escape(label))
        return keep(f'<a href="{html.escape(url, quote=True)}">{_emphasis(html.escape(label))}'
                    "</a>")

    text = _LINK.sub(link, text)
    text = _AUTOLINK.sub(lambda m: keep(f'<a href="{html.escape(m.group(1), quote=True)}">'
                                        f"{html.escape(m.group(1))}</a>"), text)
    text = _emphasis(html.escape(text, quote=False))
    return re.sub("\x00(\\d+)\x00", lambda m: slots[int(m.group(1))], text)


def _math(tex: str) -> str:
    """Simple inline TeX as HTML (Greek letters, relations, sub- and superscripts), with no
    script and no web font: the report must open offline. Anything else stays as written."""
    out = html.escape(tex)
    out = re.sub(r"\\(mathrm|text|mathit|operatorname)\{([^{}]*)\}", r"\2", out)
    out = re.sub(r"\\([A-Za-z]+)", lambda m: _TEX_SYMBOLS.get(m.group(1), m.group(0)), out)
    out = re.sub(r"\^\{([^{}]*)\}|\^(\S)", lambda m: f"<sup>{m.group(1) or m.group(2)}</sup>",
                 out)
    out = re.sub(r"_\{([^{}]*)\}|_([A-Za-z0-9])",
                 lambda m: f"<sub>{m.group(1) or m.group(2)}</sub>", out)
    out = out.replace("\\{", "{").replace("\\}", "}")
    return f'<span class="math">{out}</span>'


def _emphasis(text: str) -> str:
    text = _BOLD.sub(lambda m: f"<strong>{m.group(1) or m.group(2)}</strong>", text)
    return _EM.sub(lambda m: f"<em>{m.group(1) or m.group(2)}</em>", text)


def _cells(line: str) -> list[str]:
    line = line.strip()
    if line.startswith("|"):
        line = line[1:]
    if line.endswith("|") and not line.endswith("\\|"):
        line = line[:-1]
    parts = re.split(r"(?<!\\)\|", line)
    return [p.strip().replace("\\|", "|") for p in parts]


def _align(sep: str) -> list[str]:
    out = []
    for cell in _cells(sep):
        left, right = cell.startswith(":"), cell.endswith(":")
        out.append("center" if left and right else "right" if right else "left")
    return out


def _table(lines: list[str]) -> str:
    head, aligns = _cells(lines[0]), _align(lines[1])
    rows = [_cells(x) for x in lines[2:]]

    def row(cells: list[str], tag: str) -> str:
        out = []
        for i, cell in enumerate(cells):
            a = aligns[i] if i < len(aligns) else "left"
            out.append(f'<{tag} style="text-align:{a}">{inline(cell)}</{tag}>')
        return "<tr>" + "".join(out) + "</tr>"

    body = "".join(row(r, "td") for r in rows)
    return (f"<table><thead>{row(head, 'th')}</thead>"
            f"<tbody>{body}</tbody></table>")


def markdown_to_html(text: str, heading_offset: int = 0) -> str:
    """Convert Markdown ``text`` to HTML; headings move down ``heading_offset`` levels."""
    lines = text.replace("\r\n", "\n").replace("\t", "    ").split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
            continue
        if _FENCE.match(line):
            fence = _FENCE.match(line).group(1)
            body = []
            i += 1
            while i < len(lines) and not lines[i].strip().startswith(fence):
                body.append(lines[i])
                i += 1
            out.append(f"<pre><code>{html.escape(chr(10).join(body))}</code></pre>")
            i += 1
            continue
        m = _HEADING.match(line)
        if m:
            level = min(6, len(m.group(1)) + heading_offset)
            out.append(f"<h{level}>{inline(m.group(2))}</h{level}>")
            i += 1
            continue
        if "|" in line and i + 1 < len(lines) and _TABLE_SEP.match(lines[i + 1]):
            block = [line, lines[i + 1]]
            i += 2
            while i < len(lines) and lines[i].strip() and "|" in lines[i]:
                block.append(lines[i])
                i += 1
            out.append(_table(block))
            continue
        if line.lstrip().startswith(">"):
            block = []
            while i < len(lines) and lines[i].lstrip().startswith(">"):
                block.append(lines[i].lstrip()[1:].lstrip())
                i += 1
            out.append(f"<blockquote>{markdown_to_html(chr(10).join(block), heading_offset)}"
                       "</blockquote>")
            continue
        if _BULLET.match(line) or _NUMBERED.match(line):
            ordered = bool(_NUMBERED.match(line)) and not _BULLET.match(line)
            pattern = _NUMBERED if ordered else _BULLET
            items: list[list[str]] = []
            while i < len(lines):
                cur = lines[i]
                m2 = pattern.match(cur)
                if m2:
                    items.append([m2.group(2)])
                elif cur.strip() and cur.startswith((" ", "\t")) and items:
                    items[-1].append(cur.strip())
                elif not cur.strip() and i + 1 < len(lines) and pattern.match(lines[i + 1]):
                    pass
                else:
                    break
                i += 1
            tag = "ol" if ordered else "ul"
            body = "".join(f"<li>{inline(' '.join(item))}</li>" for item in items)
            out.append(f"<{tag}>{body}</{tag}>")
            continue
        para = []
        while i < len(lines) and lines[i].strip() and not (
                _HEADING.match(lines[i]) or _FENCE.match(lines[i])
                or _BULLET.match(lines[i]) or _NUMBERED.match(lines[i])
                or lines[i].lstrip().startswith(">")
                or ("|" in lines[i] and i + 1 < len(lines) and _TABLE_SEP.match(lines[i + 1]))):
            para.append(lines[i].strip())
            i += 1
        out.append(f"<p>{inline(' '.join(para))}</p>")
    return "\n".join(out)
