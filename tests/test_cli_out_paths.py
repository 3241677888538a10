"""``--out/-o`` naming something that cannot be written there (a folder where a file goes, a
file where a folder goes, a path through a file): one ``error:`` line naming it and the fix,
exit 2, for every command of the register, evidence, compare and trend groups."""

from __future__ import annotations

import contextlib
import os
import socket
import stat
import threading
from pathlib import Path

import pytest

from tests.testing.cli import invoke_in_process, run_cli

from .report.runfixtures import toxicity_run

REGISTER = """register_version: 1
system: {name: Demo, intended_use: homework help, owner: Safety lead}
risks:
  - {id: R-001, title: Toxic output, category: safety, owner: T&S, likelihood: 3, impact: 4,
     suites: [toxicity-core]}
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("out")
    reports = root / "reports"
    toxicity_run(reports, "n1", {1, 2}, started_at="2026-11-01T03:15:00+00:00", index=True)
    toxicity_run(reports, "n2", {3, 4}, started_at="2026-11-02T03:15:00+00:00", index=True)
    (root / "register.yaml").write_text(REGISTER)
    (root / "risks.csv").write_text(
        "id,title,category,owner,likelihood,impact\nR-001,Toxic output,safety,T&S,3,4\n"
    )
    (root / "a-folder").mkdir()
    (root / "a-file").write_text("not a folder\n")
    return root


COMMANDS = {
    "compare": ["compare", "n1", "n2"],
    "trend": ["trend", "toxicity-core", "toxic_rate"],
    "register export": ["register", "export", "-f", "md"],
    "register soa": ["register", "soa", "-f", "md"],
    "register schema": ["register", "schema"],
    "register import": ["register", "import", "risks.csv"],
}
"""Commands whose --out is a file."""


def _cli(project: Path, *args: str) -> tuple[int, str]:
    """``assurance ARGS...`` run in ``project``, in this process (what these tests check is the
    exit code and what is said and written, not anything of a process's start); its exit code
    and its output, stdout and stderr together. The schema commands refuse their --out in the
    entry point's error handling, which only a process of its own runs: those run in one."""
    if args[:1] == ("schema",) or args[:2] == ("register", "schema"):
        proc = run_cli(*args, cwd=project, timeout=120)
        return proc.returncode, proc.stdout + proc.stderr
    with contextlib.chdir(project):
        done = invoke_in_process(list(args))
    return done.exit_code, done.output


def _argv(args: list[str], out: str) -> list[str]:
    """``args``, the options the command needs in :func:`project` and ``-o out``."""
    common = {"--reports": "reports", "--register": "register.yaml"}
    if args[:2] == ["register", "schema"] or args == ["schema"]:
        common = {}
    elif args[0] in ("compare", "trend"):
        common = {"--reports": "reports"}
    elif args[:2] == ["register", "import"]:
        common = {"--register": "register.yaml"}
    extra = [item for pair in common.items() for item in pair]
    return [*args, *extra, "-o", out]


def _run(project: Path, args: list[str], out: str) -> tuple[int, str]:
    return _cli(project, *_argv(args, out))


@pytest.mark.parametrize("command", list(COMMANDS))
def test_an_out_file_that_is_a_folder_is_one_line(project: Path, command: str) -> None:
    code, text = _run(project, COMMANDS[command], "a-folder")
    assert "internal error" not in text, text
    assert code == 2, text
    assert "error: --out a-folder: is a folder" in text, text


@pytest.mark.parametrize("command", list(COMMANDS))
def test_an_out_file_under_a_file_is_one_line(project: Path, command: str) -> None:
    code, text = _run(project, COMMANDS[command], "a-file/x.md")
    assert "internal error" not in text, text
    assert code == 2, text
    assert "error: --out a-file/x.md: a-file is a file, not a folder" in text, text


def test_an_annex_folder_that_is_a_file_is_one_line(project: Path) -> None:
    code, text = _cli(
        project,
        "evidence", "pack", "n1", "--reports", "reports", "--register", "register.yaml",
        "-o", "a-file",
    )  # fmt: skip
    assert "internal error" not in text, text
    assert code == 2, text
    assert "error: --out a-file: is a file, not a folder" in text, text


def test_a_report_folder_that_is_a_file_is_one_line(project: Path) -> None:
    """Was: ``cannot write a-file: File exists`` and exit 3, as if the disk had failed."""
    code, text = _cli(project, "report", "n1", "--reports", "reports", "-o", "a-file")
    assert code == 2, text
    assert "error: --out a-file: is a file, not a folder" in text, text


@pytest.mark.parametrize(
    "args",
    [
        ["compare", "n1", "n2", "--reports", "reports"],
        ["report", "n1", "--reports", "reports"],
        ["evidence", "pack", "n1", "--reports", "reports", "--register", "register.yaml"],
    ],
    ids=["file", "report folder", "annex folder"],
)
def test_an_out_that_is_a_dangling_symlink_names_it(
    project: Path, args: list[str], tmp_path: Path
) -> None:
    """Was: ``cannot write gone: File exists`` (or ``No such file or directory; free space
    there``), exit 3: nothing said the path was a link to nothing."""
    link = tmp_path / "gone"
    link.symlink_to(tmp_path / "missing" / "target")
    code, text = _cli(project, *args, "-o", str(link))
    assert code == 2, text
    assert f"error: --out {link}: is a symlink to {tmp_path / 'missing' / 'target'}" in text, text


@pytest.mark.parametrize("formats", ["", ",", " , "])
def test_report_with_no_format_is_a_usage_error(project: Path, formats: str) -> None:
    """Was: exit 0, nothing written, nothing said."""
    code, text = _cli(project, "report", "n1", "--reports", "reports", "-f", formats)
    assert code == 2, text
    assert "--format" in text and "html, md, json, junit" in text, text


def _socket_file(path: Path) -> socket.socket:
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(path))
    return listener


