"""A replayed answer ends as it was recorded: a transcript cut off at max_tokens
(``finish_reason: length``) replays as cut off, so the run counts it and its row says so; and
records that answer no case of the suite are counted in a warning, not silently ignored. Real
recording files, a real run in this process.

Was: the replay target read the response text (and model) only, so a cut-off transcript was
scored as a complete answer; and a recording of other cases (or ids spelt otherwise) answered
some cases while the rest of its records were ignored without a word.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from assurance_harness.datatypes import GenerationRequest, GenerationResponse
from assurance_harness.errors import ConfigError
from assurance_harness.runner.run import run_suite
from assurance_harness.targets.replay import ReplaySpec, ReplayTarget


def _write(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _generate(target: ReplayTarget, case_id: str, prompt: str = "?") -> GenerationResponse:
    request = GenerationRequest(
        case_id=case_id,
        sample=0,
        seed=0,
        messages=[{"role": "user", "content": prompt}],
        params={},
    )

    async def main() -> GenerationResponse:
        await target.start()
        try:
            return await target.generate(request)
        finally:
            await target.close()

    return asyncio.run(main())


def test_a_recorded_finish_reason_is_replayed(tmp_path: Path) -> None:
    _write(
        tmp_path / "rec.jsonl",
        [
            {"id": "a", "response": "The first step is", "finish_reason": "length"},
            {"id": "b", "response": "Done.", "finish_reason": "stop"},
            {"id": "c", "response": "No reason recorded."},
        ],
    )
    target = ReplayTarget(ReplaySpec(path="rec.jsonl"), base_dir=str(tmp_path))
    assert _generate(target, "a").finish_reason == "length"
    assert _generate(target, "b").finish_reason == "stop"
    assert _generate(target, "c").finish_reason is None
    # The default mapping leaves the target's fingerprint as it was before the field existed.
    assert "finish_reason" not in target.public_config()["fields"]


def test_a_mapped_finish_reason_path_is_read(tmp_path: Path) -> None:
    _write(
        tmp_path / "rec.jsonl",
        [{"conv": "a", "out": {"text": "Half an", "stop": "max_tokens"}}],
    )
    spec = ReplaySpec(
        path="rec.jsonl",
        fields={"id": "conv", "response": "out.text", "finish_reason": "out.stop"},
    )
    target = ReplayTarget(spec, base_dir=str(tmp_path))
    assert _generate(target, "a").finish_reason == "max_tokens"
    assert target.public_config()["fields"]["finish_reason"] == "out.stop"


def test_a_finish_reason_that_is_not_text_is_refused_naming_its_line(tmp_path: Path) -> None:
    _write(
        tmp_path / "rec.jsonl",
        [
            {"id": "a", "response": "ok", "finish_reason": "stop"},
            {"id": "b", "response": "ok", "finish_reason": {"type": "length"}},
        ],
    )
    target = ReplayTarget(ReplaySpec(path="rec.jsonl"), base_dir=str(tmp_path))
    with pytest.raises(ConfigError) as refused:
        target.check()
    issue = refused.value.issues[0]
    assert issue.line == 2, refused.value
    assert "finish_reason" in issue.message and "not text" in issue.message, issue.message


SUITE = """\
suite: replayed
cases:
  - {id: a, prompt: "first question"}
  - {id: b, prompt: "second question"}
scorers:
  - {id: len, use: length}
metrics:
  - {id: long, rate: 'len.words > 1'}
"""


def _run(tmp_path: Path, rows: list[dict]):
    _write(tmp_path / "rec.jsonl", rows)
    (tmp_path / "target.yaml").write_text("type: replay\npath: rec.jsonl\n", encoding="utf-8")
    (tmp_path / "suite.yaml").write_text(SUITE, encoding="utf-8")
    return run_suite(
        tmp_path / "suite.yaml",
        tmp_path / "target.yaml",
        reports_dir=tmp_path / "reports",
        write_reports=False,
        attach_evidence=False,
    )


def test_a_replayed_run_counts_the_cut_off_transcript(tmp_path: Path) -> None:
    outcome = _run(
        tmp_path,
        [
            {"id": "a", "prompt": "first question", "response": "It is", "finish_reason": "length"},
            {"id": "b", "prompt": "second question", "response": "A whole answer."},
        ],
    )
    assert outcome.summary["counts"]["finish_reasons"] == {"length": 1}
    rows = (outcome.run_dir / "results.jsonl").read_text(encoding="utf-8").splitlines()
    assert json.loads(rows[0])["finish_reason"] == "length"
    assert "finish_reason" not in json.loads(rows[1])
    assert outcome.warnings == []  # every record answered a case


def test_records_that_answer_no_case_are_counted_in_a_warning(tmp_path: Path) -> None:
    outcome = _run(
        tmp_path,
        [
            {"id": "a", "prompt": "first question", "response": "One answer."},
            {"id": "b", "prompt": "second question", "response": "Another answer."},
            {"id": "a-2", "prompt": "third question", "response": "Not this suite's."},
            {"id": "z", "prompt": "fourth question", "response": "Nor this."},
            {"prompt": "fifth question", "response": "No id, no case's prompt."},
        ],
    )
    [warning] = [w for w in outcome.warnings if "rec.jsonl" in w]
    assert "3 of the 5 records" in warning, warning
    assert "no case" in warning, warning
