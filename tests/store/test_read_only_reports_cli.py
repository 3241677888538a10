"""A reports folder on read-only media or a read-only share (an archive handed to an auditor)
can be read: every command that only reads runs.db, the run folders and the evidence ledger
works there. Was: each failed, exit 3, 'runs.db: is on a read-only file system (unable to open
database file)': SQLite in WAL mode must make ``runs.db-shm`` even to read.

A command that must write there still fails with one line naming the file (exit 3), and a
``runs.db-wal`` left beside the index (a folder copied while the index was open) is never
skipped: its rows are read, or the command says why it cannot read them, never stale rows.

The read-only folder is real (a read-only bind mount or a tmpfs remounted read-only: EROFS for
root too); the tests skip where mounting is refused."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pytest

from assurance_harness.errors import ExitCode
from tests.privacy.purgedkit import age_run
from tests.testing.cli import run_cli
from tests.testing.project import callable_target
from tests.testing.tmpfs import read_only, tmpfs

REGISTER = Path(__file__).resolve().parents[2] / "register" / "risk_register.yaml"

SUITE = (
    "suite: rodb\nevidence_for: [R-001]\n"
    "cases:\n  - {id: a, prompt: hi}\n  - {id: b, prompt: there}\n"
    "scorers: [{id: m, use: regex, with: {pattern: echo}}]\n"
    "metrics: [{id: r, rate: m.matched}]\ngates: [{metric: r, min: 0.5}]\n"
)


@dataclass(frozen=True)
class Archive:
    """A project whose reports folder holds two runs, a baseline and their evidence ledger, and
    a run of another suite that finished long ago (one ``runs purge`` would purge)."""

    root: Path
    reports: Path
    first: str
    second: str
    old: str


def _build(root: Path) -> Archive:
    callable_target(root, "rodb_target", "def reply(messages):\n    return 'echo hi'\n")
    (root / "s.yaml").write_text(SUITE, encoding="utf-8")
    register = REGISTER.read_text(encoding="utf-8")
    (root / "reg.yaml").write_text(
        register.replace("target: targets/demo.yaml", "target: t.yaml"), encoding="utf-8"
    )
    run = ("--target", "t.yaml", "--no-report")
    reports = root / "reports"
    made: list[str] = []  # in the order made: two runs may begin in one second
    for _ in range(2):
        done = run_cli("run", "s.yaml", *run, "--register", "reg.yaml", cwd=root, timeout=120)
        assert done.returncode == 0, done.stderr
        (new,) = {p.name for p in reports.iterdir() if p.is_dir() and p.name[0].isdigit()} - {*made}
        made.append(new)
    first, second = made
    done = run_cli("baseline", "set", first, cwd=root)
    assert done.returncode == 0, done.stderr
    assert (reports / "evidence" / "ledger.jsonl").exists()
    (root / "old.yaml").write_text(SUITE.replace("suite: rodb", "suite: rodbold"), "utf-8")
    done = run_cli("run", "old.yaml", *run, "--no-evidence", cwd=root, timeout=120)
    assert done.returncode == 0, done.stderr
    (old,) = [p for p in reports.glob("*-rodbold-*")]
    age_run(old, "2020-01-01T00:00:00+00:00")
    return Archive(root, reports, first, second, old.name)


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    """The archive, its reports folder read-only (a bind mount) for the module's tests."""
    made = _build(tmp_path_factory.mktemp("rodb"))
    with read_only(made.reports):
        yield made


def _errors(proc: subprocess.CompletedProcess[str]) -> list[str]:
    text = proc.stdout + proc.stderr
    assert "Traceback" not in text and "internal error" not in text, text
    return [line for line in proc.stderr.splitlines() if line.startswith("error:")]


def _cli(archive: Archive, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, "--reports", str(archive.reports), cwd=archive.root, timeout=120)


READS = {
    "runs list": ["runs", "list"],
    "runs list json": ["runs", "list", "--format", "json"],
    "report --out elsewhere": ["report", "{first}", "--out", "{out}"],
    "report of a run folder": ["report", "{reports}/{first}", "--out", "{out}"],
    "compare": ["compare", "{first}", "{second}"],
    "compare with the baseline": ["compare", "baseline", "{second}"],
    "trend --out elsewhere": ["trend", "rodb", "r", "--out", "{out}/trend.png"],
    "baseline show": ["baseline", "show"],
    "baseline check": ["baseline", "check"],
    "review queue": ["review", "queue"],
    "review history": ["review", "history"],
    "review status": ["review", "status", "{first}"],
    "review agreement": ["review", "agreement"],
    "evidence verify": ["evidence", "verify"],
    "evidence list": ["evidence", "list"],
    "evidence pack --out elsewhere": ["evidence", "pack", "{first}", "--out", "{out}/annex"],
    "register status": ["register", "status", "--register", "reg.yaml"],
    "register show": ["register", "show", "R-001", "--register", "reg.yaml"],
    "runs purge --dry-run": ["runs", "purge", "--older-than", "1h", "--dry-run"],
}


@pytest.mark.parametrize("name", list(READS))
def test_a_command_that_only_reads_works_on_a_read_only_reports_folder(
    archive: Archive, tmp_path: Path, name: str
) -> None:
    fields = {
        "first": archive.first,
        "second": archive.second,
        "reports": str(archive.reports),
        "out": str(tmp_path / "out"),
    }
    done = _cli(archive, *(arg.format(**fields) for arg in READS[name]))
    assert _errors(done) == [], done.stderr
    assert done.returncode == 0, done.stdout + done.stderr


