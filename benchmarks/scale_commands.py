"""Single-machine scale of every command after the run: a big run, and long histories.

    python benchmarks/scale_commands.py [--cases 100000] [--history 2000]
        [--only report,compare,review,runs,trend,baseline,register,verify,annex,ui]

Each figure is a fresh ``assurance`` process (``scale.measure``: this checkout's ``src`` first
on the path, timed with ``wait4``): wall time, user + system CPU and peak RSS; ``ui`` is the
web app's process, measured from start to stop around its page requests, each request's time
and response size printed beside it. Issue 12's bound is < 500 MB peak RSS at 100,000 cases.

Workloads, written to a temporary folder:

- two runs of ``--cases`` cases: ``scale.py``'s run workload, with a review policy (a quarter of
  the rows flagged) and a gate that fails (so reports show worst cases and the review queue
  holds them); made untimed, then ``report``, ``compare A B`` (paired bootstrap), ``review
  queue``, ``baseline set``/``check``, and the web app's run page (rows) and review queue;
- a history of ``--history`` small runs (20 cases) of one suite, copies of one run, each in
  ``runs.db`` and attached to the evidence ledger (two records each: one risk, two gates):
  ``runs list``, ``trend``, ``register status``, ``evidence verify``, ``evidence pack`` (the
  annex) and the web app's runs and register pages.

The 1-minute load average is printed with every figure: the machine's load matters more than
anything here.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import scale
from _process import HARNESS_CLI
from scale import measure, write_run_workload

WORKLOADS = ("report", "compare", "review", "runs", "trend", "baseline", "register", "verify")
WORKLOADS += ("annex", "ui")

REVIEW = "review: {label: 'len.words > 30'}\n"
FAILING_GATE = "  - {metric: words, max: 10}\n"

REGISTER = """register_version: 1
system: {name: bench, intended_use: benchmarks, owner: bench}
risks:
  - id: R-001
    title: Answers without a number
    category: safety
    owner: bench
    likelihood: 3
    impact: 3
    suites: [{suite: big-run}]
"""


def row(name: str, n: str, result: dict[str, float], note: str = "") -> None:
    print(
        f"| {name} | {n} | {os.getloadavg()[0]:.1f} | {result['wall_s']:.2f} s | "
        f"{result['cpu_s']:.2f} s | {result['rss_mb']:.0f} MB | {note} |",
        flush=True,
    )


def big_runs(folder: Path, cases: int) -> tuple[str, str]:
    """Two finished runs of ``cases`` cases in ``folder/reports``, and their ids."""
    suite, target = write_run_workload(folder, cases)
    text = suite.read_text(encoding="utf-8") + FAILING_GATE + REVIEW
    suite.write_text(text.replace("suite: big-run\n", "suite: big-run\nevidence_for: [R-001]\n"))
    ids = []
    for _ in range(2):
        args = ["run", str(suite), "--target", str(target), "--reports", "reports", "--no-report"]
        made = measure([*args, "--no-evidence"], folder)
        ids.append(sorted(p.name for p in (folder / "reports").glob("2*"))[-1])
        row("run (setup, not a command after the run)", f"{cases:,}", made)
    return ids[0], ids[1]


def history(folder: Path, runs: int) -> None:
    """``runs`` copies of one 20-case run of the suite in ``folder/reports``, each indexed and
    attached to the evidence ledger, made by a child process: a child forked from a process
    that imported the harness would start its peak RSS from this one's."""
    here = Path(__file__).resolve()
    env = {**os.environ, "PYTHONPATH": str(scale.SRC)}
    make = [sys.executable, str(here), "--src", str(scale.SRC), "--make-history", str(folder)]
    subprocess.run([*make, "--history", str(runs)], check=True, env=env)


