"""What a report says: its sections, built from Results (no files written here)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..results.results import format_number, is_derived
from ..results.units import format_percent
from .assumptions import Register
from .document import (
    Document,
    FigureBlock,
    KeyFacts,
    Link,
    MarkdownBlock,
    Paragraph,
    Section,
    Table,
)
from .insights import drivers, limits, threat_effect
from .params import parameter_rows

__all__ = ["run_document", "headline_table", "manifest_section",
           "executive_summary",
           "scenario_section", "parameters_section", "assumptions_section", "SECTION_IDS",
           "COMPARISON_SECTION_IDS", "figure_sources", "ci_text", "pp_text",
           "figures_section"]

#: section ids of a run's report, in order (the last three are appendices)
SECTION_IDS = ("summary", "headline", "figures", "scenario", "parameters", "assumptions",
               "manifest")
#: section ids of a comparison report
COMPARISON_SECTION_IDS = ("runs", "headline", "differences", "figures", "manifest")

_CI = ("Wilson score intervals for probabilities, Student-t intervals for means, "
       "distribution-free order-statistic intervals for medians.")
_INTERVALS = ("*95% CI of estimate* is the Monte Carlo uncertainty of the estimate (it "
              f"shrinks with more replicates): {_CI} *5-95% of replicates* is the spread of "
              "outcomes across replicates (it does not shrink); not shown for probabilities.")
_CHECKSUMS = ("Checksums of the data files. `simulate report` and `Results.load` refuse a folder "
              "whose files do not match; the figures and this report are listed in "
              "manifest.json too.")


def ci_text(lo: Any, hi: Any, est: Any) -> str:
    """``[lo, hi]``; what is missing instead when there is no estimate or no interval."""
    if est is None or est != est:
        return "(no cases)"
    if lo is None or hi is None or lo != lo or hi != hi:
        return "(too few values for an interval)"
    return f"[{format_number(lo)}, {format_number(hi)}]"


def _spread(lo: Any, hi: Any) -> str:
    if lo is None or lo != lo:
        return ""
    return f"{format_number(lo)} to {format_number(hi)}"


def headline_table(summary: Any, caption: str = "") -> Table:
    """The summary as a table: metric, what the estimate is (a proportion, a mean or a
    median), estimate, 95% CI of the estimate, 5-95% of replicates, unit, n."""
    rows = [[r.label, getattr(r, "kind", ""), format_number(r.estimate),
             ci_text(r.ci_low, r.ci_high, r.estimate), _spread(r.p05, r.p95), r.unit,
             f"{int(r.n):,}"]
            for r in summary.itertuples(index=False)]
    return Table(["metric", "statistic", "estimate", "95% CI of estimate",
                  "5-95% of replicates", "unit", "n"], rows,
                 ["left", "left", "right", "right", "right", "left", "right"], caption,
                 "headline-table")


def _actor_summary(actor: Any) -> str:
    role = actor.role
    if role == "belligerent":
        demands = ", ".join(f"{k} {v if isinstance(v, str) else format_number(v)}"
                            for k, v in actor.demands.items())
        return f"{actor.side}; hard demands: {demands or 'none'}"
    if role == "sanctioner":
        parts = [f"deadline {actor.deadline.isoformat()}" if actor.deadline else "no deadline"]
        tariff = actor.threat.secondary_tariff
        if tariff is not None:
            parts.append(f"threat: {tariff.rate:.0%} tariff on {', '.join(tariff.targets)} "
                         f"after {tariff.lag_days} days")
        if actor.threat.company_sanctions is not None:
            parts.append(f"company sanctions on {actor.threat.company_sanctions.share:.0%} "
                         "of exports")
        parts.append(f"credibility {format_number(actor.credibility)}")
        return "; ".join(parts)
    if role == "importer":
        volume = sum(b.base_volume_mbd for b in actor.buyers.values())
        return (f"{len(actor.buyers)} buyer(s), {format_number(volume)} mb/d of Russian crude "
                f"at start; exports to US {format_number(actor.exports_to_us_busd)} USD bn/yr; "
                f"stance {actor.stance}")
    if role == "supplier":
        return f"spare capacity {format_number(actor.spare_capacity_mbd)} mb/d"
    return ""


def _sources_table(scenario: Any) -> Table:
    rows = []
    for sid, src in scenario.sources.items():
        where: Any = Link(src.url, src.url) if src.url else (src.note or "")
        rows.append([sid, src.title, src.date.isoformat() if src.date else "", where])
    return Table(["id", "source", "date", "link or note"], rows, id="sources",
                 caption="Sources cited by the scenario (`cite:` maps parameters to these ids).")


def scenario_section(results: Any) -> Section:
    """Description, run facts, actors, timeline, sources."""
    s, m = results.scenario, results.manifest
    blocks: list[Any] = []
    if s.description.strip():
        blocks.append(Paragraph(s.description.strip()))
    deadlines = [f"{k}: {a.deadline.isoformat()}" for k, a in s.actors_of("sanctioner").items()
                 if a.deadline is not None]
    facts = [
        ["scenario", s.name], ["start", s.start.isoformat()],
        ["horizon", f"{s.horizon_days} days (to {s.end.isoformat()})"],
        ["deadline", "; ".join(deadlines) or "none"],
        ["negotiation protocol", s.negotiation.protocol],
        ["replicates", f"{len(results.outcomes):,}"], ["seed", str(m.get("seed"))],
        ["engine", str(m.get("engine"))],
        ["daily series kept", f"{results.timeseries['replicate'].nunique():,} replicates"
         if len(results.timeseries) else "none"],
        ["counterfactual (measures removed, same random numbers)",
         "yes" if m.get("counterfactual") else "no"],
    ]
    blocks.append(Table(["", "value"], facts, caption="The run.", id="run-facts"))
    actors = [[k, a.name or k, a.role, _actor_summary(a)] for k, a in s.actors.items()]
    blocks.append(Table(["id", "name", "role", "summary"], actors, caption="Actors."))
    if s.timeline:
        rows = [[a.date.isoformat(), a.actor, a.action, a.target or "",
                 format_number(a.rate) if a.rate is not None else
                 format_number(a.share) if a.share is not None else "", a.note or ""]
                for a in s.timeline]
        blocks.append(Table(["date", "actor", "action", "target", "rate/share", "note"], rows,
                            caption="Timeline of scheduled actions."))
    blocks.append(_sources_table(s))
    return Section("scenario", "Scenario", blocks)


def parameters_section(results: Any) -> Section:
    """Every parameter: value, unit, source (or assumption), distribution when uncertain."""
    s = results.scenario
    rows = []
    for r in parameter_rows(s):
        if r.source in s.sources:
            source: Any = Link(r.source, "#sources")
        else:
            source = {"": "not cited", "default": "schema default"}.get(r.source, r.source)
        rows.append([r.key, r.value, r.unit, source, r.distribution, r.description])
    intro = Paragraph(
        "Every parameter of the resolved scenario. *Source* is the id of a cited source "
        "(see [Sources](#sources)), `assumption` where the scenario says the value is assumed, "
        "*schema default* where the value is the model's default and is not cited, and *not "
        "cited* otherwise. Uncertain parameters are drawn per replicate from the distribution "
        "shown; the value column is then the scenario's central value.")
    return Section("parameters", "Appendix A. Parameters", [intro, Table(
        ["parameter", "value", "unit", "source", "distribution (uncertain)", "meaning"], rows,
        ["left", "right", "left", "left", "left", "left"], id="parameter-table")],
        appendix=True)


def assumptions_section(register: Register) -> Section:
    """The assumptions register of docs/model.md, or a note saying why it is absent."""
    if register.missing:
        return Section("assumptions", "Appendix B. Assumptions register", [Paragraph(
            f"Not included: {register.missing}. The scenario's own assumptions are the "
            "parameters marked `assumption` in the [parameter table](#parameters).")],
            appendix=True)
    name = register.path.name if register.path is not None else "model documentation"
    blocks: list[Any] = [Paragraph(f"From `{name}` (section "
                                   f"\"{register.heading}\", sha256 "
                                   f"`{register.sha256[:16]}…`).")]
    blocks.append(MarkdownBlock(register.markdown, heading_offset=1))
    return Section("assumptions", "Appendix B. Assumptions register", blocks, appendix=True)


def manifest_section(manifest: dict, register: Register | None = None,
                     extra: Sequence[tuple[str, str]] = (),
                     title: str = "Appendix C. Provenance (manifest)",
                     checksums: str = _CHECKSUMS) -> Section:
    """Provenance: every manifest field, and the checksums of the data files (``checksums``:
    their caption)."""
    from .. import __version__
    rows = [[k, _plain(v)] for k, v in manifest.items() if k not in ("files", "inputs")]
    rows += [[k, v] for k, v in extra]
    rows.append(["report built with", f"simulate {__version__}"])
    if register is not None and register.path is not None:
        rows.append(["model documentation", f"{register.path.name} sha256 {register.sha256}"])
    files = manifest.get("files", {})
    sums = [[name, digest] for name, digest in sorted(files.items()) if not is_derived(name)]
    blocks: list[Any] = [Table(["field", "value"], rows, caption="manifest.json.",
                               id="manifest-table")]
    if sums:
        blocks.append(Table(["file", "sha256"], sums, id="checksums", caption=checksums))
    return Section("manifest", title, blocks, appendix=True)


def _plain(v: Any) -> str:
    if isinstance(v, bool):
        return "yes" if v else "no"
    if v is None:
        return "—"
    return str(v)


def figure_sources(figures: Sequence[FigureBlock], intro: str = "") -> MarkdownBlock | None:
    """A list of which replicates each figure's numbers come from, as drawn."""
    lines = [f"- Figure {b.number} ({b.title}): {b.source}" + ("" if b.source.endswith(".")
                                                             else ".")
             for b in figures if b.source]
    if not lines:
        return None
    head = f"{intro} " if intro else ""
    return MarkdownBlock(f"{head}Where each figure's numbers come from:\n\n" + "\n".join(lines),
                         heading_offset=0)


