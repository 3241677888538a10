"""``run --resume`` of an unfinished run whose journal (responses.jsonl) holds a line that is no
record the runner writes. Observed: bytes that are not UTF-8, a JSON string, a case id that is
a number, a 5000-digit integer, nesting 100,000 deep, a response or a latency of the wrong type
each ended the resume in an internal error (UnicodeDecodeError, ValueError, AttributeError,
RecursionError). Such a line is skipped, as a torn one is: the request it would answer keeps
its earlier record, or is sent again, and the run finishes with each case once."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.testing.cli import run_cli
from tests.testing.project import echo_project

LINES = {
    "not utf-8": b"\xa3\xff\xfe garbage\n",
    "a JSON string": b'"x"\n',
    "a case id that is a number": b'{"case_id": 5, "sample": 0, "seed": 1, "response": "x"}\n',
    "a long integer": b'{"case_id": "a", "sample": ' + b"9" * 5000 + b"}\n",
    "nested too deep": b"[" * 100_000 + b"]" * 100_000 + b"\n",
    "a response that is a number": (b'{"case_id": "a", "sample": 0, "seed": 1, "response": 5}\n'),
    "a latency that is a word": (
        b'{"case_id": "a", "sample": 0, "seed": 1, "response": "x", "latency_s": "fast"}\n'
    ),
}


@pytest.mark.parametrize("line", list(LINES))
def test_a_journal_line_that_is_no_record_is_skipped_on_resume(tmp_path: Path, line: str) -> None:
    root = echo_project(tmp_path, "journal-damage")
    done = run_cli("run", "s.yaml", "--target", "t.yaml", "--no-report", cwd=root, timeout=60)
    assert done.returncode == 0, done.stderr
    (run_dir,) = (p for p in (root / "reports").iterdir() if p.is_dir())
    for name in ("summary.json", "manifest.json", "results.jsonl"):
        (run_dir / name).unlink()  # as a run stopped after its responses were journalled
    state = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    state.update(status="running", finished_at=None)
    (run_dir / "run.json").write_text(json.dumps(state), encoding="utf-8")
    with (run_dir / "responses.jsonl").open("ab") as handle:
        handle.write(LINES[line])

    args = ["run", "s.yaml", "--target", "t.yaml", "--no-report", "--resume", run_dir.name]
    done = run_cli(*args, cwd=root, timeout=60)
    text = done.stdout + done.stderr
    assert "internal error" not in text and "Traceback" not in text, text
    assert done.returncode == 0, text
    rows = [json.loads(x) for x in (run_dir / "results.jsonl").read_text().splitlines()]
    assert [(r["case_id"], r["response"]) for r in rows] == [("a", "echo hi"), ("b", "echo there")]


@pytest.mark.parametrize("kind", ["fifo", "/dev/zero"])
def test_a_journal_that_is_a_pipe_or_a_device_is_named_not_waited_on(
    tmp_path: Path, kind: str
) -> None:
    """Observed: a FIFO in the journal's place made --resume wait forever; a link to /dev/zero
    read it until memory ran out (MemoryError, an internal error)."""
    from tests.store.test_run_folder_special_files import _assurance

    root = echo_project(tmp_path, "journal-special")
    done = run_cli("run", "s.yaml", "--target", "t.yaml", "--no-report", cwd=root, timeout=60)
    assert done.returncode == 0, done.stderr
    (run_dir,) = (p for p in (root / "reports").iterdir() if p.is_dir())
    for name in ("summary.json", "manifest.json", "results.jsonl", "responses.jsonl"):
        (run_dir / name).unlink()
    state = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    state.update(status="running", finished_at=None)
    (run_dir / "run.json").write_text(json.dumps(state), encoding="utf-8")
    journal = run_dir / "responses.jsonl"
    if kind == "fifo":
        os.mkfifo(journal)
    else:
        journal.symlink_to(kind)

    args = ["run", "s.yaml", "--target", "t.yaml", "--no-report", "--resume", run_dir.name]
    done = _assurance(*args, cwd=root)
    text = done.stdout + done.stderr
    assert "internal error" not in text and "Traceback" not in text, text
    assert done.returncode == 2, text
    assert "responses.jsonl: not a regular file" in text, text
