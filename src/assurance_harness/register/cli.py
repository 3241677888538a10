"""``assurance register ...`` and ``assurance evidence ...`` (added to the main CLI in
``assurance_harness.cli``).

Terminal output goes through :mod:`assurance_harness.console` (never markup, control
characters made visible), so model output cannot restyle or clear the terminal. Exit codes: 0 ok;
1 the evidence failed verification (from every view of the ledger: status, show, export, soa,
list, pack; or, with ``--strict``, a risk is not verified); 2 usage or config error; 3 a step
failed (a ledger the disk cannot hold, a run file changed while a pack was written, a run whose
rows a recorded retention purge deleted given to ``evidence attach``).
"""

import datetime as dt
import json
import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.text import Text

from .. import workspace
from ..cli_options import not_stdout, reports_folder
from ..console import err, out, print_error, print_warning, term
from ..console import user_errors as _errors
from ..errors import SHOWN_ISSUES, UsageError, more_problems
from ..formatting import MISSING
from ..store.files import (
    check_output_file,
    check_output_folder,
    output_faults,
    write_output,
)
from ..workspace import Workspace

if TYPE_CHECKING:
    from .drilldown import RiskDetail
    from .ledger import VerifyReport
    from .status import RegisterStatus

register_app = typer.Typer(
    help="The AI risk register: status from evidence, views, exchange, Statement of Applicability.",
    no_args_is_help=True,
)
evidence_app = typer.Typer(
    help="The evidence ledger: attach runs, verify integrity, pack an impact-assessment annex.",
    no_args_is_help=True,
)

STATUS_STYLE = {
    "verified": "green",
    "failing": "red",
    "awaiting review": "magenta",
    "stale": "yellow",
    "untested": "dim",
}
VERDICT_STYLE = {"pass": "green", "fail": "red", "no_data": "yellow", "no_gate": "yellow"}


RegisterOpt = Annotated[Path, typer.Option("--register", help="Risk register YAML file.")]
ReportsOpt = Annotated[
    Path, typer.Option("--reports", help="Directory of run folders.", callback=reports_folder)
]
LedgerOpt = Annotated[
    Path | None,
    typer.Option("--ledger", help="Evidence ledger (default: <reports>/evidence/ledger.jsonl)."),
]
NowOpt = Annotated[
    str | None,
    typer.Option(
        "--now", help="Compute freshness as of this ISO time (default: now).", hidden=True
    ),
]

DEFAULT_REGISTER = workspace.DEFAULT_REGISTER
DEFAULT_REPORTS = Path("reports")


def _ledger(ledger: Path | None, reports: Path) -> Path:
    return Workspace.at(reports, ledger=ledger).ledger


def _ledger_to_read(ledger: Path | None, reports: Path) -> Path:
    """The ledger a view reads. One named by --ledger that is not there (nor its anchor, which
    would make a deleted ledger's records show as removed) is refused: read as an empty
    ledger, a mistyped path made every risk 'untested' and an annex without evidence, exit 0.
    The default ledger may be missing (no run was attached yet), but not a --reports folder
    named: a mistyped one did the same (``reports_to_read``, as ``review`` and ``ui``). The
    default folder not there yet is a new project, whose risks are all untested: the register
    is worth viewing before the first run."""
    path = _ledger(ledger, reports)
    if ledger is None:
        if reports != DEFAULT_REPORTS:
            from ..store.location import reports_to_read

            reports_to_read(reports)
        return path
    if path.exists():
        return path
    from .ledger import anchor_path
    from .ledger_store import check_ledger_file
    from .ledger_team import team_ledger

    if team_ledger(path) is not None:
        return path
    check_ledger_file(path)  # a symlink loop or a path through a file, named as such
    if not anchor_path(path).exists():
        raise UsageError(
            f"--ledger {ledger}: no such file; give the evidence ledger "
            "(default REPORTS/evidence/ledger.jsonl), or leave --ledger out"
        )
    return path


def _now(now: str | None) -> dt.datetime | None:
    if now is None:
        return None
    from .ledger import parse_time

    parsed = parse_time(now)
    if parsed is None:
        raise UsageError(f"--now: not an ISO 8601 time: {now}")
    return parsed


def _write_or_print(text: str, out_path: Path | None) -> None:
    if out_path is None:
        sys.stdout.write(text)
        return
    write_output(out_path, text)
    err.print(term(f"wrote {out_path}"))


FORMAT_NAMES = {"md": "Markdown", "html": "HTML", "csv": "CSV", "xlsx": "XLSX"}
"""What each --format of the register's views writes, for the --out suffix refusal."""


def _check_view_out(
    out_path: Path, format: str, register: Path, ledger: Path | None, reports: Path
) -> None:
    """Refuse an --out for a view (``export``, ``soa``) that would replace what it is read from
    (the owner's register, the one file the harness never edits, or the ledger) or whose suffix
    names another format than ``format`` writes (CSV in a .xlsx, Markdown in a .html)."""
    check_output_file(
        out_path,
        suffixes=(f".{format}",),
        writes=f"--format {format} writes {FORMAT_NAMES[format]}",
        reads=_view_inputs(register, ledger, reports),
    )


