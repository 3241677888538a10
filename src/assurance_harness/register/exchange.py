"""Exchange with GRC tools: export the register (with computed status) to CSV and XLSX, and
import risks back from CSV with row-numbered validation errors.

List fields are one item per line inside the cell (``;`` is accepted on import when a cell has
no line breaks, so a single item holding a ``;`` is written with a line break after it). Cells
that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``, a tab, CR or NUL first)
are written with a leading ``'`` and read back without it, so a hostile title cannot become a
formula in someone's Excel; a cell that begins with ``'`` itself gets one more, so it reads
back as it was written. A cell left as the export wrote it keeps the register's value
(``_row_data``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import ValidationError

from ..errors import ConfigError, ConfigIssue
from ..formatting import gate_rule, metric_figure
from ..formatting.visible import visible
from ..store.files import NOT_REGULAR_FILE, check_utf8_lines, read_bounded
from .ledger import EvidenceRecord, VerifyReport, parse_time, read_ledger
from .model import CASE_CLASH_FIX, Register, Risk, RiskIds, SuiteLink, risk_id_clash
from .soa import SoaRow
from .status import LEDGER_FAILED, NOT_IN_REGISTER, RegisterStatus, RiskStatus

RISK_COLUMNS = [
    "id",
    "title",
    "description",
    "category",
    "owner",
    "likelihood",
    "impact",
    "residual_likelihood",
    "residual_impact",
    "controls",
    "treatment",
    "treatment_plan",
    "acceptance_criteria",
    "suites",
    "iso42001_annex_a",
    "nist_ai_rmf",
    "freshness_days",
    "last_reviewed",
    "notes",
]
"""Owner-set columns: what import reads."""

COMPUTED_COLUMNS = [
    "inherent_score",
    "inherent_rating",
    "residual_score",
    "residual_rating",
    "status",
    "status_reasons",
    "review_flags",
    "last_evidence",
    "evidence_runs",
]
"""Columns export adds and import ignores (they are recomputed, never imported)."""

LIST_FIELDS = {"controls", "suites", "iso42001_annex_a", "nist_ai_rmf"}
# A description or treatment plan pasted from a document can pass csv's default 128 KiB
# field limit (datasets raise it the same way, spec.datasets).
csv.field_size_limit(1 << 30)
# OWASP's list, and ASVS 5.0 1.2.10's NUL: a spreadsheet that drops it reads what follows.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\0")


_QUOTED = (*_FORMULA_START, "'")
"""What a defused cell's ``'`` stands before: a formula character, or a ``'`` the owner wrote
(``'=x`` written bare would read back as ``=x``)."""


def _defuse(value: str) -> str:
    return "'" + value if value.startswith(_QUOTED) else value


def _restore(value: str) -> str:
    return value[1:] if value.startswith("'") and value[1:].startswith(_QUOTED) else value


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        text = "\n".join(str(v) for v in value)
        # One item holding a ';' would be split there on import (a cell without a line
        # break is ';'-separated): the line break says it is one item.
        return text + "\n" if len(value) == 1 and ";" in text else text
    return str(value)


def risk_row(rs: RiskStatus) -> dict[str, str]:
    """One exported row: the owner's fields, then the computed ones."""
    row: dict[str, str] = {}
    risk = rs.risk
    data: dict[str, Any] = (
        risk.model_dump(mode="json") if risk else {"id": rs.risk_id, "title": rs.title}
    )
    if risk is not None:
        data["suites"] = [link.cell_text() for link in risk.suites]
    for column in RISK_COLUMNS:
        row[column] = _cell(data.get(column))
    runs = sorted({s.run_id for s in rs.suites if s.run_id})
    row.update(
        inherent_score=str(risk.inherent_score) if risk else "",
        inherent_rating=risk.inherent_rating if risk else "",
        residual_score=str(risk.residual_score) if risk else "",
        residual_rating=risk.residual_rating if risk else "",
        status=rs.status,
        # Computed from the runs' data (a failing group's name is metadata a dataset or model
        # gave): hidden characters as escapes, as every view writes them; never imported back.
        status_reasons=visible("\n".join(rs.reasons)),
        review_flags=visible("\n".join(rs.flags)),
        last_evidence=rs.last_evidence.isoformat() if rs.last_evidence else "",
        evidence_runs="\n".join(runs),
    )
    return row


def export_csv(status: RegisterStatus) -> str:
    """Risks with their computed status, one row each (CSV's own CRLF line ends); rendered
    whole, so the file is written at once and never left half-written (``write_output``)."""
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=RISK_COLUMNS + COMPUTED_COLUMNS)
    writer.writeheader()
    for rs in status.risks:
        writer.writerow({k: _defuse(v) for k, v in risk_row(rs).items()})
    return buffer.getvalue()


