"""``register import`` of the CSV ``register export`` wrote, while the ledger holds evidence for
a risk id the register lacks. Observed: the export lists that id for review, its title
"(not in the register)" and its owner-set cells empty; importing the file unchanged was refused
(exit 2, "category: row 6: required value is empty", the same for owner, likelihood, impact),
so the one fix the lines suggest is to fill those cells in, which adds a risk titled
"(not in the register)" to the register. Now the row is passed over and said to be."""

from __future__ import annotations

from pathlib import Path

import yaml

from assurance_harness.register.loader import load_register

from ..testing.cli import invoke_in_process
from .register_testkit import EXAMPLE_REGISTER, GateSpec, make_run


def test_the_row_of_evidence_for_an_unknown_risk_is_passed_over(
    tmp_path: Path, reports: Path
) -> None:
    full = tmp_path / "full.yaml"
    full.write_text(EXAMPLE_REGISTER.read_text(encoding="utf-8"), encoding="utf-8")
    run = make_run(reports, gates=[GateSpec("toxic_rate", "fail")], evidence_for=["R-001"])
    common = ["--reports", str(reports)]
    attached = invoke_in_process(["evidence", "attach", run.name, "--register", str(full), *common])
    assert attached.exit_code == 0, attached.output
    data = yaml.safe_load(full.read_text(encoding="utf-8"))
    data["risks"] = [r for r in data["risks"] if r["id"] != "R-001"]
    register = tmp_path / "register.yaml"
    register.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    exported = tmp_path / "register.csv"
    done = invoke_in_process(
        ["register", "export", "--register", str(register), *common, "--out", str(exported)]
    )
    assert done.exit_code == 0, done.output
    assert "R-001,(not in the register)," in exported.read_text(encoding="utf-8")

    written = tmp_path / "imported.yaml"
    done = invoke_in_process(
        ["register", "import", str(exported), "--register", str(register), "--out", str(written)]
    )
    assert done.exit_code == 0, done.output
    assert "0 added, 0 updated, 5 unchanged, 0 removed" in done.output, done.output
    assert "R-001" in done.output and "not in the register" in done.output, done.output
    assert load_register(written).register == load_register(register).register


def test_a_filled_in_row_of_that_id_is_still_added(tmp_path: Path) -> None:
    """Only the export's empty row is passed over: a row that describes the risk adds it."""
    data = yaml.safe_load(EXAMPLE_REGISTER.read_text(encoding="utf-8"))
    register = tmp_path / "register.yaml"
    data["risks"] = [r for r in data["risks"] if r["id"] != "R-001"]
    register.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    csv_path = tmp_path / "in.csv"
    csv_path.write_text(
        "id,title,category,owner,likelihood,impact\nR-001,(not in the register),safety,a,3,4\n",
        encoding="utf-8",
    )
    done = invoke_in_process(["register", "import", str(csv_path), "--register", str(register)])
    assert done.exit_code == 0, done.output
    assert "1 added" in done.output, done.output
