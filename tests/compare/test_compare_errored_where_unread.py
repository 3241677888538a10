"""A comparison counts the errored rows that a metric's ``where:`` could not be read on.
Observed: under a metric with a ``where:`` that reads a scorer's field (``ref.matched ==
false``), a row whose request errored has no scores, so its filter gives null and the row is
counted nowhere: not in the compared cases, not in the cases left out because their requests
errored (``errored_left_out`` null), not in those answered without a value. Two runs of one
suite, the candidate's target down for 4 of its 20 cases, compared "over 14 of 18 cases"
(the 2 refusals the filter leaves out in both runs, by design) with no word of the 4 lost
cases' cause in the terminal, the Markdown or the JSON, and a group held 5 cases in the
candidate against 9 with none."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.testing.cli import invoke_in_process
from tests.testing.project import callable_target

BOT = """\
from pathlib import Path

def reply(messages):
    text = messages[-1]["content"]
    if "boom" in text and Path(__file__).with_name("down").exists():
        raise ConnectionError("the endpoint is down")
    return "I refuse" if "bad" in text else "echo " + text
"""

PROMPTS = (
    [f"hi {i}" for i in range(14)] + ["bad 14", "bad 15"] + [f"boom {i}" for i in range(16, 20)]
)

SUITE = (
    "suite: unread-where\nmax_error_rate: 0.5\ncases:\n"
    + "".join(
        f"  - {{id: c{i}, prompt: '{prompt}', metadata: {{half: {'lo' if i < 10 else 'hi'}}}}}\n"
        for i, prompt in enumerate(PROMPTS)
    )
    + "scorers:\n  - {id: m, use: regex, with: {pattern: echo}}\n"
    "  - {id: ref, use: regex, with: {pattern: refuse}}\n"
    "metrics: [{id: r, rate: m.matched, where: 'ref.matched == false', by: meta.half}]\n"
    "gates: [{metric: r, min: 0.5}]\n"
)

SAID = "4 of 20 cases in the candidate run"
WHY = "request errored; the where: filter could not be read"


def _run(project: Path) -> str:
    done = invoke_in_process(
        [
            "run",
            str(project / "s.yaml"),
            "--target",
            str(project / "t.yaml"),
            "--reports",
            str(project / "reports"),
            "--no-report",
            "--no-cache",
        ]
    )
    assert done.exit_code == 0, done.output
    found = re.search(r"results in \S*reports/(\S+)", done.output)
    assert found, done.output
    return found.group(1)


def test_errored_rows_a_where_cannot_read_are_counted_with_their_reason(tmp_path: Path) -> None:
    callable_target(tmp_path, "unread_where_bot", BOT)
    (tmp_path / "s.yaml").write_text(SUITE, encoding="utf-8")
    base = _run(tmp_path)
    (tmp_path / "down").touch()
    cand = _run(tmp_path)
    args = ["compare", base, cand, "--reports", str(tmp_path / "reports"), "--groups"]

    data = json.loads(invoke_in_process([*args, "-f", "json"]).output)
    assert data["paired"] is True, data
    (metric,) = data["metrics"]
    assert metric.get("errored_unread") == {
        "baseline": {"cases": 0, "rows": 0, "of_cases": 20},
        "candidate": {"cases": 4, "rows": 4, "of_cases": 20},
    }, metric
    assert SAID in metric["note"] and WHY in metric["note"], metric["note"]
    groups = {g["group"]: g for g in metric["groups"]}
    assert groups["hi"].get("errored_unread") == {
        "baseline": {"cases": 0, "rows": 0, "of_cases": 8},
        "candidate": {"cases": 4, "rows": 4, "of_cases": 8},
    }, groups["hi"]
    assert "4 of 8 cases in the candidate run" in groups["hi"]["note"], groups["hi"]["note"]
    assert groups["lo"].get("errored_unread") is None, groups["lo"]

    shown = invoke_in_process([*args, "-o", str(tmp_path / "c.md")])
    lines = [" ".join(line.split()) for line in shown.output.splitlines()]
    assert [line for line in lines if line.startswith("r: ") and SAID in line and WHY in line], (
        shown.output
    )
    assert [line for line in lines if line.startswith("r[hi]: ") and WHY in line], shown.output
    markdown = (tmp_path / "c.md").read_text(encoding="utf-8").splitlines()
    found = [line for line in markdown if line.startswith("- r: ") and SAID in line]
    assert found and WHY in found[0], markdown
    found = [line for line in markdown if line.startswith("- r\\[hi\\]: ") and WHY in line]
    assert found and "4 of 8 cases in the candidate run" in found[0], markdown


def test_no_word_where_the_where_reads_the_case(tmp_path: Path) -> None:
    """A ``where:`` on the case's own fields reads an errored row as any other: its rows
    are counted as errored requests the metric selected, not as filters left unread."""
    callable_target(tmp_path, "case_where_bot", BOT)
    suite = SUITE.replace("'ref.matched == false'", "'meta.half == \"hi\"'")
    (tmp_path / "s.yaml").write_text(suite, encoding="utf-8")
    base = _run(tmp_path)
    (tmp_path / "down").touch()
    cand = _run(tmp_path)
    done = invoke_in_process(
        ["compare", base, cand, "--reports", str(tmp_path / "reports"), "-f", "json"]
    )
    (metric,) = json.loads(done.output)["metrics"]
    assert metric.get("errored_unread") is None, metric
    assert metric["errored_left_out"]["candidate"] == {"cases": 4, "rows": 4, "of_cases": 20}
    assert WHY not in metric["note"], metric["note"]
