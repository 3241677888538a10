"""``register import`` of a CSV that is not what it should be: one located ``error:`` line and
exit 2, never an internal error, and nothing written."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from assurance_harness.register.loader import load_register
from tests.testing.cli import run_cli

REGISTER = """register_version: 1
system: {name: Demo, intended_use: homework help, owner: Safety lead}
risks:
  - {id: R-001, title: Toxic output, category: safety, owner: T&S, likelihood: 3, impact: 4}
"""
HEADER = "id,title,category,owner,likelihood,impact,suites,freshness_days\n"


@pytest.fixture
def register(tmp_path: Path) -> Path:
    path = tmp_path / "risk_register.yaml"
    path.write_text(REGISTER)
    return path


def _import(register: Path, csv_path: Path) -> tuple[int, str]:
    proc = run_cli("register", "import", csv_path, "--register", register, timeout=30)
    return proc.returncode, proc.stdout + proc.stderr


def _unchanged(register: Path) -> bool:
    return register.read_text() == REGISTER


def test_a_csv_that_is_not_utf8_names_its_line(tmp_path: Path, register: Path) -> None:
    csv_path = tmp_path / "risks.csv"
    csv_path.write_bytes(HEADER.encode() + b"R-001,Toxic \xe9 output,safety,T&S,3,4,,30\n")
    code, text = _import(register, csv_path)
    assert code == 2, text
    assert "internal error" not in text
    assert f"{csv_path}:2: not UTF-8" in text, text
    assert _unchanged(register)


def test_a_csv_path_that_is_a_folder_is_one_line(tmp_path: Path, register: Path) -> None:
    folder = tmp_path / "risks.csv"
    folder.mkdir()
    code, text = _import(register, folder)
    assert code == 2, text
    assert "internal error" not in text
    assert f"{folder}: is a directory" in text, text


def test_a_csv_path_that_is_a_fifo_is_an_error_not_a_hang(tmp_path: Path, register: Path) -> None:
    fifo = tmp_path / "risks.csv"
    os.mkfifo(fifo)
    code, text = _import(register, fifo)
    assert code == 2, text
    assert f"{fifo}: is not a regular file" in text, text


def test_a_cell_larger_than_the_csv_modules_limit_is_read(tmp_path: Path, register: Path) -> None:
    """A long description (Python's csv refuses fields over 128 KiB by default) imports."""
    csv_path = tmp_path / "risks.csv"
    long = "x" * 200_000
    csv_path.write_text(
        "id,title,category,owner,likelihood,impact,description\n"
        f"R-001,Toxic output,safety,T&S,3,4,{long}\n"
    )
    code, text = _import(register, csv_path)
    assert code == 0, text[:2000]
    assert long in register.read_text().replace("\n", "").replace(" ", "")


@pytest.mark.parametrize("cell", [": toxic_rate", '"toxicity-core\n: toxic_rate"'])
def test_a_suites_cell_with_a_gate_but_no_suite_is_a_row_error(
    tmp_path: Path, register: Path, cell: str
) -> None:
    csv_path = tmp_path / "risks.csv"
    csv_path.write_text(HEADER + f"R-001,Toxic output,safety,T&S,3,4,{cell},30\n")
    code, text = _import(register, csv_path)
    assert code == 2, text
    assert "internal error" not in text
    assert f"{csv_path}:2: suites: row 1:" in text, text
    assert _unchanged(register)


def test_a_freshness_beyond_any_calendar_is_refused_where_it_is_written(
    tmp_path: Path, register: Path
) -> None:
    """10**50 days passed validation, then every status command ended in an internal error
    (OverflowError) computing when the evidence goes stale."""
    csv_path = tmp_path / "risks.csv"
    csv_path.write_text(HEADER + f"R-001,Toxic output,safety,T&S,3,4,,{10**50}\n")
    code, text = _import(register, csv_path)
    assert code == 2, text
    assert f"{csv_path}:2: freshness_days: row 1:" in text, text
    register.write_text(REGISTER.replace("impact: 4}", f"impact: 4, freshness_days: {10**50}}}"))
    (tmp_path / "r").mkdir()  # a --reports folder that is not there is refused first
    proc = run_cli("register", "status", "--register", register, "--reports", tmp_path / "r")
    text = proc.stdout + proc.stderr
    assert proc.returncode == 2, text
    assert f"{register}:4: risks[0].freshness_days:" in text, text


def test_a_row_longer_than_the_header_is_refused_not_cut(tmp_path: Path, register: Path) -> None:
    """An unquoted comma in the last column ("first, second") was read as an extra field and
    dropped: the notes became "first", silently."""
    csv_path = tmp_path / "risks.csv"
    csv_path.write_text(
        "id,title,category,owner,likelihood,impact,notes\n"
        "R-001,Toxic output,safety,T&S,3,4,first, second part\n"
    )
    code, text = _import(register, csv_path)
    assert code == 2, text
    assert f"{csv_path}:2: row 1: 8 fields, the header has 7" in text, text
    assert _unchanged(register)


def test_columns_the_csv_does_not_have_keep_the_registers_values(
    tmp_path: Path, register: Path
) -> None:
    """A GRC tool's CSV with the required columns only replaced each risk whole: its suites,
    controls, residual ratings and freshness were dropped without a word, and the risk fell to
    'untested' in register status."""
    register.write_text(
        REGISTER.replace(
            "impact: 4}",
            "impact: 4, residual_likelihood: 2, controls: [filter], suites: [toxicity-core],\n"
            "     freshness_days: 14, notes: kept}",
        )
    )
    csv_path = tmp_path / "risks.csv"
    csv_path.write_text(
        "id,title,category,owner,likelihood,impact,notes\n"
        "R-001,Toxic output,safety,Head of Trust,3,4,\n"
    )
    code, text = _import(register, csv_path)
    assert code == 0, text
    assert "1 updated" in text, text
    (risk,) = load_register(register).register.risks
    assert risk.owner == "Head of Trust"
    assert risk.suite_names == ["toxicity-core"] and risk.controls == ["filter"]
    assert (risk.residual_likelihood, risk.freshness_days) == (2, 14)
    assert risk.notes is None  # a column the CSV has, left empty, clears the value


def test_a_column_named_twice_is_refused_not_read_as_the_last(
    tmp_path: Path, register: Path
) -> None:
    """csv.DictReader keeps the last of two same-named columns: the first owner was dropped."""
    csv_path = tmp_path / "risks.csv"
    csv_path.write_text(
        "id,title,category,owner,likelihood,impact,owner\n"
        "R-001,Toxic output,safety,T&S,3,4,Someone else\n"
    )
    code, text = _import(register, csv_path)
    assert code == 2, text
    assert f"{csv_path}:1: owner: the column appears twice" in text, text
    assert _unchanged(register)


def test_a_csv_with_very_many_bad_rows_shows_a_bounded_list(tmp_path: Path, register: Path) -> None:
    """One line per bad cell flooded the terminal: a 200,000-row CSV printed 400,000 lines
    and took over a minute (the printing, not the reading). The first problems are shown,
    located, then one line counts the rest."""
    csv_path = tmp_path / "bad.csv"
    rows = "".join(f"R-{i},t,safety,o,9,x\n" for i in range(5000))
    csv_path.write_text("id,title,category,owner,likelihood,impact\n" + rows)
    code, text = _import(register, csv_path)
    assert code == 2, text
    lines = text.strip().splitlines()
    assert len(lines) == 21, text
    assert all(line.startswith(f"error: {csv_path}:") for line in lines[:20]), text
    assert lines[-1] == f"error: ... and 9,980 more problems in {csv_path}", text
    assert _unchanged(register)


@pytest.mark.parametrize(
    ("rows", "said"),
    [
        # Observed: importing r-001 beside the register's R-001 added a second risk, not an
        # update; two rows R-002 and r-002 added two.
        (
            ["r-001,Toxic output,safety,T&S,3,5,,30"],
            ":2: id: row 1: risk id 'r-001' differs from 'R-001'",
        ),
        (
            ["R-002,A,safety,T&S,3,4,,30", "r-002,B,safety,T&S,3,4,,30"],
            ":3: id: row 2: risk id 'r-002' differs from 'R-002'",
        ),
    ],
)
def test_a_risk_id_differing_from_another_only_in_case_is_refused(
    tmp_path: Path, register: Path, rows: list[str], said: str
) -> None:
    csv_path = tmp_path / "risks.csv"
    csv_path.write_text(HEADER + "".join(f"{row}\n" for row in rows))
    code, text = _import(register, csv_path)
    assert code == 2, text
    assert f"{csv_path}{said} only in case" in text, text
    assert _unchanged(register)


def test_replace_may_rename_a_risk_to_an_id_differing_only_in_case(
    tmp_path: Path, register: Path
) -> None:
    # Observed: --replace of a CSV holding r-001 and not R-001 was refused as a clash with the
    # register's R-001, which --replace removes: the register written holds r-001 alone, as a
    # rename to R-100 would hold R-100 alone (accepted).
    csv_path = tmp_path / "risks.csv"
    csv_path.write_text(HEADER + "r-001,Toxic output,safety,T&S,3,4,,30\n")
    proc = run_cli("register", "import", csv_path, "--register", register, "--replace", timeout=30)
    text = proc.stdout + proc.stderr
    assert proc.returncode == 0, text
    assert "1 added, 0 updated, 0 unchanged, 1 removed" in text, text
    assert [risk.id for risk in load_register(register).register.risks] == ["r-001"]
