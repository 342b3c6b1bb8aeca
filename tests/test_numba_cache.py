"""A stale numba cache never runs old rules: the cache is keyed by one hash of every compiled
source file, and dropped when any of them changes (numba itself only looks at the function's
own file)."""

from __future__ import annotations

import shutil
from pathlib import Path

from simulate.engines import compiling

PACKAGE = Path(compiling.__file__).resolve().parent.parent


def _copy_tree(tmp_path: Path) -> Path:
    root = tmp_path / "simulate"
    for pkg in ("model", "engines"):
        (root / pkg / "__pycache__").mkdir(parents=True)
        for path in (PACKAGE / pkg).glob("*.py"):
            shutil.copy(path, root / pkg / path.name)
    return root


def test_an_edit_of_any_compiled_source_drops_every_cached_file(tmp_path):
    root = _copy_tree(tmp_path)
    cached = [root / "model" / "__pycache__" / "day.run_day-10.py311.nbi",
              root / "model" / "__pycache__" / "day.run_day-10.py311.1.nbc",
              root / "engines" / "__pycache__" / "batch.run_rows-90.py311.nbi"]
    for path in cached:
        path.write_bytes(b"machine code")
    fresh = compiling.ensure_fresh_cache.__wrapped__
    assert fresh(root) is True                      # no stamp yet: drop whatever is there
    assert not any(p.exists() for p in cached)
    for path in cached:
        path.write_bytes(b"machine code")
    assert fresh(root) is False                     # same sources: the cache is kept
    assert all(p.exists() for p in cached)
    callee = root / "model" / "clearing.py"         # a callee's file, not day.py's
    callee.write_text(callee.read_text() + "\n# edited\n")
    assert fresh(root) is True
    assert not any(p.exists() for p in cached)


def test_the_digest_covers_names_and_contents(tmp_path):
    root = _copy_tree(tmp_path)
    before = compiling.sources_digest(root)
    (root / "engines" / "new_rule.py").write_text("x = 1\n")
    assert compiling.sources_digest(root) != before
    assert compiling.sources_digest(PACKAGE) == compiling.sources_digest()


def test_a_cache_in_numba_cache_dir_is_dropped_too(tmp_path, monkeypatch):
    """With NUMBA_CACHE_DIR set numba keeps the cached code there, not in __pycache__: an
    edit of a callee must drop that copy as well (it used to run the old rule)."""
    from numba.core import config

    root = _copy_tree(tmp_path)
    monkeypatch.setattr(config, "CACHE_DIR", str(tmp_path / "numba-cache"))
    dirs = compiling.cache_dirs(root, "model")
    assert dirs[0].parent == tmp_path / "numba-cache"
    dirs[0].mkdir(parents=True)
    cached = dirs[0] / "day.run_day-10.py311.1.nbc"
    fresh = compiling.ensure_fresh_cache.__wrapped__
    fresh(root)
    cached.write_bytes(b"machine code")
    assert fresh(root) is False and cached.exists()
    callee = root / "model" / "clearing.py"
    callee.write_text(callee.read_text() + "\n# edited\n")
    assert fresh(root) is True
    assert not cached.exists()
