"""A prompt made with the tokenizer's chat template is fed to the model as the template wrote
it: a template writes its own start token (Llama's ``<|begin_of_text|>``), and the pipeline
tokenized the rendered text adding the tokenizer's special tokens again, so the model read two
start tokens (and here an end token after the prompt), a prompt it was never trained on, while
``usage`` counted the prompt without them."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path
from typing import Any

from assurance_harness.datatypes import GenerationRequest, GenerationResponse
from assurance_harness.targets.transformers_local import TransformersSpec, TransformersTarget

from .conftest import CHAT_TEMPLATE

MESSAGES = [{"role": "user", "content": "what is a volcano"}]


def test_the_model_reads_the_templated_prompt_without_special_tokens_added_again(
    tiny_lm: Path, tmp_path: Path
) -> None:
    from transformers import AutoTokenizer

    folder = tmp_path / "lm"
    shutil.copytree(tiny_lm, folder)
    tokenizer = AutoTokenizer.from_pretrained(str(folder), local_files_only=True)
    tokenizer.chat_template = "[CLS]" + CHAT_TEMPLATE  # the template writes the start token
    tokenizer.save_pretrained(str(folder))
    expected = tokenizer.apply_chat_template(MESSAGES, tokenize=True, add_generation_prompt=True)
    if not isinstance(expected, list):
        expected = expected["input_ids"]
    target = TransformersTarget(TransformersSpec(model="lm"), base_dir=str(tmp_path))
    fed: list[list[int]] = []

    def seen(module: Any, args: Any, kwargs: dict[str, Any]) -> None:
        if not fed:
            fed.append(kwargs["input_ids"][0].tolist())

    async def main() -> GenerationResponse:
        await target.start()
        target._pipe.model.register_forward_pre_hook(seen, with_kwargs=True)
        request = GenerationRequest(
            case_id="t1", sample=0, seed=0, messages=MESSAGES, params={"max_tokens": 1}
        )
        return await target.generate(request)

    answer = asyncio.run(main())
    assert fed == [list(expected)]
    assert answer.usage is not None and answer.usage["prompt_tokens"] == len(expected)
