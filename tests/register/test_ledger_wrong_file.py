"""``--ledger`` naming a file that is not a ledger (the register's YAML, a suite): none of its
lines is a ledger record and no ``.head`` anchor is beside it, so it is the wrong file, refused
in one line naming it, exit 2. It was read as a ledger whose every line was tampered with
(``register export`` then wrote the export and exited 0), or passed over (``evidence attach``:
"nothing to attach"). A real ledger with damaged lines is still tamper evidence, reported as
such; ``register export`` from one writes the export (which says so) and exits 1, as
``register status`` does."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from assurance_harness.cli import app

from .register_testkit import EXAMPLE_REGISTER, GateSpec, make_run


def _cli(*args: str | Path):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture
def project(tmp_path: Path, reports: Path) -> dict[str, Path]:
    register = tmp_path / "risk_register.yaml"
    register.write_text(EXAMPLE_REGISTER.read_text())
    tox = make_run(reports, gates=[GateSpec("toxic_rate", "fail")])
    bare = make_run(reports, suite="unlinked", evidence_for=[])
    return {"register": register, "reports": reports, "tox": tox, "bare": bare}


def _one_line_refusal(result, wrong: Path) -> None:  # type: ignore[no-untyped-def]
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert f"{wrong}: not an evidence ledger" in lines[0], result.output
    assert "tampered" not in result.output


def test_export_from_a_file_that_is_not_a_ledger_is_refused(
    project: dict[str, Path], tmp_path: Path
) -> None:
    wrong, out = project["register"], tmp_path / "out.md"
    result = _cli(
        "register", "export", "-o", out, "--register", wrong, "--reports", project["reports"],
        "--ledger", wrong,
    )  # fmt: skip
    _one_line_refusal(result, wrong)
    assert not out.exists()


@pytest.mark.parametrize("run", ["tox", "bare"])
def test_attach_to_a_file_that_is_not_a_ledger_is_refused(
    project: dict[str, Path], run: str
) -> None:
    wrong = project["register"]
    result = _cli(
        "evidence", "attach", project[run].name, "--reports", project["reports"],
        "--register", wrong, "--ledger", wrong,
    )  # fmt: skip
    _one_line_refusal(result, wrong)
    assert "nothing to attach" not in result.output


@pytest.mark.parametrize(
    "command", [["register", "status"], ["evidence", "verify"], ["evidence", "list"]]
)
def test_the_views_refuse_it_alike(project: dict[str, Path], command: list[str]) -> None:
    wrong = project["register"]
    extra = ["--register", wrong] if command[0] == "register" else []
    result = _cli(*command, "--reports", project["reports"], *extra, "--ledger", wrong)
    _one_line_refusal(result, wrong)


def _attached(project: dict[str, Path]) -> Path:
    result = _cli(
        "evidence", "attach", project["tox"].name, "--reports", project["reports"],
        "--register", project["register"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return project["reports"] / "evidence" / "ledger.jsonl"


def test_export_from_a_tampered_ledger_writes_it_and_exits_1(
    project: dict[str, Path], tmp_path: Path
) -> None:
    ledger = _attached(project)
    with ledger.open("a") as handle:
        handle.write("not a record\n")
    out = tmp_path / "out.md"
    result = _cli(
        "register", "export", "-o", out, "--register", project["register"],
        "--reports", project["reports"],
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    assert f"tampered: {ledger}:2" in result.output, result.output
    assert "integrity FAILED" in out.read_text()


def test_a_ledger_whose_every_line_was_overwritten_is_still_tampering(
    project: dict[str, Path],
) -> None:
    """Its anchor (``ledger.jsonl.head``) says it was a ledger: not a wrong file."""
    ledger = _attached(project)
    ledger.write_text("overwritten\n")
    result = _cli("evidence", "verify", "--reports", project["reports"])
    assert result.exit_code == 1, result.output
    assert "tampered" in result.output and "not an evidence ledger" not in result.output


def test_a_ledger_whose_only_record_was_torn_is_still_tampering(
    project: dict[str, Path],
) -> None:
    """No anchor (a crash before it was written), one record cut short: a ledger damaged."""
    ledger = _attached(project)
    ledger.write_text(ledger.read_text()[:80] + "\n")
    ledger.with_name("ledger.jsonl.head").unlink()
    result = _cli("evidence", "verify", "--reports", project["reports"])
    assert result.exit_code == 1, result.output
    assert "tampered" in result.output and "not an evidence ledger" not in result.output