def test_runs_list_shows_the_archived_runs(archive: Archive) -> None:
    done = _cli(archive, "runs", "list", "--format", "json")
    assert done.returncode == 0, done.stderr
    listed = [json.loads(line)["run_id"] for line in done.stdout.splitlines()]
    assert listed == [archive.old, archive.second, archive.first]


@pytest.mark.parametrize(
    ("args", "file"),
    [(["report", "{first}"], "{first}/report."), (["trend", "rodb", "r"], "trend-rodb-r.png")],
)
def test_a_read_that_writes_into_the_read_only_folder_names_the_file(
    archive: Archive, args: list[str], file: str
) -> None:
    """Without --out, report and trend write into the reports folder: one line naming the file
    they could not write, exit 3."""
    done = _cli(archive, *(a.format(first=archive.first) for a in args))
    errors = _errors(done)
    assert done.returncode == ExitCode.RUN_FAILED, done.stderr
    assert len(errors) == 1, done.stderr
    assert "read-only" in errors[0].lower(), errors
    assert f"{archive.reports}/{file.format(first=archive.first)}" in errors[0], errors


WRITES = {
    "run": ["run", "s.yaml", "--target", "t.yaml", "--no-report"],
    "baseline set": ["baseline", "set", "{second}"],
    "baseline clear": ["baseline", "clear", "rodb", "--target", "t.yaml"],
    "review add-reviewer": ["review", "add-reviewer", "bob"],
    "evidence attach": ["evidence", "attach", "{second}", "--register", "reg.yaml"],
    "runs purge": ["runs", "purge", "--older-than", "1h"],
}


@pytest.mark.parametrize("name", list(WRITES))
def test_a_command_that_writes_still_says_the_folder_is_read_only(
    archive: Archive, name: str
) -> None:
    done = _cli(archive, *(a.format(second=archive.second) for a in WRITES[name]))
    errors = _errors(done)
    assert done.returncode == ExitCode.RUN_FAILED, done.stdout + done.stderr
    assert errors and f"error: {archive.reports}/" in errors[0], done.stderr
    assert "read-only" in errors[0].lower(), errors


def _remount(folder: Path, mode: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{mode}", str(folder)], check=True)


def _copied_while_open(archive: Archive, copy: Path) -> Path:
    """The archive's reports folder copied to ``copy`` while a connection had written a change
    that is only in ``runs.db-wal`` (the second run's model version); ``copy``."""
    live = copy.parent / f"{copy.name}-live"
    shutil.copytree(archive.reports, live)
    with closing(sqlite3.connect(live / "runs.db")) as conn:
        conn.execute("PRAGMA wal_autocheckpoint = 0")
        conn.execute(
            "UPDATE runs SET model_version = 'after-the-copy' WHERE run_id = ?", (archive.second,)
        )
        conn.commit()
        shutil.copytree(live, copy)
    assert (copy / "runs.db-wal").stat().st_size > 0
    return copy


def _listed_model_version(archive: Archive, reports: Path) -> str | None:
    """The second run's model version as ``runs list`` shows it (asserted to succeed)."""
    done = run_cli("runs", "list", "--format", "json", "--reports", str(reports))
    assert _errors(done) == [] and done.returncode == 0, done.stderr
    rows = {json.loads(line)["run_id"]: json.loads(line) for line in done.stdout.splitlines()}
    return rows[archive.second]["model_version"]


@pytest.mark.parametrize("shm", ["copied", "not copied"])
def test_a_wal_left_beside_a_read_only_index_is_read_or_refused_never_skipped(
    archive: Archive, tmp_path: Path, shm: str
) -> None:
    """A reports folder copied while a command had the index open: the last change is only in
    ``runs.db-wal``. With ``runs.db-shm`` beside it SQLite reads the change; without it, no
    read-only reader can, and the listing says so rather than showing the rows before it."""
    with tmpfs(tmp_path / "media", size="8m") as media:
        copied = _copied_while_open(archive, media / "reports")
        if shm == "not copied":
            (copied / "runs.db-shm").unlink()
        _remount(media, "ro")
        if shm == "copied":
            assert _listed_model_version(archive, copied) == "after-the-copy"
            return
        done = run_cli("runs", "list", "--format", "json", "--reports", str(copied))
        errors = _errors(done)
        assert done.returncode == ExitCode.RUN_FAILED, done.stdout + done.stderr
        assert len(errors) == 1 and f"{copied}/runs.db-wal" in errors[0], errors
        assert "--reports" in errors[0], errors
        assert done.stdout == "", done.stdout  # no stale row


def test_a_read_only_index_in_a_writable_folder_reads_the_wal_beside_it(
    archive: Archive, tmp_path: Path
) -> None:
    """The index file alone read-only (a read-only bind mount of it), its folder writable:
    SQLite makes ``runs.db-shm`` there and reads the change in ``runs.db-wal``."""
    copied = _copied_while_open(archive, tmp_path / "reports")
    (copied / "runs.db-shm").unlink()
    with read_only(copied / "runs.db"):
        assert _listed_model_version(archive, copied) == "after-the-copy"
