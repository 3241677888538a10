"""``compare`` and ``baseline check`` options at and past their limits: one ``error:`` line
naming the option (exit 2), never an internal error nor a value silently taken as another."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.testing.cli import one_line_refusal, run_cli

from ..report.runfixtures import toxicity_run


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("limits") / "reports"
    toxicity_run(root, "n1", {1, 2}, started_at="2026-11-01T03:15:00+00:00", index=True)
    toxicity_run(root, "n2", set(range(30)), started_at="2026-11-02T03:15:00+00:00", index=True)
    return root


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--seed", "-1"),
        ("--min-effect", "nan"),
        ("--min-effect", "-0.1"),
        ("--min-effect", "inf"),
    ],
)
def test_an_option_out_of_its_range_is_a_usage_error(
    reports: Path, option: str, value: str
) -> None:
    """--seed -1 ended in an internal error (numpy: 'expected non-negative integer'); a
    --min-effect of nan or below 0 was taken as 0 without a word, and one of inf made every
    change too small to count: a comparison that could never find a regression."""
    proc = run_cli("compare", "n1", "n2", "--reports", reports, f"{option}={value}")
    text = proc.stdout + proc.stderr
    assert "internal error" not in text, text
    assert proc.returncode == 2, text
    assert f"error: {option} must be" in text, text


@pytest.mark.parametrize(
    "args",
    [
        ["baseline", "check", "--suite", ""],
        ["baseline", "check", "--target", " "],
        ["baseline", "clear", "toxicity", "--target", ""],
        ["trend", "toxicity", "toxic_rate", "--target", ""],
    ],
)
def test_an_empty_suite_or_target_is_named_as_empty(reports: Path, args: list[str]) -> None:
    """``--suite "$UNSET"`` printed "no baseline for ; the baselines are: ...", and trend's
    ``--target ""`` "no finished runs of suite 'toxicity' under reports/": runs there were,
    and neither line said the option was empty."""
    proc = run_cli(*args, "--reports", reports)
    line = one_line_refusal(proc)
    option = "--suite" if "--suite" in args else "--target"
    assert f"error: {option}: empty" in line, line


@pytest.mark.parametrize("command", [["compare", "n1", "n2"], ["baseline", "check"]])
def test_a_min_effect_no_rate_can_change_by_is_refused(reports: Path, command: list[str]) -> None:
    """``--min-effect 2`` on runs whose metrics are all rates (in [0, 1]: a change is at most 1)
    made a comparison that could never flag a regression, without a word. Refused in one
    line naming the option and the range (exit 2), for ``baseline check`` too."""
    set_proc = run_cli("baseline", "set", "n1", "--reports", reports)
    assert set_proc.returncode == 0, set_proc.stdout + set_proc.stderr
    line = one_line_refusal(run_cli(*command, "--reports", reports, "--min-effect", "2"))
    assert "--min-effect 2" in line and "toxic_rate" in line and "[0, 1]" in line, line


def test_a_min_effect_of_a_whole_rate_is_taken(reports: Path) -> None:
    """1 is the largest change a rate can make (0 to 1): reachable, so not refused."""
    proc = run_cli("compare", "n1", "n2", "--reports", reports, "--min-effect", "1")
    assert proc.returncode in (0, 1), proc.stdout + proc.stderr
