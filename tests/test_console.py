"""The console never reads user text as Rich markup, and the command tree is whole on import."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from assurance_harness import cli, console
from assurance_harness.errors import HarnessError

SUITE = """\
suite: markup
version: 1.0.0
cases:
  - {{id: {case_id}, prompt: hi}}
  - {{id: {case_id}, prompt: ho}}
scorers:
  - {{id: has, use: contains}}
metrics:
  - {{id: m, rate: has.matched}}
gates:
  - {{metric: {metric}, max: 0.1}}
"""


def _suite(tmp_path: Path, *, metric: str = "m", case_id: str = "a") -> Path:
    path = tmp_path / "suite.yaml"
    path.write_text(SUITE.format(metric=metric, case_id=case_id), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("metric", "case_id", "expected"),
    [
        ('"[/red]"', "a", "unknown metric '[/red]'"),
        ('"[bold]x"', "a", "unknown metric '[bold]x'"),
        ("m", '"[/b]"', "duplicate case id '[/b]'"),
    ],
)
def test_validate_prints_user_text_as_written(
    tmp_path: Path, metric: str, case_id: str, expected: str
) -> None:
    """Was: '[/red]' or '[/b]' raised MarkupError (a traceback, exit 1); '[bold]x' printed 'x'."""
    suite = _suite(tmp_path, metric=metric, case_id=case_id)
    result = CliRunner().invoke(cli.app, ["validate", str(suite)])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.exit_code == 2, result.output
    assert expected in result.output


def test_validate_markup_through_the_entry_point(tmp_path: Path) -> None:
    """The installed entry point, in a real process: exit 2 and no traceback."""
    suite = _suite(tmp_path, metric='"[/red]"')
    proc = subprocess.run(
        [sys.executable, "-m", "assurance_harness.cli", "validate", str(suite)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "unknown metric '[/red]'" in proc.stderr


def test_print_error_keeps_brackets_and_hides_control_characters() -> None:
    buffer = io.StringIO()
    target = Console(file=buffer, width=200, markup=False)
    console.print_error(HarnessError("bad id [/red] and [bold]x\x1b[2J", "second"), console=target)
    assert buffer.getvalue().splitlines() == [
        "error: bad id [/red] and [bold]x\\x1b[2J",
        "error: second",
    ]


def test_print_error_shows_a_line_break_inside_a_line_escaped_once() -> None:
    # A name holding a newline (or another line separator) split one error into two lines
    # that read as two errors; an escape already in the text is not escaped again.
    buffer = io.StringIO()
    target = Console(file=buffer, width=200, markup=False)
    console.print_error(HarnessError("no run 'a\nb\u2028c\td' (was 'x\\ny')"), console=target)
    console.print_error("not run: s\n.yaml", console=target)
    assert buffer.getvalue().splitlines() == [
        "error: no run 'a\\nb\\u2028c\\td' (was 'x\\ny')",
        "error: not run: s\\n.yaml",
    ]


def test_print_error_shows_every_character_a_reader_cannot_see_escaped() -> None:
    """Was: only control characters and bidirectional overrides were escaped, so an error
    naming ``x`` + U+200B printed as one naming ``x``, a right-to-left mark (U+200F) could move
    the punctuation around it, a no-break space read as a space and a private-use character as
    a font's icon: the one line that says what is wrong hid it. The plain space stays."""
    buffer = io.StringIO()
    target = Console(file=buffer, width=200, markup=False)
    console.print_error(
        HarnessError(
            "no run 'x\u200by' (\u200f1) a\u00a0b c\u3000d \ue000 \U000f0001 \u2029 e\u00adf"
        ),
        console=target,
    )
    assert buffer.getvalue().splitlines() == [
        "error: no run 'x\\u200by' (\\u200f1) a\\xa0b c\\u3000d \\ue000 \\U000f0001 \\u2029 e\\xadf"
    ]


def test_validate_shows_a_file_name_holding_a_zero_width_space_escaped(tmp_path: Path) -> None:
    """Was: ``x`` + U+200B + ``y.yaml: file not found`` read as ``xy.yaml``, a name that is
    not the one that was looked for."""
    result = CliRunner().invoke(cli.app, ["validate", str(tmp_path / "x\u200by.yaml")])
    assert result.exit_code == 2, result.output
    assert "x\\u200by.yaml" in result.output, result.output
    assert "\u200b" not in result.output, result.output


def test_a_config_errors_issues_and_a_runs_way_on_are_lines_of_their_own() -> None:
    from assurance_harness.errors import ConfigError, ConfigIssue

    buffer = io.StringIO()
    target = Console(file=buffer, width=200, markup=False)
    issues = [ConfigIssue("a\nb.yaml", 3, "x", "bad"), ConfigIssue("c.yaml", None, None, "worse")]
    console.print_error(ConfigError(issues), console=target)
    console.print_error(HarnessError("cannot write r: full", "continue with: x"), console=target)
    assert buffer.getvalue().splitlines() == [
        "error: a\\nb.yaml:3: x: bad",
        "error: c.yaml: worse",
        "error: cannot write r: full",
        "error: continue with: x",
    ]


def test_fail_returns_the_exit_code() -> None:
    class Failed(HarnessError):
        exit_code = 3

    assert console.fail(Failed("[/x]")).exit_code == 3


def test_comparison_table_prints_metric_ids_as_written() -> None:
    from assurance_harness.compare.engine import Comparison, MetricComparison
    from assurance_harness.compare.render import print_comparison

    metric = MetricComparison(
        metric="[/red]",
        kind="rate",
        baseline=None,
        candidate=None,
        verdict="missing",
        note="only in [bold]one run",
    )
    comparison = Comparison(
        suite="[/b]suite",
        baseline_run="a",
        candidate_run="b",
        baseline_target="t",
        candidate_target="t",
        alpha=0.05,
        paired=False,
        metrics=[metric],
        warnings=["[bold]careful"],
    )
    buffer = io.StringIO()
    print_comparison(comparison, Console(file=buffer, width=250))
    text = buffer.getvalue()
    assert "[/b]suite" in text and "[/red]" in text
    assert "only in [bold]one run" in text and "warning: [bold]careful" in text


def test_app_is_the_whole_command_tree_on_import() -> None:
    """Was: register, evidence, report, compare, baseline and trend were added only by main()."""
    code = (
        "import typer\n"
        "from assurance_harness.cli import app\n"
        "print(' '.join(sorted(typer.main.get_command(app).commands)))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    names = set(proc.stdout.split())
    assert {
        "run",
        "validate",
        "schema",
        "runs",
        "targets",
        "scorers",
        "report",
        "compare",
        "baseline",
        "trend",
        "register",
        "evidence",
    } <= names


def test_version() -> None:
    from assurance_harness import __version__

    result = CliRunner().invoke(cli.app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"assurance-harness {__version__}"


def test_flags_are_shown_without_a_value_placeholder() -> None:
    """Was: '--no-cache <bool>', which reads as if the flag took a value."""
    proc = subprocess.run(
        [sys.executable, "-m", "assurance_harness.cli", "run", "--help"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "COLUMNS": "160"},
    )
    assert proc.returncode == 0, proc.stderr
    rows = proc.stdout.splitlines()
    assert "<bool>" not in next(row for row in rows if "--no-cache" in row)
    assert "<bool>" not in next(row for row in rows if "--help" in row)
    assert "<path>" in next(row for row in rows if "--reports" in row)
