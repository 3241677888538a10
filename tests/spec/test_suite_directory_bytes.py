"""A suite file in a suites folder that holds a byte that is not UTF-8 is reported, not left out
(issue 12, "never silently wrong"). Observed: 'run suites/' and 'validate suites/' (and the
pytest plugin) did not recognise it as a suite at all, so the folder ran one suite fewer and
passed."""

from __future__ import annotations

from pathlib import Path

from tests.testing.cli import run_cli

SUITE = (
    "suite: {name}\ncases:\n  - {{id: a, prompt: hi}}\n"
    "scorers: [{{id: m, use: regex, with: {{pattern: echo}}}}]\n"
    "metrics: [{{id: r, rate: m.matched}}]\ngates: [{{metric: r, min: 0.5}}]\n"
)


def test_a_suite_with_a_byte_that_is_not_utf8_is_an_error_not_skipped(tmp_path: Path) -> None:
    (tmp_path / "bytes_bot.py").write_text(
        "def reply(messages):\n    return 'echo ' + messages[-1]['content']\n", encoding="utf-8"
    )
    (tmp_path / "t.yaml").write_text(
        "type: callable\nfunction: bytes_bot:reply\npython_path: [.]\n", encoding="utf-8"
    )
    suites = tmp_path / "suites"
    suites.mkdir()
    (suites / "good.yaml").write_text(SUITE.format(name="good"), encoding="utf-8")
    (suites / "latin1.yaml").write_bytes(
        b"# caf\xe9 (saved as Latin-1)\n" + SUITE.format(name="latin").encode()
    )
    for command in (("validate", "suites"), ("run", "suites", "--target", "t.yaml")):
        extra = ("--no-report",) if command[0] == "run" else ()
        done = run_cli(*command, *extra, cwd=tmp_path)
        out = done.stdout + done.stderr
        assert done.returncode == 2, (command, out)
        assert "latin1.yaml" in out and "UTF-8" in out, out
