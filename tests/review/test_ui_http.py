"""The web app over real HTTP on 127.0.0.1: every page renders model output as text under a
script-free content-security policy, POSTs need the CSRF token, and a verdict lands in the
ledger."""

from __future__ import annotations

import re
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import pytest

from assurance_harness.register.ledger import read_ledger, verify_ledger
from assurance_harness.ui.app import Settings

from .reviewkit import make_project
from .serve import serving


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory):
    project = make_project(tmp_path_factory.mktemp("ui"))
    first = project.run()
    second = project.run()
    settings = Settings(project.reports, project.register, project.ledger, reviewer="alice")
    with serving(settings) as base:
        yield project, first, second, base


def _opener() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))


def _get(opener: urllib.request.OpenerDirector, url: str) -> tuple[str, dict[str, str]]:
    with opener.open(url, timeout=30) as response:
        return response.read().decode("utf-8"), dict(response.headers)


def _pages(first: str, second: str) -> list[str]:
    q = urllib.parse.quote
    return [
        "/",
        "/?suite=review-demo&status=gates_failed",
        f"/runs/{q(first)}",
        f"/runs/{q(first)}?q=inject&verdict=queued",
        f"/compare?a={q(first)}&b={q(second)}",
        "/trend?suite=review-demo&metric=bad_rate",
        "/register",
        "/register/R-001",
        "/review",
        f"/review/{q(first)}/{q('c3#0')}",
    ]


def test_every_page_shows_the_hostile_reply_as_text_under_a_strict_policy(site) -> None:
    _, first, second, base = site
    opener = _opener()
    for page in _pages(first.run_id, second.run_id):
        html, headers = _get(opener, base + page)
        csp = headers["Content-Security-Policy"]
        assert "script-src" not in csp and "default-src 'none'" in csp, page
        assert "<script" not in html.lower(), page
        assert "onerror=" not in html.replace("onerror=&#34;", ""), page
    html, _ = _get(opener, f"{base}/review/{first.run_id}/{urllib.parse.quote('c3#0')}")
    assert "&lt;script&gt;document.title=" in html


def test_runs_are_filtered_and_rows_searchable(site) -> None:
    _, first, second, base = site
    opener = _opener()
    html, _ = _get(opener, base + "/?status=passed")
    assert first.run_id not in html
    html, _ = _get(opener, base + "/?suite=review-demo")
    assert first.run_id in html and second.run_id in html
    html, _ = _get(opener, f"{base}/runs/{first.run_id}?q=friend")
    assert "1 of 5 rows" in html
    html, _ = _get(opener, f"{base}/runs/{first.run_id}?score=kw.matched&group=a")
    assert "1 of 5 rows" in html and "c2#0" in html
    html, _ = _get(opener, base + "/trend?suite=review-demo&metric=bad_rate")
    assert "<svg" in html and html.count("<circle") == 2


def test_a_post_without_the_csrf_token_is_refused(site) -> None:
    _, first, _, base = site
    url = f"{base}/review/{first.run_id}/{urllib.parse.quote('c2#0')}"
    data = urllib.parse.urlencode({"decision": "agree", "reviewer": "mallory"}).encode()
    with pytest.raises(urllib.error.HTTPError) as info:
        _opener().open(urllib.request.Request(url, data=data), timeout=30)
    assert info.value.code == 403
    request = urllib.request.Request(base + "/", headers={"Host": "evil.example:80"})
    with pytest.raises(urllib.error.HTTPError) as info:
        _opener().open(request, timeout=30)
    assert info.value.code == 400


def test_a_verdict_through_the_form_lands_in_the_ledger(site) -> None:
    project, first, _, base = site
    opener = _opener()
    url = f"{base}/review/{first.run_id}/{urllib.parse.quote('c1#0')}"
    html, _ = _get(opener, url)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert token
    data = urllib.parse.urlencode(
        {"csrf_token": token.group(1), "decision": "true", "reviewer": "alice", "note": "rude"}
    ).encode()
    with opener.open(urllib.request.Request(url, data=data), timeout=30) as response:
        html = response.read().decode()
    assert "Saved: alice correct, label True" in html
    reviews = [r for r in read_ledger(project.ledger, reviews=True) if r.is_review]
    assert reviews[-1].review["row"] == "c1#0" and reviews[-1].review["note"] == "rude"
    assert verify_ledger(project.ledger).ok


