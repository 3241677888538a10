"""A runs.db that SQLite cannot write beside because of this process's file size limit
(``ulimit -f``, RLIMIT_FSIZE: a CI sandbox's, for instance) is said as that: a storage fault,
exit 3, naming the limit. Observed: SQLite's ``runs.db-shm`` (32 KiB) could not be made under
a 20 kB limit, SQLite said only "disk I/O error", and every command that reads the index
exited 2 with "the run index cannot be read ...; repair it or move it aside": advice that
would lose the baselines and reviews of an intact file, for a limit the user can raise.

The fault is real: a child whose files may not grow past the limit (EFBIG, for root too)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from tests.testing.cli import run_cli
from tests.testing.project import echo_runs

LIMIT = 20_000


def test_a_file_size_limit_under_the_index_is_a_storage_fault_naming_the_limit(
    tmp_path: Path,
) -> None:
    (run,) = echo_runs(tmp_path, "fsize-index")
    index = tmp_path / "reports" / "runs.db"
    before = hashlib.sha256(index.read_bytes()).hexdigest()
    done = run_cli("runs", "list", cwd=tmp_path, file_size_limit=LIMIT)
    errors = [line for line in done.stderr.splitlines() if line.strip()]
    assert done.returncode == 3, done.stdout + done.stderr
    assert len(errors) == 1 and errors[0].startswith("error: reports/runs.db: "), errors
    assert f"{LIMIT} bytes" in errors[0] and "ulimit -f" in errors[0], errors[0]
    assert "repair it or move it aside" not in errors[0], errors[0]
    assert hashlib.sha256(index.read_bytes()).hexdigest() == before  # the file is intact

    listed = run_cli("runs", "list", cwd=tmp_path)  # the limit gone: the same command works
    assert listed.returncode == 0 and run.name in listed.stdout, listed.stdout + listed.stderr
