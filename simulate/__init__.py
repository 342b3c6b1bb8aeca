"""simulate: agent-based simulation of sanctions, tariffs, deadlines and peace talks.

>>> import simulate
>>> s = simulate.load_scenario("scenarios/aug2025.yaml", overrides={"actors.US.credibility": 0.8})
>>> results = simulate.run(s, replicates=2000, seed=1)
>>> results.summary()
"""

from importlib.metadata import PackageNotFoundError, version

from .errors import ExecutionError, Problem, ResultsError, ScenarioError, SimulateError
from .execution.runner import run
from .results.results import Results
from .scenario import Scenario, bundled_scenarios, load_scenario
from .trace import Trace, trace

try:
    __version__ = version("simulate")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = [
    "__version__", "SimulateError", "ScenarioError", "ResultsError", "ExecutionError", "Problem",
    "Scenario", "load_scenario", "bundled_scenarios", "run", "Results", "trace", "Trace",
]