def test_static_index_links_every_run(site, tmp_path: Path) -> None:
    from assurance_harness.ui.static_index import write_index

    project, first, second, _ = site
    path = write_index(project.reports)
    html = path.read_text(encoding="utf-8")
    assert f'href="{first.run_id}/report.html"' in html
    assert f'href="{second.run_id}/report.html"' in html
    assert "<script" not in html


def test_runs_filter_by_target_and_date(site) -> None:
    _, first, second, base = site
    opener = _opener()
    day = first.summary["started_at"][:10]
    html, _ = _get(opener, base + "/?target=review-target")
    assert first.run_id in html and second.run_id in html
    html, _ = _get(opener, base + "/?target=another-target")
    assert first.run_id not in html
    html, _ = _get(opener, f"{base}/?since={day}&until={day}")
    assert first.run_id in html and second.run_id in html
    html, _ = _get(opener, base + "/?until=2000-01-01")
    assert first.run_id not in html


def test_ui_binds_loopback_unless_told_and_warns_otherwise(monkeypatch, tmp_path: Path) -> None:
    """Issue 13 item 4: the app binds 127.0.0.1 by default; another address is a warning."""
    from aiohttp import web
    from typer.testing import CliRunner

    from assurance_harness.cli import app

    bound: list[str] = []
    monkeypatch.setattr(web, "run_app", lambda *_a, host, **_k: bound.append(host))
    runner = CliRunner()
    result = runner.invoke(app, ["ui", "--reports", str(tmp_path), "--reviewer", "alice"])
    assert result.exit_code == 0, result.output
    assert bound == ["127.0.0.1"] and "warning" not in result.output
    result = runner.invoke(
        app, ["ui", "--reports", str(tmp_path), "--reviewer", "alice", "--host", "0.0.0.0"]
    )
    assert result.exit_code == 0, result.output
    assert bound[-1] == "0.0.0.0" and "warning: binding 0.0.0.0" in result.output


