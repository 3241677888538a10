"""The callable adapter: sync and async functions, flexible signatures, return shapes, errors."""

from __future__ import annotations

import asyncio
import textwrap
import threading
from pathlib import Path

import pytest

from assurance_harness.datatypes import GenerationRequest, GenerationResponse
from assurance_harness.errors import ConfigError
from assurance_harness.targets.base import BadResponseError, RateLimitedError
from assurance_harness.targets.callable_target import CallableError, CallableSpec, CallableTarget

from ..testing.cli import run_cli, run_project

MODULE = """
import asyncio
import threading

from assurance_harness.targets.base import RateLimitedError

MAIN_THREAD = threading.main_thread().ident


def sync_reply(messages, params, *, metadata):
    return {
        "text": f"{messages[-1]['content']}|{params.get('temperature')}|{metadata.get('group')}",
        "model_version": "helper-2",
        "thread_is_main": threading.get_ident() == MAIN_THREAD,
    }


async def async_reply(**kwargs):
    await asyncio.sleep(0)
    return f"async:{sorted(kwargs)}:{kwargs['seed']}:{kwargs['case_id']}"


def first_positional(msgs):
    return msgs[0]["role"]


def thread_name(messages):
    return threading.current_thread().name


def limited(messages):
    raise RateLimitedError("busy", retry_after=2)


def broken(messages):
    raise ValueError("bad input")


def wrong_type(messages):
    return 42
"""


@pytest.fixture
def target_dir(tmp_path: Path) -> Path:
    pkg = tmp_path / "helpers"
    pkg.mkdir()
    module = f"mod_{tmp_path.name.replace('-', '_')}"
    (pkg / f"{module}.py").write_text(textwrap.dedent(MODULE))
    (tmp_path / "module_name").write_text(module)
    return tmp_path


def make(target_dir: Path, function: str, **fields: object) -> CallableTarget:
    module = (target_dir / "module_name").read_text()
    spec = CallableSpec(function=f"{module}:{function}", python_path=["helpers"], **fields)
    return CallableTarget(spec, base_dir=str(target_dir))


def request() -> GenerationRequest:
    return GenerationRequest(
        case_id="k1",
        sample=0,
        seed=11,
        messages=[{"role": "user", "content": "hi"}],
        params={"temperature": 0.5},
        metadata={"group": "girl"},
    )


def generate(target: CallableTarget) -> GenerationResponse:
    async def main() -> GenerationResponse:
        await target.start()
        return await target.generate(request())

    return asyncio.run(main())


def test_sync_function_runs_in_a_worker_thread_with_declared_arguments(target_dir: Path) -> None:
    response = generate(make(target_dir, "sync_reply"))
    assert response.text == "hi|0.5|girl"
    assert response.model_version == "helper-2"


def test_async_function_with_var_kwargs_gets_everything(target_dir: Path) -> None:
    response = generate(make(target_dir, "async_reply"))
    expected = sorted(["messages", "params", "metadata", "seed", "sample", "case_id", "request"])
    assert response.text == f"async:{expected}:11:k1"


def test_first_positional_parameter_with_any_name_gets_messages(target_dir: Path) -> None:
    target = make(target_dir, "first_positional", system_prompt="Be nice.")
    assert generate(target).text == "system"


def test_sync_functions_do_not_run_on_the_event_loop_thread(target_dir: Path) -> None:
    assert generate(make(target_dir, "thread_name")).text != threading.main_thread().name


def test_target_errors_pass_through_other_exceptions_are_wrapped(target_dir: Path) -> None:
    with pytest.raises(RateLimitedError) as info:
        generate(make(target_dir, "limited"))
    assert info.value.retry_after == 2
    with pytest.raises(CallableError, match="raised ValueError: bad input") as wrapped:
        generate(make(target_dir, "broken"))
    assert not wrapped.value.retryable
    with pytest.raises(BadResponseError, match="returned int"):
        generate(make(target_dir, "wrong_type"))


