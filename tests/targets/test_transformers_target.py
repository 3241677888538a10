"""The transformers adapter on a tiny local model: chat template or plain prompt, greedy
determinism, seeded sampling, parameter mapping."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from assurance_harness.datatypes import GenerationRequest, GenerationResponse
from assurance_harness.errors import ConfigError
from assurance_harness.targets.base import ClientError
from assurance_harness.targets.transformers_local import TransformersSpec, TransformersTarget


def request(seed: int = 0, sample: int = 0, **params: object) -> GenerationRequest:
    return GenerationRequest(
        case_id="t1",
        sample=sample,
        seed=seed,
        messages=[{"role": "user", "content": "what is a volcano"}],
        params=dict(params),
    )


def run(target: TransformersTarget, requests: list[GenerationRequest]) -> list[GenerationResponse]:
    async def main() -> list[GenerationResponse]:
        await target.start()
        try:
            return list(await asyncio.gather(*(target.generate(r) for r in requests)))
        finally:
            await target.close()

    return asyncio.run(main())


def make(model: Path, **fields: object) -> TransformersTarget:
    spec = TransformersSpec(model=model.name, **fields)
    return TransformersTarget(spec, base_dir=str(model.parent))


def test_greedy_generation_is_deterministic_and_reports_usage(tiny_lm: Path) -> None:
    target = make(tiny_lm, system_prompt="Be brief.")
    a, b = run(target, [request(max_tokens=6), request(max_tokens=6)])
    assert a.text == b.text and a.text.strip()
    assert a.model_version is not None and a.model_version.startswith(f"{tiny_lm.name}@")
    assert a.usage is not None and 0 < a.usage["completion_tokens"] <= 8
    assert a.finish_reason in {"length", "stop"}
    asyncio.run(target.start())
    prompt = target.prompt_text([{"role": "system", "content": "Be brief."}])
    assert prompt == "[system] Be brief. [assistant]"  # the tokenizer's chat template


def test_sampling_honours_the_seed(tiny_lm: Path) -> None:
    target = make(tiny_lm)
    same_1, same_2, other = run(
        target,
        [
            request(seed=1, temperature=1.0, max_tokens=8),
            request(seed=1, temperature=1.0, max_tokens=8),
            request(seed=2, temperature=1.0, max_tokens=8),
        ],
    )
    assert same_1.text == same_2.text
    assert other.text != same_1.text  # random weights, near-uniform logits: seeds differ


def test_plain_concatenation_without_a_chat_template(tiny_lm_plain: Path) -> None:
    target = make(tiny_lm_plain)
    (response,) = run(target, [request(max_tokens=4)])
    assert isinstance(response.text, str)
    asyncio.run(target.start())
    text = target.prompt_text([{"role": "user", "content": "hi"}])
    assert text == "user: hi\nassistant:"


def test_whole_number_penalty_and_temperature_generate(tiny_lm: Path) -> None:
    # validate accepts `repetition_penalty: 2` and `temperature: 2` (YAML integers), and
    # transformers refuses any that is not a float ("`penalty` has to be a strictly positive
    # float"): every request failed, exit 3.
    target = make(tiny_lm)
    (response,) = run(target, [request(max_tokens=4, repetition_penalty=2, temperature=2)])
    assert isinstance(response.text, str), response


def test_parameter_mapping() -> None:
    target = TransformersTarget(TransformersSpec(model="unused"))
    assert target.generation_kwargs({"max_tokens": 5, "temperature": 0.0, "stop": "\n"}) == {
        "max_new_tokens": 5,
        "stop_strings": ["\n"],
        "do_sample": False,
    }
    sampled = target.generation_kwargs({"temperature": 0.7, "top_p": 0.9, "foo": 1})
    assert sampled == {"temperature": 0.7, "top_p": 0.9, "do_sample": True, "max_new_tokens": 256}


def test_missing_model_directory_is_a_config_error(tmp_path: Path) -> None:
    target = TransformersTarget(TransformersSpec(model="nowhere"), base_dir=str(tmp_path))
    with pytest.raises(ConfigError, match="does not exist"):
        asyncio.run(target.start())


def test_a_model_directory_without_a_tokenizer_is_a_config_error(
    tiny_lm: Path, tmp_path: Path
) -> None:
    # transformers (5.x) loads a folder with no tokenizer files as an empty GPT-2 tokenizer
    # (a vocabulary of one) that turns every prompt into no tokens: the model answered "" to
    # every case and the run passed, its "must not mention" gates trivially met.
    import shutil

    model = shutil.copytree(tiny_lm, tmp_path / "no-tokenizer")
    for name in ("tokenizer.json", "tokenizer_config.json", "chat_template.jinja"):
        (model / name).unlink(missing_ok=True)
    with pytest.raises(ConfigError, match="tokenizer") as raised:
        asyncio.run(make(model).start())
    assert "\n" not in str(raised.value)


def _rewrite_config(model: Path, **changes: object) -> None:
    config = model / "config.json"
    config.write_text(json.dumps({**json.loads(config.read_text("utf-8")), **changes}), "utf-8")


@pytest.mark.parametrize(
    "damage",
    [
        # safetensors' own error (SafetensorError), not an OSError: "internal error ... a bug"
        "truncated weights",
        # weights of another shape: transformers' RuntimeError ("ignore_mismatched_sizes")
        "weights of another shape",
        # transformers' ValueError for a model_type it does not know was handled already
        "an unknown architecture",
    ],
)
def test_model_files_that_cannot_load_are_one_config_line(
    tiny_lm: Path, tmp_path: Path, damage: str
) -> None:
    import shutil

    model = shutil.copytree(tiny_lm, tmp_path / "damaged")
    if damage == "truncated weights":
        weights = model / "model.safetensors"
        weights.write_bytes(weights.read_bytes()[:5000])
    elif damage == "weights of another shape":
        _rewrite_config(model, n_embd=64)
    else:
        _rewrite_config(model, model_type="nosuchmodel", architectures=["NoSuchLM"])
    with pytest.raises(ConfigError, match="cannot load the model") as raised:
        asyncio.run(make(model).start())
    assert str(model) in str(raised.value) and "\n" not in str(raised.value)


@pytest.mark.parametrize(
    ("prompt", "max_tokens", "named"),
    [
        # The tiny model has 256 positions. Past them generation failed inside torch as
        # "IndexError: index out of range in self", which says nothing of why or what to do.
        ("what is a volcano", 10**9, "max_tokens"),
        ("word " * 600, 8, "prompt"),
    ],
)
def test_a_request_past_the_models_positions_says_so(
    tiny_lm: Path, prompt: str, max_tokens: int, named: str
) -> None:
    target = make(tiny_lm)
    too_long = GenerationRequest(
        case_id="t1",
        sample=0,
        seed=0,
        messages=[{"role": "user", "content": prompt}],
        params={"max_tokens": max_tokens},
    )
    with pytest.raises(ClientError, match="256") as raised:
        run(target, [too_long])
    assert named in str(raised.value) and "config.json" in str(raised.value)


def test_the_default_max_tokens_is_cut_to_the_positions_left(tiny_lm: Path) -> None:
    # No max_tokens in the suite: the default (256) is the 256-position model's whole length,
    # so it is cut to what the prompt leaves rather than refused.
    long_prompt = GenerationRequest(
        case_id="t1",
        sample=0,
        seed=0,
        messages=[{"role": "user", "content": "word " * 100}],
        params={},
    )
    (response,) = run(make(tiny_lm), [long_prompt])
    assert response.usage["prompt_tokens"] + response.usage["completion_tokens"] <= 256


def test_a_model_directory_without_weights_is_refused_at_validate(
    tiny_lm: Path, tmp_path: Path
) -> None:
    # config.json alone passed validate; the run found no weights only once it started.
    import shutil

    from ..testing.cli import run_cli

    model = shutil.copytree(tiny_lm, tmp_path / "no-weights")
    (model / "model.safetensors").unlink()
    (tmp_path / "target.yaml").write_text("type: transformers\nmodel: no-weights\n", "utf-8")
    result = run_cli("validate", tmp_path / "target.yaml")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "model.safetensors" in result.stderr and str(model) in result.stderr
