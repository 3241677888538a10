"""Turn pydantic validation errors into file:line messages with a suggested fix."""

from __future__ import annotations

import difflib
import types
import typing
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ValidationError

from ..errors import ConfigError, ConfigIssue
from ..registry import PluginLoadError, UnknownPluginError
from ..store.yaml_lines import LineOf, PathKey, format_path


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
    shape = _SHAPE_WORDS.get(kind)
    if shape is not None and "input" in error:
        return _wrong_shape(shape, error["input"])
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    return msg, None


def _wrong_shape(shape: str, value: Any) -> tuple[str, str]:
    """Says "expected text, got a number (2)", with the fix: pydantic's "Input should be a valid
    string" named neither what was written nor what to do. A number or true/false where text
    belongs (``id: 2``, ``id: yes``) is text once quoted, as the same id in a JSON dataset is."""
    got = kind_of(value)
    if isinstance(value, bool | int | float | str | date):
        shown = str(value) if isinstance(value, date) else repr(value)
        got += f" ({shown[:40]}...)" if len(shown) > 43 else f" ({shown})"
    # YAML reads 2026-01-05 as a date: it too is text once quoted.
    if shape == "text" and isinstance(value, bool | int | float | date):
        return f"expected text, got {got}", "put it in quotes to make it text"
    return f"expected {shape}, got {got}", f"write {shape}"


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
    """One located issue per mistake: pydantic's errors with union member tags taken out of
    their paths and a union field's errors reduced to one (``_one_per_union``)."""
    issues = []
    located = _one_per_union([_locate(error, model) for error in exc.errors()])
    misspelt = _misspelt_required(located, model)
    for item in located:
        error, loc = item.error, item.loc
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


def kind_of(value: Any) -> str:
    """What a value is, in a user's words ("a list", "a number"), for "expected X, got Y"."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, datetime):
        return "a date and time"
    if isinstance(value, date):
        return "a date"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


@dataclass
class _Located:
    """A pydantic error with its path as the user wrote it (no union member tags) and where
    the unions on that path are: (position in ``loc``, the member pydantic tried)."""

    error: dict[str, Any]
    loc: PathKey
    unions: list[tuple[int, str]]


# A union member whose only error is one of these was not the shape the user wrote: its
# message ("Input should be a valid string") is noise beside the member that was.
_SHAPE_WORDS = {
    "string_type": "text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true/false",
    "bool_parsing": "true/false",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
}


def _locate(error: Any, model: type[BaseModel] | None) -> _Located:
    """Follow the model's annotations down the error's path: a part met where the annotation
    is a union is pydantic's member tag (``str``, ``OperatorUse``, ``list[DatasetSpec]``),
    not a key the user wrote. Without the model, tags are recognised by their look."""
    current: Any = model
    loc: list[Any] = []
    unions: list[tuple[int, str]] = []
    for part in error["loc"]:
        current = _plain(current)
        members = _union_members(current)
        if members is not None:
            unions.append((len(loc), str(part)))
            current = _member(members, str(part))
            continue
        if current is None and _is_union_tag(part):
            continue
        loc.append(part)
        current = _child(current, part)
    return _Located(dict(error), tuple(loc), unions)


def _plain(annotation: Any) -> Any:
    """The annotation without ``Annotated[...]`` and without ``| None``."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
            continue
        if origin in (typing.Union, types.UnionType):
            members = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(members) == 1:
                annotation = members[0]
                continue
        return annotation


def _union_members(annotation: Any) -> list[Any] | None:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return [a for a in typing.get_args(annotation) if a is not type(None)]
    return None


def _member(members: list[Any], tag: str) -> Any:
    """The union member pydantic names ``tag``, or None when it cannot be told."""
    for member in members:
        base = _plain(member)
        origin = typing.get_origin(base)
        name = getattr(origin or base, "__name__", None)
        if name is None:
            continue
        if tag == name or tag.startswith(f"{name}[") or tag.endswith(f", {name}]"):
            return member
    return None


