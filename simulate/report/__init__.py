"""Figures and reports built from saved Results (filled in by the report module)."""

from __future__ import annotations

__all__ = ["build_report"]


def build_report(results, directory) -> None:
    """Write figures/ and report.html/report.md for ``results`` into ``directory``."""
    return None
