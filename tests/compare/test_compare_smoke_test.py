"""A smoke test (``run --limit N``: the suite's first N cases) compared with a full run is no
verdict: its cases are not a sample of the suite's.

Observed: a baseline of suite ``first-hard`` (20 cases, the target wrong on its first five:
0.75), then ``assurance run s.yaml --target t.yaml --limit 5 --baseline`` of the same target:
"accuracy 0.75 -> 0, regressed", exit 1, with only "the runs do not have the same cases;
tests are unpaired" beside it. The target had not changed: the first five cases are its hard
ones. ``baseline set`` refuses a smoke test and ``baseline check`` passes over them for this
reason ("full runs would be compared with other cases"); ``compare`` and ``run --baseline``
compared one anyway."""

from __future__ import annotations

from pathlib import Path

from tests.testing.cli import invoke_in_process
from tests.testing.project import callable_target

SUITE = (
    "suite: first-hard\ncases:\n"
    + "".join(f"  - {{id: c{i:02d}, prompt: 'q{i}'}}\n" for i in range(20))
    + "scorers: [{id: m, use: regex, with: {pattern: right}}]\n"
    "metrics: [{id: accuracy, rate: m.matched}]\ngates: [{metric: accuracy, min: 0.5}]\n"
)
HARD_FIRST = (
    "def reply(messages):\n"
    "    n = int(messages[-1]['content'][1:])\n"
    "    return 'wrong' if n < 5 else 'right'\n"
)


def _run(root: Path, *options: str) -> tuple[str, int, str]:
    reports = root / "reports"
    before = {p.name for p in reports.iterdir()} if reports.exists() else set()
    done = invoke_in_process(
        ["run", str(root / "s.yaml"), "--target", str(root / "t.yaml"), "--reports",
         str(reports), "--no-cache", "--no-evidence", "--no-report", *options]
    )  # fmt: skip
    (new,) = {p.name for p in reports.iterdir() if p.is_dir()} - before
    return new, done.exit_code, done.output


def test_a_smoke_test_against_a_full_baseline_is_no_verdict(tmp_path: Path) -> None:
    callable_target(tmp_path, "first_hard_bot", HARD_FIRST)
    (tmp_path / "s.yaml").write_text(SUITE, encoding="utf-8")
    reports = str(tmp_path / "reports")
    base, code, text = _run(tmp_path)
    assert code == 0, text
    assert invoke_in_process(["baseline", "set", base, "--reports", reports]).exit_code == 0

    smoke, code, text = _run(tmp_path, "--limit", "5", "--baseline")
    assert code == 3, text
    assert "regression in" not in text and "no significant regression" not in text, text
    (line,) = [x for x in text.splitlines() if x.startswith("error: ")]
    assert smoke in line and "--limit 5" in line and base in line, line

    shown = invoke_in_process(["compare", base, smoke, "--reports", reports])
    assert shown.exit_code == 3, shown.output

    # Two smoke tests of one limit ran the same first cases: compared as ever.
    again, _, _ = _run(tmp_path, "--limit", "5")
    shown = invoke_in_process(["compare", smoke, again, "--reports", reports])
    assert shown.exit_code == 0, shown.output
