"""The run log owns the run-folder format: models, one writer, one reader, one lookup."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from pydantic import BaseModel

from assurance_harness.errors import UsageError
from assurance_harness.store.runlog import (
    IndexRow,
    Manifest,
    ResultRow,
    RunLogWriter,
    RunState,
    Summary,
    read_run,
    resolve_run,
    row_key,
    split_row_key,
)

REPO = Path(__file__).resolve().parents[2]
FORMATS = (REPO / "docs" / "FORMATS.md").read_text(encoding="utf-8")
GOLDEN = REPO / "tests" / "register" / "golden" / "reports"
GOLDEN_RUN = "20261202T030141Z-golden-refusal-e0f7"


def _section(title: str) -> str:
    """The text of docs/FORMATS.md under a heading, up to the next heading."""
    match = re.search(rf"^#+ {re.escape(title)}\n(.*?)(?=^#+ )", FORMATS, re.S | re.M)
    assert match, f"docs/FORMATS.md has no section '{title}'"
    return match.group(1)


def _fields(model: type[BaseModel]) -> list[str]:
    names = []
    for name, info in model.model_fields.items():
        names.append(name)
        inner = info.annotation
        for arg in (*getattr(inner, "__args__", ()), inner):
            if isinstance(arg, type) and issubclass(arg, BaseModel):
                names += _fields(arg)
    return names


@pytest.mark.parametrize(
    ("model", "title"),
    [
        (Summary, "`summary.json`"),
        (Manifest, "`manifest.json`"),
        (ResultRow, "Row (a line of `results.jsonl`)"),
    ],
)
def test_formats_md_documents_every_field_of_the_models(model: type[BaseModel], title: str) -> None:
    text = _section(title)
    missing = [f for f in _fields(model) if f'"{f}"' not in text]
    assert not missing, f"docs/FORMATS.md section {title} does not show {missing}"


def test_formats_md_row_example_lists_the_fields_in_file_order() -> None:
    text = _section("Row (a line of `results.jsonl`)")
    example = text.split("```json", 1)[1].split("```", 1)[0]
    top = re.findall(r'(?:^|[{,]\s*)"(\w+)":', example.replace("\n", " "))
    ordered = [k for k in top if k in ResultRow.model_fields]
    assert ordered == list(ResultRow.model_fields)


def test_formats_md_documents_run_json_and_the_index() -> None:
    table_row = next(line for line in FORMATS.splitlines() if line.startswith("| `run.json`"))
    for name in _fields(RunState):
        assert name in table_row, name
    columns = re.search(r"Table `runs\((.*?)\)`", FORMATS, re.S)
    assert columns
    names = [c.split()[0] for c in columns.group(1).replace("\n", " ").split(",")]
    assert names == list(IndexRow.model_fields)


def test_the_writer_reproduces_the_golden_runs_files_byte_for_byte() -> None:
    run = read_run(GOLDEN / GOLDEN_RUN)
    assert run.info.status == "gates_failed" and run.manifest_model is not None
    assert RunLogWriter.render(run.info) == (GOLDEN / GOLDEN_RUN / "summary.json").read_text()
    assert (
        RunLogWriter.render(run.manifest_model)
        == (GOLDEN / GOLDEN_RUN / "manifest.json").read_text()
    )


def test_results_path_follows_the_manifest_for_every_reader(tmp_path: Path) -> None:
    run_dir = tmp_path / GOLDEN_RUN
    shutil.copytree(GOLDEN / GOLDEN_RUN, run_dir)
    (run_dir / "results.jsonl").rename(run_dir / "rows.jsonl")
    manifest = json.loads((run_dir / "manifest.json").read_text())
    manifest["results"]["path"] = "rows.jsonl"
    (run_dir / "manifest.json").write_text(json.dumps(manifest))
    from assurance_harness.register.runfiles import RunFiles
    from assurance_harness.report.rundata import load_run

    for run in (read_run(run_dir), load_run(run_dir), RunFiles.load(run_dir)):
        assert run.results_path == run_dir / "rows.jsonl"
        assert len(run.rows()) == 6


def test_resolve_run_one_set_of_rules(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    for name in ("20261201T000000Z-a-1111", "20261201T000000Z-a-2222"):
        shutil.copytree(GOLDEN / GOLDEN_RUN, reports / name)
    elsewhere = tmp_path / "archive" / "old-run"
    shutil.copytree(GOLDEN / GOLDEN_RUN, elsewhere)
    from assurance_harness.store.index import RunIndex

    summary = read_run(elsewhere).info.model_copy(update={"run_id": "old-run"})
    # The folder holds the run the index names (the index checks it: a row naming another
    # run's folder is refused, tests/store/test_index_points_elsewhere.py).
    data = json.loads((elsewhere / "summary.json").read_text(encoding="utf-8"))
    (elsewhere / "summary.json").write_text(json.dumps({**data, "run_id": "old-run"}))
    RunIndex(reports / "runs.db").upsert(IndexRow.from_summary(summary, elsewhere))

    assert resolve_run(str(elsewhere), reports) == elsewhere  # a path
    assert resolve_run("old-run", reports) == elsewhere  # the index knows where it is
    assert resolve_run("20261201T000000Z-a-1111", reports) == reports / "20261201T000000Z-a-1111"
    assert resolve_run("20261201T000000Z-a-2", reports) == reports / "20261201T000000Z-a-2222"
    with pytest.raises(UsageError, match="ambiguous"):
        resolve_run("20261201T000000Z-a", reports)
    with pytest.raises(UsageError, match="run 'nope' not found"):
        resolve_run("nope", reports)
    (reports / "running").mkdir()
    (reports / "running" / "run.json").write_text("{}")
    with pytest.raises(UsageError, match="has not finished"):
        resolve_run("running", reports)


@pytest.mark.parametrize("ref", ["", " ", "\t"])
def test_an_empty_run_id_names_no_run_even_where_there_is_one(tmp_path: Path, ref: str) -> None:
    """Was: '' is a prefix of every run id, so with one run under reports/ an unset $RUN_ID
    (``assurance baseline set "$RUN_ID"``, ``evidence attach``) silently chose that run; with
    several it said the empty id was 'ambiguous'."""
    reports = tmp_path / "reports"
    shutil.copytree(GOLDEN / GOLDEN_RUN, reports / GOLDEN_RUN)
    with pytest.raises(UsageError, match="empty run id") as err:
        resolve_run(ref, reports)
    assert "runs list" in str(err.value)


def test_a_damaged_summary_is_named_not_a_traceback(tmp_path: Path) -> None:
    run_dir = tmp_path / "r"
    run_dir.mkdir()
    (run_dir / "summary.json").write_text(json.dumps({"run_id": "r", "counts": {"errors": "x"}}))
    with pytest.raises(UsageError, match=r"summary\.json: counts\.errors"):
        read_run(run_dir)


def test_result_rows_are_checked_when_written(tmp_path: Path) -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        RunLogWriter(tmp_path).write_results([{"sample": 0}])  # no case_id


def test_row_keys() -> None:
    assert row_key({"case_id": "a#b", "sample": 2}) == "a#b#2"
    assert split_row_key("a#b#2") == ("a#b", 2)
    assert ResultRow(case_id="x", sample=1).key == "x#1"


def test_nulls_are_omitted_only_by_looking_at_fields_that_can_hold_a_model() -> None:
    # _omit_nulls visits only the fields whose value can be a model (issue 12: it walked every
    # field of every results.jsonl row); a nested model's omit_if_none fields are still dropped.
    from typing import Any, ClassVar

    from assurance_harness.store.runlog import ResultRow, _dump, _Model, _model_valued

    class Inner(_Model):
        omit_if_none: ClassVar[frozenset[str]] = frozenset({"late"})
        late: str | None = None

    class Outer(_Model):
        inner: Inner
        maybe: Inner | None = None
        anything: Any = None
        rows: list[Inner] = []
        table: dict[str, Any] = {}
        text: str = ""

    assert _model_valued(Outer) == ("inner", "maybe", "anything")
    assert _model_valued(ResultRow) == ()
    data = _dump(Outer(inner=Inner(), maybe=Inner(late="x"), anything=Inner()))
    assert data["inner"] == {} and data["maybe"] == {"late": "x"} and data["anything"] == {}
