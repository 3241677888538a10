"""A run's published figures do not depend on the order in which its answers arrived.

The answers are deterministic per prompt and sample seed, but a real HTTP stub on 127.0.0.1
delays each by a random time, so with concurrency 20 they arrive in a different order every
run; with concurrency 1 they arrive in request order; a run killed with SIGKILL part-way and
resumed gets its answers in two sittings. Every figure of summary.json (points, intervals, the
bootstrap and permutation ones especially, n, verdicts) must be the same in all three, or a
resumed run and a replay of the evidence would not reproduce what was published.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
from pathlib import Path
from typing import Any

from aiohttp import web

from ..testing.openai_stub import ThreadedServer, completion, json_response
from .test_resume import _run, _run_args, _start_and_wait

N_CASES = 36
"""Over 30 cases, so a mean of values outside [0, 1] takes the bootstrap interval."""
SAMPLES = 3
QUIET = ("--no-report", "--no-evidence", "--no-cache")


def _words(prompt: str, seed: object) -> int:
    """How many words the stub answers with: fixed by the prompt and the sample's seed."""
    digest = hashlib.sha256(f"{prompt}|{seed}".encode()).digest()
    return 1 + digest[0] % 40


def _shuffling_handler() -> Any:
    """Answers deterministic per (prompt, seed), each after a random delay, so that concurrent
    requests complete in an order no two runs share."""
    jitter = random.Random()

    async def chat(request: web.Request) -> web.StreamResponse:
        import asyncio

        body = await request.json()
        prompt = body["messages"][-1]["content"]
        await asyncio.sleep(jitter.uniform(0.0, 0.03))
        text = " ".join(["word"] * _words(prompt, body.get("seed")))
        return json_response(completion(text))

    return chat


def _suite(tmp: Path) -> Path:
    groups = ("a", "b", "c")
    cases = "".join(
        json.dumps({"id": f"c{i:03d}", "prompt": f"question {i}", "group": groups[i % 3]}) + "\n"
        for i in range(N_CASES)
    )
    (tmp / "cases.jsonl").write_text(cases)
    suite = tmp / "suite.yaml"
    suite.write_text(
        "suite: arrival-order\n"
        "dataset: {path: cases.jsonl, fields: {prompt: prompt, id: id, meta.group: group}}\n"
        f"samples: {SAMPLES}\n"
        "scorers:\n  - {id: len, use: length}\n"
        "metrics:\n"
        "  - {id: chars, mean: len.chars, by: meta.group}\n"
        "  - {id: words, mean: len.words}\n"
        "  - {id: p90_chars, quantile: {expr: len.chars, q: 0.9}}\n"
        "  - {id: long_rate, rate: 'len.words > 20', by: meta.group}\n"
        "  - {id: words_gap, disparity: {value: len.words, by: meta.group}}\n"
        "  - {id: long_gap, disparity: {value: 'len.words > 20', by: meta.group,"
        " statistic: rate}}\n"
        "gates:\n"
        "  - {metric: chars, max: 150, bound: upper}\n"
        "  - {metric: p90_chars, max: 1000, bound: upper}\n"
        "  - {metric: words_gap, max: 100, bound: upper}\n"
    )
    return suite


def _target(tmp: Path, server: ThreadedServer) -> Path:
    path = tmp / "target.yaml"
    path.write_text(f"type: openai\nbase_url: {server.base_url}\nmodel: m\ntimeout_s: 10\n")
    return path


def _arrivals(reports: Path) -> list[tuple[str, int]]:
    """The (case id, sample) of each answer in the order the run's journal received them."""
    (journal,) = reports.glob("*/responses.jsonl")
    lines = journal.read_text().splitlines()
    return [(record["case_id"], record["sample"]) for record in map(json.loads, lines)]


def _figures(reports: Path) -> dict[str, Any]:
    """What a run publishes as its figures: every metric (with its intervals, n and groups),
    every gate verdict, and the counts."""
    (run_dir,) = [p for p in reports.iterdir() if p.is_dir() and p.name != "evidence"]
    summary = json.loads((run_dir / "summary.json").read_text())
    return {"metrics": summary["metrics"], "gates": summary["gates"], "n": summary["counts"]}


def test_figures_do_not_depend_on_arrival_order_or_a_resume(tmp_path: Path) -> None:
    suite = _suite(tmp_path)
    with ThreadedServer(_shuffling_handler()) as server:
        target = _target(tmp_path, server)
        figures, arrivals = {}, {}
        for concurrency in ("1", "20"):
            reports = tmp_path / f"c{concurrency}"
            done = _run(_run_args(suite, target, reports, "--concurrency", concurrency, *QUIET))
            assert done.returncode in (0, 1), done.stderr
            figures[concurrency] = _figures(reports)
            arrivals[concurrency] = _arrivals(reports)

        killed = tmp_path / "killed"
        args = _run_args(suite, target, killed, "--concurrency", "20", *QUIET)
        proc, journal = _start_and_wait(args, killed, lines=40)
        os.kill(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=30)
        assert proc.returncode == -signal.SIGKILL
        assert not (journal.parent / "summary.json").exists()
        assert 40 <= len(_arrivals(killed)) < N_CASES * SAMPLES
        resumed = _run([*args, "--resume", journal.parent.name])
        assert resumed.returncode in (0, 1), resumed.stderr
        figures["resumed"] = _figures(killed)

    # The answers did arrive in different orders: in request order one at a time, not with 20.
    assert arrivals["1"] == sorted(arrivals["1"])
    assert sorted(arrivals["20"]) == arrivals["1"] != arrivals["20"]
    metrics = figures["1"]["metrics"]
    # The figures the test is about are there: a bootstrap interval, a quantile's, groups.
    assert "bootstrap" in str(metrics["words"]["method"]), metrics["words"]["method"]
    assert metrics["chars"]["groups"] and metrics["p90_chars"]["ci_low"] is not None
    assert metrics["words_gap"]["value"] is not None
    assert figures["1"]["n"]["requests"] == N_CASES * SAMPLES
    assert figures["20"] == figures["1"]
    assert figures["resumed"] == figures["1"]
