"""``check_utf8_lines`` reads large files a megabyte at a time and still names the bad line."""

from __future__ import annotations

from pathlib import Path

import pytest

from assurance_harness.errors import ConfigError
from assurance_harness.store.files import check_utf8_lines


def test_a_character_across_a_block_boundary_is_valid(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    head = b"\xef\xbb\xbf" + b"x" * ((1 << 20) - 4)  # a BOM, then "é" cut by the 1 MB boundary
    path.write_bytes(head + "é\n".encode() + "ü\n".encode() * 3)
    check_utf8_lines(path, "big.jsonl", hint="h")


def test_a_bad_byte_after_the_first_block_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    path.write_bytes(b"a\n" * 600_000 + b"caf\xe9\n" + b"b\n")
    with pytest.raises(ConfigError, match=r"big\.jsonl:600001: not UTF-8: byte 0xe9"):
        check_utf8_lines(path, "big.jsonl", hint="h")


def test_a_sequence_cut_at_the_end_of_the_file_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "cut.jsonl"
    path.write_bytes(b"ok\n\xe2\x82")
    with pytest.raises(ConfigError, match=r"cut\.jsonl:2: not UTF-8"):
        check_utf8_lines(path, "cut.jsonl", hint="h")


@pytest.mark.parametrize("start", [0, 100, 999])
def test_a_long_line_across_one_block_boundary_is_refused_with_its_number(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, start: int
) -> None:
    # The blocks are the limit long here (1,000 bytes): a line of 1,850 over one boundary is
    # found by the bytes before its newline, not by a block without one.
    from assurance_harness.store import files

    monkeypatch.setattr(files, "MAX_READ_MB", 0.001)
    path = tmp_path / "long.jsonl"
    head = b"a" * (start - 1) + b"\n" if start else b""
    path.write_bytes(head + b"x" * 1850 + b"\nok\n" * 5)
    line = 2 if start else 1
    with pytest.raises(ConfigError, match=rf"long\.jsonl:{line}: the line is more than 0\.001 MB"):
        check_utf8_lines(path, "long.jsonl", hint="h")


def test_lines_ended_by_carriage_returns_alone_are_not_one_long_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assurance_harness.store import files

    monkeypatch.setattr(files, "MAX_READ_MB", 0.001)
    path = tmp_path / "mac.csv"
    path.write_bytes(b"id,prompt\r" + b"a,hello there\r" * 500)  # 7 kB, rows of 14 bytes
    check_utf8_lines(path, "mac.csv", hint="h")
