"""The register's keys and a suite's ``evidence_for`` holding a character no key may hold
(``datatypes.key_text``: a control, invisible or private-use character, a line separator, a
space other than the plain one). A risk id is what a suite's ``evidence_for`` and every ledger
record name; a register's ``suites`` links name a suite and its gates; ``--evidence-for`` names
the system. ``R-001`` + U+200B in a suite's ``evidence_for`` was accepted by ``validate`` and
``run``: the run's evidence went to a risk of its own ("not in the register", verified) while
the register's ``R-001`` stayed untested, and the records were in the hash-chained ledger for
good. ``R-001`` + a line break was a valid risk id (the id pattern's ``$`` matches before a
final line break), and ``R-001`` + U+200B was refused as not looking like ``R-001``, which it
prints as. Each is now one located line naming the code point, exit 2, before anything is sent.
The ledger keeps its own reading of risk ids (``evidence_record``): records written before
still load and verify."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from ..testing.cli import invoke_in_process, refused_at_validate_and_run, run_cli
from ..testing.project import SUITE, sent_marking_project
from .register_testkit import make_run

REGISTER = textwrap.dedent(
    """\
    system: {name: helper, intended_use: homework help, owner: Head of Product}
    risks:
      - id: R-001
        title: toxic
        category: safety
        owner: a
        likelihood: 3
        impact: 5
        suites: [s]
    """
)


def _refusal(args: list[str]) -> str:
    result = invoke_in_process(args)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.strip().splitlines() if "problem(s) in" not in line]
    assert len(lines) == 1, result.output
    return lines[0]


@pytest.mark.parametrize(
    ("old", "new", "line", "field", "named"),
    [
        ("id: R-001", 'id: "R-001\\u200B"', 3, "risks[0].id", "invisible character U+200B"),
        ("id: R-001", 'id: "R-001\\n"', 3, "risks[0].id", "control character U+000A"),
        ("id: R-001", 'id: "R-001\\u00A0"', 3, "risks[0].id", "space other than a plain space"),
        ("suites: [s]", 'suites: ["s\\u2060"]', 9, "risks[0].suites[0].suite", "U+2060"),
        (
            "suites: [s]",
            'suites: [{suite: s, gates: ["r\\u200D"]}]',
            9,
            "risks[0].suites[0].gates[0]",
            "U+200D",
        ),
        ("name: helper", 'name: "helper\\u202E"', 1, "system.name", "U+202E"),
    ],
)
def test_a_register_key_holding_an_invisible_character_is_one_located_line(
    tmp_path: Path, old: str, new: str, line: int, field: str, named: str
) -> None:
    register = tmp_path / "register.yaml"
    register.write_text(REGISTER.replace(old, new), encoding="utf-8")
    refusal = _refusal(["register", "validate", "--register", str(register)])
    assert f"{register}:{line}: {field}:" in refusal and named in refusal, refusal
    assert "should look like" not in refusal, refusal  # not the shape it prints as


def test_a_suite_naming_a_risk_with_an_invisible_character_is_refused_before_sending(
    tmp_path: Path,
) -> None:
    """Was: validated and ran; the evidence went to ``R-001`` + U+200B, a risk of its own."""
    sent_marking_project(
        tmp_path,
        "regkey_target",
        SUITE.format(name="s").replace("cases:", 'evidence_for: ["R-001\\u200B"]\ncases:'),
    )
    refused_at_validate_and_run(
        tmp_path, "s.yaml:2", "evidence_for[0]", "invisible character U+200B (ZERO WIDTH SPACE)"
    )


def test_a_run_with_a_register_holding_such_an_id_sends_nothing(tmp_path: Path) -> None:
    sent_marking_project(tmp_path, "regkey_run_target", SUITE.format(name="s"))
    (tmp_path / "register.yaml").write_text(
        REGISTER.replace("id: R-001", 'id: "R-001\\u200B"'), encoding="utf-8"
    )
    ran = run_cli(
        "run", "s.yaml", "--target", "t.yaml", "--register", "register.yaml", cwd=tmp_path
    )
    text = ran.stdout + ran.stderr
    assert ran.returncode == 2, text
    assert "Traceback" not in text and "register.yaml:3: risks[0].id:" in text, text
    assert "U+200B" in text, text
    assert not (tmp_path / "SENT").exists()


def test_a_run_made_before_whose_suite_named_such_a_risk_is_not_attached(
    reports: Path, ledger: Path
) -> None:
    """A run made before suites' ``evidence_for`` was checked records the id as it was
    written. Was: ``evidence attach`` appended a record for ``R-001`` + U+200B, a risk of its
    own for good in the hash-chained ledger, with at most a warning naming what prints as
    ``R-001``. Now nothing is appended: one line naming the run's summary.json and the code
    point, exit 2."""
    run = make_run(reports, suite="tox", evidence_for=["R-001\u200b"], run_id="r-zwsp")
    refusal = _refusal(["evidence", "attach", str(run), "--ledger", str(ledger)])
    assert f"{run / 'summary.json'}: suite.evidence_for[0]:" in refusal, refusal
    assert "U+200B (ZERO WIDTH SPACE)" in refusal and "evidence_for" in refusal, refusal
    assert not ledger.exists() or "r-zwsp" not in ledger.read_text(encoding="utf-8")
