"""``do_sample: true`` with ``temperature: 0`` asks transformers to sample at a temperature it
refuses ("temperature has to be a strictly positive float"), on every request. It is refused
as one configuration error naming the field and the fix (temperature above 0, or do_sample
false for greedy decoding): at ``validate`` where the target file sets both, and before
anything is sent where the suite sets the temperature the target's do_sample meets.

Was: the file validated, and every request of the run failed as an ``exception`` with
transformers' message: a failed run (exit 3) that said nothing of the setting to change.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assurance_harness.errors import ConfigError
from assurance_harness.targets.transformers_local import TransformersSpec, TransformersTarget
from tests.testing.cli import invoke_in_process


def _model(tmp_path: Path) -> None:
    (tmp_path / "model").mkdir()
    (tmp_path / "model" / "config.json").write_text("{}")
    (tmp_path / "model" / "model.safetensors").write_bytes(b"")  # validate asks it is there


@pytest.mark.parametrize("temperature", ["0", "0.0"])
def test_a_target_sampling_at_temperature_0_fails_validate(
    tmp_path: Path, temperature: str
) -> None:
    _model(tmp_path)
    (tmp_path / "t.yaml").write_text(
        "type: transformers\nmodel: model\ngeneration:\n"
        f"  do_sample: true\n  temperature: {temperature}\n"
    )
    result = invoke_in_process(["validate", str(tmp_path / "t.yaml")])
    assert result.exit_code == 2, result.output
    assert "t.yaml:3: generation" in result.output, result.output
    assert "temperature" in result.output and "do_sample" in result.output, result.output
    assert "do_sample: false" in result.output, result.output  # the fix, named
    assert "Traceback" not in result.output, result.output


def test_a_suite_temperature_of_0_meeting_the_targets_do_sample_fails_before_sending(
    tmp_path: Path,
) -> None:
    _model(tmp_path)
    (tmp_path / "t.yaml").write_text(
        "type: transformers\nmodel: model\ngeneration:\n  do_sample: true\n"
    )
    (tmp_path / "s.yaml").write_text(
        "suite: s\ngeneration: {temperature: 0}\ncases: [{id: a, prompt: hi}]\n"
        "metrics: [{id: failed, rate: error}]\n"
    )
    result = invoke_in_process(
        ["run", str(tmp_path / "s.yaml"), "--target", str(tmp_path / "t.yaml"), "--reports",
         str(tmp_path / "r"), "--no-evidence"]
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert "temperature" in result.output and "do_sample" in result.output, result.output
    assert "cannot load the model" not in result.output, result.output  # refused before it


def test_greedy_at_0_and_sampling_above_0_are_accepted() -> None:
    for generation in (
        {"temperature": 0},
        {"do_sample": False, "temperature": 0},
        {"do_sample": True, "temperature": 0.7},
        {"do_sample": True},
    ):
        target = TransformersTarget(TransformersSpec(model="m", generation=generation))
        target.check_params({"temperature": 0.5})
    sampling = TransformersTarget(TransformersSpec(model="m", generation={"do_sample": True}))
    sampling.check_params({"max_tokens": 8})
    sampling.check_params({"temperature"})  # names alone (validate): no value to judge
    with pytest.raises(ConfigError, match="do_sample"):
        sampling.check_params({"temperature": 0})
    greedy = TransformersTarget(TransformersSpec(model="m", generation={"temperature": 0.0}))
    with pytest.raises(ConfigError, match="temperature"):
        greedy.check_params({"do_sample": True})
