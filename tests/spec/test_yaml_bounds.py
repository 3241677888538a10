"""YAML is parsed once, bounded before anything walks it, and keeps safe_load's meaning.

Observed (issue 12): an alias bomb under an ignored ``x-`` key hung ``validate`` for minutes and
took 7 GB; YAML nested ~500 deep ended in a RecursionError traceback.
"""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
import yaml

from assurance_harness.errors import ConfigError
from assurance_harness.store.yaml_lines import MAX_DEPTH, parse_yaml_with_lines

BOMB = "suite: s\ncases: [{id: a, prompt: hi}]\nx-a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9]\n" + "".join(
    f"x-{c}: &{c} [{', '.join(['*' + p] * 9)}]\n"
    for p, c in zip("abcdefgh", "bcdefghi", strict=True)
)


def _error(text: str) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        parse_yaml_with_lines(text, "s.yaml")
    return info.value


def test_an_alias_bomb_under_an_x_key_is_refused_at_once() -> None:
    started = time.perf_counter()
    error = _error(BOMB)
    assert time.perf_counter() - started < 2
    assert str(error).startswith("s.yaml:9: YAML aliases expand this to ")
    assert "use fewer nested aliases" in str(error)


def test_validate_refuses_the_alias_bomb_in_seconds_with_exit_2(write) -> None:
    path = write("bomb.yaml", BOMB)
    done = subprocess.run(
        [sys.executable, "-m", "assurance_harness.cli", "validate", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert f"{path}:9: YAML aliases expand this to" in done.stderr


@pytest.mark.parametrize("text", ["- " * 500 + "x\n", "a: " + "[" * 500 + "]" * 500 + "\n"])
def test_yaml_nested_hundreds_deep_is_one_located_error(text: str) -> None:
    error = _error(text)
    assert f"YAML nested more than {MAX_DEPTH} levels deep" in str(error)
    assert error.issues[0].line == 1


def test_nesting_through_aliases_is_bounded_too() -> None:
    levels = "".join(f"l{i}: &l{i} [*l{i - 1}]\n" for i in range(1, 120))
    error = _error("l0: &l0 [x]\n" + levels)
    assert "nested more than" in str(error)


def test_a_recursive_alias_is_refused() -> None:
    assert "refers to itself" in str(_error("a: &a [1, *a]\n"))


@pytest.mark.parametrize(
    "text",
    [
        "a: &x {p: 1, q: 2}\nb:\n  <<: *x\n  q: 3\n",
        "a: &x {p: 1}\nb: &y {p: 2, r: 1}\nc: {<<: [*x, *y], s: 1}\n",
        "d: 2026-01-02\ne: 2026-01-02 10:00:00\nf: !!binary aGk=\ng: !!set {a, b}\n"
        "h: .inf\ni: 0x1f\nj: ~\nk: [yes, no, on]\nl: 1_000\nm: !!str 12\n1: one\n",
        "a: &a [1, 2]\nb: [*a, *a]\nc: {x: *a}\n",
        "- [a, {b: c}]\n- 'q'\n- \"\\U0001F600\"\n",
        "",
        "plain",
    ],
)
def test_data_equals_safe_load(text: str) -> None:
    data, _ = parse_yaml_with_lines(text, "s.yaml")
    assert data == yaml.safe_load(text)


def test_lines_are_found_for_values_keys_and_merged_keys() -> None:
    text = "base: &b {p: 1}\nitem:\n  <<: *b\n  list:\n    - x\n    - y: 2\n"
    _, line_of = parse_yaml_with_lines(text, "s.yaml")
    assert line_of(("item", "list", 1, "y")) == 6
    assert line_of(("item", "list", 1, "missing")) == 6
    assert line_of(("item", "p")) == 1  # merged from the anchor on line 1
    assert line_of(("item", "list"), key=True) == 4  # type: ignore[call-arg]
    assert line_of(("nothing",)) == 1


def test_duplicate_keys_are_located_but_a_merge_override_is_not_one() -> None:
    error = _error("a: 1\nb:\n  c: 1\n  c: 2\n")
    assert [str(i) for i in error.issues] == [
        "s.yaml:4: b.c: duplicate key; YAML keeps only the last one; remove or rename the other"
    ]
    data, _ = parse_yaml_with_lines("x: &x {c: 1}\nb:\n  <<: *x\n  c: 2\n", "s.yaml")
    assert data["b"] == {"c": 2}


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('a: "\\ud800"\n', "surrogate"),
        ("a: !python/object:os.system x\n", "unsupported tag"),
        ("a: 2026-13-45\n", "cannot read '2026-13-45' as timestamp"),
        ("a: !!int abc\n", "cannot read 'abc' as int"),
        ("? [a]\n: 1\n", "mapping key must be a plain value"),
        ("a: [1\n", "invalid YAML"),
    ],
)
def test_values_safe_load_cannot_hold_are_one_located_error(text: str, words: str) -> None:
    error = _error(text)
    assert words in str(error)
    assert error.issues[0].line is not None


