"""Commands about scenario files: validate, show, list, schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from ..errors import ScenarioError
from ..scenario import (
    bundled_scenarios,
    dump_yaml,
    find_scenario,
    json_schema,
    load_scenario,
    parse_set_options,
    read_merged,
)
from ..scenario.citations import citation_problems
from ..scenario.overrides import OVERRIDE_FILE
from ..scenario.yamlio import load_yaml
from .main import cli

__all__ = ["set_option", "scenario_argument", "load_from_cli", "scenario_files"]

set_option = click.option(
    "--set", "sets", multiple=True, metavar="KEY=VALUE",
    help="Override a scenario value by dotted key (repeatable), e.g. actors.US.credibility=0.8.")
scenario_argument = click.argument("scenario", metavar="SCENARIO")


def load_from_cli(scenario: str, sets: tuple[str, ...] = ()):
    """Load a scenario named by path or bundled name, with ``--set`` overrides."""
    return load_scenario(find_scenario(scenario), overrides=parse_set_options(sets),
                         override_source=OVERRIDE_FILE)


def scenario_files(scenario: str, loaded: Any = None) -> list[Path]:
    """Every file a scenario is read from or names, for commands to protect from their
    output: the file itself, each file of its ``extends:`` chain (followed as the loader
    does: relative to the folder of the file that names it), and, from the ``loaded``
    scenario, its posterior (``uncertainty.from_posterior``) and design table
    (``experiment.table``, relative to the working folder or to a file of the chain)."""
    first = find_scenario(scenario)
    files: list[Path] = []
    seen: set[Path] = set()
    current: Path | None = Path(first)
    while current is not None and current.is_file():
        real = current.resolve()
        if real in seen:  # a cycle: the loader refuses it; nothing more to follow
            break
        seen.add(real)
        files.append(current)
        try:
            data, _ = load_yaml(current)
        except ScenarioError:
            break
        parent = data.get("extends") if isinstance(data, dict) else None
        current = current.parent / parent if isinstance(parent, str) and parent.strip() \
            else None
    if loaded is None:
        return files
    named: list[Path] = []
    if getattr(loaded, "posterior_file", None):
        named.append(Path(loaded.posterior_file))
    table = getattr(getattr(loaded, "experiment", None), "table", None)
    if table:
        named += [folder / table for folder in [Path.cwd(), *(f.parent for f in files)]
                  if (folder / table).is_file()]
    return files + named


@cli.command()
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@set_option
@click.option("--quiet", "-q", is_flag=True, help="Print problems only.")
@click.option("--cite", "cite", is_flag=True,
              help="Also check citations: every value set that feeds the model is cited "
                   "(a source or 'assumption'), and every assumption has a distribution.")
def validate(files: tuple[str, ...], sets: tuple[str, ...], quiet: bool, cite: bool) -> None:
    """Check scenario files and print every problem found.

    Exit code 0 when all files are valid, 2 otherwise.

    \b
    Example:
      simulate validate scenarios/*.yaml
      simulate validate --cite my_scenario.yaml
    """
    problems: list[str] = []
    for name in files:
        try:
            load_from_cli(name, sets)
            if cite:
                path = find_scenario(name)
                data, positions = read_merged(path)
                found = citation_problems(data, positions, str(path))
                if found:
                    raise ScenarioError(found)
        except ScenarioError as exc:
            problems.extend(str(p) for p in exc.problems)
        else:
            if not quiet:
                click.echo(f"{name}: ok")
    if problems:
        raise _Problems(problems)


class _Problems(ScenarioError):
    """Several files' problems, already formatted."""

    def __init__(self, lines: list[str]):
        self.problems = []
        Exception.__init__(self, "\n".join(lines))


@cli.command()
@scenario_argument
@set_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of YAML.")
def show(scenario: str, sets: tuple[str, ...], as_json: bool) -> None:
    """Print the resolved scenario: extends merged, overrides applied, defaults filled in.

    \b
    Example:
      simulate show scenarios/aug2025_actual.yaml --set actors.US.credibility=0.8
    """
    data = load_from_cli(scenario, sets).to_data()
    click.echo(json.dumps(data, indent=2, default=str) if as_json else dump_yaml(data), nl=as_json)


@cli.command(name="list")
def list_() -> None:
    """List the bundled scenarios with a one-line description each.

    \b
    Example:
      simulate list
    """
    items = bundled_scenarios()
    width = max(len(n) for n in items)
    for name, (_, text) in items.items():
        click.echo(f"{name:<{width}}  {text}")


@cli.command()
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file instead of standard output (a new file, unless "
                   "--force).")
@click.option("--force", is_flag=True, help="Replace the --out file if it exists.")
def schema(out: Path | None, force: bool) -> None:
    """Print the JSON Schema of scenario files (for editors' YAML checking).

    \b
    Example:
      simulate schema --out scenario.schema.json
    """
    write = None
    if out is not None:  # refused before any work: never an existing file without --force
        from .outputs import output_file
        write = output_file(out, force=force)
    text = json.dumps(json_schema(), indent=2) + "\n"
    if write is None:
        click.echo(text, nl=False)
    else:
        write(text)
