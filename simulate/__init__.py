"""simulate: agent-based simulation of sanctions, tariffs, deadlines and peace talks."""

from importlib.metadata import PackageNotFoundError, version

from .errors import ExecutionError, Problem, ResultsError, ScenarioError, SimulateError
from .scenario import Scenario, load_scenario

try:
    __version__ = version("simulate")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = [
    "__version__", "SimulateError", "ScenarioError", "ResultsError", "ExecutionError", "Problem",
    "Scenario", "load_scenario",
]
