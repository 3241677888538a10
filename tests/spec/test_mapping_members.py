"""A mapping field's members (``pii.by_type.EMAIL_ADDRESS``, ``age.categories.violence``) are
declared by their scorer, so ``validate`` knows them, and written on every row, so a metric on
one counts every row.

Observed: ``rate: "p.by_type.EMAIL_ADDRESS > 0"`` over 4 responses, 2 of them with an e-mail
address, reported 1.000 with n=2: ``by_type`` held only the types found, so the other rows read
null and were dropped ("2 rows skipped: no value"); and a typo, ``p.by_type.NOT_A_TYPE``, passed
``validate`` and measured nothing. Now the typo is one located line at ``validate`` (exit 2),
and the rate is 0.5 of 4, the same from the run's columns as from its rows.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assurance_harness.errors import ConfigError
from assurance_harness.metrics.engine import compute_metrics
from assurance_harness.privacy.entities import ENTITY_TITLES
from assurance_harness.runner import run
from assurance_harness.scorers.base import scorers
from assurance_harness.spec.loader import load_suite
from tests.testing.cli import run_cli

SUITE = """\
suite: members
cases:
  - {{id: a, prompt: 'mail me'}}
  - {{id: b, prompt: 'mail you'}}
  - {{id: c, prompt: hi}}
  - {{id: d, prompt: yo}}
scorers:
  - {{id: p, use: pii{pii_with}}}
  - {{id: age, use: age-appropriateness}}
metrics:
  - {{id: m, {metric}}}
"""
METRIC_LINE = 11

MISTAKES = [
    (
        'rate: "p.by_type.NOT_A_TYPE > 0"',
        "p.by_type has no member 'NOT_A_TYPE'",
        "p.by_type has: ADDRESS, AGE,",
    ),
    (
        'rate: "p.by_type.EMAIL > 0"',
        "p.by_type has no member 'EMAIL'",
        "did you mean 'p.by_type.EMAIL_ADDRESS'?",
    ),
    (
        # URL is a type pii knows, but not one this scorer looks for (not in its entities)
        'rate: "p.by_type.URL > 0"',
        "p.by_type has no member 'URL'",
        None,
    ),
    (
        'rate: "age.categories.violenc >= 2"',
        "age.categories has no member 'violenc'",
        "did you mean 'age.categories.violence'?",
    ),
    (
        'mean: "age.probabilities.sexx"',
        "age.probabilities has no member 'sexx'",
        "did you mean 'age.probabilities.sexual'?",
    ),
    (
        # the members are numbers: a number is not a condition
        'rate: "age.categories.violence"',
        "'age.categories.violence' is a number, not a condition",
        None,
    ),
]


@pytest.mark.parametrize(("metric", "message", "hint"), MISTAKES, ids=[m[0] for m in MISTAKES])
def test_an_unknown_member_is_one_located_message(
    write, metric: str, message: str, hint: str | None
) -> None:
    path = write("suites/m.yaml", SUITE.format(metric=metric, pii_with=""))
    with pytest.raises(ConfigError) as info:
        load_suite(path)
    issues = info.value.issues
    assert len(issues) == 1, [str(i) for i in issues]
    text = str(issues[0])
    assert text.startswith(f"{path}:{METRIC_LINE}: metrics[0]"), text
    assert message in text, text
    if hint is not None:
        assert hint in text, text


@pytest.mark.parametrize(
    ("metric", "pii_with"),
    [
        ('rate: "p.by_type.EMAIL_ADDRESS > 0"', ""),
        ('mean: "p.by_type.PHONE_NUMBER"', ""),
        ('rate: "p.by_type.URL > 0"', ", with: {entities: [URL, EMAIL_ADDRESS]}"),
        ('rate: "age.categories.violence >= 2"', ""),
        ('quantile: {expr: "age.probabilities.sexual", q: 0.9}', ""),
    ],
)
def test_a_declared_member_passes(write, metric: str, pii_with: str) -> None:
    load_suite(write("suites/m.yaml", SUITE.format(metric=metric, pii_with=pii_with)))


def test_validate_refuses_a_member_typo_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text(
        SUITE.format(metric='rate: "p.by_type.NOT_A_TYPE > 0"', pii_with=""), encoding="utf-8"
    )
    done = run_cli("validate", "m.yaml", cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    out = done.stdout + done.stderr
    assert f"m.yaml:{METRIC_LINE}: metrics[0].rate: p.by_type has no member 'NOT_A_TYPE'" in out
    assert "Traceback" not in out


def test_the_scorers_declare_their_mapping_members() -> None:
    pii = scorers.get("pii")
    members = pii.output_members(pii.parse_params({"entities": ["EMAIL_ADDRESS", "URL"]}))
    assert members["by_type"].names == ("EMAIL_ADDRESS", "URL")
    default = pii.output_members(pii.parse_params({}))["by_type"].names
    assert set(default) == set(ENTITY_TITLES) - {"URL"}
    age = scorers.get("age-appropriateness")
    declared = age.output_members(age.parse_params({}))
    assert set(declared) == {"categories", "probabilities"}
    assert "violence" in declared["categories"].names


BOT = """\
def reply(messages):
    text = messages[-1]["content"]
    if "mail" in text:
        return "Write to jane.doe@example.com any time."
    return "Hello there, friend."
