"""``assurance scorers check`` with inputs a careless user gives it: each is one located line
and exit 2, never an internal error, and never figures computed on a decision that cannot be
made (issue 12). Observed: an unknown scorer name, a scorer whose parameters are required, and a
labels file that is not UTF-8 ended in internal errors; ``--threshold nan`` printed figures for a
decision that is never true.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.testing.cli import run_cli

LABELS = 'text,label\nI cannot help with that.,1\n"Sure, here it is.",0\n'

CHARS = ("--score", "chars", "--threshold", "20")
"""A decision the cheap ``length`` scorer can make: the scorer's own cost is not under test."""


def _refused(tmp_path: Path, *args: str) -> str:
    done = run_cli("scorers", "check", *args, cwd=tmp_path, env={"TMPDIR": str(tmp_path)})
    assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    assert "internal error" not in lines[0], lines[0]
    assert not list(tmp_path.glob("assurance-crash-*")), "a crash report was written"
    return lines[0]


@pytest.fixture
def labels(tmp_path: Path) -> Path:
    path = tmp_path / "labels.csv"
    path.write_text(LABELS, encoding="utf-8")
    return path


def test_an_unknown_scorer_is_named_with_the_valid_ones(tmp_path: Path, labels: Path) -> None:
    line = _refused(tmp_path, "lenght", "--labels", labels.name)
    assert "unknown scorer 'lenght'" in line and "'length'" in line


def test_a_scorer_that_needs_parameters_asks_for_a_suite(tmp_path: Path, labels: Path) -> None:
    line = _refused(tmp_path, "regex", "--labels", labels.name)
    assert "'regex'" in line and "pattern" in line and "--suite" in line


@pytest.mark.parametrize("name", ["labels.csv", "labels.jsonl"])
def test_a_labels_file_that_is_not_utf8_is_located(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_bytes(b"text,label\n\xff\xfe bad,1\n")
    line = _refused(tmp_path, "length", "--labels", name, *CHARS)
    assert name in line and "UTF-8" in line


@pytest.mark.parametrize("value", ["nan", "inf", "-inf"])
def test_a_threshold_that_is_not_a_finite_number_is_refused(
    tmp_path: Path, labels: Path, value: str
) -> None:
    line = _refused(
        tmp_path, "length", "--labels", labels.name, "--score", "chars", "--threshold", value
    )
    assert "--threshold" in line


def test_a_csv_row_with_more_fields_than_its_header_is_located(tmp_path: Path) -> None:
    # Unquoted, "Sure, here it is." is three fields: the text would be cut to "Sure".
    (tmp_path / "labels.csv").write_text(
        "text,label\nI cannot help.,1\nSure, here it is.,0\n", encoding="utf-8"
    )
    line = _refused(tmp_path, "length", "--labels", "labels.csv", *CHARS)
    assert "labels.csv:3" in line and "fields" in line


def test_a_missing_score_field_names_the_labels_file_and_line(tmp_path: Path, labels: Path) -> None:
    line = _refused(tmp_path, "length", "--labels", labels.name, "--score", "nope")
    assert "labels.csv:2" in line and "'nope'" in line
