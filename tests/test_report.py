"""Reports: one self-contained HTML file (parsed and checked section by section, every image
decoded, nothing external), its Markdown twin, the parameter table, the assumptions register
and the manifest; comparison reports; the Markdown converter."""

from __future__ import annotations

import base64
import math
import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from interval_checks import newcombe_paired
from results_factory import make_results
from scipy import stats

from simulate import Results, ResultsError
from simulate.execution.runner import run
from simulate.figures import kinds
from simulate.report import (
    COMPARISON_SECTION_IDS,
    SECTION_IDS,
    build_comparison_report,
    build_report,
)
from simulate.report.assumptions import read_register
from simulate.report.markup import inline, markdown_to_html, safe_href
from simulate.report.params import cited_source, parameter_rows
from simulate.results.compare import compare

PNG = b"\x89PNG\r\n\x1a\n"
Z95 = 1.959963984540054  # the normal quantile 0.975

REGISTER = """# Model

## 1. Overview

Text.

## Assumptions register

1. **Daily steps.** Policy first; a measure dated day $t$ acts on day $t$.
2. **Front.** Bounded random walk, clipped to $[0, 1]$ with drift
   continuing on a second line.

| # | assumption | effect |
|---|---|---:|
| A1 | linear costs | small |

## Appendix

Not part of the register.
"""


class Page(HTMLParser):
    """Everything the checks need from an HTML page."""

    def __init__(self):
        super().__init__()
        self.sections: dict[str, list[str]] = {}
        self.current: str | None = None
        self.imgs: list[dict] = []
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.svgs = 0
        self.style = ""
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if tag == "section":
            self.current = a.get("id")
            self.sections[self.current] = []
        if tag == "img":
            self.imgs.append(a)
        if tag == "svg":
            self.svgs += 1
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        if tag == "style":
            self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.style += data
        self.text.append(data)
        if self.current:
            self.sections[self.current].append(data)

    def section_text(self, ident: str) -> str:
        return " ".join(self.sections[ident])


class Tables(HTMLParser):
    """The cells (text) of every row of every table of an HTML page, by table id."""

    def __init__(self):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._table: str | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._table = dict(attrs).get("id") or f"table{len(self.tables)}"
            self.tables[self._table] = []
        elif tag == "tr" and self._table is not None:
            self.tables[self._table].append([])
        elif tag in ("td", "th") and self._table is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self._table is not None:
            self.tables[self._table][-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def html_table(html: str, ident: str) -> dict[str, list[str]]:
    """The body rows of table ``ident`` of an HTML page, by their first cell."""
    parser = Tables()
    parser.feed(html)
    parser.close()
    header, *rows = parser.tables[ident]
    assert all(len(row) == len(header) for row in rows)
    return {row[0]: row for row in rows}


def md_table(md: str, ident: str) -> dict[str, list[str]]:
    """The body rows of the Markdown table after the anchor ``ident``, by their first cell."""
    lines = md.split(f'<a id="{ident}"></a>', 1)[1].splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("| "))
    table = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        table.append([c.strip() for c in line.strip()[1:-1].split("|")])
    header, rule, *rows = table
    assert all(len(row) == len(header) == len(rule) for row in rows)
    return {row[0]: row for row in rows}


def html_key_facts(html: str) -> list[tuple[str, str, str]]:
    """(value, label, note) of each key fact of an HTML report."""
    return re.findall(r'<div class="fact"><div class="value">([^<]*)</div><div class="label">'
                      r'([^<]*)</div><div class="note">([^<]*)</div></div>', html)


def wilson(k: int, n: int) -> tuple[float, float]:
    """Wilson's 95% score interval of k hits in n, written out: centre
    (p + z²/2n) / (1 + z²/n), half-width z sqrt(p (1 - p) / n + z²/4n²) / (1 + z²/n)."""
    p, z2 = k / n, Z95 * Z95
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z95 * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return centre - half, centre + half


def t_interval(values) -> tuple[float, float, float]:
    """Mean and its Student-t 95% interval (n - 1 degrees of freedom)."""
    x = np.asarray(values, dtype=float)
    m = float(x.mean())
    half = float(stats.t.ppf(0.975, x.size - 1)) * float(x.std(ddof=1)) / math.sqrt(x.size)
    return m, m - half, m + half


