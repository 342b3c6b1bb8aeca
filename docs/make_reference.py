"""Write docs/scenario-reference.md from the scenario schema (run: python docs/make_reference.py).

Every key of the scenario format, with its type, unit, default, allowed range and meaning,
read from the pydantic models in ``simulate.scenario`` (field annotations, constraints and
descriptions), so the reference cannot drift from the code: a test checks that the stored
file is what this script writes.
"""

from __future__ import annotations

import datetime as _dt
import inspect
import textwrap
import types
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from simulate.results.units import unit_of
from simulate.scenario.schema import Scenario

HERE = Path(__file__).resolve().parent
OUT = HERE / "scenario-reference.md"

INTRO = """# Scenario file reference

*Generated from the schema by `python docs/make_reference.py`; do not edit by hand (a test
checks that this file is current).*

A scenario is a YAML file validated into the models below. Keys are written as dotted paths;
`<name>` stands for a name you choose (a region, an actor, a buyer, a source id). Units follow
the field descriptions: mb/d = million barrels per day, USD/bbl, USD bn = billions of US
dollars per year unless stated, shares are fractions in [0, 1], `share-eq` is a cost in
equivalent shares of the contested territory. Dates are ISO dates (`2025-08-06`) or offsets
from `start` (`+2d`, `+8w`). A file may start with `extends: other.yaml` (deep merge; lists
replace; `null` removes a key; a value it sets that its base draws from `uncertainty:` is
fixed there, with a note, unless it gives its own distribution). `simulate schema` prints
the same format as JSON Schema for editors; `simulate validate FILE` checks a file and
reports every problem with file, line, column and key.

Columns: **type**; **unit** (from the description); **default** (*required* when there is
none); **range** (bounds the validator enforces; shares are in [0, 1]).
"""


#: meanings of keys whose schema field has no description
MEANINGS = {
    "schema": "version of the scenario format",
    "name": "identifier of the scenario (used in results, figures and reports)",
    "description": "one paragraph: the situation and the question (opens the report)",
    "sources": "cited sources by id; `cite:` points parameters at them",
    "start": "first simulated day (day 0)",
    "horizon_days": "number of days simulated after the start",
    "regions": "contested regions by name",
    "actors": "actors by id; `role` selects the kind",
    "market": "the oil market at the start and how it responds",
    "negotiation": "how talks happen and deals are struck",
    "timeline": "scheduled actions (tariffs, sanctions, caps, announcements) by date",
    "uncertainty": "distributions of uncertain parameters by dotted key, drawn per replicate",
    "ensemble": "replicates and seed of a run",
    "outputs": "what a run keeps and writes",
    "sources.<name>.title": "what the source is and what it says",
    "sources.<name>.url": "web address (only http(s) links become clickable in reports)",
    "sources.<name>.date": "publication date",
    "sources.<name>.note": "where to find it when there is no web address",
}


def _strip(tp: Any) -> tuple[Any, list[Any]]:
    """The type inside ``Annotated[...]`` and its metadata."""
    meta: list[Any] = []
    while typing.get_origin(tp) is typing.Annotated:
        args = typing.get_args(tp)
        tp, meta = args[0], meta + list(args[1:])
    return tp, meta


def _models(tp: Any) -> list[type[BaseModel]]:
    """Pydantic models reachable through unions, dicts, tuples and Annotated."""
    tp, _ = _strip(tp)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return [tp]
    out: list[type[BaseModel]] = []
    for arg in typing.get_args(tp):
        out += _models(arg)
    return out


def _type(tp: Any) -> str:
    tp, meta = _strip(tp)
    if any("ISO date" in str(getattr(m, "json_schema", "")) for m in meta):
        return "date or offset"
    origin = typing.get_origin(tp)
    args = [a for a in typing.get_args(tp)]
    if origin in (typing.Union, types.UnionType):
        parts = [_type(a) for a in args if a is not type(None)]
        text = " or ".join(dict.fromkeys(parts))
        return text + (" or null" if type(None) in args else "")
    if origin is typing.Literal:
        return "one of " + ", ".join(f"`{a}`" for a in args)
    if origin is dict:
        return f"map of name → {_type(args[1])}"
    if origin in (tuple, list):
        return f"list of {_type(args[0])}"
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return "object"
    names = {float: "number", int: "integer", str: "text", bool: "true/false",
             _dt.date: "date"}
    return names.get(tp, getattr(tp, "__name__", str(tp)))


def _range(field: Any) -> str:
    bounds = []
    _, inner = _strip(field.annotation)
    for m in [*field.metadata, *inner]:
        for attr, sign in (("ge", "≥"), ("gt", ">"), ("le", "≤"), ("lt", "<"),
                           ("min_length", "at least"), ("max_length", "at most")):
            value = getattr(m, attr, None)
            if value is not None:
                if attr.endswith("length"):
                    bounds.append(f"{sign} {value} item(s)")
                else:
                    bounds.append(f"{sign} {value:g}" if isinstance(value, float) else
                                  f"{sign} {value}")
        pattern = getattr(m, "pattern", None)
        if pattern:
            bounds.append(f"pattern `{pattern}`")
    return ", ".join(bounds)


