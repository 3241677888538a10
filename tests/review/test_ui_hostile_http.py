"""The web app over real HTTP against requests a hostile local page or a careless hand could
send: a POST body that is no readable form, a verdict form with a value no page offers, a run
folder or register damaged while the app serves. None of them may end in a 500 (a traceback in
the server log); none may record a verdict nobody gave."""

from __future__ import annotations

import http.client
import re
import time
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from assurance_harness.register.ledger import read_ledger
from assurance_harness.ui.app import Settings

from .reviewkit import Project, make_project
from .serve import serving


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Project, str, str]]:
    project = make_project(tmp_path_factory.mktemp("ui-hostile"))
    run = project.run()
    settings = Settings(project.reports, project.register, project.ledger, reviewer="alice")
    with serving(settings) as base:
        yield project, run.run_id, base


def _request(
    base: str, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
) -> tuple[int, str, dict[str, str]]:
    url = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(url.hostname or "", url.port, timeout=30)
    try:
        connection.request(method, path, body=body or None, headers=headers or {})
        response = connection.getresponse()
        text = response.read().decode("utf-8", errors="replace")
        return response.status, text, dict(response.getheaders())
    finally:
        connection.close()


def _form_session(base: str, path: str) -> tuple[str, str]:
    """The CSRF token of the item page's form and the cookie that goes with it."""
    status, html, headers = _request(base, "GET", path)
    assert status == 200, html[:300]
    token = re.search(r'name="csrf_token" value="([^"]+)"', html)
    cookie = re.search(r"assurance_csrf=([^;]+)", headers.get("Set-Cookie", ""))
    assert token and cookie
    return token.group(1), cookie.group(1)


def _post_form(
    base: str, path: str, body: str, cookie: str, headers: dict[str, str] | None = None
) -> tuple[int, str]:
    """POST an urlencoded form with the CSRF cookie (and any further ``headers``)."""
    status, text, _ = _request(
        base,
        "POST",
        path,
        body.encode(),
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"assurance_csrf={cookie}",
            **(headers or {}),
        },
    )
    return status, text


def _reviews(project: Project) -> int:
    return sum(1 for r in read_ledger(project.ledger, reviews=True) if r.is_review)


def test_a_post_body_that_is_no_readable_form_is_a_400_not_a_500(
    site, caplog: pytest.LogCaptureFixture
) -> None:
    project, run_id, base = site
    path = f"/review/{urllib.parse.quote(run_id)}/{urllib.parse.quote('c2#0')}"
    token, cookie = _form_session(base, path)
    fields = f"csrf_token={token}&decision=agree&reviewer=alice".encode()
    urlencoded = "application/x-www-form-urlencoded"
    bodies = {
        "not UTF-8": (fields + b"&note=\xff\xfe", urlencoded),
        "unknown charset": (fields, urlencoded + "; charset=bogus"),
        "UTF-16 claimed": (fields, urlencoded + "; charset=utf-16"),
        "multipart without boundary": (fields, "multipart/form-data"),
        "multipart cut short": (
            b'--zz\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n' + token.encode(),
            "multipart/form-data; boundary=zz",
        ),
        "multipart part without a name": (
            b"--zz\r\nContent-Disposition: form-data\r\n\r\nx\r\n--zz--\r\n",
            "multipart/form-data; boundary=zz",
        ),
        "gzip that is not": (fields, urlencoded),
    }
    before = _reviews(project)
    caplog.set_level("ERROR", logger="aiohttp")
    for name, (body, content_type) in bodies.items():
        headers = {"Content-Type": content_type, "Cookie": f"assurance_csrf={cookie}"}
        if name.startswith("gzip"):
            headers["Content-Encoding"] = "gzip"
        status, text, _ = _request(base, "POST", path, body, headers)
        # 400 where the body cannot be read; a body that decodes into nonsense has no token: 403
        assert status in (400, 403), (name, status, text[:300])
        assert "Traceback" not in text and "Server got itself in trouble" not in text, name
    assert _reviews(project) == before
    # nor a traceback in the server's log: aiohttp drains a body after the answer and logs
    # what goes wrong there, so give it the moment that takes
    time.sleep(0.5)
    assert not [r for r in caplog.records if r.name.startswith("aiohttp")], caplog.text[:2000]


