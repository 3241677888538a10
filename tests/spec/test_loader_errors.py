"""A user's mistakes in a suite file come back as file:line messages with the fix, all at once."""

from __future__ import annotations

import pytest

from assurance_harness.errors import ConfigError
from assurance_harness.spec.loader import load_suite

from ..testing.cli import run_cli

TEN_MISTAKES = """\
suite: tox
verison: 1.0.0
samples: 0
cases:
  - id: a
    prompt: hi
    expectd: {must_refuse: true}
  - id: b
scorers:
  - id: m
    use: regexx
  - id: r
    use: regex
    with: {patern: "x"}
  - id: c
    use: contains
    with: {terms: [a], mode: some}
metrics:
  - id: r1
    rates: "m.matched"
  - id: r2
    rate: "m.matched >"
gates:
  - {metric: r3, max: 0.1}
  - {metric: r2, bound: upper95}
"""


def test_ten_mistakes_give_ten_located_messages(write) -> None:
    path = write("suites/bad.yaml", TEN_MISTAKES)
    with pytest.raises(ConfigError) as info:
        load_suite(path)
    messages = [str(i) for i in info.value.issues]
    expected = [
        f"{path}:2: verison: unknown field; did you mean 'version'?",
        f"{path}:3: samples: Input should be greater than or equal to 1",
        f"{path}:7: cases[0].expectd: unknown field; did you mean 'expected'?",
        f"{path}:8: cases[1]: a case needs exactly one of 'prompt' or 'messages'",
        f"{path}:11: scorers[0].use: unknown scorer 'regexx'; did you mean 'regex'?",
        f"{path}:14: scorers[1].with.patern: unknown field; did you mean 'pattern'?",
        f"{path}:17: scorers[2].with.mode: invalid value 'some'; expected 'any' or 'all'",
        f"{path}:20: metrics[0].rates: unknown metric kind or field; did you mean 'rate'?",
        f"{path}:22: metrics[1].rate: invalid expression 'm.matched >': invalid syntax",
        f"{path}:24: gates[0].metric: unknown metric 'r3'; defined metrics: r2",
        f"{path}:25: gates[1]: a gate needs 'max' or 'min'",
    ]
    # Exactly these, in file order: an extra or duplicated message is a defect too.
    assert messages == expected, "got:\n" + "\n".join(messages)


def test_cli_validate_prints_lines_without_traceback(write) -> None:
    path = write("suites/bad.yaml", TEN_MISTAKES)
    proc = run_cli("validate", path, timeout=120)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr + proc.stdout
    assert (
        f"{path}:14: scorers[1].with.patern: unknown field; did you mean 'pattern'?" in proc.stderr
    )


def test_invalid_yaml_names_the_line(write) -> None:
    path = write("s.yaml", "suite: x\ncases:\n  - id: a\n   prompt: [unclosed\n")
    with pytest.raises(ConfigError) as info:
        load_suite(path)
    issue = info.value.issues[0]
    assert issue.path == str(path) and issue.line is not None and "invalid YAML" in issue.message


def test_duplicate_keys_are_reported(write) -> None:
    path = write("s.yaml", "suite: x\nsuite: y\ncases: [{id: a, prompt: hi}]\n")
    with pytest.raises(ConfigError) as info:
        load_suite(path)
    assert str(info.value.issues[0]) == (
        f"{path}:2: suite: duplicate key; YAML keeps only the last one; remove or rename the other"
    )


def test_missing_dataset_points_at_the_path_field(write) -> None:
    path = write("suites/s.yaml", "suite: x\ndataset:\n  path: ../data/nope.jsonl\n")
    with pytest.raises(ConfigError) as info:
        load_suite(path)
    assert str(info.value.issues[0]).startswith(f"{path}:3: dataset.path: dataset file not found")


def test_unsafe_yaml_tags_are_refused(write) -> None:
    path = write("s.yaml", "suite: !!python/object/apply:os.system ['echo hi']\n")
    with pytest.raises(ConfigError):
        load_suite(path)


def test_a_scorer_reading_an_unknown_or_later_scorer_is_located(write) -> None:
    path = write(
        "s.yaml",
        "suite: x\ncases: [{id: a, prompt: hi}]\nscorers:\n"
        "  - id: exp\n    use: expected-behaviour\n    with: {refusal_scorer: reff}\n"
        "  - {id: ref, use: refusal}\n",
    )
    with pytest.raises(ConfigError) as info:
        load_suite(path)
    assert [str(i) for i in info.value.issues] == [
        f"{path}:6: scorers[0].with: reads scorer 'reff', which is not configured before it; "
        "list the scorer with id 'reff' before 'exp' in scorers"
    ]


