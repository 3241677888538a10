"""The web app's compare page over a run whose summary.json is not the file its evidence in the
ledger hashed (edited with manifest.json rewritten to match): ``assurance compare`` gives it no
verdict (exit 3); the page compared the edited figures without a word."""

from __future__ import annotations

import hashlib
import html
import http.client
import json
import urllib.parse
from pathlib import Path

from assurance_harness.ui.app import Settings

from ..report.runfixtures import ledgered_runs
from .serve import serving


def _get(base: str, path: str) -> str:
    url = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(url.hostname or "", url.port, timeout=30)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        assert response.status == 200
        return response.read().decode("utf-8", errors="replace")
    finally:
        connection.close()


def _forge(run_dir: Path) -> Path:
    path = run_dir / "summary.json"
    summary = json.loads(path.read_text())
    for metric in summary["metrics"].values():
        metric["value"] = 0.0
    path.write_text(json.dumps(summary))
    manifest = json.loads((run_dir / "manifest.json").read_text())
    manifest["summary"]["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    (run_dir / "manifest.json").write_text(json.dumps(manifest))
    return path


def test_the_compare_page_gives_no_verdict_on_such_a_run(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    ledger = reports / "evidence" / "ledger.jsonl"
    ledgered_runs(reports)
    forged = _forge(reports / "run-1")
    settings = Settings(reports, tmp_path / "register.yaml", ledger, reviewer="alice")
    with serving(settings) as base:
        page = html.unescape(_get(base, "/compare?a=run-0&b=run-1"))
    assert "No verdict" in page, page
    assert str(forged) in page and "ledger" in page, page
