"""The transformers adapter's finish reason and token usage are those of the tokens the model
generated, not of its decoded text tokenized again: decoding joins word pieces and drops
special tokens, so the text's count differs from the generation's, either way."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from assurance_harness.datatypes import GenerationRequest, GenerationResponse
from assurance_harness.targets.transformers_local import TransformersSpec, TransformersTarget

MESSAGES = [{"role": "user", "content": "what is a volcano"}]


def _answers(model: Path, max_tokens: int, seeds: range) -> tuple[Any, list[GenerationResponse]]:
    target = TransformersTarget(TransformersSpec(model=model.name), base_dir=str(model.parent))

    async def main() -> list[GenerationResponse]:
        await target.start()
        params = {"max_tokens": max_tokens, "temperature": 1.0}
        return [
            await target.generate(
                GenerationRequest(case_id="t1", sample=0, seed=s, messages=MESSAGES, params=params)
            )
            for s in seeds
        ]

    answers = asyncio.run(main())
    return target, answers


def test_usage_and_finish_reason_count_the_generated_tokens(tiny_lm: Path) -> None:
    import torch

    seeds = range(4)
    target, answers = _answers(tiny_lm, 4, seeds)
    model, tokenizer = target._pipe.model, target._pipe.tokenizer
    prompt = tokenizer(target.prompt_text(MESSAGES), add_special_tokens=False, return_tensors="pt")
    eos = model.generation_config.eos_token_id
    for seed, answer in zip(seeds, answers, strict=True):
        torch.manual_seed(seed)  # the same draw the adapter made for this seed
        out = model.generate(**prompt, do_sample=True, temperature=1.0, max_new_tokens=4)
        generated = out[0, prompt["input_ids"].shape[-1] :].tolist()
        cut = len(generated) == 4 and generated[-1] != eos
        assert answer.usage is not None
        assert answer.usage["completion_tokens"] == len(generated), (seed, answer.text)
        assert answer.finish_reason == ("length" if cut else "stop"), (seed, answer.text)


def test_an_answer_cut_at_max_tokens_is_length_though_its_text_reads_as_fewer_tokens(
    tiny_lm: Path, tmp_path: Path
) -> None:
    # A model that always generates [MASK]: a special token, dropped as the answer is decoded.
    # Cut at max_tokens, its answer is "" and was counted as 0 tokens that stopped: a complete
    # empty answer, where the model was cut off.
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model = AutoModelForCausalLM.from_pretrained(str(tiny_lm), local_files_only=True)
    tokenizer = AutoTokenizer.from_pretrained(str(tiny_lm), local_files_only=True)
    mask = tokenizer.mask_token_id
    with torch.no_grad():  # every position's output is [MASK]'s embedding: greedy picks it
        model.transformer.wte.weight[mask] *= 100
        model.transformer.ln_f.weight.zero_()
        model.transformer.ln_f.bias.copy_(model.transformer.wte.weight[mask])
    folder = tmp_path / "masks"
    model.save_pretrained(str(folder))
    tokenizer.save_pretrained(str(folder))
    target = TransformersTarget(TransformersSpec(model="masks"), base_dir=str(tmp_path))

    async def main() -> GenerationResponse:
        await target.start()
        params = {"max_tokens": 5}
        request = GenerationRequest(
            case_id="t1", sample=0, seed=0, messages=MESSAGES, params=params
        )
        return await target.generate(request)

    answer = asyncio.run(main())
    assert answer.text == ""
    assert answer.usage is not None and answer.usage["completion_tokens"] == 5
    assert answer.finish_reason == "length"


def test_an_answer_ended_by_a_stop_string_on_its_last_allowed_token_stopped(
    tiny_lm: Path,
) -> None:
    # The tiny model's greedy answer is "] ] systematic ...": one token, and the stop string.
    target = TransformersTarget(TransformersSpec(model=tiny_lm.name), base_dir=str(tiny_lm.parent))

    async def main() -> list[GenerationResponse]:
        await target.start()
        return [
            await target.generate(
                GenerationRequest(case_id="t1", sample=0, seed=0, messages=MESSAGES, params=params)
            )
            for params in ({"max_tokens": 1}, {"max_tokens": 1, "stop": "]"})
        ]

    cut, stopped = asyncio.run(main())
    assert cut.text == "]" and cut.finish_reason == "length"
    assert stopped.text == "" and stopped.finish_reason == "stop"  # the stop string left out


def test_a_stop_string_and_what_follows_it_are_left_out_of_the_answer(tiny_lm: Path) -> None:
    # An OpenAI-style endpoint returns the text before the stop string; the adapter kept the
    # stop string at the end of the answer, text the model's API would not have returned.
    # The tiny model's greedy answer is "] ] systematic systematic ...": "c sys" ends its
    # fourth token.
    target = TransformersTarget(TransformersSpec(model=tiny_lm.name), base_dir=str(tiny_lm.parent))

    async def main() -> list[GenerationResponse]:
        await target.start()
        return [
            await target.generate(
                GenerationRequest(case_id="t1", sample=0, seed=0, messages=MESSAGES, params=params)
            )
            for params in (
                {"max_tokens": 6, "stop": ["xyz", "c sys"]},
                {"max_tokens": 4, "stop": ["c sys"]},  # on the last allowed token: still "stop"
            )
        ]

    middle, last = asyncio.run(main())
    assert (middle.text, middle.finish_reason) == ("] ] systemati", "stop")
    assert middle.usage is not None and middle.usage["completion_tokens"] == 4
    assert (last.text, last.finish_reason) == ("] ] systemati", "stop")


def test_beam_search_usage_counts_the_tokens_of_the_answer_returned(
    tiny_lm: Path, tmp_path: Path
) -> None:
    # A model whose every output is its end token: the best beam ends at once, while beam
    # search goes on a step to finish a second hypothesis. The steps were counted as the
    # answer's tokens: 2 completion tokens for an answer of one.
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model = AutoModelForCausalLM.from_pretrained(str(tiny_lm), local_files_only=True)
    tokenizer = AutoTokenizer.from_pretrained(str(tiny_lm), local_files_only=True)
    end = model.generation_config.eos_token_id
    with torch.no_grad():
        model.transformer.wte.weight[end] *= 100
        model.transformer.ln_f.weight.zero_()
        model.transformer.ln_f.bias.copy_(model.transformer.wte.weight[end] / 100)
    folder = tmp_path / "ends"
    model.save_pretrained(str(folder))
    tokenizer.save_pretrained(str(folder))
    target = TransformersTarget(TransformersSpec(model="ends"), base_dir=str(tmp_path))

    async def main() -> GenerationResponse:
        await target.start()
        params = {"max_tokens": 5, "num_beams": 2}
        request = GenerationRequest(
            case_id="t1", sample=0, seed=0, messages=MESSAGES, params=params
        )
        return await target.generate(request)

    answer = asyncio.run(main())
    prompt = tokenizer(target.prompt_text(MESSAGES), return_tensors="pt")
    out = model.generate(**prompt, max_new_tokens=5, num_beams=2, do_sample=False)
    generated = out[0, prompt["input_ids"].shape[-1] :].tolist()
    assert generated == [end]
    assert answer.usage is not None and answer.usage["completion_tokens"] == 1
    assert answer.text == "" and answer.finish_reason == "stop"
