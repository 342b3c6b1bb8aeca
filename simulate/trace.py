"""Replay one replicate alone with its event log (``simulate trace``)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from .engines.events import run_events_one
from .execution.runner import as_scenario
from .scenario import Scenario

__all__ = ["trace", "Trace", "format_log"]


class Trace:
    """One replicate's event log (``log`` DataFrame) and outcomes (``outcome`` Series)."""

    def __init__(self, scenario: Scenario, replicate: int, seed: int, chunk):
        self.scenario, self.replicate, self.seed = scenario, replicate, seed
        self.log = pd.DataFrame(chunk.log, columns=["replicate", "day", "date", "actor",
                                                    "event", "details"])
        self.outcome = pd.Series({k: v[0] for k, v in chunk.outcomes.items()})
        self.chunk = chunk

    def text(self) -> str:
        return format_log(self.log.to_dict("records"))

    def __str__(self) -> str:
        return self.text()


def format_log(rows: list[dict]) -> str:
    """One line per event: ``2025-08-08 US     deadline passed ...``."""
    return "\n".join(f"{r['date']} {r['actor']:<6} {r['details']}" for r in rows)


def trace(scenario: Scenario | str | Path, replicate: int, seed: int | None = None,
          overrides: Mapping[str, Any] | None = None) -> Trace:
    """Run replicate ``replicate`` of a scenario alone (events engine) and return its story.

    The replicate's numbers are those it has inside any run with the same seed.
    """
    s = as_scenario(scenario, overrides)
    seed = int(s.ensemble.seed if seed is None else seed)
    return Trace(s, int(replicate), seed, run_events_one(s, seed, int(replicate)))
