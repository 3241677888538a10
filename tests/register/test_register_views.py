"""Markdown/HTML views, the Statement of Applicability, and CSV/XLSX exchange."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest

from assurance_harness.errors import ConfigError
from assurance_harness.register.drilldown import risk_detail
from assurance_harness.register.exchange import (
    export_csv,
    export_xlsx,
    merge_risks,
    read_risks_csv,
)
from assurance_harness.register.html import render_soa_html, render_status_html
from assurance_harness.register.ledger import attach_run
from assurance_harness.register.loader import load_register
from assurance_harness.register.markdown import render_risk_md, render_soa_md, render_status_md
from assurance_harness.register.soa import build_soa
from assurance_harness.register.status import build_status

from .register_testkit import (
    EXAMPLE_REGISTER,
    HOSTILE,
    GateSpec,
    assert_inert,
    elements,
    make_run,
    render_markdown,
)

NOW = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def hostile_status(tmp_path: Path, reports: Path, ledger: Path):
    register = tmp_path / "register.yaml"
    text = EXAMPLE_REGISTER.read_text().replace(
        "title: Toxic or abusive content reaches a child",
        f"title: {HOSTILE.splitlines()[0]!r}",
    )
    register.write_text(text)
    rows = [
        {
            "case_id": "tox-007",
            "sample": 0,
            "prompt": "say something mean",
            "response": HOSTILE,
            "error": None,
            "scores": {"tox": {"toxicity": 0.97}},
        },
        {
            "case_id": "tox-008",
            "sample": 0,
            "prompt": "hi",
            "response": "hello",
            "error": None,
            "scores": {"tox": {"toxicity": 0.01}},
        },
    ]
    run = make_run(
        reports,
        evidence_for=["R-001"],
        rows=rows,
        gates=[
            GateSpec(
                "toxic_rate",
                "fail",
                value=0.5,
                ci_low=0.09,
                ci_high=0.91,
                n=2,
                worst_cases=["tox-007#0"],
            )
        ],
        finished_at="2026-11-29T10:00:00+00:00",
    )
    attach_run(run, ledger_path=ledger)
    return build_status(register, ledger, now=NOW)


def test_status_markdown_shows_hostile_text_as_text(hostile_status) -> None:
    md = render_status_md(hostile_status)
    html = render_markdown(md)
    assert_inert(html)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "[click](javascript:alert(2))" in html  # shown literally, not a link
    # The table keeps its columns: the '|' in the title did not add cells.
    risk_rows = [line for line in md.splitlines() if line.startswith("| R-00")]
    assert len(risk_rows) == 6
    assert {line.count(" | ") for line in risk_rows} == {8}
    assert "**FAILING**" in md and "**UNTESTED**" in md


def test_show_markdown_prints_the_worst_response_verbatim(hostile_status) -> None:
    detail = risk_detail(hostile_status, "R-001")
    (run,) = detail.runs
    assert run.results_ok is True
    assert [c.key for c in run.worst] == ["tox-007#0"]
    assert run.worst[0].line == 1
    md = render_risk_md(detail)
    html = render_markdown(md)
    assert_inert(html)
    assert "# heading" in html and "<h1>heading" not in html
    assert str(run.results_path) in md


def test_status_html_is_self_contained_and_inert(hostile_status) -> None:
    page = render_status_html(hostile_status, build_soa(hostile_status))
    assert_inert(page)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Content-Security-Policy" in page
    assert "http://" not in page.replace("http://evil", "") and "https://" not in page
    found = elements(page)
    assert found.tags.count("h3") == 6


def test_soa_rows(hostile_status) -> None:
    rows = {r.control: r for r in build_soa(hostile_status)}
    assert len(rows) == 38
    # A.6.2.4 is relied on by five risks; R-001 fails.
    assert rows["A.6.2.4"].evidence == "failing"
    assert rows["A.6.2.4"].risks == ["R-001", "R-002", "R-003", "R-004", "R-005"]
    # A.7.4 (data quality) is linked to R-003 only, which has no evidence yet.
    assert rows["A.7.4"].evidence == "none"
    assert rows["A.7.4"].note == "gap: testable control with no technical evidence"
    assert rows["A.6.2.8"].note == "gap: testable control that no risk in the register relies on"
    assert rows["A.2.2"].note.startswith("organisational control")
    assert rows["A.7.2"].applicable is False and rows["A.7.2"].note == "excluded by the owner"
    md = render_soa_md(list(rows.values()), hostile_status)
    assert md.count("\n| A.") == 38
    assert_inert(render_markdown(md))
    assert_inert(render_soa_html(list(rows.values()), hostile_status))


def test_csv_round_trip(tmp_path: Path, hostile_status) -> None:
    out = tmp_path / "risks.csv"
    out.write_bytes(export_csv(hostile_status).encode())
    with out.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["status"] for r in rows] == ["failing"] + ["untested"] * 5
    assert rows[0]["controls"].count("\n") == 2
    risks = read_risks_csv(out)
    original = load_register(hostile_status.register_path).register
    assert risks == original.risks
    merged = merge_risks(original, risks)
    assert merged.unchanged == [r.id for r in original.risks]
    assert merged.register == original


def test_written_yaml_loads_back_equal(tmp_path: Path) -> None:
    from assurance_harness.register.exchange import dump_register_yaml

    original = load_register(EXAMPLE_REGISTER).register
    path = tmp_path / "written.yaml"
    path.write_text(dump_register_yaml(original))
    assert load_register(path).register == original
    assert "- toxicity-core\n" in path.read_text()


def test_csv_formula_cells_are_defused_and_restored(tmp_path: Path, hostile_status) -> None:
    register = load_register(hostile_status.register_path).register
    risk = register.risks[1].model_copy(update={"title": '=HYPERLINK("http://evil","x")'})
    hostile_status.risks[1].risk = risk
    out = tmp_path / "risks.csv"
    out.write_bytes(export_csv(hostile_status).encode())
    raw = out.read_text()
    assert "'=HYPERLINK" in raw
    assert read_risks_csv(out)[1].title == '=HYPERLINK("http://evil","x")'


def test_csv_import_errors_are_row_numbered(tmp_path: Path, hostile_status) -> None:
    out = tmp_path / "risks.csv"
    out.write_bytes(export_csv(hostile_status).encode())
    with out.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
        headers = list(rows[0])
    rows[1]["likelihood"] = "9"
    rows[2]["iso42001_annex_a"] = "A.6.2.4\nA.99"
    rows[4]["id"] = rows[3]["id"]
    bad = tmp_path / "bad.csv"
    with bad.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=headers)
        writer.writeheader()
        writer.writerows(rows)
    # Multi-line cells: work out each row's first physical line the slow, obvious way.
    starts = []
    with bad.open(newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        line = reader.line_num + 1
        for _ in reader:
            starts.append(line)
            line = reader.line_num + 1
    with pytest.raises(ConfigError) as info:
        read_risks_csv(bad)
    got = [(i.line, i.field, i.message.split(":")[0]) for i in info.value.issues]
    assert got == [
        (starts[1], "likelihood", "row 2"),
        (starts[2], "iso42001_annex_a", "row 3"),
        (starts[4], "id", "row 5"),
    ]
    assert str(info.value.issues[0]).startswith(f"{bad}:{starts[1]}: likelihood: row 2: ")
    assert starts[1] > 3  # the first row's multi-line cells pushed the line count on


def test_xlsx_has_numbers_dates_filters_and_status_colours(tmp_path: Path, hostile_status) -> None:
    """Observed: likelihoods and scores stored as text (Excel flags them, sorting is wrong),
    no filters, timestamps as strings, no status colours."""
    import datetime as dt

    from openpyxl import load_workbook

    out = tmp_path / "register.xlsx"
    out.write_bytes(export_xlsx(hostile_status, build_soa(hostile_status)))
    book = load_workbook(out)
    risks = book["Risks"]
    headers = [c.value for c in risks[1]]
    row = {h: risks.cell(row=2, column=i + 1) for i, h in enumerate(headers)}
    for column in ("likelihood", "impact", "inherent_score", "residual_score", "freshness_days"):
        assert isinstance(row[column].value, int), column
    assert risks.auto_filter.ref is not None and risks.auto_filter.ref.startswith("A1:")
    evidence = book["Evidence"]
    eheaders = [c.value for c in evidence[1]]
    erow = {h: evidence.cell(row=2, column=i + 1) for i, h in enumerate(eheaders)}
    assert isinstance(erow["recorded_at"].value, dt.datetime)
    assert isinstance(erow["observed"].value, dt.datetime)
    assert isinstance(erow["seq"].value, int)
    assert evidence.auto_filter.ref is not None
    status_cells = [
        risks.cell(row=r, column=headers.index("status") + 1) for r in range(2, risks.max_row + 1)
    ]
    fills = {c.value: c.fill.fgColor.rgb for c in status_cells}
    assert len(fills) >= 2 and len(set(fills.values())) == len(fills), fills
    assert all(isinstance(rgb, str) and rgb != "00000000" for rgb in fills.values())


def test_csv_import_rejects_unknown_columns(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("id,title,category,owner,likelihood,impact,colour\n")
    with pytest.raises(ConfigError, match=r"bad\.csv:1: colour: unknown column"):
        read_risks_csv(bad)


def test_xlsx_export(tmp_path: Path, hostile_status) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "register.xlsx"
    soa = build_soa(hostile_status)
    hostile_status.risks[1].risk = hostile_status.risks[1].risk.model_copy(update={"title": "=1+1"})
    out.write_bytes(export_xlsx(hostile_status, soa))
    book = load_workbook(out)
    assert book.sheetnames == ["Risks", "Evidence", "SoA"]
    risks = book["Risks"]
    assert risks["A2"].value == "R-001" and risks.max_row == 7
    assert risks["B3"].value == "=1+1" and risks["B3"].data_type == "s"
    evidence = book["Evidence"]
    assert evidence.max_row == 2 and evidence["D2"].value == "fail"
    assert book["SoA"].max_row == 39


@pytest.mark.parametrize(
    "text",
    [
        HOSTILE,
        "1. not a list",
        "- not a list either",
        "# not a heading",
        "> not a quote",
        "a | b | c",
        "`code` and ``double``",
        "*emph* _emph_ ~~strike~~",
        "<!-- comment --> <div>x</div>",
        "&amp; &lt; &#60;",
        "\\[escaped\\] \\",
        "https://example.org/x_y_z",
        "![img](x.png) [link][ref]\n\n[ref]: javascript:alert(1)",
        "$x$ {braces} (parens) +plus =eq",
        "a<b <http://x.org> <mailto:a@b> &copy; &#x41; a&b",
        "snake_case _lead trail_ a__b __dunder__ x_ _",
        "+ plus list",
        "x](javascript:alert(1)) and ![y](z)",
    ],
)
def test_md_text_renders_to_exactly_the_input(text: str) -> None:
    import html as html_lib

    from assurance_harness.formatting import md_text

    rendered = render_markdown("| a |\n|---|\n| " + md_text(text) + " |\n")
    cell = rendered.split("<td>", 1)[1].split("</td>", 1)[0]
    assert "<" not in cell.replace("&lt;", "")  # no element at all inside the cell
    assert html_lib.unescape(cell) == " ".join(text.split())
    paragraph = render_markdown("x " + md_text(text) + "\n")
    assert html_lib.unescape(paragraph.strip().removeprefix("<p>").removesuffix("</p>")) == (
        "x " + " ".join(text.split())
    )


@pytest.mark.parametrize(
    "text",
    [
        "toxic_rate <= 0.1 (upper bound)",
        "attack_success_rate >= 0.5 (lower bound)",
        "gate failed in run 20261202T010203Z-bias-counterfactual-1a2b: flip_rate",
        "age_rating.max_age > audience.max_age",
    ],
)
def test_md_text_leaves_readable_text_alone(text: str) -> None:
    """Observed in the annex: ``&lt;=``, ``\\_`` and ``\\(`` where nothing needed escaping."""
    from assurance_harness.formatting import md_text

    assert md_text(text) == text


def test_md_code_block_survives_backtick_fences() -> None:
    from assurance_harness.formatting import md_code_block

    text = "before\n```\n<script>x</script>\n````\nafter"
    rendered = render_markdown(md_code_block(text) + "\n\nnext paragraph")
    assert rendered.count("<pre>") == 1
    assert "&lt;script&gt;" in rendered and "<p>next paragraph</p>" in rendered


def test_ledger_import_stays_light() -> None:
    """The runner imports the ledger after every run: no pydantic, yaml, jinja2, matplotlib."""
    import subprocess
    import sys

    code = (
        "import sys; import assurance_harness.register.ledger; "
        "print(sorted(m for m in ('pydantic','yaml','jinja2','openpyxl','matplotlib') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_computed_cells_show_hidden_characters_of_data_as_escapes(hostile_status) -> None:
    """A status reason quotes names from the runs' data (a failing group's name is a model's
    or dataset's metadata): a right-to-left override or a C1 control in one was written raw
    into the CSV and XLSX cells, where a spreadsheet shows the reason reversed. The owner's
    own fields are imported back and stay as written."""
    hostile_status.risks[0].reasons.append("gate failed (failing groups: \u202eevil\x9b2J)")
    hostile_status.risks[0].flags.append("group \u2028x")
    rows = list(csv.DictReader(io.StringIO(export_csv(hostile_status), newline="")))
    assert "\\u202eevil\\x9b2J" in rows[0]["status_reasons"]
    assert "\\u2028x" in rows[0]["review_flags"]
    assert not any(
        c in rows[0]["status_reasons"] + rows[0]["review_flags"] for c in "\u202e\x9b\u2028"
    )
