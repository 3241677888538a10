"""A run folder deleted by hand (``rm -r reports/RUN``, not ``runs purge``) left its risk
VERIFIED in ``register status``, ``soa`` and ``export``, with nothing said, while ``evidence
verify`` failed on it (``file_missing`` x3) and ``register show`` read its results "(missing)":
an auditor read VERIFIED for evidence whose files were gone. The risk now reads UNTESTED, its
reason naming the run, what is missing and the way on (restore the folder from a copy, or run
the suite again); a purge recorded in the ledger (which keeps summary.json and manifest.json)
leaves it verified, as designed."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import textwrap
from pathlib import Path

import pytest

from assurance_harness.privacy.retention import purge_runs
from assurance_harness.register.ledger import append_records, attach_run
from assurance_harness.register.status import build_status
from tests.testing.cli import invoke_in_process

from .register_testkit import GateSpec, make_run

NOW = "2026-11-30T12:00:00+00:00"
REGISTER = textwrap.dedent(
    """
    system: {name: helper, intended_use: homework help, owner: Head of Product}
    risks:
      - {id: R-001, title: toxic, category: safety, owner: a, likelihood: 3, impact: 5,
         residual_likelihood: 1, suites: [tox], iso42001_annex_a: [A.6.2.4]}
    """
)


@pytest.fixture
def project(tmp_path: Path, reports: Path, ledger: Path) -> tuple[Path, Path]:
    """A register whose risk lists ``tox``, and a passing run of ``tox`` attached: VERIFIED."""
    register = tmp_path / "reg.yaml"
    register.write_text(REGISTER, encoding="utf-8")
    run = make_run(reports, suite="tox", finished_at="2026-11-29T10:00:00+00:00")
    attach_run(run, ledger_path=ledger)
    assert _status(register, ledger).status == "verified"
    return register, run


def _status(register: Path, ledger: Path):
    (risk,) = build_status(register, ledger, now=dt.datetime.fromisoformat(NOW)).risks
    return risk


def _says_why(reasons: str, run: Path, what: str) -> None:
    assert run.name in reasons and what in reasons, reasons
    assert "restore" in reasons and "run the suite again" in reasons, reasons


def test_a_run_folder_deleted_by_hand_is_not_verified(
    project: tuple[Path, Path], ledger: Path
) -> None:
    register, run = project
    shutil.rmtree(run)
    risk = _status(register, ledger)
    assert risk.status == "untested", risk.reasons
    _says_why("\n".join(risk.reasons), run, str(run))


@pytest.mark.parametrize("name", ["results.jsonl", "summary.json", "manifest.json"])
def test_a_run_file_deleted_by_hand_is_not_verified(
    project: tuple[Path, Path], ledger: Path, name: str
) -> None:
    register, run = project
    (run / name).unlink()
    risk = _status(register, ledger)
    assert risk.status == "untested", risk.reasons
    _says_why("\n".join(risk.reasons), run, name)


def test_a_run_whose_results_a_recorded_purge_deleted_stays_verified(
    project: tuple[Path, Path], reports: Path, ledger: Path
) -> None:
    """``runs purge`` records in the ledger before it deletes, and keeps summary.json and
    manifest.json: the evidence stays what it was, by design."""
    register, run = project
    purged = purge_runs(
        reports,
        ledger,
        dt.timedelta(days=1),
        record=lambda bodies: append_records(ledger, bodies),
        now=dt.datetime(2026, 12, 5, tzinfo=dt.UTC),
    )
    assert [p.run_id for p in purged] == [run.name]
    assert not (run / "results.jsonl").exists() and (run / "summary.json").exists()
    risk = _status(register, ledger)
    assert risk.status == "verified", risk.reasons


def _cli(register: Path, reports: Path, *args: str) -> tuple[int, str]:
    done = invoke_in_process(
        [*args, "--register", str(register), "--reports", str(reports), "--now", NOW]
    )
    return done.exit_code, done.output


@pytest.mark.parametrize(
    "view",
    [
        ["register", "status"],
        ["register", "status", "-f", "md"],
        ["register", "status", "-f", "json"],
        ["register", "show", "R-001"],
        ["register", "export", "-o", "OUT.md"],
        ["register", "export", "-o", "OUT.html"],
    ],
    ids=["status", "status-md", "status-json", "show", "export-md", "export-html"],
)
def test_the_status_views_say_untested_and_why(
    project: tuple[Path, Path], reports: Path, tmp_path: Path, view: list[str]
) -> None:
    register, run = project
    shutil.rmtree(run)
    args = [str(tmp_path / a) if a.startswith("OUT.") else a for a in view]
    code, output = _cli(register, reports, *args)
    assert code == 0, output  # as for any risk not verified; --strict makes it 1
    text = Path(args[-1]).read_text(encoding="utf-8") if "export" in view else output
    if "json" in view:
        (risk,) = json.loads(text)["risks"]
        assert risk["status"] == "untested"
        text = "\n".join(risk["reasons"])
    elif "html" in args[-1]:
        assert '"status s-untested">untested</span></h3>' in text, text
        assert '"status s-verified">verified</span>' not in text, text
    elif "md" in " ".join(view):
        assert "**Status: UNTESTED**" in text and "**Status: VERIFIED**" not in text, text
    else:
        assert "VERIFIED" not in text and "UNTESTED" in text, text
    if "md" in " ".join(view) or "html" in args[-1]:  # beside "hash chain intact"
        assert "Run files missing" in text, text
    flat = " ".join(text.split())  # the table folds long lines
    assert run.name in flat and "restore" in flat and "run the suite again" in flat, text


def test_status_strict_exits_1(project: tuple[Path, Path], reports: Path) -> None:
    register, run = project
    assert _cli(register, reports, "register", "status", "--strict")[0] == 0
    shutil.rmtree(run)
    assert _cli(register, reports, "register", "status", "--strict")[0] == 1


def test_the_soa_does_not_read_verified(project: tuple[Path, Path], reports: Path) -> None:
    register, run = project
    shutil.rmtree(run)
    code, output = _cli(register, reports, "register", "soa", "-f", "md")
    assert code == 0, output
    (row,) = [line for line in output.splitlines() if line.startswith("| A.6.2.4 ")]
    cells = [cell.strip() for cell in row.split("|")]
    assert cells[6] == "partial" and run.name in cells[7], row
    assert f"files of run(s) {run.name} are missing" in cells[8], row


def test_with_a_team_store_a_deleted_run_folder_is_not_verified(
    pg_url: str, tmp_path: Path, reports: Path, ledger: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The ledger in PostgreSQL, the run folders files on this machine: the same rule."""
    monkeypatch.setenv("ASSURANCE_STORE", pg_url)
    register = tmp_path / "reg.yaml"
    register.write_text(REGISTER, encoding="utf-8")
    run = make_run(reports, suite="tox", finished_at="2026-11-29T10:00:00+00:00")
    attach_run(run, ledger_path=ledger)
    assert not ledger.exists()  # the records are in the store
    assert _status(register, ledger).status == "verified"
    shutil.rmtree(run)
    risk = _status(register, ledger)
    assert risk.status == "untested", risk.reasons
    _says_why("\n".join(risk.reasons), run, str(run))


