"""The documentation: the scenario reference is generated from the schema and current, the
command-line reference lists every command and option, and every relative link and anchor
in docs/ and README.md resolves."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from markdown_it import MarkdownIt

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = sorted(DOCS.glob("*.md")) + [ROOT / "README.md"]
REQUIRED = ("getting-started.md", "scenario-reference.md", "model.md", "cli.md", "api.md",
            "performance.md", "dask.md", "reproducibility.md")


def _generator():
    spec = importlib.util.spec_from_file_location("make_reference", DOCS / "make_reference.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def slug(text: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[^\w\- ]", "", text.strip().lower())
    return text.replace(" ", "-")


def _tokens(path: Path):
    md = MarkdownIt("commonmark").enable("table")
    return md.parse(path.read_text(encoding="utf-8"))


def anchors(path: Path) -> set[str]:
    found: dict[str, int] = {}
    out = set()
    tokens = _tokens(path)
    for i, t in enumerate(tokens):
        if t.type == "heading_open":
            text = "".join(c.content for c in tokens[i + 1].children or []
                           if c.type in ("text", "code_inline"))
            base = slug(text)
            n = found.get(base, 0)
            out.add(base if n == 0 else f"{base}-{n}")
            found[base] = n + 1
    return out


def links(path: Path) -> list[str]:
    out = []
    for t in _tokens(path):
        for c in t.children or []:
            if c.type == "link_open":
                out.append(str(c.attrs.get("href", "")))
    return out


def test_required_pages_exist():
    for name in REQUIRED:
        assert (DOCS / name).is_file(), name


def test_scenario_reference_is_generated_and_current():
    expected = _generator().render()
    stored = (DOCS / "scenario-reference.md").read_text(encoding="utf-8")
    assert stored == expected, "docs/scenario-reference.md is stale: run " \
                               "python docs/make_reference.py"


def test_scenario_reference_lists_every_key_with_type_default_and_range():
    text = (DOCS / "scenario-reference.md").read_text(encoding="utf-8")
    for needle in ("`horizon_days` | integer | days | *required* | ≥ 1, ≤ 3650",
                   "`regions.<name>.control` | number | fraction | *required* | ≥ 0, ≤ 1",
                   "`ensemble.seed`", "`outputs.keep_series`", "(dist: `beta`)",
                   "(role: `importer`)", "`actors.<name>.buyers.<name>.base_volume_mbd`"):
        assert needle in text, needle


def test_cli_reference_is_generated_and_current():
    """docs/cli.md is what `--help` says, defaults and ranges included (regenerate it with
    python docs/make_reference.py after changing an option)."""
    expected = _generator().render_cli()
    stored = (DOCS / "cli.md").read_text(encoding="utf-8")
    assert stored == expected, "docs/cli.md is stale: run python docs/make_reference.py"
    assert "| `--particles` | INTEGER RANGE | Particles per generation.  [default: 200" in stored


def test_cli_reference_lists_every_command_and_option():
    import click

    from simulate.cli.main import _register, cli
    _register()
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    ctx = click.Context(cli, info_name="simulate")
    for name in cli.list_commands(ctx):
        cmd = cli.get_command(ctx, name)
        assert f"## `simulate {name}`" in text, name
        for p in cmd.params:
            if isinstance(p, click.Option):
                assert f"`{p.opts[0]}`" in text.split(f"## `simulate {name}`")[1], \
                    f"{name} {p.opts[0]}: run python docs/make_reference.py"


def test_cli_reference_gives_the_value_of_every_option_that_takes_one():
    """An option with a short flag (`-n, --replicates INTEGER RANGE` in --help) has its value
    form in docs/cli.md too, not an empty cell."""
    import click

    from simulate.cli.main import _register, cli
    _register()
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    ctx = click.Context(cli, info_name="simulate")
    empty = []
    for name in cli.list_commands(ctx):
        cmd = cli.get_command(ctx, name)
        section = text.split(f"## `simulate {name}`")[1].split("\n## ")[0]
        for p in cmd.params:
            if isinstance(p, click.Option) and not p.is_flag and not p.hidden:
                names = ", ".join(f"`{o}`" for o in [*p.opts, *p.secondary_opts])
                row = next(line for line in section.splitlines()
                           if line.startswith(f"| {names} |"))
                if not row.split(" | ")[1].strip():
                    empty.append(f"{name} {p.opts[0]}")
    assert not empty, f"options without their value in docs/cli.md: {empty}"
    assert "| `--replicates`, `-n` | INTEGER RANGE | Number of replicates." in text


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_relative_links_and_anchors_resolve(page):
    broken = []
    for href in links(page):
        parts = urlsplit(href)
        if parts.scheme in ("http", "https", "mailto"):
            continue
        assert not parts.scheme, f"{page.name}: link with scheme {parts.scheme!r}: {href}"
        target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
        if not target.exists():
            broken.append(f"{href} (no such file)")
            continue
        if parts.fragment and target.suffix == ".md" and \
                parts.fragment not in anchors(target):
            broken.append(f"{href} (no heading with this anchor)")
    assert not broken, f"{page.name}: broken links: {broken}"


def test_slug_follows_github():
    assert slug("`simulate run`") == "simulate-run"
    assert slug("Assumptions register") == "assumptions-register"
    assert slug("1. Levers, uncertainties: the `experiment:` block") == \
        "1-levers-uncertainties-the-experiment-block"
