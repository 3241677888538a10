"""A run's error rate beside the limit it exceeded reads above it. Observed: 1 of 9 requests
failed (0.1111111) under ``max_error_rate: 0.11111``; the run was ``run_failed`` and JUnit said
"error rate 0.1111 above 0.1111", report.md "error rate 0.1111, allowed 0.1111" and report.html
"the run fails above 0.1111": four digits put the rate on its limit and the limit itself was
rounded. The console's line already read "11.1111%, max 11.111%"."""

from __future__ import annotations

from pathlib import Path

from ..testing.cli import run_cli
from ..testing.project import callable_target

SUITE = (
    "suite: rate-limit\nmax_error_rate: 0.11111\ncases:\n"
    + "".join(f"  - {{id: c{i}, prompt: 'p {i}'}}\n" for i in range(9))
    + "scorers: [{id: m, use: regex, with: {pattern: echo}}]\n"
    "metrics: [{id: r, rate: m.matched}]\ngates: [{metric: r, min: 0.5}]\n"
)

BOT = """\
def reply(messages):
    if messages[-1]["content"] == "p 0":
        raise ConnectionError("down")
    return "echo"
"""


def test_an_error_rate_over_its_limit_reads_over_it(tmp_path: Path) -> None:
    callable_target(tmp_path, "rate_limit_bot", BOT)
    (tmp_path / "t.yaml").write_text(
        "type: callable\nfunction: rate_limit_bot:reply\npython_path: [.]\n"
        "retry: {max_attempts: 1}\n"
    )
    (tmp_path / "s.yaml").write_text(SUITE)
    done = run_cli("run", "s.yaml", "--target", "t.yaml", "--no-cache", cwd=tmp_path)
    assert done.returncode == 3, done.stdout + done.stderr
    run_dir = next(p for p in (tmp_path / "reports").iterdir() if p.is_dir())
    junit = (run_dir / "junit.xml").read_text()
    markdown = (run_dir / "report.md").read_text()
    html = (run_dir / "report.html").read_text()
    assert "error rate 0.1111 above 0.1111" not in junit
    assert "error rate 0.111111 above 0.11111 (1 of 9 requests)" in junit, junit
    assert "(error rate 0.111111, allowed 0.11111)" in markdown, markdown
    assert "error rate 0.111111; the run fails above 0.11111)" in html
