"""Load a target file (``targets/*.yaml``) into an adapter instance, with file:line errors."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from pydantic import ValidationError

from .. import builtin_plugins  # noqa: F401 - registers built-in plugins
from ..crash import TargetOrigin, adapter_code
from ..errors import ConfigError
from ..registry import PluginLoadError, UnknownPluginError
from ..store.yaml_lines import load_yaml_with_lines
from ..targets.base import Target, TargetSpec, targets
from .errors import plugin_issue, validation_issues


def load_target(path: str | Path) -> Target:
    """Validate a target file and build its adapter (not yet started)."""
    target_path = Path(path)
    source = str(path)
    data, line_of = load_yaml_with_lines(target_path)
    if not isinstance(data, dict):
        raise ConfigError.single(
            source,
            "a target file must be a YAML mapping",
            line=1,
            hint="start with 'type: openai' (or http, transformers, callable, replay)",
        )
    kind = data.get("type")
    if not isinstance(kind, str):
        raise ConfigError.single(
            source,
            "required field is missing",
            line=1,
            field="type",
            hint=f"one of: {', '.join(targets.names())}",
        )
    try:
        cls = targets.get(kind)
    except (UnknownPluginError, PluginLoadError) as exc:
        raise ConfigError(plugin_issue(exc, source, line_of(("type",)), "type")) from None
    with adapter_code(TargetOrigin(source, cls)):
        try:
            spec: TargetSpec = cls.Spec.model_validate(data)
        except ValidationError as exc:
            raise ConfigError(validation_issues(exc, source, line_of, cls.Spec)) from None
        if spec.name is None:
            spec.name = target_path.stem
        adapter = cls(spec, base_dir=str(target_path.parent.resolve()))
        adapter.source, adapter.source_lines = source, line_of
        adapter.check_secrets()  # before any command records the file's settings
        return adapter


def check_params(adapter: Target, source: str, names: Collection[str]) -> None:
    """The adapter's refusal of requests it could not build with these generation parameters
    (``Target.check_params``), run as the adapter's own code (a plugin's failure is its own)."""
    with adapter_code(TargetOrigin(source, type(adapter))):
        adapter.check_params(names)
