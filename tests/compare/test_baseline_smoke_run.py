"""A smoke test (``run --limit N``: the suite's first N cases) is no baseline: later full runs
would be compared with a run of other cases (issue 12; the runner and ``evidence attach``
already refuse it as evidence). Observed: ``baseline set`` accepted it without a word."""

from __future__ import annotations

from pathlib import Path

from tests.testing.cli import run_cli, run_id_of

SUITE = (
    "suite: smoke\ncases:\n"
    + "".join(f"  - {{id: c{i}, prompt: 'hi {i}'}}\n" for i in range(6))
    + "scorers: [{id: m, use: regex, with: {pattern: echo}}]\n"
    "metrics: [{id: r, rate: m.matched}]\ngates: [{metric: r, min: 0.5}]\n"
)


def test_a_smoke_test_run_is_refused_as_a_baseline(tmp_path: Path) -> None:
    (tmp_path / "smoke_bot.py").write_text(
        "def reply(messages):\n    return 'echo ' + messages[-1]['content']\n", encoding="utf-8"
    )
    (tmp_path / "t.yaml").write_text(
        "type: callable\nfunction: smoke_bot:reply\npython_path: [.]\n", encoding="utf-8"
    )
    (tmp_path / "s.yaml").write_text(SUITE, encoding="utf-8")
    done = run_cli(
        "run", "s.yaml", "--target", "t.yaml", "--no-report", "--limit", "2", cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    run_id = run_id_of(done)

    refused = run_cli("baseline", "set", run_id, cwd=tmp_path)
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "smoke test" in refused.stderr and "--limit 2" in refused.stderr
    forced = run_cli("baseline", "set", run_id, "--force", cwd=tmp_path)
    assert forced.returncode == 0, forced.stderr
