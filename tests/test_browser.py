"""The report in a real headless browser (Debian's chromium driven by Playwright): the page
renders, every image loads, nothing is logged to the console as an error, and no link with
a scheme other than http(s) is clickable. A full-page screenshot is kept as a test artifact
in ``$SIMULATE_ARTIFACTS`` (default ``tests/artifacts/``).

Skipped only when chromium is missing outside CI; in CI (``CI=true``) a missing browser fails.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from results_factory import make_results, small_scenario

from simulate.report import build_report

CHROMIUM_PATHS = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def _chromium() -> str:
    found = os.environ.get("SIMULATE_CHROMIUM") or next(
        (p for p in CHROMIUM_PATHS if Path(p).is_file()), None) or shutil.which("chromium")
    if found:
        return found
    if os.environ.get("CI", "").lower() in ("true", "1"):
        pytest.fail("chromium is not installed (CI must install Debian's 'chromium' package)")
    pytest.skip("chromium is not installed (apt-get install chromium)")


def _artifacts() -> Path:
    d = Path(os.environ.get("SIMULATE_ARTIFACTS")
             or Path(__file__).resolve().parent / "artifacts")
    d.mkdir(parents=True, exist_ok=True)
    return d


@pytest.fixture(scope="module")
def browser():
    executable = _chromium()
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=ARGS)
        try:
            yield b
        finally:
            b.close()


def _open(browser, html: Path):
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("requestfailed", lambda r: errors.append(f"request failed: {r.url}"))
    page.goto(html.as_uri(), wait_until="load")
    return page, errors


def test_report_renders_with_every_image_loaded(browser, tmp_path):
    scenario = small_scenario(sources={
        "paper": {"title": "A paper", "url": "https://example.org/paper"},
        "hostile": {"title": "Hostile link", "url": "javascript:alert(document.domain)"}})
    r = make_results([2, 5, None, 5, 3, None, 8, 1], scenario=scenario)
    d = r.save(tmp_path / "run")
    html = build_report(r, d, formats=("png",), dpi=60)
    page, errors = _open(browser, html)
    try:
        assert page.title() == "simulate report: handmade"
        ids = page.eval_on_selector_all("section", "els => els.map(e => e.id)")
        assert ids[0] == "summary" and "figures" in ids and ids[-1] == "manifest"
        widths = page.eval_on_selector_all(
            "img", "imgs => imgs.map(i => [i.complete, i.naturalWidth])")
        assert len(widths) >= 3
        assert all(done and w > 0 for done, w in widths), widths
        hrefs = page.eval_on_selector_all("a[href]", "as => as.map(a => a.href)")
        assert any(h == "https://example.org/paper" for h in hrefs)
        assert not [h for h in hrefs if not h.startswith(("http:", "https:", "file:"))]
        assert "javascript:alert(document.domain)" in page.inner_text("#sources")
        height = page.evaluate("document.body.scrollHeight")
        assert height > 1500  # the whole report laid out, not an empty page
        page.screenshot(path=str(_artifacts() / "report.png"), full_page=True)
        assert errors == []
    finally:
        page.close()


def test_comparison_report_renders_with_every_image_loaded(browser, tmp_path):
    from simulate.report import build_comparison_report
    from simulate.results.compare import compare
    c = compare(make_results([2, 5, None, 5]), make_results([2, None, None, 3]),
                labels=["threat", "no threat"])
    html = build_comparison_report(c, tmp_path / "cmp", formats=("png",), dpi=60)
    page, errors = _open(browser, html)
    try:
        widths = page.eval_on_selector_all(
            "img", "imgs => imgs.map(i => [i.complete, i.naturalWidth])")
        assert widths and all(done and w > 0 for done, w in widths), widths
        assert "P(deal within horizon, 10 days)" in page.inner_text("#headline")
        page.screenshot(path=str(_artifacts() / "comparison.png"), full_page=True)
        assert errors == []
    finally:
        page.close()
