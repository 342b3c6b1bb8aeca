"""Reports built from saved Results: one self-contained HTML file and a Markdown twin.

``build_report(results, dir)`` writes ``figures/`` (PNG, PDF, SVG), ``report.html`` (figures
embedded as base64 PNG, inline CSS, no scripts or external resources; rendered with Jinja2
templates and markdown-it-py) and ``report.md`` (referencing ``figures/*.png``), then
rewrites ``manifest.json``. Sections: an executive summary (the question, headline
probabilities with intervals, the measures' paired effect, the three sampled parameters most
associated with a deal, what the model cannot say), the headline table, figures, the
scenario and its sources, then appendices: parameter table, assumptions register of
``docs/model.md``, provenance. Only http(s), fragment and relative links are clickable.
"""

from __future__ import annotations

from .assumptions import find_model_doc, read_register
from .build import (
    REPORT_FILES,
    build_comparison_report,
    build_report,
    check_report_files,
    render_figures,
)
from .content import COMPARISON_SECTION_IDS, SECTION_IDS

__all__ = ["build_report", "build_comparison_report", "check_report_files", "render_figures",
           "read_register", "find_model_doc", "REPORT_FILES", "SECTION_IDS",
           "COMPARISON_SECTION_IDS"]
