"""``compare -o`` and ``baseline check -o`` write JSON (``.json``) or Markdown (``.md``,
``.markdown``, or a name without a suffix). Any other suffix was written as Markdown without a
word (``-o x.html``, Markdown over ``suite.yaml``), and a file the command reads (a compared
run's summary.json, the index runs.db) was replaced by the comparison: refused, exit 2, before
any work."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from assurance_harness.cli import app
from assurance_harness.errors import UsageError

from ..report.runfixtures import toxicity_run

WRITES = "give a file ending .json, .md or .markdown"


@pytest.fixture
def reports(tmp_path: Path) -> Path:
    """Two indexed runs, the first the accepted baseline."""
    root = tmp_path / "reports"
    toxicity_run(root, "n1", {1, 2}, started_at="2026-11-01T03:15:00+00:00", index=True)
    toxicity_run(root, "n2", {3, 4}, started_at="2026-11-02T03:15:00+00:00", index=True)
    code, text = invoke("baseline", "set", "n1", "--reports", str(root))
    assert code == 0, text
    return root


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


def _compare(reports: Path, out: Path) -> tuple[int, str]:
    return invoke("compare", "n1", "n2", "--reports", str(reports), "-o", str(out))


def _check(reports: Path, out: Path) -> tuple[int, str]:
    return invoke("baseline", "check", "--reports", str(reports), "-o", str(out))


COMMANDS = {"compare": _compare, "baseline check": _check}


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize("name", ["comparison.html", "comparison.txt", "suite.yaml"])
def test_a_suffix_it_does_not_write_is_refused(
    reports: Path, tmp_path: Path, command: str, name: str
) -> None:
    out = tmp_path / name
    if name == "suite.yaml":
        out.write_text("suite_version: 1\n")
    code, text = COMMANDS[command](reports, out)
    assert code == 2, text
    assert f"error: --out {out}: ends {out.suffix}" in text and WRITES in text, text
    assert "Comparison" not in text  # refused before the comparison was printed
    assert not out.exists() or out.read_text() == "suite_version: 1\n"


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize(("run", "name"), [("n1", "summary.json"), ("n2", "manifest.json")])
def test_a_compared_runs_file_is_refused(reports: Path, command: str, run: str, name: str) -> None:
    """``-o reports/n1/summary.json``: the .json suffix is right, but the baseline's summary was
    replaced by the comparison, and the run no longer read or verified."""
    out = reports / run / name
    before = out.read_bytes()
    code, text = COMMANDS[command](reports, out)
    assert code == 2, text
    assert f"error: --out {out}: is the file read as" in text and run in text, text
    assert out.read_bytes() == before


@pytest.mark.parametrize("command", list(COMMANDS))
def test_the_run_index_is_refused_through_a_link(
    reports: Path, tmp_path: Path, command: str
) -> None:
    """A name without a suffix is written as given; a link by that name to runs.db is not."""
    link = tmp_path / "comparison"
    link.symlink_to(reports / "runs.db")
    before = (reports / "runs.db").read_bytes()
    code, text = COMMANDS[command](reports, link)
    assert code == 2, text
    assert f"error: --out {link}: is the file read as" in text, text
    assert (reports / "runs.db").read_bytes() == before


def test_trend_refuses_the_run_index_through_a_link(reports: Path, tmp_path: Path) -> None:
    link = tmp_path / "plot"
    link.symlink_to(reports / "runs.db")
    before = (reports / "runs.db").read_bytes()
    code, text = invoke(
        "trend", "toxicity-core", "toxic_rate", "--reports", str(reports), "-o", str(link)
    )
    assert code == 2, text
    assert f"error: --out {link}: is the file read as" in text, text
    assert (reports / "runs.db").read_bytes() == before


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize(
    ("name", "start"),
    [
        ("c.md", "## Comparison"),
        ("c.MARKDOWN", "## Comparison"),
        ("c", "## Comparison"),
        ("c.json", "{"),
    ],
)
def test_the_documented_suffixes_are_written(
    reports: Path, tmp_path: Path, command: str, name: str, start: str
) -> None:
    out = tmp_path / name
    code, text = COMMANDS[command](reports, out)
    assert code in (0, 1), text
    assert out.read_text().lstrip("[\n").startswith(start), out.read_text()


def test_check_run_refuses_a_suffix_it_does_not_write(reports: Path, tmp_path: Path) -> None:
    """``check_run`` (``assurance run --baseline``) wrote Markdown into any ``out_path``."""
    from io import StringIO

    from rich.console import Console

    from assurance_harness.compare.nightly import check_run

    console = Console(file=StringIO(), width=200)
    with pytest.raises(UsageError, match=r"ends \.html"):
        check_run(reports / "n2", reports, console=console, out_path=tmp_path / "c.html")
    assert not (tmp_path / "c.html").exists()
    summary = reports / "n2" / "summary.json"
    before = summary.read_bytes()
    with pytest.raises(UsageError, match="is the file read as"):
        check_run(reports / "n2", reports, console=console, out_path=summary)
    assert summary.read_bytes() == before


def _trend(reports: Path, out: Path) -> tuple[int, str]:
    return invoke("trend", "toxicity-core", "toxic_rate", "--reports", str(reports), "-o", str(out))


@pytest.mark.parametrize("command", [*COMMANDS, "trend"])
@pytest.mark.parametrize("name", ["report.md", "notes.md", "report.json"])
def test_a_file_in_a_run_folder_is_refused(
    reports: Path, tmp_path: Path, command: str, name: str
) -> None:
    """``-o reports/n1/report.md``: not a file the comparison reads, so it was written over,
    and the run's own report (or a new file among its evidence) became the comparison."""
    out = reports / "n1" / (name if command != "trend" else name.rsplit(".")[0] + ".png")
    if name == "report.md":
        out.write_text("# the run's report\n")
    before = out.read_bytes() if out.exists() else None
    code, text = {**COMMANDS, "trend": _trend}[command](reports, out)
    assert code == 2, text
    assert f"error: --out {out}: is in the folder of run n1" in text, text
    assert "give a file outside it" in text and len(text.strip().splitlines()) == 1, text
    assert (out.read_bytes() if out.exists() else None) == before


@pytest.mark.parametrize("command", [*COMMANDS, "trend"])
def test_a_file_below_a_run_folder_is_refused(reports: Path, command: str) -> None:
    """``-o reports/n1/notes/comparison.md``: only the folder the file is in was looked at,
    so a folder made inside the run's own was written, among its evidence."""
    out = reports / "n1" / "notes" / ("comparison.md" if command != "trend" else "trend.png")
    code, text = {**COMMANDS, "trend": _trend}[command](reports, out)
    assert code == 2, text
    assert f"error: --out {out}: is in the folder of run n1" in text, text
    assert not (reports / "n1" / "notes").exists()


def test_a_folder_with_another_tools_summary_json_is_not_a_run_folder(
    reports: Path, tmp_path: Path
) -> None:
    """A lone summary.json (another tool's, the user's own) does not make a folder a run's: a
    comparison may be written beside it."""
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "summary.json").write_text("{}")
    out = folder / "comparison.md"
    code, text = COMMANDS["compare"](reports, out)
    assert code in (0, 1) and "is in the folder of run" not in text, text
    assert out.exists(), text