@pytest.mark.parametrize(
    "extra",
    [
        "decision=maybe",  # no such choice on the page: was recorded as "label False"
        "decision=agree&decision=false",  # two answers: the first was taken silently
        "decision=TRUE",
        "decision=",
    ],
)
def test_a_verdict_form_with_a_value_the_page_never_offers_records_nothing(site, extra) -> None:
    project, run_id, base = site
    path = f"/review/{urllib.parse.quote(run_id)}/{urllib.parse.quote('c2#0')}"
    token, cookie = _form_session(base, path)
    before = _reviews(project)
    status, html = _post_form(
        base, path, f"csrf_token={token}&reviewer=alice&note=x&{extra}", cookie
    )
    assert status == 400, (status, html[:300])  # refused input: never a 200
    assert 'id="saved"' not in html
    assert 'id="error"' in html and "decision" in html
    assert _reviews(project) == before


def test_a_file_sent_as_a_form_field_is_not_recorded_as_its_python_repr(site) -> None:
    project, run_id, base = site
    path = f"/review/{urllib.parse.quote(run_id)}/{urllib.parse.quote('c2#0')}"
    token, cookie = _form_session(base, path)
    parts = [("csrf_token", token, None), ("decision", "agree", None), ("reviewer", "alice", None)]
    parts.append(("note", "contents", "note.txt"))
    body = b""
    for name, value, filename in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        body += f"--zz\r\nContent-Disposition: {disposition}\r\n\r\n{value}\r\n".encode()
    body += b"--zz--\r\n"
    before = _reviews(project)
    status, text, _ = _request(
        base,
        "POST",
        path,
        body,
        {"Content-Type": "multipart/form-data; boundary=zz", "Cookie": f"assurance_csrf={cookie}"},
    )
    assert status == 400, (status, text[:300])
    assert 'id="saved"' not in text and 'id="error"' in text and "note" in text
    assert "FileField" not in text
    assert _reviews(project) == before  # was: the upload's repr recorded as the note


def _damaged_site(tmp_path: Path, *, reports: bool = False) -> tuple[Project, str]:
    """A project and its one run; ``reports``: with its report.html (only the run's report
    page reads it)."""
    project = make_project(tmp_path)
    run = project.run(reports=reports)
    return project, run.run_id


@pytest.mark.parametrize(
    ("file", "content"),
    [
        ("summary.json", b"\xff\xfe not UTF-8"),
        ("summary.json", b'{"run_id": "x", "metrics": {"m": 5}}'),
        ("summary.json", b'{"run_id": "x", "gates": "x"}'),
        ("manifest.json", b"{"),
        (
            "results.jsonl",  # appended: lines no runner writes, skipped like a torn line
            b'{"case_id": "c9", "sample": 0, "metadata": 5, "scores": [1], "prompt": 7}\n'
            b'{"case_id": "c8", "sample": "x", "error": "boom"}\n',
        ),
    ],
)
def test_a_run_folder_damaged_while_the_app_serves_is_named_not_a_500(
    tmp_path: Path, file: str, content: bytes
) -> None:
    project, run_id = _damaged_site(tmp_path)
    settings = Settings(project.reports, project.register, project.ledger, reviewer="alice")
    target = project.reports / run_id / file
    if file == "results.jsonl":
        content = target.read_bytes() + content
    target.write_bytes(content)
    with serving(settings) as base:
        pages = [f"/runs/{run_id}", "/trend?suite=review-demo&metric=bad_rate", "/trend"]
        pages += [f"/runs/{run_id}?score=kw.matched", f"/runs/{run_id}?verdict=error"]
        for page in pages:
            status, text, _ = _request(base, "GET", page)
            assert status != 500, (page, status, text[:300])
            assert "Traceback" not in text and "Server got itself in trouble" not in text
            if file == "results.jsonl" and page.startswith("/runs/"):
                # Lines appended make the results another file than the manifest's: the run's
                # page, measured again with the reviews, is refused and says why (503).
                assert status == 503 and "manifest.json" in text, (page, text[:300])
            elif file == "results.jsonl":
                assert status == 200 and "c9#0" not in text, (page, text[:300])
            elif page.startswith("/runs/"):
                assert file in text and "damaged" in text, text[:300]


def test_a_broken_register_or_an_unreadable_report_is_named_not_a_500(tmp_path: Path) -> None:
    project, run_id = _damaged_site(tmp_path, reports=True)
    settings = Settings(project.reports, project.register, project.ledger, reviewer="alice")
    project.register.write_text("risks: [\n", encoding="utf-8")
    report = project.reports / run_id / "report.html"
    report.unlink()
    report.mkdir()
    with serving(settings) as base:
        for page in ("/register", "/register/R-001", f"/runs/{run_id}/report.html"):
            status, text, _ = _request(base, "GET", page)
            assert status != 500, (page, status, text[:300])
            assert "Server got itself in trouble" not in text
        _, text, _ = _request(base, "GET", "/register")
        assert str(project.register) in text


