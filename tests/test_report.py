"""Reports: one self-contained HTML file (parsed and checked section by section, every image
decoded, nothing external), its Markdown twin, the parameter table, the assumptions register
and the manifest; comparison reports; the Markdown converter."""

from __future__ import annotations

import base64
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from results_factory import make_results

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


def parse(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
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
    assert "1. **Daily steps.**" in md and "Not part of the register" not in md
    assert "data:image" not in md


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
