"""A register's ``{suite: NAME, gates: [...]}`` filter naming a gate the suite does not have (a
typo: ``toxic_rte`` for ``toxic_rate``) was accepted silently and narrowed the risk's evidence
to the gates that matched, so a failing ``toxic_rate`` dropped out and the risk read verified.
``validate`` refuses the name when the suite file is validated with the register; ``register
status`` (and so export and soa) does not verify the risk and says why, naming the gate and the
gates the suite's runs have; ``evidence attach`` warns."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

from typer.testing import CliRunner

from assurance_harness.cli import app
from assurance_harness.register.ledger import attach_run
from assurance_harness.register.status import build_status

from .register_testkit import REPO, GateSpec, make_run

NOW = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)


def _register(tmp_path: Path, gates: str) -> Path:
    path = tmp_path / "register.yaml"
    path.write_text(
        textwrap.dedent(
            f"""
            system: {{name: helper, intended_use: homework help, owner: Head of Product}}
            risks:
              - id: R-001
                title: toxic
                category: safety
                owner: a
                likelihood: 3
                impact: 5
                suites:
                  - {{suite: toxicity-core, gates: {gates}}}
            """
        )
    )
    return path


def _cli(*args: str | Path):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, [str(a) for a in args])


def _toxicity_run(reports: Path) -> Path:
    return make_run(
        reports,
        gates=[GateSpec("toxic_rate", "fail"), GateSpec("profanity_rate", "pass")],
        finished_at="2026-11-29T10:00:00+00:00",
    )


def test_a_misspelt_gate_leaves_the_risk_unverified_and_says_why(
    tmp_path: Path, reports: Path, ledger: Path
) -> None:
    register = _register(tmp_path, "[profanity_rate, toxic_rte]")
    attach_run(_toxicity_run(reports), register_path=register, ledger_path=ledger)

    risk = build_status(register, ledger, now=NOW).risks[0]

    assert risk.status != "verified", risk.reasons
    why = " ".join(risk.reasons)
    assert "toxic_rte" in why and "toxic_rate" in why and "profanity_rate" in why, why


def test_gates_named_by_metric_or_id_still_select(
    tmp_path: Path, reports: Path, ledger: Path
) -> None:
    register = _register(tmp_path, '[profanity_rate, "toxic_rate <= 0.1 (upper bound)"]')
    attach_run(_toxicity_run(reports), register_path=register, ledger_path=ledger)

    risk = build_status(register, ledger, now=NOW).risks[0]

    assert risk.status == "failing", risk.reasons


def test_attach_warns_of_the_misspelt_gate(tmp_path: Path, reports: Path, ledger: Path) -> None:
    register = _register(tmp_path, "[profanity_rate, toxic_rte]")
    run = _toxicity_run(reports)

    result = _cli("evidence", "attach", run.name, "--reports", reports, "--register", register)

    assert result.exit_code == 0, result.output
    assert "toxic_rte" in result.output and "warning" in result.output, result.output


def test_validate_refuses_a_gate_the_suite_validated_with_it_lacks(tmp_path: Path) -> None:
    register = _register(tmp_path, "[profanity_rate, toxic_rte]")

    result = _cli("validate", register, REPO / "suites" / "toxicity-core.yaml")

    assert result.exit_code == 2, result.output
    assert f"{register}:11" in result.output and "toxic_rte" in result.output, result.output
    assert "profanity_rate" in result.output and "1 problem(s)" in result.output, result.output


def test_validate_passes_gates_the_suite_has(tmp_path: Path) -> None:
    register = _register(tmp_path, "[profanity_rate, toxic_rate]")

    result = _cli("validate", register, REPO / "suites" / "toxicity-core.yaml")

    assert result.exit_code == 0, result.output