@pytest.mark.parametrize("score", ["-kw", "-response", '"%099999999999999999999d" % 1'])
def test_a_score_filter_of_no_value_on_a_row_is_a_page_not_a_500(site, score: str) -> None:
    # The filter is typed by a person and not checked against field types, as a suite's are:
    # a sign on text or a mapping, or printf formatting, raised out of the page (a 500).
    _, run_id, base = site
    query = urllib.parse.urlencode({"score": score})
    status, text, _ = _request(base, "GET", f"/runs/{run_id}?{query}")
    assert status == 200, (score, status, text[:300])


def test_error_answers_carry_the_same_protective_headers_as_pages(site) -> None:
    """A 404 echoes the run id from the URL: without nosniff and the script-free policy, a
    browser that sniffs text/plain could run what a hostile link put there."""
    _, run_id, base = site
    hostile = urllib.parse.quote("<script>alert(1)</script>")
    for method, path, headers in [
        ("GET", f"/runs/{hostile}", {}),
        ("GET", f"/review/{hostile}/{hostile}", {}),
        ("GET", "/no-such-page", {}),
        ("GET", "/", {"Host": "evil.example"}),
        ("POST", f"/review/{urllib.parse.quote(run_id)}/x", {}),
    ]:
        status, _, answer = _request(base, method, path, headers=headers)
        assert status >= 400, path
        assert answer.get("X-Content-Type-Options") == "nosniff", (path, answer)
        assert "default-src 'none'" in answer.get("Content-Security-Policy", ""), (path, answer)
        assert answer.get("X-Frame-Options") == "DENY", (path, answer)


def test_ui_on_a_port_already_taken_or_an_unknown_host_is_one_line_exit_2(tmp_path: Path) -> None:
    """Was: 'internal error: OSError ... address already in use', exit 3 and a crash file."""
    import socket

    from tests.testing.cli import run_cli

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli("ui", "--reports", tmp_path, "--port", str(port), cwd=tmp_path, timeout=60)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith("error: ") and f"127.0.0.1:{port}" in lines[-1], lines
    assert "--port" in lines[-1] and "internal error" not in result.stderr
    result = run_cli("ui", "--reports", tmp_path, "--host", "no-such-host.invalid", timeout=60)
    assert result.returncode == 2, result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("error: ") and "no-such-host.invalid" in last, result.stderr
    assert "--host" in last and "internal error" not in result.stderr
    result = run_cli("ui", "--reports", tmp_path, "--port", "70000", timeout=60)
    assert result.returncode == 2 and "internal error" not in result.stderr, result.stderr


COOKIE_TOSSED = "tossed-by-another-page"
"""A CSRF cookie a page on another port of this machine set: cookies are not kept apart by port
(RFC 6265, 8.5), so such a page can choose the cookie the app then receives, and send the same
value as the form's token."""


@pytest.mark.parametrize(
    ("headers", "token"),
    [
        ({"Origin": "http://localhost"}, COOKIE_TOSSED),  # a server on port 80, not the app's
        ({"Origin": "http://127.0.0.1"}, COOKIE_TOSSED),
        ({"Origin": "http://localhost:80"}, COOKIE_TOSSED),
        ({"Sec-Fetch-Site": "same-site"}, COOKIE_TOSSED),  # no Origin: another port, same host
        ({"Sec-Fetch-Site": "cross-site"}, None),  # the page's own token: still another site
    ],
)
def test_a_verdict_posted_from_another_site_or_port_is_refused(site, headers, token) -> None:
    """Was: an Origin without a port (port 80: any other web server on this machine) passed as
    the app's own, and a request the browser marked cross-site or same-site was let through; a
    page there that set the CSRF cookie recorded a verdict under any reviewer's name."""
    project, run_id, base = site
    path = f"/review/{urllib.parse.quote(run_id)}/{urllib.parse.quote('c2#0')}"
    cookie = COOKIE_TOSSED
    if token is None:
        token, cookie = _form_session(base, path)
    before = _reviews(project)
    status, text = _post_form(
        base, path, f"csrf_token={token}&decision=false&reviewer=mallory", cookie, headers
    )
    assert status == 403 and "cross" in text, (status, text[:300])
    assert _reviews(project) == before