def rank_correlation(x, y) -> float:
    """Spearman's rho as Pearson's correlation of the (mid-)ranks."""
    return float(np.corrcoef(stats.rankdata(x), stats.rankdata(y))[0, 1])


def shown(text: str, value: float) -> bool:
    """``text`` is ``value`` rounded to the digits it shows (a table's 3 decimals, 1 decimal,
    whole number or 1.23e-04): within half a unit of its last digit; "0" only for 0."""
    text = text.strip().rstrip("%")
    if text == "0":
        return value == 0
    m = re.fullmatch(r"[+-]?[\d,]*\d(?:\.(\d+))?(?:e([+-]\d+))?", text)
    assert m, text
    unit = 10.0 ** (int(m[2] or 0) - len(m[1] or ""))
    return abs(float(text.replace(",", "")) - value) <= 0.5 * unit * (1 + 1e-9)


def interval_cells(text: str) -> tuple[str, str]:
    """The two bounds of ``[low, high]``."""
    m = re.fullmatch(r"\[(\S+), (\S+)\]", text)
    assert m, text
    return m[1], m[2]


def check_report_numbers(d: Path) -> None:
    """The numbers of a saved run's report (HTML and Markdown) against values computed here
    from its outcomes.parquet: Wilson intervals of the deal probabilities (headline table and
    key facts), the Student-t interval and 5-95% spread of the revenue, the paired effect with
    Newcombe's interval when the run has a counterfactual, and the drivers (direction, rho,
    order)."""
    o = pd.read_parquet(d / "outcomes.parquet")
    n = len(o)
    html = (d / "report.html").read_text(encoding="utf-8")
    md = (d / "report.md").read_text(encoding="utf-8")
    tables = [html_table(html, "headline-table"), md_table(md, "headline-table")]
    facts = {label: (value, note) for value, label, note in html_key_facts(html)}
    for prefix, column in (("P(deal within horizon", "deal"),
                           ("P(deal by deadline)", "deal_by_deadline")):
        k = int(o[column].sum())
        low, high = wilson(k, n)
        assert low <= k / n <= high
        for rows in tables:
            label, row = next((key, v) for key, v in rows.items() if key.startswith(prefix))
            assert row[1] == "proportion" and row[4] == "" and row[6] == f"{n:,}", row
            lo_text, hi_text = interval_cells(row[3])
            assert shown(row[2], k / n) and shown(lo_text, low) and shown(hi_text, high), row
        value, note = facts[label]
        m = re.fullmatch(r"95% CI of the estimate (\S+)% to (\S+)%", note)
        assert m and shown(value, 100 * k / n), (value, note)
        assert shown(m[1], 100 * low) and shown(m[2], 100 * high), note
        assert f"- **{value}** {label} ({note})" in md.splitlines()
    revenue = o["oil_revenue_busd"].to_numpy(float)
    mean, low, high = t_interval(revenue)
    p05, p95 = np.percentile(revenue, [5, 95])
    for rows in tables:
        row = rows["Russian oil export revenue"]
        lo_text, hi_text = interval_cells(row[3])
        spread = re.fullmatch(r"(\S+) to (\S+)", row[4])
        assert row[1] == "mean" and shown(row[2], mean), row
        assert shown(lo_text, low) and shown(hi_text, high), row
        assert spread and shown(spread[1], p05) and shown(spread[2], p95), row
    summary = parse_html(html).section_text("summary")
    if "deal_cf" in o:
        x, y = o["deal"].to_numpy(bool), o["deal_cf"].to_numpy(bool)
        counts = (int(np.sum(x & y)), int(np.sum(x & ~y)), int(np.sum(~x & y)),
                  int(np.sum(~x & ~y)))
        low, high = newcombe_paired(*counts)
        pp = r"([+-]\d+\.\d) percentage points"
        for text in (summary, md):
            m = re.search(f"changes by {pp} \\(95% CI {pp} to {pp}\\)", text)
            assert m, text
            assert shown(m[1], 100 * (x.mean() - y.mean())) and m[1][0] in "+-"
            assert shown(m[2], 100 * low) and shown(m[3], 100 * high), m.group(0)
    else:
        assert "no counterfactual" in summary
    deals = o["deal"].to_numpy(float)
    found = []
    for col in o.columns:
        if col.startswith("param:") and pd.api.types.is_numeric_dtype(o[col]) \
                and np.ptp(o[col].to_numpy(float)) > 0:
            found.append((col[len("param:"):], rank_correlation(o[col].to_numpy(float), deals)))
    found.sort(key=lambda kv: -abs(kv[1]))
    line = (r".*?: higher values go with (more|fewer) deals, ρ = ([+-]\S+) "
            r"\[([+-]\S+), ([+-]\S+)\]\.")
    md_items = re.findall(r"^\d\. `([^`]+)`" + line + "$", md, flags=re.MULTILINE)
    html_items = re.findall(r"<li><code>([^<]+)</code>" + line + "</li>", html)
    assert md_items == html_items and len(md_items) == min(3, len(found))
    for (key, way, rho_text, lo_text, hi_text), (want, rho) in zip(md_items, found,
                                                                   strict=False):
        half = Z95 * math.sqrt((1 + rho * rho / 2) / (n - 3))
        assert key == want and way == ("more" if rho > 0 else "fewer"), (key, way, rho)
        assert shown(rho_text, rho)
        assert shown(lo_text, math.tanh(math.atanh(rho) - half))
        assert shown(hi_text, math.tanh(math.atanh(rho) + half))


