"""Replay one replicate alone with its event log (``simulate trace``)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from .engines.events import run_events_one
from .execution.runner import as_scenario, check_seed_argument
from .limits import MAX_REPLICATES, whole_number
from .results.tables import outcomes_frame
from .scenario import Scenario

__all__ = ["trace", "Trace", "format_log"]


class Trace:
    """One replicate's event log (``log`` DataFrame) and outcomes (``outcome`` Series, with
    the threat status by name as in ``Results.outcomes``: ``lapsed``, ``carried_out`` ...)."""

    def __init__(self, scenario: Scenario, replicate: int, seed: int, chunk):
        self.scenario, self.replicate, self.seed = scenario, replicate, seed
        self.log = pd.DataFrame(chunk.log, columns=["replicate", "day", "date", "actor",
                                                    "event", "details"])
        self.outcome = outcomes_frame(chunk).iloc[0].rename(replicate)
        self.chunk = chunk

    def text(self) -> str:
        return format_log(self.log.to_dict("records"))

    def __str__(self) -> str:
        return self.text()

    def __repr__(self) -> str:
        o = self.outcome
        deal = (f"deal on day {int(o['deal_day'])}" if "deal" in o and bool(o["deal"])
                else "no deal")
        threat = f", threat {o['threat']}" if "threat" in o else ""
        return (f"<Trace {self.scenario.name} replicate {self.replicate}, seed {self.seed}: "
                f"{deal}{threat}; {len(self.log)} events>")


def format_log(rows: list[dict]) -> str:
    """One line per event: ``2025-08-08 US     deadline passed ...``."""
    return "\n".join(f"{r['date']} {r['actor']:<6} {r['details']}" for r in rows)


def trace(scenario: Scenario | str | Path, replicate: int, seed: int | None = None,
          overrides: Mapping[str, Any] | None = None) -> Trace:
    """Run replicate ``replicate`` (0-based) of a scenario alone (events engine) and return
    its story.

    The replicate's numbers are those it has inside any run with the same seed (default:
    the scenario's ``ensemble.seed``); ``Results.trace(k)`` uses the run's own seed.
    """
    k = whole_number(replicate, "replicate", 0, MAX_REPLICATES - 1)
    s = as_scenario(scenario, overrides)
    seed = check_seed_argument(s.ensemble.seed if seed is None else seed)
    return Trace(s, k, seed, run_events_one(s, seed, k))
