"""A ledger named through a symlink (``--ledger audit/ledger.jsonl`` linking to
``reports/evidence/ledger.jsonl``) is the same file: one lock, one ``.head`` anchor and one way
of resolving the run folders its records name, whichever path names it. The lock and anchor
were derived from the link's path (a second anchor beside the link) and run folders recorded
relative to the link's folder, so the real ledger then failed ``evidence verify`` as tampered
and refused every later append."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from assurance_harness.cli import app

from .register_testkit import EXAMPLE_REGISTER, GateSpec, make_run


def _cli(*args: str | Path):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, [str(a) for a in args])


def _attach(run: Path, reports: Path, register: Path, *ledger: str | Path) -> None:
    result = _cli(
        "evidence", "attach", run.name, "--reports", reports, "--register", register, *ledger
    )
    assert result.exit_code == 0, result.output


def test_attach_through_a_symlink_keeps_one_anchor_and_verifies(
    tmp_path: Path, reports: Path, ledger: Path
) -> None:
    register = tmp_path / "risk_register.yaml"
    register.write_text(EXAMPLE_REGISTER.read_text())
    first = make_run(reports, gates=[GateSpec("toxic_rate", "pass")])
    second = make_run(reports, finished_at="2026-12-01T03:15:00+00:00")
    _attach(first, reports, register)
    audit = tmp_path / "audit"
    audit.mkdir()
    link = audit / "ledger.jsonl"
    link.symlink_to(ledger)

    _attach(second, reports, register, "--ledger", link)

    assert sorted(p.name for p in audit.iterdir()) == ["ledger.jsonl"]  # no second anchor, lock
    dirs = {json.loads(line)["run"]["dir"] for line in ledger.read_text().splitlines()}
    assert dirs == {f"../{first.name}", f"../{second.name}"}  # as the real path records them
    for named in ([], ["--ledger", link]):
        result = _cli("evidence", "verify", "--reports", reports, *named)
        assert result.exit_code == 0, result.output
        assert "OK" in result.output, result.output