def parse(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    page.close()
    return page

def parse_html(html: str) -> Page:
    page = Page()
    page.feed(html)
    page.close()
    return page


def check_self_contained(page: Page) -> None:
    """No resource that the page needs from elsewhere to display."""
    external = re.compile(r"^\s*(https?:)?//", re.IGNORECASE)
    for tag, attrs in page.tags:
        assert tag not in ("script", "link", "iframe", "object", "embed"), tag
        for name in ("src", "srcset", "data", "poster", "background"):
            value = attrs.get(name)
            assert value is None or not external.match(value), (tag, name, value)
        if tag == "img":
            assert attrs["src"].startswith("data:image/")
    assert "url(" not in page.style and "@import" not in page.style


def check_images(page: Page) -> None:
    assert page.imgs, "no figures embedded"
    for img in page.imgs:
        src = img["src"]
        if src.startswith("data:image/png;base64,"):
            data = base64.b64decode(src.split(",", 1)[1], validate=True)
            assert data.startswith(PNG) and data[12:16] == b"IHDR"
        else:
            assert src.startswith("data:image/svg+xml"), src[:40]
        assert img.get("alt")


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory):
    """A real small run saved and reported, the way ``simulate run --out`` does it."""
    r = run("scenarios/aug2025.yaml", replicates=80, keep_series=6, progress=False,
            counterfactual=False)
    d = r.save(tmp_path_factory.mktemp("rep") / "run")
    doc = tmp_path_factory.mktemp("doc") / "model.md"
    doc.write_text(REGISTER, encoding="utf-8")
    build_report(r, d, formats=("png",), model_doc=doc, dpi=50)
    return d


def test_html_has_every_section(report_dir):
    page = parse(report_dir / "report.html")
    assert list(page.sections) == list(SECTION_IDS)
    check_report_numbers(report_dir)
    summary = page.section_text("summary")
    for needle in ("The question.", "US envoy meets Putin", "P(deal within horizon, 365 days)",
                   "95% CI of the estimate", "The measures' effect.", "no counterfactual",
                   "What drives the result.", "Spearman", "What the model cannot say."):
        assert needle in summary, needle
    # the three drivers are sampled parameters of the scenario
    drivers = summary.split("drives the result")[1].split("cannot say")[0]
    sampled = {c[len("param:"):] for c in Results.load(report_dir).outcomes.columns
               if c.startswith("param:")}
    assert sum(1 for key in sampled if key in drivers) == 3
    scenario = page.section_text("scenario")
    for needle in ("aug2025", "2025-08-06", "365 days", "United States", "Sources",
                   "Kilian & Murphy 2014"):
        assert needle in scenario
    headline = page.section_text("headline")
    r = Results.load(report_dir)
    for label in r.summary()["label"]:
        assert label in headline
    assert "95% CI of estimate" in headline and "5-95% of replicates" in headline
    assert "Wilson" in headline
    params = page.section_text("parameters")
    for needle in ("actors.US.credibility", "beta(a=2, b=3", "assumption", "market.brent_usd",
                   "USD/bbl", "census_china", "schema default", "mb/d"):
        assert needle in params
    register = page.section_text("assumptions")
    assert "Daily steps." in register and "linear costs" in register
    assert "Not part of the register" not in register
    manifest = page.section_text("manifest")
    for needle in ("simulate_version", "seed", "20250806", "replicates", "80", "engine",
                   "batch", "outcomes.parquet", r.manifest["files"]["outcomes.parquet"]):
        assert needle in manifest