def _child(annotation: Any, part: Any) -> Any:
    """The annotation of ``part`` inside a value annotated ``annotation`` (None: unknown)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        fields = annotation.model_fields
        field = fields.get(part) if isinstance(part, str) else None
        if field is None:
            field = next((f for f in fields.values() if f.alias == part), None)
        return field.annotation if field is not None else None
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (list, tuple, set, frozenset) and args:
        return args[0]
    if origin is dict and len(args) == 2:
        return args[1]
    return None


def _one_per_union(items: list[_Located], level: int = 0) -> list[_Located]:
    """pydantic reports a union field's mistake once per member it tried; keep the member
    that matched the shape the user wrote (its own errors, each located), or, when none did,
    one "expected text or a mapping, got a number" for the field."""
    out: list[_Located | list[_Located]] = []
    groups: dict[PathKey, list[_Located]] = {}
    for item in items:
        if len(item.unions) <= level:
            out.append(item)
            continue
        key = item.loc[: item.unions[level][0]]
        if key not in groups:
            groups[key] = []
            out.append(groups[key])
        groups[key].append(item)
    result: list[_Located] = []
    for entry in out:
        if isinstance(entry, list):
            result.extend(_one_per_union(_chosen(entry, level), level + 1))
        else:
            result.append(entry)
    return result


def _chosen(group: list[_Located], level: int) -> list[_Located]:
    """The errors of the one member of a union that matched the input's shape (the fewest
    errors if several did), else one error for the whole field."""
    position = group[0].unions[level][0]
    members: dict[str, list[_Located]] = {}
    for item in group:
        members.setdefault(item.unions[level][1], []).append(item)

    def wrong_shape(errors: list[_Located]) -> bool:
        return all(
            len(e.loc) == position
            and len(e.unions) == level + 1
            and e.error.get("type") in _SHAPE_WORDS
            for e in errors
        )

    matched = [errors for errors in members.values() if not wrong_shape(errors)]
    if matched:
        return min(matched, key=len)
    first = group[0]
    shapes = list(dict.fromkeys(_SHAPE_WORDS[e.error["type"]] for e in group))
    value = first.error.get("input")
    error = {
        "type": "union_shape",
        "loc": first.error["loc"],
        "msg": f"expected {' or '.join(shapes)}, got {kind_of(value)}",
        "input": value,
    }
    return [_Located(error, first.loc[:position], first.unions[:level])]


def _misspelt_required(items: list[_Located], model: type[BaseModel] | None) -> set[PathKey]:
    """Required fields reported missing only because the user misspelt them: one typo is one
    message ("patern: unknown field; did you mean 'pattern'?"), not two."""
    found: set[PathKey] = set()
    if model is None:
        return found
    for item in items:
        loc = item.loc
        if item.error.get("type") != "extra_forbidden" or not loc:
            continue
        owner = _model_at(model, loc[:-1])
        if owner is None:
            continue
        close = difflib.get_close_matches(str(loc[-1]), field_names(owner), n=1, cutoff=0.6)
        if close:
            found.add((*loc[:-1], close[0]))
    return found


def _is_union_tag(part: Any) -> bool:
    """pydantic puts union member names (``list[...]``, ``str``) in loc: noise to a user.
    The look of a tag, for errors whose model is not known (``_locate`` follows the model)."""
    return isinstance(part, str) and ("[" in part or part in {"str", "int", "float", "bool"})


def plugin_issue(
    exc: UnknownPluginError | PluginLoadError, source: str, line: int | None, field: str
) -> ConfigIssue:
    """A plugin name the registry could not resolve, at the line that names it: not
    registered (with close matches), or installed but its module does not import."""
    message = exc.message
    if isinstance(exc, PluginLoadError):
        from ..targets.base import describe

        message += f": {describe(exc.cause)}"
    return ConfigIssue(source, line, field, message, exc.hint)
