"""Bounds on scenario input: sizes of files, and ranges of the numbers, days and dates a run
can use. Everything here is refused by ``simulate validate`` exactly as by ``simulate run``.

Files (checked while reading, before any parsing that could recurse or grow):

* at most :data:`MAX_FILE_BYTES` bytes, and only regular files (a FIFO or a device is refused
  without being read);
* nesting at most :data:`MAX_DEPTH` levels of mappings and lists;
* at most :data:`MAX_KEYS` keys in a file and :data:`MAX_SCALAR_CHARS` characters in a value.

Numbers (checked on the data, after ``extends`` and overrides):

* finite everywhere (``.inf`` and ``.nan`` are refused by the schema itself);
* within ±:data:`MAX_ABS_NUMBER`, except ``ensemble.seed`` (a whole number in [0, 2**63));
* counts of days (keys ending in ``_days``) at most :data:`MAX_DAYS`; ``replicates``,
  ``chunk_size`` and ``keep_series`` at most :data:`simulate.limits.MAX_REPLICATES`;
* dates from :data:`MIN_DATE` to :data:`MAX_DATE`.

Distributions (``uncertainty:``) may stand only on keys a run samples: not on the run's own
settings (``ensemble``, ``outputs``, ``horizon_days``, ``start``, ...), and a whole-number key
takes only a ``choice`` of whole numbers.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from typing import Any

import yaml

from ..errors import Problem
from ..limits import MAX_REPLICATES

__all__ = ["MAX_FILE_BYTES", "MAX_DEPTH", "MAX_KEYS", "MAX_SCALAR_CHARS", "MAX_ABS_NUMBER",
           "MAX_DAYS", "MIN_DATE", "MAX_DATE", "NOT_SAMPLED", "scan_text", "number_findings",
           "excerpt"]

MAX_FILE_BYTES = 2 * 2**20
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
#: text that YAML keeps as text but a number field accepts (``1e300``)
_NUMBER = re.compile(r"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$")
_COUNTS = {"ensemble.replicates": MAX_REPLICATES, "ensemble.chunk_size": MAX_REPLICATES,
           "outputs.keep_series": MAX_REPLICATES}


def excerpt(text: str, limit: int = 60) -> str:
    """``text`` quoted, cut to ``limit`` characters with the full length said if longer."""
    if len(text) <= limit:
        return repr(text)
    return f"{text[:limit]!r}... ({len(text):,} characters)"


def scan_text(text: str, file: str) -> Problem | None:
    """The first size problem of YAML ``text`` (too deep, too many keys, a value too long),
    found by PyYAML's scanner, which does not recurse; None if within bounds."""
    depth = keys = 0
    opens = (yaml.BlockMappingStartToken, yaml.BlockSequenceStartToken,
             yaml.FlowMappingStartToken, yaml.FlowSequenceStartToken)
    closes = (yaml.BlockEndToken, yaml.FlowMappingEndToken, yaml.FlowSequenceEndToken)
    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
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
        elif isinstance(value, int | float) or (isinstance(value, str) and _NUMBER.match(value)
                                                and not _is_text_field(key)):
            message = _number_problem(key, float(value) if isinstance(value, str) else value)
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


def _number_problem(key: str, value: float) -> str | None:
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