@pytest.mark.parametrize("command", [*COMMANDS, "schema"])
def test_an_out_file_that_is_a_pipe_nobody_reads_is_one_line_not_a_hang(
    project: Path, command: str, tmp_path: Path
) -> None:
    """Was: 'schema -o fifo', 'compare ... -o fifo', 'trend ... -o fifo' waited for ever for a
    reader, opening the named pipe to write the output in place. A process of its own, that a
    hang ends at the timeout."""
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    proc = run_cli(*_argv(COMMANDS.get(command, ["schema"]), str(fifo)), cwd=project, timeout=30)
    code, text = proc.returncode, proc.stdout + proc.stderr
    assert code == 2, text
    assert f"error: --out {fifo}: is a named pipe" in text, text
    assert stat.S_ISFIFO(fifo.lstat().st_mode)  # left as it was


def test_an_out_file_that_is_a_socket_is_a_usage_error(project: Path, tmp_path: Path) -> None:
    """Was: 'cannot write sock: No such device or address; free space there or make it
    writable', exit 3, as if the disk had failed."""
    listener = _socket_file(tmp_path / "sock")
    try:
        proc = run_cli("schema", "-o", str(tmp_path / "sock"), cwd=project, timeout=30)
    finally:
        listener.close()
    text = proc.stdout + proc.stderr
    assert proc.returncode == 2, text
    assert f"error: --out {tmp_path / 'sock'}: is a socket" in text, text


def test_an_out_file_that_is_a_pipe_being_read_is_written_to(project: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    reading = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # a reader before the command starts
    ours = os.open(fifo, os.O_WRONLY)  # held open: the reads wait for the command, not EOF
    os.set_blocking(reading, True)
    received: list[bytes] = []
    with os.fdopen(reading, "rb") as pipe:
        drain = threading.Thread(target=lambda: received.append(pipe.read()))
        drain.start()
        proc = run_cli("schema", "-o", str(fifo), cwd=project, timeout=30)
        os.close(ours)
        drain.join(timeout=30)
    assert proc.returncode == 0, proc.stderr
    assert received and received[0].startswith(b"{"), received


@pytest.mark.parametrize("out", ["a-folder", "a-file/x.md"])
def test_a_compare_out_that_cannot_be_written_is_the_only_line(project: Path, out: str) -> None:
    """The comparison table was printed first and the --out error last: a screen of figures
    for a command that failed (exit 2), with the one line that mattered at the bottom."""
    code, text = _cli(project, "compare", "n1", "n2", "--reports", "reports", "-o", out)
    assert code == 2, text
    assert "Traceback" not in text, text
    lines = text.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: --out {out}: "), text


# --out's suffix names a format the command writes, and never a file the command reads: a PNG
# in notes.txt, JSON over suite.yaml, CSV in a .xlsx, or a view written over the register it
# was read from, were all written without a word.
WRONG_SUFFIX = {
    "trend": (["trend", "toxicity-core", "toxic_rate"], "plot.txt", ".png"),
    "compare": (["compare", "n1", "n2"], "comparison.html", ".json, .md or .markdown"),
    "schema": (["schema"], "suite.yaml", ".json"),
    "register schema": (["register", "schema"], "register.schema.yml", ".json"),
    "register export -f": (["register", "export", "-f", "csv"], "risks.xlsx", ".csv"),
    "register export": (["register", "export"], "risks.txt", ".md, .html, .csv or .xlsx"),
    "register soa": (["register", "soa", "-f", "md"], "soa.html", ".md"),
    "register import": (["register", "import", "risks.csv"], "new-register.md", ".yaml or .yml"),
}


@pytest.mark.parametrize("command", list(WRONG_SUFFIX))
def test_an_out_suffix_the_command_cannot_write_is_refused(project: Path, command: str) -> None:
    args, out, suffixes = WRONG_SUFFIX[command]
    suffix = Path(out).suffix
    code, text = _run(project, args, out)
    assert code == 2, text
    lines = text.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: --out {out}: "), text
    assert suffix in lines[0] and f"give a file ending {suffixes}" in lines[0], text
    assert not (project / out).exists()


@pytest.mark.parametrize(
    ("args", "out", "written"),
    [
        (["trend", "toxicity-core", "toxic_rate"], "plot.PNG", b"\x89PNG"),
        (["schema"], "suite.schema.json", b"{"),
        (["register", "export", "-f", "md"], "risks.md", b"#"),
        (["register", "export"], "view.csv", b"id,"),
    ],
    ids=["trend", "schema", "export -f", "export by suffix"],
)
def test_an_out_suffix_the_command_writes_is_written(
    project: Path, args: list[str], out: str, written: bytes
) -> None:
    code, text = _run(project, args, out)
    assert code == 0, text
    assert (project / out).read_bytes().startswith(written)
    (project / out).unlink()


def test_an_import_over_the_csv_it_reads_is_refused(project: Path, tmp_path: Path) -> None:
    """``register import risks.yaml -o risks.yaml``: the register YAML written over its own
    input (a CSV given a .yaml name), so the CSV was gone once read."""
    source = tmp_path / "risks.yaml"
    source.write_bytes((project / "risks.csv").read_bytes())
    code, text = _run(project, ["register", "import", str(source)], str(source))
    assert code == 2, text
    assert f"error: --out {source}: " in text and "risks.yaml" in text, text
    assert source.read_bytes() == (project / "risks.csv").read_bytes()
