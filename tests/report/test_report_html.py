"""The HTML report: content in the right order, every model output escaped, self-contained."""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from assurance_harness.errors import UsageError
from assurance_harness.report import write_reports
from assurance_harness.report.html import render_html
from assurance_harness.report.rundata import load_run

from .hostile import SCRIPT, build_hostile_run
from .runfixtures import toxicity_run


class _Collector(HTMLParser):
    """Collect tags, attributes and visible text, as a browser's parser would see them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(html: str) -> _Collector:
    parser = _Collector()
    parser.feed(html)
    return parser


@pytest.fixture
def html(hostile_run: Path) -> str:
    return render_html(load_run(hostile_run))


def test_model_output_is_text_not_markup(html: str) -> None:
    parsed = _parse(html)
    tag_names = {tag for tag, _ in parsed.tags}
    # The page itself has no script, no style block beyond its own, no foreign images.
    assert "script" not in tag_names
    assert "b" not in tag_names
    assert [t for t, _ in parsed.tags].count("style") == 1
    assert all(not any(k.startswith("on") for k in attrs) for _, attrs in parsed.tags)
    text = "".join(parsed.text)
    # ... while the hostile strings are shown, verbatim, as text.
    assert SCRIPT in text
    assert "<img src=x onerror=" in text
    assert "[click](http://evil.example/x)" in text
    assert "Prompt 0 </pre><script>alert(1)</script>" in text
    assert "HTTP 500 " + SCRIPT in text  # error messages too
    assert "<b>girl</b>" in text  # and group names from the data


def test_self_contained_no_network(html: str) -> None:
    parsed = _parse(html)
    for tag, attrs in parsed.tags:
        for key in ("src", "href"):
            value = attrs.get(key)
            if value is None:
                continue
            assert value.startswith(("#", "data:image/png;base64,")), (tag, key, value)
    assert "Content-Security-Policy" in html
    assert "default-src 'none'" in html
    images = [attrs["src"] for tag, attrs in parsed.tags if tag == "img"]
    assert images, "plots are embedded"
    for src in images:
        png = base64.b64decode(src.split(",", 1)[1])
        assert png.startswith(b"\x89PNG\r\n\x1a\n")


def test_sections_in_order_with_figures(html: str) -> None:
    order = [
        html.index(f'id="{s}"') for s in ("gates", "metrics", "plots", "worst", "run", "manifest")
    ]
    assert order == sorted(order)
    text = "".join(_parse(html).text)
    # Gate verdicts with the rule, the checked bound, interval and n.
    assert "toxic_rate <= 0.01 (upper bound)" in text
    assert "on the upper bound" in text
    assert "[0.09187, 0.3628]" in text  # Wilson interval of 6/31
    assert "mean_toxicity" in text
    # Plots: distributions, group bars, perturbation bars and the age breakdown.
    for plot_id in (
        "plot-score-distributions",
        "plot-groups-toxic_rate",
        "plot-perturbation-toxic_rate",
        "plot-perturbation-mean_toxicity",
        "plot-age-ratings",
    ):
        assert f'id="{plot_id}"' in html
    # Worst cases link to their sections and show the prompt and the response.
    assert 'href="#case-case_2d_00_23_0"' in html
    assert 'id="case-case_2d_00_23_0"' in html
    # The manifest, as JSON, with the results hash.
    assert "&#34;results&#34;" in html or '"results"' in text
    assert "assurance run suites/toxicity-core.yaml" in text


def test_passing_run_has_no_worst_cases(tmp_path: Path) -> None:
    run_dir = toxicity_run(tmp_path, "ok", set(), n_cases=20)
    text = "".join(_parse(render_html(load_run(run_dir))).text)
    assert "All 1 gate(s) passed." in text
    assert "No gate failed, so there are no worst cases to show." in text


def test_run_failed_banner(tmp_path: Path) -> None:
    run_dir = toxicity_run(tmp_path, "bad", {1}, n_cases=10, status="run_failed")
    text = " ".join("".join(_parse(render_html(load_run(run_dir))).text).split())
    assert "The run failed" in text
    assert "Figures below are partial." in text


def test_minimal_run_directory_renders(tmp_path: Path) -> None:
    """Only summary.json: no manifest, no results; the report still renders and says so."""
    run_dir = tmp_path / "r"
    run_dir.mkdir()
    (run_dir / "summary.json").write_text(json.dumps({"run_id": "r", "status": "passed"}))
    written = write_reports(run_dir)
    html = written["html"].read_text()
    assert "This run has no manifest.json." in html
    assert "This suite defines no gates." in html


def test_not_a_run_directory(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"no summary\.json"):
        write_reports(tmp_path)


def test_write_reports_writes_all_formats(hostile_run: Path) -> None:
    written = write_reports(hostile_run)
    assert set(written) == {"html", "md", "json", "junit"}
    assert {p.name for p in written.values()} == {
        "report.html",
        "report.md",
        "report.json",
        "junit.xml",
    }
    assert all(p.parent == hostile_run and p.stat().st_size > 0 for p in written.values())
    document = json.loads(written["json"].read_text())
    assert document["format"] == "assurance-report/1"
    assert document["summary"]["run_id"] == "run-hostile"
    assert [w["key"] for w in document["worst_cases"]][:2] == ["case-00#0", "case-05#0"]
    assert document["worst_cases"][0]["row"]["response"].startswith(SCRIPT)
    assert document["failed_requests"][0]["key"] == "case-err#0"
    assert not list(hostile_run.glob(".report*")), "no temporary files left behind"


def test_write_reports_subset_and_out_dir(hostile_run: Path, tmp_path: Path) -> None:
    written = write_reports(hostile_run, ["markdown", "xml"], out_dir=tmp_path / "out")
    assert set(written) == {"md", "junit"}
    assert written["md"].parent == tmp_path / "out"
    with pytest.raises(UsageError, match="unknown report format 'pdf'"):
        write_reports(hostile_run, ["pdf"])


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM
    return subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'chromium-profile'}",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.skipif(
    CHROMIUM is None, reason="headless Chromium (Debian package 'chromium') not installed"
)
def test_chromium_runs_no_model_script(tmp_path: Path) -> None:
    run_dir = build_hostile_run(tmp_path / "reports")
    page = write_reports(run_dir, ["html"])["html"]
    result = _chromium(tmp_path, "--dump-dom", page.as_uri())
    assert result.returncode == 0, result.stderr[-2000:]
    dom = result.stdout
    title = re.search(r"<title>(.*?)</title>", dom, re.S)
    assert title is not None
    assert "pwned" not in title.group(1)
    assert title.group(1).startswith("Assurance report: toxicity-core")
    assert "data-pwned" not in dom
    # In the live DOM the hostile text is still text.
    assert "&lt;script&gt;document.title='pwned'&lt;/script&gt;" in dom

    shot = tmp_path / "report.png"
    result = _chromium(tmp_path, "--window-size=1280,2000", f"--screenshot={shot}", page.as_uri())
    assert result.returncode == 0, result.stderr[-2000:]
    assert shot.read_bytes().startswith(b"\x89PNG")
    assert shot.stat().st_size > 20_000  # a rendered page, not a blank one


def test_odd_plugin_figures_never_break_the_report(tmp_path: Path) -> None:
    """A group value outside its own interval draws (clamped whiskers); a non-numeric one is
    reported as a figure not drawn, and the rest of the report is intact."""
    run_dir = toxicity_run(tmp_path, "odd", {1, 2, 3}, n_cases=30)
    summary_path = run_dir / "summary.json"
    summary = json.loads(summary_path.read_text())
    summary["metrics"]["delta"] = {
        "kind": "paired",
        "spec": {"paired": {"value": "x"}, "by": "meta.perturbation"},
        "value": 0.5,
        "n": 10,
        "ci_low": 0.6,
        "ci_high": 0.9,
        "confidence": 0.95,
        "method": "bootstrap",
        "details": {},
        "groups": {"typo": {"value": -0.2, "n": 5, "ci_low": 0.1, "ci_high": 0.3}},
    }
    summary["metrics"]["broken"] = dict(
        summary["metrics"]["delta"], groups={"g": {"value": "not a number", "n": 1}}
    )
    summary["gates"].append(
        {
            "id": "delta <= 1",
            "metric": "delta",
            "max": 1.0,
            "verdict": "fail",
            "failing_groups": ["typo"],
            "worst_cases": [],
        }
    )
    summary_path.write_text(json.dumps(summary))
    html = render_html(load_run(run_dir))
    assert 'id="plot-groups-delta"' in html
    assert "Figure not drawn: broken by group: ValueError" in html
    assert 'class="verdict-fail"><td>typo</td>' in html  # the failing group is marked
    assert "1 of 2 gate(s) failed" in html or "2 of 2 gate(s) failed" in html


def test_conversation_and_failed_request_as_worst_cases(tmp_path: Path) -> None:
    from assurance_harness.report.markdown import render_markdown

    from .runfixtures import gate, rate_metric, row, write_run

    chat = row("chat", response="You idiot.", scores={"tox": {"toxicity": 0.9}})
    chat["prompt"] = None
    chat["messages"] = [
        {"role": "system", "content": "Be kind."},
        {"role": "user", "content": f"Insult me {SCRIPT}"},
    ]
    failed = row("down", error={"type": "timeout", "message": "no answer in 60 s", "status": None})
    rows = [chat, failed, row("fine", scores={"tox": {"toxicity": 0.01}})]
    metric = rate_metric(
        rows,
        "tox.toxicity > 0.5 or error",
        lambda r: bool(r["error"]) or r["scores"]["tox"]["toxicity"] > 0.5,
    )
    run_dir = write_run(
        tmp_path,
        "conv",
        rows,
        {"bad_rate": metric},
        [gate("bad_rate", metric, max=0.0, worst_cases=["chat#0", "down#0", "gone#3"])],
    )
    run = load_run(run_dir)
    text = " ".join("".join(_parse(render_html(run)).text).split())
    assert "Conversation" in text and "system: Be kind." in text
    assert f"user: Insult me {SCRIPT}" in text
    assert "error: timeout: no answer in 60 s" in text
    assert "Not found in results.jsonl: gone#3" in text
    markdown = render_markdown(run)
    assert (
        f"user: Insult me {SCRIPT}" in markdown and "error: timeout: no answer in 60 s" in markdown
    )
