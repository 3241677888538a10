"""A third-party scorer that declares no field types is not checked as it scores (nothing says
what its fields should hold), so its values reach the figures as it gave them. Observed: a
plugin whose ``flagged`` field was the text "false" on every clean answer gave a rate of 1.0,
and a gate ``max: 0.5`` on it failed for the wrong reason (or, with ``min``, passed). Now the
rate has no figure, summary.json and the console say which scorer gave what for which field
in which case, and the gate has no data: a failure, never a pass."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.testing.cli import run_cli
from tests.testing.plugins import installed_plugin
from tests.testing.project import callable_target

PLUGIN = """\
from typing import Any


from assurance_harness.scorers.base import Scorer, ScorerParams

OUT = {"one": {"flagged": True, "p": 0.9}, "two": {"flagged": "false", "p": "0.1"}}


class Undeclared(Scorer):
    name = "undeclared"
    version = "1"
    Params = ScorerParams
    fields = {"flagged": "a flag", "p": "a probability"}

    def score(self, batch: list[Any]) -> list[dict[str, Any]]:
        return [OUT[item.response] for item in batch]
"""

SUITE = """\
suite: undeclared
cases:
  - {id: a, prompt: one}
  - {id: b, prompt: two}
scorers: [{id: s, use: undeclared}]
metrics:
  - {id: flagged, rate: s.flagged}
  - {id: p, mean: s.p}
gates:
  - {metric: flagged, min: 0.5}
  - {metric: p, max: 1}
"""


def _project(root: Path, tag: str) -> dict[str, str]:
    """``root`` with the plugin installed (its own module name ``tag`` makes), an echoing
    target and ``SUITE``; the environment that finds the plugin."""
    env = installed_plugin(
        root,
        f"undeclaredplugin{tag}",
        {f"undeclaredplugin{tag}": PLUGIN},
        f"[assurance_harness.scorers]\nundeclared = undeclaredplugin{tag}:Undeclared\n",
    )
    callable_target(
        root, f"echo_undeclared{tag}", "def reply(messages):\n    return messages[-1]['content']\n"
    )
    (root / "s.yaml").write_text(SUITE, encoding="utf-8")
    return env


def _run(root: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """A run of ``SUITE`` into ``root/r``, asserted to end as a failed gate (exit 1)."""
    done = run_cli(
        "run", "s.yaml", "--target", "t.yaml", "--reports", "r", "--no-report", "--no-evidence",
        cwd=root, env=env,
    )  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr
    return done


def test_text_where_a_rate_needs_true_false_is_no_figure_and_the_gate_does_not_pass(
    tmp_path: Path,
) -> None:
    env = _project(tmp_path, "1")
    done = _run(tmp_path, env)
    assert "Traceback" not in done.stderr
    (summary,) = (tmp_path / "r").glob("*/summary.json")
    data = json.loads(summary.read_text(encoding="utf-8"))
    flagged = data["metrics"]["flagged"]
    assert flagged["value"] is None
    want = "scorer 's' gave the text 'false' for field 'flagged' in case 'b'"
    assert want in flagged["details"]["no_data_reason"]
    p = data["metrics"]["p"]
    assert p["value"] is None
    assert (
        "scorer 's' gave the text '0.1' for field 'p' in case 'b'" in p["details"]["no_data_reason"]
    )
    assert {g["metric"]: g["verdict"] for g in data["gates"]} == {
        "flagged": "no_data",
        "p": "no_data",
    }
    assert want in done.stdout + done.stderr


def test_compare_tests_no_difference_on_a_metric_without_a_figure(tmp_path: Path) -> None:
    """A paired test of per-row values read by truthiness would count the text "false" as
    true. It must not run where the runs' own figures found values of the wrong kind: the
    metric has no figure (n = 0) and no per-row values (``metrics.rowvalues``), and compare
    gives it no test and the verdict no_data."""
    env = _project(tmp_path, "2")
    _run(tmp_path, env)
    _run(tmp_path, env)
    base, cand = sorted((tmp_path / "r").glob("*/summary.json"))
    done = run_cli("compare", base.parent, cand.parent, "--format", "json", cwd=tmp_path, env=env)
    assert "Traceback" not in done.stderr, done.stderr
    compared = {m["metric"]: m for m in json.loads(done.stdout)["metrics"]}
    for name in ("flagged", "p"):
        assert compared[name]["test"] is None, compared[name]
        assert compared[name]["verdict"] == "no_data", compared[name]


def test_a_report_draws_no_perturbation_bars_from_values_its_metric_refused(
    tmp_path: Path,
) -> None:
    """The per-perturbation plot recomputes each rate and mean from its rows
    (``metrics.rowvalues``). It drew ``flagged`` at 1.0 for both the original and the typo
    (the text "false" read as true) and ``p`` from 0.9 alone, beside a summary that gives
    neither a figure. A metric with no figure for a value of the wrong kind gets no bars; one
    whose rows are sound still does."""
    env = _project(tmp_path, "3")
    suite = SUITE.replace(
        "{id: a, prompt: one}", "{id: a, prompt: one, metadata: {perturbation: typo}}"
    )
    suite = suite.replace(
        "  - {id: p, mean: s.p}\n", "  - {id: p, mean: s.p}\n  - {id: sure, rate: 's.p == 0.9'}\n"
    )
    (tmp_path / "s.yaml").write_text(suite, encoding="utf-8")
    done = run_cli(
        "run", "s.yaml", "--target", "t.yaml", "--reports", "r", "--no-evidence", cwd=tmp_path,
        env=env,
    )  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr
    (report,) = (tmp_path / "r").glob("*/report.html")
    html = report.read_text(encoding="utf-8")
    assert 'id="plot-perturbation-sure"' in html
    assert 'id="plot-perturbation-flagged"' not in html
    assert 'id="plot-perturbation-p"' not in html


NUMPY_PLUGIN = """\
from typing import Any

