"""A file of absurd shape (one line of gigabytes from a sparse file, a YAML file of hundreds of
megabytes) is refused at a stated limit instead of being read into memory whole. The limit is
made small here (``store.files.MAX_READ_MB``), so no test writes more than a few kilobytes."""

from __future__ import annotations

from pathlib import Path

import pytest

from assurance_harness.store import files
from tests.store.inputfiles import INLINE, SUITE, appending_writer, replay_project
from tests.testing.cli import invoke_in_process


@pytest.fixture
def small_limit(monkeypatch: pytest.MonkeyPatch) -> int:
    """The read limit made 1,000 bytes (0.001 MB): a 2,000-byte line stands in for gigabytes."""
    monkeypatch.setattr(files, "MAX_READ_MB", 0.001)
    return 1000


@pytest.mark.parametrize("name", ["cases.jsonl", "cases.csv"])
def test_a_dataset_line_over_the_limit_is_refused_with_the_limit_and_the_line(
    tmp_path: Path, small_limit: int, name: str
) -> None:
    (tmp_path / "suite.yaml").write_text(SUITE.format(data=name))
    huge = "x" * (2 * small_limit)
    if name.endswith(".csv"):
        (tmp_path / name).write_text(f"id,prompt\na,hi\nb,{huge}\n")
    else:
        (tmp_path / name).write_text(
            f'{{"id": "a", "prompt": "hi"}}\n{{"id": "b", "prompt": "{huge}"}}\n'
        )
    result = invoke_in_process(["validate", str(tmp_path / "suite.yaml")])
    assert result.exit_code == 2, result.output
    line = 3 if name.endswith(".csv") else 2  # a CSV's header is line 1
    assert f"{name}:{line}:" in result.output and "0.001 MB" in result.output, result.output
    assert "the line is more than" in result.output, result.output


def test_a_dataset_line_under_the_limit_still_loads(tmp_path: Path, small_limit: int) -> None:
    (tmp_path / "suite.yaml").write_text(SUITE.format(data="cases.jsonl"))
    body = "x" * (small_limit - 40)
    (tmp_path / "cases.jsonl").write_text(f'{{"id": "a", "prompt": "{body}"}}\n' * 1)
    result = invoke_in_process(["validate", str(tmp_path / "suite.yaml")])
    assert result.exit_code == 0, result.output


def test_a_json_dataset_over_the_limit_is_refused_with_the_way_on(
    tmp_path: Path, small_limit: int
) -> None:
    (tmp_path / "suite.yaml").write_text(SUITE.format(data="cases.json"))
    rows = ",".join(f'{{"id": "c{i}", "prompt": "hello"}}' for i in range(100))
    (tmp_path / "cases.json").write_text(f"[{rows}]")
    result = invoke_in_process(["validate", str(tmp_path / "suite.yaml")])
    assert result.exit_code == 2, result.output
    assert "cases.json" in result.output and "0.001 MB" in result.output, result.output
    assert "JSONL" in result.output, result.output


def test_a_yaml_suite_over_the_limit_is_refused_not_parsed(
    tmp_path: Path, small_limit: int
) -> None:
    extra = f"description: {'z' * (2 * small_limit)}\n"
    (tmp_path / "suite.yaml").write_text(INLINE.replace("{extra}", extra))
    result = invoke_in_process(["validate", str(tmp_path / "suite.yaml")])
    assert result.exit_code == 2, result.output
    assert "suite.yaml" in result.output and "0.001 MB" in result.output, result.output


def test_a_replay_line_over_the_limit_is_refused_with_the_limit_and_the_line(
    tmp_path: Path, small_limit: int
) -> None:
    root = replay_project(tmp_path)
    (root / "rec.jsonl").write_text(
        f'{{"id": "a", "response": "hi"}}\n{{"id": "b", "response": "{"y" * 2 * small_limit}"}}\n'
    )
    result = invoke_in_process(["validate", str(root / "suite.yaml"), str(root / "replay.yaml")])
    assert result.exit_code == 2, result.output
    assert "rec.jsonl:2:" in result.output and "0.001 MB" in result.output, result.output