def figures_section(figures: Sequence[FigureBlock], skipped: Sequence[str],
                     intro: str = "") -> Section:
    note = figure_sources(figures, intro)
    blocks: list[Any] = [note] if note is not None else []
    blocks += list(figures)
    if skipped:
        blocks.append(Paragraph("Not shown (not applicable to this run): "
                                + "; ".join(skipped) + "."))
    return Section("figures", "Figures", blocks)


def _pct(x: float) -> str:
    return "n/a" if x != x else f"{format_percent(x)}%"


def pp_text(x: float) -> str:
    return "n/a" if x != x else f"{format_percent(x, sign=True)} percentage points"


def _meaning(results: Any, key: str) -> str:
    from ..results.units import parameter_field
    try:
        return parameter_field(results.scenario, key)[1]
    except KeyError:
        return ""


def executive_summary(results: Any) -> Section:
    """The question, headline probabilities with intervals, the measures' paired effect,
    the three parameters that drive the result, and what the model cannot say."""
    s = results.scenario
    n = len(results.outcomes)
    summary = results.summary()
    question = s.description.strip() or f"Scenario `{s.name}`."
    blocks: list[Any] = [Paragraph(
        f"**The question.** {question} What are the chances of a deal, when, and what do "
        f"the measures change? {n:,} replicates of the scenario, each a possible course of "
        f"the {s.horizon_days} days from {s.start.isoformat()}.")]
    probs = summary[summary["kind"] == "proportion"]
    blocks.append(KeyFacts([
        (r.label, _pct(r.estimate),
         f"95% CI of the estimate {_pct(r.ci_low)} to {_pct(r.ci_high)}")
        for r in probs.itertuples(index=False)]))
    effect = threat_effect(results)
    if effect is None:
        blocks.append(Paragraph(
            "**The measures' effect.** Not estimated in this run: it has no counterfactual "
            "(set `outputs.counterfactual: true`, or compare with a run without measures on "
            "the same seed)."))
    else:
        d = effect.loc["deal_within_horizon"].to_dict()
        text = (f"**The measures' effect.** With the threatened measures the probability of "
                f"a deal within the horizon changes by {pp_text(d['estimate'])} (95% CI "
                f"{pp_text(d['ci_low'])} to {pp_text(d['ci_high'])}), a paired difference: every "
                "replicate is also run without the measures on the same random numbers "
                "(Newcombe's paired score interval).")
        if "oil_revenue" in effect.index:
            rev = effect.loc["oil_revenue"].to_dict()
            text += (f" Russia's oil export revenue changes by {format_number(rev['estimate'])} "
                     f"USD bn over the horizon (95% CI {format_number(rev['ci_low'])} to "
                     f"{format_number(rev['ci_high'])}).")
        blocks.append(Paragraph(text))
    top = drivers(results)
    if len(top):
        lines = ["**What drives the result.** The sampled parameters most associated with a "
                 "deal within the horizon (Spearman rank correlation across replicates, 95% "
                 "interval; an association over the whole prior, not a causal effect):", ""]
        for i, row in enumerate(top.to_dict("records"), 1):
            way = "more" if row["rho"] > 0 else "fewer"
            meaning = _meaning(results, str(row["parameter"]))
            lines.append(f"{i}. `{row['parameter']}`" + (f" ({meaning})" if meaning else "")
                         + f": higher values go with {way} deals, ρ = {row['rho']:+.2f} "
                         f"[{row['ci_low']:+.2f}, {row['ci_high']:+.2f}].")
        blocks.append(MarkdownBlock("\n".join(lines), heading_offset=0))
    else:
        blocks.append(Paragraph("**What drives the result.** Nothing is sampled in this "
                                "scenario (`uncertainty:` is empty), so the replicates differ "
                                "only by chance events."))
    blocks.append(MarkdownBlock("**What the model cannot say.**\n\n" + "\n".join(
        f"- {t}" for t in limits(results)), heading_offset=0))
    return Section("summary", "Executive summary", blocks)