def make_history(folder: Path, runs: int) -> None:
    """``history``'s work, in this process."""
    from assurance_harness.register.ledger import attach_run
    from assurance_harness.runner.record import index_run
    from assurance_harness.store.runlog import Summary

    suite, target = write_run_workload(folder, 20)
    text = suite.read_text(encoding="utf-8") + FAILING_GATE
    suite.write_text(text.replace("suite: big-run\n", "suite: big-run\nevidence_for: [R-001]\n"))
    (folder / "register.yaml").write_text(REGISTER, encoding="utf-8")
    args = ["run", str(suite), "--target", str(target), "--reports", "reports", "--no-report"]
    measure([*args, "--no-evidence"], folder)
    reports = folder / "reports"
    (first,) = list(reports.glob("2*"))
    started = time.time()
    for i in range(runs):
        run_dir = copy_run(first, reports, i)
        summary = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
        index_run(reports, Summary.model_validate(summary), run_dir)
        attach_run(
            run_dir,
            register_path=folder / "register.yaml",
            ledger_path=reports / "evidence" / "ledger.jsonl",
        )
    shutil.rmtree(first)
    print(f"(history of {runs:,} runs made in {time.time() - started:.0f} s)", flush=True)


def copy_run(first: Path, reports: Path, i: int) -> Path:
    """A copy of the run folder ``first`` in ``reports`` as the ``i``-th run of the history:
    its own run id, dated ``i`` seconds into 2025. summary.json is written as the runner writes
    it (``RunLogWriter.write_summary``) and the manifest's ``summary.sha256`` set to the hash
    of those bytes, as the runner sets it: a summary edited under an unchanged hash is refused
    as evidence ("does not match the SHA-256 in its manifest.json")."""
    from assurance_harness.store.runlog import Manifest, RunLogWriter, Summary

    run_id = f"20250101T{i // 3600:02d}{i // 60 % 60:02d}{i % 60:02d}Z-big-run-{i:04x}"
    run_dir = reports / run_id
    shutil.copytree(first, run_dir)
    summary = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
    summary["run_id"] = run_id
    stamp = f"2025-01-01T{i // 3600:02d}:{i // 60 % 60:02d}:{i % 60:02d}+00:00"
    summary["started_at"] = summary["finished_at"] = stamp
    writer = RunLogWriter(run_dir)
    summary_sha256 = writer.write_summary(Summary.model_validate(summary))
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    manifest["run_id"] = run_id
    manifest["summary"] = {**(manifest.get("summary") or {}), "sha256": summary_sha256}
    writer.write_manifest(Manifest.model_validate(manifest))
    state = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    state["run_id"] = run_id
    (run_dir / "run.json").write_text(json.dumps(state), encoding="utf-8")
    return run_dir


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _fetch(url: str) -> tuple[float, int]:
    """GET ``url``: seconds to the whole answer, and its size."""
    t0 = time.perf_counter()
    with urllib.request.urlopen(url, timeout=600) as reply:
        size = len(reply.read())
    return time.perf_counter() - t0, size


