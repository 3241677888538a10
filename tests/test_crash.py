"""A bug ends a command with exit 3 and one line, never a traceback that exits 1 (the code CI
reads as "a gate failed"), and a crashed run keeps what it collected and finishes on --resume
(issue 12: "CI must be able to tell a crash from a failed gate, so no input may end in a
traceback or exit 1").

The bug is injected for real in the subprocess: a ``sitecustomize`` on its path replaces one
function with one that raises, as a defect in that function would.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.testing.cli import run_cli

SECRET = "sk-injected0123456789abcdef"
SUITE = (
    "suite: crash\ncases:\n  - {id: a, prompt: hi}\n  - {id: b, prompt: there}\n"
    "scorers: [{id: m, use: regex, with: {pattern: echo}}]\n"
    "metrics: [{id: r, rate: m.matched}]\ngates: [{metric: r, min: 0.5}]\n"
)
BUG = """
import {module} as _module

def _broken(*args, **kwargs):
    raise ZeroDivisionError("injected bug near key " + {secret!r})

_module.{name} = _broken
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "crash_target.py").write_text(
        "def reply(messages):\n    return 'echo ' + messages[-1]['content']\n", encoding="utf-8"
    )
    (tmp_path / "t.yaml").write_text(
        "type: callable\nfunction: crash_target:reply\npython_path: [.]\n", encoding="utf-8"
    )
    (tmp_path / "s.yaml").write_text(SUITE, encoding="utf-8")
    return tmp_path


def _with_bug(project: Path, module: str, name: str) -> dict[str, str]:
    """The environment of a process in which ``module.name`` raises."""
    folder = project / "bug"
    folder.mkdir(exist_ok=True)
    (folder / "sitecustomize.py").write_text(
        BUG.format(module=module, name=name, secret=SECRET), encoding="utf-8"
    )
    src = Path(__file__).resolve().parents[1] / "src"
    # TMPDIR: a traceback saved outside a run folder lands in the test's folder, not in /tmp
    return {"PYTHONPATH": f"{folder}:{src}", "MY_API_KEY": SECRET, "TMPDIR": str(project)}


def _run(project: Path, *extra: str, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return run_cli(
        *("run", "s.yaml", "--target", "t.yaml", "--reports", "reports", "--no-report"),
        *extra,
        cwd=project,
        env=env,
    )


def test_a_bug_while_scoring_is_exit_3_in_one_line_and_the_run_resumes(project: Path) -> None:
    crashed = _run(project, env=_with_bug(project, "assurance_harness.runner.run", "_row"))
    assert crashed.returncode == 3, crashed.stderr
    assert "Traceback" not in crashed.stderr + crashed.stdout
    errors = [line for line in crashed.stderr.splitlines() if line.startswith("error: ")]
    assert errors[0].startswith("error: internal error: ZeroDivisionError: injected bug")
    saved = re.search(r"its traceback is in (\S+);", errors[0])
    assert saved, errors[0]
    traceback_file = project / saved.group(1)  # relative to where the command ran
    assert traceback_file.name == "traceback.txt"
    text = traceback_file.read_text(encoding="utf-8")
    assert "Traceback" in text and "_broken" in text
    assert SECRET not in text and SECRET not in crashed.stderr  # scrubbed everywhere
    resume = re.search(r"finish with: .*--resume (\S+)", crashed.stderr)
    assert resume, crashed.stderr
    assert traceback_file.parent.name == resume.group(1)  # in the crashed run's folder

    finished = _run(project, "--resume", resume.group(1))  # the bug fixed: no sitecustomize
    assert finished.returncode == 0, finished.stderr
    assert (project / "reports" / resume.group(1) / "summary.json").exists()


def test_a_bug_outside_a_run_is_exit_3_and_the_traceback_only_on_request(project: Path) -> None:
    env = _with_bug(project, "assurance_harness.spec.loader", "load_suite")
    crashed = _run(project, env=env)
    assert crashed.returncode == 3, crashed.stderr
    assert "Traceback" not in crashed.stderr
    assert crashed.stderr.startswith("error: internal error: ZeroDivisionError")
    assert len(crashed.stderr.strip().splitlines()) == 1, crashed.stderr
    assert not (project / "reports").exists() or not any((project / "reports").iterdir())

    shown = _run(project, env={**env, "ASSURANCE_TRACEBACK": "1"})
    assert shown.returncode == 3
    assert "Traceback" in shown.stderr and "_broken" in shown.stderr
    assert SECRET not in shown.stderr


def test_a_bug_while_sending_is_exit_3_and_leaves_no_half_made_run(project: Path) -> None:
    env = _with_bug(project, "assurance_harness.runner.executor", "valid_unicode")
    crashed = _run(project, env=env)
    assert crashed.returncode == 3, crashed.stderr
    assert "Traceback" not in crashed.stderr
    errors = [line for line in crashed.stderr.splitlines() if line.startswith("error: ")]
    assert errors[0].startswith("error: internal error: ZeroDivisionError"), errors
    assert errors[1:] == ["error: no response was recorded; run again after a fix"]
    saved = re.search(r"its traceback is in (\S+);", crashed.stderr)
    assert saved and Path(saved.group(1)).parent == project, crashed.stderr
    assert "_broken" in Path(saved.group(1)).read_text(encoding="utf-8")
    reports = project / "reports"
    assert not [p for p in reports.iterdir() if p.is_dir()], list(reports.iterdir())


def test_a_base_exception_from_a_bug_is_exit_3_in_one_line(project: Path) -> None:
    # A plugin's exception class may derive from BaseException (found by an adversarial pass:
    # main() caught Exception only, so it ended in a Python traceback and exit 1, which CI
    # reads as a failed gate).
    folder = project / "bug"
    folder.mkdir()
    (folder / "sitecustomize.py").write_text(
        "import assurance_harness.spec.loader as _module\n"
        "class PluginAbort(BaseException):\n    pass\n"
        "def _broken(*args, **kwargs):\n    raise PluginAbort('plugin gave up')\n"
        "_module.load_suite = _broken\n",
        encoding="utf-8",
    )
    src = Path(__file__).resolve().parents[1] / "src"
    env = {"PYTHONPATH": f"{folder}:{src}", "TMPDIR": str(project)}
    crashed = _run(project, env=env)
    assert crashed.returncode == 3, crashed.stderr
    assert "Traceback" not in crashed.stderr
    assert crashed.stderr.startswith("error: internal error: PluginAbort: plugin gave up")


SAVE_UNDER_LIMIT = """\
import resource, signal, sys
from pathlib import Path
from assurance_harness.crash import internal_error

signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (2000, 2000))
try:
    raise ValueError("x" * 6000)
except ValueError as exc:
    print(internal_error(exc, folder=Path(sys.argv[1])))
"""


def test_a_traceback_the_disk_cannot_hold_leaves_no_cut_off_file(tmp_path: Path) -> None:
    """The traceback is written whole or not at all: a write cut off by a full disk (here a
    real EFBIG, the process's file size limit) left a traceback.txt that ends part-way, in the
    run folder and in the temporary folder tried after it, which the line then named."""
    import os
    import subprocess
    import sys

    folder, temporary = tmp_path / "run", tmp_path / "tmp"
    folder.mkdir()
    temporary.mkdir()
    done = subprocess.run(
        [sys.executable, "-c", SAVE_UNDER_LIMIT, str(folder)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "TMPDIR": str(temporary)},
    )
    assert done.returncode == 0, done.stderr
    assert "its traceback could not be saved" in done.stdout, done.stdout
    assert list(folder.iterdir()) == [] and list(temporary.iterdir()) == []