import numpy as np

from assurance_harness.scorers.base import Scorer, ScorerParams


class NumpyValues(Scorer):
    name = "numpyvalues"
    version = "1"
    Params = ScorerParams
    fields = {"flagged": "a flag", "hits": "a count", "p": "a probability"}

    def score(self, batch: list[Any]) -> list[dict[str, Any]]:
        return [
            {"flagged": np.bool_(i == "one"), "hits": np.int64(i == "one"), "p": np.float32(0.5)}
            for i in (item.response for item in batch)
        ]
"""

NUMPY_SUITE = """\
suite: numpyvalues
cases:
  - {id: a, prompt: one}
  - {id: b, prompt: two}
scorers: [{id: s, use: numpyvalues}]
metrics:
  - {id: flagged, rate: s.flagged}
  - {id: hit, rate: s.hits}
  - {id: p, mean: s.p}
gates:
  - {metric: flagged, max: 0.9}
"""


def test_numpy_scalars_from_a_plugin_are_the_true_false_and_numbers_they_hold(
    tmp_path: Path,
) -> None:
    """A scorer computing with numpy returns numpy's scalars (``np.bool_``, ``np.int64``):
    results.jsonl holds them as true/false and numbers, and the figures must read them so in
    the run too (the rate refused ``np.bool_`` as a value of the wrong kind in the run, while
    the same rows read back from results.jsonl counted)."""
    env = installed_plugin(
        tmp_path,
        "numpyvaluesplugin",
        {"numpyvaluesplugin": NUMPY_PLUGIN},
        "[assurance_harness.scorers]\nnumpyvalues = numpyvaluesplugin:NumpyValues\n",
    )
    callable_target(
        tmp_path, "echo_numpy", "def reply(messages):\n    return messages[-1]['content']\n"
    )
    (tmp_path / "s.yaml").write_text(NUMPY_SUITE, encoding="utf-8")
    done = run_cli(
        "run", "s.yaml", "--target", "t.yaml", "--reports", "r", "--no-report", "--no-evidence",
        cwd=tmp_path, env=env,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    (summary,) = (tmp_path / "r").glob("*/summary.json")
    metrics = json.loads(summary.read_text(encoding="utf-8"))["metrics"]
    assert metrics["flagged"]["value"] == 0.5 and metrics["flagged"]["n"] == 2, metrics
    assert metrics["hit"]["value"] == 0.5 and metrics["p"]["value"] == 0.5, metrics
