"""A repeated case id is one line naming where the repeat is (the dataset file and its line, or
the suite's line) and where the first one is (issue 12), however the cases were loaded."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assurance_harness.errors import ConfigError
from assurance_harness.spec.loader import load_suite

from ..testing.cli import run_cli

HINT = "ids must be unique: change one of them or remove the repeat"


def _issues(suite: Path) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_suite(suite)
    return [str(i) for i in info.value.issues]


def _jsonl(ids: list[str]) -> str:
    return "".join(json.dumps({"id": i, "prompt": f"p {n}"}) + "\n" for n, i in enumerate(ids))


IDS = ["c1", "c2", "c3", "c4", "c5", "c6", "c3", "c8"]  # c3 on lines 3 and 7


@pytest.fixture(params=[10_000, 2])
def in_memory(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> int:
    """Cases held as objects, or moved to disk after two (a large dataset's path)."""
    from assurance_harness.spec import caselist, datasets

    real_collect = caselist.collect
    limit: int = request.param
    monkeypatch.setattr(datasets, "collect", lambda cases: real_collect(cases, in_memory=limit))
    return limit


def test_a_repeat_in_a_jsonl_dataset_names_its_line_and_the_first(write, in_memory) -> None:
    data = write("d.jsonl", _jsonl(IDS))
    suite = write("s.yaml", "suite: x\ndataset: {path: d.jsonl}\n")
    assert _issues(suite) == [
        f"{data.resolve()}:7: duplicate case id 'c3' (first on line 3); {HINT}"
    ]


def test_blank_lines_count_as_lines(write) -> None:
    data = write("d.jsonl", "\n" + _jsonl(["a", "b"]) + "\n\n" + _jsonl(["a"]))
    suite = write("s.yaml", "suite: x\ndataset: {path: d.jsonl}\n")
    assert _issues(suite) == [
        f"{data.resolve()}:6: duplicate case id 'a' (first on line 2); {HINT}"
    ]


def test_a_repeat_in_a_csv_counts_lines_as_csv_errors_do(write, in_memory) -> None:
    # A quoted field spanning lines: a row's line is the one it starts on.
    data = write("d.csv", 'id,prompt\nc1,"two\nlines"\nc2,b\nc1,c\n')
    suite = write("s.yaml", "suite: x\ndataset: {path: d.csv}\n")
    assert _issues(suite) == [
        f"{data.resolve()}:5: duplicate case id 'c1' (first on line 2); {HINT}"
    ]


def test_generated_ids_are_located_too(write) -> None:
    # A row without an id gets <prefix>-<line>; a later row that writes that id repeats it.
    data = write("d.jsonl", '{"prompt": "a"}\n{"id": "d-00001", "prompt": "b"}\n')
    suite = write("s.yaml", "suite: x\ndataset: {path: d.jsonl}\n")
    assert _issues(suite) == [
        f"{data.resolve()}:2: duplicate case id 'd-00001' (first on line 1); {HINT}"
    ]


@pytest.mark.parametrize("options", [", sample: 7", ", limit: 7", ", where: {keep: 'y'}"])
def test_sample_limit_and_where_keep_the_file_lines(write, in_memory, options) -> None:
    # where drops line 4, sample line 6 (with seed 2), limit line 8: the lines are the file's.
    rows = [{"id": i, "prompt": "p", "keep": "n" if n == 3 else "y"} for n, i in enumerate(IDS)]
    data = write("d.jsonl", "".join(json.dumps(r) + "\n" for r in rows))
    suite = write("s.yaml", f"suite: x\nseed: 2\ndataset: {{path: d.jsonl{options}}}\n")
    assert _issues(suite) == [
        f"{data.resolve()}:7: duplicate case id 'c3' (first on line 3); {HINT}"
    ]


def test_a_repeat_across_two_datasets_names_both_files(write, in_memory) -> None:
    first = write("a.jsonl", _jsonl(["z", "c5"]))
    second = write("b.jsonl", _jsonl(IDS))
    suite = write("s.yaml", "suite: x\ndataset:\n  - {path: a.jsonl}\n  - {path: b.jsonl}\n")
    assert _issues(suite) == [
        f"{second.resolve()}:5: duplicate case id 'c5' (first at {first.resolve()}:2); {HINT}",
        f"{second.resolve()}:7: duplicate case id 'c3' (first on line 3); {HINT}",
    ]


def test_a_dataset_repeating_an_inline_case_names_the_suite_line(write) -> None:
    data = write("d.jsonl", _jsonl(["x", "b"]))
    suite = write(
        "s.yaml",
        "suite: x\ncases:\n  - {id: a, prompt: hi}\n  - id: b\n    prompt: there\n"
        "dataset: {path: d.jsonl}\n",
    )
    assert _issues(suite) == [
        f"{data.resolve()}:2: duplicate case id 'b' (first at {suite}:4); {HINT}"
    ]


def test_a_repeat_among_inline_cases_names_its_line(write) -> None:
    suite = write(
        "s.yaml", "suite: x\ncases:\n  - {id: a, prompt: one}\n  - {id: a, prompt: two}\n"
    )
    assert _issues(suite) == [
        f"{suite}:4: cases[1].id: duplicate case id 'a' (first on line 3); {HINT}"
    ]


PERTURB = "expand:\n  - {use: perturb, with: {operators: [uppercase]}}\n"


def test_with_expanders_a_repeat_in_the_data_is_one_located_line(write) -> None:
    # Was three lines against the suite: the repeat, and the repeat of each variant.
    data = write("d.jsonl", _jsonl(["a", "b", "a"]))
    suite = write("s.yaml", "suite: x\ndataset: {path: d.jsonl}\n" + PERTURB)
    assert _issues(suite) == [
        f"{data.resolve()}:3: duplicate case id 'a' (first on line 1); {HINT}"
    ]


def test_an_id_an_expander_also_makes_is_located_in_the_data(write) -> None:
    data = write("d.jsonl", _jsonl(["a", "a~uppercase#0"]))
    suite = write("s.yaml", "suite: x\ndataset: {path: d.jsonl}\n" + PERTURB)
    assert _issues(suite) == [
        f"{data.resolve()}:2: duplicate case id 'a~uppercase#0': expand also makes it "
        "(from case 'a' on line 1); rename this case"
    ]


def test_cli_validate_and_run_print_one_located_line_exit_2(write, tmp_path) -> None:
    data = write("d.jsonl", _jsonl(IDS))
    suite = write("s.yaml", "suite: x\ndataset: {path: d.jsonl}\n")
    write("bot.py", "def reply(messages):\n    return 'hi'\n")
    target = write("bot.yaml", "type: callable\nfunction: bot:reply\npython_path: ['.']\n")
    expected = f"{data.resolve()}:7: duplicate case id 'c3' (first on line 3); {HINT}"
    validate = run_cli("validate", suite, timeout=120)
    run = run_cli(
        "run", suite, "--target", target, "--reports", tmp_path / "r", "--no-report",
        "--no-evidence", cwd=tmp_path, timeout=120,
    )  # fmt: skip
    for proc in (validate, run):
        assert proc.returncode == 2, proc.stderr
        assert "Traceback" not in proc.stdout + proc.stderr
        lines = [line for line in proc.stderr.splitlines() if "duplicate" in line]
        assert [line.removeprefix("error: ") for line in lines] == [expected]  # run: "error: "