def evidence_rows(records: list[EvidenceRecord]) -> list[dict[str, Any]]:
    rows = []
    for r in records:
        metric = r.metric or {}
        rows.append(
            {
                "record": r.id,
                "seq": r.seq,
                "risk_id": r.risk_id,
                "verdict": r.verdict,
                "suite": r.suite_name,
                "suite_version": r.suite.get("version"),
                "suite_sha256": r.suite.get("sha256"),
                "gate": r.gate_id,
                "threshold": gate_rule(r.gate),
                "value": metric.get("value"),
                "ci_low": metric.get("ci_low"),
                "ci_high": metric.get("ci_high"),
                "n": metric.get("n"),
                "summary": metric_figure(r.metric, beside=r.gate),
                "run_id": r.run_id,
                "observed": r.run.get("finished_at"),
                "recorded_at": r.recorded_at,
                "target_fingerprint": r.target.get("fingerprint"),
                "model_version": r.target.get("model_version"),
                "results_path": r.run.get("results_path"),
                "results_sha256": r.run.get("results_sha256"),
                "hash": r.hash,
            }
        )
    return rows


def soa_rows(rows: list[SoaRow]) -> list[dict[str, Any]]:
    return [
        {
            "control": r.control,
            "title": r.title,
            "applicable": {True: "yes", False: "no", None: ""}[r.applicable],
            "justification": r.justification or "",
            "implementation": r.implementation or "",
            "testable": "yes" if r.technical else "no",
            "risks": "\n".join(r.risks),
            "technical_evidence": r.evidence_label,
            "runs": "\n".join(r.runs),
            "note": r.note,
        }
        for r in rows
    ]


def soa_csv(rows: list[SoaRow]) -> str:
    """The Statement of Applicability as CSV, its cells defused like the risks' export: the
    owner's justification and implementation are free text, opened in a spreadsheet."""
    buffer = io.StringIO()
    data = soa_rows(rows)
    writer = csv.DictWriter(buffer, fieldnames=list(data[0]))
    writer.writeheader()
    for row in data:
        writer.writerow({k: _defuse(v) for k, v in row.items()})
    return buffer.getvalue()


_XLSX_NUMBERS = {
    "likelihood",
    "impact",
    "residual_likelihood",
    "residual_impact",
    "freshness_days",
    "inherent_score",
    "residual_score",
    "seq",
    "value",
    "ci_low",
    "ci_high",
    "n",
}
_XLSX_DATES = {"last_evidence", "last_reviewed", "observed", "recorded_at"}
_XLSX_FILLS = {
    "verified": "DFF5E3",
    "pass": "DFF5E3",
    "failing": "FDE2E1",
    "fail": "FDE2E1",
    "awaiting review": "FFF1CC",
    "stale": "FFF1CC",
    "partial": "FFF1CC",
    "no_data": "FFF1CC",
    "untested": "E8E8EE",
    "no technical evidence": "E8E8EE",
}
_XLSX_STATUS_COLUMNS = {"status", "verdict", "technical_evidence"}


_XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
"""Characters a worksheet cannot hold (openpyxl's ILLEGAL_CHARACTERS_RE): register text and
what an endpoint reported may carry them; they are written as ``\\xNN``, as on the terminal."""


_XLSX_CELL_LIMIT = 32767
"""The most characters a worksheet cell holds (Excel's limit; openpyxl cuts a longer text to it
without a word)."""


