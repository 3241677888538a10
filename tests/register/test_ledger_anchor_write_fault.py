"""The evidence anchor (``ledger.jsonl.head``) not written after an append. Observed: the run
exited 3 with a ``--resume`` command, but once the cause was fixed that resume said "already
complete" and left the anchor as it was: one append behind, or never created, when 'evidence
verify' then passed with only a warning that removal of the last records cannot be detected.
The resume (and 'evidence attach' of the same run) now brings the anchor up to date, after
verifying the chain, and says so; it never moves the anchor over a chain that does not verify.

Real faults: a folder where the anchor goes (its rename fails), and a ledger put back in the
state a failed anchor write leaves (the first run's anchor over two runs' records)."""

from __future__ import annotations

import shlex
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.review.reviewkit import Project, make_project
from tests.testing.cli import run_cli


def _run(project: Project, *extra: str | Path) -> tuple[int, str, str]:
    done = run_cli(
        "run",
        project.suite,
        "--target",
        project.target,
        "--reports",
        project.reports,
        "--register",
        project.register,
        "--no-cache",
        *extra,
        timeout=120,
    )
    return done.returncode, done.stdout, done.stderr


def _verify(project: Project) -> tuple[int, str]:
    done = run_cli("evidence", "verify", "--reports", project.reports, timeout=60)
    return done.returncode, done.stdout + done.stderr


def _anchor(project: Project) -> Path:
    return project.ledger.with_name("ledger.jsonl.head")


def _last_id(project: Project) -> str:
    import json

    last = project.ledger.read_text(encoding="utf-8").splitlines()[-1]
    return str(json.loads(last)["id"])


