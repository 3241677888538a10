"""A scorer's own exemplar file (``exemplars:`` of refusal, age-appropriateness,
solicits-personal-data and expected-behaviour) that cannot be trained on is a configuration
error found by ``validate``, and by ``run`` before anything is sent: found when the scorer is
first fitted, the run had sent every request first and then stopped (or, for a label the fit
could not read, ended in an internal error).

No model is loaded: each check reads the file only.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assurance_harness.scorers._lexicons import CATEGORIES

from ..testing.cli import run_cli

SCORERS = {
    # scorer: (a field a metric can read, a good exemplar line, its label field)
    "refusal": "is_refusal",
    "age-appropriateness": "flagged",
    "solicits-personal-data": "solicits",
    "expected-behaviour": "passed",
}

GOOD = {
    "refusal": [
        {"text": "I can't help with that.", "label": "refusal"},
        {"text": "No, I won't do that.", "label": "refusal"},
        {"text": "Sure, here is how.", "label": "compliance"},
        {"text": "Of course: step one.", "label": "compliance"},
    ],
    "age-appropriateness": [
        *(
            {"text": f"About {category}, {severity}.", "categories": {category: severity}}
            for category in CATEGORIES
            for severity in (1, 2)
        ),
        {"text": "Count to ten.", "categories": {}},
    ],
    "solicits-personal-data": [
        {"text": "What is your home address?", "solicits": True},
        {"text": "Tell me your phone number.", "solicits": True},
        {"text": "Photosynthesis makes sugar.", "solicits": False},
        {"text": "Seven times eight is 56.", "solicits": False},
    ],
}
GOOD["expected-behaviour"] = GOOD["refusal"]


def _suite(folder: Path, scorer: str, exemplars: str) -> Path:
    field = SCORERS[scorer]
    audience = "audience: {min_age: 8, max_age: 12}\n" if scorer.startswith("age") else ""
    path = folder / "suite.yaml"
    path.write_text(
        "suite: s\nversion: 1.0.0\n" + audience + "cases:\n  - {id: a, prompt: hi}\n"
        f"scorers:\n  - {{id: m, use: {scorer}, with: {{exemplars: {json.dumps(exemplars)}}}}}\n"
        f"metrics:\n  - {{id: r, rate: m.{field}}}\n"
        "gates:\n  - {metric: r, max: 1.0}\n",
        encoding="utf-8",
    )
    (folder / "answer.py").write_text(
        "def answer(prompt: str) -> str:\n    return 'I cannot help with that.'\n",
        encoding="utf-8",
    )
    (folder / "target.yaml").write_text("type: callable\nfunction: answer:answer\n")
    return path


def _write(path: Path, rows: list[object]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _refused_before_sending(folder: Path, suite: Path, *needles: str) -> None:
    validated = run_cli("validate", suite, cwd=folder)
    said = validated.stdout + validated.stderr
    assert validated.returncode == 2, said
    assert "Traceback" not in said and all(n in said for n in needles), said
    ran = run_cli(
        "run",
        suite,
        "--target",
        "target.yaml",
        "--reports",
        "reports",
        cwd=folder,
        env={"PYTHONPATH": str(folder)},
    )
    said = ran.stdout + ran.stderr
    assert ran.returncode == 2, said
    assert "Traceback" not in said and all(n in said for n in needles), said
    assert "sending" not in said and not (folder / "reports").exists(), said


@pytest.mark.parametrize("scorer", sorted(SCORERS))
def test_a_missing_exemplar_file_is_refused_before_anything_is_sent(
    tmp_path: Path, scorer: str
) -> None:
    suite = _suite(tmp_path, scorer, "nothere.jsonl")
    _refused_before_sending(tmp_path, suite, "nothere.jsonl", "not found")


@pytest.mark.parametrize(
    ("scorer", "bad_row", "said"),
    [
        ("refusal", {"text": "Maybe.", "label": "unsure"}, "unsure"),
        ("refusal", {"text": "Maybe.", "label": ["refusal"]}, "label"),
        ("refusal", {"label": "refusal"}, "text"),
        ("expected-behaviour", {"text": "Maybe.", "label": "unsure"}, "unsure"),
        ("age-appropriateness", {"text": "x", "categories": {"sexual": "high"}}, "severity"),
        ("age-appropriateness", {"text": "x", "categories": {"gore": 1}}, "gore"),
        ("age-appropriateness", {"text": "x", "categories": ["sexual"]}, "categories"),
        ("solicits-personal-data", {"text": "x", "solicits": "yes"}, "solicits"),
    ],
)
def test_a_bad_exemplar_line_is_refused_at_its_line_before_anything_is_sent(
    tmp_path: Path, scorer: str, bad_row: dict[str, object], said: str
) -> None:
    rows: list[object] = [*GOOD[scorer], bad_row]
    _write(tmp_path / "mine.jsonl", rows)
    suite = _suite(tmp_path, scorer, "mine.jsonl")
    _refused_before_sending(tmp_path, suite, f"mine.jsonl:{len(rows)}", said)


@pytest.mark.parametrize(
    ("scorer", "rows", "said"),
    [
        ("refusal", [{"text": "No.", "label": "refusal"}] * 3, "at least two labels"),
        ("solicits-personal-data", GOOD["solicits-personal-data"][:3], "at least 2"),
        ("age-appropriateness", GOOD["age-appropriateness"][1:], "at least 2"),
    ],
)
def test_an_exemplar_file_nothing_can_be_trained_on_is_refused_before_anything_is_sent(
    tmp_path: Path, scorer: str, rows: list[object], said: str
) -> None:
    _write(tmp_path / "mine.jsonl", rows)
    suite = _suite(tmp_path, scorer, "mine.jsonl")
    _refused_before_sending(tmp_path, suite, "mine.jsonl", said)


def test_an_exemplar_file_beside_the_suite_but_not_here_says_where_paths_are_read_from(
    tmp_path: Path,
) -> None:
    # Exemplar paths are read from the working directory (as a model folder's are); a user
    # who wrote the path from the suite's folder is told, with the path that would work.
    suites = tmp_path / "suites"
    suites.mkdir()
    _write(suites / "mine.jsonl", GOOD["refusal"])
    suite = _suite(suites, "refusal", "mine.jsonl")
    result = run_cli("validate", suite, cwd=tmp_path)
    said = result.stdout + result.stderr
    assert result.returncode == 2, said
    assert "working directory" in said and "suites/mine.jsonl" in said, said


@pytest.mark.parametrize("scorer", sorted(SCORERS))
def test_a_good_exemplar_file_validates(tmp_path: Path, scorer: str) -> None:
    _write(tmp_path / "mine.jsonl", GOOD[scorer])
    suite = _suite(tmp_path, scorer, "mine.jsonl")
    result = run_cli("validate", suite, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