def _view_inputs(register: Path, ledger: Path | None, reports: Path) -> dict[str, Path]:
    """The files a register view reads, by option: never to be written over by its --out."""
    return {"--register": register, "--ledger": _ledger(ledger, reports)}


def _anchor_copy(anchor: Path | None) -> None:
    """Refuse an --anchor that cannot be an anchor copy (missing, a folder, a pipe, not an
    anchor's JSON) before verifying: verify would report it as tampering, exit 1, when the
    ledger is fine and the option names the wrong file."""
    if anchor is None:
        return
    from ..store.files import unreadable_reason
    from .ledger_store import read_anchor

    fix = "give the copy of ledger.jsonl.head you kept (see 'assurance evidence head')"
    reason = unreadable_reason(anchor)
    if reason is not None:
        raise UsageError(f"--anchor {anchor}: {reason.lower()}; {fix}")
    if read_anchor(anchor) is None:
        raise UsageError(f"--anchor {anchor}: not a ledger anchor; {fix}")


def _print_integrity(report: "VerifyReport", ledger_path: Path) -> None:
    """The ledger's problems, at most ``SHOWN_ISSUES`` one by one, as a configuration error's
    are: thousands of damaged lines would hide the first and the verdict. Each names where
    the records are (the team store's table when one is configured: the file at
    ``ledger_path`` is then never written, and a reader sent there found nothing)."""
    from .ledger_team import ledger_where

    where = ledger_where(ledger_path) if report.issues else str(ledger_path)
    for issue in report.issues[:SHOWN_ISSUES]:
        err.print(Text("tampered: ", style="bold red") + term(issue.format(where)), soft_wrap=True)
    if len(report.issues) > SHOWN_ISSUES:
        rest = len(report.issues) - SHOWN_ISSUES
        err.print(term(more_problems(rest, [where])), soft_wrap=True)
    for warning in report.warnings:
        print_warning(warning)


# ---------------------------------------------------------------------------------------------
# register


@register_app.command("status")
def status_cmd(
    register: RegisterOpt = DEFAULT_REGISTER,
    reports: ReportsOpt = DEFAULT_REPORTS,
    ledger: LedgerOpt = None,
    format: Annotated[str, typer.Option("--format", "-f", help="table, md or json.")] = "table",
    check_files: Annotated[
        bool, typer.Option("--check-files", help="Also re-hash the run files behind the evidence.")
    ] = False,
    strict: Annotated[
        bool, typer.Option("--strict", help="Exit 1 unless every risk is verified (for CI).")
    ] = False,
    now: NowOpt = None,
) -> None:
    """Per risk: verified, failing, stale or untested, with the evidence and review flags."""
    with _errors():
        from .status import build_status

        ledger_path = _ledger_to_read(ledger, reports)
        status = build_status(register, ledger_path, now=_now(now), check_files=check_files)
        if format == "md":
            from .markdown import render_status_md

            sys.stdout.write(render_status_md(status))
        elif format == "json":
            sys.stdout.write(json.dumps(status.to_dict(), indent=2) + "\n")
        elif format == "table":
            _status_table(status)
        else:
            raise UsageError(f"--format: unknown format '{format}'; use table, md or json")
        _print_integrity(status.integrity, ledger_path)
        if not status.integrity.ok:
            raise typer.Exit(1)
        if strict and any(r.status != "verified" for r in status.risks):
            raise typer.Exit(1)


def _status_table(status: "RegisterStatus") -> None:
    from rich.table import Table

    from ..formatting import when

    table = Table(title=f"AI risk register: {status.register.system.name}", title_justify="left")
    if status.identity is not None:
        out.print(term(f"System target: {status.identity.describe()}"))
    for column in ("risk", "title", "residual", "status", "last evidence", "why / for review"):
        table.add_column(column, overflow="fold")
    for rs in status.risks:
        why = term("\n".join(rs.reasons))
        for flag in rs.flags:
            why.append("\nreview: ", style="yellow")
            why.append_text(term(flag))
        table.add_row(
            term(rs.risk_id),
            term(rs.title),
            term(rs.risk.residual_rating if rs.risk else MISSING),
            term(rs.status.upper(), STATUS_STYLE[rs.status]),
            term(when(rs.last_evidence)),
            why,
        )
    out.print(table)
    counts = ", ".join(f"{n} {s}" for s, n in status.counts().items())
    out.print(term(f"{counts}. Drill down: assurance register show RISK_ID"))
    out.print(term(_privacy_line(status)))


def _privacy_line(status: "RegisterStatus") -> str:
    """The data-protection settings in force, so the register's reader sees them beside R-006."""
    info = status.privacy_settings()
    redaction = info["redaction"]
    assert isinstance(redaction, dict)
    days = info["retention_days"]
    return (
        f"Privacy policy {info['policy_version']}: redaction of stored text "
        + ("on" if redaction["enabled"] else "off")
        + ", retention "
        + (f"{days} days" if days else "not set")
        + ", transcripts in evidence packs "
        + ("included" if info["evidence_packs_include_transcripts"] else "excluded")
        + f"; {len(status.integrity.purged)} run(s) purged."
    )