def test_a_verdict_from_the_apps_own_page_is_taken_with_the_browsers_headers(site) -> None:
    """What a browser sends from the app's own page (its Origin, Sec-Fetch-Site: same-origin)
    is still taken: the refusals above are of other sites only."""
    project, run_id, base = site
    path = f"/review/{urllib.parse.quote(run_id)}/{urllib.parse.quote('c2#0')}"
    token, cookie = _form_session(base, path)
    before = _reviews(project)
    status, text, headers = _request(
        base,
        "POST",
        path,
        f"csrf_token={token}&decision=agree&reviewer=alice".encode(),
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"assurance_csrf={cookie}",
            "Origin": base,
            "Sec-Fetch-Site": "same-origin",
        },
    )
    assert status == 303, (status, text[:300])  # to the row's page, naming the verdict saved
    _, page, _ = _request(base, "GET", headers["Location"])
    assert 'id="saved"' in page, page[:300]
    assert _reviews(project) == before + 1


@pytest.mark.parametrize(
    "extra",
    [
        "note=caf%E9",  # Latin-1, not UTF-8: was recorded as "caf\ufffd"
        "note=%ED%A0%80",  # a surrogate's UTF-8 form, no character
        "note=ok%C3",  # cut in the middle of a character
    ],
)
def test_a_form_value_percent_encoded_from_bytes_not_utf8_is_a_400_not_replaced(
    site, extra
) -> None:
    """The body is ASCII, so it decodes, but its values' bytes are no UTF-8: aiohttp put U+FFFD
    for them, and the ledger (append-only evidence) kept a note no reviewer wrote."""
    project, run_id, base = site
    path = f"/review/{urllib.parse.quote(run_id)}/{urllib.parse.quote('c2#0')}"
    token, cookie = _form_session(base, path)
    before = _reviews(project)
    status, text = _post_form(
        base, path, f"csrf_token={token}&decision=agree&reviewer=alice&{extra}", cookie
    )
    assert status == 400 and "UTF-8" in text, (status, text[:300])
    assert _reviews(project) == before
    notes = [r.review["note"] for r in read_ledger(project.ledger, reviews=True) if r.is_review]
    assert not any("\ufffd" in note for note in notes), notes


