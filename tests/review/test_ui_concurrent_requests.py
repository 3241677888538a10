"""The web app answers a small request while a slow one is still being worked on.

Its handlers did their blocking work (reading a run's rows, SQLite, the ledger's lock, rendering)
on the event loop: while one page of a 100,000-case run was computed, tens of seconds under
load, every other request waited, a static stylesheet and a reviewer's verdict included; and a
verdict waiting (up to a minute) for the evidence ledger's lock, which another process holds
while it appends, froze every page for as long. Each test holds the slow request at a point it
can observe from outside (the run's results file open in this process; the store's write lock
taken) and asserts the small request's answer came back before the slow one's.
"""

from __future__ import annotations

import fcntl
import os
import re
import sqlite3
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import closing
from http.cookiejar import CookieJar
from pathlib import Path

import pytest

from assurance_harness.register.ledger import read_ledger, verify_ledger
from assurance_harness.ui.app import SWITCH_INTERVAL_S, Settings

from ..report.runfixtures import toxicity_run
from .reviewkit import make_project
from .serve import serving

PROC_FDS = Path("/proc/self/fd")


@pytest.fixture(autouse=True)
def as_assurance_ui_runs() -> Iterator[None]:
    """The GIL's switch interval ``assurance ui`` sets for its process (this one, here)."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    yield
    sys.setswitchinterval(before)


def _get(url: str, opener: urllib.request.OpenerDirector | None = None) -> str:
    with (opener or urllib.request.build_opener()).open(url, timeout=30) as response:
        return response.read().decode("utf-8")


def _wait_for(condition: Callable[[], bool], what: str, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"never saw {what}"
        time.sleep(0.002)


def _open_here(path: Path) -> bool:
    """Whether this process (the server runs in a thread of it) has ``path`` open now."""
    for fd in os.listdir(PROC_FDS):
        try:
            if os.readlink(PROC_FDS / fd) == str(path):
                return True
        except OSError:  # closed meanwhile
            continue
    return False


class Request(threading.Thread):
    """One request in a thread of its own: its body or error, and when it came back."""

    def __init__(self, request: urllib.request.Request | str, opener=None) -> None:
        super().__init__(daemon=True)
        self.request = request
        self.opener = opener or urllib.request.build_opener()
        self.body: str | None = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            with self.opener.open(self.request, timeout=60) as response:
                self.body = response.read().decode("utf-8")
        except BaseException as exc:  # reported by the test
            self.error = exc


@pytest.mark.skipif(not PROC_FDS.is_dir(), reason="needs /proc/self/fd to see the file open")
def test_a_small_page_is_served_while_a_big_run_page_is_read(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    run_dir = toxicity_run(
        project.reports, "big", set(range(0, 20_000, 7)), n_cases=20_000, index=True
    )
    results = (run_dir / "results.jsonl").resolve()
    settings = Settings(project.reports, project.register, project.ledger, reviewer="alice")
    # A score filter of 30 clauses evaluated on each row: about a second of work after the
    # file is opened (the rows alone take a quarter of that). With Python's default switch
    # interval the small pages took up to a second behind it, every return from I/O waiting
    # 5 ms for the GIL the page's thread holds; with the app's, tens of milliseconds.
    score = urllib.parse.quote(" and ".join(["tox.toxicity >= 0"] * 30))
    with serving(settings) as base:
        big = Request(f"{base}/runs/big?score={score}")
        big.start()
        _wait_for(lambda: _open_here(results), "the run page reading the results")
        css = _get(base + "/static/app.css")
        runs = _get(base + "/")
        # The big page is still reading its rows: the small ones did not wait for it.
        still_reading = _open_here(results)
        big.join(60)
    assert "big" in runs and css.strip()
    assert big.error is None and big.body is not None and "500 of 20000 rows" in big.body
    assert still_reading, "the small pages came back only after the big page was read"


def test_pages_are_served_while_a_verdict_waits_for_the_ledger_lock(tmp_path: Path) -> None:
    """Another process appending to the ledger holds its lock; a verdict waits for it (the
    store's write lock taken), and the app still answers, then records the verdict."""
    project = make_project(tmp_path)
    run_id = project.run().run_id
    settings = Settings(project.reports, project.register, project.ledger, reviewer="alice")
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    with serving(settings) as base:
        url = f"{base}/review/{urllib.parse.quote(run_id)}/{urllib.parse.quote('c1#0')}"
        token = re.search(r'name="csrf_token" value="([^"]+)"', _get(url, opener))
        assert token
        form = {"csrf_token": token.group(1), "decision": "true", "reviewer": "alice"}
        post = Request(urllib.request.Request(url, urllib.parse.urlencode(form).encode()), opener)
        lock = os.open(f"{project.ledger}.lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX)  # as another process appending
            post.start()
            _wait_for(lambda: _write_locked(project.reports / "runs.db"), "the verdict waiting")
            small: list[str] = []
            for page in ("/static/app.css", "/", "/review"):
                try:
                    with urllib.request.urlopen(base + page, timeout=5) as response:
                        small.append(response.read().decode("utf-8"))
                except OSError as exc:
                    pytest.fail(f"{page} waited behind the verdict: {exc}")
            assert post.is_alive(), "the verdict did not wait for the ledger's lock"
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
            os.close(lock)
            post.join(60)
    assert post.error is None and post.body is not None, post.error
    assert "Saved: alice correct, label True" in post.body
    reviews = [r for r in read_ledger(project.ledger, reviews=True) if r.is_review]
    assert [r.review["row"] for r in reviews] == ["c1#0"]
    assert verify_ledger(project.ledger).ok


def _write_locked(db: Path) -> bool:
    """Whether another connection holds the store's write lock (BEGIN IMMEDIATE fails now)."""
    uri = db.resolve().as_uri() + "?mode=rw"
    with closing(sqlite3.connect(uri, uri=True, timeout=0, isolation_level=None)) as probe:
        try:
            probe.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:
            return True
        probe.execute("ROLLBACK")
    return False
