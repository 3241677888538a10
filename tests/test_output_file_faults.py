"""A file a command is told to write that cannot be written is one line naming it: exit 2 for
a wrong path, exit 3 for a storage fault (README "exit codes"), never "internal error: ... a bug
in assurance-harness".
Observed (issue 12): ``schema --out`` given a folder, a path under a missing folder, or a full
device ended in an internal error with a crash report.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.testing.cli import run_cli
from tests.testing.tmpfs import fill, tmpfs


def _one_error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: ") and "internal error" not in lines[0], stderr
    return lines[0]


def test_an_output_path_that_is_a_folder_is_exit_2_naming_it(tmp_path: Path) -> None:
    # A wrong path is the command line's fault (exit 2, as for every --out: output_faults).
    (tmp_path / "taken").mkdir()
    done = run_cli("schema", "--out", "taken", cwd=tmp_path, env={"TMPDIR": str(tmp_path)})
    assert done.returncode == 2, done.stderr
    line = _one_error_line(done.stderr)
    assert "--out taken" in line and "is a folder" in line
    assert not list(tmp_path.glob("assurance-crash-*")), "a crash report was written"


def test_an_output_path_under_missing_folders_is_written(tmp_path: Path) -> None:
    done = run_cli("schema", "--kind", "target", "--out", "new/folders/t.json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert '"properties"' in (tmp_path / "new" / "folders" / "t.json").read_text()


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs Linux's /dev/full")
def test_a_full_device_is_exit_3_in_one_line(tmp_path: Path) -> None:
    done = run_cli("schema", "--out", "/dev/full", cwd=tmp_path, env={"TMPDIR": str(tmp_path)})
    assert done.returncode == 3, done.stderr
    line = _one_error_line(done.stderr)
    assert "/dev/full" in line and "No space left on device" in line
    assert Path("/dev/full").is_char_device()  # written to, never replaced by a file


REGISTER = """register_version: 1
system: {name: Demo, intended_use: homework help, owner: Safety lead}
risks:
  - {id: R-001, title: Toxic output, category: safety, owner: T&S, likelihood: 3, impact: 4,
     suites: [toxicity-core]}
"""

OUTPUTS = {
    "compare json": (["compare", "n1", "n2", "--reports", "reports"], "cmp.json"),
    "trend png": (["trend", "toxicity-core", "toxic_rate", "--reports", "reports"], "t.png"),
    "schema json": (["schema"], "s.json"),
    **{
        f"register export {fmt}": (
            ["register", "export", "--reports", "reports", "--register", "register.yaml"],
            f"r.{fmt}",
        )
        for fmt in ("md", "html", "csv", "xlsx")
    },
    "scorers check --write-card": (
        [
            *("scorers", "check", "length", "--labels", "labels.csv"),
            *("--score", "chars", "--threshold", "20", "--write-card"),
        ],
        "card.json",
    ),
}
"""Commands that write one file a user names: the args before it (``--out`` where they do not
end in another option) and the file's name."""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.report.runfixtures import toxicity_run

    root = tmp_path_factory.mktemp("outputs")
    reports = root / "reports"
    toxicity_run(reports, "n1", {1, 2}, started_at="2026-11-01T03:15:00+00:00", index=True)
    toxicity_run(reports, "n2", {3, 4}, started_at="2026-11-02T03:15:00+00:00", index=True)
    (root / "register.yaml").write_text(REGISTER)
    (root / "labels.csv").write_text('text,label\nI cannot help.,1\n"Sure, here it is.",0\n')
    return root


@pytest.mark.parametrize("before", ["an earlier file", "no file"])
@pytest.mark.parametrize("command", list(OUTPUTS))
def test_an_output_the_disk_cannot_hold_leaves_what_was_there(
    project: Path, tmp_path: Path, command: str, before: str
) -> None:
    """Was: the file written in place: an earlier cmp.json replaced by 4096 bytes of cut-off
    JSON, a new PNG, HTML, CSV or XLSX left behind empty (the XLSX with 'Exception ignored in
    ZipFile.__del__' and its traceback). Written beside and renamed over, a write the disk
    cannot hold changes nothing there."""
    args, name = OUTPUTS[command]
    with tmpfs(tmp_path / "m", size="100k") as folder:
        out = folder / name
        if before == "an earlier file":
            out.write_bytes(b'{"an earlier": "output file"}\n')
        fill(folder)
        listed = sorted(p.name for p in folder.iterdir())

        option = [] if args[-1].startswith("--") else ["--out"]
        done = run_cli(*args, *option, str(out), cwd=project)
        assert done.returncode == 3, done.stderr
        line = _one_error_line(done.stderr)
        assert f"cannot write {out}:" in line, line
        assert sorted(p.name for p in folder.iterdir()) == listed  # no partial or empty file
        if before == "an earlier file":
            assert out.read_bytes() == b'{"an earlier": "output file"}\n'
