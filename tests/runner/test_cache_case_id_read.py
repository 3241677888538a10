"""A target that may read a case's id is keyed on it in the response cache: a callable whose
function takes ``case_id`` (or ``request``, or ``**kwargs``) may answer two cases of one
conversation differently. A target that never reads it keeps the key it always had.

Observed: the key held the case's seed, not its id, and the seed is 31 bits of a hash of the
id: two cases of one prompt whose seeds are equal (``c10602`` and ``c44620`` under suite seed 0;
a suite of 65,000 cases holds such a pair about half the time) shared one cached answer, and
the second run gave each case the answer the function had given the other (or the same)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assurance_harness.datatypes import GenerationRequest
from assurance_harness.runner.cachekeys import cache_keys
from assurance_harness.runner.run import derive_seed, run_suite
from assurance_harness.store.cache import key_for
from assurance_harness.targets.base import targets

TWINS = ("c10602", "c44620")
"""Two case ids whose derived seeds (suite seed 0, sample 0) are equal."""

SUITE = (
    "suite: case-id-read\ncases:\n"
    f"  - {{id: {TWINS[0]}, prompt: hi}}\n"
    f"  - {{id: {TWINS[1]}, prompt: hi}}\n"
    "scorers: [{id: m, use: regex, with: {pattern: c}}]\n"
    "metrics: [{id: r, rate: m.matched}]\ngates: [{metric: r, min: 0.5}]\n"
)

SIGNATURES = {
    "case_id": "def reply(messages, case_id):",
    "request": "def reply(messages, request):",
    "kwargs": "def reply(messages, **kwargs):",
}
BODIES = {
    "case_id": "    return case_id\n",
    "request": "    return request.case_id\n",
    "kwargs": "    return kwargs['case_id']\n",
}


def test_the_twins_share_a_seed() -> None:
    assert derive_seed(0, TWINS[0], 0) == derive_seed(0, TWINS[1], 0)


def _answers(root: Path) -> dict[str, tuple[str, bool]]:
    target = root / "t.yaml"
    outcome = run_suite(root / "s.yaml", target, reports_dir=root / "reports", write_reports=False)
    rows = [json.loads(line) for line in (outcome.run_dir / "results.jsonl").open()]
    return {row["case_id"]: (row["response"], row["cached"]) for row in rows}


@pytest.mark.parametrize("name", SIGNATURES)
def test_a_function_given_the_case_id_gets_each_case_its_own_answer_from_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    monkeypatch.chdir(tmp_path)
    module = f"judgekey_bot_caseid_{name}_{abs(hash(str(tmp_path)))}"
    (tmp_path / f"{module}.py").write_text(SIGNATURES[name] + "\n" + BODIES[name])
    (tmp_path / "t.yaml").write_text(
        f"type: callable\nfunction: {module}:reply\npython_path: ['.']\n"
    )
    (tmp_path / "s.yaml").write_text(SUITE, encoding="utf-8")
    first = _answers(tmp_path)
    assert {case: text for case, (text, _) in first.items()} == {c: c for c in TWINS}, first
    second = _answers(tmp_path)
    assert second == {c: (c, True) for c in TWINS}, second


def _request(case_id: str) -> GenerationRequest:
    return GenerationRequest(
        case_id=case_id,
        sample=0,
        seed=7,
        messages=[{"role": "user", "content": "hi"}],
        params={"seed": 7},
        metadata={"topic": "x"},
    )


def test_a_target_that_never_reads_the_case_id_keeps_its_key() -> None:
    """An ``http`` target whose body has no ``{case_id}``, an ``openai`` one: the key is the
    one written before, byte for byte (their cached answers keep hitting)."""
    for spec in (
        {"type": "http", "url": "http://127.0.0.1:9/g", "response_path": "text"},
        {"type": "openai", "base_url": "http://127.0.0.1:9/v1", "model": "m"},
    ):
        cls = targets.get(str(spec["type"]))
        target = cls(cls.Spec.model_validate(spec))
        key = cache_keys(target)
        assert key(_request("a")) == key_for(target.cache_fingerprint(), _request("a"))
        assert key(_request("a")) == key(_request("b"))


def test_an_http_body_that_sends_the_case_id_is_keyed_on_it() -> None:
    spec = {
        "type": "http",
        "url": "http://127.0.0.1:9/g",
        "body": {"q": "{prompt}", "id": "case {case_id}"},
        "response_path": "text",
    }
    cls = targets.get("http")
    target = cls(cls.Spec.model_validate(spec))
    key = cache_keys(target)
    assert key(_request("a")) != key(_request("b"))


@pytest.mark.parametrize("signature", ["def reply(messages):", "def reply(messages, *, metadata):"])
def test_a_function_not_given_the_case_id_keeps_its_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, signature: str
) -> None:
    """Its cached answers keep hitting: the key is the one written before, byte for byte."""
    import asyncio

    from assurance_harness.spec.targets import load_target

    monkeypatch.chdir(tmp_path)
    module = f"judgekey_bot_prompt_only_{abs(hash(signature + str(tmp_path)))}"
    (tmp_path / f"{module}.py").write_text(f"{signature}\n    return 'x'\n")
    (tmp_path / "t.yaml").write_text(
        f"type: callable\nfunction: {module}:reply\npython_path: ['.']\n"
    )
    target = load_target(tmp_path / "t.yaml")
    asyncio.run(target.start())
    try:
        key = cache_keys(target)
        before = key_for(
            target.cache_fingerprint(), _request("a"), metadata="metadata" in signature
        )
        assert key(_request("a")) == before
        assert key(_request("a")) == key(_request("b"))
    finally:
        asyncio.run(target.close())