@register_app.command("show")
def show_cmd(
    risk_id: Annotated[str, typer.Argument(help="Risk id, e.g. R-001.")],
    register: RegisterOpt = DEFAULT_REGISTER,
    reports: ReportsOpt = DEFAULT_REPORTS,
    ledger: LedgerOpt = None,
    format: Annotated[str, typer.Option("--format", "-f", help="text or md.")] = "text",
    runs: Annotated[int, typer.Option(help="Runs per suite to list.", min=1)] = 5,
    cases: Annotated[int, typer.Option(help="Worst cases per run to print.", min=0)] = 3,
    now: NowOpt = None,
) -> None:
    """A risk, its runs, their gates, and the worst scored responses (with results.jsonl lines)."""
    with _errors():
        from .drilldown import risk_detail
        from .status import build_status

        ledger_path = _ledger_to_read(ledger, reports)
        status = build_status(register, ledger_path, now=_now(now))
        detail = risk_detail(status, risk_id, limit_runs=runs, limit_cases=cases)
        if detail is None:
            known = ", ".join(r.risk_id for r in status.risks)
            raise UsageError(f"no risk '{risk_id}' in {register} or the ledger; known: {known}")
        if format == "md":
            from .markdown import render_risk_md

            sys.stdout.write(render_risk_md(detail))
        elif format == "text":
            _show_text(detail)
        else:
            raise UsageError(f"--format: unknown format '{format}'; use text or md")
        _print_integrity(status.integrity, ledger_path)
        if not status.integrity.ok:
            raise typer.Exit(1)


def _show_text(detail: "RiskDetail") -> None:
    from ..formatting import gate_rule, metric_figure, when

    rs = detail.status
    out.print(
        term(f"{rs.risk_id}: {rs.title}", "bold")
        + term("  ")
        + term(rs.status.upper(), STATUS_STYLE[rs.status])
    )
    for reason in rs.reasons:
        out.print(term(f"  {reason}"))
    for flag in rs.flags:
        out.print(term("  review: ", "yellow") + term(flag))
    if rs.risk is not None:
        risk = rs.risk
        out.print(
            term(
                f"  owner {risk.owner}; inherent {risk.inherent_rating} ({risk.inherent_score}), "
                f"residual {risk.residual_rating} ({risk.residual_score}); suites: "
                f"{'; '.join(map(str, risk.suites)) or 'none'}; "
                f"freshness {risk.freshness_days} days"
            )
        )
    if not detail.runs:
        out.print(term("  no runs have produced evidence for this risk"))
    shown_others = False
    for run in detail.runs:
        ok = run.results_note("hash ok")
        if not run.counted and not shown_others:
            shown_others = True
            out.print()
            out.print(term("Evidence from other targets (recorded with --evidence-for; "
                           "not counted in the status):", "yellow"))  # fmt: skip
        out.print()
        out.print(term(f"run {run.run_id} ({run.suite}) against {run.target}", "bold"))
        out.print(term(f"  results: {run.results_path} ({ok})"))
        for record in run.records:
            out.print(
                term(f"  {record.id} {when(record.evidence_time)} {record.gate_label}: ")
                + term(record.verdict, VERDICT_STYLE.get(record.verdict, ""))
                + term(
                    f"  {metric_figure(record.metric, beside=record.gate)}; "
                    f"{gate_rule(record.gate)}; "
                    f"model {record.target.get('model_version') or 'version not reported'}"
                )
            )
        for gate_id, why in run.no_case:
            out.print(term(f"  worst cases for {gate_id}: none: {why}"))
        for case in run.worst:
            out.print(term(f"  worst case {case.key} (results.jsonl line {case.line})", "bold"))
            out.print(term("    prompt:   ") + term(_clip(case.prompt)))
            response = case.response if case.response is not None else f"(error: {case.error})"
            out.print(term("    response: ") + term(_clip(response)))
            if case.incomplete:
                out.print(term(f"    {case.incomplete}", "yellow"))


def _clip(text: object, limit: int = 400) -> str:
    value = " ".join(str(text or "").split())
    return value if len(value) <= limit else value[: limit - 1] + "…"


