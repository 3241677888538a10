"""``use_chat_template: true`` with a tokenizer that has no chat template is the target file's
error, refused as the model loads (exit 2, naming the field): every request failed instead,
each as an ``exception`` with transformers' paragraph about templates, and the run as a failed
run (exit 3)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from assurance_harness.errors import ConfigError
from assurance_harness.targets.transformers_local import TransformersSpec, TransformersTarget


def test_a_chat_template_asked_of_a_tokenizer_without_one_is_a_config_error(
    tiny_lm_plain: Path,
) -> None:
    spec = TransformersSpec(model=tiny_lm_plain.name, use_chat_template=True)
    target = TransformersTarget(spec, base_dir=str(tiny_lm_plain.parent))
    with pytest.raises(ConfigError, match="use_chat_template") as raised:
        asyncio.run(target.start())
    assert "no chat template" in str(raised.value)
    assert "\n" not in str(raised.value)
