"""Start-up and single-machine scale, whole process, as a user runs the CLI (issue 12's targets).

    python benchmarks/scale.py [--cases 100000] [--repeat 5] [--only help,one,validate,run,demo]

Each measurement is a fresh ``assurance`` process (``python -m assurance_harness.cli`` with this
checkout's ``src`` first on the path, bytecode written and used as an installed package's is,
after one untimed warm-up run), timed with ``wait4``: wall time, user + system CPU and peak RSS
of the process. Workloads, written to a temporary folder:

- ``help``: ``assurance --help`` (target < 0.3 s);
- ``one``: a 1-case run, callable target, one regex scorer, a rate metric, ``--no-report
  --no-evidence`` (target < 0.8 s);
- ``validate``: ``assurance validate`` of a suite of N inline cases (target < 5 s at 100k);
- ``run``: a run of N cases from a JSONL dataset against a replay target (recorded responses),
  with cheap scorers (regex, length) and mean, quantile, rate and disparity metrics,
  ``--no-report --no-evidence`` (target < 20 s and < 500 MB peak RSS at 100k);
- ``demo``: the same run against the bundled demo target (``targets/demo.yaml``: the demo
  assistant, a Python callable, answering each prompt in a thread of the harness), which is
  what the issue names; not in the default set (about 3x the replay run's sending time).

The machine's load matters more than anything here: the 1-minute load average is printed with
every figure. Median and best of ``--repeat`` runs (the run workload once: it is long).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _process import HARNESS_CLI, measure_process

ROOT = Path(__file__).resolve().parents[1]


SRC = ROOT / "src"


def measure(args: list[str], cwd: Path) -> dict[str, float]:
    """Wall, CPU and peak RSS of one CLI process (exit code must be 0 or 1: a gate verdict)."""
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    # As installed: with bytecode. Without it (PYTHONDONTWRITEBYTECODE, set in some shells)
    # every process compiles the harness's modules again, about 0.2 s of CPU.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    try:
        return measure_process([*HARNESS_CLI, *args], cwd, env)
    except RuntimeError as exc:
        raise SystemExit(str(exc)) from None


def write_inline_suite(path: Path, n: int) -> None:
    lines = ["suite: big-inline", "version: 1.0.0", "cases:"]
    lines += [
        f'  - id: c{i}\n    prompt: "What is {i} plus 1?"\n    metadata: {{category: g{i % 5}}}'
        for i in range(n)
    ]
    lines += [
        "scorers:",
        "  - {id: m, use: regex, with: {pattern: '\\d+'}}",
        "metrics:",
        "  - {id: r, rate: m.matched}",
        "gates:",
        "  - {metric: r, min: 0.1}",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_run_workload(folder: Path, n: int) -> tuple[Path, Path]:
    with (
        (folder / "cases.jsonl").open("w", encoding="utf-8") as cases,
        (folder / "recorded.jsonl").open("w", encoding="utf-8") as recorded,
    ):
        for i in range(n):
            prompt = f"Question {i}: what is {i % 97} plus {i % 13}?"
            cases.write(json.dumps({"id": f"c{i}", "prompt": prompt, "group": f"g{i % 5}"}) + "\n")
            words = " ".join(["word"] * (5 + i % 40))
            answer = f"The answer is {i % 97 + i % 13}. {words}"
            recorded.write(json.dumps({"id": f"c{i}", "prompt": prompt, "response": answer}) + "\n")
    suite = folder / "run.yaml"
    suite.write_text(
        "suite: big-run\nversion: 1.0.0\n"
        "dataset: {path: cases.jsonl, fields: {id: id, prompt: prompt, meta.group: group}}\n"
        "scorers:\n"
        "  - {id: num, use: regex, with: {pattern: '\\d+'}}\n"
        "  - {id: len, use: length}\n"
        "metrics:\n"
        "  - {id: has_number, rate: num.matched}\n"
        "  - {id: words, mean: len.words}\n"
        "  - {id: words_p90, quantile: {expr: len.words, q: 0.9}}\n"
        "  - {id: words_gap, disparity: {value: len.words, by: meta.group}}\n"
        "gates:\n  - {metric: has_number, min: 0.5}\n",
        encoding="utf-8",
    )
    target = folder / "replay.yaml"
    target.write_text("type: replay\npath: recorded.jsonl\n", encoding="utf-8")
    return suite, target


def load() -> float:
    return os.getloadavg()[0]


def report(name: str, results: list[dict[str, float]], target: str) -> None:
    walls = [r["wall_s"] for r in results]
    cpus = [r["cpu_s"] for r in results]
    print(
        f"| {name} | {load():.1f} | {statistics.median(walls):.2f} s | {min(walls):.2f} s | "
        f"{statistics.median(cpus):.2f} s | {max(r['rss_mb'] for r in results):.0f} MB | "
        f"{target} |",
        flush=True,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--only", default="help,one,validate,run")
    parser.add_argument(
        "--src", type=Path, default=ROOT / "src", help="source tree to measure (an older commit's)"
    )
    args = parser.parse_args(argv)
    global SRC
    SRC = args.src.resolve()
    only = set(args.only.split(","))
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, N = {args.cases:,}")
    print("| workload | load avg | wall median | wall best | CPU median | peak RSS | target |")
    print("|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if "help" in only:
            measure(["--help"], folder)  # untimed: writes bytecode, warms the file cache
            runs = [measure(["--help"], folder) for _ in range(args.repeat)]
            report("`assurance --help`", runs, "< 0.3 s")
        if "one" in only:
            (folder / "one.yaml").write_text(
                "suite: one\ncases: [{id: a, prompt: 'What is 2 plus 2?'}]\n"
                "scorers: [{id: m, use: regex, with: {pattern: '\\d'}}]\n"
                "metrics: [{id: r, rate: m.matched}]\ngates: [{metric: r, min: 0}]\n",
                encoding="utf-8",
            )
            (folder / "bot.py").write_text("def reply(messages):\n    return 'It is 4.'\n")
            (folder / "bot.yaml").write_text(
                "type: callable\nfunction: bot:reply\npython_path: ['.']\n"
            )
            one = ["run", "one.yaml", "--target", "bot.yaml", "--reports", "r1", "--no-report"]
            measure([*one, "--no-evidence"], folder)  # untimed warm-up, as for help
            runs = [measure([*one, "--no-evidence"], folder) for _ in range(args.repeat)]
            report("1-case run (callable, regex, rate)", runs, "< 0.8 s")
        if "validate" in only:
            write_inline_suite(folder / "inline.yaml", args.cases)
            times = max(1, args.repeat // 2)
            runs = [measure(["validate", "inline.yaml"], folder) for _ in range(times)]
            report(f"`validate`, {args.cases:,} inline cases", runs, "< 5 s")
        if "run" in only:
            suite, target = write_run_workload(folder, args.cases)
            run = ["run", str(suite), "--target", str(target), "--reports", "r2", "--no-report"]
            report(
                f"run, {args.cases:,} cases (replay, regex + length, rate/mean/quantile/disparity)",
                [measure([*run, "--no-evidence"], folder)],
                "< 20 s, < 500 MB",
            )
        if "demo" in only:
            suite, _ = write_run_workload(folder, args.cases)
            demo = ROOT / "targets" / "demo.yaml"
            run = ["run", str(suite), "--target", str(demo), "--reports", "r3", "--no-report"]
            report(
                f"run, {args.cases:,} cases (demo target, regex + length, "
                "rate/mean/quantile/disparity)",
                [measure([*run, "--no-evidence"], folder)],
                "< 20 s, < 500 MB",
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
