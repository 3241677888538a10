"""``runs purge --older-than``: the age is parsed strictly (ASCII digits and the documented
units d, w, h only) and echoed back in words, not as Python's ``timedelta`` (``0:00:00``)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from assurance_harness.errors import UsageError
from assurance_harness.privacy.retention import parse_age
from tests.testing.cli import invoke_in_process


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10", dt.timedelta(days=10)),
        ("90d", dt.timedelta(days=90)),
        ("12w", dt.timedelta(weeks=12)),
        ("36h", dt.timedelta(hours=36)),
    ],
)
def test_the_documented_forms_parse(text: str, expected: dt.timedelta) -> None:
    assert parse_age(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "١٢d",
        "１２d",
        "12 d",
        " 12d",
        "12d ",
        "12d\n",
        "12D",
        "12m",
        "1.5d",
        "+3d",
        "0d",
        "",
    ],
)
def test_anything_else_is_refused_naming_the_option_and_the_form(text: str) -> None:
    with pytest.raises(UsageError) as info:
        parse_age(text)
    message = str(info.value)
    assert "\n" not in message.strip()
    assert "--older-than" in message and "90d" in message


def test_more_digits_than_int_reads_is_too_long_an_age_not_a_value_error() -> None:
    with pytest.raises(UsageError, match=r"--older-than .*at most 36525 days"):
        parse_age("9" * 5000)


@pytest.mark.parametrize(
    ("age", "words"),
    [
        (dt.timedelta(days=1), "1 day"),
        (dt.timedelta(days=10), "10 days"),
        (dt.timedelta(weeks=12), "84 days"),
        (dt.timedelta(hours=36), "36 hours"),
        (dt.timedelta(hours=1), "1 hour"),
    ],
)
def test_an_age_reads_as_words(age: dt.timedelta, words: str) -> None:
    from assurance_harness.privacy.retention import describe_age  # new with this fix

    assert describe_age(age) == words


def test_a_dry_run_says_the_age_in_words(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "reports").mkdir()
    monkeypatch.chdir(tmp_path)
    result = invoke_in_process(["runs", "purge", "--older-than", "10", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "would purge 0 run(s) older than 10 days" in result.output
    assert "0:00:00" not in result.output


def test_a_bad_age_is_one_line_and_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "reports").mkdir()
    monkeypatch.chdir(tmp_path)
    result = invoke_in_process(["runs", "purge", "--older-than", "١٢d", "--dry-run"])
    assert result.exit_code == 2, result.output
    assert len(result.output.strip().splitlines()) == 1, result.output
    assert "--older-than" in result.output
