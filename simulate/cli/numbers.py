"""Number options of the command line: every float option is finite.

Click's ``float`` and ``FloatRange`` accept ``nan`` (it compares false with every bound)
and ``inf``; a NaN ``--target-se`` ran a million replicates, a NaN ``--threshold`` found no
case of interest. :func:`finite_float` is the type of every float option: a refusal is
click's usual exit 2 naming the option, "expected a finite number, found nan".
"""

from __future__ import annotations

import math
from typing import Any

import click

__all__ = ["FiniteFloat", "finite_float"]


class FiniteFloat(click.FloatRange):
    """A float option that must be finite and, if bounds are given, within them."""

    name = "float"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> Any:
        number = click.FLOAT.convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"expected a finite number, found {number}", param, ctx)
        return super().convert(number, param, ctx)

    def _describe_range(self) -> str:
        if self.min is None and self.max is None:
            return ""  # no range to show in --help
        return super()._describe_range()


def finite_float(min: float | None = None, max: float | None = None, *,  # noqa: A002
                 min_open: bool = False, max_open: bool = False) -> FiniteFloat:
    """The type of a float option: finite, within ``[min, max]`` (open ends as told)."""
    return FiniteFloat(min=min, max=max, min_open=min_open, max_open=max_open)
