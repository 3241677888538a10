"""Tamper verification: the chain, the anchor(s) and the run files each record hashes.

``verify_ledger`` never raises on tampering: it reports every problem, located by line and
record id, and says what most plausibly happened (edited, inserted, deleted, reordered ...).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import UsageError
from ..store.runread import link_words, read_run_object
from . import ledger_prefix
from .clock_order import recorded_going_back
from .evidence_record import GENESIS, EvidenceRecord
from .ledger_store import (
    DEFAULT_LEDGER,
    anchor_path,
    check_ledger_file,
    file_lines,
    iter_lines,
    parse_anchor,
    read_anchor,
    reading_locked,
)
from .ledger_team import TeamLedger, team_ledger
from .run_origin import ORIGIN, records_elsewhere
from .runfiles import MANIFEST_HASHED, sha256_file


@dataclass
class LedgerIssue:
    """One integrity problem, located by line and record id."""

    kind: str
    """corrupt, edited, replaced, deleted, inserted, reordered, sequence, truncated, anchor,
    file_changed, file_missing; review_unbacked (a verdict in runs.db the ledger does not hold,
    added by ``evidence verify``: ``review.backing``)."""
    message: str
    line: int | None = None
    record_id: str | None = None

    def location(self, ledger_path: Path | str) -> str:
        """``ledger_path`` (the file, or the team store's table: ``ledger_team.ledger_where``)
        with the line (the row's position) and the record."""
        where = f"{ledger_path}:{self.line}" if self.line else str(ledger_path)
        return f"{where} ({self.record_id})" if self.record_id else where

    def format(self, ledger_path: Path | str) -> str:
        return f"{self.location(ledger_path)}: {self.kind}: {self.message}"


@dataclass
class VerifyReport:
    ledger: Path
    records: int = 0
    head: str | None = None
    runs_checked: int = 0
    files_checked: int = 0
    issues: list[LedgerIssue] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    purged: list[str] = field(default_factory=list)
    """Runs whose payload files were deleted under the retention policy (a purge record in the
    chain holds the hashes they had, and, where the files were checked, they match the
    evidence's; unchecked, every run a purge record names)."""
    anchor_behind: bool = False
    """The local anchor is exactly one append behind a valid chain (a crash between the two
    writes of an append); ``repair_anchor`` moves it to the head."""
    elsewhere: dict[str, dict[str, str]] = field(default_factory=dict)
    """Runs whose folders are not on this machine (the team store: another machine, or
    another reports folder here, wrote them; ``run_origin``), run id -> ``{host, dir}``. Their
    records' chain is checked; their files are not looked for here, and not counted as checked."""
    entries: list[EvidenceRecord] = field(default_factory=list, repr=False, compare=False)
    """The records read and checked (gate, review and purge records, in ledger order; an
    unreadable line left out, as ``read_ledger(strict=False)`` leaves it): the views that
    verify take them from here rather than parse the ledger again (3-4 s at 12,050 records)."""

    @property
    def ok(self) -> bool:
        return not self.issues

    def kinds(self) -> set[str]:
        return {i.kind for i in self.issues}

    def to_dict(self) -> dict[str, object]:
        """The JSON view printed by ``assurance evidence verify --format json``."""
        return {
            "ledger": str(self.ledger),
            "ok": self.ok,
            "records": self.records,
            "head": self.head,
            "runs_checked": self.runs_checked,
            "files_checked": self.files_checked,
            "issues": [
                {"kind": i.kind, "line": i.line, "record": i.record_id, "message": i.message}
                for i in self.issues
            ],
            "warnings": self.warnings,
            "purged": self.purged,
            "elsewhere": self.elsewhere,
        }


def _short(digest: str | None) -> str:
    return (digest or "?")[:12]


def _check_chain(
    entries: list[tuple[int, EvidenceRecord]],
    report: VerifyReport,
    unreadable: list[int],
    rewritten: set[int],
    *,
    checked: int = 0,
) -> None:
    """``rewritten``: lines that are not the canonical JSON of the record they parse to;
    ``checked``: how many records at the start passed their own checks already (the bytes
    ``ledger_prefix`` kept): their content is not hashed again, their links still are."""
    line_of_hash = {rec.hash: lineno for lineno, rec in entries}
    prev: tuple[int, EvidenceRecord] | None = None
    prev_prev: tuple[int, EvidenceRecord] | None = None
    prev_link_ok = True
    for index, (lineno, rec) in enumerate(entries):
        if index >= checked and rec.content_hash() != rec.hash:
            report.issues.append(
                LedgerIssue(
                    "edited",
                    "the record's content does not match its hash: "
                    "it was changed after it was written",
                    lineno,
                    rec.id,
                )
            )
        elif lineno in rewritten:
            report.issues.append(
                LedgerIssue(
                    "edited",
                    "the line is not the bytes the ledger wrote for its record (a duplicate "
                    "key, a value escaped otherwise, other spacing or line ends): it was "
                    "changed after it was written, and other readers may read it otherwise",
                    lineno,
                    rec.id,
                )
            )
        expected_prev = prev[1].hash if prev else GENESIS
        link_ok = rec.prev_hash == expected_prev
        after = prev[0] if prev else 0
        skipped = [n for n in unreadable if after < n < lineno]
        if not link_ok and skipped:
            # The record it links to is most likely the unreadable line just before it.
            report.issues.append(
                LedgerIssue(
                    "corrupt",
                    f"links to a record that cannot be read (line {skipped[-1]})",
                    lineno,
                    rec.id,
                )
            )
        elif not link_ok:
            report.issues.append(
                _classify_break(lineno, rec, prev, prev_prev, prev_link_ok, line_of_hash)
            )
        elif prev is not None and rec.seq != prev[1].seq + 1:
            report.issues.append(
                LedgerIssue("sequence", f"seq {rec.seq} follows seq {prev[1].seq}", lineno, rec.id)
            )
        elif prev is None and rec.seq != 1:
            report.issues.append(
                LedgerIssue("sequence", f"the first record has seq {rec.seq}", lineno, rec.id)
            )
        prev_prev, prev, prev_link_ok = prev, (lineno, rec), link_ok


def _classify_break(
    lineno: int,
    rec: EvidenceRecord,
    prev: tuple[int, EvidenceRecord] | None,
    prev_prev: tuple[int, EvidenceRecord] | None,
    prev_link_ok: bool,
    line_of_hash: dict[str, int],
) -> LedgerIssue:
    """Say what most plausibly happened where ``rec`` does not link to the line before it."""
    expected_prev_prev = prev_prev[1].hash if prev_prev else GENESIS
    if prev is not None and prev_link_ok and rec.prev_hash == expected_prev_prev:
        # The line before links correctly to its predecessor, but this record skips it: that
        # line was slipped in between two records that were adjacent when written.
        pline, prec = prev
        before = "the start of the ledger"
        if prev_prev is not None:
            before = f"line {prev_prev[0]} ({prev_prev[1].id})"
        return LedgerIssue(
            "inserted",
            f"this record is not part of the chain: line {lineno} ({rec.id}) links past it to "
            + before,
            pline,
            prec.id,
        )
    if rec.prev_hash == GENESIS:
        return LedgerIssue(
            "reordered", "this is the ledger's first record but it is not on line 1", lineno, rec.id
        )
    if rec.prev_hash in line_of_hash:
        target = line_of_hash[rec.prev_hash]
        if target > lineno:
            return LedgerIssue(
                "reordered",
                f"this record was written after line {target}, but appears before it",
                lineno,
                rec.id,
            )
        return LedgerIssue(
            "reordered",
            f"this record was written right after line {target}, but line {lineno - 1} now "
            "stands between them (moved or inserted lines)",
            lineno,
            rec.id,
        )
    prev_seq = prev[1].seq if prev else 0
    if rec.seq > prev_seq + 1:
        missing = (
            f"seq {prev_seq + 1}"
            if rec.seq == prev_seq + 2
            else f"seq {prev_seq + 1}-{rec.seq - 1}"
        )
        return LedgerIssue(
            "deleted",
            f"{rec.seq - prev_seq - 1} record(s) before this one are missing ({missing}; "
            f"ids EV-{prev_seq + 1:06d}...)",
            lineno,
            rec.id,
        )
    if prev is not None:
        return LedgerIssue(
            "replaced",
            f"line {prev[0]} ({prev[1].id}) is not the record this one was chained to: it was "
            f"edited and re-hashed, or replaced (expected hash {_short(rec.prev_hash)}, "
            f"found {_short(prev[1].hash)})",
            prev[0],
            prev[1].id,
        )
    return LedgerIssue("replaced", "the chain does not start at the genesis hash", lineno, rec.id)


def _check_anchor(
    entries: list[tuple[int, EvidenceRecord]],
    anchor_file: Path,
    report: VerifyReport,
    *,
    exact: bool,
    text: str | None = None,
    held: tuple[int, str] | None = None,
    read: bool = False,
) -> None:
    """``text``: the anchor's content when it is not a file (the team store's head); ``held``
    with ``read``: the file's anchor as ``read_anchor`` read it already (``_as_of_now``)."""
    if read:
        anchor = held
    elif text is None:
        anchor = read_anchor(anchor_file)
    else:
        try:
            anchor = parse_anchor(text)
        except (ValueError, KeyError, TypeError):
            anchor = None
    if anchor is None:
        report.issues.append(LedgerIssue("anchor", f"{anchor_file}: unreadable anchor file"))
        return
    seq, digest = anchor
    by_seq = {rec.seq: (lineno, rec) for lineno, rec in entries}
    last_seq = entries[-1][1].seq if entries else 0
    if seq > last_seq:
        report.issues.append(
            LedgerIssue(
                "truncated",
                f"the anchor {anchor_file.name} records {seq} records (head {_short(digest)}), but "
                + (f"the ledger ends at seq {last_seq}" if entries else "the ledger holds none")
                + f": EV-{last_seq + 1:06d}..EV-{seq:06d} were removed",
                entries[-1][0] if entries else None,
                entries[-1][1].id if entries else None,
            )
        )
        return
    found = by_seq.get(seq)
    if found is None or found[1].hash != digest:
        report.issues.append(
            LedgerIssue(
                "anchor",
                f"record seq {seq} does not have the head hash {_short(digest)} kept in "
                f"{anchor_file.name}: the ledger was rewritten",
                found[0] if found else None,
                found[1].id if found else None,
            )
        )
        return
    if exact and seq < last_seq:
        after = [rec for _, rec in entries if rec.seq > seq]
        before = [rec for _, rec in entries if rec.seq <= seq]
        ledger_path = anchor_file.with_name(anchor_file.name.removesuffix(".head"))
        if _one_append(after, before, ledger_path):
            report.anchor_behind = True
            report.warnings.append(
                f"the anchor {anchor_file.name} is one append behind: records "
                f"{after[0].id}..{after[-1].id} (run {after[0].run_id}) were appended but the "
                "process stopped before it moved the anchor (a crash, not tampering); repair "
                "with: assurance evidence verify --repair-anchor"
            )
            return
        report.issues.append(
            LedgerIssue(
                "anchor",
                f"records after seq {seq} are not covered by {anchor_file.name}: "
                "they were appended without the evidence tools",
                entries[-1][0],
                entries[-1][1].id,
            )
        )


def _one_append(
    records: list[EvidenceRecord], before: list[EvidenceRecord], ledger_path: Path
) -> bool:
    """Whether ``records`` are exactly what one ``attach`` of one run would have written: one
    run, one ``recorded_at``, consecutive seqs, no (run, risk, gate) already recorded, each
    body re-derived from the run's own files, and each risk one the run's suite names or that
    earlier records already tie to that suite. Anything else (a hand-made record) is reported
    as records appended without the evidence tools."""
    from .evidence_map import _record_bodies
    from .runfiles import RunFiles

    if not records:
        return False
    first = records[0]
    if not all(
        r.run_id == first.run_id and r.recorded_at == first.recorded_at and r.seq == first.seq + i
        for i, r in enumerate(records)
    ):
        return False
    seen = {(r.run_id, r.risk_id, r.gate_id) for r in before}
    if any((r.run_id, r.risk_id, r.gate_id) in seen for r in records):
        return False
    try:
        run = RunFiles.load(first.run_dir(ledger_path))
        risks = sorted({r.risk_id for r in records})
        bodies = _record_bodies(run, risks, ledger_path)
    except Exception:  # the run's files are gone or damaged: not recognisable as a crash
        return False
    known = {str(x) for x in run.suite.get("evidence_for") or []}
    known |= {r.risk_id for r in before if r.suite_name == first.suite_name}
    if any(r.risk_id not in known for r in records):
        return False
    derived = {(b["risk_id"], str((b["gate"] or {}).get("id") or "(no gate)")): b for b in bodies}
    skip = {"seq", "id", "recorded_at", "prev_hash", "hash", "format"}
    for r in records:
        body = {k: v for k, v in r.body().items() if k not in skip}
        if derived.get((r.risk_id, r.gate_id)) != body:
            return False
    return True


def _check_files(
    entries: list[tuple[int, EvidenceRecord]], ledger_path: Path, report: VerifyReport
) -> None:
    """Re-hash every run file a record points to, and every file the run's manifest.json
    hashes (cases.jsonl, responses.jsonl: the manifest's own hash is in the record, so its
    figures are trustworthy once it matches); report each changed file once. Runs another
    machine wrote into the team store are passed over (``run_origin``): their folders were
    never here."""
    from ..privacy.retention import STAGED, purged_files_by_run

    actual: dict[Path, str | None] = {}
    problems: dict[tuple[Path, str], list[tuple[int, EvidenceRecord, str]]] = {}
    via_manifest: set[Path] = set()
    runs: dict[Path, list[tuple[int, EvidenceRecord]]] = {}
    purged = purged_files_by_run([rec for _, rec in entries])
    purged_seen: set[str] = set()
    reread: list[bool] = []
    shared = team_ledger(ledger_path) is not None
    report.elsewhere = records_elsewhere([rec for _, rec in entries], ledger_path)

    unreadable: dict[Path, str] = {}

    def purged_as_recorded(run_id: str, name: str, expected: str) -> bool:
        """Whether a purge record names this file with this hash: one read with the chain,
        or, read again once, one a purge appended since (it records before it deletes)."""
        if purged.get(run_id, {}).get(name) == expected:
            return True
        if not reread:
            reread.append(True)
            purged.update(purged_files_by_run([r for _, _, r in iter_lines(ledger_path) if r]))
        return purged.get(run_id, {}).get(name) == expected

    def check(path: Path, expected: str, lineno: int, rec: EvidenceRecord) -> None:
        if path not in actual:
            actual[path] = None
            # A purge under way moves the file aside (STAGED) until its record is appended:
            # those are the file's bytes, not a file gone.
            found = path if os.path.lexists(path) else path.with_name(STAGED + path.name)
            if (linked := link_words(path)) is not None:
                unreadable[path] = linked  # not the run's file, whatever its bytes
            elif found.is_file():
                try:
                    actual[path] = sha256_file(found)
                except FileNotFoundError:  # the purge deleted it meanwhile, once recorded
                    pass
                except OSError as exc:
                    unreadable[path] = f"cannot be read: {exc.strerror or exc}"
            elif found.exists():  # a folder (or a pipe) put in the file's place
                unreadable[path] = "is not a file"
            report.files_checked += 1
        now = actual[path]
        if path in unreadable:
            problems.setdefault((path, "file_changed"), []).append((lineno, rec, expected))
        elif now is None and purged_as_recorded(rec.run_id, path.name, expected):
            purged_seen.add(rec.run_id)  # deleted by a recorded purge, as it was then
        elif now is None:
            problems.setdefault((path, "file_missing"), []).append((lineno, rec, expected))
        elif now != expected:
            problems.setdefault((path, "file_changed"), []).append((lineno, rec, expected))

    for lineno, rec in entries:
        if rec.run_id in report.elsewhere:
            continue
        run_dir = rec.run_dir(ledger_path)
        runs.setdefault(run_dir, []).append((lineno, rec))
        files = dict(rec.run.get("files") or {})
        for name, expected in files.items():
            path = _results_place(rec, ledger_path) if name == "results.jsonl" else run_dir / name
            check(path, expected, lineno, rec)
    report.runs_checked = len(runs)
    # A run whose purge deleted a file that had changed since its evidence (a hash no record
    # holds) is reported below, not listed as purged "as recorded, not tampered with".
    changed_before = {
        rec.run_id
        for (path, kind), found in problems.items()
        if kind == "file_missing"
        for _, rec, _ in found
        if path.name in purged.get(rec.run_id, {})
    }
    report.purged = sorted(
        (purged_seen | (set(purged) & {rec.run_id for _, rec in entries}))
        - changed_before
        - set(report.elsewhere)  # purged where they were written: not seen here
    )
    for run_dir, hits in runs.items():
        first = hits[0][1]
        files = first.run.get("files") or {}
        recorded = {run_dir / name: sha for name, sha in files.items()}
        recorded.setdefault(
            first.results_file(ledger_path),
            files.get("results.jsonl", first.run.get("results_sha256")),
        )
        for name, expected in _manifest_hashes(run_dir / "manifest.json").items():
            path = run_dir / name
            # A file the records hash is checked against them above. Where they hash another
            # file than the run wrote and it is still that file, it is checked here too: a
            # summary.json edited before it was attached (before attach checked it against the
            # manifest) is not the run's, whatever the records say. One that changed since the
            # records is reported once, against them.
            edited_before = path in recorded and expected != recorded[path] == actual.get(path)
            if path in recorded and not edited_before:
                continue
            via_manifest.add(path)
            for lineno, rec in hits:
                check(path, expected, lineno, rec)
    for (path, kind), found in problems.items():
        lineno, rec, expected = found[0]
        ids = ", ".join(r.id for _, r, _ in found[:5]) + (" ..." if len(found) > 5 else "")
        source = "its run's manifest.json" if path in via_manifest else "the evidence"
        if kind == "file_missing" and (gone := purged.get(rec.run_id, {}).get(path.name)):
            message = (
                f"{path} was purged with sha256 {_short(gone)}, not the {_short(expected)} in "
                f"{source}: it changed before the purge (evidence {ids})"
            )
        elif kind == "file_missing" and shared and ORIGIN not in rec.run:
            # Written before records named their machine: it cannot be told from a run
            # another machine wrote into the team store.
            message = (
                f"{path} is missing, or written on another machine (its record predates "
                f"records naming their machine; hashed in {source}; evidence {ids})"
            )
        elif kind == "file_missing":
            message = f"{path} is missing (hashed in {source}; evidence {ids})"
        elif path in unreadable:
            message = f"{path} {unreadable[path]} (hashed in {source}; evidence {ids})"
        else:
            message = (
                f"{path} changed since the run was recorded (sha256 in {source} "
                f"{_short(expected)}, now {_short(actual[path])}; evidence {ids})"
            )
        report.issues.append(LedgerIssue(kind, message, lineno, rec.id))


def _results_place(rec: EvidenceRecord, ledger_path: Path) -> Path:
    """The results file a record names, resolved (``results_file``), unless it is a symbolic
    link: then the link, which :func:`link_words` names. Resolved, a link to a copy of the
    run's bytes was checked as the copy and passed."""
    written = ledger_path.parent / str(rec.run.get("results_path", ""))
    if not os.path.islink(written):
        return rec.results_file(ledger_path)
    try:
        return written.parent.resolve() / written.name  # its folder as results_file gives it
    except (RuntimeError, OSError):  # a folder on its way in a loop: as results_file says
        return rec.results_file(ledger_path)


def _manifest_hashes(manifest: Path) -> dict[str, str]:
    """Run-folder files and their SHA-256 as the manifest records them (cases, responses,
    results); empty when the manifest is unreadable (that is reported as a changed file)."""
    try:
        data = read_run_object(manifest)
    except UsageError:  # a pipe in its place too: read, it would never end
        return {}
    out: dict[str, str] = {}
    if not isinstance(data, dict):
        return out
    for key in MANIFEST_HASHED:
        ref = data.get(key)
        if isinstance(ref, dict) and isinstance(ref.get("path"), str) and ref.get("sha256"):
            rel = Path(ref["path"])
            if not rel.is_absolute() and ".." not in rel.parts:
                out[rel.as_posix()] = str(ref["sha256"])
    return out


def verify_ledger(
    ledger_path: Path = DEFAULT_LEDGER,
    *,
    check_files: bool = True,
    anchor: Path | None = None,
) -> VerifyReport:
    """Check the chain, the anchor(s) and (optionally) the run files; never raises on tampering.

    ``anchor`` is an external copy of a past ``.head`` file: the ledger must still contain that
    record with that hash (records appended since are fine).
    """
    ledger_path = Path(ledger_path)
    report = VerifyReport(ledger=ledger_path)
    team = team_ledger(ledger_path)
    entries = _read_with_anchors(ledger_path, report, team, anchor)
    report.entries = [record for _, record in entries]
    if check_files:
        _check_files(entries, ledger_path, report)
    else:
        report.purged = _purges_recorded(entries, ledger_path)
    return report


def _purges_recorded(entries: list[tuple[int, EvidenceRecord]], ledger_path: Path) -> list[str]:
    """The runs a purge record in the chain names (those another machine wrote into the team
    store passed over, as ``_check_files`` does), read from the records alone: ``register
    status`` checks no run file (hashing every one would cost a status seconds), and its
    privacy line said "0 run(s) purged" after every purge. Whether a purged file had changed
    before its purge is ``evidence verify``'s to tell, with the files."""
    from ..privacy.retention import purged_files_by_run

    records = [rec for _, rec in entries]
    elsewhere = records_elsewhere(records, ledger_path)
    return sorted(set(purged_files_by_run(records)) - set(elsewhere))


def _read_with_anchors(
    ledger_path: Path, report: VerifyReport, team: TeamLedger | None, anchor: Path | None
) -> list[tuple[int, EvidenceRecord]]:
    """The ledger's records, their chain and anchors checked into ``report``."""
    entries: list[tuple[int, EvidenceRecord]] = []
    rewritten: set[int] = set()
    upto, anchored, held = _as_of_now(ledger_path) if team is None else (None, False, None)
    snapshot, head = team.snapshot() if team is not None else (None, None)
    lines: Iterable[tuple[int, str, EvidenceRecord | None]] = snapshot or ()
    reading: ledger_prefix.Reading | None = None
    checked = 0  # the records at the start whose own checks passed before (a kept prefix)
    if snapshot is None:
        check_ledger_file(ledger_path)
        reading = ledger_prefix.Reading()
        kept = ledger_prefix.unchanged(ledger_path, upto) if upto else None
        if kept is not None:
            entries, checked = list(kept.entries), len(kept.entries)
            reading.digest, reading.end = kept.digest.copy(), kept.size
        lines = (
            file_lines(
                ledger_path,
                upto,
                start=kept.size if kept else 0,
                lineno=kept.lines if kept else 0,
                reading=reading,
            )
            if ledger_path.exists()
            else ()
        )
    for lineno, raw, record in lines:
        if record is None:
            what = "an empty line" if not raw.strip() else "not a valid evidence record"
            report.issues.append(
                LedgerIssue("corrupt", f"{what} (a torn write or a hand edit)", lineno)
            )
            continue
        # The hash covers the parsed record: only the bytes show a line rewritten to parse
        # the same (every writer writes ``to_line``, the record's canonical JSON).
        if raw + "\n" != record.to_line():
            rewritten.add(lineno)
        entries.append((lineno, record))
    report.records = len(entries)
    report.head = entries[-1][1].hash if entries else None
    unreadable = [i.line for i in report.issues if i.kind == "corrupt" and i.line is not None]
    _check_chain(entries, report, unreadable, rewritten, checked=checked)
    if reading is not None:
        if report.kinds() & {"corrupt", "edited"}:
            ledger_prefix.forget(ledger_path)
        else:  # every record read passed its own checks
            ledger_prefix.keep(ledger_path, reading, entries, entries[-1][0] if entries else 0)
    going_back = recorded_going_back([record for _, record in entries])
    if going_back is not None:
        report.warnings.append(going_back)
    local_anchor = anchor_path(ledger_path)
    if head is not None:
        _check_anchor(entries, Path("evidence_head"), report, exact=True, text=head)
    elif team is not None and entries:
        report.issues.append(
            LedgerIssue("anchor", "the team store has records but no evidence_head row")
        )
    elif anchored:
        _check_anchor(entries, local_anchor, report, exact=True, held=held, read=True)
    elif entries:
        report.warnings.append(
            f"no anchor file ({local_anchor.name}): removal of the last records cannot be "
            "detected; once the chain verifies, create it with: "
            "assurance evidence verify --repair-anchor"
        )
    if anchor is not None:
        _check_anchor(entries, Path(anchor), report, exact=False)
    return entries


def _as_of_now(ledger_path: Path) -> tuple[int, bool, tuple[int, str] | None]:
    """The ledger file's size, whether its ``.head`` anchor is there, and what
    ``read_anchor`` reads of it, as of one moment, under the ledger's lock: an append
    writes its lines, then moves the anchor, under it. Read apart, an append between the two
    (a run finishing beside a verify) left the anchor past the records read: "records
    removed", exit 1. The lock is held for a stat and the anchor's few bytes, not for the
    parse of every record (seconds at 50,000), which would keep runs waiting to append."""
    local_anchor = anchor_path(ledger_path)
    with reading_locked(ledger_path):
        try:
            size = ledger_path.stat().st_size
        except OSError:  # none (nothing to read), or not readable: iter_lines says which
            size = 0
        if not local_anchor.exists():
            return size, False, None
        return size, True, read_anchor(local_anchor)
