"""The evidence ledger: chaining, idempotent attach, and detection of every kind of tampering."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from assurance_harness.register.ledger import (
    GENESIS,
    EvidenceError,
    anchor_path,
    attach_run,
    canonical_json,
    read_ledger,
    record_hash,
    verify_ledger,
)

from .register_testkit import DEMO_FINGERPRINT, EXAMPLE_REGISTER, GateSpec, make_run


def _ledger_with_runs(reports: Path, ledger: Path, count: int = 5) -> list[Path]:
    runs = []
    for i in range(count):
        run = make_run(reports, finished_at=f"2026-11-{10 + i:02d}T03:00:00+00:00")
        attach_run(run, ledger_path=ledger)
        runs.append(run)
    return runs


def _lines(ledger: Path) -> list[str]:
    return ledger.read_text(encoding="utf-8").splitlines(keepends=True)


def _write(ledger: Path, lines: list[str]) -> None:
    ledger.write_text("".join(lines), encoding="utf-8")


def _rehash(line: str, **changes: object) -> str:
    """Edit a record and recompute its own hash, as a careful forger would."""
    data = json.loads(line)
    data.update(changes)
    data.pop("hash")
    data["hash"] = record_hash(data)
    return canonical_json(data) + "\n"


def test_attach_writes_one_chained_record_per_risk_and_gate(reports: Path, ledger: Path) -> None:
    run = make_run(
        reports,
        evidence_for=["R-002", "R-005"],
        gates=[GateSpec("unsuitable_rate", "pass"), GateSpec("missed_help_rate", "fail")],
    )
    records = attach_run(run, ledger_path=ledger)
    assert [(r.risk_id, r.gate["metric"], r.verdict) for r in records] == [
        ("R-002", "unsuitable_rate", "pass"),
        ("R-002", "missed_help_rate", "fail"),
        ("R-005", "unsuitable_rate", "pass"),
        ("R-005", "missed_help_rate", "fail"),
    ]
    assert records[0].prev_hash == GENESIS
    assert [r.prev_hash for r in records[1:]] == [r.hash for r in records[:-1]]
    assert [r.id for r in records] == ["EV-000001", "EV-000002", "EV-000003", "EV-000004"]
    first = records[0]
    assert first.suite["name"] == "toxicity-core" and first.suite["version"] == "1.0.0"
    assert len(first.suite["sha256"]) == 64
    assert first.target["fingerprint"] == DEMO_FINGERPRINT
    assert first.target["model_version"] == "demo-assistant-1.0"
    assert first.metric == {
        "value": 0.02,
        "ci_low": 0.005,
        "ci_high": 0.06,
        "n": 120,
        "confidence": 0.95,
        "method": "wilson",
        "kind": "rate",
    }
    assert first.gate["max"] == 0.1 and first.gate["bound"] == "upper"
    assert first.run["results_path"] == f"../{run.name}/results.jsonl"
    assert first.run["files"]["results.jsonl"] == first.run["results_sha256"]
    assert read_ledger(ledger) == records
    report = verify_ledger(ledger)
    assert report.ok, report.issues
    assert (
        report.records == 4 and report.runs_checked == 1 and report.files_checked == 5
    )  # + cases, responses


def test_attach_is_idempotent(reports: Path, ledger: Path) -> None:
    run = make_run(reports)
    assert len(attach_run(run, ledger_path=ledger)) == 1
    assert attach_run(run, ledger_path=ledger) == []
    assert len(read_ledger(ledger)) == 1


def test_reattaching_an_older_run_appends_nothing(reports: Path, ledger: Path) -> None:
    first, _second = _ledger_with_runs(reports, ledger, count=2)
    assert attach_run(first, ledger_path=ledger) == []
    assert [r.seq for r in read_ledger(ledger)] == [1, 2]


def test_no_append_after_a_corrupt_last_line(reports: Path, ledger: Path) -> None:
    _ledger_with_runs(reports, ledger, count=2)
    with ledger.open("a") as handle:
        handle.write('{"seq": 3, "torn\n')
    later = make_run(reports, finished_at="2026-12-01T00:00:00+00:00")
    with pytest.raises(EvidenceError, match=r"ledger\.jsonl:3: not a valid evidence record"):
        attach_run(later, ledger_path=ledger)


def test_register_adds_risks_that_list_the_suite(reports: Path, ledger: Path) -> None:
    # The suite names no risk, but the example register lists toxicity-core under R-001.
    run = make_run(reports, evidence_for=[])
    assert attach_run(run, ledger_path=ledger) == []
    records = attach_run(run, ledger_path=ledger, register_path=EXAMPLE_REGISTER)
    assert [r.risk_id for r in records] == ["R-001"]


def test_suite_without_gates_gets_a_no_gate_record(reports: Path, ledger: Path) -> None:
    run = make_run(reports, gates=[])
    (record,) = attach_run(run, ledger_path=ledger)
    assert record.verdict == "no_gate" and record.gate is None


def test_failed_run_is_not_evidence(reports: Path, ledger: Path) -> None:
    run = make_run(reports, status="run_failed")
    assert attach_run(run, ledger_path=ledger) == []
    assert not ledger.exists()


def test_results_changed_before_attach_are_refused(reports: Path, ledger: Path) -> None:
    run = make_run(reports)
    with (run / "results.jsonl").open("a") as handle:
        handle.write('{"case_id": "forged", "sample": 0}\n')
    with pytest.raises(EvidenceError, match="does not match the SHA-256 in its manifest"):
        attach_run(run, ledger_path=ledger)


def test_unfinished_run_is_a_usage_error(reports: Path, ledger: Path) -> None:
    from assurance_harness.errors import UsageError

    run = reports / "running"
    run.mkdir()
    with pytest.raises(UsageError, match=r"summary\.json: not found"):
        attach_run(run, ledger_path=ledger)


class TestTampering:
    """Each test tampers in one way and checks verify names the kind, the line and the record."""

    def test_edited_record(self, reports: Path, ledger: Path) -> None:
        _ledger_with_runs(reports, ledger)
        lines = _lines(ledger)
        lines[2] = lines[2].replace('"verdict":"pass"', '"verdict":"fail"')
        _write(ledger, lines)
        report = verify_ledger(ledger)
        assert not report.ok
        (issue,) = report.issues
        assert (issue.kind, issue.line, issue.record_id) == ("edited", 3, "EV-000003")
        assert issue.format(ledger).startswith(f"{ledger}:3 (EV-000003): edited: ")

    def test_edited_and_rehashed_record(self, reports: Path, ledger: Path) -> None:
        _ledger_with_runs(reports, ledger)
        lines = _lines(ledger)
        lines[1] = _rehash(lines[1], verdict="fail")
        _write(ledger, lines)
        report = verify_ledger(ledger)
        issue = next(i for i in report.issues if i.kind == "replaced")
        assert (issue.line, issue.record_id) == (2, "EV-000002")
        assert "edited and re-hashed" in issue.message

    def test_deleted_record_in_the_middle(self, reports: Path, ledger: Path) -> None:
        _ledger_with_runs(reports, ledger)
        lines = _lines(ledger)
        del lines[2]
        _write(ledger, lines)
        report = verify_ledger(ledger)
        issue = next(i for i in report.issues if i.kind == "deleted")
        assert (issue.line, issue.record_id) == (3, "EV-000004")
        assert "seq 3" in issue.message

    def test_deleted_first_record(self, reports: Path, ledger: Path) -> None:
        _ledger_with_runs(reports, ledger)
        _write(ledger, _lines(ledger)[1:])
        report = verify_ledger(ledger)
        assert [(i.kind, i.line) for i in report.issues] == [("deleted", 1)]

    def test_deleted_last_records_are_caught_by_the_anchor(
        self, reports: Path, ledger: Path
    ) -> None:
        _ledger_with_runs(reports, ledger)
        _write(ledger, _lines(ledger)[:3])
        report = verify_ledger(ledger)
        (issue,) = report.issues
        assert issue.kind == "truncated" and issue.record_id == "EV-000003"
        assert "EV-000004..EV-000005 were removed" in issue.message

    def test_without_anchor_truncation_is_only_a_warning(self, reports: Path, ledger: Path) -> None:
        _ledger_with_runs(reports, ledger)
        anchor_path(ledger).unlink()
        _write(ledger, _lines(ledger)[:3])
        report = verify_ledger(ledger)
        assert report.ok
        assert any("cannot be detected" in w for w in report.warnings)

    def test_inserted_forged_record(self, reports: Path, ledger: Path) -> None:
        _ledger_with_runs(reports, ledger)
        lines = _lines(ledger)
        # A forger copies line 2, links it correctly to line 2 and re-hashes it.
        prev = json.loads(lines[1])
        forged = _rehash(lines[1], prev_hash=prev["hash"], seq=3, id="EV-000003", verdict="pass")
        lines.insert(2, forged)
        _write(ledger, lines)
        report = verify_ledger(ledger)
        issue = next(i for i in report.issues if i.kind == "inserted")
        assert issue.line == 3
        assert "line 4 (EV-000003) links past it" in issue.message

    def test_reordered_records(self, reports: Path, ledger: Path) -> None:
        _ledger_with_runs(reports, ledger)
        lines = _lines(ledger)
        lines[2], lines[3] = lines[3], lines[2]
        _write(ledger, lines)
        report = verify_ledger(ledger)
        assert report.kinds() == {"reordered"}
        first = report.issues[0]
        assert (first.line, first.record_id) == (3, "EV-000004")
        assert "written after line 4" in first.message

    def test_forged_record_appended_at_the_end(self, reports: Path, ledger: Path) -> None:
        _ledger_with_runs(reports, ledger, count=2)
        lines = _lines(ledger)
        last = json.loads(lines[-1])
        lines.append(
            _rehash(lines[-1], seq=3, id="EV-000003", prev_hash=last["hash"], risk_id="R-002")
        )
        _write(ledger, lines)
        report = verify_ledger(ledger)
        (issue,) = report.issues
        assert (issue.kind, issue.line, issue.record_id) == ("anchor", 3, "EV-000003")
        assert "appended without the evidence tools" in issue.message

    def test_wrong_types_are_reported_not_crashed_on(self, reports: Path, ledger: Path) -> None:
        _ledger_with_runs(reports, ledger, count=3)
        lines = _lines(ledger)
        lines[1] = lines[1].replace('"seq":2', '"seq":"2"')
        lines[2] = lines[2].replace('"gate":{', '"gate":[{', 1).replace('},"hash"', '}],"hash"')
        _write(ledger, lines)
        report = verify_ledger(ledger)
        assert [(i.kind, i.line) for i in report.issues] == [
            ("corrupt", 2),
            ("corrupt", 3),
            ("truncated", 1),  # the anchor's head (line 3) is unreadable, so seq 3 is missing
        ]

    def test_corrupt_line(self, reports: Path, ledger: Path) -> None:
        _ledger_with_runs(reports, ledger)
        lines = _lines(ledger)
        lines[4] = lines[4][:40] + "\n"
        _write(ledger, lines)
        report = verify_ledger(ledger)
        assert ("corrupt", 5) in [(i.kind, i.line) for i in report.issues]
        with pytest.raises(EvidenceError, match=r"ledger.jsonl:5: not a valid evidence record"):
            read_ledger(ledger)

    def test_rewritten_history_fails_against_an_external_anchor(
        self, reports: Path, ledger: Path, tmp_path: Path
    ) -> None:
        _ledger_with_runs(reports, ledger, count=3)
        kept = tmp_path / "anchor-copy.json"
        kept.write_text(anchor_path(ledger).read_text())
        # Rewrite the whole chain consistently, including the local anchor.
        lines = _lines(ledger)
        prev = GENESIS
        new_lines = []
        for line in lines:
            data = json.loads(line)
            data["verdict"] = "pass" if data["verdict"] == "fail" else "fail"
            data["prev_hash"] = prev
            data.pop("hash")
            data["hash"] = prev = record_hash(data)
            new_lines.append(canonical_json(data) + "\n")
        _write(ledger, new_lines)
        anchor = json.loads(anchor_path(ledger).read_text())
        anchor["hash"] = prev
        anchor_path(ledger).write_text(json.dumps(anchor))
        assert verify_ledger(ledger).ok  # locally consistent: only an outside copy can tell
        report = verify_ledger(ledger, anchor=kept)
        (issue,) = report.issues
        assert issue.kind == "anchor" and issue.record_id == "EV-000003"

    def test_external_anchor_allows_later_appends(
        self, reports: Path, ledger: Path, tmp_path: Path
    ) -> None:
        _ledger_with_runs(reports, ledger, count=2)
        kept = tmp_path / "anchor-copy.json"
        kept.write_text(anchor_path(ledger).read_text())
        attach_run(make_run(reports, finished_at="2026-11-29T00:00:00+00:00"), ledger_path=ledger)
        assert verify_ledger(ledger, anchor=kept).ok
        _write(ledger, _lines(ledger)[:1])
        assert "truncated" in verify_ledger(ledger, anchor=kept).kinds()

    def test_changed_results_file(self, reports: Path, ledger: Path) -> None:
        runs = _ledger_with_runs(reports, ledger, count=2)
        with (runs[1] / "results.jsonl").open("a") as handle:
            handle.write("{}\n")
        report = verify_ledger(ledger)
        (issue,) = report.issues
        assert (issue.kind, issue.line, issue.record_id) == ("file_changed", 2, "EV-000002")
        assert "results.jsonl changed" in issue.message
        assert verify_ledger(ledger, check_files=False).ok

    @pytest.mark.parametrize("name", ["cases.jsonl", "responses.jsonl"])
    def test_changed_file_the_manifest_hashes(self, reports: Path, ledger: Path, name: str) -> None:
        # Observed (issue 10): edits to cases.jsonl and responses.jsonl passed verify, exit 0.
        runs = _ledger_with_runs(reports, ledger, count=2)
        with (runs[1] / name).open("a") as handle:
            handle.write('{"case_id": "forged", "sample": 0}\n')
        report = verify_ledger(ledger)
        (issue,) = report.issues
        assert (issue.kind, issue.line, issue.record_id) == ("file_changed", 2, "EV-000002")
        assert f"{name} changed" in issue.message and "manifest.json" in issue.message
        (runs[0] / name).unlink()
        kinds = sorted(i.kind for i in verify_ledger(ledger).issues)
        assert kinds == ["file_changed", "file_missing"]

    def test_missing_run_directory(self, reports: Path, ledger: Path) -> None:
        runs = _ledger_with_runs(reports, ledger, count=2)
        (runs[0] / "summary.json").unlink()
        report = verify_ledger(ledger)
        assert [(i.kind, i.record_id) for i in report.issues] == [("file_missing", "EV-000001")]


_WORKER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from assurance_harness.register import evidence_map
    from assurance_harness.register.ledger import attach_run
    evidence_map.check_summary = lambda run: None  # the test kit's hand-made summaries (conftest)
    ledger = Path(sys.argv[1])
    for run in sys.argv[2:]:
        attach_run(Path(run), ledger_path=ledger)
    """
)


