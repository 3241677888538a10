"""Turn pydantic validation errors into file:line messages with a suggested fix."""

from __future__ import annotations

import difflib
from typing import Any

from pydantic import BaseModel, ValidationError

from ..errors import ConfigError, ConfigIssue
from .yaml_lines import LineOf, PathKey


def format_path(path: PathKey) -> str:
    """``("scorers", 0, "with", "x")`` -> ``scorers[0].with.x``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def _model_at(model: type[BaseModel] | None, loc: PathKey) -> type[BaseModel] | None:
    """Follow field annotations down ``loc`` to the model that owns the last key."""
    current: Any = model
    for part in loc:
        if current is None:
            return None
        if isinstance(part, int):
            continue
        fields = getattr(current, "model_fields", None)
        if not fields:
            return None
        field = fields.get(part)
        if field is None:
            # alias lookup ('with' for 'with_')
            field = next((f for f in fields.values() if f.alias == part), None)
        if field is None:
            return None
        current = _unwrap(field.annotation)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _unwrap(annotation: Any) -> Any:
    args = getattr(annotation, "__args__", None)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if args:
        for arg in args:
            found = _unwrap(arg)
            if found is not None:
                return found
    return None


def field_names(model: type[BaseModel]) -> list[str]:
    return [f.alias or name for name, f in model.model_fields.items()]


def suggest(name: str, choices: list[str]) -> str | None:
    close = difflib.get_close_matches(str(name), choices, n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None


def _message(error: Any) -> tuple[str, str | None]:
    kind = error.get("type", "")
    msg = str(error.get("msg", "invalid value"))
    if kind == "missing":
        return "required field is missing", "add it"
    if kind == "extra_forbidden":
        return "unknown field", None
    if kind.startswith("literal_error"):
        expected = error.get("ctx", {}).get("expected")
        return f"invalid value {error.get('input')!r}", f"expected {expected}" if expected else None
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    return msg, None


def validation_error_to_config_error(
    exc: ValidationError,
    path: str,
    line_of: LineOf,
    model: type[BaseModel] | None = None,
    *,
    prefix: PathKey = (),
) -> ConfigError:
    """One ConfigIssue per pydantic error, each with file, line, field and a hint."""
    return ConfigError(validation_issues(exc, path, line_of, model, prefix=prefix))


def validation_issues(
    exc: ValidationError,
    path: str,
    line_of: LineOf,
    model: type[BaseModel] | None = None,
    *,
    prefix: PathKey = (),
) -> list[ConfigIssue]:
    issues = []
    errors = exc.errors()
    misspelt = _misspelt_required(errors, model)
    for error in errors:
        loc = tuple(p for p in error["loc"] if not _is_union_tag(p))
        full = (*prefix, *loc)
        if error.get("type") == "missing" and loc in misspelt:
            continue  # the unknown-field message already says "did you mean" this field
        message, hint = _message(error)
        if error.get("type") == "extra_forbidden" and model is not None and loc:
            owner = _model_at(model, loc[:-1])
            if owner is not None:
                hint = suggest(str(loc[-1]), field_names(owner)) or (
                    f"valid fields: {', '.join(field_names(owner))}"
                )
        try:
            line = line_of(full, key=True)  # type: ignore[call-arg]
        except TypeError:
            line = line_of(full)
        issues.append(ConfigIssue(path, line, format_path(full) or None, message, hint))
    return issues


def _misspelt_required(errors: list[Any], model: type[BaseModel] | None) -> set[PathKey]:
    """Required fields reported missing only because the user misspelt them: one typo is one
    message ("patern: unknown field; did you mean 'pattern'?"), not two."""
    found: set[PathKey] = set()
    if model is None:
        return found
    for error in errors:
        loc = tuple(p for p in error["loc"] if not _is_union_tag(p))
        if error.get("type") != "extra_forbidden" or not loc:
            continue
        owner = _model_at(model, loc[:-1])
        if owner is None:
            continue
        close = difflib.get_close_matches(str(loc[-1]), field_names(owner), n=1, cutoff=0.6)
        if close:
            found.add((*loc[:-1], close[0]))
    return found


def _is_union_tag(part: Any) -> bool:
    """pydantic puts union member names (``list[...]``, ``str``) in loc: noise to a user."""
    return isinstance(part, str) and ("[" in part or part in {"str", "int", "float", "bool"})
