"""A comparison says how many cases each run left out of a metric's test because their
requests errored. Observed: a baseline of 100 cases all answered, and a candidate of other
prompts (so tested unpaired) whose target timed out on 20 of its 100: ``compare`` tested 10 of
100 against 10 of 80, said "unchanged", and the only trace of the 20 lost cases was ``n=80``
in the candidate's figure, in the terminal, the JSON and the Markdown alike. A candidate that
fails on exactly the cases it would get wrong looks as good as one that gets them right."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.testing.cli import invoke_in_process

from ..report.runfixtures import gate, rate_metric, row, write_run

TIMEOUT = {"type": "ConnectionError", "message": "timeout"}


def _run(reports: Path, run_id: str, prefix: str, errored: set[int]) -> None:
    """100 cases of prompts ``prefix i``, the first ten toxic; those in ``errored`` failed."""
    rows = []
    for i in range(100):
        case, prompt = f"{prefix}{i}", f"{prefix} {i}"
        if i in errored:
            rows.append(row(case, prompt=prompt, error=TIMEOUT))
        else:
            score = 0.9 if i < 10 else 0.02
            rows.append(row(case, prompt=prompt, scores={"tox": {"toxicity": score}}))
    metric = rate_metric(
        rows,
        "tox.toxicity > 0.5",
        lambda r: None if r["error"] else r["scores"]["tox"]["toxicity"] > 0.5,
    )
    write_run(reports, run_id, rows, {"toxic_rate": metric}, [gate("toxic_rate", metric, max=0.3)])


@pytest.mark.parametrize(
    ("cand_prefix", "base_errored", "cand_errored", "paired"),
    [("b", set(), set(range(80, 100)), False), ("a", {50, 51, 52}, set(range(80, 100)), True)],
)
def test_each_side_says_how_many_cases_it_left_out_and_why(
    tmp_path: Path, cand_prefix: str, base_errored: set[int], cand_errored: set[int], paired: bool
) -> None:
    _run(tmp_path, "base", "a", base_errored)
    _run(tmp_path, "cand", cand_prefix, cand_errored)
    args = ["compare", "base", "cand", "--reports", str(tmp_path)]

    data = json.loads(invoke_in_process([*args, "-f", "json"]).output)
    assert data["paired"] is paired
    (metric,) = data["metrics"]
    assert metric["errored_left_out"] == {
        "baseline": {"cases": len(base_errored), "rows": len(base_errored), "of_cases": 100},
        "candidate": {"cases": 20, "rows": 20, "of_cases": 100},
    }, metric
    said = "20 of 100 cases in the candidate run"
    assert said in metric["note"] and "requests errored" in metric["note"], metric["note"]
    if base_errored:
        assert "3 of 100 cases in the baseline run" in metric["note"], metric["note"]
    else:
        assert "in the baseline run" not in metric["note"], metric["note"]

    shown = invoke_in_process([*args, "-o", str(tmp_path / "c.md")])
    assert said in " ".join(shown.output.split()), shown.output
    markdown = (tmp_path / "c.md").read_text(encoding="utf-8")
    assert said in markdown and "requests errored" in markdown, markdown


def test_no_word_where_no_request_errored(tmp_path: Path) -> None:
    _run(tmp_path, "base", "a", set())
    _run(tmp_path, "cand", "b", set())
    done = invoke_in_process(["compare", "base", "cand", "--reports", str(tmp_path), "-f", "json"])
    (metric,) = json.loads(done.output)["metrics"]
    assert metric["errored_left_out"] is None and metric["note"] is None, metric


def _grouped_run(reports: Path, run_id: str, errored: set[int]) -> None:
    """``_run``'s 100 cases in two halves by ``meta.half``: ``lo`` (0-49) and ``hi`` (50-99)."""
    rows = []
    for i in range(100):
        case, meta = f"a{i}", {"half": "lo" if i < 50 else "hi"}
        if i in errored:
            rows.append(row(case, prompt=f"a {i}", metadata=meta, error=TIMEOUT))
        else:
            score = 0.9 if i % 10 == 0 else 0.02
            rows.append(
                row(case, prompt=f"a {i}", metadata=meta, scores={"tox": {"toxicity": score}})
            )
    metric = rate_metric(
        rows,
        "tox.toxicity > 0.5",
        lambda r: None if r["error"] else r["scores"]["tox"]["toxicity"] > 0.5,
        by=lambda r: r["metadata"]["half"],
    )
    metric["spec"]["by"] = "meta.half"
    write_run(reports, run_id, rows, {"toxic_rate": metric}, [gate("toxic_rate", metric, max=0.3)])


def test_each_group_says_how_many_of_its_cases_it_left_out(tmp_path: Path) -> None:
    """With ``--groups``, only the parent metric's note counted the errored cases: the group
    they all fell in showed ``n=30`` against ``n=47`` and no word why."""
    _grouped_run(tmp_path, "base", {50, 51, 52})
    _grouped_run(tmp_path, "cand", set(range(80, 100)))
    args = ["compare", "base", "cand", "--reports", str(tmp_path), "--groups"]

    data = json.loads(invoke_in_process([*args, "-f", "json"]).output)
    groups = {g["group"]: g for g in data["metrics"][0]["groups"]}
    assert groups["hi"]["errored_left_out"] == {
        "baseline": {"cases": 3, "rows": 3, "of_cases": 50},
        "candidate": {"cases": 20, "rows": 20, "of_cases": 50},
    }, groups["hi"]
    assert groups["lo"]["errored_left_out"] is None, groups["lo"]
    said = "20 of 50 cases in the candidate run"
    assert (
        said in groups["hi"]["note"] and "3 of 50 cases in the baseline run" in groups["hi"]["note"]
    ), groups["hi"]["note"]

    shown = invoke_in_process([*args, "-o", str(tmp_path / "c.md")])
    lines = [" ".join(line.split()) for line in shown.output.splitlines()]
    hi = [line for line in lines if line.startswith("toxic_rate[hi]: ") and said in line]
    assert hi and "requests errored" in hi[0], shown.output
    markdown = (tmp_path / "c.md").read_text(encoding="utf-8").splitlines()
    hi = [line for line in markdown if line.startswith("- toxic_rate\\[hi\\]: ") and said in line]
    assert hi and "requests errored" in hi[0], markdown
