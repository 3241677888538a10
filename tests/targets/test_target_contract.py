"""Contract every built-in target adapter must meet, parametrized over the registry."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from assurance_harness import builtin_plugins  # noqa: F401 - registers the built-ins
from assurance_harness.targets.base import Target, TargetSpec, targets

MINIMAL: dict[str, dict[str, object]] = {
    "openai": {"base_url": "http://127.0.0.1:9/v1", "model": "m"},
    "http": {"url": "http://127.0.0.1:9/x", "response_path": "text"},
    "transformers": {"model": "nowhere"},
    "callable": {"function": "json:dumps"},
    "replay": {"path": "nowhere.jsonl"},
}
BUILTIN = sorted(MINIMAL)


def test_every_builtin_target_is_covered_here() -> None:
    assert set(BUILTIN) <= set(targets.names())


@pytest.mark.parametrize("name", BUILTIN)
def test_spec_contract(name: str) -> None:
    cls = targets.get(name)
    assert issubclass(cls, Target) and cls.type == name
    assert issubclass(cls.Spec, TargetSpec) and cls.Spec is not TargetSpec
    spec = cls.Spec.model_validate({"type": name, **MINIMAL[name]})
    assert spec.type == name
    with pytest.raises(ValidationError, match="extra"):
        cls.Spec.model_validate({"type": name, **MINIMAL[name], "no_such_field": 1})
    undocumented = [field for field, info in cls.Spec.model_fields.items() if not info.description]
    assert undocumented == [], f"{name}: fields without a docstring: {undocumented}"


@pytest.mark.parametrize("name", BUILTIN)
def test_public_config_and_fingerprint(name: str, tmp_path) -> None:
    cls = targets.get(name)
    spec = cls.Spec.model_validate({"type": name, **MINIMAL[name]})
    target = cls(spec, base_dir=str(tmp_path))
    config = target.public_config()
    json.dumps(config)  # manifests write it as JSON
    for volatile in ("concurrency", "requests_per_second", "retry", "name"):
        assert volatile not in config
    fingerprint = target.fingerprint()
    assert len(fingerprint) == 16 and fingerprint == target.fingerprint()
    other = cls(cls.Spec.model_validate({"type": name, **MINIMAL[name], "concurrency": 99}))
    assert other.fingerprint() == cls(cls.Spec.model_validate(spec.model_dump())).fingerprint()