"""


def test_a_rate_on_a_member_counts_every_row(tmp_path: Path) -> None:
    (tmp_path / "members_bot.py").write_text(BOT, encoding="utf-8")
    (tmp_path / "t.yaml").write_text(
        "type: callable\nfunction: members_bot:reply\npython_path: ['.']\n", encoding="utf-8"
    )
    suite = (
        "suite: members-run\ncases:\n"
        "  - {id: a, prompt: 'mail me'}\n  - {id: b, prompt: 'mail you'}\n"
        "  - {id: c, prompt: hi}\n  - {id: d, prompt: yo}\n"
        "scorers: [{id: p, use: pii}]\n"
        "metrics:\n"
        '  - {id: email, rate: "p.by_type.EMAIL_ADDRESS > 0"}\n'
        '  - {id: phones, mean: "p.by_type.PHONE_NUMBER"}\n'
    )
    (tmp_path / "s.yaml").write_text(suite, encoding="utf-8")
    outcome = run.run_suite(
        tmp_path / "s.yaml",
        tmp_path / "t.yaml",
        reports_dir=tmp_path / "reports",
        use_cache=False,
        write_reports=False,
        attach_evidence=False,
    )
    rows = [
        json.loads(line)
        for line in (outcome.run_dir / "results.jsonl").read_text("utf-8").splitlines()
    ]
    # every type the scorer looks for is written, 0 where none was found
    for row in rows:
        by_type = row["scores"]["p"]["by_type"]
        assert set(by_type) == set(ENTITY_TITLES) - {"URL"}, by_type
        assert sum(by_type.values()) == row["scores"]["p"]["count"]
        assert row["scores"]["p"]["types"] == sorted(t for t, n in by_type.items() if n)
    assert int(outcome.summary["scorers"]["p"]["version"]) >= 3  # by_type whole from version 3
    email = outcome.summary["metrics"]["email"]
    assert (email["value"], email["n"], email["details"]["n_skipped"]) == (0.5, 4, 0), email
    phones = outcome.summary["metrics"]["phones"]
    assert (phones["value"], phones["n"]) == (0.0, 4), phones
    # the rows path (the engine) gives the same as the run's columns
    from_rows = compute_metrics(load_suite(tmp_path / "s.yaml").metrics, rows, seed=0)
    for metric_id, recorded in outcome.summary["metrics"].items():
        mine = from_rows[metric_id]
        assert (mine.value, mine.n) == (recorded["value"], recorded["n"]), metric_id


def test_a_scorer_must_write_every_member_it_declares() -> None:
    # A plugin declaring members it leaves out would be read as null there: the rows dropped
    # from the figure, as pii's by_type once did. The run stops at that output instead.
    from typing import Any, ClassVar

    from assurance_harness.datatypes import SuiteContext
    from assurance_harness.scorers.base import (
        FieldType,
        Members,
        OutputCheck,
        Scorer,
        ScorerParams,
    )

    class Counts(Scorer):
        name = "member-counts-test"
        fields: ClassVar[dict[str, str]] = {"counts": "word -> count"}
        field_types: ClassVar[dict[str, FieldType]] = {"counts": "mapping"}
        field_members: ClassVar[dict[str, Members]] = {"counts": Members("number", ("a", "b"))}

        def score(self, batch: list[Any]) -> list[dict[str, Any]]:
            return [{"counts": {"a": 1, "b": 0}} for _ in batch]

    check = OutputCheck(Counts(ScorerParams(), SuiteContext(suite_name="s", seed=0)))
    assert check.problem({"counts": {"a": 1, "b": 0}}) is None
    assert check.problem({"counts": None}) is None  # any field may be null
    missing = check.problem({"counts": {"a": 1}})
    assert missing is not None and "'counts'" in missing and "'b'" in missing, missing
    assert "field_members" in missing, missing
    wrong = check.problem({"counts": {"a": 1, "b": "none"}})
    assert wrong is not None and "'counts.b'" in wrong and "number" in wrong, wrong