def _default(field: Any) -> str:
    if field.default_factory is not None:
        value = field.default_factory()
        return "empty" if not value else f"`{value}`"
    if field.default is PydanticUndefined:
        return "*required*"
    value = field.default
    if isinstance(value, BaseModel):
        return "see below"
    if value is None:
        return "none"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if value == "":
        return '`""`'
    if isinstance(value, tuple | list):
        return "empty" if not value else "`[" + ", ".join(str(v) for v in value) + "]`"
    return f"`{value}`"


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _prefix(name: str, tp: Any) -> str:
    inner, _ = _strip(tp)
    if typing.get_origin(inner) is dict:
        return f"{name}.<name>"
    if typing.get_origin(inner) in (tuple, list):
        return f"{name}[i]"
    return name


def _title(model: type[BaseModel], path: str) -> str:
    role = model.model_fields.get("role") or model.model_fields.get("dist")
    kind = ""
    if role is not None:
        args = typing.get_args(role.annotation)
        if args:
            kind = f" ({'role' if 'role' in model.model_fields else 'dist'}: `{args[0]}`)"
    return f"`{path}`{kind}" if path else "Top level"


def sections(model: type[BaseModel], path: str = "",
             seen: set[tuple[str, str]] | None = None) -> list[str]:
    """Markdown sections for ``model`` at ``path`` and every model below it."""
    seen = set() if seen is None else seen
    if (model.__name__, path) in seen:
        return []
    seen.add((model.__name__, path))
    doc = (model.__doc__ or "").strip().split("\n\n")[0].replace("\n", " ")
    if model.__doc__ is None or doc.startswith("Usage docs") or "!!! abstract" in doc:
        doc = ""
    lines = [f"## {_title(model, path)}", ""]
    if doc:
        lines += [doc, ""]
    lines += ["| key | type | unit | default | range | meaning |", "|---|---|---|---|---|---|"]
    below: list[tuple[type[BaseModel], str]] = []
    for name, field in model.model_fields.items():
        key = field.alias or name
        full = f"{path}.{key}" if path else key
        desc = field.description or MEANINGS.get(full, "")
        lines.append("| " + " | ".join(_cell(x) for x in (
            f"`{full}`", _type(field.annotation), unit_of(desc, name), _default(field),
            _range(field), desc)) + " |")
        for sub in _models(field.annotation):
            below.append((sub, _prefix(full, field.annotation)))
    lines.append("")
    out = ["\n".join(lines)]
    for sub, sub_path in below:
        out += sections(sub, sub_path, seen)
    return out


def render() -> str:
    return INTRO + "\n" + "\n".join(sections(Scenario)).rstrip() + "\n"


CLI_INTRO = """# Command-line reference

*Generated from the commands' own help by `python docs/make_reference.py`; `simulate COMMAND
--help` prints the same. A test checks that every command and option is listed here.*

Exit codes: 0 ok; 2 bad input (scenario, option or results folder; one message naming the
file, line and key or the option, no traceback); 1 internal error. Progress goes to standard
error, results to standard output, so `--json` output can be piped.
"""


def _value_form(shown: str, opts: list[str]) -> str:
    """The value's form in the first column of ``--help`` (``INTEGER RANGE`` of
    ``-n, --replicates INTEGER RANGE``): what follows the option names, which click prints
    in its own order (short ones first), separated by ``,`` or ``/``."""
    words = shown.split(" ")
    i = 0
    while i < len(words) and (words[i].rstrip(",") in opts or words[i] == "/"):
        i += 1
    return " ".join(words[i:]).strip()


def render_cli() -> str:
    """Markdown of every ``simulate`` command: usage, help text, options."""
    import click

    from simulate.cli.main import _register, cli
    _register()
    ctx = click.Context(cli, info_name="simulate")
    out = [CLI_INTRO]
    for name in sorted(cli.list_commands(ctx)):
        cmd = cli.get_command(ctx, name)
        if cmd is None or cmd.hidden:
            continue
        sub = click.Context(cmd, info_name=name, parent=ctx)
        usage = " ".join(cmd.collect_usage_pieces(sub))
        out += [f"## `simulate {name}`", "", "```text", f"simulate {name} {usage}".rstrip(),
                "```", ""]
        text, *blocks = (cmd.help or "").split("\b")  # click's marker of a verbatim block
        out += [inspect.cleandoc(text).strip(), ""]  # as --help: no indent on line 1
        for block in blocks:
            out += ["```text", textwrap.dedent(block).strip("\n").rstrip(), "```", ""]
        rows = []
        for param in cmd.params:
            if isinstance(param, click.Option):
                opts = [*param.opts, *param.secondary_opts]
                names = ", ".join(f"`{o}`" for o in opts)
                # what `--help` prints: the value's form, the help with default and range
                shown, meaning = param.get_help_record(sub) or ("", param.help or "")
                value = _value_form(shown, opts)
                rows.append(f"| {names} | {_cell(value)} | {_cell(meaning)} |")
        if rows:
            out += ["| option | value | meaning |", "|---|---|---|", *rows, ""]
    return "\n".join(out).rstrip() + "\n"


def main() -> None:
    OUT.write_text(render(), encoding="utf-8")
    (HERE / "cli.md").write_text(render_cli(), encoding="utf-8")


if __name__ == "__main__":
    main()
