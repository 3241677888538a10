"""A ``consistency`` scorer in original mode compares each variant's answer with its original's:
the case its ``source_id`` names, marked ``original: true``. A variant naming no such case (a
typo, a renamed original) was valid, and every run then left it unscored without a word: a
figure over the variants measured fewer than written, or nothing, and said nothing of why.
Now ``validate`` refuses it, naming the variant's file and line and the fix."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.testing.cli import invoke_in_process

SUITE = """\
suite: cons
cases:
  - {id: q, prompt: explain photosynthesis, metadata: {source_id: q, original: true}}
  - {id: q~typo#0, prompt: explian photosynthesis,
     metadata: {source_id: {variant_source}, original: false, perturbation: typo}}
scorers:
  - {id: cons, use: consistency}
metrics:
  - {id: consistency, mean: cons.similarity, where: "not meta.original"}
"""


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "300")


def _validate(tmp_path: Path, text: str) -> tuple[int, str]:
    (tmp_path / "s.yaml").write_text(text, encoding="utf-8")
    done = invoke_in_process(["validate", "s.yaml"])
    return done.exit_code, done.output


def test_a_variant_naming_no_original_is_refused_at_its_line(tmp_path: Path) -> None:
    code, out = _validate(tmp_path, SUITE.replace("{variant_source}", "qq"))
    assert code == 2, out
    lines = [line for line in out.splitlines() if line.strip()]
    (issue,) = [line for line in lines if "qq" in line]
    assert issue.startswith("s.yaml:4: ") or "s.yaml:4:" in issue, issue
    assert "'q~typo#0'" in issue and "original" in issue, issue
    assert "Traceback" not in out


def test_a_variant_naming_its_original_is_valid(tmp_path: Path) -> None:
    code, out = _validate(tmp_path, SUITE.replace("{variant_source}", "q"))
    assert code == 0, out


def test_a_variant_naming_a_case_not_marked_original_is_refused(tmp_path: Path) -> None:
    """The scorer pairs a variant only with a case marked original: one named but unmarked
    is compared with nothing too."""
    text = SUITE.replace("{variant_source}", "q").replace("source_id: q, original: true", "x: 1")
    code, out = _validate(tmp_path, text)
    assert code == 2, out
    assert "'q~typo#0'" in out and "original" in out, out


def test_a_variant_in_a_dataset_is_named_at_its_file_and_line(tmp_path: Path) -> None:
    rows = [
        {"id": "a", "prompt": "hello", "source_id": "a", "original": True},
        {"id": "a~typo#0", "prompt": "helo", "source_id": "a", "original": False},
        {"id": "b~typo#0", "prompt": "hi", "source_id": "b", "original": False},
    ]
    (tmp_path / "cases.jsonl").write_text(
        "".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8"
    )
    text = (
        "suite: cons\ndataset: {path: cases.jsonl}\nscorers:\n  - {id: cons, use: consistency}\n"
        "metrics:\n  - {id: consistency, mean: cons.similarity}\n"
    )
    code, out = _validate(tmp_path, text)
    assert code == 2, out
    assert "cases.jsonl:3" in out and "'b~typo#0'" in out and "'b'" in out, out


def test_counterfactual_mode_names_no_original_and_is_not_checked(tmp_path: Path) -> None:
    text = SUITE.replace("{variant_source}", "qq").replace(
        "use: consistency}", "use: consistency, with: {mode: counterfactual}}"
    )
    code, out = _validate(tmp_path, text)
    assert code == 0, out
