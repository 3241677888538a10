"""Runner throughput: N requests through the ``openai`` target and the executor against a
loopback OpenAI-compatible server (a separate process) that answers after a fixed latency.

The bound is N x latency / concurrency (2,000 x 50 ms / 50 = 2.0 s). Prints wall time, the
fraction of the bound reached, peak RSS of this (harness) process and its CPU time per case,
for the cache off and for a cold cache (every response written). Not a timed test: run it by
hand, e.g. ``.venv/bin/python benchmarks/runner_throughput.py``; figures go in BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import resource
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _serve(port: int, latency_s: float) -> None:
    """The loopback endpoint: a fixed chat-completions answer after ``latency_s``."""
    from aiohttp import web

    body = json.dumps(
        {
            "id": "bench",
            "object": "chat.completion",
            "model": "bench-model-1",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": "Sure! 7 x 8 = 56."},
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 12, "completion_tokens": 9, "total_tokens": 21},
        }
    ).encode()

    async def chat(request: web.Request) -> web.Response:
        await request.read()
        await asyncio.sleep(latency_s)
        return web.Response(body=body, content_type="application/json")

    app = web.Application()
    app.router.add_post("/v1/chat/completions", chat)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None, backlog=1024)


def free_port() -> int:
    """A free TCP port on loopback (also used by benchmarks/peers/whole_process.py)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(port: int, timeout_s: float = 20.0, what: str = "benchmark server") -> None:
    """Wait until something listens on the loopback port, or exit saying ``what`` did not."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"{what} did not start on port {port}")


async def _run_once(
    port: int, n: int, concurrency: int, cache_path: Path | None, journal: Path
) -> dict[str, float]:
    from assurance_harness.datatypes import GenerationRequest
    from assurance_harness.runner.executor import execute
    from assurance_harness.store.cache import ResponseCache
    from assurance_harness.store.rundir import RunDir
    from assurance_harness.targets.base import RetryPolicy
    from assurance_harness.targets.openai_compat import OpenAISpec, OpenAITarget

    spec = OpenAISpec(
        base_url=f"http://127.0.0.1:{port}/v1",
        model="bench-model",
        concurrency=concurrency,
        generation={"temperature": 0.7, "max_tokens": 64},
    )
    target = OpenAITarget(spec)
    requests = [
        GenerationRequest(
            case_id=f"case-{i:05d}",
            sample=0,
            seed=i,
            messages=[{"role": "user", "content": f"Question {i}: what is 7 x 8?"}],
            params={"temperature": 0.7},
        )
        for i in range(n)
    ]
    cache = ResponseCache(cache_path) if cache_path is not None else None
    # The run store's own journal: each record written, flushed, fsynced every 0.5 s.
    run_dir = RunDir(journal)
    run_dir.create()
    run_dir.open_journal()

    usage0 = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.perf_counter()
    await target.start()
    try:
        stats = await execute(
            target,
            requests,
            concurrency=concurrency,
            requests_per_second=None,
            timeout_s=30.0,
            retry=RetryPolicy(),
            on_record=run_dir.append_response,
            cache=cache,
        )
    finally:
        await target.close()
        if cache is not None:
            cache.close()
        run_dir.close_journal()
    wall = time.perf_counter() - t0
    usage1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (usage1.ru_utime - usage0.ru_utime) + (usage1.ru_stime - usage0.ru_stime)
    if stats.succeeded != n:
        raise SystemExit(f"expected {n} successes, got {stats}")
    return {"wall_s": wall, "cpu_s": cpu, "errors": stats.errors, "cached": stats.cached}


async def _bare_loop(client: str, port: int, n: int, concurrency: int) -> float:
    """Wall time of a bare request loop (no harness): the HTTP client's own ceiling."""
    url = f"http://127.0.0.1:{port}/v1/chat/completions"
    body = json.dumps({"model": "m", "messages": [{"role": "user", "content": "hi"}]}).encode()
    headers = {"Content-Type": "application/json"}
    gate = asyncio.Semaphore(concurrency)
    t0 = time.perf_counter()
    if client == "aiohttp":
        import aiohttp

        connector = aiohttp.TCPConnector(limit=concurrency)
        async with aiohttp.ClientSession(connector=connector) as session:

            async def one() -> None:
                async with gate, session.post(url, data=body, headers=headers) as resp:
                    json.loads(await resp.read())

            await asyncio.gather(*(one() for _ in range(n)))
    elif client == "rnet":  # a Rust (tokio/hyper) client: optional, `pip install rnet`
        import rnet

        rust_client = rnet.Client()

        async def one() -> None:
            async with gate:
                resp = await rust_client.post(url, body=body, headers=headers)
                json.loads(bytes(await resp.bytes()))

        await asyncio.gather(*(one() for _ in range(n)))
    else:
        import httpx

        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        async with httpx.AsyncClient(limits=limits, timeout=30) as http:

            async def one() -> None:
                async with gate:
                    resp = await http.post(url, content=body, headers=headers)
                    json.loads(resp.content)

            await asyncio.gather(*(one() for _ in range(n)))
    return time.perf_counter() - t0


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=2000, help="requests (default 2000)")
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--repeat", type=int, default=3, help="runs per mode; best and median")
    parser.add_argument(
        "--loop",
        choices=["auto", "asyncio"],
        default="auto",
        help="auto: what the runner uses (uvloop when installed); asyncio: the default loop",
    )
    parser.add_argument(
        "--compare-clients",
        action="store_true",
        help="also time bare request loops with aiohttp, httpx and (when installed) the Rust "
        "client rnet: the ceiling each HTTP client sets, without the harness",
    )
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.serve:
        _serve(args.serve, args.latency_ms / 1000)
        return 0

    from assurance_harness.runner.executor import loop_factory

    factory = loop_factory() if args.loop == "auto" else None
    loop_name = "uvloop" if factory is not None else "asyncio"

    def run_async(coro):  # type: ignore[no-untyped-def]
        with asyncio.Runner(loop_factory=factory) as runner:
            return runner.run(coro)

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(port), "--latency-ms", str(args.latency_ms)]
    )
    try:
        wait_for(port)
        bound = args.n * args.latency_ms / 1000 / args.concurrency
        print(
            f"machine: {os.cpu_count()} cpus, {_cpu_model()}; python {platform.python_version()}"
            f"; loop {loop_name}; load average before {os.getloadavg()[0]:.2f}"
        )
        print(
            f"n={args.n} concurrency={args.concurrency} latency={args.latency_ms:g}ms "
            f"bound={bound:.2f}s"
        )
        with tempfile.TemporaryDirectory() as tmp:
            # One warm-up so imports and the first connections are not billed to mode one.
            run_async(_run_once(port, 100, args.concurrency, None, Path(tmp) / "warm"))
            for mode in ("cache off", "cache cold"):
                results = []
                for i in range(args.repeat):
                    cache = Path(tmp) / f"cache-{i}.db" if mode == "cache cold" else None
                    journal = Path(tmp) / f"run-{mode[-4:]}-{i}"
                    results.append(
                        run_async(_run_once(port, args.n, args.concurrency, cache, journal))
                    )
                walls = sorted(r["wall_s"] for r in results)
                cpus = sorted(r["cpu_s"] for r in results)
                median = walls[len(walls) // 2]
                print(
                    f"{mode:10s}: wall best {walls[0]:.3f}s median {median:.3f}s "
                    f"(bound/wall {bound / median:.0%} at the median, runs={len(walls)}); "
                    f"harness CPU {cpus[len(cpus) // 2] / args.n * 1000:.3f} ms/case (median)"
                )
            if args.compare_clients:
                for client in ("aiohttp", "httpx", "rnet"):
                    try:
                        wall = run_async(_bare_loop(client, port, args.n, args.concurrency))
                    except ImportError:
                        print(f"bare {client}: not installed")
                        continue
                    print(
                        f"bare {client} loop (no harness): wall {wall:.3f}s "
                        f"(bound/wall {bound / wall:.0%})"
                    )
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak RSS of the harness process: {peak_mb:.1f} MB")
    finally:
        server.terminate()
        server.wait(timeout=10)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