def test_a_register_import_csv_over_the_limit_is_refused_not_read_whole(
    tmp_path: Path, small_limit: int
) -> None:
    # Each line under the limit (so the line-by-line check passes), the file over it: read
    # whole, a CSV of gigabytes went into memory before a row was looked at.
    from tests.register.test_register_import_input import HEADER, REGISTER

    (tmp_path / "register.yaml").write_text(REGISTER)
    rows = "".join(f"R-{i:03d},risk {i},safety,T&S,3,4,,30\n" for i in range(100))
    (tmp_path / "risks.csv").write_text(HEADER + rows)
    result = invoke_in_process(
        ["register", "import", str(tmp_path / "risks.csv"), "--register",
         str(tmp_path / "register.yaml"), "--dry-run"]
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert "risks.csv" in result.output and "0.001 MB" in result.output, result.output


def test_project_settings_over_the_limit_are_refused_not_read_whole(
    tmp_path: Path, small_limit: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.testing.project import echo_project

    echo_project(tmp_path, suite="bounded-settings")
    (tmp_path / "assurance.yaml").write_text("x-notes:\n" + "  - note\n" * 400)
    monkeypatch.chdir(tmp_path)
    result = invoke_in_process(["run", "s.yaml", "--target", "t.yaml", "--no-report"])
    assert result.exit_code == 2, result.output
    assert "assurance.yaml" in result.output and "0.001 MB" in result.output, result.output


def test_a_ledger_line_over_the_limit_is_an_invalid_record_not_read_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The ledger was read a whole line at a time however long: one appended line of gigabytes
    # (tampering, or a torn write that never ended) went into memory before it was found
    # invalid. A line over the limit is no record: reported as one, never held.
    import shutil

    from assurance_harness.register.ledger_store import iter_lines

    monkeypatch.setattr(files, "MAX_READ_MB", 0.01)  # 10 kB: a record is 1-2 kB
    golden = Path(__file__).resolve().parents[1] / "register" / "golden" / "reports" / "evidence"
    ledger = tmp_path / "ledger.jsonl"
    shutil.copy(golden / "ledger.jsonl", ledger)
    records = ledger.read_text().splitlines()
    with ledger.open("a") as handle:
        handle.write("x" * 50_000 + "\n" + records[0] + "\n")
    lines = list(iter_lines(ledger))
    assert [n for n, _, _ in lines] == list(range(1, len(records) + 3))
    _, raw, record = lines[len(records)]
    assert record is None and len(raw) <= 10_000, len(raw)
    assert "more than 0.01 MB" in raw
    assert lines[-1][2] is not None  # the line after it is read as a record again


def _bytes_read() -> int:
    """What this process has read through read(2) so far (Linux's /proc/self/io ``rchar``)."""
    for line in Path("/proc/self/io").read_text().splitlines():
        if line.startswith("rchar:"):
            return int(line.split()[1])
    raise AssertionError("no rchar in /proc/self/io")


@pytest.mark.skipif(not Path("/proc/self/io").exists(), reason="needs Linux's /proc/self/io")
@pytest.mark.parametrize("name", ["cases.jsonl", "cases.csv"])
def test_a_giant_early_line_is_refused_before_the_rest_of_the_file_is_read(
    tmp_path: Path, small_limit: int, name: str
) -> None:
    # The UTF-8 pre-pass read the whole file (a megabyte at a time) before the parse refused
    # its second line: a file of gigabytes was read through, about 18 s a GB, to be refused
    # for its second line. Here 100 MB of a sparse file stands in for the gigabytes.
    (tmp_path / "suite.yaml").write_text(SUITE.format(data=name))
    data = tmp_path / name
    head = "id,prompt\na,hi\n" if name.endswith(".csv") else '{"id": "a", "prompt": "hi"}\n'
    data.write_text(head)
    # Once while the file is small: the modules a first command imports are read, not counted.
    assert invoke_in_process(["validate", str(tmp_path / "suite.yaml")]).exit_code == 0
    with data.open("r+b") as handle:
        handle.truncate(100_000_000)  # a hole: no disk used, read back as NUL bytes
    before = _bytes_read()
    result = invoke_in_process(["validate", str(tmp_path / "suite.yaml")])
    read = _bytes_read() - before
    assert result.exit_code == 2, result.output
    line = 3 if name.endswith(".csv") else 2
    assert f"{name}:{line}:" in result.output and "the line is more than" in result.output
    assert read < 5_000_000, f"read {read:,} bytes of a 100 MB file to refuse line {line}"


def test_a_quoted_csv_field_over_many_lines_is_refused_at_the_limit_where_its_row_starts(
    tmp_path: Path, small_limit: int
) -> None:
    # Each physical line is short, so the line limit never saw it: a quoted field spanning
    # lines was read whole up to csv's 1 GiB field limit before anything was refused.
    (tmp_path / "suite.yaml").write_text(SUITE.format(data="cases.csv"))
    field = "\n".join(["word " * 10] * 100)  # 5 kB over 100 lines, each 50 bytes
    (tmp_path / "cases.csv").write_text(f'id,prompt\na,hi\nb,"{field}"\nc,after\n')
    result = invoke_in_process(["validate", str(tmp_path / "suite.yaml")])
    assert result.exit_code == 2, result.output
    assert "cases.csv:3:" in result.output and "0.001 MB" in result.output, result.output
    assert "the row is more than" in result.output, result.output


def test_a_quoted_csv_field_over_lines_under_the_limit_still_loads(
    tmp_path: Path, small_limit: int
) -> None:
    (tmp_path / "suite.yaml").write_text(SUITE.format(data="cases.csv"))
    field = "\n".join(["word " * 10] * 10)  # 500 bytes over 10 lines
    (tmp_path / "cases.csv").write_text(f'id,prompt\na,hi\nb,"{field}"\nc,after\n')
    result = invoke_in_process(["validate", str(tmp_path / "suite.yaml")])
    assert result.exit_code == 0, result.output


REPLAY_WRITER = appending_writer("response")


@pytest.mark.skipif(not Path("/proc/self/io").exists(), reason="needs Linux's /proc/self/io")
def test_a_recording_appended_to_while_it_is_indexed_is_refused_not_read_on(
    tmp_path: Path,
) -> None:
    # The replay's index read on to wherever the end of the recording was by then: a writer
    # appending kept 'validate' reading for as long as it wrote. It now reads no further than
    # the size the recording had when its reading began, and says it changed.
    import subprocess
    import sys

    root = replay_project(tmp_path)
    rec = root / "rec.jsonl"
    rec.write_text("".join(f'{{"id": "c{i}", "response": "{"ok " * 30}"}}\n' for i in range(8000)))
    start = rec.stat().st_size  # about 850 kB
    args = ["validate", str(root / "suite.yaml"), str(root / "replay.yaml")]
    assert invoke_in_process(args).exit_code == 0  # the modules imported once, not counted
    writer = subprocess.Popen([sys.executable, "-c", REPLAY_WRITER, str(rec)])
    try:
        while rec.stat().st_size == start:  # the writer has begun
            pass
        before = _bytes_read()
        result = invoke_in_process(args)
        read = _bytes_read() - before
    finally:
        writer.kill()
        writer.wait()
    assert result.exit_code == 2, result.output
    assert "rec.jsonl" in result.output, result.output
    assert "changed while it was read" in result.output, result.output
    assert read < 6 * start, f"read {read:,} bytes of a recording of {start:,} at the start"
