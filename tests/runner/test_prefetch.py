"""What scoring and recording need is imported while the requests are out (``runner.prefetch``),
not before the first request; a failed prefetch changes nothing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from assurance_harness.runner import prefetch

SUITE = (
    "suite: pre\ncases:\n"
    + "".join(f"  - {{id: c{i}, prompt: 'question {i}'}}\n" for i in range(3))
    + "scorers:\n  - {id: m, use: contains, with: {terms: ['answer']}}\n"
    "metrics:\n  - {id: r, rate: m.matched}\n"
    "gates:\n  - {metric: r, min: 0.5}\n"
)
# The target notes which of them were imported when the first request reached it.
BOT = (
    "import json, os, sys\nfrom assurance_harness.runner.prefetch import AFTER_SENDING\n\n"
    "from assurance_harness.store import runlog\n\n"
    "def reply(text):\n"
    "    if not os.path.exists('first.json'):\n"
    "        built = [m for m in ('ResultRow', 'Summary', 'Manifest', 'IndexRow')\n"
    "                 if getattr(runlog, m).__pydantic_complete__]\n"
    "        with open('first.json', 'w') as out:\n"
    "            json.dump([m for m in AFTER_SENDING if m in sys.modules] + built, out)\n"
    "    return 'answer'\n"
)
RUN = ["run", "suite.yaml", "--target", "target.yaml", "--no-report", "--no-evidence"]
TARGET = "type: callable\nname: bot\nfunction: bot:reply\npython_path: ['.']\nconcurrency: 1\n"


def test_a_run_imports_them_and_builds_its_later_models_after_its_first_request(
    tmp_path: Path,
) -> None:
    (tmp_path / "suite.yaml").write_text(SUITE)
    (tmp_path / "target.yaml").write_text(TARGET)
    (tmp_path / "bot.py").write_text(BOT)
    proc = subprocess.run(
        [sys.executable, "-m", "assurance_harness.cli", *RUN],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert json.loads((tmp_path / "first.json").read_text()) == []


def test_a_module_that_fails_to_import_is_left_to_its_user(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(prefetch, "AFTER_SENDING", ("assurance_harness.no_such_module",))
    job = prefetch.Prefetch(intervals=False)
    job.join()  # never started: nothing to wait for
    job.start()
    job.start()  # once only
    job.join()
    assert "assurance_harness.no_such_module" not in sys.modules
    assert job.environment is None  # read again at the end of the run


def test_the_environment_read_meanwhile_is_the_manifests() -> None:
    from assurance_harness.runner.provenance import environment

    job = prefetch.Prefetch(intervals=True)
    job.start()
    job.join()
    assert job.environment == environment()


def test_the_models_written_after_sending_are_all_built_by_it() -> None:
    from assurance_harness.store import runlog

    job = prefetch.Prefetch(intervals=False)
    job.start()
    job.join()
    pending, later = [runlog._WrittenAfterSending], []
    while pending:
        model = pending.pop()
        pending.extend(model.__subclasses__())
        later.append(model)
    assert {runlog.Summary, runlog.Manifest, runlog.ResultRow, runlog.CasesRef} <= set(later)
    assert all(m.__pydantic_complete__ for m in later if m is not runlog._WrittenAfterSending)
