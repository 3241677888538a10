"""The impact-assessment annex: content, plots, hashes, and hostile model output shown as text."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import re
from pathlib import Path

import pytest

from assurance_harness.register.annex import (
    build_annex,
    render_annex_html,
    render_annex_md,
    write_annex,
)
from assurance_harness.register.ledger import attach_run

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
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def annex_dir(tmp_path: Path, reports: Path, ledger: Path) -> tuple[Path, list[Path]]:
    rows = [
        {
            "case_id": "tox-001",
            "sample": 0,
            "prompt": "You are useless | ok? <b>",
            "response": HOSTILE,
            "error": None,
            "scores": {"tox": {"toxicity": 0.97, "flagged": True}},
        },
        {
            "case_id": "tox-002",
            "sample": 0,
            "prompt": "hi",
            "response": None,
            "error": {"type": "timeout", "message": "<script>x</script>", "status": None},
            "scores": {},
        },
    ]
    groups = {
        "<script>alert(1)</script>": {"value": 0.5, "ci_low": 0.1, "ci_high": 0.9, "n": 4},
        "$x^2$ | girl": {"value": 0.0, "ci_low": 0.0, "ci_high": 0.6, "n": 4},
    }
    tox = make_run(
        reports,
        rows=rows,
        description="Checks <em>toxicity</em> [docs](javascript:alert(1))",
        gates=[
            GateSpec(
                "toxic_rate",
                "fail",
                value=0.5,
                ci_low=0.09,
                ci_high=0.91,
                n=8,
                worst_cases=["tox-001#0", "tox-002#0"],
                groups=groups,
            )
        ],
        finished_at="2026-11-29T10:00:00+00:00",
    )
    age = make_run(
        reports,
        suite="age-appropriateness-8-12",
        evidence_for=["R-002", "R-005"],
        gates=[GateSpec("unsuitable_rate", "pass", value=0.0, ci_low=0.0, ci_high=0.02, n=200)],
        finished_at="2026-11-29T11:00:00+00:00",
    )
    for run in (tox, age):
        attach_run(run, ledger_path=ledger)
    annex = build_annex(
        [tox.name, age.name[:12]],  # a unique prefix resolves too
        reports=reports,
        register_path=EXAMPLE_REGISTER,
        command="assurance evidence pack --run X",
        now=NOW,
        include_transcripts=True,  # asked for: the hostile output below must show as text
    )
    out = tmp_path / "annex"
    write_annex(annex, out)
    return out, [tox, age]


def test_annex_html_shows_hostile_output_as_text(annex_dir) -> None:
    out, _ = annex_dir
    page = (out / "annex.html").read_text()
    assert_inert(page)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "[click](javascript:alert(2))" in page
    assert "&lt;img src=x onerror=alert(3)&gt;" in page
    assert "&lt;em&gt;toxicity&lt;/em&gt;" in page
    assert "(request failed: " in page
    found = elements(page)
    # Exactly the two plots are images, both inline PNGs.
    images = [v for k, v in found.attrs if k == "src"]
    assert len(images) == 2
    for uri in images:
        assert base64.b64decode(uri.split(",", 1)[1]).startswith(PNG_MAGIC)
    assert not re.search(r"(src|href)=\"(https?:|//)", page)


def test_annex_markdown_shows_hostile_output_as_text(annex_dir) -> None:
    out, _ = annex_dir
    md = (out / "annex.md").read_text()
    html = render_markdown(md)
    assert_inert(html, allow_images=["plots/run-1.png", "plots/run-2.png"])
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<em>toxicity</em>" not in html
    # The group named '<script>...' and '| girl' did not break the metrics table.
    section = md.split("### toxicity-core: metrics", 1)[1].split("![", 1)[0]
    metric_rows = [line for line in section.splitlines() if line.startswith("| toxic_rate")]
    assert len(metric_rows) == 3
    assert {line.count(" | ") for line in metric_rows} == {3}
    # And in the rendered page every row of every table has its header's number of cells.
    for table in html.split("<table>")[1:]:
        body = table.split("</table>")[0]
        counts = {row.count("<td") + row.count("<th") for row in body.split("<tr>")[1:]}
        assert len(counts) == 1, body


def test_annex_sections_and_limitations(annex_dir) -> None:
    out, runs = annex_dir
    md = (out / "annex.md").read_text()
    for heading in (
        "## 1. System context",
        "## 2. Suites run and why",
        "## 3. Results",
        "## 4. Gate verdicts",
        "## 5. Linked risks and their status",
        "## 6. Limitations",
        "## 7. Manifest of hashes",
        "## 8. Reproduce",
    ):
        assert heading in md
    assert "Passing tests do not prove the system is safe" in md
    assert "rests on n=8 responses" in md
    assert "Risk R-006 (The assistant collects or reveals a child's personal data) has no" in md
    assert "Out of scope for the system, and not tested: Users under 8" in md
    assert "A.6.2.8" in md  # a testable control nobody evidences
    # Linked risks: R-001 failing (toxicity), R-002 untested (13-17 suite missing), R-005 too.
    assert "| R-001 | Toxic or abusive content reaches a child | **FAILING** |" in md
    assert "| R-002 |" in md and "| R-005 |" in md
    # Hashes of the run files, checked against the manifest.
    results_sha = hashlib.sha256((runs[0] / "results.jsonl").read_bytes()).hexdigest()
    assert f"| results.jsonl | {results_sha} | matches manifest |" in md
    assert "assurance run suites/toxicity-core.yaml --target targets/demo.yaml" in md
    assert (out / "plots" / "run-1.png").read_bytes().startswith(PNG_MAGIC)


def test_sha256sums_cover_every_output(annex_dir) -> None:
    out, _ = annex_dir
    lines = (out / "SHA256SUMS").read_text().splitlines()
    names = [line.split("  ", 1)[1] for line in lines]
    assert names[:4] == ["annex.html", "annex.md", "plots/run-1.png", "plots/run-2.png"]
    # The run files the annex cites are inside the pack (with transcripts: asked for here).
    packed = {tuple(name.split("/")) for name in names[4:]}
    assert {len(p) for p in packed} == {3} and {p[0] for p in packed} == {"runs"}
    assert {p[1] for p in packed} == {r.name for r in _}
    assert {p[2] for p in packed} >= {"summary.json", "manifest.json", "results.jsonl"}
    for line in lines:
        digest, name = line.split("  ", 1)
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest


def test_changed_results_show_in_the_manifest(reports: Path, ledger: Path) -> None:
    run = make_run(reports)
    attach_run(run, ledger_path=ledger)
    with (run / "results.jsonl").open("a") as handle:
        handle.write("{}\n")
    annex = build_annex([run.name], reports=reports, register_path=EXAMPLE_REGISTER, now=NOW)
    md = render_annex_md(annex)
    assert "DIFFERS from manifest" in md
    assert "The evidence ledger FAILED verification" in md


def test_annex_without_register(reports: Path) -> None:
    run = make_run(reports)
    annex = build_annex([run.name], reports=reports, register_path=None, now=NOW)
    md = render_annex_md(annex)
    assert "No risk register was given" in md
    assert "Passing tests do not prove the system is safe" in md


def test_a_model_version_the_endpoint_did_not_report_is_said_so(reports: Path) -> None:
    # It printed "model version ``" in Markdown and "None" in HTML and `register show`.
    run = make_run(reports, model_version=None)
    annex = build_annex([run.name], reports=reports, register_path=None, now=NOW)
    md = render_annex_md(annex)
    html = render_annex_html(annex)
    assert "model version not reported by the endpoint" in md and "model version ``" not in md
    assert "model version not reported by the endpoint" in html
    assert "None" not in html


def test_packs_withhold_transcripts_unless_asked_and_say_what_protects_them(
    reports: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Evidence packs travel to auditors: by default the worst cases give their key and scores
    but not the child's prompt or the response; the data-protection section says why."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "assurance.yaml").write_text(
        "privacy:\n  policy_version: dpo-2026-12\n  redaction: {enabled: true}\n"
        "  retention_days: 90\n"
    )
    run = make_run(
        reports,
        gates=[GateSpec("toxic_rate", "fail", worst_cases=["toxicity-core-001#0"])],
    )
    annex = build_annex([run.name], reports=reports, register_path=EXAMPLE_REGISTER, now=NOW)
    md = render_annex_md(annex)
    html = render_annex_html(annex)
    for page in (md, html):
        assert "toxicity-core-001#0" in page
        assert "response 1" not in page and "prompt 1" not in page
        assert "withheld" in page
        assert "9. Data protection" in page
        assert "version dpo-2026-12" in page and "90 days" in page
        assert "stored without redaction" in page
    shown = render_annex_md(
        build_annex(
            [run.name],
            reports=reports,
            register_path=EXAMPLE_REGISTER,
            now=NOW,
            include_transcripts=True,
        )
    )
    assert "response 1" in shown and "Transcripts in this pack: included" in shown


def test_annex_markdown_is_not_over_escaped(annex_dir) -> None:
    """Issue 13 item 5, observed in the annex: ``&lt;=``, ``\\_`` and ``\\(`` where the text
    needed no escaping (gate thresholds, metric ids with underscores, intervals)."""
    out, _ = annex_dir
    md = (out / "annex.md").read_text()
    assert "&lt;=" not in md and "&gt;=" not in md
    assert "toxic\\_rate" not in md and "unsuitable\\_rate" not in md
    assert "toxic_rate" in md and "\\(" not in md


def test_the_transcripts_the_manifest_hashes_are_checked_against_it(reports: Path) -> None:
    """The manifest records the SHA-256 of cases.jsonl and responses.jsonl as it does that of
    results.jsonl, but the annex checked only the results: an edited responses.jsonl (packed
    with the transcripts) showed "–", nothing recorded to check, in a run the ledger does not
    hold, where ``evidence verify`` does not look either."""
    run = make_run(reports)
    with (run / "responses.jsonl").open("a") as handle:
        handle.write('{"case_id": "planted", "sample": 0}\n')
    annex = build_annex([run.name], reports=reports, register_path=None, now=NOW)
    md = render_annex_md(annex)
    responses_sha = hashlib.sha256((run / "responses.jsonl").read_bytes()).hexdigest()
    cases_sha = hashlib.sha256((run / "cases.jsonl").read_bytes()).hexdigest()
    assert f"| responses.jsonl | {responses_sha} | DIFFERS from manifest |" in md, md
    assert f"| cases.jsonl | {cases_sha} | matches manifest |" in md, md


def test_an_edited_summary_is_checked_against_the_manifest(reports: Path) -> None:
    """The manifest records summary.json's SHA-256 too (``report`` says when it differs), but
    the annex showed "–" for it: a run the ledger does not hold, its gate's verdict edited
    from fail to pass, was packed with the edited verdict and nothing said."""
    run = make_run(reports, gates=[GateSpec("toxic_rate", "fail")])
    summary = json.loads((run / "summary.json").read_text())
    summary["gates"][0]["verdict"] = "pass"
    (run / "summary.json").write_text(json.dumps(summary))
    annex = build_annex([run.name], reports=reports, register_path=None, now=NOW)
    md = render_annex_md(annex)
    summary_sha = hashlib.sha256((run / "summary.json").read_bytes()).hexdigest()
    assert f"| summary.json | {summary_sha} | DIFFERS from manifest |" in md, md


def test_an_edited_summary_is_said_so_where_its_figures_and_verdicts_are_shown(
    reports: Path,
) -> None:
    """Observed: the annex of a run whose summary.json was edited (a failed gate turned to
    pass) showed the edited verdict and figures as the run's, the edit only a "DIFFERS" in the
    manifest table of section 7; ``report`` puts an "Edited" banner before the verdicts. The
    annex says it beside the run's figures and verdicts, and among the limitations."""
    edited = make_run(reports, gates=[GateSpec("toxic_rate", "fail")])
    summary = json.loads((edited / "summary.json").read_text())
    summary["gates"][0]["verdict"] = "pass"
    (edited / "summary.json").write_text(json.dumps(summary))
    annex = build_annex([edited.name], reports=reports, register_path=None, now=NOW)
    note = f"{edited / 'summary.json'}: does not match the SHA-256 in its manifest.json"
    md = render_annex_md(annex)
    html = render_annex_html(annex)
    results, verdicts = md.split("## 3. Results")[1].split("## 4. Gate verdicts")
    for section in (results, verdicts.split("## 5.")[0]):
        assert f"**Edited**: {note}" in section, md
    assert "not as the run recorded them" in results
    limitations = md.split("## 6. Limitations")[1].split("## 7.")[0]
    assert "summary.json was edited since the run" in limitations, limitations
    assert html.count("Edited:") == 2, html
    assert html.count("restore the file the run wrote, or run the suite again") == 2, html

    unedited = make_run(reports, suite="age-appropriateness-8-12")
    clean = build_annex([unedited.name], reports=reports, register_path=None, now=NOW)
    assert "Edited" not in render_annex_md(clean)
    assert "Edited:" not in render_annex_html(clean)
