"""``register import`` of a CSV that holds a header and no row (an export filtered to nothing in
a spreadsheet, a file saved before its rows were pasted). Observed: "valid; 0 added, 0 updated,
0 unchanged, 6 removed", exit 0, and with ``--replace`` every risk of the register deleted;
without it, the register rewritten with nothing imported (its comments dropped). Now refused,
exit 2, one line naming the file and what to do; the register is not touched."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.testing.cli import run_cli

REGISTER = """register_version: 1
# owner's comment
system: {name: Demo, intended_use: homework help, owner: Safety lead}
risks:
  - {id: R-001, title: Toxic output, category: safety, owner: T&S, likelihood: 3, impact: 4}
  - {id: R-002, title: Bias, category: fairness, owner: T&S, likelihood: 2, impact: 4}
"""
HEADER = "id,title,category,owner,likelihood,impact\n"


@pytest.mark.parametrize(
    "options", [[], ["--replace"], ["--replace", "--dry-run"]], ids=["update", "replace", "dry-run"]
)
@pytest.mark.parametrize(
    "text",
    [HEADER, HEADER + "\n\n", HEADER.replace("\n", "\r\n")],
    ids=["header", "blank-lines", "crlf"],
)
def test_a_csv_with_no_rows_is_refused_and_the_register_kept(
    tmp_path: Path, options: list[str], text: str
) -> None:
    register = tmp_path / "risk_register.yaml"
    register.write_text(REGISTER, encoding="utf-8")
    (tmp_path / "risks.csv").write_text(text, encoding="utf-8", newline="")

    done = run_cli(
        "register", "import", "risks.csv", "--register", register.name, *options, cwd=tmp_path
    )

    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 2, done.stdout + done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and "risks.csv" in errors[0] and "no risk" in errors[0], done.stderr
    assert register.read_text(encoding="utf-8") == REGISTER
