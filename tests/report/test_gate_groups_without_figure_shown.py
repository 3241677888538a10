"""Where a run's gate is shown (the terminal's verdict, report.md, report.html, JUnit), a group
that failed it for having no figure on its bound is named apart from those whose figure broke
the limit, as the register's views name it: "fail groups: y" beside a group whose every
value was well within the limit read as where the failure was."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from tests.runner.test_retry_errors import Invoke, cli

__all__ = ["cli"]  # the fixture, used by name

X_CASES = "".join(
    f"  - {{id: x{i}, prompt: '{'x' * (40 + i)}', metadata: {{g: x}}}}\n" for i in range(10)
)
SUITE = (
    "suite: few-in-a-group\ncases:\n"
    + X_CASES
    + "".join(
        f"  - {{id: y{i}, prompt: '{'y' * (i + 1)}', metadata: {{g: y}}}}\n" for i in range(3)
    )
    + "scorers: [{id: len, use: length}]\n"
    + "metrics: [{id: chars, mean: len.chars, by: meta.g}]\n"
    + "gates: [{metric: chars, max: 20, bound: upper}]\n"
)
TARGET = "def reply(messages):\n    return messages[-1]['content']\n"


def test_groups_without_a_figure_are_named_apart(tmp_path: Path, cli: Invoke) -> None:
    (tmp_path / "s.yaml").write_text(SUITE, encoding="utf-8")
    (tmp_path / "few_figure_bot.py").write_text(TARGET, encoding="utf-8")
    (tmp_path / "t.yaml").write_text(
        "type: callable\nfunction: few_figure_bot:reply\npython_path: [.]\n", encoding="utf-8"
    )
    done = cli(tmp_path, "run", "s.yaml", "--target", "t.yaml", "--reports", "r")
    assert done.returncode == 1, done.stdout
    assert "fail groups: x; without a figure: y" in done.stdout, done.stdout
    (run_dir,) = (p for p in (tmp_path / "r").iterdir() if p.is_dir())
    failure = ET.parse(run_dir / "junit.xml").find("testsuite/testcase/failure")
    assert failure is not None
    assert "failing groups: x; without a figure: y" in (failure.get("message") or "")
    for name in ("report.md", "report.html"):
        assert "x; without a figure: y" in (run_dir / name).read_text(encoding="utf-8"), name


def test_the_web_apps_run_page_names_them_apart(tmp_path: Path, cli: Invoke) -> None:
    # The local web app's run page listed "x, y" as the gate's failing groups, the one place
    # left that read the group without a figure as where the failure was.
    import urllib.parse

    from assurance_harness.ui.app import Settings
    from tests.review.serve import get_page, serving

    (tmp_path / "s.yaml").write_text(SUITE, encoding="utf-8")
    (tmp_path / "few_figure_bot.py").write_text(TARGET, encoding="utf-8")
    (tmp_path / "t.yaml").write_text(
        "type: callable\nfunction: few_figure_bot:reply\npython_path: [.]\n", encoding="utf-8"
    )
    done = cli(tmp_path, "run", "s.yaml", "--target", "t.yaml", "--reports", "r", "--no-report")
    assert done.returncode == 1, done.stdout
    (run_dir,) = (p for p in (tmp_path / "r").iterdir() if p.is_dir())
    reports = tmp_path / "r"
    settings = Settings(reports, tmp_path / "register.yaml", reports / "evidence" / "ledger.jsonl")
    with serving(settings) as base:
        html = get_page(f"{base}/runs/{urllib.parse.quote(run_dir.name, safe='')}")
    gates = html.split('id="gates"', 1)[1].split("</table>", 1)[0]
    assert "<td>x; without a figure: y</td>" in gates, gates
