"""The ``simulate`` command: a click group whose errors follow one rule.

A user's mistake (bad scenario, bad option, unusable results folder) prints its message and
exits 2 without a traceback; anything else is an internal error: exit 1.
"""

from __future__ import annotations

import atexit
import os
import re
import sys
import threading
import traceback

import click

from ..errors import SimulateError

__all__ = ["cli", "main", "console"]


class _Group(click.Group):
    """Keeps commands in the order they were added in ``--help``."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"],
                                           "max_content_width": 100})
@click.version_option(package_name="simulate")
def cli() -> None:
    """Simulate negotiations, sanctions, tariffs and oil flows from a scenario file.

    \b
    Example:
      simulate validate scenarios/aug2025.yaml
      simulate run scenarios/aug2025.yaml --replicates 2000 --out runs/aug2025
    """


def _register() -> None:
    # importing a module attaches its commands to `cli`, in this order in --help
    from importlib import import_module
    for name in ("scenario_cmds", "run_cmds", "results_cmds", "experiment_cmds",
                 "calibrate_cmds"):
        import_module(f"{__package__}.{name}")


def interrupted() -> int:
    """Exit code 130 for an interrupt the command has handled.

    CPython remembers a KeyboardInterrupt that escaped any ``exec`` of a string (scipy, numba
    and the standard library build functions that way), even after it was caught, and
    ``python -m`` then ends the process by SIGINT instead of with the code returned.
    Evaluating any string clears that memory, so the code is 130 whatever was running when
    Ctrl-C came."""
    exec("None", {})  # noqa: S102 - a constant string, for its side effect described above
    return 130


#: a Python list of quoted names in a message, e.g. ['a', 'b', ...]
_QUOTED = r"'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\""
_LIST = re.compile(rf"\[((?:{_QUOTED})(?:, (?:{_QUOTED}))*)\]")
#: names shown of a long list in a message
SHOW = 10


def shorten_lists(message: str, show: int = SHOW) -> str:
    """Long lists of names in an error message cut to the first ``show`` and
    "... and N more" (a parquet file's 200 columns are not a message)."""
    def cut(m: re.Match[str]) -> str:
        items = re.findall(_QUOTED, m.group(1))
        if len(items) <= show + 2:
            return m.group(0)
        return f"[{', '.join(items[:show])}, ... and {len(items) - show} more]"
    return _LIST.sub(cut, message)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script; returns the exit code."""
    _register()
    try:
        cli.main(args=argv, prog_name="simulate", standalone_mode=False)
    except SimulateError as exc:
        from ..errors import ScenarioError
        text = shorten_lists(str(exc))
        click.echo(text if isinstance(exc, ScenarioError) else f"error: {text}", err=True)
        return exc.exit_code
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        return interrupted()
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except (KeyboardInterrupt, BrokenPipeError):
        return interrupted()
    except Exception:  # noqa: BLE001 - anything else is our bug
        click.echo("internal error (please report it with the traceback below):", err=True)
        traceback.print_exc(file=sys.stderr)
        return 1
    return 0


def console(argv: list[str] | None = None) -> None:
    """The console script (``simulate``, ``python -m simulate``): :func:`main`, then the end
    of a normal exit without the interpreter's teardown.

    pyarrow's native thread pools can abort the process while C++ static objects are
    destroyed at teardown ("terminate called without an active exception", exit 134, after
    the command has finished: apache/arrow#34314), which turns a clean exit 2 into a crash.
    So the work of a normal exit is done here, in its order (executors' exit hooks and
    non-daemon threads joined, then the ``atexit`` handlers: worker pools, Dask clusters,
    temporary folders, logging), the standard streams flushed, and the process ends with
    the command's code."""
    code = main(argv)
    # what the interpreter does first at exit: the executors' exit hooks, then the
    # non-daemon threads joined (private, but the very function it calls)
    shutdown = getattr(threading, "_shutdown", None)
    if shutdown is not None:
        shutdown()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe or stream: nothing left to flush
            pass
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    console()