def test_ui_takes_the_gil_switch_interval_of_the_app(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A page's thread holds the GIL while it works through a run's rows; every other thread
    (the event loop, a verdict's) waits the switch interval for it at each return from I/O:
    at Python's 5 ms a stylesheet took up to a second behind one run page."""
    import sys

    from aiohttp import web
    from typer.testing import CliRunner

    from assurance_harness.cli import app
    from assurance_harness.ui import allocator
    from assurance_harness.ui.app import SWITCH_INTERVAL_S

    seen: list[float] = []
    monkeypatch.setattr(allocator, "bound_arenas", lambda: True)  # not this test process's
    monkeypatch.setattr(web, "run_app", lambda *_a, **_k: seen.append(sys.getswitchinterval()))
    before = sys.getswitchinterval()
    try:
        result = CliRunner().invoke(app, ["ui", "--reports", str(tmp_path), "--reviewer", "a"])
    finally:
        sys.setswitchinterval(before)
    assert result.exit_code == 0, result.output
    assert seen == [SWITCH_INTERVAL_S] and SWITCH_INTERVAL_S <= 0.001


def test_ui_on_port_0_prints_the_port_it_bound(tmp_path: Path) -> None:
    """Was: ``assurance ui on http://127.0.0.1:0/``, an address nobody can open: the port the
    system chose was not said."""
    import subprocess

    from tests.testing.cli import cli_command

    proc = subprocess.Popen(
        cli_command("ui", "--port", "0", "--reports", tmp_path, "--reviewer", "alice"),
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stderr is not None
        line = proc.stderr.readline()
        found = re.search(r"assurance ui on (http://127\.0\.0\.1:(\d+))/", line)
        assert found and found.group(2) != "0", line
        with urllib.request.urlopen(found.group(1) + "/", timeout=30) as response:
            assert response.status == 200
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_a_malformed_request_is_one_line_in_the_server_log_not_a_traceback(
    tmp_path: Path,
) -> None:
    """Was: a request line over 8 KB, or a byte no URL may hold, answered 400 and printed
    aiohttp's whole traceback ("Error handling request from 127.0.0.1", LineTooLong) on the
    terminal that serves the app, once for every such request."""
    import socket
    import subprocess

    from tests.testing.cli import cli_command

    proc = subprocess.Popen(
        cli_command("ui", "--port", "0", "--reports", tmp_path, "--reviewer", "alice"),
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stderr is not None
        line = proc.stderr.readline()
        found = re.search(r"assurance ui on http://127\.0\.0\.1:(\d+)/", line)
        assert found, line
        for target in (b"/runs/" + b"a" * 9000, b"/runs/\xff\xfe"):
            with socket.create_connection(("127.0.0.1", int(found.group(1))), timeout=30) as s:
                s.sendall(b"GET " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                assert s.recv(100).startswith(b"HTTP/1.0 400"), target[:20]
    finally:
        proc.terminate()
        _, rest = proc.communicate(timeout=30)
    assert "Traceback" not in rest, rest[-2000:]
    lines = rest.strip().splitlines()
    assert len(lines) == 2 and all("400" in x and "127.0.0.1" in x for x in lines), lines


def test_a_page_that_crashes_is_one_line_and_a_saved_traceback_in_the_server_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bug in a page (aiohttp answers 500) is reported as every command reports one: a line
    naming the exception and the file its traceback was saved to, not the traceback."""
    import logging
    import sys
    import tempfile

    from assurance_harness.ui.serverlog import OneLineLog

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        info = sys.exc_info()
    record = logging.LogRecord(
        "aiohttp.server", logging.ERROR, __file__, 1, "Error handling request from %s",
        ("127.0.0.1",), info,
    )  # fmt: skip
    OneLineLog().emit(record)
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and "internal error" in lines[0] and "RuntimeError" in lines[0], lines
    assert "127.0.0.1" in lines[0]
    saved = list(tmp_path.glob("assurance-crash-*.txt"))
    assert saved and "Traceback" in saved[0].read_text() and str(saved[0]) in lines[0]


@pytest.mark.parametrize("host", ["", " "])
def test_an_empty_host_is_refused_not_every_interface(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, host: str
) -> None:
    """Was: ``--host ''`` (an unset variable) bound every interface, printing
    ``http://:8765/``."""
    from aiohttp import web
    from typer.testing import CliRunner

    from assurance_harness.cli import app

    monkeypatch.setattr(web, "run_app", lambda *_a, **_k: None)  # never serve here
    result = CliRunner().invoke(app, ["ui", "--reports", str(tmp_path), "--host", host])
    assert result.exit_code == 2, result.output
    assert "--host" in result.output and "0.0.0.0" in result.output, result.output


def test_an_index_into_reports_that_is_a_file_is_a_usage_error(tmp_path: Path) -> None:
    """Was: ``error: a-file: File exists``, exit 3. Refused by ``--reports`` itself, as every
    command refuses a file there: a real process, where the entry point makes it exit 2."""
    from tests.testing.cli import run_cli

    (tmp_path / "a-file").write_text("x")
    result = run_cli("ui", "--index", "--reports", "a-file", cwd=tmp_path, timeout=60)
    assert result.returncode == 2, result.stderr
    assert "error: --reports a-file: is a file, not a folder" in result.stderr, result.stderr


def test_a_client_gone_before_its_form_arrived_is_no_bug_report(tmp_path: Path) -> None:
    """Was: a POST whose client closed the connection before sending the body it announced
    (a closed tab, a killed script) logged "internal error ... a bug in assurance-harness ...
    please report it" and saved a crash file with the traceback."""
    import os
    import socket
    import subprocess
    import time

    from tests.testing.cli import cli_command

    crashes = tmp_path / "tmp"
    crashes.mkdir()
    proc = subprocess.Popen(
        cli_command("ui", "--port", "0", "--reports", tmp_path, "--reviewer", "alice"),
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "TMPDIR": str(crashes)},
    )
    try:
        assert proc.stderr is not None
        line = proc.stderr.readline()
        found = re.search(r"assurance ui on http://127\.0\.0\.1:(\d+)/", line)
        assert found, line
        with socket.create_connection(("127.0.0.1", int(found.group(1))), timeout=30) as s:
            s.sendall(
                b"POST /review/r/c1%230 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"Content-Type: application/x-www-form-urlencoded\r\n"
                b"Content-Length: 1000\r\n\r\ndecision=agree"
            )
            time.sleep(0.3)  # the server is reading the body when the client goes
        time.sleep(0.5)
    finally:
        proc.terminate()
        _, rest = proc.communicate(timeout=30)
    assert "internal error" not in rest and "Traceback" not in rest, rest[-2000:]
    assert not list(crashes.glob("assurance-crash-*")), rest[-2000:]
