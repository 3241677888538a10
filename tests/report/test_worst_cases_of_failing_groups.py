"""A gate that failed on a group none of whose rows pushed it toward failing names no worst
cases (``engine._worst_cases_of``); the report says so for that group, rather than only that
the failing gates name no cases "for example a disparity between groups", or a bare "–"."""

from __future__ import annotations

from pathlib import Path

from assurance_harness.report.html import render_html
from assurance_harness.report.junit import render_junit
from assurance_harness.report.markdown import render_markdown
from assurance_harness.report.rundata import load_run

from .runfixtures import gate, rate_metric, row, write_run

LINE = "no single case pushed group typo toward failing"
GENERIC = "name no individual cases (for example a disparity between groups)"


def _run(tmp_path: Path, *, worst: list[str], other: bool = False) -> Path:
    """Operator ``typo``: three rows, none answered (its upper bound 0.56 breaks ``max: 0.2``);
    ``leet``: 60 rows, two answered (passes). ``other``: a second failed gate that names no
    case and has no failing group (as a disparity's), which the per-group line does not
    explain."""
    rows = [
        row(f"c{i}~typo", scores={"m": {"answered": False}}, metadata={"op": "typo"})
        for i in range(3)
    ]
    rows += [
        row(f"c{i}~leet", scores={"m": {"answered": i in (10, 11)}}, metadata={"op": "leet"})
        for i in range(60)
    ]
    metric = rate_metric(
        rows,
        "m.answered",
        lambda r: r["scores"]["m"]["answered"],
        by=lambda r: r["metadata"]["op"],
    )
    judged = gate("answered", metric, max=0.2, bound="upper")
    assert judged["verdict"] == "pass"  # the overall figure passed; group typo did not
    judged.update(verdict="fail", failing_groups=["typo"], worst_cases=worst)
    gates = [judged]
    if other:
        gates.append(gate("answered", metric, min=0.5))
        assert gates[1]["verdict"] == "fail" and not gates[1]["worst_cases"]
    return write_run(tmp_path, "typo", rows, {"answered": metric}, gates, status="gates_failed")


def _sections(run_dir: Path) -> tuple[str, str]:
    run = load_run(run_dir)
    html = render_html(run).split('id="worst"', 1)[1].split("</section>", 1)[0]
    md = render_markdown(run).split("## Worst cases", 1)[1].split("## Run details", 1)[0]
    return html, md


def test_the_report_says_no_case_pushed_the_failing_group(tmp_path: Path) -> None:
    html, md = _sections(_run(tmp_path, worst=[]))
    assert LINE in html and "answered &lt;= 0.2 (upper bound)" in html
    assert LINE in md and "answered <= 0.2 (upper bound)" in md


def test_the_generic_line_is_left_out_where_the_per_group_line_says_why(tmp_path: Path) -> None:
    """It read "The failing gates name no individual cases (for example a disparity between
    groups)" under a line saying why the one failing gate named none: two explanations, the
    generic one wrong (no disparity)."""
    html, md = _sections(_run(tmp_path, worst=[]))
    assert LINE in html and GENERIC not in html, html
    assert LINE in md and GENERIC not in md, md


def test_the_generic_line_stays_for_the_gates_the_per_group_line_does_not_explain(
    tmp_path: Path,
) -> None:
    html, md = _sections(_run(tmp_path, worst=[], other=True))
    for text in (html, md):
        assert LINE in text, text
        assert f"The other failing gates {GENERIC}" in text, text


def test_a_run_without_such_a_gate_keeps_the_generic_line_as_it_was(tmp_path: Path) -> None:
    """A failed gate that names no case and no failing group (as a disparity's) reads as it did
    before the per-gate line, in both formats, byte for byte."""
    rows = [row(f"c{i}", scores={"m": {"answered": i < 2}}) for i in range(10)]
    metric = rate_metric(rows, "m.answered", lambda r: r["scores"]["m"]["answered"])
    judged = gate("answered", metric, min=0.5)
    assert judged["verdict"] == "fail" and not judged["worst_cases"]
    run_dir = write_run(tmp_path, "r", rows, {"answered": metric}, [judged], status="gates_failed")
    html, md = _sections(run_dir)
    old = (
        "The failing gates name no individual cases (for example a disparity between groups); "
        "see the per-group figures above."
    )
    assert html == f'>\n<h2>Worst cases</h2>\n<p class="muted">{old}</p>\n', repr(html)
    assert md == f"\n\n{old}\n\n", repr(md)


def test_a_gate_that_names_its_cases_shows_them_without_the_line(tmp_path: Path) -> None:
    html, md = _sections(_run(tmp_path, worst=["c0~typo#0"]))
    assert "c0~typo#0" in html and LINE not in html
    assert "c0~typo#0" in md and LINE not in md


def test_junit_says_no_case_pushed_the_failing_group(tmp_path: Path) -> None:
    """A CI failure's body lists the worst cases; for a gate without any it says why."""
    assert f"worst cases: none: {LINE}" in render_junit(load_run(_run(tmp_path, worst=[])))


def test_the_pytest_plugin_says_no_case_pushed_the_failing_group(tmp_path: Path) -> None:
    from assurance_harness.pytest_plugin import gate_failure_message

    run_dir = _run(tmp_path, worst=[])
    gate = load_run(run_dir).gates[0]
    assert f"  worst cases: none: {LINE}" in gate_failure_message(gate, run_dir)