def test_the_pure_python_loader_is_bounded_and_refuses_surrogates_too(monkeypatch) -> None:
    from assurance_harness.store import yaml_lines

    monkeypatch.setattr(yaml_lines, "_Loader", yaml.SafeLoader)
    assert "surrogate" in str(_error('a: "\\ud800"\n'))
    assert "nested more than" in str(_error("- " * 500 + "x\n"))
    assert "aliases expand this to" in str(_error(BOMB))
    assert parse_yaml_with_lines("a: &x {p: 1}\nb: {<<: *x}\n", "s")[0]["b"] == {"p": 1}


def test_validate_parses_each_suite_file_once(write, monkeypatch) -> None:
    from typer.testing import CliRunner

    from assurance_harness import cli
    from assurance_harness.store import yaml_lines

    calls: list[str] = []
    parse = yaml_lines.parse_yaml_with_lines

    def counting(text: str, source: str):  # type: ignore[no-untyped-def]
        calls.append(source)
        return parse(text, source)

    monkeypatch.setattr(yaml_lines, "parse_yaml_with_lines", counting)
    path = write("s.yaml", "suite: s\ncases: [{id: a, prompt: hi}]\n")
    result = CliRunner().invoke(cli.app, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert calls == [str(path)]


def test_validate_on_a_directory_without_yaml_is_an_error_like_run(tmp_path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "assurance_harness.cli", "validate", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert f"{tmp_path}: no YAML files found" in done.stderr


def test_validate_names_a_directory_without_yaml_among_others(tmp_path) -> None:
    # Observed: 'validate ok.yaml EMPTYDIR' said "1 file(s) valid", exit 0: the folder the
    # user named (its files meant to be checked) was passed over without a word.
    (tmp_path / "ok.yaml").write_text("suite: s\ncases: [{id: a, prompt: hi}]\n")
    (tmp_path / "targets").mkdir()
    from typer.testing import CliRunner

    from assurance_harness import cli

    result = CliRunner().invoke(
        cli.app, ["validate", str(tmp_path / "ok.yaml"), str(tmp_path / "targets")]
    )
    assert result.exit_code == 2, result.output
    assert f"{tmp_path / 'targets'}: no YAML files found" in result.output


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\ufffe"])
def test_a_character_yaml_refuses_is_one_line_with_its_line(char: str) -> None:
    """Was: ``invalid YAML: unacceptable character #x0000: ...`` and a second line
    ``in "<unicode string>", position 24``, with no line number (suites, targets, registers)."""
    error = _error(f"suite: s\ncases:\n  - {{id: a{char}, prompt: hi}}\n")
    assert "\n" not in str(error), str(error)
    assert str(error).startswith("s.yaml:3: invalid YAML: unacceptable character #x"), str(error)
    assert "<unicode string>" not in str(error)


# Observed: nothing bounded how many values a YAML file writes. ``validate`` of 100,000 inline
# cases (5.9 MB) peaked at 409 MB, 300,000 at 1.09 GB; a 32 MB suite of minimal cases (1.1 M)
# was accepted after 21 s and 3.8 GB: a CI runner with 4 GB dies instead of reading one line.
# The limit is made 60 here, so a suite of 30 cases stands in for millions of values.
LIMIT = 60


def _many_cases(case: str = "{{id: c{i}, prompt: p}}", tail: str = "") -> str:
    """Values: root, suite/s, version/1.0.0, cases and its list (7), then 5 a case; the
    61st is the ``prompt`` key of case c10, on line 14."""
    cases = "".join(f"  - {case.format(i=i)}\n" for i in range(30))
    return f"suite: s\nversion: 1.0.0\ncases:\n{cases}{tail}"


@pytest.fixture
def few_values(monkeypatch: pytest.MonkeyPatch) -> int:
    from assurance_harness.store import yaml_lines

    monkeypatch.setattr(yaml_lines, "MAX_VALUES", LIMIT)
    return LIMIT


def test_validate_refuses_a_suite_of_more_values_than_the_limit_where_it_passed_it(
    write, few_values: int
) -> None:
    from tests.testing.cli import invoke_in_process

    path = write("suite.yaml", _many_cases(tail="scorers: [{id: n, use: length}]\n"))
    result = invoke_in_process(["validate", str(path)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert lines[0].startswith(f"{path}:14: more than {few_values} values"), result.output
    assert "dataset: {path: cases.jsonl}" in lines[0], result.output


def test_composing_stops_at_the_limit_before_the_rest_of_the_file(few_values: int) -> None:
    """The tree is never composed whole: a syntax error after the limit is not reached."""
    error = _error(_many_cases(tail="broken: [1\n"))
    assert str(error).startswith(f"s.yaml:14: more than {few_values} values"), str(error)


def test_explicitly_tagged_values_count_as_well(few_values: int) -> None:
    """A tag (``!!str x``) spares a value the resolver: it is counted all the same."""
    tagged = "!!map {{id: !!str c{i}, prompt: !!str p}}"
    error = _error(_many_cases(tagged))
    assert str(error).startswith(f"s.yaml:14: more than {few_values} values"), str(error)


def test_exactly_the_limit_is_accepted_and_one_more_is_not(few_values: int) -> None:
    # A list (1 value) of LIMIT - 1 items is LIMIT values; item n is value n + 1, on line n.
    data, _ = parse_yaml_with_lines("- a\n" * (few_values - 1), "s.yaml")
    assert len(data) == few_values - 1
    error = _error("- a\n" * few_values)
    assert error.issues[0].line == few_values, str(error)


def test_the_pure_python_loader_counts_the_same(tmp_path) -> None:
    """Where libyaml is missing (hidden from a fresh interpreter), the same values are counted
    and refused at the same line."""
    script = (
        "import sys\n"
        "sys.modules['yaml._yaml'] = None\n"
        "import yaml\n"
        "assert not hasattr(yaml, 'CSafeLoader')\n"
        "from assurance_harness.errors import ConfigError\n"
        "from assurance_harness.store import yaml_lines\n"
        f"yaml_lines.MAX_VALUES = {LIMIT}\n"
        "for text in sys.argv[1:]:\n"
        "    try:\n"
        "        yaml_lines.parse_yaml_with_lines(text, 's.yaml')\n"
        "        print('accepted')\n"
        "    except ConfigError as exc:\n"
        "        print(str(exc).splitlines()[0])\n"
    )
    texts = [
        _many_cases(),
        _many_cases("!!map {{id: !!str c{i}, prompt: !!str p}}"),
        "- a\n" * (LIMIT - 1),
    ]
    done = subprocess.run(
        [sys.executable, "-c", script, *texts], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith(f"s.yaml:14: more than {LIMIT} values"), done.stdout
    assert lines[1].startswith(f"s.yaml:14: more than {LIMIT} values"), done.stdout
    assert lines[2] == "accepted", done.stdout