def test_html_images_decode_and_nothing_is_external(report_dir):
    page = parse(report_dir / "report.html")
    check_images(page)
    check_self_contained(page)
    applicable = [k for k in kinds("run") if k.applies(Results.load(report_dir))]
    assert len(page.imgs) == len(applicable)
    figures = page.section_text("figures")
    for k in applicable:
        assert k.title in figures
        png = (report_dir / "figures" / f"{k.name}.png").read_bytes()
        assert png.startswith(PNG)
    embedded = {base64.b64decode(i["src"].split(",", 1)[1]) for i in page.imgs}
    assert embedded == {(report_dir / "figures" / f"{k.name}.png").read_bytes()
                        for k in applicable}


def test_markdown_twin_references_the_figures(report_dir):
    md = (report_dir / "report.md").read_text(encoding="utf-8")
    for title in ("## Executive summary", "## Scenario", "## Headline results", "## Figures",
                  "## Appendix A. Parameters", "## Appendix B. Assumptions register",
                  "## Appendix C. Provenance (manifest)"):
        assert title in md
    refs = re.findall(r"!\[[^\]]*\]\((figures/[^)]+\.png)\)", md)
    assert refs and all((report_dir / ref).is_file() for ref in refs)
    assert "| actors.US.credibility |" in md
    # the headline table says which estimates are medians (terms, over the deals only)
    rows = {line.split(" | ")[0].lstrip("| "): line.split(" | ")[1]
            for line in md.splitlines() if line.startswith("| P(") or
            line.startswith("| Terms in a deal") or line.startswith("| Brent")}
    assert rows["Terms in a deal: Donetsk"] == "median"
    assert rows["P(deal by deadline)"] == "proportion"
    assert rows["Brent price (horizon mean)"] == "mean"
    assert "1. **Daily steps.**" in md and "Not part of the register" not in md
    assert "data:image" not in md


def _with_counterfactual_and_drivers():
    """make_results' 4 replicates (deals on days 2 and 5, none, 5: 3 of 4 within the 10-day
    horizon, 1 by the day-2 deadline) with revenue 100.42 - 2 r, a counterfactual (deals
    without the measures 0, 1, 0, 0; revenue 1, 1.5, 0.5, 2 higher) and a second sampled
    parameter that rises with the deals where the credibility falls with them."""
    r = make_results([2, 5, None, 5], offset=0.42)
    o = r.outcomes
    o["deal_cf"] = np.array([0, 1, 0, 0], dtype=bool)
    o["oil_revenue_cf_busd"] = o["oil_revenue_busd"] + np.array([1.0, 1.5, 0.5, 2.0])
    o["param:market.brent_usd"] = np.array([66.3, 66.4, 66.1, 66.2])
    return Results(r.scenario, o, r.timeseries, dict(r.manifest, counterfactual=True))


