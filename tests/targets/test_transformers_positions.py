"""A prompt past a model's positions is refused for that case, naming the limit, whatever the
configuration calls it: the check read ``max_position_embeddings`` only, which MPT's
configuration calls ``max_seq_len`` and multimodal ones (Gemma 3, Llama 4, Qwen 3.5) keep in
their ``text_config``. There the request went on: MPT's failed inside torch ("The size of
tensor a (106) must match the size of tensor b (64)"), which says neither why nor what to
change, and a rotary model's generated past its context with no word of it."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from assurance_harness.datatypes import GenerationRequest
from assurance_harness.targets.base import ClientError
from assurance_harness.targets.transformers_local import TransformersSpec, TransformersTarget


@pytest.fixture(scope="module")
def tiny_mpt(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from transformers import AutoTokenizer, MptConfig, MptForCausalLM

    from assurance_harness.nlp.embeddings import model_dir

    tokenizer = AutoTokenizer.from_pretrained(str(model_dir()), local_files_only=True)
    config = MptConfig(d_model=32, n_heads=2, n_layers=2, max_seq_len=64, vocab_size=len(tokenizer))
    folder = tmp_path_factory.mktemp("mpt") / "mpt"
    MptForCausalLM(config).save_pretrained(str(folder))
    tokenizer.save_pretrained(str(folder))
    return folder


def test_a_prompt_past_max_seq_len_is_refused_naming_it(tiny_mpt: Path) -> None:
    target = TransformersTarget(TransformersSpec(model="mpt"), base_dir=str(tiny_mpt.parent))
    request = GenerationRequest(
        case_id="t1",
        sample=0,
        seed=0,
        messages=[{"role": "user", "content": "word " * 100}],
        params={"max_tokens": 4},
    )

    async def main() -> None:
        await target.start()
        await target.generate(request)

    with pytest.raises(ClientError, match="64") as raised:
        asyncio.run(main())
    assert "max_seq_len" in str(raised.value) and "shorten the prompt" in str(raised.value)


def test_positions_are_read_where_each_configuration_keeps_them() -> None:
    from transformers import BloomConfig, Gemma3Config, GPT2Config, MptConfig

    from assurance_harness.targets.transformers_local import model_positions

    assert model_positions(GPT2Config(n_positions=256)) == ("max_position_embeddings", 256)
    assert model_positions(MptConfig(max_seq_len=64)) == ("max_seq_len", 64)
    gemma = Gemma3Config()
    limit = gemma.get_text_config().max_position_embeddings
    assert model_positions(gemma) == ("text_config.max_position_embeddings", limit)
    assert model_positions(BloomConfig()) is None  # ALiBi: no fixed number of positions
