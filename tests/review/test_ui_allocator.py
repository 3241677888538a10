"""``assurance ui`` gives the memory a heavy page freed back to the system, and bounds the
allocator's arenas at start (glibc; nothing elsewhere).

glibc keeps what a page frees for reuse, in an arena per thread that allocated at once: the
app's process peaked at 507-509 MB over a reviewed 100,000-case run's page, its queued rows and
``/review`` (``benchmarks/scale_commands.py --only ui``), and 358 MB with ``MALLOC_ARENA_MAX=1``
set by hand, which no user should need to know. No RSS is measured here (too slow, too noisy):
the calls themselves are checked, where and when they happen.
"""

from __future__ import annotations

import platform
import subprocess
import sys
import threading
import urllib.parse
from pathlib import Path

import pytest

from assurance_harness.ui import allocator, app
from assurance_harness.ui.app import Settings

from .reviewkit import make_project
from .serve import get_page, serving


def test_a_heavy_page_releases_what_it_freed_after_it_on_its_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_project(tmp_path)
    run_id = urllib.parse.quote(project.run(reports=False).run_id)
    events: list[tuple[str, str]] = []
    page = app._run_page

    def run_page(request: object) -> object:
        events.append(("page", threading.current_thread().name))
        return page(request)  # type: ignore[arg-type]

    def release() -> bool:
        events.append(("release", threading.current_thread().name))
        return True

    monkeypatch.setattr(app, "_run_page", run_page)
    monkeypatch.setattr(app, "release_freed", release)
    settings = Settings(project.reports, project.register, project.ledger, reviewer="alice")
    with serving(settings) as base:
        get_page(base + "/")  # a small page: nothing to give back
        assert events == []
        assert "Run " in get_page(base + f"/runs/{run_id}")
        assert [e for e, _ in events] == ["page", "release"]
        assert {t for _, t in events} == {events[0][1]}
        assert events[0][1].startswith("assurance-ui-heavy")
        events.clear()
        with pytest.raises(Exception, match="404"):
            get_page(base + "/runs/no-such-run")  # a page that failed freed memory too
        assert [e for e, _ in events] == ["page", "release"]


def test_ui_bounds_the_allocators_arenas_before_serving(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from aiohttp import web
    from typer.testing import CliRunner

    from assurance_harness.cli import app as cli_app

    calls: list[str] = []
    monkeypatch.setattr(allocator, "bound_arenas", lambda: calls.append("arenas") or True)
    monkeypatch.setattr(web, "run_app", lambda *_a, **_k: calls.append("serve"))
    before = sys.getswitchinterval()
    try:
        result = CliRunner().invoke(cli_app, ["ui", "--reports", str(tmp_path), "--reviewer", "a"])
    finally:
        sys.setswitchinterval(before)
    assert result.exit_code == 0, result.output
    assert calls == ["arenas", "serve"]


def test_the_allocator_calls_are_made_with_glibc_and_skipped_elsewhere() -> None:
    """In a process of its own: the arena bound holds for the whole process."""
    code = (
        "from assurance_harness.ui.allocator import bound_arenas, release_freed\n"
        "print(bound_arenas(), release_freed())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    glibc = sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"
    assert done.stdout.split() == ([str(glibc)] * 2), done.stderr
