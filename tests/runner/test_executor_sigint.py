"""Ctrl-C during a run: the process stops promptly, every journalled record is a finished
request, and buffered cache writes are committed (a real subprocess and a real SIGINT)."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from ..testing.signals import default_sigint

SCRIPT = textwrap.dedent(
    """
    import asyncio, json, sys
    from aiohttp import web
    from assurance_harness.datatypes import GenerationRequest
    from assurance_harness.runner.executor import execute, run_sync
    from assurance_harness.store.cache import ResponseCache
    from assurance_harness.targets.base import RetryPolicy
    from assurance_harness.targets.openai_compat import OpenAISpec, OpenAITarget

    journal_path, cache_path = sys.argv[1], sys.argv[2]

    async def chat(request):
        body = await request.json()
        n = int(body["messages"][-1]["content"])
        await asyncio.sleep(0.01 if n < 6 else 60)  # six quick answers, then a hang
        return web.json_response({"model": "m", "choices": [{"message": {"content": str(n)}}]})

    async def main():
        app = web.Application()
        app.router.add_post("/v1/chat/completions", chat)
        runner = web.AppRunner(app, shutdown_timeout=0.1)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        target = OpenAITarget(OpenAISpec(base_url=f"http://127.0.0.1:{port}/v1", model="m"))
        requests = [
            GenerationRequest(case_id=f"c{i}", sample=0, seed=i,
                              messages=[{"role": "user", "content": str(i)}], params={})
            for i in range(20)
        ]
        journal = open(journal_path, "w")

        def on_record(record):
            journal.write(json.dumps(record.to_dict()) + "\\n")
            journal.flush()
            if record.case_id == "c5":
                print("ready", flush=True)

        cache = ResponseCache(cache_path, flush_every=1000, flush_interval_s=3600)
        await target.start()
        try:
            await execute(target, requests, concurrency=4, requests_per_second=None,
                          timeout_s=120, retry=RetryPolicy(), on_record=on_record, cache=cache)
        finally:
            await target.close()
            cache.close()
            await runner.cleanup()

    run_sync(main())
    """
)


def test_sigint_stops_promptly_and_keeps_only_finished_records(tmp_path: Path) -> None:
    journal = tmp_path / "responses.jsonl"
    cache = tmp_path / "cache.db"
    proc = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, str(journal), str(cache)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=default_sigint,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.strip() == "ready", proc.stderr.read() if proc.stderr else ""
    time.sleep(0.2)
    t0 = time.monotonic()
    proc.send_signal(signal.SIGINT)
    proc.wait(timeout=10)
    assert time.monotonic() - t0 < 3.0
    assert proc.returncode != 0  # KeyboardInterrupt, as the CLI will see it
    records = [json.loads(line) for line in journal.read_text().splitlines()]
    assert sorted(r["case_id"] for r in records) == [f"c{i}" for i in range(6)]
    assert all(r["error"] is None for r in records)
    with sqlite3.connect(cache) as db:
        (count,) = db.execute("SELECT COUNT(*) FROM responses").fetchone()
    assert count == 6  # the buffered writes were committed on the way out
