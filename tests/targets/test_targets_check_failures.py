"""``targets check`` on a target whose adapter fails in a way no target error describes: one
line naming the target file, exit 3, and the traceback kept where a bug can be looked into."""

from __future__ import annotations

import re
from pathlib import Path

from tests.testing.cli import run_cli
from tests.testing.project import callable_target

ODD_CALLABLE = """
class Odd:
    def __call__(self, messages):
        return "ok"

    def __getattribute__(self, name):
        if name in ("__signature__", "__wrapped__"):  # inspect.signature asks these
            raise RuntimeError("odd attribute lookup")
        return object.__getattribute__(self, name)


reply = Odd()
"""

UNPRINTABLE_TARGET_ERROR = """
from assurance_harness.targets.base import TargetError


class Unprintable(TargetError):
    def __str__(self):
        raise ValueError("no text")


def reply(messages):
    raise Unprintable("down")
"""


def test_an_adapter_failing_as_it_starts_is_one_line_naming_the_target_file(
    tmp_path: Path,
) -> None:
    # It reached the CLI's last resort: "internal error" with no word of which target file
    # was being checked (and the target's secrets not scrubbed from the saved traceback).
    callable_target(tmp_path, "odd_check_target", ODD_CALLABLE)
    env = {"TMPDIR": str(tmp_path)}  # where the traceback is saved: not the machine's /tmp
    proc = run_cli("targets", "check", "t.yaml", cwd=tmp_path, timeout=60, env=env)
    text = proc.stdout + proc.stderr
    assert proc.returncode == 3, text
    lines = text.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: t.yaml: "), text
    assert "RuntimeError: odd attribute lookup" in text and "Traceback" not in text, text
    saved = re.search(r"traceback is in (\S+);", text)
    assert saved is not None, text
    assert Path(saved.group(1)).parent == tmp_path, text
    assert "odd attribute lookup" in Path(saved.group(1)).read_text()


def test_a_target_error_whose_text_cannot_be_read_is_a_failed_check_not_a_crash(
    tmp_path: Path,
) -> None:
    callable_target(tmp_path, "unprintable_check_target", UNPRINTABLE_TARGET_ERROR)
    proc = run_cli("targets", "check", "t.yaml", cwd=tmp_path, timeout=60)
    text = proc.stdout + proc.stderr
    assert proc.returncode == 3, text
    assert "failed: target_error: Unprintable: (its message could not be read)" in text, text
    assert "internal error" not in text, text


def test_a_target_that_never_answers_is_a_timeout_within_its_timeout_s(tmp_path: Path) -> None:
    # The run bounds each request by the target's timeout_s; targets check did not, so a
    # callable (or local model) that hangs kept the check waiting for ever, without a word.
    import time

    path = callable_target(
        tmp_path,
        "hangs_check_target",
        "import time\n\n\ndef reply(messages):\n    time.sleep(60)\n",
    )
    path.write_text(path.read_text() + "timeout_s: 1\n")
    started = time.monotonic()
    proc = run_cli("targets", "check", "t.yaml", cwd=tmp_path, timeout=40)
    text = proc.stdout + proc.stderr
    assert proc.returncode == 3, text
    assert "failed: timeout: no response within 1s" in text, text
    assert time.monotonic() - started < 30