def test_a_saved_verdict_answers_with_a_redirect_so_a_reload_records_nothing(site) -> None:
    """Was: the POST was answered with the row's page itself (200), so the browser's reload of
    it, or its back and forward, sent the form again (the CSRF token still good) and recorded
    the same verdict a second time, in runs.db and the append-only ledger. Answered with a 303
    to the row's page (Post/Redirect/Get), the reload is a GET: nothing is recorded again."""
    project, run_id, base = site
    path = f"/review/{urllib.parse.quote(run_id)}/{urllib.parse.quote('c1#0', safe='')}"
    token, cookie = _form_session(base, path)
    before = _reviews(project)
    status, text, headers = _request(
        base,
        "POST",
        path,
        f"csrf_token={token}&decision=agree&reviewer=carol&note=once".encode(),
        {"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"assurance_csrf={cookie}"},
    )
    assert status == 303, (status, text[:300])
    assert _reviews(project) == before + 1
    location = headers["Location"]
    assert location.startswith(path + "?saved="), location
    for _ in range(2):  # the page the browser lands on, and its reload
        status, page, _ = _request(base, "GET", location)
        assert status == 200, page[:300]
        assert re.search(r'id="saved">Saved: carol agree, label False \(evidence EV-', page), page
    assert _reviews(project) == before + 1


def test_a_saved_marker_of_another_row_or_no_verdict_says_nothing_was_saved(site) -> None:
    """The row's page names a verdict as saved only where it is one of that row's: a link
    with another row's verdict id, or none, shows no "Saved"."""
    _, run_id, base = site

    def row(key: str) -> str:
        return f"/review/{urllib.parse.quote(run_id)}/{urllib.parse.quote(key, safe='')}"

    token, cookie = _form_session(base, row("c2#0"))
    status, text, headers = _request(
        base,
        "POST",
        row("c2#0"),
        f"csrf_token={token}&decision=true&reviewer=dave".encode(),
        {"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"assurance_csrf={cookie}"},
    )
    assert status == 303, (status, text[:300])
    verdict = headers["Location"].rpartition("?saved=")[2]
    for marker in (verdict, "99999", "x", "-1", ""):
        status, page, _ = _request(base, "GET", f"{row('c3#0')}?saved={marker}")
        assert status == 200 and 'id="saved"' not in page, (marker, page[:300])
    status, page, _ = _request(base, "GET", f"{row('c2#0')}?saved={verdict}")
    assert 'id="saved">Saved: dave correct, label True' in page, page[:300]


@pytest.mark.parametrize("app_host", ["0.0.0.0", "::"])
def test_an_app_on_every_interface_takes_its_addresses_and_still_refuses_names(
    tmp_path: Path, app_host: str
) -> None:
    """Was: ``assurance ui --host 0.0.0.0`` warned that anyone who can reach the address can
    read the runs, yet answered every request from the network "unknown Host header" (400):
    a browser there names the machine's address, which the Host check never held. An address
    (no name, so no DNS rebinding) on the app's port is taken; a name is still refused, as
    is a POST whose Origin is another address than the one the request was sent to."""
    project = make_project(tmp_path)
    run = project.run(reports=False)
    settings = Settings(project.reports, project.register, project.ledger, reviewer="alice")
    with serving(settings, app_host=app_host) as base:
        port = urllib.parse.urlsplit(base).port
        for address in ("192.0.2.7", "[2001:db8::7]", "10.1.2.3"):
            status, text, _ = _request(base, "GET", "/", headers={"Host": f"{address}:{port}"})
            assert status == 200, (address, text[:200])
        for host in (f"evil.example:{port}", f"192.0.2.7:{port + 1}", "192.0.2.7", "192.0.2.7.:1"):
            status, text, _ = _request(base, "GET", "/", headers={"Host": host})
            assert status == 400 and "Host" in text, (host, status, text[:200])

        path = f"/review/{urllib.parse.quote(run.run_id)}/{urllib.parse.quote('c2#0', safe='')}"
        token, cookie = _form_session(base, path)
        here = f"192.0.2.7:{port}"
        body = f"csrf_token={token}&decision=agree&reviewer=alice".encode()
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        form["Cookie"] = f"assurance_csrf={cookie}"
        before = _reviews(project)
        other = {**form, "Host": here, "Origin": f"http://192.0.2.8:{port}"}
        status, text, _ = _request(base, "POST", path, body, other)
        assert status == 403 and "cross" in text, (status, text[:200])
        assert _reviews(project) == before
        own = {**form, "Host": here, "Origin": f"http://{here}", "Sec-Fetch-Site": "same-origin"}
        status, text, _ = _request(base, "POST", path, body, own)
        assert status == 303, (status, text[:200])
        assert _reviews(project) == before + 1


FULLWIDTH = str.maketrans("0123456789", "".join(chr(0xFF10 + d) for d in range(10)))
"""Fullwidth digits, which ``int()`` reads as the ASCII ones."""


@pytest.mark.parametrize(
    "marker",
    [
        lambda saved: "%C2%B2",  # "²": str.isdigit() says digit, int() refuses it: a 500
        lambda saved: "1" * 5000,  # more digits than int() converts: a 500
        # the saved id in fullwidth digits: int() read it as the verdict, named it saved
        lambda saved: urllib.parse.quote(saved.translate(FULLWIDTH)),
    ],
    ids=["superscript", "5000-digits", "fullwidth"],
)
def test_a_saved_marker_no_redirect_writes_is_a_page_without_saved_not_a_500(
    site, marker: Callable[[str], str]
) -> None:
    """The row's page names a verdict saved only for the very id its redirect writes: a link
    with another spelling of a number (a hostile one, or a typo) was a 500 with a traceback in
    the server's log, or named a verdict saved on a page its redirect never led to."""
    _, run_id, base = site
    path = f"/review/{urllib.parse.quote(run_id)}/{urllib.parse.quote('c3#0', safe='')}"
    token, cookie = _form_session(base, path)
    status, text, headers = _request(
        base,
        "POST",
        path,
        f"csrf_token={token}&decision=true&reviewer=erin".encode(),
        {"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"assurance_csrf={cookie}"},
    )
    assert status == 303, (status, text[:300])
    saved = headers["Location"].rpartition("?saved=")[2]
    status, page, _ = _request(base, "GET", f"{path}?saved={marker(saved)}")
    assert status == 200 and 'id="saved"' not in page, (status, page[:300])


@pytest.mark.parametrize("port", ["1" * 5000, "0" * 4999 + "1", "99999999"])
def test_a_host_header_whose_port_no_server_has_is_a_400_not_a_500(site, port: str) -> None:
    """The Host check read the port with int(): a Host of an address and 5,000 digits (within
    aiohttp's header limit) raised there, a 500 with a traceback in the server's log."""
    _, _, base = site
    status, text, _ = _request(base, "GET", "/", headers={"Host": f"127.0.0.1:{port}"})
    assert status == 400 and "Host" in text, (status, text[:200])
