"""Scenario files: safe YAML, typed immutable values, precise errors (design section 4)."""

from .bundled import bundled_dir, bundled_scenarios, find_scenario
from .distributions import Distribution
from .loader import load_scenario, parse_set_options, read_merged, validate, with_overrides
from .schema import SCHEMA_VERSION, Scenario
from .yamlio import dump_yaml

__all__ = [
    "Scenario", "SCHEMA_VERSION", "Distribution", "load_scenario", "validate", "with_overrides",
    "read_merged", "parse_set_options", "dump_yaml", "bundled_dir", "bundled_scenarios",
    "find_scenario", "json_schema",
]


def json_schema() -> dict:
    """JSON Schema (draft 2020-12) of the scenario format, for editors and other tools.

    A file without ``extends`` must be a whole scenario (``$defs/Scenario``). A file with
    ``extends`` holds only changes to its base (``$defs/ScenarioChanges``): no key is
    required and ``null`` removes a key of the base; lists replace the base's whole, so their
    items are checked in full.
    """
    full = Scenario.model_json_schema(by_alias=True, mode="validation")
    defs = full.pop("$defs", {})
    changes = _object_changes(full)
    changes["properties"]["extends"] = {
        "type": "string", "description": "path of the scenario this one extends (deep merge; "
                                         "relative to this file's folder)"}
    changes["required"] = ["extends"]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "simulate scenario",
        "description": full.get("description", ""),
        "if": {"type": "object", "required": ["extends"]},
        "then": {"$ref": "#/$defs/ScenarioChanges"},
        "else": {"$ref": "#/$defs/Scenario"},
        "$defs": {**defs, "Scenario": full,
                  **{f"{name}Changes": _changes(d) for name, d in defs.items()},
                  "ScenarioChanges": changes},
    }


def _changes(node: object) -> object:
    """The schema of changes to a value of schema ``node``: nothing required, null allowed."""
    if isinstance(node, list):
        return [_changes(v) for v in node]
    if not isinstance(node, dict):
        return node
    return _object_changes(node)


def _object_changes(node: dict) -> dict:
    """:func:`_changes` of a schema object (a mapping)."""
    out: dict = {}
    for key, value in node.items():
        if key in ("required", "discriminator"):
            continue
        if key in ("items", "prefixItems"):  # a list replaces the base's list: whole items
            out[key] = value
        elif key == "$ref" and isinstance(value, str):
            out[key] = value + "Changes"
        elif key == "properties":
            out[key] = {k: _nullable(_changes(v)) for k, v in value.items()}
        elif key == "additionalProperties" and isinstance(value, dict):
            out[key] = _nullable(_changes(value))
        elif key == "oneOf":  # a partial mapping may fit several members of a tagged union
            out["anyOf"] = _changes(value)
        else:
            out[key] = _changes(value)
    return out


def _nullable(schema: object) -> dict:
    return {"anyOf": [schema, {"type": "null"}]}
