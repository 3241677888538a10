"""Write a run's reports into its directory (report.html, report.md, report.json, junit.xml)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from ..errors import RunFailedError, UsageError
from ..store.files import write_files_together
from .context import build_context
from .rundata import RunData, load_run

FILE_NAMES = {
    "html": "report.html",
    "md": "report.md",
    "json": "report.json",
    "junit": "junit.xml",
}


def _write_together(target_dir: Path, texts: dict[Path, bytes]) -> None:
    """Readers (a CI upload step, a browser) never see a half-written report, nor a folder of
    reports part new and part old: all are written before any replaces its old one (a disk
    that fills at the third keeps the old set whole)."""
    target_dir.mkdir(parents=True, exist_ok=True)
    write_files_together(texts)


def parse_formats(formats: Iterable[str] | str) -> list[str]:
    """``"html,md"`` or ``["html", "md"]`` -> validated, de-duplicated list."""
    items = formats.split(",") if isinstance(formats, str) else list(formats)
    out: list[str] = []
    for item in (i.strip().lower() for i in items):
        if not item:
            continue
        item = {"markdown": "md", "xml": "junit"}.get(item, item)
        if item not in FILE_NAMES:
            raise UsageError(f"unknown report format '{item}'; formats: {', '.join(FILE_NAMES)}")
        if item not in out:
            out.append(item)
    if not out:  # writing nothing and saying nothing would read as done
        raise UsageError(f"--format names no format; give one or more of: {', '.join(FILE_NAMES)}")
    return out


def _not_the_runs_files(run: RunData) -> str | None:
    """Why the rows or the summary a report would be made from are not those the run wrote
    (results.jsonl lost, cut short or edited; summary.json edited), or cannot be checked to be
    (no manifest.json), or None where they are. A
    results file a recorded retention purge deleted is the run's state, not damage: the purge
    deleted the reports with it, so any there now were made without the rows too."""
    missing = run.results_missing()
    if missing is not None:
        name = run.results_path.name
        purged = run.purges is not None and name in run.purges.notes
        return None if purged else missing
    return run.results_changed() or run.summary_changed() or run.manifest_missing()


def _keep_reports_of_the_runs_rows(run: RunData, target_dir: Path, chosen: list[str]) -> None:
    """Refuse to replace the reports in the run's own folder from files that are not the
    run's: those reports were written from its own rows when it finished, and hold its worst
    cases' prompts and responses (once results.jsonl is lost, the only copy left); replaced,
    they would be gone, or show figures nobody measured under the run's name. A report
    elsewhere (``--out``), or where the run has none yet, loses nothing and is written."""
    try:
        own = target_dir.resolve() == run.run_dir.resolve()
    except OSError:
        own = False
    if not own:
        return
    present = [FILE_NAMES[f] for f in chosen if (target_dir / FILE_NAMES[f]).is_file()]
    if not present:
        return
    why = _not_the_runs_files(run)
    if why is None:
        return
    raise RunFailedError(
        f"{why}; {', '.join(present)} in {target_dir} were written from the run's own files "
        "and would be replaced by reports without them, so nothing was written: write these "
        "reports elsewhere with --out DIR"
    )


def write_reports(
    run_dir: Path | str,
    formats: Iterable[str] = ("html", "md", "json", "junit"),
    *,
    out_dir: Path | str | None = None,
    warn: Callable[[str], None] | None = None,
    ledger: Path | None = None,
) -> dict[str, Path]:
    """Render the requested formats; returns format -> written path. ``warn`` receives what
    the reader had to leave out (results lines that are no result rows), for the terminal;
    the reports say it too. ``ledger``: the evidence ledger whose purge records say whether a
    results file that is gone was purged under the retention policy (``register.purges``);
    without it, a gone file is said to be deleted or purged."""
    chosen = parse_formats(formats)
    run = load_run(run_dir)
    if ledger is not None:
        from ..register.purges import note_purges

        note_purges(run, ledger)
    misnamed = run.misnamed()
    if misnamed is not None:  # another run's report, written under this one's name
        raise RunFailedError(f"{misnamed}; no report was written")
    target_dir = Path(out_dir) if out_dir is not None else run.run_dir
    _keep_reports_of_the_runs_rows(run, target_dir, chosen)
    context = build_context(run)
    if warn is not None and context.skipped_note:
        warn(context.skipped_note)
    if warn is not None and context.changed_note:
        warn(context.changed_note)
    if warn is not None and context.summary_changed_note:
        warn(context.summary_changed_note)
    if warn is not None and context.manifest_missing_note:
        warn(context.manifest_missing_note)
    if warn is not None:
        for line in context.reviews_left_out:
            warn(f"reviewed figures {line}")
    texts: dict[Path, bytes] = {}
    written: dict[str, Path] = {}
    for fmt_name in chosen:
        if fmt_name == "html":
            from .html import render_html

            text = render_html(run, context=context)
        elif fmt_name == "md":
            from .markdown import render_markdown

            text = render_markdown(run, context=context)
        elif fmt_name == "json":
            from .json_export import render_json

            text = render_json(run, context=context)
        else:
            from .junit import render_junit

            text = render_junit(run, context=context)
        path = target_dir / FILE_NAMES[fmt_name]
        texts[path] = text.encode("utf-8")
        written[fmt_name] = path
    _write_together(target_dir, texts)
    return written
