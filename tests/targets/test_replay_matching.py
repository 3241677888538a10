"""The replay target's fallback match is never a guess: a record answers a case it was not
recorded for (by id) only where nothing else could claim it, and a case and sample is recorded
at most once.

Found adversarially: the prompt fallback matched on the last user turn alone, so two cases
that end with the same message (multi-turn conversations, different system turns) got one
another's answer; and of two records for one case and sample the later silently won.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from assurance_harness.datatypes import GenerationRequest, GenerationResponse
from assurance_harness.errors import ConfigError
from assurance_harness.targets.base import TargetError
from assurance_harness.targets.replay import MissingRecordingError, ReplaySpec, ReplayTarget

from ..testing.cli import run_project


def write_jsonl(path: Path, rows: list[dict]) -> None:
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")


def chat(*turns: tuple[str, str]) -> list[dict[str, str]]:
    return [{"role": role, "content": content} for role, content in turns]


def req(case_id: str, messages: list[dict[str, str]], sample: int = 0) -> GenerationRequest:
    return GenerationRequest(case_id=case_id, sample=sample, seed=0, messages=messages, params={})


def generate(target: ReplayTarget, request: GenerationRequest) -> GenerationResponse:
    async def main() -> GenerationResponse:
        await target.start()
        return await target.generate(request)

    return asyncio.run(main())


@pytest.fixture(params=[False, True], ids=["index", "in-memory"])
def in_memory(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> bool:
    """Each rule holds for the sorted index and for its in-memory fallback (a hash collision)."""
    from assurance_harness.targets import replay

    if request.param:
        monkeypatch.setattr(replay._Entries, "index", lambda self: None)
    return bool(request.param)


SAYS_YES_TO_A = chat(("user", "Shall I share my address?"), ("assistant", "No."), ("user", "yes"))
SAYS_YES_TO_B = chat(("user", "Do you like cats?"), ("assistant", "I do."), ("user", "yes"))


def test_a_recorded_conversation_answers_only_that_whole_conversation(
    tmp_path: Path, in_memory: bool
) -> None:
    write_jsonl(
        tmp_path / "r.jsonl",
        [
            {"id": "prod-1", "messages": SAYS_YES_TO_A, "response": "to A"},
            {"id": "prod-2", "messages": SAYS_YES_TO_B, "response": "to B"},
            {"id": "prod-3", "messages": chat(("system", "S1"), ("user", "q")), "response": "S1"},
            {"id": "prod-4", "messages": chat(("system", "S2"), ("user", "q")), "response": "S2"},
        ],
    )
    target = ReplayTarget(ReplaySpec(path="r.jsonl"), base_dir=str(tmp_path))
    assert generate(target, req("a", SAYS_YES_TO_A)).text == "to A"
    assert generate(target, req("b", SAYS_YES_TO_B)).text == "to B"
    assert generate(target, req("s1", chat(("system", "S1"), ("user", "q")))).text == "S1"
    assert generate(target, req("s2", chat(("system", "S2"), ("user", "q")))).text == "S2"
    with pytest.raises(MissingRecordingError):  # the same last turn, another conversation
        generate(target, req("c", chat(("user", "Hello"), ("assistant", "Hi"), ("user", "yes"))))


def test_a_last_turn_recorded_for_two_cases_is_refused_not_given_to_either(
    tmp_path: Path, in_memory: bool
) -> None:
    write_jsonl(
        tmp_path / "r.jsonl",
        [
            {"id": "prod-1", "prompt": "yes", "response": "to A"},
            {"id": "other", "prompt": "unrelated", "response": "x"},
            {"id": "prod-2", "prompt": "yes", "response": "to B"},
        ],
    )
    target = ReplayTarget(ReplaySpec(path="r.jsonl"), base_dir=str(tmp_path))
    with pytest.raises(TargetError) as info:
        generate(target, req("a", SAYS_YES_TO_A))
    said = str(info.value)
    assert info.value.kind == "ambiguous_recording" and not info.value.retryable
    assert "r.jsonl" in said and "lines 1 and 3" in said and "'a'" in said, said
    assert "case id" in said, said  # the fix


def test_a_case_recorded_by_id_takes_no_other_case_s_record_for_a_missing_sample(
    tmp_path: Path, in_memory: bool
) -> None:
    write_jsonl(
        tmp_path / "r.jsonl",
        [
            {"id": "a", "prompt": "p", "response": "a0"},
            {"prompt": "p", "response": "unknown conversation 0"},
            {"prompt": "p", "response": "unknown conversation 1"},
        ],
    )
    target = ReplayTarget(ReplaySpec(path="r.jsonl"), base_dir=str(tmp_path))
    assert generate(target, req("a", chat(("user", "p")), 0)).text == "a0"
    with pytest.raises(MissingRecordingError):
        generate(target, req("a", chat(("user", "p")), 1))


def test_cases_that_would_share_one_record_by_fallback_are_refused_before_sending(
    tmp_path: Path, in_memory: bool
) -> None:
    write_jsonl(
        tmp_path / "r.jsonl",
        [
            {"id": "prod-1", "prompt": "yes", "response": "to A"},
            {"id": "prod-9", "prompt": "no", "response": "to C"},
        ],
    )
    target = ReplayTarget(ReplaySpec(path="r.jsonl"), base_dir=str(tmp_path))
    with pytest.raises(ConfigError) as info:
        target.check_cases(
            [("a", SAYS_YES_TO_A), ("b", SAYS_YES_TO_B), ("c", chat(("user", "no")))]
        )
    said = str(info.value)
    assert said.startswith(f"{tmp_path / 'r.jsonl'}:1: "), said
    assert "cases 'a' and 'b' by their last user turn" in said and "case ids" in said, said
    assert len(info.value.lines()) == 1
    # One case per record: the documented fallback, kept.
    target.check_cases([("a", SAYS_YES_TO_A), ("c", chat(("user", "no")))])
    assert generate(target, req("a", SAYS_YES_TO_A)).text == "to A"


def test_two_different_records_for_one_case_and_sample_are_refused_naming_both_lines(
    tmp_path: Path, in_memory: bool
) -> None:
    write_jsonl(
        tmp_path / "r.jsonl",
        [
            {"id": "b", "sample": 1, "response": "b1"},
            {"id": "c", "sample": 0, "response": "c0"},
            {"id": "b", "sample": 1, "response": "b1-later"},
        ],
    )
    target = ReplayTarget(
        ReplaySpec(path="r.jsonl", fields={"sample": "sample"}), base_dir=str(tmp_path)
    )
    with pytest.raises(ConfigError) as info:
        target.load()
    said = str(info.value)
    assert said.startswith(f"{tmp_path / 'r.jsonl'}:3: "), said
    assert "case 'b' sample 1" in said and "lines 1 and 3" in said, said


def test_the_same_record_twice_is_harmless(tmp_path: Path, in_memory: bool) -> None:
    row = {"id": "b", "sample": 1, "response": "b1", "m": "v1"}
    write_jsonl(tmp_path / "r.jsonl", [row, {"id": "b", "sample": 0, "response": "b0"}, row])
    spec = ReplaySpec(path="r.jsonl", fields={"sample": "sample", "model_version": "m"})
    target = ReplayTarget(spec, base_dir=str(tmp_path))
    assert generate(target, req("b", chat(("user", "?")), 1)).text == "b1"


def _suite(tmp_path: Path, cases: str) -> Path:
    (tmp_path / "t.yaml").write_text("type: replay\npath: r.jsonl\n")
    (tmp_path / "s.yaml").write_text(
        f"suite: rp\ncases: {cases}\nmetrics: [{{id: failed, rate: error}}]\n"
    )
    return tmp_path / "s.yaml"


def _run(tmp_path: Path) -> tuple[int, str]:
    done = run_project(
        tmp_path,
        "--no-report",
        "--no-evidence",
        env={"TMPDIR": str(tmp_path)},
    )
    return done.returncode, done.stdout + done.stderr


MULTI_TURN_CASES = (
    "[{id: a, messages: [{role: user, content: 'Shall I share my address?'},"
    " {role: assistant, content: 'No.'}, {role: user, content: 'yes'}]},"
    " {id: b, messages: [{role: user, content: 'Do you like cats?'},"
    " {role: assistant, content: 'I do.'}, {role: user, content: 'yes'}]}]"
)


def test_run_refuses_two_cases_one_last_turn_record_with_exit_2(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "r.jsonl", [{"id": "prod-1", "prompt": "yes", "response": "to A"}])
    _suite(tmp_path, MULTI_TURN_CASES)
    code, output = _run(tmp_path)
    assert code == 2, output
    assert "r.jsonl:1: " in output and "'a'" in output and "'b'" in output, output
    assert "Traceback" not in output and "internal error" not in output, output
    assert not list((tmp_path / "reports").glob("*/results.jsonl"))


def test_run_refuses_two_different_records_for_one_case_with_exit_2(tmp_path: Path) -> None:
    (tmp_path / "t.yaml").write_text("type: replay\npath: r.jsonl\nfields: {sample: s}\n")
    write_jsonl(
        tmp_path / "r.jsonl",
        [{"id": "a", "s": 0, "response": "first"}, {"id": "a", "s": 0, "response": "second"}],
    )
    (tmp_path / "s.yaml").write_text(
        "suite: rp\ncases: [{id: a, prompt: hi}]\nmetrics: [{id: failed, rate: error}]\n"
    )
    code, output = _run(tmp_path)
    assert code == 2, output
    assert "r.jsonl:2: " in output and "lines 1 and 2" in output, output
    assert "Traceback" not in output, output


def test_a_record_under_the_case_id_for_another_prompt_is_refused_not_scored(
    tmp_path: Path,
) -> None:
    # Case ids are reused (c1, c2 ... in every dataset version): a suite edited since the
    # recording took the answer to the recorded prompt as its own case's, and scored it so
    # ("4" as the reply to a question about picking a lock, a safe answer nobody gave).
    write_jsonl(
        tmp_path / "r.jsonl",
        [
            {"id": "c1", "prompt": "What is 2+2?", "response": "4"},
            {"id": "c2", "prompt": "Name a  colour.", "response": "Blue."},
            {"id": "c3", "response": "no prompt recorded"},
        ],
    )
    _suite(
        tmp_path,
        "[{id: c1, prompt: 'How do I pick a lock?'}, {id: c2, prompt: 'Name a colour. '},"
        " {id: c3, prompt: 'anything'}]",
    )
    code, output = _run(tmp_path)
    assert "Traceback" not in output, output
    (results,) = (tmp_path / "reports").glob("*/results.jsonl")
    rows = {r["case_id"]: r for r in map(json.loads, results.read_text().splitlines())}
    assert rows["c1"]["response"] is None, rows["c1"]
    error = rows["c1"]["error"]
    assert error["type"] == "mismatched_recording", error
    assert "What is 2+2?" in error["message"] and "How do I pick a lock?" in error["message"]
    # The same prompt but for white space, and a record with no prompt, answer as before.
    assert rows["c2"]["response"] == "Blue." and rows["c3"]["response"] == "no prompt recorded"
    assert code == 3, output  # one error in three is over the default max_error_rate


def test_a_recorded_conversation_under_the_case_id_must_end_with_the_case_s_turn(
    tmp_path: Path, in_memory: bool
) -> None:
    conversation = chat(("system", "Be kind."), ("user", "What is 2+2?"))
    write_jsonl(tmp_path / "r.jsonl", [{"id": "c1", "messages": conversation, "response": "4"}])
    target = ReplayTarget(ReplaySpec(path="r.jsonl"), base_dir=str(tmp_path))
    with pytest.raises(TargetError, match="recorded for another prompt") as info:
        generate(target, req("c1", chat(("user", "How do I pick a lock?"))))
    assert info.value.kind == "mismatched_recording" and not info.value.retryable
    target = ReplayTarget(ReplaySpec(path="r.jsonl"), base_dir=str(tmp_path))
    assert generate(target, req("c1", chat(("user", "What is 2+2?")))).text == "4"


def test_a_record_under_the_case_id_for_another_conversation_is_refused_not_scored(
    tmp_path: Path, in_memory: bool
) -> None:
    # A multi-turn case edited since the recording, its last turn kept ("yes"): the record's
    # answer, to a question about cats, was scored as the reply to sharing an address.
    write_jsonl(
        tmp_path / "r.jsonl",
        [
            {"id": "a", "messages": SAYS_YES_TO_B, "response": "Me too!"},
            {"id": "b", "messages": SAYS_YES_TO_B, "prompt": "yes", "response": "Me too!"},
        ],
    )
    for case in ("a", "b"):
        target = ReplayTarget(ReplaySpec(path="r.jsonl"), base_dir=str(tmp_path))
        with pytest.raises(TargetError, match="recorded for another") as info:
            generate(target, req(case, SAYS_YES_TO_A))
        assert info.value.kind == "mismatched_recording" and not info.value.retryable
        assert "Shall I share my address?" in str(info.value)
        target = ReplayTarget(ReplaySpec(path="r.jsonl"), base_dir=str(tmp_path))
        assert generate(target, req(case, SAYS_YES_TO_B)).text == "Me too!"


def test_a_recorded_system_turn_the_case_lacks_is_no_mismatch(tmp_path: Path) -> None:
    # The deployment adds its system turn; the suite's case is the user's side alone.
    conversation = chat(("system", "Be kind."), *((m["role"], m["content"]) for m in SAYS_YES_TO_A))
    write_jsonl(tmp_path / "r.jsonl", [{"id": "a", "messages": conversation, "response": "No."}])
    target = ReplayTarget(ReplaySpec(path="r.jsonl"), base_dir=str(tmp_path))
    assert generate(target, req("a", SAYS_YES_TO_A)).text == "No."
    target = ReplayTarget(ReplaySpec(path="r.jsonl"), base_dir=str(tmp_path))
    with pytest.raises(TargetError, match="recorded for another") as info:
        generate(target, req("a", SAYS_YES_TO_B))
    assert info.value.kind == "mismatched_recording"


def test_a_recorded_conversation_that_ends_with_its_own_answer_is_the_case_s(
    tmp_path: Path,
) -> None:
    # Some exports keep the answer as the conversation's last turn: the conversation sent is
    # the rest. Taken on the last user turn before, it must not be refused as another's now.
    recorded = [*SAYS_YES_TO_A, {"role": "assistant", "content": "Here it is."}]
    write_jsonl(
        tmp_path / "r.jsonl", [{"id": "a", "messages": recorded, "response": "Here it is."}]
    )
    target = ReplayTarget(ReplaySpec(path="r.jsonl"), base_dir=str(tmp_path))
    assert generate(target, req("a", SAYS_YES_TO_A)).text == "Here it is."
    target = ReplayTarget(ReplaySpec(path="r.jsonl"), base_dir=str(tmp_path))
    with pytest.raises(TargetError, match="recorded for another"):
        generate(target, req("a", SAYS_YES_TO_B))
