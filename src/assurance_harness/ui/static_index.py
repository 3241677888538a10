"""``reports/index.html``: one static page linking every run's report, for people who do not
start a server (``make demo`` writes it). Self-contained, no script, text escaped."""

from __future__ import annotations

import os
from pathlib import Path

from markupsafe import escape

STYLE = (
    "body{font:14px/1.45 system-ui,sans-serif;margin:1.5rem}table{border-collapse:collapse}"
    "th,td{border:1px solid #d6d6df;padding:.25rem .5rem;text-align:left}th{background:#f1f1f6}"
    ".passed{background:#dff5e3}.gates_failed,.run_failed{background:#fde2e1}"
)


def write_index(reports: Path | str) -> Path:
    from ..store.files import output_faults, write_text_atomic
    from ..store.index import open_index
    from ..store.runread import locate_run_dir

    reports = Path(reports)
    index = open_index(reports / "runs.db")  # a runs.db that cannot be read: one StoreError
    runs = [] if index is None else index.list_runs()
    rows = []
    for r in runs:
        run_dir = locate_run_dir(r["run_dir"], reports) or reports / str(r["run_id"])
        report = run_dir / "report.html"
        link = Path(os.path.relpath(report.resolve(), reports.resolve())).as_posix()
        name = escape(r["run_id"])
        cell = f'<a href="{escape(link)}">{name}</a>' if report.exists() else f"{name} (no report)"
        rows.append(
            f"<tr><td>{cell}</td><td>{escape(r['suite'])}</td><td>{escape(r['target_name'] or '')}"
            f'</td><td class="{escape(r["status"])}">{escape(r["status"])}</td>'
            f"<td>{escape(r['started_at'] or '')}</td><td>{r['gates_passed']}</td>"
            f"<td>{r['gates_failed']}</td></tr>"
        )
    html = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'\">"
        f"<title>Assurance runs</title><style>{STYLE}</style></head><body>"
        f"<h1>Assurance runs ({len(runs)})</h1>"
        "<p>Each run's report; <code>assurance ui</code> serves the same runs with filters, "
        "comparisons, trends, the register and the review queue.</p>"
        "<table><tr><th>run</th><th>suite</th><th>target</th><th>status</th><th>started</th>"
        "<th>gates passed</th><th>failed</th></tr>" + "".join(rows) + "</table></body></html>\n"
    )
    path = reports / "index.html"
    with output_faults(reports, kind="folder", option="--reports"):  # a file there: exit 2
        reports.mkdir(parents=True, exist_ok=True)
        write_text_atomic(path, html)
    return path