def test_configuration_errors_are_one_line(target_dir: Path) -> None:
    with pytest.raises(ConfigError, match="not of the form module:function"):
        asyncio.run(CallableTarget(CallableSpec(function="nocolon")).start())
    with pytest.raises(ConfigError, match="cannot import module 'no_such_module_xyz'"):
        asyncio.run(CallableTarget(CallableSpec(function="no_such_module_xyz:f")).start())
    with pytest.raises(ConfigError, match="has no function 'missing'"):
        asyncio.run(make(target_dir, "missing").start())


def test_fingerprint_follows_the_function_source(target_dir: Path) -> None:
    module = (target_dir / "module_name").read_text()
    first = make(target_dir, "sync_reply").fingerprint()
    assert make(target_dir, "sync_reply").fingerprint() == first
    source = target_dir / "helpers" / f"{module}.py"
    source.write_text(source.read_text() + "\n# edited\n")
    import sys

    sys.modules.pop(module, None)
    assert make(target_dir, "sync_reply").fingerprint() != first


def test_hung_sync_calls_time_out_without_starving_others_or_blocking_exit(
    tmp_path: Path,
) -> None:
    # asyncio.to_thread's shared pool (min(32, CPUs + 4) workers) kept each hung call's worker:
    # later requests queued behind them timed out too, and the command waited for the hung
    # calls before it could exit.
    import time

    (tmp_path / "hangs.py").write_text(
        "import time\n\n\ndef reply(messages):\n"
        "    if 'hang' in messages[-1]['content']:\n        time.sleep(60)\n"
        "    return 'ok'\n"
    )
    (tmp_path / "target.yaml").write_text(
        "type: callable\nfunction: hangs:reply\npython_path: ['.']\nconcurrency: 40\n"
        "timeout_s: 1\nretry: {max_attempts: 1}\n"
    )
    cases = [f"{{id: h{i}, prompt: hang {i}}}" for i in range(36)]
    cases += [f"{{id: f{i}, prompt: fine {i}}}" for i in range(4)]
    (tmp_path / "suite.yaml").write_text(
        f"suite: hangs\nmax_error_rate: 0.95\ncases: [{', '.join(cases)}]\n"
        "metrics:\n  - {id: failed, rate: error}\n"
    )
    started = time.monotonic()
    done = run_cli(
        "run",
        tmp_path / "suite.yaml",
        "--target",
        tmp_path / "target.yaml",
        "--reports",
        tmp_path / "reports",
        "--no-report",
        "--no-evidence",
        "--no-cache",
        timeout=50,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert time.monotonic() - started < 30
    assert "errors 36 " in done.stdout


HOSTILE = """
import asyncio

from assurance_harness.datatypes import GenerationResponse


class Odd(BaseException):
    pass


class Unprintable(Exception):
    def __str__(self):
        raise RuntimeError("no message")


def exit_zero(messages):
    raise SystemExit(0)


def huge_text(messages):
    return "x" * 40_000_000


def huge_dict(messages):
    return {"text": "\u00e9" * 17_000_000}  # 17 million characters, 34 MB of UTF-8


def huge_response(messages):
    return GenerationResponse(text="x" * 40_000_000)


def exit_one(messages):
    raise SystemExit(1)


def base_exception(messages):
    raise Odd("boom")


async def async_base_exception(messages):
    raise Odd("boom")


def cancelled(messages):
    raise asyncio.CancelledError()


async def async_cancelled(messages):
    raise asyncio.CancelledError()


def generator_exit(messages):
    raise GeneratorExit()


def keyboard_interrupt(messages):
    raise KeyboardInterrupt()


async def async_keyboard_interrupt(messages):
    raise KeyboardInterrupt()


def stop_iteration(messages):
    raise StopIteration()


def unprintable(messages):
    raise Unprintable()


async def _answer():
    return "ok"


def returns_coroutine(messages):
    return _answer()


def response_without_text(messages):
    return GenerationResponse(text=None)


def response_with_number(messages):
    return GenerationResponse(text=5)
"""


@pytest.mark.parametrize(
    ("function", "kind", "says"),
    [
        ("exit_zero", "callable_error", "raised SystemExit: 0"),
        ("exit_one", "callable_error", "raised SystemExit: 1"),
        ("base_exception", "callable_error", "raised Odd: boom"),
        ("async_base_exception", "callable_error", "raised Odd: boom"),
        ("cancelled", "callable_error", "raised CancelledError"),
        ("async_cancelled", "callable_error", "raised CancelledError"),
        ("generator_exit", "callable_error", "raised GeneratorExit"),
        # Raised in the function's own thread, never the user's Ctrl-C (that reaches the main
        # thread): it read as one, "interrupted", exit 130, and a resume that hit it again.
        ("keyboard_interrupt", "callable_error", "raised KeyboardInterrupt"),
        ("async_keyboard_interrupt", "callable_error", "raised KeyboardInterrupt"),
        ("stop_iteration", "callable_error", "StopIteration"),
        ("unprintable", "callable_error", "raised Unprintable"),
        # A sync function that returns a coroutine (it forgot async def, or calls an async
        # client without awaiting): "returned coroutine", and Python's "never awaited" warning.
        ("returns_coroutine", "bad_response", "returned a coroutine; make the function async"),
        ("response_without_text", "bad_response", "returned a GenerationResponse whose text"),
        ("response_with_number", "bad_response", "returned a GenerationResponse whose text"),
        # An answer of any size was kept whole (a 500 MB one copied into the row, the JSON
        # line, the scorers): the http targets' cap on an answer (max_response_mb) holds here.
        ("huge_text", "bad_response", "returned an answer of more than 32 MB"),
        ("huge_dict", "bad_response", "returned an answer of more than 32 MB"),
        ("huge_response", "bad_response", "returned an answer of more than 32 MB"),
    ],
)
def test_whatever_the_function_raises_or_returns_is_that_case_s_error(
    tmp_path: Path, function: str, kind: str, says: str
) -> None:
    # SystemExit(0) from the function ended the whole command with exit 0 and no word (a run
    # that "passed"), SystemExit(1) with exit 1 (a failed gate, to CI); other BaseExceptions
    # (and a CancelledError the run did not ask for) with a traceback and exit 1; a
    # StopIteration was reported as a timeout; a GenerationResponse without text as an
    # internal error. Each is one failed request, recorded with what the function did.
    (tmp_path / "hostile_fns.py").write_text(HOSTILE)
    (tmp_path / "t.yaml").write_text(
        f"type: callable\nfunction: hostile_fns:{function}\npython_path: ['.']\n"
        "timeout_s: 20\nretry: {max_attempts: 1}\n"
    )
    (tmp_path / "s.yaml").write_text(
        "suite: hostile\ncases: [{id: a, prompt: hi}]\nmetrics:\n  - {id: failed, rate: error}\n"
    )
    done = run_project(
        tmp_path,
        "--no-report",
        "--no-evidence",
        "--no-cache",
        timeout=60,
        env={"TMPDIR": str(tmp_path)},
    )
    output = done.stdout + done.stderr
    assert done.returncode == 3, output
    assert "Traceback" not in output and "internal error" not in output, output
    assert f"errors: {kind} 1; first: " in output and says in output, output
    assert "RuntimeWarning" not in output, output
    assert not list(tmp_path.glob("assurance-crash-*")), output


@pytest.mark.parametrize(
    ("source", "says"),
    [
        ("def reply(messages)\n    return 'x'\n", "SyntaxError"),
        ("raise RuntimeError('needs a GPU')\n", "RuntimeError: needs a GPU"),
        ("import sys\nsys.exit(0)\n", "SystemExit: 0"),
        ("import sys\nsys.exit(1)\n", "SystemExit: 1"),
    ],
)
def test_a_module_that_fails_as_it_is_imported_is_a_configuration_error(
    tmp_path: Path, source: str, says: str
) -> None:
    # A syntax error or an exception in the user's module read as "internal error ... a bug in
    # assurance-harness" (exit 3, a crash report); sys.exit(0) at import ended the run with
    # exit 0 and not a word, as if every gate had passed.
    (tmp_path / "failing_mod.py").write_text(source)
    (tmp_path / "t.yaml").write_text(
        "type: callable\nfunction: failing_mod:reply\npython_path: ['.']\n"
    )
    (tmp_path / "s.yaml").write_text(
        "suite: s\ncases: [{id: a, prompt: hi}]\nmetrics:\n  - {id: failed, rate: error}\n"
    )
    done = run_project(
        tmp_path,
        "--no-report",
        "--no-evidence",
        timeout=60,
        env={"TMPDIR": str(tmp_path)},
    )
    output = done.stdout + done.stderr
    assert done.returncode == 2, output
    assert "cannot import module 'failing_mod'" in output and says in output, output
    assert "internal error" not in output and "Traceback" not in output, output
    assert not list(tmp_path.glob("assurance-crash-*")), output


MUTATING = """
def reply(messages, params, metadata, request):
    answer = f"{messages[-1]['content']}|{params.get('temperature')}|{metadata.get('group')}"
    messages[-1]["content"] += "+"
    messages.append({"role": "assistant", "content": "injected"})
    params["temperature"] = 9
    metadata["group"] = "changed"
    request.messages.clear()
    request.metadata["extra"] = 1
    return answer
"""


def test_a_function_that_changes_what_it_is_given_changes_no_later_request(
    tmp_path: Path,
) -> None:
    # The function was handed the run's own lists and dicts: what it changed, the next sample of
    # the case and every retry were asked instead (a prompt "hi+" where the results say "hi"),
    # and the case's metadata recorded in results.jsonl (the groups fairness metrics split by)
    # was whatever the function left there. Each call now gets its own copies.
    (tmp_path / "mutating_fns.py").write_text(MUTATING)
    target = CallableTarget(
        CallableSpec(function="mutating_fns:reply", python_path=["."]), base_dir=str(tmp_path)
    )
    sent = request()

    async def main() -> list[str]:
        await target.start()
        return [(await target.generate(sent)).text for _ in range(3)]

    assert asyncio.run(main()) == ["hi|0.5|girl"] * 3
    assert sent.messages == [{"role": "user", "content": "hi"}]
    assert sent.params == {"temperature": 0.5}
    assert sent.metadata == {"group": "girl"}


def test_an_async_function_that_blocks_its_loop_times_out(tmp_path: Path) -> None:
    # An ``async def`` that calls blocking code (time.sleep, a sync client) ran on the run's own
    # event loop: the loop stopped, so timeout_s never fired, the progress line froze and even
    # SIGTERM (handled on that loop) was ignored; the run hung until killed. Async functions
    # now run on a loop of their own, so a blocked one is a timeout like a hung sync function.
    import time

    (tmp_path / "blocks_loop.py").write_text(
        "import time\n\n\nasync def reply(messages):\n"
        "    if 'hang' in messages[-1]['content']:\n        time.sleep(60)\n"
        "    return 'ok'\n"
    )
    (tmp_path / "t.yaml").write_text(
        "type: callable\nfunction: blocks_loop:reply\npython_path: ['.']\n"
        "timeout_s: 1\nretry: {max_attempts: 1}\n"
    )
    (tmp_path / "s.yaml").write_text(
        "suite: blocks\ncases: [{id: a, prompt: hang}]\nmetrics:\n  - {id: failed, rate: error}\n"
    )
    started = time.monotonic()
    done = run_project(
        tmp_path,
        "--no-report",
        "--no-evidence",
        "--no-cache",
        timeout=40,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 3, output
    assert "errors: timeout 1" in output, output
    assert time.monotonic() - started < 30


def test_a_function_that_changes_the_working_directory_does_not_move_the_run(
    tmp_path: Path,
) -> None:
    # os.chdir in the function (to load its files) moved the whole process: the run's relative
    # --reports folder was then looked for elsewhere and the run failed "cannot write a
    # temporary file in reports/..." after every answer had been received.
    (tmp_path / "moves.py").write_text(
        "import os\n\n\ndef reply(messages):\n    os.chdir(os.path.dirname(os.getcwd()))\n"
        "    return 'ok'\n"
    )
    (tmp_path / "t.yaml").write_text("type: callable\nfunction: moves:reply\npython_path: ['.']\n")
    (tmp_path / "s.yaml").write_text(
        "suite: moves\ncases: [{id: a, prompt: hi}, {id: b, prompt: there}]\n"
        "metrics:\n  - {id: failed, rate: error}\n"
    )
    done = run_cli(
        "run", "s.yaml", "--target", "t.yaml", "--reports", "reports", "--no-report",
        "--no-evidence", "--no-cache", cwd=tmp_path, timeout=60,
    )  # fmt: skip
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "status passed" in output, output


def test_own_copies_are_deep_for_every_shape_a_request_may_hold() -> None:
    """The function's copies are built by hand for plain lists, dicts and strings (deepcopy of
    every call's arguments was a tenth of a fast run's sending time); anything else, nesting
    deeper than that, and cycles still go to ``copy.deepcopy``."""
    import datetime as dt

    from assurance_harness.targets.callable_target import _own_copy

    cyclic: list[object] = ["a"]
    cyclic.append(cyclic)
    deep: dict[str, object] = {"v": 1}
    for _ in range(40):
        deep = {"d": deep, "l": [1]}
    when = dt.date(2026, 12, 4)
    original = GenerationRequest(
        "c1",
        0,
        7,
        [{"role": "user", "content": "hi"}],
        {"t": 0.5, "stop": ("a", "b")},
        {"cyclic": cyclic, "deep": deep, "when": when, "tags": {"x", "y"}},
    )
    copied = _own_copy(original)
    assert copied is not original
    assert (copied.case_id, copied.sample, copied.seed) == ("c1", 0, 7)
    assert copied.messages == original.messages and copied.params == original.params
    assert copied.metadata["when"] == when
    for name in ("messages", "params", "metadata"):
        assert getattr(copied, name) is not getattr(original, name)
    assert copied.messages[0] is not original.messages[0]
    mine = copied.metadata["cyclic"]
    for _ in range(40):  # a cycle, copied: none of it is the original list
        assert mine is not cyclic and mine[0] == "a"
        mine = mine[1]
    assert (
        copied.metadata["tags"] == {"x", "y"}
        and copied.metadata["tags"] is not original.metadata["tags"]
    )
    inner, theirs = copied.metadata["deep"], original.metadata["deep"]
    for _ in range(40):
        assert inner is not theirs
        inner, theirs = inner["d"], theirs["d"]
    assert inner == {"v": 1}


def test_a_call_returning_as_the_target_closes_puts_no_traceback_out(
    target_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A sync call's thread puts the working directory back as the call returns, while the
    run's loop may be closing the target (a second Ctrl-C forcing the stop). The thread read
    the directory to restore twice, and ``close`` set it to None in between: ``os.chdir(None)``
    raised a TypeError in the thread, whose traceback a forced stop printed (a fresh-clone run,
    load 5). Here ``close`` lands in that window every time."""
    from assurance_harness.targets import callable_target

    target = make(target_dir, "sync_reply")
    asyncio.run(target.start())

    def closing_meanwhile() -> str:
        target._cwd = None  # as close() does, between the thread's check and its chdir
        return "/somewhere/else"

    monkeypatch.setattr(callable_target, "_cwd", closing_meanwhile)
    try:
        target._restore_cwd()  # raised TypeError: chdir: path should be string ..., not NoneType
    finally:
        monkeypatch.undo()
        asyncio.run(target.close())
