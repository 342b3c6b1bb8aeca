"""Markdown to HTML for reports, with markdown-it-py (CommonMark plus pipe tables).

Safe by construction: raw HTML in the source is escaped (``html=False``); a link becomes
clickable only when its target is ``http://``, ``https://``, a fragment (``#id``) or a
relative path -- ``javascript:``, ``data:``, ``file:`` and every other scheme are shown as
text. Inline TeX between dollars (Pandoc's rule: ``$x_k$`` but not ``$40 to $30``) becomes
plain HTML (Greek letters, relations, sub- and superscripts), so the report opens offline
with no script or web font.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline

__all__ = ["markdown_to_html", "inline", "safe_href", "tex_to_html"]

_TEX_SYMBOLS = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "Delta": "Δ", "epsilon": "ε",
    "varepsilon": "ε", "eta": "η", "theta": "θ", "kappa": "κ", "lambda": "λ", "mu": "μ",
    "pi": "π", "rho": "ρ", "sigma": "σ", "Sigma": "Σ", "tau": "τ", "phi": "φ", "chi": "χ",
    "omega": "ω", "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥", "ne": "≠", "neq": "≠",
    "times": "×", "cdot": "·", "approx": "≈", "infty": "∞", "in": "∈", "to": "→",
    "pm": "±", "sum": "Σ", "min": "min", "max": "max", "log": "log", "exp": "exp",
    "ldots": "…", "dots": "…",
}
_SCHEMES = {"http", "https"}


def safe_href(url: str) -> bool:
    """Whether ``url`` may become a clickable link: http(s), a fragment or a relative path
    (no scheme, not protocol-relative ``//host``)."""
    url = url.strip()
    if not url or any(ord(c) < 32 for c in url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    if parts.scheme:
        return parts.scheme.lower() in _SCHEMES and bool(parts.netloc)
    return not url.startswith("//") and not url.startswith("\\")


def tex_to_html(tex: str) -> str:
    """Simple inline TeX as HTML (no script): symbols, ``\\mathrm{}``, ``_{}``, ``^{}``."""
    out = html.escape(tex)
    out = re.sub(r"\\(mathrm|text|mathit|operatorname)\{([^{}]*)\}", r"\2", out)
    out = re.sub(r"\\([A-Za-z]+)", lambda m: _TEX_SYMBOLS.get(m.group(1), m.group(0)), out)
    out = re.sub(r"\^\{([^{}]*)\}|\^(\S)", lambda m: f"<sup>{m.group(1) or m.group(2)}</sup>",
                 out)
    out = re.sub(r"_\{([^{}]*)\}|_([A-Za-z0-9])",
                 lambda m: f"<sub>{m.group(1) or m.group(2)}</sub>", out)
    out = out.replace("\\{", "{").replace("\\}", "}")
    return f'<span class="math">{out}</span>'


_MATH = re.compile(r"\$(?=\S)([^$\n]+?)(?<=\S)\$(?!\d)")


def _math_rule(state: StateInline, silent: bool) -> bool:
    """Inline rule: ``$tex$`` (not after a backslash, word character or dollar)."""
    pos = state.pos
    if state.src[pos] != "$" or (pos > 0 and (state.src[pos - 1] in "\\$"
                                              or state.src[pos - 1].isalnum())):
        return False
    m = _MATH.match(state.src, pos)
    if not m:
        return False
    if not silent:
        token = state.push("math_inline", "", 0)
        token.content = m.group(1)
    state.pos = m.end()
    return True


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    md.validateLink = safe_href  # type: ignore[method-assign]
    md.inline.ruler.before("escape", "math_inline", _math_rule)
    md.add_render_rule("math_inline", lambda self, tokens, idx, options, env:
                       tex_to_html(tokens[idx].content))
    return md


def _shift_headings(tokens: list[Any], offset: int) -> None:
    for t in tokens:
        if t.type in ("heading_open", "heading_close"):
            t.tag = f"h{min(6, int(t.tag[1]) + offset)}"


def markdown_to_html(text: str, heading_offset: int = 0) -> str:
    """Markdown ``text`` as HTML; headings move down ``heading_offset`` levels."""
    md = _parser()
    tokens = md.parse(text)
    if heading_offset:
        _shift_headings(tokens, heading_offset)
    return md.renderer.render(tokens, md.options, {}).strip()


def inline(text: str) -> str:
    """One line of inline Markdown (code, emphasis, links, math) as HTML, no ``<p>``."""
    md = _parser()
    return md.renderInline(str(text)).strip()
