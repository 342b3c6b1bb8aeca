"""The layers of docs/design.md: imports flow one way, down its list.

Every ``import`` and ``from ... import`` of the package is read with :mod:`ast`, at module
level and inside functions alike, so a lazy import cannot hide an upward dependency. The one
exception the design names (the ``.plot`` accessor of ``Results`` and ``Comparison``) is
listed here by module, and nothing else is allowed.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "simulate"

#: (importing layer, imported module): the design's documented exception
ALLOWED = {("results", "simulate.figures.accessor")}


def documented_layers() -> list[str]:
    """The layer order as docs/design.md lists it (its first fenced block)."""
    text = (ROOT / "docs" / "design.md").read_text(encoding="utf-8")
    block = text.split("## Layers", 1)[1].split("```", 2)[1]
    return re.findall(r"^simulate/(\w+)/", block, flags=re.M)


def imports(path: Path) -> list[tuple[int, str]]:
    """(line, absolute module) of every import in ``path``."""
    rel = path.relative_to(PACKAGE).parts
    package = ["simulate", *rel[:-1]]
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(package[:len(package) - node.level + 1])
                if node.module:
                    found.append((node.lineno, f"{base}.{node.module}"))
                else:
                    found += [(node.lineno, f"{base}.{a.name}") for a in node.names]
            else:
                found.append((node.lineno, node.module or ""))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
    return found


def violations(layers: list[str]) -> list[str]:
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        own = path.relative_to(PACKAGE).parts[0]
        if own not in layers:
            continue
        for line, module in imports(path):
            parts = module.split(".")
            if parts[0] != "simulate" or len(parts) < 2 or parts[1] not in layers:
                continue
            if (layers.index(parts[1]) > layers.index(own)
                    and (own, module) not in ALLOWED):
                out.append(f"{path.relative_to(ROOT)}:{line}: {own} imports {module}")
    return out


def test_the_design_lists_every_layer_package():
    layers = documented_layers()
    packages = sorted(p.name for p in PACKAGE.iterdir()  # some are namespace packages
                      if p.is_dir() and any(p.glob("*.py")) and not p.name.startswith("_"))
    assert sorted(layers) == packages


def test_imports_flow_down_the_documented_layers():
    assert violations(documented_layers()) == []


def test_the_check_sees_a_lazy_upward_import(tmp_path, monkeypatch):
    """The checker itself: an import inside a function of ``scenario`` naming ``cli`` is
    found (the check would be empty, and pass, if it read module-level imports only)."""
    layers = documented_layers()
    path = PACKAGE / "scenario" / "loader.py"
    source = path.read_text(encoding="utf-8") + "\n\ndef _probe():\n    from ..cli import main\n"
    tree_path = tmp_path / "simulate" / "scenario" / "loader.py"
    tree_path.parent.mkdir(parents=True)
    tree_path.write_text(source, encoding="utf-8")
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", tmp_path / "simulate")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    found = violations(layers)
    assert len(found) == 1 and found[0].endswith("scenario imports simulate.cli")
