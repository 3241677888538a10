"""Write a run's reports into its directory (report.html, report.md, report.json, junit.xml)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from ..errors import RunFailedError, UsageError
from ..store.files import write_text_atomic
from .context import build_context
from .rundata import load_run

FILE_NAMES = {
    "html": "report.html",
    "md": "report.md",
    "json": "report.json",
    "junit": "junit.xml",
}


def _atomic_write(path: Path, text: str) -> None:
    """Readers (a CI upload step, a browser) never see a half-written report."""
    write_text_atomic(path, text, fsync=False)


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
    context = build_context(run)
    if warn is not None and context.skipped_note:
        warn(context.skipped_note)
    if warn is not None and context.changed_note:
        warn(context.changed_note)
    if warn is not None and context.summary_changed_note:
        warn(context.summary_changed_note)
    if warn is not None:
        for line in context.reviews_left_out:
            warn(f"reviewed figures {line}")
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
        _atomic_write(path, text)
        written[fmt_name] = path
    return written