def test_a_failing_run_deleted_by_hand_stays_failing_and_says_so(
    tmp_path: Path, reports: Path, ledger: Path
) -> None:
    """A failure recorded is worse than evidence that cannot be checked: FAILING stays, the
    loss said beside it."""
    register = tmp_path / "reg.yaml"
    register.write_text(REGISTER, encoding="utf-8")
    gates = [GateSpec("toxic_rate", "fail")]
    run = make_run(reports, suite="tox", finished_at="2026-11-29T10:00:00+00:00", gates=gates)
    attach_run(run, ledger_path=ledger)
    shutil.rmtree(run)
    risk = _status(register, ledger)
    assert risk.status == "failing", risk.reasons
    _says_why("\n".join(risk.reasons), run, str(run))


def test_an_older_run_deleted_by_hand_leaves_the_latest_deciding(
    project: tuple[Path, Path], reports: Path, ledger: Path
) -> None:
    """Only the runs the status rests on (each suite's latest) decide it; an older run's
    loss is ``evidence verify``'s to report."""
    register, older = project
    newer = make_run(reports, suite="tox", finished_at="2026-11-30T10:00:00+00:00")
    attach_run(newer, ledger_path=ledger)
    shutil.rmtree(older)
    risk = _status(register, ledger)
    assert risk.status == "verified", risk.reasons