def test_concurrent_appends_from_two_processes_lose_nothing(reports: Path, ledger: Path) -> None:
    runs_a = [
        make_run(
            reports,
            suite="suite-a",
            finished_at=f"2026-11-01T00:{i:02d}:00+00:00",
            evidence_for=["R-001", "R-002"],
        )
        for i in range(15)
    ]
    runs_b = [
        make_run(
            reports,
            suite="suite-b",
            finished_at=f"2026-11-02T00:{i:02d}:00+00:00",
            evidence_for=["R-003", "R-004"],
        )
        for i in range(15)
    ]
    procs = [
        subprocess.Popen([sys.executable, "-c", _WORKER, str(ledger), *map(str, runs)])
        for runs in (runs_a, runs_b)
    ]
    for proc in procs:
        assert proc.wait(timeout=120) == 0
    records = read_ledger(ledger)
    assert len(records) == 60
    assert [r.seq for r in records] == list(range(1, 61))
    keys = {(r.run_id, r.risk_id) for r in records}
    assert len(keys) == 60
    report = verify_ledger(ledger)
    assert report.ok, [i.format(ledger) for i in report.issues]


def test_an_append_waits_for_the_lock(reports: Path, ledger: Path) -> None:
    """While another process holds the lock, an attach neither writes nor reads a stale tail."""
    import fcntl
    import os
    import time

    first = make_run(reports, finished_at="2026-11-01T00:00:00+00:00")
    second = make_run(reports, finished_at="2026-11-02T00:00:00+00:00")
    attach_run(first, ledger_path=ledger)
    lock = ledger.with_name(ledger.name + ".lock")
    fd = os.open(lock, os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        proc = subprocess.Popen([sys.executable, "-c", _WORKER, str(ledger), str(second)])
        time.sleep(1.0)
        assert proc.poll() is None, "the attach did not wait for the lock"
        assert len(read_ledger(ledger)) == 1
        # Simulate a concurrent writer appending while it waits: it must chain onto this one.
        third = make_run(reports, finished_at="2026-11-03T00:00:00+00:00")
        from assurance_harness.register import ledger as ledger_mod

        bodies = ledger_mod._record_bodies(ledger_mod.RunFiles.load(third), ["R-001"], ledger)
        # Append without the (held) lock, as the lock holder would.
        existing = read_ledger(ledger)
        data = {
            "seq": 2,
            "id": "EV-000002",
            "recorded_at": "2026-11-30T00:00:00+00:00",
            "prev_hash": existing[-1].hash,
            "format": 1,
            **bodies[0],
        }
        data["hash"] = record_hash(data)
        with ledger.open("a") as handle:
            handle.write(canonical_json(data) + "\n")
        anchor_path(ledger).write_text(json.dumps({"seq": 2, "hash": data["hash"]}))
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
    assert proc.wait(timeout=60) == 0
    records = read_ledger(ledger)
    assert [r.seq for r in records] == [1, 2, 3]
    assert records[2].prev_hash == records[1].hash
    assert verify_ledger(ledger).ok


def test_an_anchor_one_append_behind_is_a_crash_not_tampering(reports: Path, ledger: Path) -> None:
    """A crash between appending the records and rewriting ``.head`` leaves the anchor one append
    behind a valid chain: verify says so (and how to repair), it does not call it tampering."""
    from assurance_harness.register.ledger import repair_anchor

    attach_run(make_run(reports, finished_at="2026-11-01T00:00:00+00:00"), ledger_path=ledger)
    before = anchor_path(ledger).read_text()
    attach_run(make_run(reports, finished_at="2026-11-02T00:00:00+00:00"), ledger_path=ledger)
    anchor_path(ledger).write_text(before)  # the second append's anchor write never happened

    report = verify_ledger(ledger)
    assert report.ok, [i.format(ledger) for i in report.issues]
    (warning,) = [w for w in report.warnings if "one append behind" in w]
    assert "assurance evidence verify --repair-anchor" in warning
    assert report.anchor_behind

    repair_anchor(ledger)
    again = verify_ledger(ledger)
    assert again.ok and not again.anchor_behind and not again.warnings


def test_records_appended_in_two_batches_past_the_anchor_are_still_reported(
    reports: Path, ledger: Path
) -> None:
    from assurance_harness.register.ledger import repair_anchor

    attach_run(make_run(reports, finished_at="2026-11-01T00:00:00+00:00"), ledger_path=ledger)
    before = anchor_path(ledger).read_text()
    for day in ("02", "03"):
        attach_run(
            make_run(reports, finished_at=f"2026-11-{day}T00:00:00+00:00"), ledger_path=ledger
        )
    anchor_path(ledger).write_text(before)
    report = verify_ledger(ledger)
    assert "anchor" in report.kinds() and not report.anchor_behind
    with pytest.raises(EvidenceError, match="not one append behind"):
        repair_anchor(ledger)
