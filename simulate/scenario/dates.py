"""Dates in scenario files: ISO dates, or offsets from the scenario's ``start`` (``+2d``,
``+8w``)."""

from __future__ import annotations

import datetime as _dt
import re
from typing import Annotated, Any

from pydantic import BeforeValidator, ValidationInfo, WithJsonSchema

__all__ = ["ScenarioDate", "resolve_date", "OFFSET_PATTERN", "MAX_OFFSET_DAYS"]

OFFSET_PATTERN = r"^\+(\d+)\s*([dw])$"
_OFFSET = re.compile(OFFSET_PATTERN)
_UNIT_DAYS = {"d": 1, "w": 7}
#: largest offset from start, in days (100 years)
MAX_OFFSET_DAYS = 36_600


def resolve_date(value: Any, start: _dt.date | None) -> Any:
    """Turn ``+Nd`` / ``+Nw`` into a date after ``start``; leave anything else to pydantic."""
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, str):
        m = _OFFSET.match(value.strip())
        if m:
            if start is None:
                raise ValueError(f"offset {value!r} needs a valid 'start' date to count from")
            digits = m.group(1)
            days = int(digits) * _UNIT_DAYS[m.group(2)] if len(digits) <= 9 else MAX_OFFSET_DAYS + 1
            if days > MAX_OFFSET_DAYS:
                raise ValueError(f"expected an offset of at most {MAX_OFFSET_DAYS:,} days, "
                                 f"found {value.strip()[:20]!r}")
            try:
                return start + _dt.timedelta(days=days)
            except OverflowError:
                raise ValueError(f"expected an offset that gives a date before year 10000, "
                                 f"found {value.strip()[:20]!r} from {start}") from None
        try:
            return _dt.date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(
                "expected a date (YYYY-MM-DD) or an offset from start (+2d, +8w), found "
                f"{value[:40]!r}"
            ) from None
    return value


def _validate(value: Any, info: ValidationInfo) -> Any:
    context = info.context or {}
    start = context.get("start")
    if start is None and context.get("start_invalid") and isinstance(value, str) \
            and _OFFSET.match(value.strip()):
        # 'start' itself is wrong and reported there; a well-formed offset is not a second
        # problem. The placeholder never leaves validation, which fails on 'start'.
        return _dt.date.min
    return resolve_date(value, start)


ScenarioDate = Annotated[
    _dt.date,
    BeforeValidator(_validate),
    WithJsonSchema({"anyOf": [{"type": "string", "format": "date"},
                              {"type": "string", "pattern": OFFSET_PATTERN}],
                    "description": "ISO date, or offset from start: +2d, +8w"}),
]
