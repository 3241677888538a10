"""Numbers that YAML 1.1 (PyYAML, so the harness) reads as another value than their digits say.

Observed (issue 12, adversarial pass): ``samples: 010`` ran 8 samples a case, ``seed: 1:30``
recorded seed 90, and ``meta: {zip: 02134}`` became the number 1116: YAML 1.1 reads a leading
zero as octal and ``a:b`` as base 60, where JSON, YAML 1.2 (editors, the JSON Schema tooling
``assurance schema`` feeds) and the person who wrote it read 10, the text ``1:30`` and the text
``02134``. Nothing said so: the run, its manifest and its evidence held another figure than the
file. Such a number is now one located line, exit 2, nothing sent; a leading zero that changes
nothing (``07``), hexadecimal, underscores and quoted text read as before.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assurance_harness.errors import ConfigError
from assurance_harness.store.yaml_lines import parse_yaml_with_lines

from ..testing.cli import run_cli
from ..testing.project import SENT, callable_target

CASES = "cases:\n  - {id: a, prompt: hi}\n  - {id: b, prompt: there}\n"
SCORED = (
    "scorers: [{id: m, use: regex, with: {pattern: echo}}]\nmetrics: [{id: r, rate: m.matched}]\n"
)


def _refused(root: Path, where: str, named: str) -> None:
    """``validate`` and ``run`` of ``root/s.yaml`` each end in one line at ``where`` naming
    ``named``, exit 2, no traceback, and nothing sent."""
    checked = run_cli("validate", "s.yaml", "t.yaml", cwd=root)
    text = checked.stdout + checked.stderr
    assert checked.returncode == 2, text
    assert "Traceback" not in text, text
    problems = [line for line in checked.stderr.splitlines() if "problem(s) in" not in line]
    assert len(problems) == 1, text
    assert problems[0].startswith(where) and named in problems[0], problems[0]

    ran = run_cli("run", "s.yaml", "--target", "t.yaml", "--no-report", cwd=root)
    text = ran.stdout + ran.stderr
    assert ran.returncode == 2, text
    assert "Traceback" not in text and where in text and named in text, text
    assert not (root / "SENT").exists()


@pytest.mark.parametrize(
    ("suite", "target", "where", "named"),
    [
        (f"suite: s\nsamples: 010\n{CASES}{SCORED}", "", "s.yaml:2:", "'010'"),
        (f"suite: s\nseed: 1:30\n{CASES}{SCORED}", "", "s.yaml:2:", "'1:30'"),
        (
            "suite: s\ncases:\n  - {id: a, prompt: hi, metadata: {zip: 02134}}\n" + SCORED,
            "",
            "s.yaml:3:",
            "'02134'",
        ),
        (f"suite: s\n{CASES}{SCORED}", "concurrency: 010\n", "t.yaml:4:", "'010'"),
    ],
    ids=["octal-samples", "base-60-seed", "octal-metadata", "octal-target"],
)
def test_a_number_yaml_reads_otherwise_is_one_located_line(
    tmp_path: Path, suite: str, target: str, where: str, named: str
) -> None:
    module = "numbers_" + "".join(c if c.isalnum() else "_" for c in tmp_path.name)
    path = callable_target(tmp_path, module, SENT)
    path.write_text(path.read_text(encoding="utf-8") + target, encoding="utf-8")
    (tmp_path / "s.yaml").write_text(suite, encoding="utf-8")
    _refused(tmp_path, where, named)


@pytest.mark.parametrize(
    ("text", "read"),
    [
        ("010", "8"),
        ("-010", "-8"),
        ("0o10", None),  # YAML 1.1 has no 0o: text, as it always was
        ("1:30", "90"),
        ("1:30.5", "90.5"),
        ("-1:00", "-60"),
    ],
)
def test_the_line_says_what_yaml_reads_and_the_fix(text: str, read: str | None) -> None:
    if read is None:
        data, _ = parse_yaml_with_lines(f"x: {text}\n", "f.yaml")
        assert data == {"x": text}
        return
    with pytest.raises(ConfigError) as raised:
        parse_yaml_with_lines(f"a: 1\nx: {text}\n", "f.yaml")
    (issue,) = raised.value.issues
    assert issue.line == 2
    assert f"'{text}'" in issue.message and f"({read})" in issue.message, issue.message
    assert issue.hint is not None and f"'{text}'" in issue.hint, issue.hint


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("07", 7),
        ("00", 0),
        ("0", 0),
        ("-0", 0),
        ("10", 10),
        ("0x10", 16),
        ("1_000", 1000),
        ("0b11", 3),
        ("0.5", 0.5),
        ("010.5", 10.5),
        ("1e3", "1e3"),
        ("'010'", "010"),
        ('"1:30"', "1:30"),
        ("12:30 pm", "12:30 pm"),
        ("!!str 010", "010"),
        # A float has no octal: !!float reads the digits as written (089 was a ValueError
        # traceback, 010 refused as "octal (10), not 10").
        ("!!float 010", 10.0),
        ("!!float 089", 89.0),
        ("!!float '010'", 10.0),
    ],
)
def test_numbers_that_read_as_written_load_as_before(text: str, value: object) -> None:
    data, _ = parse_yaml_with_lines(f"x: {text}\n", "f.yaml")
    assert data == {"x": value}
    assert type(data["x"]) is type(value)


def test_a_time_in_metadata_is_told_to_quote_it_first() -> None:
    # Observed: 'time: 10:30' was told "write the number you mean (630 for 10:30)" first; a:b
    # is a time or a ratio wherever a person writes it, almost never a base-60 number.
    with pytest.raises(ConfigError) as raised:
        parse_yaml_with_lines("metadata: {time: 10:30}\n", "f.yaml")
    (issue,) = raised.value.issues
    assert issue.hint == "quote it ('10:30') where it is text (a time, a ratio), or write 630"


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        (
            "!!int '010'",
            "write 10 without the leading zero, or remove the !!int tag where it is text",
        ),
        ('!!int "1:30"', "remove the !!int tag where it is text (a time, a ratio), or write 90"),
    ],
)
def test_a_quoted_number_tagged_as_one_is_told_to_drop_the_tag_not_to_quote_it(
    text: str, hint: str
) -> None:
    # Observed: "!!int '010'" was told to "quote it ('010') where it is text": it is quoted;
    # the tag is what makes it a number.
    with pytest.raises(ConfigError) as raised:
        parse_yaml_with_lines(f"x: {text}\n", "f.yaml")
    (issue,) = raised.value.issues
    assert issue.hint == hint
