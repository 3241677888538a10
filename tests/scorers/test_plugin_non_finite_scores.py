"""A third-party scorer that hands back NaN or an infinity (a probability that overflowed, a
ratio over zero) leaves results.jsonl strict JSON, as summary.json already is: ``NaN`` and
``Infinity`` are not JSON, and strict readers (a browser's ``JSON.parse``, jq 1.6, Go, Java)
refuse the whole file. NaN is written as null, which every figure already reads it as
(docs/FORMATS.md); an infinity as ``1e999``, a JSON number every reader turns back into the
largest number it holds (Python: ``inf``), so the run's figures are the ones its results give
when measured again.

Observed: results.jsonl held ``"p": NaN`` and ``"p": Infinity``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.testing.cli import run_cli
from tests.testing.plugins import installed_plugin
from tests.testing.project import callable_target

PLUGIN = """\
from typing import Any, ClassVar

from assurance_harness.scorers.base import FieldType, Scorer, ScorerParams

VALUES = {"nan": float("nan"), "inf": float("inf"), "ninf": float("-inf"), "one": 1.0}


class OddScorer(Scorer):
    name = "odd-floats"
    version = "1"
    Params = ScorerParams
    fields = {"p": "a number", "all": "a list"}
    field_types: ClassVar[dict[str, FieldType]] = {"p": "number", "all": "list"}

    def score(self, batch: list[Any]) -> list[dict[str, Any]]:
        values = [VALUES[item.response] for item in batch]
        return [{"p": v, "all": [v, {"x": v}]} for v in values]
"""

SUITE = """\
suite: odd-floats
evidence_for: [R-901]
cases:
  - {id: a, prompt: nan}
  - {id: b, prompt: inf}
  - {id: c, prompt: ninf}
  - {id: d, prompt: one}
scorers: [{id: s, use: odd-floats}]
metrics:
  - {id: high, rate: "s.p > 0.5"}
gates:
  - {metric: high, max: 1.0}
"""

REGISTER = """\
register_version: 1
system: {name: bot, description: A bot., intended_use: Tests., owner: QA, target: t.yaml}
risks:
  - id: R-901
    title: A risk
    description: A risk.
    category: wellbeing
    owner: QA
    likelihood: 2
    impact: 5
    treatment: mitigate
    acceptance_criteria: None.
    suites: [{suite: odd-floats}]
"""


def _strict(line: str) -> Any:
    def refuse(constant: str) -> None:
        raise AssertionError(f"results.jsonl holds {constant}: {line}")

    return json.loads(line, parse_constant=refuse)


def test_non_finite_scores_are_strict_json_and_the_run_attaches(tmp_path: Path) -> None:
    env = installed_plugin(
        tmp_path,
        "oddplugin",
        {"oddplugin": PLUGIN},
        "[assurance_harness.scorers]\nodd-floats = oddplugin:OddScorer\n",
    )
    callable_target(
        tmp_path, "odd_echo", "def reply(messages):\n    return messages[-1]['content']\n"
    )
    (tmp_path / "s.yaml").write_text(SUITE, encoding="utf-8")
    (tmp_path / "register.yaml").write_text(REGISTER, encoding="utf-8")
    ran = run_cli("run", "s.yaml", "--target", "t.yaml", "--reports", "r", cwd=tmp_path, env=env)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    (run_dir,) = (p.parent for p in (tmp_path / "r").glob("*/results.jsonl"))
    lines = (run_dir / "results.jsonl").read_text(encoding="utf-8").splitlines()
    scores = {row["case_id"]: row["scores"]["s"] for row in map(_strict, lines)}
    assert scores["a"] == {"p": None, "all": [None, {"x": None}]}
    assert scores["b"]["p"] == float("inf") and scores["c"]["p"] == float("-inf")
    assert scores["d"] == {"p": 1.0, "all": [1.0, {"x": 1.0}]}
    # inf > 0.5 counts, NaN is no figure: 2 of 3.
    summary = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
    assert summary["metrics"]["high"]["value"] == 2 / 3
    attached = run_cli(
        "evidence",
        "attach",
        run_dir.name,
        "--reports",
        "r",
        "--register",
        "register.yaml",
        "--ledger",
        "ledger.jsonl",
        cwd=tmp_path,
        env=env,
    )
    assert attached.returncode == 0, attached.stdout + attached.stderr
