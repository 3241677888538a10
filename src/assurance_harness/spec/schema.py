"""JSON Schema for suite and target files, so editors can complete and check them.

Plugin parameters are included per plugin (``if use == "regex" then with: {...}``), taken from
each registered plugin's own pydantic model, so the schema documents every option.
"""

from __future__ import annotations

from typing import Any

from .. import (
    builtin_plugins,  # noqa: F401
    fielddocs,
)
from ..expand.base import expanders
from ..registry import Registry
from ..scorers.base import scorers
from ..targets.base import targets
from .suite import Suite


def _plugin_conditions(registry: Registry[Any], key: str, params_attr: str) -> list[dict[str, Any]]:
    conditions = []
    for name in registry.names():
        try:
            cls = registry.get(name)
        except Exception:
            continue
        params = getattr(cls, params_attr).model_json_schema()
        conditions.append(
            {"if": {"properties": {key: {"const": name}}}, "then": {"properties": {"with": params}}}
        )
    return conditions


def suite_schema() -> dict[str, Any]:
    fielddocs.require()
    schema = Suite.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "assurance-harness suite"
    defs = schema.setdefault("$defs", {})
    if "ScorerUse" in defs:
        defs["ScorerUse"]["properties"]["use"]["enum"] = scorers.names()
        defs["ScorerUse"]["allOf"] = _plugin_conditions(scorers, "use", "Params")
    if "ExpanderUse" in defs:
        defs["ExpanderUse"]["properties"]["use"]["enum"] = expanders.names()
        defs["ExpanderUse"]["allOf"] = _plugin_conditions(expanders, "use", "Params")
    return schema


def target_schema() -> dict[str, Any]:
    fielddocs.require()
    variants = []
    for name in targets.names():
        try:
            cls = targets.get(name)
        except Exception:
            continue
        variant = cls.Spec.model_json_schema()
        variant.setdefault("properties", {})["type"] = {"const": name}
        variants.append(variant)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "assurance-harness target",
        "oneOf": variants,
    }
