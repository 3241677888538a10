"""Ctrl-C in any ``assurance`` command says so: one line on stderr naming the command and what
the interruption left, exit 130.

Observed: ``run`` said it was interrupted (its saved responses and the resume command), but every
other command (``validate`` of a large suite, ``evidence verify``, ``report``, ``compare``) ended
with exit 130 and not a word: typer turns the ``KeyboardInterrupt`` into exit 130 silently, so
a user or a CI log could not tell a Ctrl-C from a crash or a kill, nor whether anything had been
changed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

from tests.testing.cli import cli_command
from tests.testing.signals import default_sigint

CASES = 200_000
"""Enough rows that reading the dataset takes seconds: the Ctrl-C lands while it is read."""


def _large_suite(root: Path) -> Path:
    with (root / "cases.jsonl").open("w", encoding="utf-8") as handle:
        for i in range(CASES):
            handle.write(json.dumps({"id": f"c{i}", "prompt": f"question {i} " * 8}) + "\n")
    suite = root / "suite.yaml"
    suite.write_text(
        "suite: big\ndataset: {path: cases.jsonl}\nscorers: [{id: len, use: length}]\n"
        "metrics: [{id: words, mean: len.words}]\ngates: [{metric: words, max: 1000}]\n",
        encoding="utf-8",
    )
    return suite


def _has_open(pid: int, path: Path) -> bool:
    """Whether process ``pid`` holds ``path`` open (Linux's /proc): the command is reading it."""
    folder = Path(f"/proc/{pid}/fd")
    try:
        return any(os.path.realpath(fd) == str(path.resolve()) for fd in folder.iterdir())
    except OSError:  # the fd closed as it was read, or the process ended
        return False


def _ctrl_c_while_reading(argv: list[str], reading: Path, cwd: Path) -> tuple[int, str, str]:
    """Run ``argv``, send SIGINT once it has ``reading`` open; its status, stdout and stderr."""
    child = subprocess.Popen(
        argv,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=default_sigint,
    )
    deadline = time.monotonic() + 30
    while not _has_open(child.pid, reading) and child.poll() is None:
        assert time.monotonic() < deadline, "the command never opened the dataset"
        time.sleep(0.005)
    child.send_signal(signal.SIGINT)
    out, err = child.communicate(timeout=60)
    return child.returncode, out, err


def test_ctrl_c_in_validate_says_it_was_interrupted_and_nothing_changed(tmp_path: Path) -> None:
    suite = _large_suite(tmp_path)
    code, out, err = _ctrl_c_while_reading(
        cli_command("validate", suite), tmp_path / "cases.jsonl", tmp_path
    )
    assert code == 130, (code, out, err)
    assert out == "", out  # not "1 file(s) valid": it was not checked to the end
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("interrupted"), err
    assert "assurance validate" in lines[0] and "nothing was changed" in lines[0], err


def test_ctrl_c_in_report_says_it_was_interrupted_and_what_is_kept(tmp_path: Path) -> None:
    from tests.register.register_testkit import make_run

    rows = [
        {
            "case_id": f"c{i}",
            "sample": 0,
            "prompt": f"prompt {i}",
            "response": f"response {i} " * 8,
            "error": None,
            "metadata": {},
            "expected": {},
            "scores": {"tox": {"toxicity": 0.01, "flagged": False}},
        }
        for i in range(50_000)
    ]
    run_dir = make_run(tmp_path / "reports", rows=rows)
    code, out, err = _ctrl_c_while_reading(
        cli_command("report", run_dir), run_dir / "results.jsonl", tmp_path
    )
    assert code == 130, (code, out, err)
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("interrupted"), err
    assert "assurance report" in lines[0] and "kept" in lines[0], err
    assert "nothing was changed" not in lines[0], err  # it writes report files


def test_every_command_named_as_read_only_exists_with_its_writing_option() -> None:
    """A misspelt name in ``READS_ONLY`` would make that command say "what it had written is
    kept" after a Ctrl-C, and a misspelt option would make it say "nothing was changed" when
    it had been asked to write."""
    from assurance_harness.cli import command
    from assurance_harness.cli_interrupt import READS_ONLY

    root = command()
    for name, writes in READS_ONLY.items():
        found = root
        for part in name.split():
            found = found.commands[part]  # KeyError: no such command
        options = {opt for param in found.params for opt in param.opts}
        assert writes is None or writes in options, (name, writes)
