"""Generation parameters that would measure nothing (``max_tokens: 0``, a negative count, a
number written as text) are refused by ``validate`` with the file and line, for every target
type and for a suite's own ``generation``: let through, the transformers target failed the run
(exit 3, "exception: ValueError") and an endpoint answered each request with a 400."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.testing.cli import invoke_in_process

HEADERS = {
    "openai": "type: openai\nbase_url: http://127.0.0.1:9/v1\nmodel: m\n",
    "http": "type: http\nurl: http://127.0.0.1:9/generate\nresponse_path: text\n",
    "transformers": "type: transformers\nmodel: model\n",
    "callable": "type: callable\nfunction: gen_params_mod:reply\npython_path: [.]\n",
}


def _folder(tmp_path: Path) -> Path:
    (tmp_path / "model").mkdir()
    (tmp_path / "model" / "config.json").write_text("{}")
    (tmp_path / "model" / "model.safetensors").write_bytes(b"")  # validate asks it is there
    (tmp_path / "gen_params_mod.py").write_text("def reply(messages):\n    return 'ok'\n")
    return tmp_path


def _validate(path: Path) -> tuple[int, str]:
    result = invoke_in_process(["validate", str(path)])
    return result.exit_code, result.output


@pytest.mark.parametrize("kind", sorted(HEADERS))
@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("max_tokens", "0"),
        ("max_tokens", "-5"),
        ("max_tokens", "'256'"),
        ("max_tokens", "true"),
        ("max_tokens", "12.5"),
        ("max_new_tokens", "0"),
        ("temperature", "-1"),
        ("temperature", "hot"),
        ("top_p", "1.5"),
        # transformers refuses a penalty that is not a strictly positive float (exit 3 at run
        # time); an endpoint answered 400, or divided the logits by 0.
        ("repetition_penalty", "0"),
        ("repetition_penalty", "-1.2"),
        ("repetition_penalty", ".nan"),
        ("repetition_penalty", ".inf"),
        ("repetition_penalty", "'1.2'"),
        ("repetition_penalty", "true"),
    ],
)
def test_a_generation_parameter_that_measures_nothing_fails_validate(
    tmp_path: Path, kind: str, name: str, value: str
) -> None:
    folder = _folder(tmp_path)
    target = folder / "t.yaml"
    target.write_text(HEADERS[kind] + f"generation:\n  user: tester\n  {name}: {value}\n")
    line = HEADERS[kind].count("\n") + 3
    code, output = _validate(target)
    assert code == 2, output
    assert f"t.yaml:{line}: generation.{name}" in output, output
    assert "Traceback" not in output and "internal error" not in output, output


def test_a_suite_generation_parameter_is_checked_the_same_way(tmp_path: Path) -> None:
    suite = tmp_path / "s.yaml"
    suite.write_text(
        "suite: s\ngeneration:\n  max_tokens: 0\ncases: [{id: a, prompt: hi}]\n"
        "metrics: [{id: failed, rate: error}]\n"
    )
    code, output = _validate(suite)
    assert code == 2, output
    assert "s.yaml:3: generation.max_tokens" in output, output


@pytest.mark.parametrize("kind", sorted(HEADERS))
def test_sound_and_unknown_generation_parameters_still_validate(tmp_path: Path, kind: str) -> None:
    folder = _folder(tmp_path)
    target = folder / "t.yaml"
    target.write_text(
        HEADERS[kind] + "generation:\n  max_tokens: 16\n  temperature: 0.7\n  top_p: 1\n"
        "  repetition_penalty: 1.1\n"
        "  stop: ['\\n']\n  seed_offset: 3\n  max_new_tokens: null\n"
    )
    code, output = _validate(target)
    assert code == 0, output


def test_a_transformers_target_refuses_no_concurrency(tmp_path: Path) -> None:
    """Its own ``concurrency`` field (default 1) dropped the bounds every other target has."""
    folder = _folder(tmp_path)
    target = folder / "t.yaml"
    target.write_text(HEADERS["transformers"] + "concurrency: 0\n")
    code, output = _validate(target)
    assert code == 2, output
    assert "t.yaml:3: concurrency" in output, output


@pytest.mark.parametrize("kind", sorted(HEADERS))
@pytest.mark.parametrize(("name", "value"), [("n", "3"), ("num_return_sequences", "2")])
def test_several_answers_a_request_fail_validate_naming_samples(
    tmp_path: Path, kind: str, name: str, value: str
) -> None:
    """``n: 3`` passed through to the endpoint, which answered three choices a request, of
    which only the first was scored: a third of what was asked for, said nowhere. A case is
    answered several times by the suite's ``samples``, each answer scored."""
    folder = _folder(tmp_path)
    target = folder / "t.yaml"
    target.write_text(HEADERS[kind] + f"generation:\n  {name}: {value}\n")
    code, output = _validate(target)
    assert code == 2, output
    assert f"t.yaml:{HEADERS[kind].count(chr(10)) + 2}: generation.{name}" in output, output
    assert "samples" in output and "Traceback" not in output, output


@pytest.mark.parametrize("name", ["n", "num_return_sequences"])
def test_one_answer_a_request_passes(tmp_path: Path, name: str) -> None:
    folder = _folder(tmp_path)
    target = folder / "t.yaml"
    target.write_text(HEADERS["openai"] + f"generation:\n  {name}: 1\n")
    code, output = _validate(target)
    assert code == 0, output
