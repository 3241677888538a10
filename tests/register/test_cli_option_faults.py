"""Wrong option values for the ``evidence`` and ``register`` commands: each is one line naming
the option and the fix, exit 2. Exit 1 means a gate failed or the ledger was tampered with, so
a mistyped ``--anchor`` must not read as tampering, and an option that would be ignored (or a
file that would overwrite the register being read) must not pass as a success."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assurance_harness.cli import app

from .register_testkit import EXAMPLE_REGISTER, GateSpec, make_run


def _cli(*args: str | Path):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, [str(a) for a in args])


def _one_line(result, *words: str) -> str:  # type: ignore[no-untyped-def]
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    for word in words:
        assert word in lines[0], result.output
    assert "tampered" not in result.output
    return str(lines[0])


@pytest.fixture
def project(tmp_path: Path, reports: Path) -> dict[str, Path]:
    register = tmp_path / "risk_register.yaml"
    register.write_text(EXAMPLE_REGISTER.read_text())
    run = make_run(reports, gates=[GateSpec("toxic_rate", "pass")])
    attached = _cli("evidence", "attach", run.name, "--reports", reports, "--register", register)
    assert attached.exit_code == 0, attached.output
    return {"register": register, "reports": reports, "run": run}


def _anchor(kind: str, tmp_path: Path, project: dict[str, Path]) -> Path:
    if kind == "missing":
        return tmp_path / "no-such.head"
    if kind == "folder":
        return project["reports"]
    if kind == "fifo":
        os.mkfifo(tmp_path / "pipe")
        return tmp_path / "pipe"
    return project["register"]  # a file that is not an anchor


@pytest.mark.parametrize("kind", ["missing", "folder", "fifo", "not-an-anchor"])
def test_verify_with_a_wrong_anchor_file_is_a_usage_error_not_tampering(
    kind: str, tmp_path: Path, project: dict[str, Path]
) -> None:
    anchor = _anchor(kind, tmp_path, project)
    result = _cli("evidence", "verify", "--reports", project["reports"], "--anchor", anchor)
    _one_line(result, "--anchor", str(anchor))


def test_verify_with_a_real_anchor_copy_still_passes(project: dict[str, Path]) -> None:
    copy = project["reports"].parent / "kept.head"
    copy.write_bytes((project["reports"] / "evidence" / "ledger.jsonl.head").read_bytes())
    result = _cli("evidence", "verify", "--reports", project["reports"], "--anchor", copy)
    assert result.exit_code == 0, result.output


def test_verify_with_an_unknown_format_is_refused(project: dict[str, Path]) -> None:
    result = _cli("evidence", "verify", "--reports", project["reports"], "-f", "xml")
    _one_line(result, "--format", "xml")


def test_soa_out_with_the_table_format_is_refused_not_ignored(
    tmp_path: Path, project: dict[str, Path]
) -> None:
    out = tmp_path / "soa.md"
    result = _cli(
        "register", "soa", "--register", project["register"], "--reports", project["reports"],
        "-o", out,
    )  # fmt: skip
    _one_line(result, "--out", "--format")
    assert not out.exists()


@pytest.mark.parametrize("command", [["export", "-f", "md"], ["export"], ["soa", "-f", "md"]])
def test_an_export_over_the_register_it_reads_is_refused(
    command: list[str], project: dict[str, Path]
) -> None:
    register = project["register"]
    before = register.read_bytes()
    result = _cli(
        "register", *command, "--register", register, "--reports", project["reports"],
        "-o", register,
    )  # fmt: skip
    _one_line(result, "--out", str(register))
    assert register.read_bytes() == before


@pytest.mark.parametrize("command", [["export", "-f", "md"], ["soa", "-f", "csv"]])
def test_an_export_over_the_ledger_it_reads_is_refused(
    command: list[str], project: dict[str, Path]
) -> None:
    """``register export -f md -o reports/evidence/ledger.jsonl`` wrote the Markdown view over
    the evidence ledger it was read from: every attached run's record gone."""
    ledger = project["reports"] / "evidence" / "ledger.jsonl"
    before = ledger.read_bytes()
    result = _cli(
        "register", *command, "--register", project["register"], "--reports", project["reports"],
        "-o", ledger,
    )  # fmt: skip
    _one_line(result, f"--out {ledger}", "--ledger")
    assert ledger.read_bytes() == before


def test_export_to_a_folder_names_the_folder_not_an_empty_format(
    project: dict[str, Path],
) -> None:
    result = _cli(
        "register", "export", "--register", project["register"], "--reports", project["reports"],
        "-o", project["reports"],
    )  # fmt: skip
    line = _one_line(result, "--out", "folder")
    assert "format ''" not in line


@pytest.mark.parametrize(
    "command",
    [
        ["register", "status"],
        ["register", "show", "R-001"],
        ["register", "soa", "-f", "md"],
        ["register", "export", "-f", "md", "-o", "{tmp}/out.md"],
        ["evidence", "list"],
        ["evidence", "pack", "{run}", "-o", "{tmp}/pack"],
    ],
)
def test_a_view_of_a_ledger_named_by_a_mistyped_path_is_refused(
    command: list[str], tmp_path: Path, project: dict[str, Path]
) -> None:
    """``--ledger ledgr.jsonl`` (no such file) was read as an empty ledger: every risk
    'untested', an annex without evidence, exit 0, as if the runs had never been attached."""
    typo = tmp_path / "ledgr.jsonl"
    args = [a.format(tmp=tmp_path, run=project["run"].name) for a in command]
    if args[:2] != ["evidence", "list"]:
        args += ["--register", str(project["register"])]
    result = _cli(*args, "--reports", project["reports"], "--ledger", typo)
    _one_line(result, "--ledger", str(typo))
    assert not (tmp_path / "out.md").exists() and not (tmp_path / "pack").exists()
    assert not typo.exists()


def test_head_of_a_file_that_is_not_a_ledger_says_so(project: dict[str, Path]) -> None:
    """``evidence head --ledger risk_register.yaml`` said "risk_register.yaml.head: no anchor
    yet; attach a run first": attaching to that file is refused, so the fix it gave was wrong."""
    wrong = project["register"]
    result = _cli("evidence", "head", "--reports", project["reports"], "--ledger", wrong)
    line = _one_line(result, f"{wrong}: not an evidence ledger")
    assert "attach a run first" not in line