@register_app.command("export")
def export_cmd(
    out_path: Annotated[
        Path, typer.Option("--out", "-o", callback=not_stdout, help="File to write.")
    ],
    format: Annotated[
        str | None,
        typer.Option("--format", "-f", help="md, html, csv or xlsx (default: from --out)."),
    ] = None,
    register: RegisterOpt = DEFAULT_REGISTER,
    reports: ReportsOpt = DEFAULT_REPORTS,
    ledger: LedgerOpt = None,
    now: NowOpt = None,
) -> None:
    """The register with its status as Markdown, HTML, CSV or XLSX.

    HTML is one self-contained page (with the SoA); XLSX has Risks, Evidence and SoA sheets for
    GRC tools. The format follows --out's extension unless --format is given. A ledger that
    fails verification is exported as it is, with exit 1, as 'register status' does."""
    with _errors():
        from .soa import build_soa
        from .status import build_status

        fmt = _export_format(out_path, format, _view_inputs(register, ledger, reports))
        _check_view_out(out_path, fmt, register, ledger, reports)
        status = build_status(register, _ledger_to_read(ledger, reports), now=_now(now))
        data: str | bytes
        if fmt == "md":
            from .markdown import render_status_md

            data = render_status_md(status)
        elif fmt == "html":
            from .html import render_status_html

            data = render_status_html(status, build_soa(status))
        elif fmt == "csv":
            from .exchange import export_csv

            data = export_csv(status)
        else:
            from .exchange import export_xlsx

            data = export_xlsx(status, build_soa(status))
        write_output(out_path, data)
        err.print(term(f"wrote {out_path} ({len(status.risks)} risks)"))
        _print_integrity(status.integrity, status.ledger_path)
        if not status.integrity.ok:
            # Written all the same (its integrity section says the ledger FAILED), but a
            # script exporting for an auditor must not read exit 0: 1, as 'register status'.
            raise typer.Exit(1)


def _export_format(out_path: Path, format: str | None, reads: dict[str, Path]) -> str:
    """--format, else the one --out's suffix names; one the export cannot write is refused
    naming the option the user gave (a mistyped --format, or the suffix of --out)."""
    if format is not None:
        if format not in FORMAT_NAMES:
            raise UsageError(f"--format: unknown format '{format}'; use md, html, csv or xlsx")
        return format
    suffixes = tuple(f".{name}" for name in FORMAT_NAMES)
    check_output_file(  # a folder, an input or another suffix, named as such (not "format ''")
        out_path,
        suffixes=suffixes,
        writes="register export writes Markdown, HTML, CSV or XLSX",
        reads=reads,
    )
    if not out_path.suffix:
        raise UsageError(
            f"--out {out_path}: has no suffix to choose the format by; give a file ending "
            ".md, .html, .csv or .xlsx, or --format"
        )
    return out_path.suffix.lstrip(".").lower()


@register_app.command("import")
def import_cmd(
    csv_path: Annotated[
        Path, typer.Argument(help="CSV exported by 'register export' or a GRC tool.")
    ],
    register: RegisterOpt = DEFAULT_REGISTER,
    out_path: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", callback=not_stdout, help="Write here instead of over --register."
        ),
    ] = None,
    replace: Annotated[
        bool, typer.Option("--replace", help="Drop risks that are not in the CSV.")
    ] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Validate and report only.")] = False,
) -> None:
    """Update the register's risks from a CSV file, after validating every row.

    Every bad cell is reported as file:line; nothing is written unless the whole file is valid.
    Computed columns (status, ratings, flags) are ignored; owner-set columns the CSV lacks
    keep the register's values. Comments in the YAML are not kept."""
    with _errors():
        from .exchange import dump_register_yaml, merge_risks, read_risks_csv
        from .loader import load_register
        from .status import NOT_IN_REGISTER

        if out_path is not None:  # the register's own path is the default, and allowed
            check_output_file(
                out_path,
                suffixes=(".yaml", ".yml"),
                writes="register import writes the register's YAML",
                reads={"the CSV to import": csv_path},
            )
        loaded = load_register(register)
        passed_over: list[str] = []
        computed: list[str] = []
        risks = read_risks_csv(
            csv_path, loaded.register, replace=replace, passed_over=passed_over, computed=computed
        )
        result = merge_risks(loaded.register, risks, mode="replace" if replace else "merge")
        target = out_path or register
        summary = (
            f"{len(result.added)} added, {len(result.updated)} updated, "
            f"{len(result.unchanged)} unchanged, {len(result.removed)} removed"
        )
        if passed_over:
            summary += (
                f"; passed over {', '.join(passed_over)}: {NOT_IN_REGISTER} (the export lists "
                "evidence naming it; add the risk to the register, or fix the suite's "
                "evidence_for)"
            )
        if computed:
            summary += (
                f"; its computed columns ({', '.join(computed)}) were not read: they are "
                "recomputed from the evidence each time (assurance register status)"
            )
        if dry_run:
            out.print(term(f"{csv_path}: valid; would write {target}: {summary}"))
            return
        # As any file a user names: through a link, its mode kept (write_output).
        write_output(
            target,
            dump_register_yaml(result.register),
            option="--out" if out_path else "--register",
        )
        out.print(term(f"wrote {target}: {summary}"))