def test_report_numbers_are_the_closed_forms_in_the_right_columns(tmp_path):
    """Every number of the executive summary and the headline table, in HTML and Markdown,
    against values computed here: Wilson intervals, Student-t intervals and 5-95% spreads,
    the paired effect's sign and Newcombe interval, and the drivers' direction and rho."""
    r = _with_counterfactual_and_drivers()
    d = r.save(tmp_path / "run")
    build_report(r, d, formats=("png",), model_doc=tmp_path / "absent.md", dpi=40)
    html = (d / "report.html").read_text(encoding="utf-8")
    md = (d / "report.md").read_text(encoding="utf-8")

    # headline table: a proportion's estimate and Wilson interval, no spread; a mean's
    # estimate, Student-t interval (low before high) and the 5-95% spread of the replicates
    deal_lo, deal_hi = wilson(3, 4)
    assert f"[{deal_lo:.3f}, {deal_hi:.3f}]" == "[0.301, 0.954]"  # the textbook value
    by_lo, by_hi = wilson(1, 4)
    revenue = 100.42 - 2.0 * np.arange(4)
    mean, low, high = t_interval(revenue)
    p05, p95 = np.percentile(revenue, [5, 95])
    assert (f"{mean:.1f}", f"{low:.1f}", f"{high:.1f}") == ("97.4", "93.3", "101.5")
    expected = {
        "P(deal within horizon, 10 days)": ["proportion", "0.750", "[0.301, 0.954]", "",
                                            "probability", "4"],
        "P(deal by deadline)": ["proportion", "0.250", f"[{by_lo:.3f}, {by_hi:.3f}]", "",
                                "probability", "4"],
        "Russian oil export revenue": ["mean", f"{mean:.1f}", f"[{low:.1f}, {high:.1f}]",
                                       f"{p05:.1f} to {p95:.1f}", "USD bn over horizon", "4"],
    }
    for rows in (html_table(html, "headline-table"), md_table(md, "headline-table")):
        for label, cells in expected.items():
            assert rows[label] == [label, *cells], (label, rows[label])

    # key facts: the probability as a percentage, its interval low to high
    def pct(x: float) -> str:
        return f"{100 * x:.1f}%"

    facts = html_key_facts(html)
    for value, label, lo, hi in (("75.0%", "P(deal within horizon, 10 days)", deal_lo, deal_hi),
                                 ("25.0%", "P(deal by deadline)", by_lo, by_hi)):
        note = f"95% CI of the estimate {pct(lo)} to {pct(hi)}"
        assert (value, label, note) in facts
        assert f"- **{value}** {label} ({note})" in md.splitlines()
    assert "95% CI of the estimate 30.1% to 95.4%" in md

    # the measures' effect: with minus without, +0.5 (pairs 1-0, 1-1, 0-0, 1-0), Newcombe's
    # paired interval; revenue 1.25 lower with the measures, Student-t interval
    def pp(x: float) -> str:
        return f"{100 * x:+.1f} percentage points"

    e_lo, e_hi = newcombe_paired(a=1, b=2, c=0, d=1)
    deal_text = f"changes by {pp(0.5)} (95% CI {pp(e_lo)} to {pp(e_hi)})"
    assert deal_text.startswith("changes by +50.0 percentage points (95% CI -")
    r_mean, r_lo, r_hi = t_interval(-np.array([1.0, 1.5, 0.5, 2.0]))
    revenue_text = (f"changes by {r_mean:.3f} USD bn over the horizon (95% CI {r_lo:.3f} to "
                    f"{r_hi:.3f})")
    assert revenue_text.startswith("changes by -1.250 USD bn")
    summary = parse_html(html).section_text("summary")
    for text in (summary, md):
        assert deal_text in text and revenue_text in text

    # drivers: strongest first, direction and rho with Bonett & Wright's interval
    deals = np.array([1, 1, 0, 1])
    lines = []
    for key, x in (("market.brent_usd", [66.3, 66.4, 66.1, 66.2]),
                   ("actors.US.credibility", [0.1, 0.15, 0.2, 0.25])):
        rho = rank_correlation(x, deals)
        half = Z95 * math.sqrt((1 + rho * rho / 2) / (4 - 3))
        lo, hi = math.tanh(math.atanh(rho) - half), math.tanh(math.atanh(rho) + half)
        way = "more" if rho > 0 else "fewer"
        lines.append((key, f": higher values go with {way} deals, ρ = {rho:+.2f} "
                           f"[{lo:+.2f}, {hi:+.2f}]."))
    assert lines[0][1].startswith(": higher values go with more deals, ρ = +0.77 [")
    assert lines[1][1].startswith(": higher values go with fewer deals, ρ = -0.26 [")
    md_items = re.findall(r"^(\d)\. `([^`]+)`[^:]*(: .*)$", md, flags=re.MULTILINE)
    assert md_items == [("1", *lines[0]), ("2", *lines[1])]
    html_items = re.findall(r"<li><code>([^<]+)</code>[^:<]*(: [^<]*)</li>", html)
    assert html_items == lines


