"""What a file that should be text is instead, told from its first bytes.

A user who gives the register exported to XLSX back as ``--register`` (or a zip, a PDF) was
told "not UTF-8; re-save the file as UTF-8", advice no spreadsheet can follow: a binary file
is named as what it is, so the line can say which file to give instead.
"""

from __future__ import annotations

import io
import zipfile

_OLE = bytes.fromhex("d0cf11e0a1b11ae1")
"""The signature of an OLE compound document: Excel 97-2003 (.xls), Word (.doc)."""

_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (_OLE, "an Excel 97-2003 workbook or another OLE document (XLS, DOC)"),
    (b"%PDF-", "a PDF document"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"SQLite format 3\x00", "an SQLite database"),
)


def binary_format(data: bytes) -> str | None:
    """What ``data`` (a file's bytes, already read within their bound) is, as a phrase ("an
    Excel workbook (XLSX)"), where its first bytes say it is a known binary format; None for
    anything else, text in another encoding included (its fix is to re-save it as UTF-8)."""
    if data.startswith(b"PK\x03\x04"):
        return _zip_format(data)
    return next((said for magic, said in _SIGNATURES if data.startswith(magic)), None)


def _zip_format(data: bytes) -> str:
    """An Office Open XML file by the parts it holds (its members are listed, never
    extracted); any other zip, or one whose listing cannot be read, is a zip archive."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return "a zip archive"
    if any(n.startswith("xl/") for n in names):
        return "an Excel workbook (XLSX)"
    if any(n.startswith("word/") for n in names):
        return "a Word document (DOCX)"
    if any(n.startswith("ppt/") for n in names):
        return "a PowerPoint presentation (PPTX)"
    if "content.xml" in names and "mimetype" in names:
        return "an OpenDocument file (ODS, ODT)"
    return "a zip archive"


def not_yaml_hint(kind: str) -> str:
    """The fix for a binary file given where a YAML file belongs: give the YAML file; a
    spreadsheet (the register exported to XLSX, edited) goes back in through a CSV import."""
    if "workbook" in kind or "OpenDocument" in kind:
        return (
            "give the YAML file; to bring a spreadsheet of the register back, save it as CSV "
            "and run 'assurance register import'"
        )
    return "give the YAML file"