@register_app.command("soa")
def soa_cmd(
    register: RegisterOpt = DEFAULT_REGISTER,
    reports: ReportsOpt = DEFAULT_REPORTS,
    ledger: LedgerOpt = None,
    format: Annotated[
        str, typer.Option("--format", "-f", help="table, md, html or csv.")
    ] = "table",
    out_path: Annotated[
        Path | None, typer.Option("--out", "-o", callback=not_stdout, help="File to write.")
    ] = None,
    now: NowOpt = None,
) -> None:
    """Statement of Applicability: Annex A controls and their technical evidence.

    Each ISO/IEC 42001:2023 Annex A control, the owner's decision from the register, and
    whether the ledger holds technical evidence for the risks that rely on it."""
    with _errors():
        from .soa import build_soa
        from .status import build_status

        if format not in ("table", "md", "html", "csv"):
            raise UsageError(f"--format: unknown format '{format}'; use table, md, html or csv")
        if out_path is not None and format == "table":
            raise UsageError(
                f"--out {out_path}: the table is only printed; give --format md, html or csv "
                "to write a file"
            )
        if out_path is not None:
            _check_view_out(out_path, format, register, ledger, reports)
        status = build_status(register, _ledger_to_read(ledger, reports), now=_now(now))
        rows = build_soa(status)
        if format == "md":
            from .markdown import render_soa_md

            _write_or_print(render_soa_md(rows, status), out_path)
        elif format == "html":
            from .html import render_soa_html

            _write_or_print(render_soa_html(rows, status), out_path)
        elif format == "csv":
            from .exchange import soa_csv

            _write_or_print(soa_csv(rows), out_path)
        elif format == "table":
            from rich.table import Table

            table = Table(
                title="Statement of Applicability (ISO/IEC 42001:2023 Annex A)",
                title_justify="left",
            )
            for column in ("control", "title", "applicable", "risks", "technical evidence", "note"):
                table.add_column(column, overflow="fold")
            for row in rows:
                style = {
                    "verified": "green",
                    "failing": "red",
                    "stale": "yellow",
                    "partial": "yellow",
                }.get(row.evidence, "dim")
                table.add_row(
                    term(row.control),
                    term(row.title),
                    term({True: "yes", False: "no", None: "not stated"}[row.applicable]),
                    term(", ".join(row.risks) or MISSING),
                    term(row.evidence_label, style),
                    term(row.note or MISSING),
                )
            out.print(table)
        else:
            raise UsageError(f"--format: unknown format '{format}'; use table, md, html or csv")
        _print_integrity(status.integrity, status.ledger_path)
        if not status.integrity.ok:  # written all the same, saying so, as 'register export'
            raise typer.Exit(1)


@register_app.command("schema")
def schema_cmd(
    out_path: Annotated[
        Path | None, typer.Option("--out", "-o", callback=not_stdout, help="File to write.")
    ] = None,
) -> None:
    """The JSON Schema of register files, for editor completion."""
    from .model import register_schema

    if out_path is not None:  # `-o register.yaml` replaced the register with its schema
        check_output_file(out_path, suffixes=(".json",), writes="register schema writes JSON")
    _write_or_print(json.dumps(register_schema(), indent=2) + "\n", out_path)


@register_app.command("validate")
def validate_cmd(register: RegisterOpt = DEFAULT_REGISTER) -> None:
    """Check the register file; print every problem as file:line."""
    with _errors():
        from .loader import validate_register

        loaded = validate_register(register)
        out.print(term(f"{register}: valid ({len(loaded.register.risks)} risks)"))


# ---------------------------------------------------------------------------------------------
# evidence


@evidence_app.command("attach")
def attach_cmd(
    runs: Annotated[list[str], typer.Argument(help="Run ids (or run directories).")],
    reports: ReportsOpt = DEFAULT_REPORTS,
    register: Annotated[
        Path | None,
        typer.Option(
            "--register",
            help="Also link risks that list the suite (default: "
            "register/risk_register.yaml if present).",
        ),
    ] = None,
    ledger: LedgerOpt = None,
    evidence_for: Annotated[
        str | None,
        typer.Option(
            "--evidence-for",
            metavar="SYSTEM",
            help="Attach a run made against another target than the register's system.target "
            "(kept under that target's identity; the system's status is unchanged).",
        ),
    ] = None,
) -> None:
    """Append finished runs' gate results to the evidence ledger.

    One record per risk and gate; attaching a run twice appends nothing. A run against a target
    that is not the register's system is refused unless --evidence-for names the system."""
    with _errors():
        from ..store.files import check_register_file
        from ..store.runlock import reading_run_folder
        from .ledger import attach_run
        from .ledger_team import ledger_where
        from .runfiles import resolve_run

        if register is not None:  # the one named must be read, not passed over
            check_register_file(register)
        register = Workspace.at(reports, register=register).register_if_present()
        ledger_path = _ledger(ledger, reports)
        known = _register_ids(register)
        for run in runs:
            run_dir = resolve_run(reports, run)
            notes: list[str] = []
            done: list[str] = []
            # Held shared: a --retry-errors starting meanwhile would rewrite the files whose
            # hashes and figures the records take, and the ledger would then fail verification.
            with reading_run_folder(run_dir, then="attach it"):
                records = attach_run(
                    run_dir,
                    register_path=register,
                    ledger_path=ledger_path,
                    evidence_for=evidence_for,
                    notes=notes,
                    done=done,
                )
            for note in notes:
                print_warning(f"{run_dir.name}: {note}")
            for line in done:
                out.print(term(f"{run_dir.name}: {line}"))
            if not records and done:
                continue
            if not records:
                out.print(
                    term(
                        f"{run_dir.name}: nothing to attach (already attached, the run "
                        "failed, or its suite names no risk)"
                    )
                )
                continue
            verdicts = ", ".join(f"{r.risk_id} {r.gate_id}: {r.verdict}" for r in records)
            out.print(
                term(
                    f"{run_dir.name}: {len(records)} records ({records[0].id}.."
                    f"{records[-1].id}) -> {ledger_where(ledger_path)}: {verdicts}"
                )
            )
            unknown = sorted({r.risk_id for r in records} - known) if known is not None else []
            if unknown:
                err.print(term(f"warning: {', '.join(unknown)} not in {register}", "yellow"))


