"""Reports built from saved Results: one self-contained HTML file and a Markdown twin.

``build_report(results, dir)`` writes ``figures/`` (PNG, PDF, SVG), ``report.html`` (figures
embedded as base64 PNG, inline CSS, no scripts or external resources) and ``report.md``
(referencing ``figures/*.png``), then rewrites ``manifest.json``. Sections: scenario and
sources, headline table with intervals, figures, parameter table (value, unit, source or
assumption, distribution), the assumptions register of ``docs/model.md``, and the manifest.
"""

from __future__ import annotations

from .assumptions import find_model_doc, read_register
from .build import REPORT_FILES, build_comparison_report, build_report, render_figures
from .content import COMPARISON_SECTION_IDS, SECTION_IDS

__all__ = ["build_report", "build_comparison_report", "render_figures", "read_register",
           "find_model_doc", "REPORT_FILES", "SECTION_IDS", "COMPARISON_SECTION_IDS"]
