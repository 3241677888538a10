"""A third-party scorer's outputs are checked against the types it declares (``field_types``)
before any figure reads them. Observed: a plugin declaring ``flagged`` a ``bool`` returned the
text ``"false"``, which a rate counts as true (a non-empty string): every clean answer was
measured as flagged, and nothing said so. Now the run stops at that row with one line naming
the scorer, the field, what it returned and the fix (exit 3); the answers are kept, and once the
scorer is fixed ``--resume`` scores them without sending anything again."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.testing.cli import run_cli
from tests.testing.plugins import installed_plugin
from tests.testing.project import callable_target

PLUGIN = """\
from typing import Any, ClassVar

from assurance_harness.scorers.base import FieldType, Scorer, ScorerParams

FLAG = {flag}


class FlagScorer(Scorer):
    name = "flagger"
    version = "1"
    Params = ScorerParams
    fields = {{"flagged": "a flag", "p": "a probability", "label": "a word"}}
    field_types: ClassVar[dict[str, FieldType]] = {{
        "flagged": "bool", "p": "number", "label": "label"
    }}

    def score(self, batch: list[Any]) -> list[Any]:
        return [{out} for item in batch]
"""

SUITE = """\
suite: flags
cases:
  - {id: a, prompt: one}
  - {id: b, prompt: two}
scorers: [{id: s, use: flagger}]
metrics:
  - {id: flagged, rate: s.flagged}
gates:
  - {metric: flagged, max: 0.5}
"""

BOT = "CALLS = []\ndef reply(messages):\n    CALLS.append(1)\n    return 'fine'\n"


def _project(tmp_path: Path, out: str) -> dict[str, str]:
    env = installed_plugin(
        tmp_path,
        "flagplugin",
        {"flagplugin": PLUGIN.format(flag='"false"', out=out)},
        "[assurance_harness.scorers]\nflagger = flagplugin:FlagScorer\n",
    )
    callable_target(tmp_path, "flag_bot", BOT)
    (tmp_path / "s.yaml").write_text(SUITE, encoding="utf-8")
    return env


RUN = ("run", "s.yaml", "--target", "t.yaml", "--reports", "r", "--no-report", "--no-evidence")


def test_a_bool_field_holding_text_stops_the_run_and_resume_scores_it_once_fixed(
    tmp_path: Path,
) -> None:
    env = _project(tmp_path, '{"flagged": FLAG, "p": 0.1, "label": "ok"}')
    failed = run_cli(*RUN, cwd=tmp_path, env=env)
    assert failed.returncode == 3, failed.stdout + failed.stderr
    assert "Traceback" not in failed.stderr
    first = next(line for line in failed.stderr.splitlines() if line.startswith("error: "))
    assert "scorer 's' (flagger)" in first and "'flagged'" in first, first
    assert "bool" in first and "str" in first, first
    resume = re.search(r"--resume (\S+)", failed.stderr)
    assert resume, failed.stderr

    plugin = tmp_path / "site" / "flagplugin.py"  # the fix: a bool
    plugin.write_text(
        plugin.read_text(encoding="utf-8").replace('FLAG = "false"', "FLAG = False"),
        encoding="utf-8",
    )
    done = run_cli(*RUN, "--resume", resume.group(1).strip("'"), cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    (summary,) = (tmp_path / "r").glob("*/summary.json")
    data = json.loads(summary.read_text(encoding="utf-8"))
    assert data["metrics"]["flagged"]["value"] == 0.0
    assert data["counts"]["requests"] == 2


@pytest.mark.parametrize(
    ("out", "field", "kind"),
    [
        ('{"flagged": False, "p": "0.1", "label": "ok"}', "'p'", "number"),
        ('{"flagged": False, "p": 0.1, "label": 3}', "'label'", "label"),
        ("0.5", "a mapping", "float"),
    ],
)
def test_other_outputs_that_are_not_their_declared_type_are_refused(
    tmp_path: Path, out: str, field: str, kind: str
) -> None:
    env = _project(tmp_path, out)
    failed = run_cli(*RUN, cwd=tmp_path, env=env)
    assert failed.returncode == 3, failed.stdout + failed.stderr
    first = next(line for line in failed.stderr.splitlines() if line.startswith("error: "))
    assert field in first and kind in first, first