def test_markdown_fragment_links_have_their_anchors(report_dir):
    """Every ``(#id)`` link of report.md points at an anchor written in report.md itself
    (the parameter table's sources link to ``#sources``; a Markdown viewer has no HTML ids)."""
    md = (report_dir / "report.md").read_text(encoding="utf-8")
    targets = set(re.findall(r"\]\(#([^)]+)\)", md))
    assert "sources" in targets
    anchors = set(re.findall(r'<a id="([^"]+)"></a>', md))
    assert targets <= anchors, targets - anchors


def test_manifest_lists_report_files_and_results_still_load(report_dir):
    r = Results.load(report_dir)  # every checksum, figures and report included
    files = r.manifest["files"]
    assert "report.html" in files and "report.md" in files
    assert any(f.startswith("figures/") and f.endswith(".png") for f in files)


def test_rebuild_is_identical_and_drops_stale_figures(report_dir, tmp_path):
    d = tmp_path / "copy"
    import shutil
    shutil.copytree(report_dir, d)
    # a figure an earlier report wrote (listed in the manifest) and no longer makes; a file
    # the manifest does not list is the user's and refused (tests/test_cli_safety_report.py)
    (d / "figures" / "stale.png").write_bytes(PNG)
    import json

    from simulate.results.files import sha256_file
    manifest = json.loads((d / "manifest.json").read_text())
    manifest["files"]["figures/stale.png"] = sha256_file(d / "figures" / "stale.png")
    (d / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    r = Results.load(d, ignore_derived=True)
    doc = tmp_path / "model.md"
    doc.write_text(REGISTER, encoding="utf-8")
    build_report(r, d, formats=("png",), model_doc=doc, dpi=50)
    assert not (d / "figures" / "stale.png").exists()
    assert (d / "report.html").read_bytes() == (report_dir / "report.html").read_bytes()
    assert (d / "report.md").read_bytes() == (report_dir / "report.md").read_bytes()
    assert "figures/stale.png" not in Results.load(d).manifest["files"]


def test_report_without_model_doc_says_so(tmp_path):
    r = make_results([1, None, 3])
    d = r.save(tmp_path / "run")
    build_report(r, d, formats=("png",), model_doc=tmp_path / "absent.md", dpi=40)
    page = parse(d / "report.html")
    text = page.section_text("assumptions")
    assert "not found" in text and "absent.md" in text
    check_images(page)
    check_self_contained(page)
    # a hand-made run: no tariff figure if no tariff; sources link to their anchors
    assert any(a.get("href") == "#sources" for t, a in page.tags if t == "a")
    assert not list(d.glob("figures/*.pdf"))


def test_report_needs_an_existing_folder(tmp_path):
    with pytest.raises(ResultsError, match="no such folder"):
        build_report(make_results([1]), tmp_path / "nowhere")
    with pytest.raises(ValueError, match="unknown"):
        build_report(make_results([1]), tmp_path, formats=("gif",))


def test_register_extraction(tmp_path):
    doc = tmp_path / "model.md"
    doc.write_text(REGISTER, encoding="utf-8")
    reg = read_register(doc)
    assert reg.heading == "Assumptions register" and not reg.missing
    assert "Daily steps" in reg.markdown and "Appendix" not in reg.markdown
    doc.write_text("# Model\n\n## Overview\n\ntext\n", encoding="utf-8")
    assert "no section" in read_register(doc).missing
    assert "not found" in read_register(tmp_path / "none.md").missing


def test_parameter_rows_sources_units_distributions():
    r = make_results([1])
    rows = {row.key: row for row in parameter_rows(r.scenario)}
    assert rows["actors.US.credibility"].source == "assumption"
    assert rows["actors.US.credibility"].distribution.startswith("beta(a=2, b=3")
    assert "90% range" in rows["actors.US.credibility"].distribution
    assert rows["market.brent_usd"].unit == "USD/bbl" and rows["market.brent_usd"].source == \
        "paper"
    assert rows["regions.North.control"].source == "paper"  # cited by its prefix
    assert rows["regions.South.control"].source == ""
    assert rows["market.world_demand_mbd"].source == "default"
    assert rows["actors.IN.buyers.a.base_volume_mbd"].unit == "mb/d"
    assert rows["actors.US.deadline"].value == "2025-08-08"
    assert cited_source({"a.b": "x", "a.b.c": "y"}, "a.b.c.d") == "y"
    assert cited_source({"a.b": "x"}, "a.bc") == ""


def test_comparison_report(tmp_path):
    a = make_results([1, None, 3, None])
    b = make_results([None, None, 3, None], offset=-5)
    c = compare(a, b, labels=["threat", "no threat"])
    out = tmp_path / "cmp"
    build_comparison_report(c, out, formats=("png",), dpi=40)
    page = parse(out / "report.html")
    assert list(page.sections) == list(COMPARISON_SECTION_IDS)
    check_images(page)
    check_self_contained(page)
    assert "no threat" in page.section_text("headline")
    assert "paired" in page.section_text("differences")
    assert (out / "comparison.csv").is_file() and (out / "differences.csv").is_file()
    import json
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["kind"] == "comparison" and manifest["labels"] == ["threat", "no threat"]
    assert "report.html" in manifest["files"]
    with pytest.raises(ResultsError, match="already exists"):
        build_comparison_report(c, out, formats=("png",), dpi=40)
    build_comparison_report(c, out, formats=("png",), overwrite=True, dpi=40)
    with pytest.raises(ResultsError, match="comparison"):
        Results.load(out)


# ----- Markdown converter -------------------------------------------------------------------
def test_markdown_converter():
    html = markdown_to_html(REGISTER, heading_offset=1)
    assert "<h2>Model</h2>" in html and "<h3>1. Overview</h3>" in html
    assert "<ol>\n<li><strong>Daily steps.</strong>" in html
    assert "clipped to <span class=\"math\">[0, 1]</span> with drift\ncontinuing" in html
    assert '<th style="text-align:right">effect</th>' in html
    assert "<td>linear costs</td>" in html
    assert inline("<script>x</script>") == "&lt;script&gt;x&lt;/script&gt;"
    assert "href" not in inline("[x](javascript:alert)")
    assert inline("a `b_c` and [d](#e)") == 'a <code>b_c</code> and <a href="#e">d</a>'
    assert inline("from $40 to $30") == "from $40 to $30"
    assert inline(r"$x_k \ge d^{2}$") == \
        '<span class="math">x<sub>k</sub> ≥ d<sup>2</sup></span>'
    assert "<pre><code>a &lt; b\n</code></pre>" in markdown_to_html("```\na < b\n```")


@pytest.mark.parametrize("url, clickable", [
    ("https://example.org/a?b=1#c", True), ("http://example.org", True), ("#sources", True),
    ("figures/brent.pdf", True), ("../other/report.html", True),
    ("javascript:alert(1)", False), ("JavaScript:alert(1)", False), (" javascript:x", False),
    ("java\tscript:x", False), ("data:text/html,<b>x</b>", False), ("file:///etc/passwd", False),
    ("vbscript:x", False), ("//evil.example/x", False), ("mailto:a@b.c", False),
    ("https:evil", False), ("", False),
])
def test_only_http_and_relative_links_are_clickable(url, clickable):
    assert safe_href(url) is clickable
    html = inline(f"[text]({url})") if " " not in url.strip() and url else ""
    if html:
        assert ("<a " in html) is clickable


def test_hostile_source_url_is_text_in_html_and_markdown(tmp_path):
    from simulate.report.document import Document, Link, Section, Table, to_html, to_markdown
    doc = Document("t", "s", [Section("x", "X", [Table(["a"], [[Link("bad", "javascript:x")],
                                                               [Link("ok", "https://o.rg")]])])])
    page = to_html(doc)
    assert "javascript:" not in page.replace(">bad<", "") and '<a href="https://o.rg">' in page
    assert "<td>bad</td>" in page
    md = to_markdown(doc)
    assert "(javascript:x)" not in md and "[ok](https://o.rg)" in md
    assert markdown_to_html("- one\n- two") == "<ul>\n<li>one</li>\n<li>two</li>\n</ul>"