def _register_ids(register: Path | None) -> set[str] | None:
    if register is None or not register.exists():
        return None
    from .loader import load_register

    return {r.id for r in load_register(register).register.risks}


@evidence_app.command("verify")
def verify_cmd(
    reports: ReportsOpt = DEFAULT_REPORTS,
    ledger: LedgerOpt = None,
    files: Annotated[
        bool, typer.Option("--files/--no-files", help="Re-hash the run files each record names.")
    ] = True,
    anchor: Annotated[
        Path | None,
        typer.Option("--anchor", help="A copy of an earlier ledger.jsonl.head kept elsewhere."),
    ] = None,
    format: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
    repair_anchor: Annotated[
        bool,
        typer.Option(
            "--repair-anchor",
            help="Move ledger.jsonl.head to the last record, only when it is exactly one append "
            "behind a valid chain (a crash between the two writes of an append).",
        ),
    ] = False,
) -> None:
    """Check the ledger's hash chain, anchor and run files; exit 1 on tampering.

    Names every edited, deleted, inserted or reordered record by line and id, and every run
    file whose hash changed. With the team store, runs another machine wrote are listed as not
    on this machine: their chain is checked here, their files where they were written."""
    with _errors():
        from .ledger import anchor_path, verify_ledger
        from .ledger_store import check_ledger_file
        from .ledger_team import team_ledger

        if format not in ("text", "json"):
            raise UsageError(f"--format: unknown format '{format}'; use text or json")
        _anchor_copy(anchor)
        ledger_path = _ledger_to_read(ledger, reports)
        team = team_ledger(ledger_path)
        if team is None:
            check_ledger_file(ledger_path)  # a loop is not "no ledger yet"
        if team is None and not ledger_path.exists() and not anchor_path(ledger_path).exists():
            # With its anchor left, a missing ledger was deleted: verify reports the records
            # the anchor says it held as removed.
            raise UsageError(f"{ledger_path}: no ledger yet; attach a run first")
        if repair_anchor and team is not None:
            # Nothing wrong and nothing to do: the verification below says how the chain is
            # (exit 1 is for tampering, not for an anchor that cannot fall behind).
            out.print(
                term(
                    f"{team.where}: nothing to repair: the team store moves its anchor in the "
                    "same transaction as each append, so it is never behind"
                )
            )
        elif repair_anchor:
            from .ledger import repair_anchor as repair

            last = repair(ledger_path)
            out.print(
                term(
                    f"{ledger_path}.head: nothing to repair: it anchors the last record"
                    if last is None
                    else f"{ledger_path}.head: moved to {last.id} (seq {last.seq})"
                )
            )
        report = verify_ledger(ledger_path, check_files=files, anchor=anchor)
        _check_verdicts(report, reports, ledger_path)
        if format == "json":
            sys.stdout.write(json.dumps(report.to_dict(), indent=2) + "\n")
        else:
            _print_integrity(report, ledger_path)
            if report.purged:
                out.print(
                    term(
                        f"purged under the retention policy ({len(report.purged)} runs; their "
                        "payloads were deleted as recorded, not tampered with): "
                        + ", ".join(report.purged)
                    )
                )
            if report.elsewhere:
                from .run_origin import where_written

                out.print(
                    term(
                        f"not on this machine ({len(report.elsewhere)} runs: the chain covers "
                        "their records; verify their files where they were written): "
                        + ", ".join(
                            f"{run_id} ({where_written(origin)})"
                            for run_id, origin in report.elsewhere.items()
                        )
                    )
                )
            verdict = "OK" if report.ok else f"FAILED ({len(report.issues)} issues)"
            out.print(
                term(
                    f"{team.where if team else ledger_path}: {verdict}: {report.records} records, "
                    "head "
                    f"{(report.head or MISSING)[:16]}, {report.runs_checked} runs and "
                    f"{report.files_checked} files re-hashed",
                    "green" if report.ok else "bold red",
                )
            )
        if not report.ok:
            raise typer.Exit(1)


