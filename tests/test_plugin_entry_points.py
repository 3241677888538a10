"""Third-party plugins arrive through entry points (README, "Plugins"): a real installed
distribution (a ``.dist-info`` folder on the path, as pip writes it) adds a scorer that suites
can use, and cannot replace a built-in one."""

from __future__ import annotations

import json
from pathlib import Path

from tests.testing.cli import run_cli
from tests.testing.plugins import installed_plugin
from tests.testing.project import callable_target

PLUGIN = """\
from typing import Any, ClassVar

from assurance_harness.scorers.base import FieldType, Scorer, ScorerParams


class ShoutScorer(Scorer):
    name = "shout"
    version = "1"
    Params = ScorerParams
    fields = {"loud": "true when the response is in capitals"}
    field_types: ClassVar[dict[str, FieldType]] = {"loud": "bool"}

    def score(self, batch: list[Any]) -> list[dict[str, Any]]:
        return [{"loud": item.response.isupper()} for item in batch]
"""

ENTRY_POINTS = """\
[assurance_harness.scorers]
shout = shoutplugin:ShoutScorer
contains = shoutplugin:ShoutScorer
"""

SUITE = """\
suite: plugged
cases:
  - {{id: a, prompt: hi}}
  - {{id: b, prompt: there}}
scorers: [{{id: s, use: {use}}}]
metrics: [{{id: r, rate: s.{field}}}]
gates: [{{metric: r, min: 0.0}}]
"""


def _installed_plugin(root: Path) -> dict[str, str]:
    return installed_plugin(root, "shoutplugin", {"shoutplugin": PLUGIN}, ENTRY_POINTS)


def _project(root: Path, use: str, field: str) -> None:
    callable_target(root, "plugged_target", "def reply(messages):\n    return 'HELLO'\n")
    (root / "s.yaml").write_text(SUITE.format(use=use, field=field), encoding="utf-8")


def _scores(reports: Path) -> list[dict[str, object]]:
    (results,) = reports.glob("*/results.jsonl")
    lines = results.read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["scores"]["s"] for line in lines]


def test_a_scorer_from_an_entry_point_is_used_by_a_suite(tmp_path: Path) -> None:
    env = _installed_plugin(tmp_path)
    _project(tmp_path, "shout", "loud")
    checked = run_cli("validate", "s.yaml", cwd=tmp_path, env=env)
    assert checked.returncode == 0, checked.stderr
    ran = run_cli(
        "run", "s.yaml", "--target", "t.yaml", "--reports", "reports", cwd=tmp_path, env=env
    )
    assert ran.returncode == 0, ran.stderr
    assert _scores(tmp_path / "reports") == [{"loud": True}, {"loud": True}]


def test_an_entry_point_cannot_replace_a_built_in_scorer(tmp_path: Path) -> None:
    env = _installed_plugin(tmp_path)
    _project(tmp_path, "contains", "matched")
    suite = (tmp_path / "s.yaml").read_text(encoding="utf-8")
    (tmp_path / "s.yaml").write_text(
        suite.replace("use: contains}", "use: contains, with: {terms: [HELLO]}}"),
        encoding="utf-8",
    )
    ran = run_cli(
        "run", "s.yaml", "--target", "t.yaml", "--reports", "reports", cwd=tmp_path, env=env
    )
    assert ran.returncode == 0, ran.stderr
    assert _scores(tmp_path / "reports") == [{"matched": True, "found": ["HELLO"]}] * 2


def test_a_misspelt_plugin_name_is_matched_against_the_installed_ones(tmp_path: Path) -> None:
    env = _installed_plugin(tmp_path)
    _project(tmp_path, "shuot", "loud")
    checked = run_cli("validate", "s.yaml", cwd=tmp_path, env=env)
    assert checked.returncode == 2
    assert "unknown scorer 'shuot'; did you mean 'shout'?" in checked.stderr
