"""Output folders of commands: claim one for the whole command, and say how to resume.

Commands call :func:`claim_output` once their inputs are known: it takes the folder's lock
(held until the command ends, whatever happens) and applies the rules of
:mod:`simulate.results.folders` (never a foreign folder, ``--force`` only for simulate's own,
``--resume`` only for an interrupted run, never the current folder or an input's).
"""

from __future__ import annotations

import contextlib
import shlex
from collections.abc import Iterable
from pathlib import Path

import click

__all__ = ["claim_output", "resume_command"]


def claim_output(out: Path, *, kind: str, force: bool = False, resume: bool = False,
                 inputs: Iterable[Path | str] = (), create: bool = True,
                 option: str = "--out") -> None:
    """Lock ``out`` until the current command ends, then check it may be written."""
    from ..results.folders import check_output_path, output_lock, prepare_output
    check_output_path(out, inputs=inputs, option=option)  # before the lock file is made
    ctx = click.get_current_context()
    stack = contextlib.ExitStack()
    stack.enter_context(output_lock(out, option=option))
    ctx.call_on_close(stack.close)
    prepare_output(out, kind=kind, force=force, resume=resume, inputs=inputs, create=create,
                   option=option)


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
