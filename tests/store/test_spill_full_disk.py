"""A full (or read-only) temporary folder is one storage error line naming that folder and the
way on, exit 3, never a traceback: when a large dataset moves to disk as it is loaded, and
when a resumed run reads its cases and journal back into temporary files."""

from __future__ import annotations

import errno
import json
from pathlib import Path

import pytest

from assurance_harness.errors import ExitCode, RunFailedError
from assurance_harness.runner.run import run_suite
from assurance_harness.spec import caselist
from assurance_harness.spec.loader import load_suite
from assurance_harness.store import spill

SUITE = """\
suite: full-tmp
dataset: {path: cases.jsonl, fields: {prompt: text, id: id}}
scorers:
  - {id: len, use: length}
metrics:
  - {id: words, mean: len.words}
"""


def _full(self: spill.TempFile, data: bytes | memoryview, offset: int) -> None:
    raise OSError(errno.ENOSPC, "No space left on device")


@pytest.fixture
def suite(tmp_path: Path) -> Path:
    (tmp_path / "suite.yaml").write_text(SUITE)
    (tmp_path / "cases.jsonl").write_text(
        "".join(json.dumps({"id": f"c{i}", "text": f"case {i}"}) + "\n" for i in range(6))
    )
    (tmp_path / "full_tmp_bot.py").write_text("def reply(messages, params):\n    return 'a b'\n")
    (tmp_path / "bot.yaml").write_text(
        "type: callable\nfunction: full_tmp_bot:reply\npython_path: ['.']\n"
    )
    return tmp_path / "suite.yaml"


def test_a_large_dataset_on_a_full_temporary_folder(
    suite: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(caselist.collect, "__kwdefaults__", {"in_memory": 2})
    monkeypatch.setattr(spill.TempFile, "_write", _full)
    with pytest.raises(RunFailedError) as caught:
        load_suite(suite)
    message = str(caught.value)
    assert caught.value.exit_code == ExitCode.RUN_FAILED
    assert message.startswith("cannot write a temporary file in ")
    assert "No space left on device" in message and "TMPDIR" in message


def test_a_resumed_run_on_a_full_temporary_folder(
    suite: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reports = suite.parent / "reports"
    first = run_suite(
        suite, suite.parent / "bot.yaml", reports_dir=reports, use_cache=False,
        write_reports=False, attach_evidence=False,
    )  # fmt: skip
    (first.run_dir / "summary.json").unlink()  # as if killed before it finished
    monkeypatch.setattr(spill.TempFile, "_write", _full)
    with pytest.raises(RunFailedError) as caught:
        run_suite(
            suite, suite.parent / "bot.yaml", reports_dir=reports, resume=first.run_dir.name,
            use_cache=False, write_reports=False, attach_evidence=False,
        )  # fmt: skip
    message = str(caught.value)
    assert message.startswith("cannot write a temporary file in ")
    assert "No space left on device" in message


def test_a_temporary_file_in_a_given_folder_names_that_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(spill.TempFile, "_write", _full)
    column = spill.SpillArray("q", folder=tmp_path)
    with pytest.raises(spill.SpillError) as caught:
        column.extend(range(spill.BLOCK))
    column.close()
    assert caught.value.filename == f"a temporary file in {tmp_path}"


def test_a_full_given_folder_is_not_sent_to_tmpdir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A spill into a folder of the run's (a journal's index in the run folder) is not moved
    by TMPDIR: the way on is that folder's space alone."""
    monkeypatch.setattr(spill.TempFile, "_write", _full)
    column = spill.SpillArray("q", folder=tmp_path)
    with pytest.raises(spill.SpillError) as caught:
        column.extend(range(spill.BLOCK))
    column.close()
    message = str(spill.spill_failure(caught.value))
    assert message.startswith(f"cannot write a temporary file in {tmp_path}: No space left")
    assert "free space there" in message and "TMPDIR" not in message, message
