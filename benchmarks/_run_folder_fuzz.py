"""Mutations of a finished run folder, and the commands that read it after the run.

A real run of a two-case echo suite (tests/testing/project.py) is made twice, once as the
baseline; each mutation is applied to a fresh copy of the project (to the candidate run's
file), and every command below runs on it as a subprocess, with a timeout and an
address-space limit (a read of /dev/zero to the end would otherwise take the machine's
memory). A case fails when a command ends in a traceback, an internal error, a hang, an exit
code outside {0, 1, 2, 3}, or, where the results file is no longer the manifest's, when
``compare`` still gives a verdict (exit 0 or 1) or ``evidence attach`` accepts it.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from tests.testing.cli import cli_command
from tests.testing.project import echo_project

FILES = ("results.jsonl", "summary.json", "manifest.json", "run.json", "cases.jsonl")


def _lines(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines(keepends=True)


def _replace(path: Path, make: Callable[[Path], None]) -> None:
    path.unlink(missing_ok=True)
    make(path)


GENERIC: dict[str, Callable[[Path], None]] = {
    "missing": lambda p: p.unlink(),
    "empty": lambda p: p.write_bytes(b""),
    "folder": lambda p: _replace(p, lambda q: q.mkdir()),
    "fifo": lambda p: _replace(p, os.mkfifo),
    "/dev/zero": lambda p: _replace(p, lambda q: q.symlink_to("/dev/zero")),
    "not utf-8": lambda p: p.write_bytes(p.read_bytes()[:40] + b"\xff\xfe" + p.read_bytes()[40:]),
    "torn": lambda p: p.write_bytes(p.read_bytes()[: p.stat().st_size // 2]),
    "first line only": lambda p: p.write_bytes(_lines(p)[0]),
    "deep nesting": lambda p: p.write_bytes(b"[" * 100_000 + b"]" * 100_000),
    "long integer": lambda p: p.write_bytes(b'{"run_id": ' + b"9" * 5000 + b"}"),
}


def _edit_rows(edit: Callable[[list[dict[str, object]]], list[dict[str, object]]]) -> Callable:
    def apply(path: Path) -> None:
        rows = [json.loads(line) for line in _lines(path)]
        path.write_text("".join(json.dumps(r) + "\n" for r in edit(rows)), encoding="utf-8")

    return apply


ROW_EDITS: dict[str, Callable[[Path], None]] = {
    "a row repeated": _edit_rows(lambda rows: rows + rows[:1]),
    "a row dropped": _edit_rows(lambda rows: rows[1:]),
    "a score flipped": _edit_rows(
        lambda rows: [{**rows[0], "scores": {"m": {"matched": False}}}, *rows[1:]]
    ),
    "an object of another shape": lambda p: p.write_bytes(p.read_bytes() + b'{"x": 1}\n'),
}


def mutations() -> list[tuple[str, str, Callable[[Path], None]]]:
    """(file, mutation name, apply) for every file and mutation."""
    out = [(f, name, apply) for f in FILES for name, apply in GENERIC.items()]
    out += [("results.jsonl", name, apply) for name, apply in ROW_EDITS.items()]
    return out


def _limited() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))


def _run(args: list[str], cwd: Path, timeout: float) -> tuple[int | None, str]:
    try:
        done = subprocess.run(
            cli_command(*args),
            cwd=cwd,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=timeout,
            preexec_fn=_limited,
        )
    except subprocess.TimeoutExpired:
        return None, ""
    return done.returncode, done.stdout + done.stderr


def _project(root: Path) -> tuple[Path, str, str]:
    """A project with two finished runs (baseline, candidate) and a ledger; its run ids."""
    root.mkdir(parents=True)
    echo_project(root, "fuzzed")
    for _ in range(2):
        done = subprocess.run(
            cli_command("run", "s.yaml", "--target", "t.yaml", "--no-report", "--no-evidence"),
            cwd=root,
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise SystemExit(f"the runs to mutate could not be made: {done.stderr}")
    first, second = sorted(p.name for p in (root / "reports").iterdir() if p.is_dir())
    return root, first, second


def fuzz_run_folders(limit: int, timeout: float = 30) -> tuple[Counter[str], list[str]]:
    """The first ``limit`` mutations, each through every command; counts of each command's
    outcome, and the failures."""
    root, base, cand = _project(Path(tempfile.mkdtemp(prefix="fuzz-run-folders-")) / "p")
    commands = {
        "report": ["report", cand, "-o", "out"],
        "compare": ["compare", base, cand],
        "runs list": ["runs", "list"],
        "trend": ["trend", "fuzzed", "r"],
        "evidence attach": ["evidence", "attach", cand, "--evidence-for", "fuzz"],
        "evidence verify": ["evidence", "verify"],
        "evidence pack": ["evidence", "pack", cand, "-o", "pack", "--mixed-targets"],
        "ui --index": ["ui", "--index"],
    }
    outcomes: Counter[str] = Counter()
    failures: list[str] = []
    chosen = mutations()[:limit]
    for n, (name, how, apply) in enumerate(chosen):
        copy = root.parent / f"m{n}"
        shutil.copytree(root, copy, symlinks=True)
        apply(copy / "reports" / cand / name)
        changed_rows = name == "results.jsonl" and how not in ("missing", "folder", "fifo")
        for command, args in commands.items():
            code, text = _run(args, copy, timeout)
            outcome = "hang" if code is None else f"exit {code}"
            if "Traceback (most recent call last)" in text or "internal error" in text:
                outcome = "crash"
            outcomes[f"{command} {outcome}"] += 1
            wrong = outcome in ("hang", "crash") or code not in (0, 1, 2, 3)
            if changed_rows and how != "/dev/zero" and command == "compare":
                wrong = wrong or code in (0, 1)  # a verdict over rows that are not the run's
            if changed_rows and command == "evidence attach":
                wrong = wrong or "(EV-" in text  # records appended for them
            if wrong:
                line = text.strip().splitlines()[-1:] if text.strip() else []
                failures.append(f"{name} {how}: {command}: {outcome} {' '.join(line)[:200]}")
        shutil.rmtree(copy, ignore_errors=True)
    shutil.rmtree(root.parent, ignore_errors=True)
    return outcomes, failures
