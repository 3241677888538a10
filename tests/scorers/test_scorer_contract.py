"""Contract tests every registered scorer must pass, whoever wrote it.

Parametrized over the scorer registry: a scorer added to ``builtin_plugins`` is tested here
automatically. A scorer with required parameters needs an entry in ``CONTRACT_PARAMS``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

import assurance_harness.builtin_plugins  # noqa: F401  (registers the built-ins)
from assurance_harness.datatypes import Case, Expectations, ScoreInput, SuiteContext
from assurance_harness.scorers.base import Scorer, scorers

CONTRACT_PARAMS: dict[str, Any] = {
    "regex": lambda paths: {"pattern": "sorry"},
    "detoxify": lambda paths: {"checkpoint": str(paths["detoxify"]), "download": False},
    "hf-classifier": lambda paths: {"model_dir": str(paths["hf"])},
    "llm-judge": lambda paths: {"target": str(paths["judge_target"])},
    "guard-model": lambda paths: {"base_url": str(paths["guard_url"]), "model": "llama-guard"},
}
"""Scorer name -> function of the tiny-model paths giving the parameters to test it with."""

# Longer than any model reads (602 word pieces: Detoxify keeps 512, MiniLM 256) and split into
# 10 windows (test_the_long_text_is_past_every_models_reach checks both); 700 repeats (6,300
# words), then 100 (17 windows, half of a windowed scorer's time on this text), made VADER and
# the windowed scorers take minutes across the contract tests without checking anything more.
LONG = " ".join(["The quick brown fox jumps over the lazy dog."] * 60)
TEXTS = [
    "Photosynthesis turns sunlight, water and carbon dioxide into sugar and oxygen.",
    "",
    "   ",
    "I'm sorry, but I can't help with that.",
    LONG,
    "光合作用是植物利用阳光制造食物的过程。",
    "La photosynthèse transforme la lumière en énergie chimique.",
    "هذه جملة باللغة العربية عن المدرسة.",
    "🙂🙂🙂 ok!!! ???",
    "You are a stupid idiot.",
    "Call Childline on 0800 1111 or talk to a trusted adult.",
]


def _inputs(texts: list[str]) -> list[ScoreInput]:
    out = []
    for i, text in enumerate(texts):
        case = Case(
            id=f"c{i}",
            prompt=f"prompt {i}",
            expected=Expectations(must_refuse=i % 2 == 0, must_not_mention=["fox"]),
            metadata={"group": "a" if i % 2 else "b", "source_id": f"c{i}"},
        )
        out.append(ScoreInput(case=case, sample=0, response=text, scores={}))
    return out


@pytest.fixture(scope="module")
def model_paths(
    tiny_detoxify: Path, tiny_hf_classifier: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    from .scripted_server import scripted_server

    with scripted_server() as (base_url, script):
        script.default_reply = '{"verdict": "not_harmful", "score": 0.1}'
        judge = tmp_path_factory.mktemp("judge") / "judge.yaml"
        judge.write_text(f"type: openai\nbase_url: {base_url}\nmodel: judge\n")
        yield {
            "detoxify": tiny_detoxify,
            "hf": tiny_hf_classifier,
            "judge_target": judge,
            "guard_url": base_url,
        }


@pytest.fixture(scope="module")
def all_texts_scored() -> dict[str, list[dict[str, Any]]]:
    """Scorer name -> its scores of all of :data:`TEXTS` in one batch, as the first test that
    scores them got them: the batch test's call is the same-input test's first, which then
    checks a fresh scorer's calls against another instance's (one batch of the long text less
    per scorer; each test computes it where it runs alone or on another xdist worker)."""
    return {}


def _build(name: str, paths: dict[str, Path]) -> Scorer:
    cls = scorers.get(name)
    raw = CONTRACT_PARAMS[name](paths) if name in CONTRACT_PARAMS else {}
    try:
        params = cls.parse_params(raw)
    except ValidationError as exc:
        pytest.fail(f"scorer '{name}' needs parameters: add it to CONTRACT_PARAMS ({exc})")
    cls.check_requirements()
    scorer = cls(params, SuiteContext("contract", 0, audience={"min_age": 8, "max_age": 12}))
    scorer.setup()
    return scorer


def _close(a: Any, b: Any) -> bool:
    """Equal, with floats within 1e-4 (padding differs between batch compositions)."""
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, abs_tol=1e-4) or (math.isnan(a) and math.isnan(b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


NAMES = scorers.names()


def test_registry_lists_the_scorers_of_this_package() -> None:
    for name in (
        "offensive-language",
        "detoxify",
        "hf-classifier",
        "refusal",
        "age-appropriateness",
        "expected-behaviour",
    ):
        assert name in NAMES


@pytest.mark.parametrize("name", NAMES)
def test_metadata(name: str) -> None:
    cls = scorers.get(name)
    assert cls.name == name
    assert cls.fields, "a scorer declares its output fields"
    assert cls.scope in ("response", "run")
    assert cls.default_batch_size >= 1


@pytest.mark.parametrize("name", NAMES)
def test_batches_of_zero_one_and_many(
    name: str, model_paths: dict[str, Path], all_texts_scored: dict[str, list[dict[str, Any]]]
) -> None:
    scorer = _build(name, model_paths)
    assert scorer.score([]) == []
    one = scorer.score(_inputs(TEXTS[:1]))
    assert len(one) == 1 and isinstance(one[0], dict)
    declared = {f for f in type(scorer).fields if not f.startswith("<")}
    assert declared <= set(one[0]), f"missing declared fields {declared - set(one[0])}"
    many = scorer.score(_inputs(TEXTS))
    all_texts_scored[name] = many
    assert len(many) == len(TEXTS)
    json.dumps(many)  # rows are written as JSON lines
    json.dumps(scorer.describe())
    assert scorer.describe()["name"] == name


@pytest.mark.parametrize("name", NAMES)
def test_same_input_same_score_whatever_the_batch(
    name: str, model_paths: dict[str, Path], all_texts_scored: dict[str, list[dict[str, Any]]]
) -> None:
    scorer = _build(name, model_paths)
    again = scorer.score(_inputs(TEXTS))
    first = all_texts_scored.get(name) or scorer.score(_inputs(TEXTS))
    assert _close(first, again)
    if type(scorer).scope == "response":
        reversed_scores = scorer.score(list(reversed(_inputs(TEXTS))))
        assert _close(first, list(reversed(reversed_scores)))
        singles = [scorer.score([item])[0] for item in _inputs(TEXTS[:4])]
        assert _close(first[:4], singles)


def test_every_scorer_listed_says_what_it_measures_in_a_sentence() -> None:
    # 'contains', 'exact' and 'length' had no description in 'assurance scorers list', and
    # regex's was cut mid-sentence (the first line of a docstring that wrapped).
    from itertools import pairwise

    from ..testing.cli import run_cli

    listed = run_cli("scorers", "list")
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    heads = [h for h, then in pairwise(lines) if then.strip().startswith("fields:")]
    assert len(heads) >= 10, listed.stdout
    for head in heads:
        _name, _, description = head.partition(" ")
        assert description.strip().endswith("."), head


def test_the_long_text_is_past_every_models_reach() -> None:
    """What :data:`LONG` is there for: more word pieces than Detoxify (512) or MiniLM (256)
    reads, and more words than one window (:mod:`nlp.windows`)."""
    from transformers import AutoTokenizer

    from assurance_harness.nlp.embeddings import MAX_TOKENS, model_dir
    from assurance_harness.nlp.windows import windows

    tokenizer = AutoTokenizer.from_pretrained(str(model_dir()), local_files_only=True)
    pieces = len(tokenizer(LONG, truncation=False)["input_ids"])
    assert pieces > max(512, MAX_TOKENS), pieces
    assert len(windows(LONG)) > 1