def test_the_printed_resume_creates_an_anchor_that_could_not_be_written(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    _anchor(project).mkdir(parents=True)  # the rename of the anchor's temporary file fails

    rc, out, err = _run(project)
    assert rc == 3, out + err
    assert "Traceback" not in out + err and "internal error" not in out + err, err
    assert "ledger.jsonl.head" in err, err
    resume = err.split("finish with: ", 1)[1].strip()
    assert "--resume" in resume, err
    assert project.ledger.exists() and not _anchor(project).is_file()

    _anchor(project).rmdir()  # the cause, fixed
    argv = shlex.split(resume)[1:]  # without 'assurance'
    done = run_cli(*argv, timeout=120)
    text = done.stdout + done.stderr
    assert done.returncode in (0, 1), text
    assert "ledger.jsonl.head" in done.stdout and "up to date" in done.stdout, text
    assert _anchor(project).is_file()

    rc, text = _verify(project)
    assert rc == 0, text
    assert "warning" not in text, text


def _stale_anchor(project: Project) -> str:
    """Two runs attached, the anchor put back to the first's: what a failed anchor write after
    the second run's append leaves. The second run's id."""
    project.run()
    first_anchor = _anchor(project).read_bytes()
    second = project.run().run_id
    _anchor(project).write_bytes(first_anchor)
    return second


def test_evidence_attach_of_the_run_brings_a_stale_anchor_up_to_date(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    second = _stale_anchor(project)
    rc, text = _verify(project)
    assert rc == 0 and "one append behind" in text, text

    args = ["--reports", project.reports, "--register", project.register]
    done = run_cli("evidence", "attach", second, *args, timeout=60)
    text = done.stdout + done.stderr
    assert done.returncode == 0, text
    assert "ledger.jsonl.head" in text and "up to date" in text, text
    assert _last_id(project) in _anchor(project).read_text(encoding="utf-8")

    rc, text = _verify(project)
    assert rc == 0 and "warning" not in text, text


def test_resume_of_the_run_brings_a_stale_anchor_up_to_date(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    second = _stale_anchor(project)
    ledger_before = project.ledger.read_bytes()

    rc, out, err = _run(project, "--resume", second)
    assert rc in (0, 1), out + err
    assert "ledger.jsonl.head" in out and "up to date" in out, out + err
    assert project.ledger.read_bytes() == ledger_before  # nothing appended, nothing rewritten
    rc, text = _verify(project)
    assert rc == 0 and "warning" not in text, text


def test_a_stale_anchor_is_not_moved_over_a_chain_that_does_not_verify(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    second = _stale_anchor(project)
    lines = project.ledger.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[0] = lines[0].replace('"verdict":"', '"verdict":"x', 1)  # an edit the hash catches
    project.ledger.write_text("".join(lines), encoding="utf-8")
    anchor_before = _anchor(project).read_bytes()

    args = ["--reports", project.reports, "--register", project.register]
    done = run_cli("evidence", "attach", second, *args, timeout=60)
    text = done.stdout + done.stderr
    assert done.returncode == 1, text
    assert "Traceback" not in text and "internal error" not in text, text
    assert "ledger.jsonl" in done.stderr and "verify" in done.stderr, text
    assert _anchor(project).read_bytes() == anchor_before


def test_attach_of_an_earlier_run_leaves_a_stale_anchor_to_verify(tmp_path: Path) -> None:
    """Only the run whose append was the ledger's last is re-anchored by its attach: the
    anchor behind another run's records is for 'evidence verify' to judge."""
    project = make_project(tmp_path)
    first = project.run().run_id
    first_anchor = _anchor(project).read_bytes()
    project.run()
    _anchor(project).write_bytes(first_anchor)

    args = ["--reports", project.reports, "--register", project.register]
    done = run_cli("evidence", "attach", first, *args, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    assert _anchor(project).read_bytes() == first_anchor


def test_verify_names_the_way_to_create_a_missing_anchor(tmp_path: Path) -> None:
    """A ledger whose anchor was never written (its first append's anchor write failed, the
    run not resumed): 'evidence verify' passes with a warning, and that warning names the
    command that creates the anchor; that command does, over a chain that verifies."""
    project = make_project(tmp_path)
    project.run()
    _anchor(project).unlink()

    rc, text = _verify(project)
    assert rc == 0, text
    warning = [line for line in text.splitlines() if line.startswith("warning:")]
    assert len(warning) == 1 and "ledger.jsonl.head" in warning[0], text
    assert "assurance evidence verify --repair-anchor" in warning[0], text

    done = run_cli(
        "evidence", "verify", "--repair-anchor", "--reports", project.reports, timeout=60
    )
    text = done.stdout + done.stderr
    assert done.returncode == 0 and "warning" not in text, text
    assert _last_id(project) in _anchor(project).read_text(encoding="utf-8")


def test_a_missing_anchor_is_not_created_over_a_chain_that_does_not_verify(
    tmp_path: Path,
) -> None:
    project = make_project(tmp_path)
    project.run()
    _anchor(project).unlink()
    text = project.ledger.read_text(encoding="utf-8")
    project.ledger.write_text(text.replace('"verdict":"', '"verdict":"x', 1), encoding="utf-8")

    done = run_cli(
        "evidence", "verify", "--repair-anchor", "--reports", project.reports, timeout=60
    )
    text = done.stdout + done.stderr
    assert done.returncode == 1, text
    assert "Traceback" not in text and "internal error" not in text, text
    assert not _anchor(project).exists()


def test_attach_whose_anchor_cannot_be_written_says_the_way_on(tmp_path: Path) -> None:
    """'evidence attach' appended the records and failed on the anchor: exit 3, one line
    naming the anchor and saying that the same command, once the cause is fixed, finishes it;
    it does."""
    project = make_project(tmp_path)
    run_id = project.run().run_id
    project.ledger.unlink()
    _anchor(project).unlink()
    _anchor(project).mkdir()
    args = ["evidence", "attach", run_id, "--reports", project.reports]

    failed = run_cli(*args, "--register", project.register, timeout=60)
    assert failed.returncode == 3, failed.stdout + failed.stderr
    lines = failed.stderr.strip().splitlines()
    assert len(lines) == 1 and "ledger.jsonl.head" in lines[0], failed.stderr
    assert "appended" in lines[0] and "again" in lines[0], failed.stderr

    _anchor(project).rmdir()
    done = run_cli(*args, "--register", project.register, timeout=60)
    assert done.returncode == 0 and "up to date" in done.stdout, done.stdout + done.stderr
    rc, text = _verify(project)
    assert rc == 0 and "warning" not in text, text


@pytest.fixture
def inodes_for_two_files(tmp_path: Path) -> Iterator[Project]:
    """A project whose evidence folder is a tmpfs of three inodes (itself, the ledger and its
    lock file): the anchor cannot be created, as on a file system out of inodes. Skipped
    where mounting is not permitted (not root, a container without the capability)."""
    project = make_project(tmp_path)
    folder = project.ledger.parent
    folder.mkdir(parents=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "nr_inodes=3", "tmpfs", str(folder)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield project
    finally:
        subprocess.run(["umount", str(folder)], check=False)


def test_the_printed_resume_creates_the_anchor_on_a_folder_out_of_inodes(
    inodes_for_two_files: Project,
) -> None:
    project = inodes_for_two_files
    rc, out, err = _run(project)
    assert rc == 3 and "ledger.jsonl.head" in err, out + err
    resume = err.split("finish with: ", 1)[1].strip()
    subprocess.run(["mount", "-o", "remount,nr_inodes=100", str(project.ledger.parent)], check=True)
    done = run_cli(*shlex.split(resume)[1:], timeout=120)
    assert "up to date" in done.stdout, done.stdout + done.stderr
    rc, text = _verify(project)
    assert rc == 0 and "warning" not in text, text
