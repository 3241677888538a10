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