def run_document(results: Any, figures: Sequence[FigureBlock], skipped: Sequence[str],
                 register: Register) -> Document:
    """The report of one run: executive summary, headline table, figures, scenario, then
    the parameter table, assumptions register and provenance as appendices."""
    s, m = results.scenario, results.manifest
    n = len(results.outcomes)
    k = results.timeseries["replicate"].nunique() if len(results.timeseries) else 0
    note = f"Daily paths were kept for {k:,} of the {n:,} replicates."
    headline = Section("headline", "Headline results", [
        headline_table(results.summary(), f"{s.name}: {n:,} replicates, seed {m.get('seed')}."),
        Paragraph(_INTERVALS)])
    sections = [executive_summary(results), headline,
                figures_section(figures, skipped, note), scenario_section(results),
                parameters_section(results), assumptions_section(register),
                manifest_section(m, register)]
    subtitle = (f"`{s.name}` · {n:,} replicates · seed {m.get('seed')} · engine "
                f"{m.get('engine')} · simulate {m.get('simulate_version')}")
    footer = ("Generated by simulate from the saved results in this folder; rebuild with "
              "`simulate report DIR`. Figures are embedded here as PNG; `figures/` holds "
              "them as files (PNG, and PDF/SVG as chosen).")
    return Document(f"simulate report: {s.name}", subtitle, sections, footer)
