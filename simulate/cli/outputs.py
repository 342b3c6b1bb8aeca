"""Output folders of commands: claim one for the whole command, and say how to resume.

Commands call :func:`claim_output` once their inputs are known: it takes the folder's lock
(held until the command ends, whatever happens) and applies the rules of
:mod:`simulate.results.folders` (never a foreign folder, ``--force`` only for simulate's own,
``--resume`` only for an interrupted run, never the current folder or an input's).
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import click

__all__ = ["claim_output", "output_file", "resume_command", "output_flags"]

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
    (``resumable``: see :func:`~simulate.results.folders.prepare_output`). A refusal that
    can be told before the lock is taken leaves no lock file behind."""
    from ..results.folders import check_output_path, check_refusals, output_lock, prepare_output
    ctx = click.get_current_context()
    inputs = list(inputs)
    can_resume = any(p.name == "resume" for p in ctx.command.params)
    rules: dict[str, Any] = dict(kind=kind, force=force, resume=resume, option=option,
                                 resumable=resumable, can_resume=can_resume)
    check_output_path(out, inputs=inputs, option=option)  # before the lock file is made
    check_refusals(out, **rules)
    # held until the command ends; click hands the lock the command's error, if any, so a
    # refused command removes the lock file it made
    ctx.with_resource(output_lock(out, option=option))
    # checked again holding the lock: another process may have changed the folder meanwhile
    prepare_output(out, inputs=inputs, create=create, **rules)


def output_file(out: Path, *, force: bool = False, inputs: Iterable[Path | str] = (),
                option: str = "--out") -> Callable[[str], None]:
    """Check that file ``out`` may be written, before any work; return the function that
    writes it (atomically: a temporary file beside it, then a rename).

    Refused (exit 2): an input of the command (``inputs``, whatever the options: e.g. every
    file of a scenario's ``extends:`` chain, see
    :func:`~simulate.cli.scenario_cmds.scenario_files`), a folder, a path below a file, an
    existing file without ``force``, a place that cannot be written."""
    from ..errors import ResultsError
    given = Path(out)
    target = given.expanduser().absolute()
    resolved = target.resolve()
    for item in inputs:
        if Path(item).expanduser().resolve() == resolved:
            raise ResultsError(f"{option} {given}: expected a new file, found the input "
                               f"{item} (a file the command reads, the scenario's or one it "
                               f"extends or names, is never overwritten: choose another "
                               f"{option})")
    if target.is_dir():
        raise ResultsError(f"{option} {given}: expected a file, found a folder")
    probe = target.parent
    while not probe.exists() and probe.parent != probe:
        probe = probe.parent
    if not probe.is_dir():
        raise ResultsError(f"{option} {given}: expected a file in a folder, found that "
                           f"{probe} is a file")
    if (target.exists() or target.is_symlink()) and not force:
        raise ResultsError(f"{option} {given}: the file exists; use --force to replace it, "
                           f"or choose another {option}")
    if not os.access(probe, os.W_OK | os.X_OK):
        raise ResultsError(f"{option} {given}: cannot be written (no permission to create "
                           f"files in {probe})")

    def write(text: str) -> None:
        from ..results.files import write_text_atomic
        if not force and (target.exists() or target.is_symlink()):  # appeared meanwhile
            raise ResultsError(f"{option} {given}: the file exists; use --force to replace "
                               f"it, or choose another {option}")
        try:
            write_text_atomic(target, text)
        except OSError as exc:
            raise ResultsError(f"{option} {given}: cannot be written "
                               f"({exc.strerror or exc})") from None
    return write


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