def _check_verdicts(report: "VerifyReport", reports: Path, ledger_path: Path) -> None:
    """Add to ``report`` the review verdicts in the run index that the ledger does not hold as
    stored (tampering: edited or inserted in ``runs.db``), and as warnings the ledger's review
    records no stored verdict names (``review.backing``)."""
    from ..review.backing import check_store, kept_in
    from ..store.location import open_database
    from .ledger_verify import LedgerIssue

    index = Workspace.at(reports).index
    unbacked, orphans = check_store(index, ledger_path)
    report.issues += [LedgerIssue("review_unbacked", u.describe()) for u in unbacked]
    where = kept_in(open_database(index)) if orphans else "runs.db"
    report.warnings += [
        f"{r.id}: review record (run {r.run_id}, row {(r.review or {}).get('row')}, "
        f"{(r.review or {}).get('reviewer')}) has no verdict in {where}: a verdict whose "
        f"store write failed (give it again) or a row deleted from {where}"
        for r in orphans
    ]


@evidence_app.command("head")
def head_cmd(reports: ReportsOpt = DEFAULT_REPORTS, ledger: LedgerOpt = None) -> None:
    """Print the ledger's anchor (last sequence number and head hash), its chain verified.

    Exit 1 when the hash chain does not verify. Keep a copy outside the ledger writers'
    reach and check against it later with 'evidence verify --anchor FILE'. The chain is
    checked first (the records, not the run files: 'evidence verify' re-hashes those), so no
    anchor of a tampered ledger is kept."""
    with _errors():
        from .ledger import anchor_path
        from .ledger_team import team_ledger

        team = team_ledger(_ledger_to_read(ledger, reports))
        if team is not None:  # the team store keeps the anchor in its evidence_head row
            head = team.head_text()
            if head is None:
                raise _no_anchor(
                    _ledger(ledger, reports),
                    f"{team.db.where} (evidence_head)",
                    then="its row was removed by hand (each append writes it)",
                )
            _chain_verifies(_ledger_to_read(ledger, reports))
            sys.stdout.write(head + "\n")
            return
        from ..store.files import read_bounded, unreadable_reason
        from .ledger_store import check_ledger_file

        check_ledger_file(_ledger(ledger, reports))  # not "no anchor yet" for a suite file
        path = anchor_path(_ledger(ledger, reports))
        if not path.exists():
            raise _no_anchor(
                _ledger(ledger, reports),
                str(path),
                then="once the chain verifies, --repair-anchor creates it again",
            )
        reason = unreadable_reason(path)  # a pipe there would be waited on for ever
        if reason is not None:
            raise UsageError(f"{path}: {reason.lower()}; see 'assurance evidence verify'")
        hint = "see 'assurance evidence verify'"
        text = read_bounded(path, str(path), hint=hint)
        _anchor_of_the_ledger(_ledger(ledger, reports), path, text)
        _chain_verifies(_ledger(ledger, reports))
        sys.stdout.write(text.decode("utf-8"))


def _chain_verifies(ledger: Path) -> None:
    """Exit 1, one line, where the ledger's hash chain does not verify (a record edited,
    deleted, inserted or reordered; the run files are not re-hashed, so this stays a read of
    the ledger): an anchor printed then would be kept as the copy that vouches for a ledger
    already tampered with. As 'evidence list', which checks the chain the same way."""
    from .ledger import verify_ledger
    from .ledger_team import ledger_where

    report = verify_ledger(ledger, check_files=False)
    if report.ok:
        return
    where = ledger_where(ledger)
    print_error(
        f"{where}: the hash chain does not verify ({len(report.issues)} issue(s), the first "
        f"{report.issues[0].format(where)}), so no anchor is printed to keep; see "
        "'assurance evidence verify'"
    )
    raise typer.Exit(1)


def _anchor_of_the_ledger(ledger: Path, path: Path, text: bytes) -> None:
    """Refuse to print an anchor file that is none (torn, emptied, edited) or that names
    another record than the ledger's last: the user keeps what 'evidence head' prints as the
    anchor 'evidence verify --anchor' checks against later, so a wrong one kept would make a
    later check refuse the copy or call an intact ledger rewritten."""
    from .evidence_record import EvidenceError
    from .ledger_store import last_record, parse_anchor

    way = "see 'assurance evidence verify' (its --repair-anchor writes the anchor again when "
    way += "the chain verifies)"
    try:
        seq, digest = parse_anchor(text)
    except (ValueError, KeyError, TypeError):
        raise UsageError(f"{path}: not a ledger anchor (torn, emptied or edited); {way}") from None
    try:
        last = last_record(ledger)
    except EvidenceError:
        last = None
    if last is None or (last.seq, last.hash) != (seq, digest):
        ends = f"ends at {last.id}" if last is not None else "does not end with a record"
        raise UsageError(
            f"{path}: anchors record {seq} (head {digest[:12]}), but {ledger} {ends}: not an "
            f"anchor to keep; {way}"
        )


def _no_anchor(ledger: Path, where: str, *, then: str) -> UsageError:
    """No anchor at ``where``: none yet for a new ledger; for one holding records it was lost
    (deleted by hand, or a file ledger older than anchors), and "attach a run first" would
    only hide that behind a fresh anchor: verify says what it means, ``then`` what follows."""
    from .ledger_store import iter_lines

    if next(iter_lines(ledger), None) is None:
        return UsageError(f"{where}: no anchor yet; attach a run first")
    return UsageError(
        f"{where}: no anchor, though the ledger holds records; run 'assurance evidence verify' "
        f"({then})"
    )