def _xlsx_text(value: Any, *, whole_in: str) -> Any:
    """A cell's value as a worksheet can hold it: a list or mapping (a plugin's odd figure, as
    the ledger recorded it) as JSON text, control characters as ``\\xNN``, a text longer than a
    cell holds cut with a note saying where it is whole (``whole_in``)."""
    if isinstance(value, list | dict):
        value = json.dumps(value, ensure_ascii=False, default=str)
    if not isinstance(value, str):
        return value
    value = _XLSX_ILLEGAL.sub(lambda m: f"\\x{ord(m.group(0)):02x}", value)
    if len(value) <= _XLSX_CELL_LIMIT:
        return value
    note = f"… [cut: a cell holds {_XLSX_CELL_LIMIT} characters; {{}} characters more are in "
    note += f"{whole_in}]"
    kept = _XLSX_CELL_LIMIT - len(note.format(len(value)))
    return value[:kept] + note.format(len(value) - kept)


def _whole_in(sheet: str, header: str) -> str:
    """Where a cut cell's text is whole: the register file for what the owner wrote, else the
    ledger (the Evidence sheet) or the CSV export (what the status computed)."""
    if header in RISK_COLUMNS or header in ("justification", "implementation"):
        return "the register file"
    return "the ledger" if sheet == "Evidence" else "the CSV export (assurance register export)"


def _xlsx_value(header: str, value: Any) -> Any:
    """Numbers as numbers and timestamps as dates, so sorting and filtering work in Excel."""
    if value is None or value == "":
        return None
    if header in _XLSX_NUMBERS and isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return value
        return int(number) if number.is_integer() and "." not in value else number
    if header in _XLSX_DATES and isinstance(value, str):
        parsed = parse_time(value)
        # Excel has no time zones: UTC, said in the cell format.
        return parsed.astimezone(dt.UTC).replace(tzinfo=None) if parsed else value
    return value


