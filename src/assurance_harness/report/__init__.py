"""Run reports: self-contained HTML, Markdown, JSON and JUnit XML, written into the run directory.

``write_reports(run_dir)`` is cheap to import; the renderers (Jinja2, matplotlib) load only
when a report is written.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

__all__ = ["FORMATS", "write_reports"]

FORMATS = ("html", "md", "json", "junit")


def write_reports(
    run_dir: Path | str,
    formats: Iterable[str] = FORMATS,
    *,
    out_dir: Path | str | None = None,
) -> dict[str, Path]:
    """Write the run's reports (default: all four) and return format -> path.

    Files go into the run directory unless ``out_dir`` is given: report.html, report.md,
    report.json, junit.xml. Raises :class:`~assurance_harness.errors.UsageError` for a
    directory without summary.json or an unknown format.
    """
    from .writer import write_reports as _write

    return _write(run_dir, formats, out_dir=out_dir)
