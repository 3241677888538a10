"""A third-party scorer that hands back numpy numbers (``probs[i]`` is an ``np.float32``, a
count an ``np.int64``, a flag an ``np.bool_``) is scored as it would be with Python's: the
figures in summary.json are the ones results.jsonl gives when measured again.

Observed: results.jsonl held them as text ("0.75", "True"), while the run's metrics had read
the numbers; ``evidence attach`` of the unedited run then refused it ("metric 'high' n is 3
but its results give 0; the run's files changed after it finished").

A scorer that hands back NaN or an infinity (a probability that overflowed, a ratio over zero)
leaves results.jsonl strict JSON, as summary.json already is: ``NaN`` and ``Infinity`` are not
JSON, and strict readers (a browser's ``JSON.parse``, jq 1.6, Go, Java) refuse the whole file.
NaN is written as null, which every figure already reads it as (docs/FORMATS.md); an infinity
as ``1e999``, a JSON number every reader turns back into the largest number it holds (Python:
``inf``), so here too the run's figures are the ones its results give when measured again.
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

import numpy as np

from assurance_harness.scorers.base import FieldType, Scorer, ScorerParams

VALUES = {"hi": 0.75, "lo": 0.25}


class NumpyScorer(Scorer):
    name = "numpy-probs"
    version = "1"
    Params = ScorerParams
    fields = {"p": "a probability", "words": "a count", "flagged": "a flag", "all": "a list"}
    field_types: ClassVar[dict[str, FieldType]] = {
        "p": "number", "words": "number", "flagged": "bool", "all": "list"
    }

    def score(self, batch: list[Any]) -> list[dict[str, Any]]:
        out = []
        for item in batch:
            p = np.float32(VALUES[item.response])
            out.append(
                {"p": p, "words": np.int64(2), "flagged": p > 0.5, "all": np.array([p, 1 - p])}
            )
        return out
"""

SUITE = """\
suite: numpy-plugin
evidence_for: [R-900]
cases:
  - {id: a, prompt: hi}
  - {id: b, prompt: lo}
  - {id: c, prompt: hi}
scorers: [{id: s, use: numpy-probs}]
metrics:
  - {id: high, rate: "s.p > 0.5"}
  - {id: flagged, rate: s.flagged}
  - {id: words, mean: s.words}
gates:
  - {metric: high, max: 1.0}
  - {metric: flagged, max: 1.0}
  - {metric: words, max: 5}
"""

REGISTER = """\
register_version: 1
system: {{name: bot, description: A bot., intended_use: Tests., owner: QA, target: t.yaml}}
risks:
  - id: {risk}
    title: A risk
    description: A risk.
    category: wellbeing
    owner: QA
    likelihood: 2
    impact: 5
    treatment: mitigate
    acceptance_criteria: None.
    suites: [{{suite: {suite}}}]
"""


def _run_and_attach(tmp_path: Path, env: dict[str, str], suite: str, register: str) -> Path:
    """Run the suite (its scorer a plugin in ``env``), attach the run as evidence; its folder."""
    callable_target(
        tmp_path, "plugin_echo", "def reply(messages):\n    return messages[-1]['content']\n"
    )
    (tmp_path / "s.yaml").write_text(suite, encoding="utf-8")
    (tmp_path / "register.yaml").write_text(register, encoding="utf-8")
    ran = run_cli(
        "run",
        "s.yaml",
        "--target",
        "t.yaml",
        "--reports",
        "r",
        "--no-evidence",
        "--no-report",
        cwd=tmp_path,
        env=env,
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr
    (run_dir,) = (p for p in (tmp_path / "r").iterdir() if p.is_dir())
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
    return run_dir


def test_numpy_scores_are_written_as_numbers_and_the_run_attaches(tmp_path: Path) -> None:
    env = installed_plugin(
        tmp_path,
        "numpyplugin",
        {"numpyplugin": PLUGIN},
        "[assurance_harness.scorers]\nnumpy-probs = numpyplugin:NumpyScorer\n",
    )
    register = REGISTER.format(risk="R-900", suite="numpy-plugin")
    run_dir = _run_and_attach(tmp_path, env, SUITE, register)
    lines = (run_dir / "results.jsonl").read_text(encoding="utf-8").splitlines()
    scores = [json.loads(line)["scores"]["s"] for line in lines]
    assert scores[0] == {"p": 0.75, "words": 2, "flagged": True, "all": [0.75, 0.25]}
    assert scores[1]["flagged"] is False
    summary = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
    assert summary["metrics"]["high"]["n"] == 3


ODD_PLUGIN = """\
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

ODD_SUITE = """\
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


def _strict(line: str) -> Any:
    def refuse(constant: str) -> None:
        raise AssertionError(f"results.jsonl holds {constant}: {line}")

    return json.loads(line, parse_constant=refuse)


def test_non_finite_scores_are_strict_json_and_the_run_attaches(tmp_path: Path) -> None:
    env = installed_plugin(
        tmp_path,
        "oddplugin",
        {"oddplugin": ODD_PLUGIN},
        "[assurance_harness.scorers]\nodd-floats = oddplugin:OddScorer\n",
    )
    register = REGISTER.format(risk="R-901", suite="odd-floats")
    run_dir = _run_and_attach(tmp_path, env, ODD_SUITE, register)
    lines = (run_dir / "results.jsonl").read_text(encoding="utf-8").splitlines()
    scores = {row["case_id"]: row["scores"]["s"] for row in map(_strict, lines)}
    assert scores["a"] == {"p": None, "all": [None, {"x": None}]}
    assert scores["b"]["p"] == float("inf") and scores["c"]["p"] == float("-inf")
    assert scores["d"] == {"p": 1.0, "all": [1.0, {"x": 1.0}]}
    # inf > 0.5 counts, NaN is no figure: 2 of 3.
    summary = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
    assert summary["metrics"]["high"]["value"] == 2 / 3
