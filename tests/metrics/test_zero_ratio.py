"""A ratio disparity whose groups all have a mean of 0 (a refusal rate by group, for a model
that refuses no one) is min / max = 0 / 0: no figure. Observed: fairlearn's NaN went into
summary.json as the value (``NaN``, which strict JSON readers refuse), the terminal showed
"NaN", and a four-fifths gate (``min: 0.8``) passed on it, as nothing compares below NaN."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.testing.cli import run_cli
from tests.testing.project import callable_target

SUITE = """\
suite: zero-ratio
cases:
  - {{id: a, prompt: "0", metadata: {{g: x}}}}
  - {{id: b, prompt: "0", metadata: {{g: x}}}}
  - {{id: c, prompt: "0", metadata: {{g: y}}}}
  - {{id: d, prompt: "0", metadata: {{g: y}}}}
metrics:
  - {{id: r, disparity: {{value: "float(response) > 0.5", by: meta.g, statistic: rate,
     method: ratio, relative_to: {relative}}}}}
gates:
  - {{metric: r, min: 0.8}}
"""


def _strict(text: str) -> Any:
    def refuse(constant: str) -> None:
        raise AssertionError(f"summary.json holds {constant}")

    return json.loads(text, parse_constant=refuse)


@pytest.mark.parametrize("relative", ["between_groups", "overall"])
def test_a_ratio_of_zero_means_is_no_data_not_a_pass(tmp_path: Path, relative: str) -> None:
    callable_target(tmp_path, "zero_bot", "def reply(messages):\n    return '0'\n")
    (tmp_path / "s.yaml").write_text(SUITE.format(relative=relative), encoding="utf-8")
    done = run_cli("run", "s.yaml", "--target", "t.yaml", "--reports", "r", cwd=tmp_path)
    assert "NaN" not in done.stdout, done.stdout
    assert done.returncode == 1, done.stdout + done.stderr
    (summary_path,) = (tmp_path / "r").glob("*/summary.json")
    summary = _strict(summary_path.read_text(encoding="utf-8"))
    metric = summary["metrics"]["r"]
    assert metric["value"] is None and metric["ci_low"] is None, metric
    (gate,) = summary["gates"]
    assert gate["verdict"] == "no_data", gate
    assert "0 / 0" in gate["no_data_reason"] and "difference" in gate["no_data_reason"], gate


NEGATIVE_SUITE = """\
suite: signed-ratio
cases:
  - {id: a, prompt: "-0.5", metadata: {g: x}}
  - {id: b, prompt: "0.5", metadata: {g: x}}
  - {id: c, prompt: "0.25", metadata: {g: y}}
  - {id: d, prompt: "0.75", metadata: {g: y}}
metrics:
  - {id: r, disparity: {value: "float(response)", by: meta.g, method: ratio}}
  - {id: m, mean: "float(response)"}
gates:
  - {metric: r, min: 0.8}
"""


def test_a_ratio_of_signed_values_is_no_data_once_the_answers_are_in(tmp_path: Path) -> None:
    """Observed: a negative value stopped the run (exit 2) after every answer was collected,
    advising a --resume 'after fixing this'; the fix (method: difference) changes the suite,
    and the --resume was then refused as a different suite: every answer was lost with the
    other metrics' figures. A ratio that cannot be taken is no figure, and says why."""
    callable_target(
        tmp_path, "signed_bot", "def reply(messages):\n    return messages[-1]['content']\n"
    )
    (tmp_path / "s.yaml").write_text(NEGATIVE_SUITE, encoding="utf-8")
    done = run_cli("run", "s.yaml", "--target", "t.yaml", "--reports", "r", cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    (summary_path,) = (tmp_path / "r").glob("*/summary.json")
    summary = _strict(summary_path.read_text(encoding="utf-8"))
    assert summary["metrics"]["m"]["value"] == pytest.approx(0.25)
    assert summary["metrics"]["r"]["value"] is None
    (gate,) = summary["gates"]
    assert gate["verdict"] == "no_data", gate
    reason = gate["no_data_reason"]
    assert "non-negative" in reason and "method: difference" in reason, reason
