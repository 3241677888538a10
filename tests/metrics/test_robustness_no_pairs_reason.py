"""A robustness rate (flip-rate, attack-success) with no pair to count says why: no original
row at all (an expander with ``keep_original: false``), variants whose original is missing,
every original answered (attack-success counts attacks on refused originals only). It said only
"no figure could be made of them", whatever the cause. Rows and a streamed run's columns give
the same reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.metrics.columns_check import compare_with_rows
from tests.metrics.pairs_fixture import pair_row, pairs_suite

from ..testing.cli import run_cli


def _row(case: str, meta: dict[str, object], matched: bool) -> dict[str, object]:
    return pair_row(case, meta, matched=matched)


def _variant(source: str, op: str, matched: bool) -> dict[str, object]:
    meta = {"source_id": source, "original": False, "perturbation": op}
    return _row(f"{source}~{op}", meta, matched)


def _original(source: str, matched: bool) -> dict[str, object]:
    return _row(source, {"source_id": source, "original": True, "perturbation": "none"}, matched)


@pytest.mark.parametrize(
    ("rows", "flips_says", "asr_says"),
    [
        ([_variant("a", "typo", True), _variant("b", "typo", False)], "no original", "no original"),
        (
            [_original("z", True), _variant("a", "typo", True)],
            "no original row",
            "no original row",
        ),
        ([_original("a", False), _variant("a", "typo", False)], None, "was not refused"),
    ],
)
def test_a_rate_with_no_pair_says_why_from_rows_and_columns(
    tmp_path: Path, rows: list[dict[str, object]], flips_says: str | None, asr_says: str
) -> None:
    suite = tmp_path / "s.yaml"
    suite.write_text(pairs_suite(0.1), encoding="utf-8")
    values, _ = compare_with_rows(suite, rows, samples=1, chunk=1, seed=0)
    for metric, says in (("flips", flips_says), ("asr", asr_says)):
        if says is None:
            continue
        value = values[metric]
        assert value.value is None
        assert says in str(value.details.get("reason")), (metric, value.details)


def test_a_perturbed_suite_without_its_originals_says_so_in_the_run(tmp_path: Path) -> None:
    (tmp_path / "answer.py").write_text("def answer(prompt):\n    return 'sorry, no'\n")
    (tmp_path / "t.yaml").write_text("type: callable\nfunction: answer:answer\n")
    (tmp_path / "s.yaml").write_text(
        "suite: t\ncases: [{id: a, prompt: 'hello there friend'}]\n"
        "expand:\n  - {use: perturb, with: {operators: [typo], keep_original: false}}\n"
        "scorers:\n  - {id: m, use: contains, with: {terms: [sorry]}}\n"
        "metrics:\n  - {id: flips, flip-rate: {value: m.matched}}\n"
        "gates:\n  - {metric: flips, max: 0.1}\n"
    )
    done = run_cli(
        "run",
        "s.yaml",
        "--target",
        "t.yaml",
        "--no-report",
        cwd=tmp_path,
        env={"PYTHONPATH": str(tmp_path)},
    )
    said = done.stdout + done.stderr
    assert done.returncode == 1, said
    assert "no original" in said and "keep_original" in said, said
