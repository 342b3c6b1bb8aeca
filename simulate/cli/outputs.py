"""Output folders of commands: claim one for the whole command, and say how to resume.

Commands call :func:`claim_output` once their inputs are known: it takes the folder's lock
(held until the command ends, whatever happens) and applies the rules of
:mod:`simulate.results.folders` (never a foreign folder, ``--force`` only for simulate's own,
``--resume`` only for an interrupted run, never the current folder or an input's).
"""

from __future__ import annotations

import contextlib
import shlex
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import click

__all__ = ["claim_output", "resume_command", "output_flags"]

_F = TypeVar("_F", bound=Callable[..., Any])


def output_flags(*, force: str, json: str, quiet: str | None = None, resume: str | None = None,
                 skip: tuple[str, str] | None = None) -> Callable[[_F], _F]:
    """The closing flags of a command that writes a folder, in this order in ``--help``:
    ``--force``, ``--resume``, a ``--no-...`` flag (``skip``: its name and help), ``--json``
    and ``--quiet``/``-q``; each argument is that flag's help (``resume`` and ``skip`` are
    left out when None)."""
    flags = [click.option("--force", is_flag=True, help=force)]
    if resume is not None:
        flags.append(click.option("--resume", is_flag=True, help=resume))
    if skip is not None:
        flags.append(click.option(skip[0], is_flag=True, help=skip[1]))
    flags += [click.option("--json", "as_json", is_flag=True, help=json),
              click.option("--quiet", "-q", is_flag=True, help=quiet)]

    def apply(command: _F) -> _F:
        for flag in reversed(flags):
            command = flag(command)
        return command
    return apply


def claim_output(out: Path, *, kind: str, force: bool = False, resume: bool = False,
                 inputs: Iterable[Path | str] = (), create: bool = True,
                 option: str = "--out", resumable: str | None = None) -> None:
    """Lock ``out`` until the current command ends, then check it may be written
    (``resumable``: see :func:`~simulate.results.folders.prepare_output`)."""
    from ..results.folders import check_output_path, output_lock, prepare_output
    check_output_path(out, inputs=inputs, option=option)  # before the lock file is made
    ctx = click.get_current_context()
    stack = contextlib.ExitStack()
    stack.enter_context(output_lock(out, option=option))
    ctx.call_on_close(stack.close)
    prepare_output(out, kind=kind, force=force, resume=resume, inputs=inputs, create=create,
                   option=option, resumable=resumable)


def resume_command() -> str:
    """The command line that resumes the current ``run``: its options as given, ``--force``
    dropped and ``--resume`` added."""
    ctx = click.get_current_context()
    words = ["simulate", ctx.info_name or "run"]
    for param in ctx.command.params:
        value = ctx.params.get(param.name or "")
        if isinstance(param, click.Argument):
            words.append(str(value))
            continue
        if not isinstance(param, click.Option) or param.name in ("force", "resume"):
            continue
        source = ctx.get_parameter_source(param.name or "")
        if source is not click.core.ParameterSource.COMMANDLINE:
            continue
        flag = max(param.opts, key=len)
        if param.is_flag:
            if value:
                words.append(flag)
        elif param.multiple:
            for item in value or ():
                words += [flag, str(item)]
        elif value is not None:
            words += [flag, str(value)]
    return shlex.join([*words, "--resume"])
