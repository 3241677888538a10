"""A quick function's calls wait for a busy thread (``DaemonWorkers``' queue) without giving up
what a thread a call guaranteed: a call behind a hung one still runs, a function that turns
slow still has ``concurrency`` calls in progress at once, and the working directory is put
back by the call's own thread."""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Callable
from pathlib import Path

from assurance_harness.datatypes import GenerationRequest
from assurance_harness.targets.callable_target import CallableSpec, CallableTarget
from assurance_harness.targets.daemon_workers import DaemonWorkers, Deliver

MODULE = """
import os
import threading

PARTIES = 6
BARRIER = threading.Barrier(PARTIES)
HANG = threading.Event()


def reply(messages):
    text = messages[-1]["content"]
    if text == "hang":
        HANG.wait(30)
    elif text == "together":
        BARRIER.wait(10)  # broken (an error) unless PARTIES calls are in progress at once
    elif text == "chdir":
        os.chdir(os.path.dirname(os.getcwd()))
    return text
"""


def _target(tmp_path: Path) -> tuple[CallableTarget, str]:
    module = f"waiting_{tmp_path.name.replace('-', '_')}"
    (tmp_path / f"{module}.py").write_text(MODULE)
    spec = CallableSpec(function=f"{module}:reply", python_path=["."])
    return CallableTarget(spec, base_dir=str(tmp_path)), module


def _request(i: int, text: str) -> GenerationRequest:
    return GenerationRequest(
        case_id=f"c{i}",
        sample=0,
        seed=i,
        messages=[{"role": "user", "content": text}],
        params={},
        metadata={},
    )


async def _quick_calls(target: CallableTarget, count: int = 50) -> list[str]:
    """Calls a few at a time, so the function's pace is known to be quick."""
    replies = []
    for start in range(0, count, 5):
        answers = await asyncio.gather(
            *(target.generate(_request(i, "ok")) for i in range(start, start + 5))
        )
        replies += [a.text for a in answers]
    return replies


def test_a_quick_functions_calls_are_not_held_up_by_one_that_hangs(tmp_path: Path) -> None:
    import sys

    target, module = _target(tmp_path)

    async def main() -> list[str]:
        await target.start()
        try:
            assert await _quick_calls(target) == ["ok"] * 50
            hung = asyncio.ensure_future(target.generate(_request(99, "hang")))
            await asyncio.sleep(0.05)  # the hung call has a thread; later calls queue behind it
            later = [target.generate(_request(i, f"after {i}")) for i in range(20)]
            answers = await asyncio.wait_for(asyncio.gather(*later), 5)
            sys.modules[module].HANG.set()
            await asyncio.wait_for(hung, 5)
            return [a.text for a in answers]
        finally:
            await target.close()

    assert asyncio.run(main()) == [f"after {i}" for i in range(20)]


def test_a_function_that_turns_slow_has_all_its_calls_in_progress_at_once(
    tmp_path: Path,
) -> None:
    import sys

    target, module = _target(tmp_path)
    parties = 6  # the module's PARTIES

    async def main() -> list[str]:
        await target.start()
        try:
            assert await _quick_calls(target) == ["ok"] * 50
            together = [target.generate(_request(i, "together")) for i in range(parties)]
            answers = await asyncio.wait_for(asyncio.gather(*together), 20)
            return [a.text for a in answers]
        finally:
            await target.close()

    assert asyncio.run(main()) == ["together"] * parties
    assert not sys.modules[module].BARRIER.broken


def test_the_working_directory_is_put_back_between_queued_calls(tmp_path: Path) -> None:
    target, _ = _target(tmp_path)
    here = os.getcwd()

    async def main() -> None:
        await target.start()
        try:
            await _quick_calls(target)
            for _ in range(3):
                texts = ["chdir" if i % 2 else "ok" for i in range(10)]
                calls = [target.generate(_request(i, t)) for i, t in enumerate(texts)]
                assert [a.text for a in await asyncio.gather(*calls)] == texts
                assert os.getcwd() == here
        finally:
            await target.close()

    try:
        asyncio.run(main())
    finally:
        os.chdir(here)


def test_waiting_jobs_run_in_turn_on_a_busy_thread_and_each_is_delivered_once() -> None:
    workers = DaemonWorkers("test-waiting", queue_budget_s=1.0, patience_s=5.0)
    ran: list[tuple[int, str]] = []
    delivered: list[int] = []

    async def main() -> None:
        loop = asyncio.get_running_loop()
        done = asyncio.Event()

        def job(i: int) -> Callable[[], Deliver]:
            def work() -> Deliver:
                ran.append((i, threading.current_thread().name))

                def deliver() -> None:
                    delivered.append(i)
                    if len(delivered) == 40:
                        loop.call_soon_threadsafe(done.set)

                return deliver

            return work

        workers.submit(job(0), loop.call_later)  # the pace is not known yet: a thread now
        for i in range(1, 40):
            workers.submit(job(i), loop.call_later)
        await asyncio.wait_for(done.wait(), 5)

    asyncio.run(main())
    workers.close()
    assert sorted(delivered) == list(range(40))
    assert sorted(i for i, _ in ran) == list(range(40))


def test_a_call_that_returns_after_its_run_ended_leaves_the_working_directory(
    tmp_path: Path,
) -> None:
    # A hung call's thread, abandoned when its run ended, put the working directory back to the
    # one the target was loaded in when the call at last returned, up to 30 s later: another
    # run in the process (the pytest plugin's next session) then looked for its own summary.json
    # in the wrong folder ("the suite could not run").
    import sys
    import time

    target, module = _target(tmp_path)
    here = os.getcwd()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    async def main() -> None:
        await target.start()
        call = asyncio.ensure_future(target.generate(_request(0, "hang")))
        await asyncio.sleep(0.3)
        call.cancel()
        await target.close()

    asyncio.run(main())
    try:
        os.chdir(elsewhere)
        sys.modules[module].HANG.set()  # the abandoned call returns now
        time.sleep(0.5)
        assert os.getcwd() == str(elsewhere)
    finally:
        os.chdir(here)
