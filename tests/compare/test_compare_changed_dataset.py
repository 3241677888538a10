"""A comparison says when the cases changed under one suite file (a dataset it reads edited).

Observed: suite ``qa`` read ``qa.jsonl`` (200 prompts, each with its expected answer); a
baseline run, then the answer key of 40 cases edited in place (same ids, same prompts), then a
fresh run of the unchanged target. ``assurance compare`` printed ``accuracy 1 -> 0.8,
regressed``, "paired by case", and not a word that the dataset differed, while ``trend`` of
the same runs says "the cases changed": the target had not changed at all. Each run's
manifest records its cases' SHA-256 and each dataset's; where they differ and the suite file
does not, the comparison warns, naming the dataset."""

from __future__ import annotations

import json
from pathlib import Path

from tests.testing.cli import invoke_in_process
from tests.testing.project import callable_target

SUITE = """\
suite: answer-key
dataset: {path: qa.jsonl, fields: {id: id, prompt: prompt, expected.answer: answer}}
scorers: [{id: ex, use: exact}]
metrics: [{id: accuracy, rate: ex.match}]
gates: [{metric: accuracy, min: 0.5}]
"""


def _dataset(path: Path, wrong: int) -> None:
    rows = [
        {"id": f"q{i}", "prompt": f"q{i}", "answer": "other" if i < wrong else f"echo q{i}"}
        for i in range(12)
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def _run(root: Path) -> str:
    reports = root / "reports"
    before = {p.name for p in reports.iterdir()} if reports.exists() else set()
    done = invoke_in_process(
        ["run", str(root / "s.yaml"), "--target", str(root / "t.yaml"), "--reports",
         str(reports), "--no-cache", "--no-evidence", "--no-report"]
    )  # fmt: skip
    assert done.exit_code in (0, 1), done.output
    (new,) = {p.name for p in reports.iterdir() if p.is_dir()} - before
    return new


def test_a_dataset_edited_between_the_runs_is_said(tmp_path: Path) -> None:
    callable_target(
        tmp_path,
        "answer_key_bot",
        "def reply(messages):\n    return 'echo ' + messages[-1]['content']\n",
    )
    (tmp_path / "s.yaml").write_text(SUITE, encoding="utf-8")
    _dataset(tmp_path / "qa.jsonl", wrong=0)
    base = _run(tmp_path)
    _dataset(tmp_path / "qa.jsonl", wrong=6)  # the answer key edited; ids and prompts kept
    cand = _run(tmp_path)

    reports = str(tmp_path / "reports")
    shown = invoke_in_process(["compare", base, cand, "--reports", reports, "-f", "json"])
    payload = json.loads(shown.output)
    assert payload["paired"] is True, payload  # the same ids and prompts
    said = [w for w in payload["warnings"] if "not the same cases" in w]
    assert len(said) == 1, payload["warnings"]
    assert "qa.jsonl" in said[0], said

    # The same dataset in both runs: nothing to say.
    again = _run(tmp_path)
    shown = invoke_in_process(["compare", cand, again, "--reports", reports, "-f", "json"])
    assert not [w for w in json.loads(shown.output)["warnings"] if "not the same cases" in w]
