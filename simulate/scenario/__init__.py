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
    """JSON Schema (draft 2020-12) of the scenario format, for editors and other tools."""
    schema = Scenario.model_json_schema(by_alias=True, mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "simulate scenario"
    schema.setdefault("properties", {})["extends"] = {
        "type": "string", "description": "path of a scenario this one extends (deep merge)"}
    return schema
