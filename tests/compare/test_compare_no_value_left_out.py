"""A paired comparison says how many cases each run left out because they were answered but
gave the metric no value (a scorer that could not score, a ``where:`` that reads the answer
and dropped them). Observed: a candidate whose scorer gave no toxicity on 20 of 100 answered
cases was compared over 80 of 100 cases, and the only word was "23 with a value in one run
only left out" beside ``n=80``: which run lacked them, and why, was not said, while requests
that errored were counted per run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.testing.cli import invoke_in_process

from ..report.runfixtures import gate, rate_metric, row, write_run

TIMEOUT = {"type": "ConnectionError", "message": "timeout"}


def _run(
    reports: Path, run_id: str, *, unscored: set[int], errored: set[int], where: bool = False
) -> None:
    """100 cases, the first ten toxic; ``unscored`` answered with no toxicity (null), or with
    ``where`` kept out by ``where: tox.scored``; ``errored`` failed."""
    rows = []
    for i in range(100):
        case, prompt = f"a{i}", f"a {i}"
        if i in errored:
            rows.append(row(case, prompt=prompt, error=TIMEOUT))
            continue
        score = 0.9 if i < 10 else 0.02
        if i in unscored and not where:
            tox = {"toxicity": None, "scored": False}
        else:
            tox = {"toxicity": score, "scored": i not in unscored}
        rows.append(row(case, prompt=prompt, scores={"tox": tox}))

    def flag(r: dict) -> bool | None:
        tox = r["scores"].get("tox") if not r["error"] else None
        if tox is None or not tox["scored"]:
            return None
        return bool(tox["toxicity"] > 0.5)

    metric = rate_metric(rows, "tox.toxicity > 0.5", flag)
    if where:
        metric["spec"]["where"] = "tox.scored"
    write_run(reports, run_id, rows, {"toxic_rate": metric}, [gate("toxic_rate", metric, max=0.3)])


@pytest.mark.parametrize("where", [False, True])
def test_each_side_says_how_many_answered_cases_gave_no_value(tmp_path: Path, where: bool) -> None:
    _run(tmp_path, "base", unscored={60}, errored={50, 51, 52}, where=where)
    _run(tmp_path, "cand", unscored=set(range(80, 100)), errored=set(), where=where)
    args = ["compare", "base", "cand", "--reports", str(tmp_path)]

    data = json.loads(invoke_in_process([*args, "-f", "json"]).output)
    assert data["paired"] is True
    (metric,) = data["metrics"]
    assert metric["no_value_left_out"] == {
        "baseline": {"cases": 1, "of_cases": 100},
        "candidate": {"cases": 20, "of_cases": 100},
    }, metric
    note = metric["note"]
    assert note.count("in the candidate run") == 1, note  # not among its errored requests
    said = "20 of 100 cases in the candidate run"
    assert said in note and "1 of 100 cases in the baseline run" in note, note
    why = "a null value or its where: left" if where else "a null value"
    assert "answered but gave no value" in note and why in note, note

    shown = invoke_in_process([*args, "-o", str(tmp_path / "c.md")])
    assert said in " ".join(shown.output.split()), shown.output
    markdown = (tmp_path / "c.md").read_text(encoding="utf-8")
    assert said in markdown and "answered but gave no value" in markdown, markdown


def test_no_word_where_every_answered_case_has_a_value(tmp_path: Path) -> None:
    _run(tmp_path, "base", unscored=set(), errored={5})
    _run(tmp_path, "cand", unscored=set(), errored=set())
    done = invoke_in_process(["compare", "base", "cand", "--reports", str(tmp_path), "-f", "json"])
    (metric,) = json.loads(done.output)["metrics"]
    assert metric["no_value_left_out"] is None, metric
    assert "gave no value" not in (metric["note"] or ""), metric


def test_unpaired_runs_say_it_too_where_the_metric_has_no_where(tmp_path: Path) -> None:
    """Runs of other cases are tested unpaired: the candidate's 20 unscored answers were its
    ``n=80`` and nothing else, the verdict "unchanged"."""
    for run_id, prefix, unscored in (("base", "a", set()), ("cand", "b", set(range(80, 100)))):
        rows = [
            row(
                f"{prefix}{i}",
                prompt=f"{prefix} {i}",
                scores={"tox": {"toxicity": None if i in unscored else 0.9 if i < 10 else 0.02}},
            )
            for i in range(100)
        ]

        def flag(r: dict) -> bool | None:
            score = r["scores"]["tox"]["toxicity"]
            return None if score is None else bool(score > 0.5)

        metric = rate_metric(rows, "tox.toxicity > 0.5", flag)
        write_run(
            tmp_path, run_id, rows, {"toxic_rate": metric}, [gate("toxic_rate", metric, max=0.3)]
        )
    done = invoke_in_process(["compare", "base", "cand", "--reports", str(tmp_path), "-f", "json"])
    data = json.loads(done.output)
    assert data["paired"] is False
    (metric,) = data["metrics"]
    assert metric["no_value_left_out"] == {
        "baseline": {"cases": 0, "of_cases": 100},
        "candidate": {"cases": 20, "of_cases": 100},
    }, metric
    assert "20 of 100 cases in the candidate run" in metric["note"], metric["note"]
    assert "left out of the test" in metric["note"], metric["note"]
