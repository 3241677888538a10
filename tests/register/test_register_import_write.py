"""``register import`` writes the register it read over itself. Observed: it renamed a new file
over the path it was given, so a register that was a link (to a register shared between
checkouts) became a plain file, the link gone and the shared register not updated; and a
register kept private (0600) became readable by all (0644). The YAML is written as any file a
user names is (``write_output``): through the link, the earlier file's mode kept."""

from __future__ import annotations

import stat
from pathlib import Path

from assurance_harness.register.loader import load_register
from tests.testing.cli import run_cli

REGISTER = """register_version: 1
system: {name: Demo, intended_use: homework help, owner: Safety lead}
risks:
  - {id: R-001, title: Toxic output, category: safety, owner: T&S, likelihood: 3, impact: 4}
"""
CSV = "id,title,category,owner,likelihood,impact\nR-001,Toxic replies,safety,T&S,3,4\n"


def test_an_import_over_a_linked_private_register_writes_through_the_link_keeping_its_mode(
    tmp_path: Path,
) -> None:
    shared = tmp_path / "shared" / "risk_register.yaml"
    shared.parent.mkdir()
    shared.write_text(REGISTER)
    shared.chmod(0o600)
    link = tmp_path / "risk_register.yaml"
    link.symlink_to(shared)
    (tmp_path / "risks.csv").write_text(CSV)

    done = run_cli("register", "import", "risks.csv", "--register", link.name, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert link.is_symlink() and link.resolve() == shared  # still the link, to the register
    (risk,) = load_register(shared).register.risks
    assert risk.title == "Toxic replies"  # the shared register is the one updated
    assert stat.S_IMODE(shared.stat().st_mode) == 0o600  # and still private
