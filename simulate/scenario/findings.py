"""What a cross-part check reports (:class:`Finding`) and how checks read plain data
defensively: values of the wrong type read as empty or None, so that only the typed
validation reports them.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any, NamedTuple

from .bounds import MAX_DATE, MIN_DATE
from .dates import resolve_date

__all__ = ["Finding", "Horizon", "as_dict", "as_list", "as_number", "as_date", "fmt_value"]


class Finding(NamedTuple):
    """A problem found by a check: dotted key, message, and whether it is placed at the key
    itself (an unknown name) rather than at its value."""

    key: str
    message: str
    at_key: bool = False
    #: other keys the problem depends on; where one was written in another file, the
    #: message says where (a horizon shortened in a file that extends the deadline's file)
    related: tuple[str, ...] = ()


def as_dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list:
    return list(value) if isinstance(value, list | tuple) else []


def as_number(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def as_date(value: Any, start: _dt.date | None) -> _dt.date | None:
    try:
        value = resolve_date(value, start)
    except ValueError:
        return None
    return value if isinstance(value, _dt.date) else None


def fmt_value(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    return repr(value) if isinstance(value, str) else str(value)


class Horizon:
    """The scenario's start and end, when both are well-formed."""

    def __init__(self, data: dict):
        self.start = as_date(data.get("start"), None)
        if isinstance(self.start, _dt.date) and not MIN_DATE <= self.start <= MAX_DATE:
            self.start = None  # reported by number_findings
        days = data.get("horizon_days")
        self.end: _dt.date | None = None
        if self.start and isinstance(days, int) and not isinstance(days, bool) \
                and 1 <= days <= 3650:
            self.end = self.start + _dt.timedelta(days=days)

    def check(self, value: Any, key: str, out: list[Finding]) -> None:
        if self.start is None or self.end is None or value is None:
            return
        when = as_date(value, self.start)
        if when is None:
            return
        if not self.start <= when <= self.end:
            given = f" ({value.strip()})" if isinstance(value, str) and "+" in value else ""
            out.append(Finding(key, f"expected a date inside the horizon {self.start} to "
                                    f"{self.end} (start + horizon_days), found {when}{given}",
                               related=("start", "horizon_days")))
