"""A callable target's sync calls reuse their daemon threads: one new thread a call cost more
than the demo assistant's answer (a 10k-case run spent half its sending time starting them)."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

from assurance_harness.datatypes import GenerationRequest
from assurance_harness.targets.callable_target import CallableSpec, CallableTarget

MODULE = """
import threading

SEEN = []


def reply(messages):
    SEEN.append(threading.current_thread())
    return "ok"
"""


def _target(tmp_path: Path) -> tuple[CallableTarget, str]:
    module = f"reuse_{tmp_path.name.replace('-', '_')}"
    (tmp_path / f"{module}.py").write_text(MODULE)
    spec = CallableSpec(function=f"{module}:reply", python_path=["."])
    return CallableTarget(spec, base_dir=str(tmp_path)), module


def _request(i: int) -> GenerationRequest:
    return GenerationRequest(
        case_id=f"c{i}",
        sample=0,
        seed=i,
        messages=[{"role": "user", "content": f"q{i}"}],
        params={},
        metadata={},
    )


def _send(target: CallableTarget, calls: int, concurrency: int) -> list[str]:
    async def main() -> list[str]:
        await target.start()
        gate = asyncio.Semaphore(concurrency)

        async def one(i: int) -> str:
            async with gate:
                return (await target.generate(_request(i))).text

        try:
            return await asyncio.gather(*(one(i) for i in range(calls)))
        finally:
            await target.close()

    return asyncio.run(main())


def test_calls_reuse_at_most_concurrency_threads_which_exit_on_close(tmp_path: Path) -> None:
    import sys

    target, module = _target(tmp_path)
    assert _send(target, 200, concurrency=8) == ["ok"] * 200
    seen = sys.modules[module].SEEN
    assert len(seen) == 200
    threads = {id(t): t for t in seen}.values()
    assert len(threads) <= 8
    assert all(t is not threading.main_thread() and t.daemon for t in threads)
    for thread in threads:  # closed: the idle threads end, none waits for work any more
        thread.join(timeout=5)
    assert not any(t.is_alive() for t in threads)
