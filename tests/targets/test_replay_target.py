"""The replay adapter: recorded production responses looked up by case id, sample or prompt."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from assurance_harness.datatypes import GenerationRequest, GenerationResponse
from assurance_harness.errors import ConfigError
from assurance_harness.targets.replay import (
    MismatchedRecordingError,
    MissingRecordingError,
    ReplaySpec,
    ReplayTarget,
)

from ..testing.cli import run_project


def write_jsonl(path: Path, rows: list[dict]) -> None:
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")


def req(case_id: str, sample: int = 0, prompt: str = "?") -> GenerationRequest:
    return GenerationRequest(
        case_id=case_id,
        sample=sample,
        seed=0,
        messages=[{"role": "user", "content": prompt}],
        params={},
    )


def generate(target: ReplayTarget, request: GenerationRequest) -> GenerationResponse:
    async def main() -> GenerationResponse:
        await target.start()
        return await target.generate(request)

    return asyncio.run(main())


def test_lookup_by_id_sample_order_and_prompt_with_field_mapping(tmp_path: Path) -> None:
    write_jsonl(
        tmp_path / "export.jsonl",
        [
            {"conv": "a", "q": "What is 2+2?", "out": {"text": "4"}, "m": "prod-1"},
            {"conv": "a", "q": "What is 2+2?", "out": {"text": "four"}, "m": "prod-1"},
            {"conv": "b", "q": "Hello", "out": {"text": "Hi!"}, "m": "prod-1"},
        ],
    )
    spec = ReplaySpec(
        path="export.jsonl",
        fields={"id": "conv", "prompt": "q", "response": "out.text", "model_version": "m"},
    )
    target = ReplayTarget(spec, base_dir=str(tmp_path))
    assert generate(target, req("a", 0, prompt="What is 2+2?")).text == "4"
    # File order gives the sample index.
    assert generate(target, req("a", 1, prompt="What is 2+2?")).text == "four"
    first = generate(target, req("b", prompt="Hello"))
    assert first.text == "Hi!" and first.model_version == "prod-1"
    # A case id the export does not know falls back to the exact prompt text.
    assert generate(target, req("renamed", 0, prompt="What is 2+2?")).text == "4"


def test_explicit_sample_field(tmp_path: Path) -> None:
    write_jsonl(
        tmp_path / "r.jsonl",
        [
            {"id": "x", "sample": 1, "response": "second"},
            {"id": "x", "sample": 0, "response": "first"},
        ],
    )
    target = ReplayTarget(
        ReplaySpec(path="r.jsonl", fields={"sample": "sample"}), base_dir=str(tmp_path)
    )
    assert generate(target, req("x", 0)).text == "first"
    assert generate(target, req("x", 1)).text == "second"


@pytest.mark.parametrize("in_memory", [False, True])
def test_a_null_response_is_no_answer_to_score(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, in_memory: bool
) -> None:
    # A transcript whose response is null recorded no answer (the production call failed, or
    # timed out); it was replayed as "", which every text scorer reads as a harmless reply.
    from assurance_harness.targets import replay

    if in_memory:  # the in-memory tables (the index's fallback on a hash collision)
        monkeypatch.setattr(replay._Entries, "index", lambda self: None)
    rows = [{"id": "x", "response": None}, {"id": "y", "response": ""}]
    write_jsonl(tmp_path / "r.jsonl", rows)
    target = ReplayTarget(ReplaySpec(path="r.jsonl"), base_dir=str(tmp_path))
    with pytest.raises(MissingRecordingError, match="null") as info:
        generate(target, req("x"))
    assert "case 'x' sample 0" in str(info.value) and not info.value.retryable
    assert generate(target, req("y")).text == ""  # an empty answer recorded is one


def test_missing_record_is_a_non_retryable_target_error(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "r.jsonl", [{"id": "x", "prompt": "p", "response": "r"}])
    target = ReplayTarget(ReplaySpec(path="r.jsonl"), base_dir=str(tmp_path))
    with pytest.raises(MissingRecordingError, match="case 'nope' sample 0") as info:
        generate(target, req("nope", prompt="other"))
    assert info.value.kind == "missing_recording" and not info.value.retryable
    with pytest.raises(MissingRecordingError):
        generate(target, req("x", 1))


def test_bad_files_are_config_errors_with_a_line(tmp_path: Path) -> None:
    (tmp_path / "bad.jsonl").write_text('{"id": "a", "response": "ok"}\n{broken\n')
    with pytest.raises(ConfigError, match=r"bad\.jsonl:2: not valid JSON"):
        asyncio.run(ReplayTarget(ReplaySpec(path="bad.jsonl"), base_dir=str(tmp_path)).start())
    (tmp_path / "nofield.jsonl").write_text('{"id": "a", "answer": "ok"}\n')
    with pytest.raises(ConfigError, match="record has no 'response'"):
        asyncio.run(ReplayTarget(ReplaySpec(path="nofield.jsonl"), base_dir=str(tmp_path)).start())
    with pytest.raises(ConfigError, match="cannot read the recording"):
        asyncio.run(ReplayTarget(ReplaySpec(path="absent.jsonl"), base_dir=str(tmp_path)).start())


def test_fingerprint_changes_with_the_recording(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "r.jsonl", [{"id": "x", "response": "one"}])
    target = ReplayTarget(ReplaySpec(path="r.jsonl"), base_dir=str(tmp_path))
    before = target.fingerprint()
    write_jsonl(tmp_path / "r.jsonl", [{"id": "x", "response": "two"}])
    assert target.fingerprint() != before


def test_exports_with_a_bom_and_raw_line_separators_in_responses_load(tmp_path: Path) -> None:
    # json.dumps(ensure_ascii=False) writes U+2028 and U+0085 raw; they are not record ends.
    rows = [{"id": "a", "response": "one\u2028two\x85three"}, {"id": "b", "response": "ok"}]
    text = "\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n"
    (tmp_path / "r.jsonl").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    target = ReplayTarget(ReplaySpec(path="r.jsonl"), base_dir=str(tmp_path))
    assert generate(target, req("a")).text == "one\u2028two\x85three"
    assert generate(target, req("b")).text == "ok"


def test_a_non_utf8_export_is_a_config_error_with_a_line(tmp_path: Path) -> None:
    (tmp_path / "r.jsonl").write_bytes(
        b'{"id": "a", "response": "ok"}\n{"id": "b", "response": "caf\xe9"}\n'
    )
    with pytest.raises(ConfigError, match=r"r\.jsonl:2: not UTF-8"):
        asyncio.run(ReplayTarget(ReplaySpec(path="r.jsonl"), base_dir=str(tmp_path)).start())


def test_the_file_index_answers_as_the_in_memory_one(tmp_path: Path, monkeypatch) -> None:
    """The recording is indexed by offset (bounded memory); the in-memory dicts (its fallback
    on a hash collision) give the same answer to every request, missing ones included."""
    from assurance_harness.targets import replay

    rows = [
        {"id": "a", "prompt": "p1", "response": "a0"},
        {"id": "a", "prompt": "p1", "response": "a1"},
        {"id": "b", "sample": 1, "prompt": "p2", "response": "b1"},
        {"id": "b", "prompt": "p2", "response": "b-free"},
        {"id": "b", "sample": 1, "prompt": "p2", "response": "b1"},  # the same again: harmless
        {"id": "c", "sample": -1, "response": "c-neg"},
        {"id": "d", "sample": "2", "response": None, "model": "v9"},
        {"prompt": "only prompt", "response": "by prompt"},
    ]
    (tmp_path / "r.jsonl").write_text(
        "\ufeff" + "\n".join(json.dumps(r) for r in rows) + "\n\n", encoding="utf-8"
    )
    spec = ReplaySpec(path="r.jsonl", fields={"sample": "sample", "model_version": "model"})
    requests = [
        req(case_id, sample, prompt)
        for case_id in ("a", "b", "c", "d", "zz")
        for sample in (-1, 0, 1, 2, 3)
        for prompt in ("p1", "p2", "only prompt", "none")
    ]

    def answers() -> list[tuple[str, str | None] | None]:
        target = ReplayTarget(spec, base_dir=str(tmp_path))
        out: list[tuple[str, str | None] | None] = []
        for request in requests:
            try:
                got = generate(target, request)
                out.append((got.text, got.model_version))
            except MissingRecordingError:
                out.append(None)
            except MismatchedRecordingError:  # found by id, recorded for another prompt
                out.append(("mismatched", None))
        return out

    from_file = answers()  # the sorted index read into memory (a small recording)
    monkeypatch.setattr(replay, "INDEX_IN_MEMORY", 0)
    assert answers() == from_file  # the sorted index searched on disk
    monkeypatch.setattr(replay._Entries, "index", lambda self: None)
    assert from_file == answers()
    assert ("b1", None) in from_file and ("", "v9") not in from_file


@pytest.mark.parametrize(
    ("second", "says"),
    [
        # A response path that ends at an object or a list (the export's text is one level
        # down) was recorded as Python's repr of it and scored as the model's answer; a number
        # or a boolean as Python spells it ("True"); NaN as "nan".
        ('{"id": "b", "response": {"text": "yo"}}', "'response' is an object, not text"),
        ('{"id": "b", "response": ["yo"]}', "'response' is a list, not text"),
        ('{"id": "b", "response": 42}', "'response' is a number, not text"),
        ('{"id": "b", "response": true}', "'response' is a boolean, not text"),
        ('{"id": "b", "response": NaN}', "'response' is a number, not text"),
        # A sample index that is not a whole number was truncated (1.5 -> 1, true -> 1), and
        # the case's sample 0 went missing; one too large for an index ended in an internal
        # error; -2**63 was read as "no index" and answered sample 0.
        ('{"id": "b", "response": "yo", "s": 1.5}', "sample '1.5' is not"),
        ('{"id": "b", "response": "yo", "s": true}', "sample 'true' is not"),
        ('{"id": "b", "response": "yo", "s": 1e30}', "is not"),
        ('{"id": "b", "response": "yo", "s": 99999999999999999999999}', "is not"),
        ('{"id": "b", "response": "yo", "s": -9223372036854775808}', "is not"),
    ],
)
def test_a_recording_that_would_be_read_as_something_else_is_refused_with_its_line(
    tmp_path: Path, second: str, says: str
) -> None:
    (tmp_path / "r.jsonl").write_text('{"id": "a", "response": "hi", "s": 0}\n' + second + "\n")
    (tmp_path / "t.yaml").write_text("type: replay\npath: r.jsonl\nfields: {sample: s}\n")
    (tmp_path / "s.yaml").write_text(
        "suite: rp\ncases: [{id: a, prompt: hi}, {id: b, prompt: yo}]\n"
        "metrics: [{id: failed, rate: error}]\n"
    )
    done = run_project(
        tmp_path,
        "--no-report",
        "--no-evidence",
        env={"TMPDIR": str(tmp_path)},
    )
    output = done.stdout + done.stderr
    assert done.returncode == 2, output
    assert "r.jsonl:2: " in output and says in output, output
    assert "internal error" not in output and "Traceback" not in output, output


def test_a_record_nested_past_the_json_reader_s_limit_is_a_config_error_with_its_line(
    tmp_path: Path,
) -> None:
    # It was a RecursionError: "internal error" at validate and at run.
    deep = "[" * 100_000 + "]" * 100_000
    (tmp_path / "r.jsonl").write_text(
        '{"id": "a", "response": "ok"}\n{"id": "b", "response": "x", "deep": ' + deep + "}\n"
    )
    with pytest.raises(ConfigError, match=r"r\.jsonl:2: .*nested too deep"):
        asyncio.run(ReplayTarget(ReplaySpec(path="r.jsonl"), base_dir=str(tmp_path)).start())


def test_a_recording_cut_short_while_it_is_indexed_is_changed_not_invalid_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Cut mid-record after its first megabyte was read, the index's last line was half a
    # record: the replay blamed the export ("not valid JSON" at that line) for a truncation.
    rec = tmp_path / "r.jsonl"
    write_jsonl(rec, [{"id": f"c{i}", "response": "ok " * 60} for i in range(12_000)])
    target = ReplayTarget(ReplaySpec(path="r.jsonl"), base_dir=str(tmp_path))
    real = ReplayTarget._parse
    cut = []

    def parse_then_cut(self: ReplayTarget, line: str, number: int) -> object:
        if not cut:  # as the first record is indexed, a writer cuts the file mid-record
            cut.append(True)
            with rec.open("r+b") as handle:
                handle.truncate(1_500_000 + 7)
        return real(self, line, number)

    monkeypatch.setattr(ReplayTarget, "_parse", parse_then_cut)
    with pytest.raises(ConfigError, match="changed while it was read"):
        target.load()
