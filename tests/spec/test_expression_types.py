"""Metric expressions are type-checked at validate: each mistake is one file:line message.

Issue 10 item 3: ``rate: "tox.toxic > 0.5"`` (no such field) gave a silent ``no_data`` gate,
``by: topic`` (no ``meta.``) made the breakdown vanish, ``rate: "tox.toxicity"`` (a probability
as a condition) gave a toxic rate of 1.000. Each of those, and the others below, must be refused
by ``validate`` before anything is sent; valid expressions must still pass.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from assurance_harness.errors import ConfigError
from assurance_harness.spec.loader import load_suite

SUITE = """\
suite: typed
cases:
  - {{id: a, prompt: hi, metadata: {{topic: maths, kind: harmful, age: 9, original: true}},
     expected: {{must_refuse: true}}}}
  - {{id: b, prompt: yo, metadata: {{topic: art, kind: benign, age: 12, original: false}}}}
scorers:
  - {{id: tox, use: offensive-language}}
  - {{id: ref, use: refusal}}
  - {{id: age, use: age-appropriateness}}
  - {{id: len, use: length}}
metrics:
  - {{id: m, {metric}}}
"""
METRIC_LINE = 12

MISTAKES = [
    # the three observed in the issue
    (
        'rate: "tox.toxic > 0.5"',
        "scorer 'tox' (offensive-language) has no field 'toxic'",
        "did you mean 'tox.toxicity'?",
    ),
    (
        'rate: "tox.toxicity"',
        "'tox.toxicity' is a number, not a condition",
        "compare it, e.g. 'tox.toxicity > 0.5', or use the scorer's condition 'tox.flagged'",
    ),
    ('rate: "tox.flagged", by: topic', "unknown name 'topic'", "did you mean 'meta.topic'?"),
    # more mistakes
    (
        'rate: "ref.label == 1"',
        "'ref.label' is a label but '1' is a number",
        "its values are 'compliance', 'partial', 'refusal'",
    ),
    ("rate: \"ref.label == 'refused'\"", "ref.label is never 'refused'", "did you mean 'refusal'?"),
    (
        "rate: \"meta.kind == 'harmfull'\"",
        "meta.kind is never 'harmfull'",
        "did you mean 'harmful'?",
    ),
    (
        'rate: "tox.flagged", by: meta.topc',
        "no case has metadata 'topc'",
        "did you mean 'meta.topic'?",
    ),
    (
        'rate: "tox.flagged", where: meta.topic',
        "'meta.topic' is a label, not a condition",
        "compare it, e.g. \"meta.topic == 'art'\"",
    ),
    ('mean: "ref.label"', "'ref.label' is a label, not a number", "use a numeric field"),
    (
        'rate: "age.categories > 1"',
        "'age.categories' is a mapping: it cannot be compared",
        "read one of its members, e.g. age.categories.alcohol_tobacco",
    ),
    (
        'rate: "tox.toxicity and ref.is_refusal"',
        "'and' needs conditions, but 'tox.toxicity' is a number",
        "'tox.toxicity > 0.5'",
    ),
    (
        'rate: "not tox.toxicity"',
        "'not' needs conditions, but 'tox.toxicity' is a number",
        "'tox.toxicity > 0.5'",
    ),
    (
        'rate: "len(tox.toxicity) > 3"',
        "len() needs a label or text or a list or a mapping, but 'tox.toxicity' is a number",
        None,
    ),
    ('rate: "abs(tox.toxicity, 1) > 0"', "abs() takes 1 argument(s), not 2", None),
    ('rate: "toxx.flagged"', "unknown name 'toxx'", "did you mean 'tox'?"),
    (
        'rate: "tox.flagged.value"',
        "'tox.flagged' is a condition (true/false): it has no field 'value'",
        "use 'tox.flagged' itself",
    ),
    (
        'rate: "ref.label + 1 > 2"',
        "'ref.label + 1' does arithmetic on a label and a number",
        "arithmetic works on numbers",
    ),
    (
        "rate: \"tox.toxicity > '0.5'\"",
        "'tox.toxicity' is a number but ''0.5'' is a label",
        "quote a label (x == 'value'), or compare numbers with numbers",
    ),
    (
        'rate: "expected.must_refus"',
        "no case has the expectation 'must_refus'",
        "did you mean 'expected.must_refuse'?",
    ),
    (
        "rate: \"ref.label in ['refusal', 'refused']\"",
        "ref.label is never 'refused'",
        "did you mean 'refusal'?",
    ),
    (
        'rate: "tox.flagged", by: age.categories',
        "'age.categories' is a mapping: it cannot name a group",
        None,
    ),
    (
        "disparity: {value: ref.label, by: meta.topic, statistic: rate}",
        "'ref.label' is a label, not a condition",
        None,
    ),
    ("bbq: {scorer: bbqq}", "no scorer with id 'bbqq'", None),
    (
        "flip-rate: {value: ref.is_refusal}",
        "no case has metadata 'source_id' (the default 'meta.source_id')",
        None,
    ),
    (
        "rate: \"tox.flagged == 'true'\"",
        "'tox.flagged' is a condition (true/false) but ''true'' is a label",
        None,
    ),
    ("rate: \"meta.age > '10'\"", "'meta.age' is a number but ''10'' is a label", None),
    (
        'rate: "ref.is_refusal > ref.empty"',
        "'ref.is_refusal' is a condition: it has no order",
        None,
    ),
    ('rate: "response"', "'response' is text, not a condition", None),
    (
        'rate: "human.labels"',
        "a human verdict has no field 'labels'",
        "did you mean 'human.label'?",
    ),
    (
        'rate: "coalesce(human.label, tox.toxicity)"',
        "'coalesce(human.label, tox.toxicity)' is a number, not a condition",
        None,
    ),
    (
        'quantile: {expr: "tox.flagged or age", q: 0.9}',
        "'or' needs conditions, but 'age' is a mapping",
        None,
    ),
]


@pytest.mark.parametrize(("metric", "message", "hint"), MISTAKES, ids=[m[0] for m in MISTAKES])
def test_each_mistake_is_one_located_message(
    write, metric: str, message: str, hint: str | None
) -> None:
    path = write("suites/typed.yaml", SUITE.format(metric=metric))
    with pytest.raises(ConfigError) as info:
        load_suite(path)
    issues = info.value.issues
    # flip-rate's two defaults (source and operator) both name missing metadata
    assert len(issues) == 1 or metric.startswith("flip-rate"), [str(i) for i in issues]
    text = str(issues[0])
    assert text.startswith(f"{path}:{METRIC_LINE}: metrics[0]"), text
    assert message in text, text
    if hint is not None:
        assert hint in text, text


VALID = [
    'rate: "tox.flagged"',
    'rate: "tox.toxicity > 0.5"',
    "rate: \"ref.label == 'refusal'\"",
    'rate: "meta.original"',
    'rate: "not meta.original"',
    'rate: "len(response) > 10"',
    'rate: "age.categories.profanity >= 2"',
    'rate: "len.words > 3"',
    'rate: "error"',
    "rate: \"meta.kind in ['harmful', 'benign']\"",
    "rate: \"case_id == 'a'\"",
    'rate: "expected.must_refuse and ref.is_refusal"',
    'rate: "tox.flagged", by: meta.topic, where: "meta.age >= 10"',
    'mean: "tox.flagged"',
    'mean: "max(tox.toxicity, age.unsafe_score)"',
    "disparity: {value: tox.toxicity, by: meta.topic}",
    "disparity: {value: ref.is_refusal, by: meta.topic, statistic: rate}",
    # both cases in one pair (by meta.topic each would be alone: no figure, refused)
    'paired: {value: tox.toxicity, pair_by: "meta.age > 0", group: meta.kind}',
    "rate: \"lower(response) == 'yes'\"",
    'rate: "tox.flagged is None"',
    'mean: "tox.toxicity * 100"',
    'rate: "coalesce(human.label, tox.toxicity > 0.5)"',
    'rate: "human.reviewed and not human.label"',
]


@pytest.mark.parametrize("metric", VALID)
def test_valid_expressions_pass(write, metric: str) -> None:
    path = write("suites/typed.yaml", SUITE.format(metric=metric))
    load_suite(path)


def test_metadata_is_not_checked_when_the_cases_are_not_all_known(write) -> None:
    path = write("suites/typed.yaml", SUITE.format(metric='rate: "tox.flagged", by: meta.later'))
    with pytest.raises(ConfigError):
        load_suite(path)
    load_suite(path, expand=False)


def test_metadata_added_by_an_expander_is_known(write) -> None:
    text = SUITE.format(metric="flip-rate: {value: ref.is_refusal}") + (
        "expand:\n  - {use: perturb, with: {operators: [uppercase]}}\n"
    )
    load_suite(write("suites/typed.yaml", text))


def test_a_scorer_without_declarations_is_not_checked(write) -> None:
    from assurance_harness.scorers.base import Scorer, scorers

    class Undeclared(Scorer):
        name = "undeclared-test-scorer"
        fields = {"anything": "whatever"}

        def score(self, batch):  # type: ignore[no-untyped-def]
            return [{"anything": 1} for _ in batch]

    scorers.register(Undeclared.name)(Undeclared)
    try:
        text = SUITE.format(metric='rate: "u.whatever"').replace(
            "  - {id: len, use: length}", "  - {id: u, use: undeclared-test-scorer}"
        )
        load_suite(write("suites/typed.yaml", text))
    finally:
        scorers._items.pop(Undeclared.name, None)


def test_a_typo_in_a_scorer_use_is_not_reported_again_in_metrics(write) -> None:
    text = SUITE.format(metric='rate: "tox.flagged"').replace("offensive-language", "ofensive")
    with pytest.raises(ConfigError) as info:
        load_suite(write("suites/typed.yaml", text))
    assert [i.field for i in info.value.issues] == ["scorers[0].use"]


def test_every_bundled_suite_still_validates() -> None:
    root = Path(__file__).resolve().parents[2]
    suites = sorted((root / "suites").glob("*.yaml"))
    assert suites
    for suite in suites:
        load_suite(suite)


def test_validate_cli_names_file_line_and_fix(write) -> None:
    path = write("suites/typed.yaml", SUITE.format(metric='rate: "tox.toxic > 0.5", by: topic'))
    done = subprocess.run(
        [sys.executable, "-m", "assurance_harness.cli", "validate", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    out = done.stdout + done.stderr
    assert f"{path}:{METRIC_LINE}: metrics[0].by: unknown name 'topic'" in out
    assert "has no field 'toxic'; did you mean 'tox.toxicity'?" in out
    assert "Traceback" not in out


def test_the_cases_are_read_once_for_their_names() -> None:
    # A large dataset's cases are decoded from disk on every pass (issue 12's 100k-case run).
    from collections.abc import Sequence

    from assurance_harness.datatypes import Case
    from assurance_harness.spec.exprcheck import expression_names

    class Counted(Sequence[Case]):
        passes = 0

        def __init__(self, cases: list[Case]) -> None:
            self.cases = cases

        def __len__(self) -> int:
            return len(self.cases)

        def __getitem__(self, index):  # type: ignore[no-untyped-def,override]
            return self.cases[index]

        def __iter__(self):  # type: ignore[no-untyped-def]
            Counted.passes += 1
            return iter(self.cases)

    cases = Counted(
        [
            Case(id="a", prompt="hi", metadata={"topic": "maths"}),
            Case.model_validate({"id": "b", "prompt": "yo", "expected": {"tone": "calm"}}),
        ]
    )
    names = expression_names([], cases, case_ids=True)
    assert Counted.passes == 1
    assert names["case_id"].choices == frozenset({"a", "b"})
    assert names["meta"].members["topic"].choices == frozenset({"maths"})
    assert "tone" in names["expected"].members


@pytest.mark.parametrize(("sample", "passes_made"), [("", []), (", sample: 5", [5])])
def test_loading_a_dataset_reads_its_cases_at_most_once_for_both_checks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sample: str, passes_made: list[int]
) -> None:
    # The duplicate-id check and the expression types read a dataset's cases as it is read, or,
    # when a sample of it is the suite's, share one pass over the cases on disk (each pass
    # decodes every case: issue 12's 100k-case run).
    from assurance_harness.spec import caselist, datasets

    real_collect = caselist.collect
    monkeypatch.setattr(datasets, "collect", lambda cases: real_collect(cases, in_memory=2))
    passes: list[int] = []
    real_iter = caselist.CaseList.__iter__

    def counted(self):  # type: ignore[no-untyped-def]
        passes.append(len(self))
        return real_iter(self)

    monkeypatch.setattr(caselist.CaseList, "__iter__", counted)
    (tmp_path / "cases.jsonl").write_text(
        "".join(f'{{"id": "c{i}", "prompt": "q", "topic": "t{i % 2}"}}\n' for i in range(6))
    )
    (tmp_path / "suite.yaml").write_text(
        "suite: s\n"
        "dataset: {path: cases.jsonl, fields: {id: id, prompt: prompt, meta.topic: topic}"
        f"{sample}}}\n"
        "scorers:\n  - {id: len, use: length}\n"
        "metrics:\n  - {id: m, mean: len.words, by: meta.topic}\n"
        "  - {id: bad, mean: len.words, by: meta.nope}\n"
    )
    with pytest.raises(ConfigError, match="no case has metadata 'nope'"):
        load_suite(tmp_path / "suite.yaml")
    assert passes == passes_made
