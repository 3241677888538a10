"""Under a redaction policy, a run that crashes while scoring (a plugin scorer whose exception
quotes the text it was given) leaves no personal data in its saved traceback or on the terminal,
before or after ``--resume`` finishes it: the traceback stays in the run folder, which is
otherwise stored redacted once the run finishes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.testing.cli import run_cli

PLANTED = ["amelia.hart@example.com", "Amelia Hart", "Foxwood Primary School", "07700 900318"]
PROMPT = (
    "Hi, I'm Amelia Hart from Foxwood Primary School. Email me at amelia.hart@example.com "
    "or call 07700 900318."
)
PLUGIN = '''
import os
from typing import ClassVar

from assurance_harness import Scorer, register_scorer


@register_scorer
class Quoting(Scorer):
    """A scorer with a bug: its exception quotes the prompt and response it was given."""

    name: ClassVar[str] = "quoting"
    version: ClassVar[str] = "1"
    fields: ClassVar[dict[str, str]] = {"ok": "always true"}
    field_types: ClassVar[dict[str, str]] = {"ok": "bool"}

    def score(self, batch):
        if os.environ.get("QUOTING_BUG"):
            raise ValueError(f"cannot parse {batch[0].case.prompt!r} -> {batch[0].response!r}")
        return [{"ok": True} for _ in batch]
'''


def _project(root: Path) -> dict[str, str]:
    (root / "assurance.yaml").write_text(
        "privacy:\n  policy_version: t\n  redaction: {enabled: true}\n", encoding="utf-8"
    )
    (root / "quoting_target.py").write_text(
        "def reply(messages):\n    return 'You said: ' + messages[-1]['content']\n",
        encoding="utf-8",
    )
    (root / "t.yaml").write_text(
        "type: callable\nfunction: quoting_target:reply\npython_path: [.]\n", encoding="utf-8"
    )
    (root / "s.yaml").write_text(
        f"suite: quoting\ncases:\n  - {{id: a, prompt: {PROMPT!r}}}\n"
        "scorers: [{id: q, use: quoting}]\n"
        "metrics: [{id: r, rate: q.ok}]\ngates: [{metric: r, min: 0.5}]\n",
        encoding="utf-8",
    )
    plugin = root / "plugin"
    plugin.mkdir()
    (plugin / "sitecustomize.py").write_text(PLUGIN, encoding="utf-8")
    src = Path(__file__).resolve().parents[2] / "src"
    return {"PYTHONPATH": f"{plugin}:{src}", "TMPDIR": str(root)}


def _leaks(root: Path, *texts: str) -> list[str]:
    found = [f"output: {p}" for p in PLANTED for t in texts if p.lower() in t.lower()]
    for path in sorted(p for p in (root / "reports").rglob("*") if p.is_file()):
        data = path.read_bytes().lower()
        found += [f"{path.name}: {p}" for p in PLANTED if p.lower().encode() in data]
    return found


@pytest.mark.slow
def test_a_crash_while_scoring_leaves_no_personal_data_in_the_traceback(tmp_path: Path) -> None:
    env = _project(tmp_path)
    args = ("run", "s.yaml", "--target", "t.yaml", "--reports", "reports", "--no-report")
    crashed = run_cli(*args, cwd=tmp_path, env={**env, "QUOTING_BUG": "1"})
    assert crashed.returncode == 3, crashed.stderr
    assert "internal error: ValueError: cannot parse" in crashed.stderr
    traceback = next((tmp_path / "reports").glob("*/traceback.txt"))
    assert "<EMAIL_ADDRESS>" in traceback.read_text(encoding="utf-8")
    # While the run is unfinished its journal and cases file hold the originals (README, so
    # that --resume scores what was sent); nothing else does, the terminal included.
    places = {leak.split(":")[0] for leak in _leaks(tmp_path, crashed.stderr)}
    assert places <= {"responses.jsonl", "cases.jsonl"}, _leaks(tmp_path, crashed.stderr)

    resume = re.search(r"--resume (\S+)", crashed.stderr)
    assert resume, crashed.stderr
    finished = run_cli(*args, "--resume", resume.group(1), cwd=tmp_path, env=env)
    assert finished.returncode == 0, finished.stderr
    assert _leaks(tmp_path, finished.stdout, finished.stderr) == []