def export_xlsx(status: RegisterStatus, soa: list[SoaRow]) -> bytes:
    """A workbook with three sheets: Risks (with status), Evidence (the ledger), SoA; numbers
    and dates typed, a filter on every sheet, statuses coloured. Its bytes: openpyxl saving to
    the file itself left an empty one on a full disk, and ZipFile's cleanup a traceback."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    workbook = Workbook()
    sheets: list[tuple[str, list[str], list[dict[str, Any]]]] = [
        ("Risks", RISK_COLUMNS + COMPUTED_COLUMNS, [risk_row(rs) for rs in status.risks]),
        (
            "Evidence",
            _EVIDENCE_HEADERS,
            _with_counts(
                _with_integrity(
                    evidence_rows(read_ledger(status.ledger_path, strict=False)),
                    status.integrity,
                ),
                status,
            ),
        ),
        ("SoA", _SOA_HEADERS, soa_rows(soa)),
    ]
    first = True
    for title, headers, rows in sheets:
        sheet = workbook.active if first else workbook.create_sheet()
        first = False
        assert sheet is not None
        sheet.title = title
        sheet.append(headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(
                [
                    _xlsx_text(_xlsx_value(h, row.get(h)), whole_in=_whole_in(title, h))
                    for h in headers
                ]
            )
        for cells in sheet.iter_rows(min_row=2):
            for cell, header in zip(cells, headers, strict=False):
                if isinstance(cell.value, dt.datetime):
                    cell.number_format = 'yyyy-mm-dd hh:mm "UTC"'
                # No colour on a record of a ledger that fails verification, nor on one the
                # status does not rest on: a green "pass" reads as evidence that counts (its
                # integrity and counts cells say why not).
                coloured = title != "Evidence" or (
                    status.integrity.ok and rows[cell.row - 2].get("counts") == "yes"
                )
                if coloured and header in _XLSX_STATUS_COLUMNS and str(cell.value) in _XLSX_FILLS:
                    colour = _XLSX_FILLS[str(cell.value)]
                    cell.fill = PatternFill("solid", fgColor=colour)
                if isinstance(cell.value, str):
                    # openpyxl treats a leading '=' as a formula; data is never a formula.
                    cell.data_type = "s"
                    if "\n" in cell.value:
                        cell.alignment = Alignment(wrap_text=True, vertical="top")
        for index, header in enumerate(headers, start=1):
            letter = sheet.cell(row=1, column=index).column_letter
            longest = max([len(header)] + [len(str(r.get(header) or "")[:60]) for r in rows])
            sheet.column_dimensions[letter].width = min(60, max(10, longest + 2))
        sheet.freeze_panes = "B2"
        sheet.auto_filter.ref = sheet.dimensions
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


_EVIDENCE_HEADERS = [
    "record", "seq", "risk_id", "verdict", "suite", "suite_version", "suite_sha256", "gate",
    "threshold", "value", "ci_low", "ci_high", "n", "summary", "run_id", "observed",
    "recorded_at", "target_fingerprint", "model_version", "results_path", "results_sha256",
    "hash", "integrity", "counts",
]  # fmt: skip


def _with_counts(rows: list[dict[str, Any]], status: RegisterStatus) -> list[dict[str, Any]]:
    """Each record's row with whether the risks' status rests on it ("yes"), else why not: an
    older run of the suite, another target, a risk the register lacks. The sheet lists every
    record of the ledger, and a reader filtering on a risk saw an older run's green pass beside
    the risk its latest run fails."""
    why: dict[str, str] = {}
    latest: dict[tuple[str, str], str] = {}
    for rs in status.risks:
        for suite in rs.suites:
            for record in suite.records:
                why[record.id] = "yes"
            if suite.run_id:
                latest[(rs.risk_id, suite.suite)] = suite.run_id
        for other in rs.elsewhere:
            for other_run in other.runs:
                for record in other_run:
                    why.setdefault(record.id, f"no: another target, {other.label}")
        if rs.risk is None:
            for suite in rs.suites:
                for record in suite.records:
                    why[record.id] = f"no: the register has no risk {rs.risk_id}"
    for row in rows:
        found = why.get(str(row.get("record")))
        if found is None:
            counted = latest.get((str(row.get("risk_id")), str(row.get("suite"))))
            found = (
                f"no: an older run; the status rests on run {counted}"
                if counted
                else "no: not a run the register's status reads"
            )
        row["counts"] = found
    return rows


def _with_integrity(rows: list[dict[str, Any]], report: VerifyReport) -> list[dict[str, Any]]:
    """Each record's row with what verification found: the Evidence sheet is the ledger's
    records as written, and an edited verdict reads as any other there unless its row says so
    (the workbook travels without the command's stderr)."""
    found: dict[str, list[str]] = {}
    for issue in report.issues:
        if issue.record_id:
            found.setdefault(issue.record_id, []).append(f"{issue.kind}: {issue.message}")
    for row in rows:
        own = found.get(str(row.get("record")))
        if report.ok:
            row["integrity"] = "ok"
        elif own:
            row["integrity"] = f"{LEDGER_FAILED}; this record: {'; '.join(own)}"
        else:
            row["integrity"] = (
                f"{LEDGER_FAILED} (found at other records): this one may have been altered too"
            )
    return rows


_SOA_HEADERS = [
    "control", "title", "applicable", "justification", "implementation", "testable", "risks",
    "technical_evidence", "runs", "note",
]  # fmt: skip


# ---------------------------------------------------------------------------------------------
# Import


@dataclass
class ImportResult:
    register: Register
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


def _split_list(value: str, *, lines: bool) -> list[str]:
    """A list cell's items: one a line where the cell had a line break (``lines``: before its
    ends were trimmed), else ``;``-separated."""
    parts = value.splitlines() if lines else value.split(";")
    return [p.strip() for p in parts if p.strip()]


_EMPTY = object()
"""What an empty cell reads as: the column's value cleared."""


def _read_cell(column: str, cell: str) -> Any:
    """What a cell of an owner-set column says: the value to validate, or ``_EMPTY``."""
    raw = _restore(cell.strip())
    if column == "suites":
        # One suite per line, "suite" or "suite: gate, gate".
        lines = (
            raw.splitlines()
            if "\n" in cell or "\r" in cell or ":" in raw or raw.startswith('"')
            else raw.split(";")
        )
        return [SuiteLink.parse(line) for line in lines if line.strip()]
    if column in LIST_FIELDS:
        return _split_list(raw, lines="\n" in cell or "\r" in cell)
    return raw if raw != "" else _EMPTY


def _exported_cell(column: str, value: Any) -> str:
    """The cell ``export_csv`` writes for a register's value (``model_dump(mode="json")``)."""
    if column == "suites":
        value = [SuiteLink.model_validate(link).cell_text() for link in value]
    return _defuse(_cell(value))


def _row_data(row: dict[str, str], columns: set[str], base: dict[str, Any]) -> dict[str, Any]:
    """The risk a row describes: ``base`` (the register's risk of that id, if any) with each
    owner-set column the CSV has in place of its value; an empty cell clears it. A column the
    CSV lacks (a GRC tool's export with fewer columns) keeps the register's value, and so does
    a cell that reads as the one the export wrote for it: a cell's ends are trimmed and a list
    is one item a line, so an unedited export otherwise rewrote a control written over two
    lines as two controls, and a text's final line break or an empty text as none."""
    data = dict(base)
    for column in RISK_COLUMNS:
        if column not in columns:
            continue
        value = _read_cell(column, row.get(column) or "")
        if column in base and value == _read_cell(column, _exported_cell(column, base[column])):
            continue
        if value is _EMPTY:
            data.pop(column, None)
        else:
            data[column] = value
    return data


def _read_csv_text(path: Path, source: str) -> str:
    """The file as UTF-8 text (Excel's byte-order mark dropped); a path that is no readable
    text file is one located ConfigError, and a pipe is refused rather than waited on."""
    if path.is_dir():
        raise ConfigError.single(source, "is a directory, not a CSV file")
    if path.exists() and not path.is_file():
        raise ConfigError.single(source, NOT_REGULAR_FILE)
    try:
        with path.open("rb") as handle:
            if handle.read(4) == b"PK\x03\x04":  # a zip file's first bytes
                raise ConfigError.single(
                    source, "an XLSX workbook, not a CSV file", line=1, hint=_SAVE_AS_CSV
                )
        hint = "a register's CSV holds a row a risk; split it"
        utf8 = 're-save it as UTF-8 (Excel: "CSV UTF-8")'
        check_utf8_lines(path, source, hint=utf8, line_hint=hint)
        return read_bounded(path, source, hint=hint).decode("utf-8-sig")
    except FileNotFoundError:
        raise ConfigError.single(source, "file not found", hint="check the path") from None
    except OSError as exc:
        raise ConfigError.single(source, f"cannot read the file: {exc.strerror}") from None


_SAVE_AS_CSV = (
    'save the risks as "CSV UTF-8 (Comma delimited)", or export them with '
    "'assurance register export --out FILE.csv'"
)
_OTHER_SEPARATORS = {";": "';'", "\t": "tabs"}


def _check_file_kind(text: str, headers: Sequence[str], source: str) -> None:
    """One line for a file that is no comma-separated CSV at all, in place of a line for each
    column the reading of its header found missing: an empty file, or a spreadsheet saved with
    ';' (Excel's "CSV" where ',' is the decimal comma) or tabs between cells."""
    if not text.strip():
        raise ConfigError.single(
            source, "the file is empty; it has no header row", line=1, hint=_SAVE_AS_CSV
        )
    if len(headers) != 1:
        return
    for separator, named in _OTHER_SEPARATORS.items():
        parts = {part.strip() for part in headers[0].split(separator)}
        if separator in headers[0] and set(RISK_COLUMNS) & parts:
            raise ConfigError.single(
                source,
                f"the cells are separated by {named}, not commas",
                line=1,
                hint=_SAVE_AS_CSV,
            )


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
"""The one form import reads a review date in: pydantic also took a number as a Unix time (a
cell ``0``, 1970-01-01) and a date and time, and said "invalid character in year" of
``15/01/2026``."""


def _cells_text(value: str | list[str] | None) -> str:
    """A ``DictReader`` row's value as text: a cell, the fields beyond the header (a list), or
    none (a field the row lacks)."""
    return "".join(value) if isinstance(value, list) else value or ""


def _unknown_risk_row(row: dict[str, str], current: Register | None) -> str | None:
    """The id of a row ``export_csv`` wrote for evidence naming a risk the register lacks (its
    title ``NOT_IN_REGISTER``, every other owner-set cell empty), else None: listed for the
    owner's review, it describes no risk, and read as one it failed on every required cell,
    the fix those lines suggested being to add a risk of that title."""
    risk_id = _restore((row.get("id") or "").strip())
    if _restore((row.get("title") or "").strip()) != NOT_IN_REGISTER:
        return None
    if current is not None and current.risk(risk_id) is not None:
        return None
    others = (row.get(column) for column in RISK_COLUMNS if column not in ("id", "title"))
    return risk_id if not any((cell or "").strip() for cell in others) else None


def read_risks_csv(
    path: Path,
    current: Register | None = None,
    *,
    replace: bool = False,
    passed_over: list[str] | None = None,
    computed: list[str] | None = None,
) -> list[Risk]:
    """Parse and validate every row; raise one ConfigError listing every bad cell. A row whose
    id is a risk of ``current`` keeps that risk's values of the columns the CSV lacks.
    ``replace``: the CSV's risks replace ``current``'s (``merge_risks``), so an id differing
    from one of ``current``'s only in case is a rename, not a second risk beside it.
    ``passed_over``: given, the ids of the export's rows for evidence naming a risk the
    register lacks (``_unknown_risk_row``), which are not imported. ``computed``: given, the
    CSV's computed columns (``COMPUTED_COLUMNS``), which are not read either: the command says
    so, as an owner who edited a status would otherwise read "unchanged" as accepted."""
    source = str(path)
    text = _read_csv_text(path, source)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    headers = reader.fieldnames or []
    _check_file_kind(text, headers, source)
    issues: list[ConfigIssue] = []
    known = set(RISK_COLUMNS) | set(COMPUTED_COLUMNS)
    if computed is not None:
        computed += [h for h in COMPUTED_COLUMNS if h in headers]
    for header in sorted({h for h in headers if headers.count(h) > 1}):
        issues.append(
            ConfigIssue(source, 1, header, "the column appears twice", "keep one of them")
        )
    for header in headers:
        if header not in known:
            issues.append(
                ConfigIssue(
                    source,
                    1,
                    header,
                    "unknown column",
                    f"owner-set columns: {', '.join(RISK_COLUMNS)}",
                )
            )
    for required in ("id", "title", "category", "owner", "likelihood", "impact"):
        if required not in headers:
            issues.append(ConfigIssue(source, 1, required, "required column is missing"))
    if issues:
        raise ConfigError(issues)
    risks: list[Risk] = []
    in_csv = RiskIds()
    in_register = RiskIds()
    for risk in current.risks if current and not replace else ():
        in_register.add(risk.id)
    start = 2
    for number, row in enumerate(reader, start=1):
        line = start
        start = reader.line_num + 1
        if not any(_cells_text(value).strip() for value in row.values()):
            continue  # every cell empty (rows deleted in a spreadsheet): no risk, nothing lost
        if None in row:  # DictReader's key for fields beyond the header's: never drop them
            extra = [row[headers[-1]] or "", *row[None]]
            issues.append(
                ConfigIssue(
                    source,
                    line,
                    None,
                    f"row {number}: {len(headers) + len(extra) - 1} fields, the header has "
                    f"{len(headers)}",
                    "quote a cell that holds a comma: " + json.dumps(",".join(extra)),
                )
            )
            continue
        if None in row.values():  # DictReader's value for fields the row lacks
            fields = sum(value is not None for value in row.values())
            issues.append(
                ConfigIssue(
                    source,
                    line,
                    None,
                    f"row {number}: {fields} fields, the header has {len(headers)}",
                    "a cut line? write every column; an empty cell clears the value",
                )
            )
            continue
        unknown = _unknown_risk_row(row, current)
        if unknown is not None:
            if passed_over is not None:
                passed_over.append(unknown)
            continue
        existing = current.risk(_restore((row.get("id") or "").strip())) if current else None
        base = existing.model_dump(mode="json", exclude_defaults=True) if existing else {}
        data = _row_data(row, set(headers), base)
        reviewed = data.get("last_reviewed")
        if isinstance(reviewed, str) and not _ISO_DATE.fullmatch(reviewed):
            issues.append(
                ConfigIssue(
                    source,
                    line,
                    "last_reviewed",
                    f"row {number}: {reviewed!r} is no date",
                    "write it YYYY-MM-DD (2026-01-15), as the export does; a spreadsheet may "
                    "have rewritten it in its region's form",
                )
            )
            continue
        try:
            risk = Risk.model_validate(data)
        except ValidationError as exc:
            for error in exc.errors():
                loc = list(error["loc"])
                column = str(loc[0]) if loc else None
                message = str(error["msg"]).removeprefix("Value error, ")
                if error["type"] == "missing":
                    message = "required value is empty"
                issues.append(ConfigIssue(source, line, column, f"row {number}: {message}"))
            continue
        clash = _clash(risk.id, in_csv, in_register)
        if clash is not None:
            issues.append(ConfigIssue(source, line, "id", f"row {number}: {clash[0]}", clash[1]))
            continue
        in_csv.add(risk.id, line)
        risks.append(risk)
    if issues:
        raise ConfigError(issues)
    if not risks:  # a spreadsheet filtered to nothing: with --replace, every risk deleted
        raise ConfigError.single(
            source,
            "no risk under the header (a row a risk); nothing was imported",
            line=2,
            hint="export the rows with 'assurance register export --out FILE.csv', or check "
            "the spreadsheet's filter before saving",
        )
    return risks


def _clash(risk_id: str, in_csv: RiskIds, in_register: RiskIds) -> tuple[str, str] | None:
    """Why a row's ``risk_id`` cannot be imported beside the rows before it and the register's
    risks, with the fix; None where it can (the register's own id is an update of that risk)."""
    earlier = in_csv.clash(risk_id)
    if earlier is not None:
        earlier_id, line = earlier
        if earlier_id == risk_id:
            return str(risk_id_clash(risk_id, earlier_id)), f"first used at line {line}"
        where = f" (line {line})"
    else:
        earlier = in_register.clash(risk_id)
        if earlier is None or earlier[0] == risk_id:
            return None
        earlier_id, where = earlier[0], " (in the register)"
    return str(risk_id_clash(risk_id, earlier_id)), CASE_CLASH_FIX.format(
        earlier=earlier_id, where=where
    )


def merge_risks(
    register: Register, risks: list[Risk], *, mode: Literal["merge", "replace"] = "merge"
) -> ImportResult:
    """Update risks by id and add new ones; ``replace`` also drops risks absent from the CSV."""
    incoming = {r.id: r for r in risks}
    result_risks: list[Risk] = []
    result = ImportResult(register=register)
    for risk in register.risks:
        if risk.id in incoming:
            new = incoming.pop(risk.id)
            (result.unchanged if new == risk else result.updated).append(risk.id)
            result_risks.append(new)
        elif mode == "replace":
            result.removed.append(risk.id)
        else:
            result_risks.append(risk)
    for risk in risks:
        if risk.id in incoming:
            result.added.append(risk.id)
            result_risks.append(risk)
    result.register = register.model_copy(update={"risks": result_risks})
    # Validate the whole register again (cross-field rules such as unique ids).
    Register.model_validate(result.register.model_dump())
    return result


def dump_register_yaml(register: Register) -> str:
    """YAML for a register written by import (comments in the original are not kept)."""
    data = register.model_dump(mode="json", exclude_defaults=True)
    data = {"register_version": 1, **data}
    for risk in data.get("risks", []):
        # A suite with every gate is written as its bare name, as people write it.
        risk["suites"] = [
            link["suite"] if set(link) == {"suite"} else link for link in risk.get("suites", [])
        ]
        if not risk["suites"]:
            del risk["suites"]
    header = (
        "# AI risk register. Written by 'assurance register import'; comments from the previous\n"
        "# version of this file are not kept. Status is computed, never stored here.\n"
    )
    return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
