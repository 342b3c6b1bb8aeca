"""What the report of ``simulate compare`` says: the question, the runs, headline results side
by side, differences against the first run, figures and provenance."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..results.results import format_number
from .content import ci_text, figures_section, manifest_section, pp_text
from .document import Document, FigureBlock, Paragraph, Section, Table

__all__ = ["comparison_document", "comparison_question", "origin", "COMPARISON_INTERVALS"]

#: the comparison's table has no spread column
COMPARISON_INTERVALS = ("The 95% interval is the Monte Carlo uncertainty of each estimate (it "
                        "shrinks with more replicates): Wilson score intervals for "
                        "probabilities, Student-t intervals for means, "
                        "distribution-free order-statistic intervals for medians.")


def _is_scenario_file(src: Any) -> bool:
    return bool(src) and Path(str(src)).suffix.lower() in (".yaml", ".yml")


def _points(x: float) -> str:
    return "n/a" if x != x else f"{100 * x:+.1f}"


def origin(sources: Sequence[Any], labels: Sequence[str]) -> str:
    """Where the compared runs came from: saved results, scenario files run afresh, or
    runs given in Python."""
    saved = [x for x, s in zip(labels, sources, strict=True) if s and not _is_scenario_file(s)]
    fresh = [x for x, s in zip(labels, sources, strict=True) if _is_scenario_file(s)]
    given = [x for x, s in zip(labels, sources, strict=True) if not s]
    parts = []
    if saved:
        parts.append("saved results" + ("" if len(saved) == len(labels)
                                        else f" ({', '.join(saved)})"))
    if fresh:
        parts.append("scenario files simulated afresh for this comparison" +
                     ("" if len(fresh) == len(labels) else f" ({', '.join(fresh)})"))
    if given:
        parts.append("runs given in Python" + ("" if len(given) == len(labels)
                                               else f" ({', '.join(given)})"))
    return " and ".join(parts)


def comparison_question(comparison: Any) -> Paragraph:
    """What is compared with what, whether the differences are paired on common random
    numbers, and the headline difference (P(deal within the horizon))."""
    c = comparison
    base, others = c.labels[0], c.labels[1:]
    who = ", ".join(f"`{x}`" for x in others) or f"`{base}`"
    text = f"**The question.** How do the outcomes of {who} differ from those of `{base}`?"
    diff = c.differences()
    for i, label in enumerate(others, 1):
        paired = c.paired(i)
        design = ("paired on common random numbers (same seed and streams: replicate *k* "
                  "of each run faces the same draws; compared on the replicates both have)"
                  if paired else
                  "independent samples (no common random numbers)")
        row = diff[(diff["label"] == label) & (diff["metric"] == "deal_within_horizon")]
        text += f" `{label}` − `{base}`: {design}"
        if len(row):
            r = row.iloc[0]
            text += (f"; the probability of a deal within the horizon changes by "
                     f"{pp_text(r['difference'])} (95% CI {_points(r['ci_low'])} to "
                     f"{_points(r['ci_high'])})")
        text += "."
    return Paragraph(text)


def comparison_document(comparison: Any, figures: Sequence[FigureBlock],
                        skipped: Sequence[str], manifest: dict) -> Document:
    """The report of ``simulate compare``: the question, runs, headline side by side,
    differences."""
    c = comparison
    runs_rows = []
    for label, r, src in zip(c.labels, c.runs, c.sources, strict=True):
        mm = r.manifest
        runs_rows.append([label, r.scenario.name, r.scenario.description.strip(),
                          f"{len(r.outcomes):,}", str(mm.get("seed")), str(mm.get("engine")),
                          str(mm.get("simulate_version")), str(src or "in memory"),
                          str(mm.get("scenario_sha256", ""))[:12]])
    runs = Section("runs", "Runs compared", [comparison_question(c), Table(
        ["label", "scenario", "description", "replicates", "seed", "engine", "simulate",
         "source", "scenario sha256"], runs_rows,
        ["left", "left", "left", "right", "right", "left", "left", "left", "left"],
        caption="Source: the results folder read, or the scenario file simulated.",
        id="runs-table")])
    table = c.table()
    cols = ["metric", *c.labels, "unit"]
    rows = []
    for r in table.to_dict("records"):
        cells = [r["name"]]
        for label in c.labels:
            est = r[label]
            ci = ci_text(r[f"{label} ci_low"], r[f"{label} ci_high"], est)
            cells.append("—" if est != est else f"{format_number(est)} {ci}")
        cells.append(r["unit"])
        rows.append(cells)
    headline = Section("headline", "Headline results side by side", [
        Table(cols, rows, ["left", *["right"] * len(c.labels), "left"],
              "Estimate [95% interval] per run; — where a run does not have the metric.",
              "headline-table"), Paragraph(COMPARISON_INTERVALS)])
    diff = c.differences()
    drows = [[r.name, f"{r.label} − {r.baseline}", format_number(r.difference),
              ci_text(r.ci_low, r.ci_high, r.difference), r.unit, "paired" if r.paired else
              "independent"] for r in diff.itertuples(index=False)]
    differences = Section("differences", "Differences against the first run", [
        Paragraph("Runs with the same seed share common random numbers: replicate *k* of each "
                  "run faces the same draws, so their difference is paired: Newcombe's paired "
                  "score interval for probabilities, the Student-t interval of the per-replicate "
                  "differences for other outcomes. Other runs are compared as independent "
                  "samples (Newcombe's interval for proportions, Welch's t interval for "
                  "means)."),
        Table(["metric", "difference", "estimate", "95% interval", "unit", "design"], drows,
              ["left", "left", "right", "right", "left", "left"], id="differences-table")])
    provenance = manifest_section(
        manifest, title="Provenance (manifest)",
        checksums="Checksums (sha256) of the tables and figures in this folder; manifest.json "
                  "lists the report files too.")
    sections = [runs, headline, differences, figures_section(figures, skipped), provenance]
    subtitle = " vs ".join(f"`{x}`" for x in c.labels)
    footer = f"Generated by simulate from {origin(c.sources, c.labels)}."
    return Document("simulate comparison: " + ", ".join(c.labels), subtitle, sections, footer)
