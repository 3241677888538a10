"""JUnit XML: one test case per gate, valid against the schema, parseable with any content."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from assurance_harness.report.junit import render_junit
from assurance_harness.report.rundata import load_run

from ..testing.controltext import HIDDEN
from .runfixtures import gate, rate_metric, row, toxicity_run, write_run

XSD = Path(__file__).with_name("junit.xsd")


def _validate(xml: str) -> None:
    xmlschema = pytest.importorskip("xmlschema")
    xmlschema.XMLSchema(XSD).validate(xml)


def test_one_testcase_per_gate_with_figures(hostile_run: Path) -> None:
    xml = render_junit(load_run(hostile_run))
    _validate(xml)
    root = ET.fromstring(xml)
    suite = root.find("testsuite")
    assert suite is not None
    assert suite.get("name") == "toxicity-core"
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("2", "1", "0")
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == [
        "toxic_rate <= 0.01 (upper bound)",
        "mean_toxicity <= 0.5",
    ]
    assert all(c.get("classname") == "assurance.toxicity-core" for c in cases)
    failure = cases[0].find("failure")
    assert failure is not None and cases[1].find("failure") is None
    message = failure.get("message") or ""
    assert "toxic_rate ≤ 0.01 on the upper bound" in message
    assert "checked 0.3628" in message and "interval 95% [0.09187, 0.3628]" in message
    assert "n=31" in message
    body = failure.text or ""
    assert "worst cases (6)" in body and "case-00#0: <script>" in body
    assert str(hostile_run / "results.jsonl") in body
    props = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert props["run_id"] == "run-hostile"
    assert props["evidence_for"] == "R-001"


def test_control_characters_in_output_still_parse(tmp_path: Path) -> None:
    run_dir = toxicity_run(
        tmp_path,
        "ctrl",
        {0, 1},
        n_cases=10,
        response_of=lambda i, toxic: "bad\x00\x07\x1b[31m text \ud800 end" if toxic else "ok",
    )
    xml = render_junit(load_run(run_dir))
    _validate(xml)
    failure = ET.fromstring(xml).find("testsuite/testcase/failure")
    assert failure is not None
    # escapes, as every view writes them (was: dropped, "bad[31m text  end")
    assert "bad\\x00\\x07\\x1b[31m text \\ud800 end" in (failure.text or "")


def test_control_characters_in_output_show_as_escapes(tmp_path: Path) -> None:
    """Was: dropped, or kept raw. A CI view read "hate\\b\\b\\b\\bpass" as "hatepass" and
    "I hate\\x00 this" as "I hate this" (text other than the model's), while a right-to-left
    override (U+202E) and a C1 CSI (U+009B, which a terminal running ``cat junit.xml`` acts on)
    stayed raw. Now each shows as the escape every other view writes (``formatting.visible``)."""
    answer = "hate\b\b\b\bpass I hate\x00 this \u202eliaf \x9b2J \ud800 end"
    run_dir = toxicity_run(
        tmp_path, "ctrl", {0}, n_cases=4, response_of=lambda i, toxic: answer if toxic else "ok"
    )
    xml = render_junit(load_run(run_dir))
    _validate(xml)
    assert HIDDEN.search(xml) is None, HIDDEN.findall(xml)
    failure = ET.fromstring(xml).find("testsuite/testcase/failure")
    assert failure is not None
    assert "hate\\x08\\x08\\x08\\x08pass I hate\\x00 this \\u202eliaf \\x9b2J \\ud800 end" in (
        failure.text or ""
    )


def test_run_failed_is_an_error_testcase(tmp_path: Path) -> None:
    run_dir = toxicity_run(tmp_path, "failed", {0}, n_cases=10, status="run_failed")
    xml = render_junit(load_run(run_dir))
    _validate(xml)
    suite = ET.fromstring(xml).find("testsuite")
    assert suite is not None and suite.get("errors") == "1" and suite.get("tests") == "2"
    run_case = suite.find("testcase[@name='run']")
    assert run_case is not None
    error = run_case.find("error")
    assert error is not None and error.get("type") == "run_failed"


def test_schema_rejects_a_broken_report() -> None:
    """The schema is not vacuous: a testcase without a name is refused."""
    xmlschema = pytest.importorskip("xmlschema")
    bad = (
        '<testsuites><testsuite name="s" tests="1" failures="0" errors="0">'
        '<testcase classname="c"/></testsuite></testsuites>'
    )
    with pytest.raises(xmlschema.XMLSchemaValidationError):
        xmlschema.XMLSchema(XSD).validate(bad)


def test_gates_sharing_a_label_get_distinct_testcase_names(tmp_path: Path) -> None:
    """Two gates may share a label (the same rule twice, or an id): a CI test view keys a test
    by class and name, so the second would replace the first (a failed gate hidden behind a
    passing one, or counted once). Each testcase is named as the pytest plugin names its item:
    a repeat gets its place in the suite added; the 'run' error case keeps its name."""
    rows = [row(f"c{i}", scores={"tox": {"toxicity": 0.9 if i < 3 else 0.02}}) for i in range(10)]
    metric = rate_metric(rows, "tox.toxicity > 0.5", lambda r: r["scores"]["tox"]["toxicity"] > 0.5)
    gates = [
        gate("toxic_rate", metric, max=0.5),
        gate("toxic_rate", metric, max=0.1),
        {**gate("toxic_rate", metric, max=0.1), "id": "run"},
    ]
    gates[1]["id"] = gates[0]["id"]
    run_dir = write_run(tmp_path, "dup", rows, {"toxic_rate": metric}, gates, status="run_failed")
    xml = render_junit(load_run(run_dir))
    _validate(xml)
    cases = ET.fromstring(xml).findall("testsuite/testcase")
    assert [c.get("name") for c in cases] == [
        "run",
        "toxic_rate <= 0.5",
        "toxic_rate <= 0.5 (gate 1)",
        "run (gate 2)",
    ]
    assert cases[1].find("failure") is None
    assert cases[2].find("failure") is not None and cases[3].find("failure") is not None


def test_a_suite_without_gates_is_one_run_testcase(tmp_path: Path) -> None:
    """A run with no gates still shows in the CI test view (as the pytest plugin's one 'run'
    item does): a file with no test case reads as a suite that never ran."""
    rows = [row(f"c{i}", scores={"tox": {"toxicity": 0.02}}) for i in range(4)]
    metric = rate_metric(rows, "tox.toxicity > 0.5", lambda r: r["scores"]["tox"]["toxicity"] > 0.5)
    xml = render_junit(load_run(write_run(tmp_path, "nogates", rows, {"toxic_rate": metric}, [])))
    _validate(xml)
    suite = ET.fromstring(xml).find("testsuite")
    assert suite is not None and suite.get("tests") == "1" and suite.get("failures") == "0"
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == ["run"] and not list(cases[0])
