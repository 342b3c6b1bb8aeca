"""simulate: agent-based simulation of sanctions, tariffs, deadlines and peace talks.

>>> import simulate
>>> s = simulate.load_scenario("scenarios/aug2025.yaml", overrides={"actors.US.credibility": 0.8})
>>> results = simulate.run(s, replicates=2000, seed=1)
>>> results.summary()
"""

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from .errors import (
    ArgumentError,
    ExecutionError,
    Problem,
    ResultsError,
    ResultsWarning,
    ScenarioError,
    SimulateError,
)
from .scenario import Scenario, bundled_scenarios, load_scenario

# heavy parts (numpy engines, pandas, scipy.stats) load on first use, so that
# `simulate --help` and `import simulate` stay fast
_LAZY = {"run": "simulate.execution.runner", "Results": "simulate.results.results",
         "trace": "simulate.trace", "Trace": "simulate.trace",
         "compare": "simulate.experiments.paired", "Comparison": "simulate.results.compare",
         "sweep": "simulate.experiments.sweep", "Experiment": "simulate.experiments.experiment",
         "sensitivity": "simulate.experiments.sensitivity",
         "calibrate": "simulate.calibration", "Calibration": "simulate.calibration"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'simulate' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))

try:
    __version__ = version("simulate")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = [
    "__version__", "SimulateError", "ScenarioError", "ResultsError", "ExecutionError", "Problem",
    "ArgumentError", "ResultsWarning", "Scenario", "load_scenario", "bundled_scenarios", "run",
    "Results", "trace", "Trace",
    "compare", "Comparison", "sweep", "sensitivity", "Experiment", "calibrate", "Calibration",
]
