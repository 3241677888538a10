"""A nightly run whose answers came from the response cache measured nothing new (issue 10's
rule for evidence: "a cached answer is never evidence of the model's behaviour today").

Observed: the baseline accepted, the model behind the unchanged target then broken, the next
night's ``assurance run ... --baseline`` (the cache on by default, the target's fingerprint
unchanged) took all 12 answers from the cache, written by the baseline run itself, and
``assurance baseline check`` said "no significant regression", exit 0, with no word of the
cache: every night after the first compared the baseline's answers with themselves. A candidate
most of whose answers came from the cache (the register's stale rule) is no verdict, exit 3,
with one line naming the cached share and the fix; a baseline run's cached answers are said."""

from __future__ import annotations

import json
from pathlib import Path

from tests.testing.cli import into_the_next_second, run_cli, run_id_of
from tests.testing.project import BREAKS_ON_FLAG, callable_target

SUITE = (
    "suite: cached-nightly\ncases:\n"
    + "".join(f"  - {{id: c{i}, prompt: 'hi {i}'}}\n" for i in range(12))
    + "scorers: [{id: m, use: regex, with: {pattern: echo}}]\n"
    "metrics: [{id: r, rate: m.matched}]\ngates: [{metric: r, min: 0.5}]\n"
)


def _run(project: Path, *options: str) -> tuple[str, int, str]:
    done = run_cli(
        "run", "s.yaml", "--target", "t.yaml", "--no-report", *options, cwd=project, timeout=60
    )
    into_the_next_second()  # the next run is the latest: not one begun in the same second
    return run_id_of(done), done.returncode, done.stdout + done.stderr


def _errors(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("error: ")]


def test_a_candidate_answered_from_the_cache_is_no_verdict(tmp_path: Path) -> None:
    callable_target(tmp_path, "cached_nightly_bot", BREAKS_ON_FLAG)
    (tmp_path / "s.yaml").write_text(SUITE, encoding="utf-8")
    base, code, text = _run(tmp_path)
    assert code == 0, text
    assert run_cli("baseline", "set", base, cwd=tmp_path).returncode == 0
    (tmp_path / "broken").touch()

    nightly, code, text = _run(tmp_path, "--baseline")  # every answer the baseline's own
    assert code == 3, text
    assert "no significant regression" not in text, text
    (line,) = _errors(text)
    assert nightly in line and "12 of 12 answers" in line and base in line, line
    assert "response cache" in line and "--no-cache" in line, line

    checked = run_cli("baseline", "check", "-f", "json", cwd=tmp_path, timeout=60)
    assert checked.returncode == 3, checked.stdout + checked.stderr
    payload = json.loads(checked.stdout)
    assert payload["candidate_run"] == nightly and "12 of 12" in payload["unmeasured"], payload

    # The same night measured afresh finds the regression the cached one hid.
    fresh, code, text = _run(tmp_path, "--no-cache", "--baseline")
    assert code == 1, text
    checked = run_cli("baseline", "check", cwd=tmp_path, timeout=60)
    assert checked.returncode == 1 and fresh in checked.stdout, checked.stdout + checked.stderr


def test_a_baseline_answered_from_the_cache_is_said(tmp_path: Path) -> None:
    """The comparison stands (the candidate measured afresh), and says that the baseline's
    figures repeat an earlier run's answers."""
    callable_target(tmp_path, "cached_baseline_bot", BREAKS_ON_FLAG)
    (tmp_path / "s.yaml").write_text(SUITE, encoding="utf-8")
    first, code, text = _run(tmp_path)
    assert code == 0, text
    base, code, text = _run(tmp_path)  # every answer first's
    assert code == 0, text
    cand, code, text = _run(tmp_path, "--no-cache")
    assert code == 0, text

    done = run_cli("compare", base, cand, cwd=tmp_path, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    text = done.stdout + done.stderr  # warnings print with the comparison, on stdout
    warnings = [w for w in text.splitlines() if "response cache" in w]
    assert len(warnings) == 1 and warnings[0].startswith("warning: "), text
    assert base in warnings[0] and "12 of 12 answers" in warnings[0] and first in warnings[0]
