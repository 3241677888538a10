"""The openai adapter against a third-party OpenAI-compatible server: ``transformers serve``
(shipped with transformers) serving a tiny model built in a temp dir, fully offline."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from assurance_harness.datatypes import GenerationRequest, ResponseRecord
from assurance_harness.runner.executor import execute
from assurance_harness.targets.base import RetryPolicy
from assurance_harness.targets.openai_compat import OpenAISpec, OpenAITarget

pytestmark = pytest.mark.slow


def _transformers_cli() -> list[str]:
    exe = Path(sys.executable).with_name("transformers")
    if exe.exists():
        return [str(exe)]
    found = shutil.which("transformers")
    if found:
        return [found]
    pytest.fail("the 'transformers' CLI is not installed next to this Python")
    raise AssertionError  # unreachable


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def served_model(tiny_lm: Path, tmp_path: Path):
    from transformers.utils.import_utils import is_serve_available

    if not is_serve_available():
        pytest.fail(
            "transformers serve needs its serving extras; install the dev extra: "
            "pip install -e '.[dev]'"
        )
    port = _free_port()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    log = (tmp_path / "serve.log").open("w")
    proc = subprocess.Popen(
        [
            *_transformers_cli(),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--device",
            "cpu",
            str(tiny_lm),
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                pytest.fail(
                    "transformers serve exited: " + (tmp_path / "serve.log").read_text()[-2000:]
                )
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("transformers serve did not become healthy within 120 s")
                time.sleep(0.3)
        yield f"http://127.0.0.1:{port}/v1", str(tiny_lm)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def test_openai_target_against_transformers_serve(served_model: tuple[str, str]) -> None:
    base_url, model = served_model
    spec = OpenAISpec(
        base_url=base_url,
        model=model,
        system_prompt="You help children with homework.",
        generation={"max_tokens": 5},
        timeout_s=60,
    )
    target = OpenAITarget(spec)
    requests = [
        GenerationRequest(
            case_id=f"c{i}",
            sample=0,
            seed=i,
            messages=[{"role": "user", "content": f"question {i}"}],
            params={"temperature": 0.0},
        )
        for i in range(3)
    ]
    records: list[ResponseRecord] = []

    async def main() -> None:
        await target.start()
        try:
            stats = await execute(
                target,
                requests,
                concurrency=2,
                requests_per_second=None,
                timeout_s=60,
                retry=RetryPolicy(max_attempts=2, base_delay_s=0.1),
                on_record=records.append,
            )
        finally:
            await target.close()
        assert stats.succeeded == 3, [r.error for r in records]

    asyncio.run(main())
    assert sorted(r.case_id for r in records) == ["c0", "c1", "c2"]
    for record in records:
        assert record.error is None
        assert isinstance(record.response, str)
        assert record.model_version == model  # the server reports the model it served
        assert record.finish_reason in {"length", "stop"}
