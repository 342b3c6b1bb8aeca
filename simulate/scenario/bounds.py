"""Bounds on scenario input: sizes of files, and ranges of the numbers, days and dates a run
can use. Everything here is refused by ``simulate validate`` exactly as by ``simulate run``.

Files (checked while reading, before any parsing that could recurse or grow):

* at most :data:`MAX_FILE_BYTES` bytes, and only regular files (a FIFO or a device is refused
  without being read): :func:`read_regular_file`, which also reads posterior files
  (``uncertainty.from_posterior``, at most :data:`MAX_POSTERIOR_BYTES` bytes and
  :data:`MAX_POSTERIOR_CELLS` values);
* nesting at most :data:`MAX_DEPTH` levels of mappings and lists;
* at most :data:`MAX_KEYS` keys in a file and :data:`MAX_SCALAR_CHARS` characters in a value.

Numbers (checked on the data, after ``extends`` and overrides):

* finite everywhere (``.inf`` and ``.nan`` are refused by the schema itself);
* within ±:data:`MAX_ABS_NUMBER`, except ``ensemble.seed`` (a whole number in [0, 2**63));
* counts of days (keys ending in ``_days``) at most :data:`MAX_DAYS`; ``replicates``,
  ``chunk_size`` and ``keep_series`` at most :data:`simulate.limits.MAX_REPLICATES`;
* dates from :data:`MIN_DATE` to :data:`MAX_DATE`.

Distributions (``uncertainty:``) and posterior columns may stand only on keys a run samples:
not on the run's own settings (``ensemble``, ``outputs``, ``horizon_days``, ``start``, ...),
and a whole-number key takes only a ``choice`` of whole numbers. What they give per replicate
is a number, or a name where the run draws names (:data:`NAMED_DRAWS`, :data:`LINE_DRAWS`;
checked by :mod:`.value_checks`): never a date, a boolean, a list, a mapping or null, which
fix the run's structure.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from ..errors import Problem, ScenarioError
from ..limits import MAX_REPLICATES

__all__ = ["MAX_FILE_BYTES", "MAX_DEPTH", "MAX_KEYS", "MAX_SCALAR_CHARS", "MAX_ABS_NUMBER",
           "MAX_DAYS", "MIN_DATE", "MAX_DATE", "NOT_SAMPLED", "NAMED_DRAWS", "LINE_DRAWS",
           "NUMBER_TEXT", "MAX_POSTERIOR_BYTES", "MAX_POSTERIOR_CELLS", "scan_text",
           "number_findings", "number_problem", "read_regular_file", "excerpt"]

MAX_FILE_BYTES = 2 * 2**20
#: a posterior Parquet file (``uncertainty.from_posterior``): bytes on disk, and values
#: (particles x columns) once read, so that a small file cannot expand without limit
MAX_POSTERIOR_BYTES = 256 * 2**20
MAX_POSTERIOR_CELLS = 20_000_000
MAX_DEPTH = 32
MAX_KEYS = 20_000
MAX_SCALAR_CHARS = 10_000
MAX_ABS_NUMBER = 1e12
MAX_DAYS = 36_600
MIN_DATE = _dt.date(1900, 1, 1)
MAX_DATE = _dt.date(2199, 12, 31)
#: top-level keys that are settings of the run or text, never sampled per replicate
NOT_SAMPLED = ("schema", "name", "description", "sources", "cite", "start", "horizon_days",
               "ensemble", "outputs", "uncertainty", "sweep", "experiment")
#: last parts of keys whose per-replicate draws may be names (of the field's options)
NAMED_DRAWS = ("protocol", "stance")
#: mappings whose per-replicate draws may be 'line' as well as a share
LINE_DRAWS = ("demands", "reservation")
#: a number written in decimal (``0.3``, ``-2``, ``1e300``): text that YAML keeps as text
#: but a number field accepts, and what a cell of a design table reads as a number
NUMBER_TEXT = re.compile(r"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$")
_COUNTS = {"ensemble.replicates": MAX_REPLICATES, "ensemble.chunk_size": MAX_REPLICATES,
           "outputs.keep_series": MAX_REPLICATES}


def excerpt(text: str, limit: int = 60) -> str:
    """``text`` quoted, cut to ``limit`` characters with the full length said if longer."""
    if len(text) <= limit:
        return repr(text)
    return f"{text[:limit]!r}... ({len(text):,} characters)"


#: libyaml's loader where PyYAML was built with it
_FAST_LOADER: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def scan_text(text: str, file: str, loader: type | None = None) -> Problem | None:
    """The first size problem of YAML ``text`` (too deep, too many keys, a value too long),
    found by a YAML scanner, which does not recurse; None if within bounds. libyaml's
    scanner where PyYAML has it (about ten times faster than PyYAML's own, the same
    tokens; ``loader`` picks another); syntax errors are left to the parser that reads the
    file."""
    depth = keys = 0
    opens = (yaml.BlockMappingStartToken, yaml.BlockSequenceStartToken,
             yaml.FlowMappingStartToken, yaml.FlowSequenceStartToken)
    closes = (yaml.BlockEndToken, yaml.FlowMappingEndToken, yaml.FlowSequenceEndToken)
    try:
        for token in yaml.scan(text, Loader=loader or _FAST_LOADER):
            where = (token.start_mark.line + 1, token.start_mark.column + 1)
            if isinstance(token, opens):
                depth += 1
                if depth > MAX_DEPTH:
                    return Problem(file, *where, "", f"expected at most {MAX_DEPTH} levels of "
                                   "nested mappings and lists, found more")
            elif isinstance(token, closes):
                depth -= 1
            elif isinstance(token, yaml.KeyToken):
                keys += 1
                if keys > MAX_KEYS:
                    return Problem(file, *where, "", f"expected at most {MAX_KEYS:,} keys in a "
                                   "file, found more")
            elif isinstance(token, yaml.ScalarToken) and len(token.value) > MAX_SCALAR_CHARS:
                return Problem(file, *where, "", f"expected a value of at most "
                               f"{MAX_SCALAR_CHARS:,} characters, found "
                               f"{excerpt(token.value, 30)}")
    except yaml.YAMLError:
        return None  # syntax errors are reported by the parser, with their own words
    return None


def _key(parent: str, k: Any) -> str:
    return f"{parent}[{k}]" if isinstance(k, int) else (f"{parent}.{k}" if parent else str(k))


def number_findings(data: Any) -> list[tuple[str, str]]:
    """(dotted key, message) for every number or date out of its bounds (module doc)."""
    out: list[tuple[str, str]] = []
    stack: list[tuple[str, Any]] = [("", data)]
    while stack:
        key, value = stack.pop()
        if isinstance(value, dict):
            stack += [(_key(key, str(k)), v) for k, v in value.items()]
        elif isinstance(value, list | tuple):
            stack += [(_key(key, i), v) for i, v in enumerate(value)]
        elif isinstance(value, bool) or value is None:
            continue
        elif isinstance(value, int | float) or (isinstance(value, str) and NUMBER_TEXT.match(value)
                                                and not _is_text_field(key)):
            message = number_problem(key, float(value) if isinstance(value, str) else value)
            if message:
                out.append((key, message))
        elif isinstance(value, _dt.date) and not MIN_DATE <= _as_date(value) <= MAX_DATE:
            out.append((key, f"expected a date from {MIN_DATE} to {MAX_DATE}, found "
                             f"{_as_date(value)}"))
    return sorted(out)


#: free-text fields: a value there that reads like a number is text, not a number to bound
_TEXT_ROOTS = ("sources", "cite", "description", "name")
_TEXT_LEAVES = ("title", "note", "url", "description", "name", "publisher")


def _is_text_field(key: str) -> bool:
    root = key.split(".", 1)[0].split("[", 1)[0]
    return root in _TEXT_ROOTS or key.rsplit(".", 1)[-1] in _TEXT_LEAVES


def _as_date(value: _dt.date) -> _dt.date:
    return value.date() if isinstance(value, _dt.datetime) else value


def number_problem(key: str, value: float) -> str | None:
    """What is wrong with number ``value`` at dotted ``key`` (beyond ±1e12, more days than
    :data:`MAX_DAYS`, a count beyond its limit), or None."""
    if isinstance(value, float) and not math.isfinite(value):
        return None  # the schema says 'expected a number', with the field's range
    if key == "ensemble.seed":
        return None  # the schema holds it to [0, 2**63)
    if key in _COUNTS and value > _COUNTS[key]:
        return f"expected at most {_COUNTS[key]:,}, found {_fmt(value)}"
    if key.rsplit(".", 1)[-1].endswith("_days") and abs(value) > MAX_DAYS:
        return f"expected at most {MAX_DAYS:,} days, found {_fmt(value)}"
    if abs(value) > MAX_ABS_NUMBER:
        return f"expected a number from -1e12 to 1e12, found {_fmt(value)}"
    return None


def _fmt(value: float) -> str:
    text = f"{value:g}" if isinstance(value, float) else str(value)
    return text if len(text) <= 30 else f"{text[:12]}...({len(text)} digits)"


def read_regular_file(path: Path, limit: int, what: str,
                      fail: Callable[[str], ScenarioError], folder: str = "a folder") -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes; anything else raises
    ``fail(message)``: no such file, a folder (``folder`` says what it is in words), a
    device, pipe or socket (refused without being opened: ``/dev/zero`` never ends), or a
    file too large (checked before reading, and again while reading, for a file that grows).
    ``what`` names the file expected (``"a scenario file"``)."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise fail("file not found") from None
    except (OSError, RuntimeError, ValueError) as exc:
        raise fail(f"cannot read file: {getattr(exc, 'strerror', None) or exc}") from None
    if stat.S_ISDIR(info.st_mode):
        raise fail(f"expected {what}, found {folder}")
    if not stat.S_ISREG(info.st_mode):
        raise fail(f"expected {what} (a regular file), found a device, pipe or socket "
                   "(not read)")
    if info.st_size > limit:
        raise fail(f"expected {what} of at most {limit:,} bytes, found {info.st_size:,} bytes")
    try:
        with open(path, "rb") as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        raise fail(f"cannot read file: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise fail(f"expected {what} of at most {limit:,} bytes, found more")
    return data
