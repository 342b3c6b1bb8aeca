"""Building blocks of the scenario format: the strict frozen base model, number types, sources.

Every scenario model derives from :class:`ScenarioModel` (unknown keys refused, values
immutable, NaN and infinity refused), so a file is either wholly valid or reported in full.
"""

from __future__ import annotations

import datetime as _dt
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["ScenarioModel", "Share", "NonNeg", "Positive", "Ident", "Source"]

Share = Annotated[float, Field(ge=0.0, le=1.0)]
NonNeg = Annotated[float, Field(ge=0.0)]
Positive = Annotated[float, Field(gt=0.0)]
Ident = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_\-]*$")]


class ScenarioModel(BaseModel):
    """Strict, frozen base of every scenario model (unknown keys and NaN refused)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True,
                              allow_inf_nan=False)


class Source(ScenarioModel):
    """A cited source: every figure in a scenario names one, or says it is an assumption."""

    title: str
    url: str | None = None
    date: _dt.date | None = None
    note: str | None = None