def serve(folder: Path, paths: list[str], name: str, n: str, *, together: bool = False) -> None:
    """Start ``assurance ui`` on 127.0.0.1, GET each path (time, bytes), stop it: the server
    process's wall, CPU and peak RSS over all of them. ``together``: every path at once, each
    from a thread of its own, and the stylesheet meanwhile (after 0.5 s): what several readers
    at once cost the server's memory, and whether a small page waits for the big ones."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(scale.SRC)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    command = [*HARNESS_CLI, "ui", "--reports", "reports", "--port", str(port)]
    if (folder / "register.yaml").exists():
        command += ["--register", "register.yaml"]
    started = time.perf_counter()
    proc = subprocess.Popen(
        command, cwd=folder, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    pages = []
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise SystemExit(f"assurance ui did not start on port {port}") from None
                time.sleep(0.1)
        base = f"http://127.0.0.1:{port}"
        if together:
            with ThreadPoolExecutor(len(paths)) as pool:
                answers = [pool.submit(_fetch, base + path) for path in paths]
                time.sleep(0.5)
                small, _ = _fetch(base + "/static/app.css")
                done = [a.result() for a in answers]
            pages.append(f"/static/app.css meanwhile {small:.2f} s")
        else:
            done = [_fetch(base + path) for path in paths]
        for path, (seconds, size) in zip(paths, done, strict=True):
            pages.append(f"{path.split('?')[0]} {seconds:.2f} s {size / 1e3:.0f} kB")
    finally:
        proc.terminate()
        _, _, usage = os.wait4(proc.pid, 0)
    result = {
        "wall_s": time.perf_counter() - started,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "rss_mb": usage.ru_maxrss / 1024,
    }
    row(name, n, result, "; ".join(pages))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--history", type=int, default=2000)
    parser.add_argument("--only", default=",".join(WORKLOADS))
    parser.add_argument(
        "--src", type=Path, default=scale.ROOT / "src", help="source tree to measure"
    )
    parser.add_argument("--make-history", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    scale.SRC = args.src.resolve()
    if args.make_history is not None:
        make_history(args.make_history, args.history)
        return 0
    only = set(args.only.split(","))
    unknown = only - set(WORKLOADS)
    if unknown:
        parser.error(f"unknown workload {sorted(unknown)[0]}; workloads: {', '.join(WORKLOADS)}")
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    print("| command | N | load avg | wall | CPU | peak RSS | note |")
    print("|---|---|---|---|---|---|---|")
    n = f"{args.cases:,} cases"
    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "big"
        big.mkdir()
        if only & {"report", "compare", "review", "baseline", "annex", "ui"}:
            a, b = big_runs(big, args.cases)
            r = ["--reports", "reports"]
            if "report" in only:
                row("`report RUN` (html, md, json, junit)", n, measure(["report", a, *r], big))
                html = (big / "reports" / a / "report.html").stat().st_size
                print(f"(report.html: {html / 1e3:.0f} kB)")
            if "compare" in only:
                row("`compare A B`", n, measure(["compare", a, b, *r], big))
                row("`compare A B --groups`", n, measure(["compare", a, b, "--groups", *r], big))
            if "review" in only:
                row("`review queue`", n, measure(["review", "queue", *r], big))
                row("`review queue --run A`", n, measure(["review", "queue", "--run", a, *r], big))
            if "baseline" in only:
                base = ["baseline", "set", a, "--force", *r]  # its gates fail on purpose
                row("`baseline set A`", n, measure(base, big))
                row("`baseline check` (B against A)", n, measure(["baseline", "check", *r], big))
            if "annex" in only:
                (big / "register.yaml").write_text(REGISTER, encoding="utf-8")
                reg = ["--register", "register.yaml"]
                row("`evidence attach A`", n, measure(["evidence", "attach", a, *reg, *r], big))
                pack = ["evidence", "pack", a, "--out", "annex", *reg, *r]
                row("`evidence pack A` (annex)", n, measure(pack, big))
            if "ui" in only:
                pages = [f"/runs/{a}", f"/runs/{a}?verdict=queued", "/review"]
                serve(big, pages, "`ui`: run page, its queued rows, review queue", n)
                serve(big, pages, "`ui`: the same three pages at once", n, together=True)
        hist = Path(tmp) / "history"
        hist.mkdir()
        if only & {"runs", "trend", "register", "verify", "annex", "ui"}:
            history(hist, args.history)
            h = f"{args.history:,} runs"
            r = ["--reports", "reports"]
            reg = ["--register", "register.yaml"]
            if "runs" in only:
                row("`runs list`", h, measure(["runs", "list", *r], hist))
            if "trend" in only:
                trend = ["trend", "big-run", "has_number", "--last", str(args.history)]
                row(f"`trend --last {args.history}`", h, measure([*trend, *r, "-o", "t.png"], hist))
            if "register" in only:
                row("`register status`", h, measure(["register", "status", *reg, *r], hist))
            if "verify" in only:
                row("`evidence verify`", h, measure(["evidence", "verify", *r], hist))
                files = ["evidence", "verify", "--files", *r]
                row("`evidence verify --files`", h, measure(files, hist))
            if "annex" in only:
                last = sorted(p.name for p in (hist / "reports").glob("2*"))[-1]
                pack = ["evidence", "pack", last, "--out", "annex", *reg, *r]
                row("`evidence pack RUN` (annex)", h, measure(pack, hist))
            if "ui" in only:
                serve(hist, ["/", "/register"], "`ui`: runs page, register page", h)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
