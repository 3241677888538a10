"""``validate``'s verdict on a one-metric suite beside the metric's value in a real run of the
same cases, every prompt answered: what the figure-less refusals (``spec.strata``) are checked
against, so a refusal the run contradicts (a false refusal) or a figure-less metric let through
shows up."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from ..testing.cli import invoke_in_process

ANSWERED = "response is not None"
"""True on every row of a run whose every request was answered: the run computes the metric
over the same rows as without it, and ``validate`` leaves a ``where:`` that reads the response
unchecked, so a suite it refuses can still be run."""


def answered_run(
    tmp_path: Path, cases: str, metric: str, *, where: str | None = None
) -> tuple[int, str, Any]:
    """``validate``'s exit and output for metric ``r`` (``metric``, under ``where`` if given),
    and its value in a real run of the same suite under ``where`` and ``ANSWERED`` (the same
    rows, never refused). ``cases``: the inline cases' YAML lines."""
    # A module name of its own: in-process runs share one interpreter, which holds one 'bot'.
    module = "bot_" + re.sub(r"\W", "_", tmp_path.name)
    (tmp_path / f"{module}.py").write_text(
        "def reply(messages):\n    return 'ok'\n", encoding="utf-8"
    )
    target = tmp_path / "t.yaml"
    target.write_text(
        f"type: callable\nfunction: {module}:reply\npython_path: [{json.dumps(str(tmp_path))}]\n",
        encoding="utf-8",
    )
    head = "suite: t\nversion: 1.0.0\ncases:\n" + cases + "scorers:\n  - {id: m, use: length}\n"
    checked = f", where: {json.dumps(where)}" if where is not None else ""
    ran = ANSWERED if where is None else f"({where}) and {ANSWERED}"
    (tmp_path / "s.yaml").write_text(f"{head}metrics:\n  - {{id: r, {metric}{checked}}}\n")
    (tmp_path / "run.yaml").write_text(
        f"{head}metrics:\n  - {{id: r, {metric}, where: {json.dumps(ran)}}}\n"
    )
    validated = invoke_in_process(["validate", str(tmp_path / "s.yaml")])
    assert "Traceback" not in validated.output, validated.output
    reports = tmp_path / "reports"
    run = ["run", str(tmp_path / "run.yaml"), "--target", str(target), "--reports", str(reports)]
    done = invoke_in_process([*run, "--no-report", "--no-evidence"])
    assert done.exit_code == 0, done.output
    (summary,) = reports.glob("*/summary.json")
    value = json.loads(summary.read_text(encoding="utf-8"))["metrics"]["r"]["value"]
    return validated.exit_code, validated.output, value
