"""The exception tree of simulate.

Every error the library raises on purpose derives from :class:`SimulateError`::

    SimulateError
    ├── ScenarioError      a scenario file, override or distribution is invalid (user input)
    │   └── ArgumentError  a bad argument of a function (also a ValueError)
    ├── ResultsError       a results directory is missing, incomplete or tampered with
    └── ExecutionError     a backend could not run the replicates (internal or cluster failure)

``ScenarioError`` and ``ResultsError`` are user mistakes: the command line prints their message
and exits with code 2, without a traceback. :class:`ResultsWarning` is the one warning class:
what a statistic of runs leaves out or cannot compare alike.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["SimulateError", "ScenarioError", "ArgumentError", "ResultsError", "ExecutionError",
           "Problem", "ResultsWarning"]


class SimulateError(Exception):
    """Base class of every error raised by simulate."""

    #: exit code of the command line when this error reaches it
    exit_code: int = 1


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with a scenario: where it is and what is wrong.

    ``line`` and ``column`` are 1-based; 0 when the problem has no position in a file
    (an override given on the command line or from Python).
    """

    file: str
    line: int
    column: int
    key: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}" if self.line else self.file
        head = ": ".join(x for x in (where, self.key) if x)
        return f"{head}: {self.message}" if head else self.message


class ScenarioError(SimulateError):
    """A scenario is invalid. ``problems`` lists every problem found, in file order."""

    exit_code = 2

    def __init__(self, problems: list[Problem] | Problem):
        if isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = sorted(set(problems))
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self) -> tuple:
        # pickled with its problems (an error raised in a worker process comes back to the
        # parent this way): the default rebuilds it from ``args``, its message, which
        # ``__init__`` would take for a list of problems (a message of sorted characters)
        return type(self), (self.problems,)

    @classmethod
    def from_text(cls, message: str, key: str = "") -> ScenarioError:
        """An error about an option or argument rather than a place in a file."""
        return cls(Problem("", 0, 0, key, message))


class ArgumentError(ScenarioError, ValueError):
    """A bad argument of a function (``windows``, ``labels``, ``replicates``): a
    :class:`ScenarioError`, and a ValueError as such mistakes were before."""


class ResultsWarning(UserWarning):
    """Something a statistic of runs leaves out or cannot compare alike (a dropped deal
    window, runs over different windows or with different replicate counts)."""


class ResultsError(SimulateError):
    """A results directory cannot be used: a file is missing or does not match the manifest."""

    exit_code = 2


class ExecutionError(SimulateError):
    """Replicates could not be run by the chosen backend."""

    exit_code = 1
