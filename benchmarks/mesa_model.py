"""The simulate model driven by Mesa (3.x), for the speed comparison of benchmarks/run.py.

One replicate per :class:`SanctionsModel`; Mesa agents, agent sets and a DataCollector, in
the model's fixed daily order:

1. the sanctioner (US) applies dated timeline actions, then decides at its deadline;
2. the buyers move toward their targets;
3. the market clears (unsold barrels, Urals discount, Brent, revenue);
4. the front line moves; the occupier strikes;
5. a mediator adds up the war costs and holds talks;
6. the model records the day (and the DataCollector collects a few series).

The agents do not re-type the rules: each calls the Python version (``.py_func``, the
function numba compiles) of the phase function it stands for in :mod:`simulate.model.day`,
on the replicate's parameter and state records, so the port computes this model and no
similar one. :func:`check_against_engine` (and ``tests/test_mesa_port.py``) verify that its
outcomes are the batch engine's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import mesa
import numpy as np

from simulate.engines.batch import base_outcomes, calendar_of
from simulate.engines.record import Recorder, finish_row, record_day
from simulate.model import day as phases

__all__ = ["SanctionsModel", "run_replicates", "check_against_engine"]


def python_version(fn: Callable) -> Callable:
    """The plain-Python function numba compiles (itself when the JIT is disabled)."""
    return getattr(fn, "py_func", fn)


class PhaseAgent(mesa.Agent):
    """An actor of the model whose daily step is one or more phases of the day."""

    def __init__(self, model: SanctionsModel, *rules: Callable):
        super().__init__(model)
        self.rules = [python_version(fn) for fn in rules]

    def step(self) -> None:
        m = self.model
        for rule in self.rules:
            rule(m.params, m.state, m.calendar[m.day], m.day)


class Sanctioner(PhaseAgent):
    """The US: timeline actions, then its deadline."""


class Buyers(PhaseAgent):
    """The importers' buyers."""


class Market(PhaseAgent):
    """The oil market."""


class Front(PhaseAgent):
    """The front line and the occupier's strikes."""


class Mediator(PhaseAgent):
    """War costs, softening and talks."""


class SanctionsModel(mesa.Model):
    """One replicate of a scenario, as Mesa agents."""

    def __init__(self, scenario, seed: int, replicate: int):
        super().__init__(seed=seed)
        self.replicate, self.day = replicate, 0
        self.sampled, p, st = base_outcomes(scenario, seed, np.array([replicate]))
        self.p, self.st = p, st
        self.params, self.state = p.table[0], st[0]
        self.calendar = calendar_of(p, seed)
        self.recorder = Recorder(p, 1)
        self.today = np.zeros(len(self.recorder.columns))
        Sanctioner(self, phases.policy_phase, phases.sanctioner_phase)
        Buyers(self, phases.buyers_phase)
        Market(self, phases.market_phase)
        Front(self, phases.war_phase)
        Mediator(self, phases.negotiation_phase)
        self.order = (Sanctioner, Buyers, Market, Front, Mediator)
        self.datacollector = mesa.DataCollector(model_reporters={
            "brent_usd": lambda m: m.state.brent, "at_war": lambda m: m.state.at_war})

    def step(self) -> None:
        for kind in self.order:
            self.agents_by_type[kind].do("step")
        python_version(record_day)(self.params, self.state, self.day, self.today,
                                   self.recorder.all_series)
        self.datacollector.collect(self)
        self.day += 1

    def run(self) -> dict:
        for _ in range(self.p.n_days + 1):
            self.step()
        python_version(finish_row)(self.params, self.state)
        return {k: v[0] for k, v in self.recorder.outcomes(self.st).items()}


def run_replicates(scenario, seed: int, replicates: Iterable[int]) -> list[dict]:
    """Outcomes of the given replicates, one Mesa model each."""
    return [SanctionsModel(scenario, seed, int(r)).run() for r in replicates]


def check_against_engine(scenario, seed: int, replicates: Iterable[int]
                         ) -> tuple[int, float, list[str]]:
    """Run replicates with Mesa and with the batch engine: (replicates compared, largest
    absolute difference of a numeric outcome, columns that differ at all)."""
    from simulate.engines.batch import run_batch

    reps = np.asarray(list(replicates), dtype=np.int64)
    engine = run_batch(scenario, seed, reps, 0, bands=False).outcomes
    mesa_rows = run_replicates(scenario, seed, reps)
    worst, bad = 0.0, []
    for col in mesa_rows[0]:
        mine = np.array([row[col] for row in mesa_rows], dtype=float)
        theirs = np.asarray(engine[col], dtype=float)
        diff = float(np.max(np.abs(mine - theirs)))
        worst = max(worst, diff)
        if not np.array_equal(mine, theirs):
            bad.append(col)
    return len(reps), worst, bad
