"""Hostile input to the register commands that the fuzzers do not generate: evidence timed at
the edge of the calendar, a CSV row cut short, an empty ``system.target`` and true/false where
a rating goes. Each ends in a located refusal or a correct view, never a traceback and never a
figure or status that is silently not what the owner wrote."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from assurance_harness.register import evidence_map
from assurance_harness.register.ledger import attach_run

from ..testing.cli import invoke_in_process
from .register_testkit import GateSpec, make_run

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
        residual_likelihood: 2
        controls: [moderation filter]
        suites: [tox]
        notes: keep
    """
)


def _register(tmp_path: Path, text: str = REGISTER) -> Path:
    path = tmp_path / "register.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _refusal(args: list[str]) -> str:
    result = invoke_in_process(args)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


@pytest.mark.parametrize("finished_at", ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00"])
def test_evidence_timed_at_the_calendar_edge_is_no_traceback(
    tmp_path: Path,
    reports: Path,
    ledger: Path,
    finished_at: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A UTC conversion of such a time overflows Python's calendar: ``register status`` ended
    in an OverflowError for every later call, since a ledger's records cannot be removed.
    Attach now refuses such a run; a ledger written before (or by another tool) still reads."""
    register = _register(tmp_path)
    run = make_run(
        reports, suite="tox", evidence_for=["R-001"], finished_at=finished_at, run_id="r-edge"
    )
    monkeypatch.setattr(evidence_map, "_check_finished_at", lambda run: None)
    attach_run(run, ledger_path=ledger)
    common = ["--register", str(register), "--reports", str(reports)]
    for args in (
        ["register", "status", *common],
        ["register", "show", "R-001", *common],
        ["register", "export", *common, "-o", str(tmp_path / "x.xlsx")],
        ["register", "export", *common, "-o", str(tmp_path / "x.html")],
    ):
        result = invoke_in_process(args)
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            args,
            result.exception,
        )
        assert result.exit_code in (0, 2), (args, result.output)


def test_a_csv_row_with_fewer_fields_than_its_header_is_refused(tmp_path: Path) -> None:
    """A row cut short (a torn line, a bad paste) read its missing cells as empty, and an empty
    cell clears the register's value: the risk's controls, suites and notes were silently
    dropped and the import reported "1 updated"."""
    register = _register(tmp_path)
    header = "id,title,category,owner,likelihood,impact,controls,suites,notes"
    (tmp_path / "in.csv").write_text(f"{header}\nR-001,toxic,safety,a,3,5\n", encoding="utf-8")
    line = _refusal(["register", "import", str(tmp_path / "in.csv"), "--register", str(register)])
    assert f"{tmp_path / 'in.csv'}:2" in line and "6 fields" in line and "9" in line, line
    assert "notes: keep" in register.read_text(encoding="utf-8")


def test_an_empty_system_target_is_refused(tmp_path: Path) -> None:
    """``target: ''`` read as no target declared: evidence from any target counted for the
    system, though the owner wrote the key to restrict it."""
    text = REGISTER.replace("owner: Head of Product}", "owner: Head of Product, target: ''}")
    register = _register(tmp_path, text)
    line = _refusal(["register", "validate", "--register", str(register)])
    assert f"{register}:1" in line and "system.target" in line, line


@pytest.mark.parametrize(
    ("value", "said"), [("x" * 300, "bytes long"), ("targets/a\\0b.yaml", "NUL")]
)
def test_a_system_target_no_file_system_can_name_is_refused_where_it_is(
    tmp_path: Path, value: str, said: str
) -> None:
    """Found by ``benchmarks/fuzz.py --config-files`` (seed 20261217): a 300-character
    ``system.target`` was an OSError (File name too long) out of ``register validate``, which
    ``main()`` printed as one line naming the value, but not the file, line or field."""
    text = REGISTER.replace(
        "owner: Head of Product}", f'owner: Head of Product, target: "{value}"}}'
    )
    register = _register(tmp_path, text)
    line = _refusal(["register", "validate", "--register", str(register)])
    assert f"{register}:1" in line and "system.target" in line and said in line, line


@pytest.mark.parametrize(
    ("field", "value"),
    [("residual_likelihood", "true"), ("impact", "true"), ("freshness_days", "true")],
)
def test_true_or_false_where_a_number_goes_is_refused(
    tmp_path: Path, field: str, value: str
) -> None:
    """YAML reads ``true`` as a bool, which pydantic took as 1: a residual rating or a review
    period nobody wrote (``freshness_days: true`` made all evidence stale after a day)."""
    text = REGISTER.replace("    notes: keep\n", f"    notes: keep\n    {field}: {value}\n")
    if field in ("residual_likelihood", "impact"):
        text = text.replace(f"    {field}: {'2' if field.startswith('res') else '5'}\n", "", 1)
    register = _register(tmp_path, text)
    line = _refusal(["register", "validate", "--register", str(register)])
    assert str(register) in line and field in line and "true" in line, line


def test_gate_verdicts_are_unchanged_by_these_checks(
    tmp_path: Path, reports: Path, ledger: Path
) -> None:
    """The ordinary case still reads: a run of today, attached, is the risk's evidence."""
    register = _register(tmp_path)
    run = make_run(
        reports,
        suite="tox",
        evidence_for=["R-001"],
        finished_at="2026-11-30T03:15:00+00:00",
        gates=[GateSpec("tox_rate", "pass")],
    )
    attach_run(run, ledger_path=ledger)
    result = invoke_in_process(
        ["register", "status", "--register", str(register), "--reports", str(reports)]
    )
    assert result.exit_code == 0, result.output
    assert "R-001" in result.output


@pytest.mark.parametrize("finished_at", ["2999-01-01T00:00:00+00:00", "not a time"])
def test_a_run_that_finished_in_the_future_or_at_no_time_is_not_attached(
    tmp_path: Path, reports: Path, ledger: Path, finished_at: str
) -> None:
    """Evidence is as fresh as its run's end: one dated 2999 never went stale, and one whose
    end is no time was dated when it was attached, so an old run looked new."""
    run = make_run(
        reports, suite="tox", evidence_for=["R-001"], finished_at=finished_at, run_id="r-odd"
    )
    result = invoke_in_process(["evidence", "attach", str(run), "--ledger", str(ledger)])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "summary.json" in lines[0] and "finished_at" in lines[0], lines
    assert not ledger.exists() or "r-odd" not in ledger.read_text(encoding="utf-8")


def test_a_run_folder_that_is_a_symlink_loop_is_no_internal_error(
    tmp_path: Path, reports: Path, ledger: Path
) -> None:
    """Resolving a ledger record's run folder raised RuntimeError on a link to itself, which
    ended ``register status`` in an internal error; the run's files are missing instead."""
    register = _register(tmp_path)
    run = make_run(reports, suite="tox", evidence_for=["R-001"], run_id="r-loop")
    attach_run(run, ledger_path=ledger)
    for path in sorted(run.iterdir()):
        path.unlink()
    run.rmdir()
    run.symlink_to(run)
    common = ["--register", str(register), "--reports", str(reports)]
    for args in (
        ["register", "status", *common, "--check-files"],
        ["register", "soa", *common],
        ["evidence", "verify", "--reports", str(reports)],
    ):
        result = invoke_in_process(args)
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            args,
            repr(result.exception),
        )
        assert result.exit_code in (0, 1, 2), (args, result.output)