@evidence_app.command("list")
def list_cmd(
    reports: ReportsOpt = DEFAULT_REPORTS,
    ledger: LedgerOpt = None,
    risk: Annotated[str | None, typer.Option("--risk", help="Only this risk.")] = None,
    limit: Annotated[int, typer.Option(help="Newest N records.", min=1)] = 50,
) -> None:
    """The newest records in the ledger; exit 1 when it fails verification.

    The records are listed as they are and the problems go to stderr, as 'register status'
    does."""
    with _errors():
        from ..formatting import metric_figure, when
        from .ledger import read_ledger, verify_ledger

        path = _ledger_to_read(ledger, reports)
        skipped: list[int] = []
        records = [
            r
            for r in read_ledger(path, strict=False, skipped=skipped)
            if risk is None or r.risk_id == risk
        ][-limit:]
        from rich.table import Table

        table = Table(title_justify="left")
        for column in ("record", "risk", "run", "gate", "verdict", "value [CI] (n)", "observed"):
            table.add_column(column, overflow="fold")
        for r in records:
            table.add_row(
                term(r.id),
                term(r.risk_id),
                term(r.run_id),
                term(r.gate_label),
                term(r.verdict, VERDICT_STYLE.get(r.verdict, "")),
                term(metric_figure(r.metric, beside=r.gate)),
                term(when(r.evidence_time)),
            )
        out.print(table)
        if skipped:  # a listing that looks complete must not hide a record it could not read
            lines = ", ".join(f"{path}:{n}" for n in skipped[:5])
            more = f" and {len(skipped) - 5} more" if len(skipped) > 5 else ""
            print_warning(
                f"not listed, not a valid evidence record: {lines}{more}; run "
                "'assurance evidence verify' to see what was changed"
            )
        # A record whose verdict was edited lists as any other: only the chain tells.
        integrity = verify_ledger(path, check_files=False)
        _print_integrity(integrity, path)
        if not integrity.ok:
            raise typer.Exit(1)


@evidence_app.command("pack")
def pack_cmd(
    out_dir: Annotated[
        Path, typer.Option("--out", "-o", callback=not_stdout, help="Folder to write the annex to.")
    ],
    runs: Annotated[
        list[str] | None, typer.Argument(help="Run ids (or run directories) to include.")
    ] = None,
    run_opt: Annotated[
        list[str] | None,
        typer.Option("--run", help="Run id to include (repeatable; same as the arguments)."),
    ] = None,
    reports: ReportsOpt = DEFAULT_REPORTS,
    register: RegisterOpt = DEFAULT_REGISTER,
    ledger: LedgerOpt = None,
    include_transcripts: Annotated[
        bool | None,
        typer.Option(
            "--include-transcripts/--no-transcripts",
            help="Show the worst cases' prompts and responses (default: the privacy policy's "
            "evidence_packs_include_transcripts, off without one).",
        ),
    ] = None,
    mixed_targets: Annotated[
        bool,
        typer.Option(
            "--mixed-targets",
            help="Allow runs made against different targets in one annex (refused otherwise).",
        ),
    ] = False,
) -> None:
    """Write an impact-assessment annex for the given runs (RUN... as in 'evidence attach').

    annex.html (self-contained, plots inline), annex.md (plots beside it) and SHA256SUMS."""
    with _errors():
        from .annex import build_annex, write_annex

        run = [*(runs or []), *(run_opt or [])]
        if not run:
            raise UsageError("name the runs to pack: assurance evidence pack RUN_ID... --out DIR")
        command = _pack_command(run, out_dir, reports, register)
        ledger_path = _ledger_to_read(ledger, reports)
        annex = build_annex(
            run,
            reports=reports,
            register_path=register if register.exists() else None,
            ledger_path=ledger_path,
            command=command,
            include_transcripts=include_transcripts,
            mixed_targets=mixed_targets,
        )
        # The runs packed are known once the annex has found them (with those it adds).
        reads = {f"run {ar.run.run_id}": ar.run.dir for ar in annex.runs}
        check_output_folder(
            out_dir, reads={**reads, "the register": register, "the ledger": ledger_path}
        )
        with output_faults(out_dir, kind="folder"):
            written = write_annex(annex, out_dir)
        for name in written:
            out.print(term(f"wrote {out_dir / name}"))
        if annex.status is not None and not annex.status.integrity.ok:
            _print_integrity(annex.status.integrity, annex.status.ledger_path)
            raise typer.Exit(1)


def _pack_command(runs: list[str], out_dir: Path, reports: Path, register: Path) -> str:
    parts = ["assurance", "evidence", "pack", *runs]
    parts += ["--out", str(out_dir), "--reports", str(reports), "--register", str(register)]
    return " ".join(shlex.quote(p) for p in parts)
