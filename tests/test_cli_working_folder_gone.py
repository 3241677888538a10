"""A command started in a folder that was deleted under the shell (``cd d; rm -rf ../d``, or a
build that makes its folder again while a shell is in it).

Python cannot name such a folder (``os.getcwd`` fails), so ``assurance.yaml`` (the privacy and
store settings, read from the working folder) and every relative path are beyond reach. Was:
``assurance run`` with absolute paths ended in "cannot read or write a file: No such file or
directory" (no file named; with ``--no-cache`` only after every case was sent, blaming the
``--reports`` folder, which was there), ``register status`` printed its table and then that
line, and ``validate s.yaml`` said the file was not found.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from .testing.cli import cli_command
from .testing.project import SUITE, callable_target

GONE = "the current folder no longer exists"


def _in_a_gone_folder(tmp_path: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    """``assurance ARGS...`` started in a folder removed just before (by the shell it runs in)."""
    gone = tmp_path / "gone"
    gone.mkdir()
    return subprocess.run(
        ["sh", "-c", 'cd "$0" && rmdir "$0" && exec "$@"', gone, *cli_command(*args)],
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("cache", ["--cache", "--no-cache"])
def test_a_run_is_refused_before_anything_is_sent(tmp_path: Path, cache: str) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "s.yaml").write_text(SUITE.format(name="gone"), encoding="utf-8")
    marker = project / "SENT"  # made once anything is sent (a path of its own: no folder here)
    callable_target(
        project,
        "gone_folder_target",
        f"def reply(messages):\n    open({str(marker)!r}, 'a').close()\n    return 'echo hi'\n",
    )
    reports = tmp_path / "reports"
    done = _in_a_gone_folder(
        tmp_path, "run", project / "s.yaml", "--target", project / "t.yaml",
        "--reports", reports, cache,
    )  # fmt: skip
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.count("\n") == 1 and GONE in done.stderr, done.stderr
    assert "cd " in done.stderr and "Traceback" not in done.stderr
    assert not marker.exists()
    assert not reports.exists()


def test_a_relative_path_is_not_said_to_be_missing(tmp_path: Path) -> None:
    done = _in_a_gone_folder(tmp_path, "validate", "s.yaml")
    assert done.returncode == 2, done.stdout + done.stderr
    assert GONE in done.stdout + done.stderr and "not found" not in done.stdout + done.stderr


def test_help_still_prints(tmp_path: Path) -> None:
    done = _in_a_gone_folder(tmp_path, "run", "--help")
    assert done.returncode == 0, done.stderr
    assert "Usage: assurance run" in done.stdout


def test_a_folder_deleted_while_a_run_sends_is_named_and_its_answers_kept(
    tmp_path: Path,
) -> None:
    """Was: the working folder deleted while cases were sent (by the target here; a cleanup
    job, a person) ended the run with "cannot write <--reports>: No such file or directory",
    a folder that was there; the collected responses and the resume command were right."""
    project, working = tmp_path / "project", tmp_path / "working"
    project.mkdir()
    working.mkdir()
    (project / "s.yaml").write_text(SUITE.format(name="gone-later"), encoding="utf-8")
    callable_target(
        project,
        "gone_later_target",
        f"import shutil\n\ndef reply(messages):\n    shutil.rmtree({str(working)!r}, True)\n"
        "    return 'echo hi'\n",
    )
    reports = tmp_path / "reports"
    args = ["run", project / "s.yaml", "--target", project / "t.yaml", "--reports", reports]
    done = subprocess.run(
        cli_command(*args, "--no-cache"), cwd=working, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 3, done.stdout + done.stderr
    lines = [line for line in done.stderr.splitlines() if line.startswith("error: ")]
    assert len(lines) == 2 and GONE in lines[0], done.stderr
    assert str(reports) not in lines[0]
    assert "--resume" in lines[1] and "Traceback" not in done.stderr
    (run_dir,) = [p for p in reports.iterdir() if p.is_dir()]
    assert (run_dir / "responses.jsonl").read_text(encoding="utf-8").count("\n") == 2