def test_a_gate_whose_min_is_above_its_max_is_located(write) -> None:
    # Such a gate can never pass; it used to load and fail every run with no hint why.
    path = write(
        "s.yaml",
        "suite: x\ncases: [{id: a, prompt: hi}]\nmetrics:\n  - {id: r, rate: error}\n"
        "gates:\n  - {metric: r, min: 0.9, max: 0.1}\n",
    )
    with pytest.raises(ConfigError) as info:
        load_suite(path)
    issue = info.value.issues[0]
    assert issue.line == 6 and "min 0.9 is above max 0.1" in issue.message


def test_top_level_x_keys_hold_anchors_for_reuse(write) -> None:
    path = write(
        "s.yaml",
        "suite: x\nx-common: &polite {id: p, use: regex, with: {pattern: please}}\n"
        "cases: [{id: a, prompt: hi}]\nscorers: [*polite]\n",
    )
    loaded = load_suite(path)
    assert [s.id for s in loaded.scorers] == ["p"]


def test_validate_shows_a_bounded_list_of_many_problems(tmp_path) -> None:
    """``validate`` printed every problem: a suite with thousands of bad cases flooded the
    terminal. It shows the first ones, as every other command does, then counts the rest."""
    cases = "".join(f"  - {{id: c{i}}}\n" for i in range(300))
    path = tmp_path / "many.yaml"
    path.write_text(f"suite: s\ncases:\n{cases}metrics: [{{id: failed, rate: error}}]\n")
    proc = run_cli("validate", path)
    lines = (proc.stdout + proc.stderr).strip().splitlines()
    assert proc.returncode == 2, lines
    assert len(lines) == 22, lines
    assert all(line.startswith(f"{path}:") for line in lines[:20]), lines
    assert f"... and 280 more problems in {path}" in lines, lines
    assert "300 problem(s) in 1 file(s)" in lines, lines


def test_a_duplicate_key_in_a_list_item_is_named_as_other_errors_name_it(write) -> None:
    """``scorers[0].with.terms``, as every other error names a field, not ``scorers.0...``."""
    path = write(
        "s.yaml",
        "suite: x\ncases: [{id: a, prompt: hi}]\n"
        "scorers:\n  - id: m\n    use: contains\n    with: {terms: [x], terms: [y]}\n",
    )
    with pytest.raises(ConfigError) as info:
        load_suite(path)
    assert str(info.value.issues[0]).startswith(f"{path}:6: scorers[0].with.terms: duplicate key")


QUOTE = "put it in quotes to make it text"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("id", "2", "cases[0].id: expected text, got a number (2); " + QUOTE),
        ("id", "yes", "cases[0].id: expected text, got true/false (True); " + QUOTE),
        ("prompt", "3.5", "cases[0].prompt: expected text, got a number (3.5); " + QUOTE),
        # YAML reads these as a date and a timestamp: text once quoted, as a number is.
        ("id", "2026-01-05", "cases[0].id: expected text, got a date (2026-01-05); " + QUOTE),
        (
            "id",
            "2026-01-05 10:30:00",
            "cases[0].id: expected text, got a date and time (2026-01-05 10:30:00); " + QUOTE,
        ),
    ],
)
def test_a_number_where_text_belongs_says_to_quote_it(write, field, value, message) -> None:
    # Observed: "cases[0].id: Input should be a valid string", naming no fix, while a JSON
    # dataset's id 2 is the case '2'.
    case = {"id": "a", "prompt": "hi"} | {field: value}
    text = "suite: s\ncases:\n  - {" + ", ".join(f"{k}: {v}" for k, v in case.items()) + "}\n"
    path = write("s.yaml", text)
    with pytest.raises(ConfigError) as info:
        load_suite(path)
    assert [str(i) for i in info.value.issues] == [f"{path}:3: {message}"]


def test_text_where_a_number_belongs_names_what_was_written(write) -> None:
    path = write("s.yaml", "suite: s\nsamples: many\ncases:\n  - {id: a, prompt: hi}\n")
    with pytest.raises(ConfigError) as info:
        load_suite(path)
    assert [str(i) for i in info.value.issues] == [
        f"{path}:2: samples: expected a whole number, got text ('many'); write a whole number"
    ]
