"""``reports/index.html``: one static page linking every run's report, for people who do not
start a server (``make demo`` writes it). Self-contained, no script, text escaped. It lists the
runs ``runs list`` lists (``store.runlisting``): a run killed before it finished is there as
``interrupted`` with the command that resumes it, not left out of a list that looks complete."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from markupsafe import escape

from ..formatting.pagetext import page_text

STYLE = (
    "body{font:14px/1.45 system-ui,sans-serif;margin:1.5rem}table{border-collapse:collapse}"
    "th,td{border:1px solid #d6d6df;padding:.25rem .5rem;text-align:left}th{background:#f1f1f6}"
    ".passed{background:#dff5e3}.gates_failed,.run_failed{background:#fde2e1}"
    ".interrupted{background:#fff1cc}"
)


def write_index(reports: Path | str) -> Path:
    from ..store.files import output_faults, write_text_atomic
    from ..store.index import open_index
    from ..store.runlisting import with_run_folders
    from ..store.runread import locate_run_dir

    reports = Path(reports)
    index = open_index(reports / "runs.db")  # a runs.db that cannot be read: one StoreError
    indexed = set() if index is None else index.run_ids()
    listing = with_run_folders([] if index is None else index.list_runs(), reports, indexed)
    runs = listing.rows
    rows = []
    notes = []
    for r in runs:
        run_dir = locate_run_dir(r["run_dir"], reports) or reports / str(r["run_id"])
        report = run_dir / "report.html"
        link = Path(os.path.relpath(report.resolve(), reports.resolve())).as_posix()
        name = escape(r["run_id"])
        cell = f'<a href="{escape(link)}">{name}</a>' if report.exists() else f"{name} (no report)"
        status = r["status"] + (" (not indexed)" if r.get("indexed") is False else "")
        rows.append(
            f"<tr><td>{cell}</td><td>{escape(r['suite'])}</td><td>{escape(r['target_name'] or '')}"
            f'</td><td class="{escape(r["status"])}">{escape(status)}</td>'
            f"<td>{escape(r['started_at'] or '')}</td>"
            f"<td>{_count(r, 'gates_passed')}</td><td>{_count(r, 'gates_failed')}</td></tr>"
        )
        if r.get("resume"):
            notes.append(
                f"<p>{name} did not finish; resume it with: "
                f"<code>{escape(page_text(r['resume']))}</code></p>"
            )
    notes += [f"<p>not listed: {escape(page_text(p))}</p>" for p in listing.unlisted]
    html = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'\">"
        f"<title>Assurance runs</title><style>{STYLE}</style></head><body>"
        f"<h1>Assurance runs ({len(runs)})</h1>"
        "<p>Each run's report; <code>assurance ui</code> serves the same runs with filters, "
        "comparisons, trends, the register and the review queue.</p>"
        "<table><tr><th>run</th><th>suite</th><th>target</th><th>status</th><th>started</th>"
        "<th>gates passed</th><th>failed</th></tr>"
        + "".join(rows)
        + "</table>"
        + "".join(notes)
        + "</body></html>\n"
    )
    path = reports / "index.html"
    with output_faults(reports, kind="folder", option="--reports"):  # a file there: exit 2
        reports.mkdir(parents=True, exist_ok=True)
        write_text_atomic(path, html)
    return path


def _count(row: dict[str, Any], figure: str) -> str:
    """A gate count of ``row``; ``?`` where the index lacks it (as ``runs list`` shows it),
    blank where the run has none yet (``store.runlisting.is_unfinished``)."""
    from ..store.runlisting import is_unfinished

    value = row[figure]
    if value is None:
        return "" if is_unfinished(row) else "?"
    return str(value)
