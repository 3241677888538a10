"""``baseline set`` on a run whose answers came from the response cache.

Observed: a run that took every answer from the cache (an earlier run's answers scored again)
was accepted as the baseline without a word, though it is no fresh measurement of the deployed
model: ``compare`` gives such a candidate no verdict (exit 3), the register calls its evidence
stale, and ``trend`` does not plot it. Now a run answered mostly from the cache (the same rule,
``store.cacheshare``) is refused, exit 2, with one line naming the cached share, the run that
measured the answers and the fix; ``--force`` (gates failed, a failed run, a smoke test) does not
cover it, ``--allow-cached`` does. A run with some cached answers is accepted with a warning, as
``compare`` warns of a baseline's cached answers.
"""

from __future__ import annotations

from pathlib import Path

from tests.testing.cli import into_the_next_second, run_cli, run_id_of
from tests.testing.project import echo_project


def _run(project: Path, suite: str = "s.yaml") -> str:
    done = run_cli(
        "run", suite, "--target", "t.yaml", "--no-report", "--no-evidence", cwd=project, timeout=60
    )
    assert done.returncode == 0, done.stdout + done.stderr
    into_the_next_second()
    return run_id_of(done)


def test_a_run_answered_from_the_cache_is_not_accepted_as_the_baseline(tmp_path: Path) -> None:
    echo_project(tmp_path, suite="cached-baseline")
    fresh = _run(tmp_path)
    cached = _run(tmp_path)  # both answers the first run's

    refused = run_cli("baseline", "set", cached, cwd=tmp_path, timeout=60)
    assert refused.returncode == 2, refused.stdout + refused.stderr
    (line,) = refused.stderr.splitlines()
    assert line.startswith("error: ") and "2 of 2 answers" in line and cached in line, line
    assert fresh in line and "response cache" in line, line  # who measured them
    assert "--no-cache" in line and "--allow-cached" in line, line  # the fixes
    forced = run_cli("baseline", "set", cached, "--force", cwd=tmp_path, timeout=60)
    assert forced.returncode == 2, forced.stdout + forced.stderr
    shown = run_cli("baseline", "show", "-f", "json", cwd=tmp_path, timeout=60)
    assert cached not in shown.stdout, shown.stdout  # nothing stored

    allowed = run_cli("baseline", "set", cached, "--allow-cached", cwd=tmp_path, timeout=60)
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr
    assert cached in allowed.stdout, allowed.stdout
    warned = [w for w in allowed.stderr.splitlines() if w.startswith("warning: ")]
    assert len(warned) == 1 and "2 of 2 answers" in warned[0], allowed.stderr

    accepted = run_cli("baseline", "set", fresh, cwd=tmp_path, timeout=60)
    assert accepted.returncode == 0 and "warning" not in accepted.stderr, accepted.stderr


def test_a_run_with_some_cached_answers_is_accepted_with_a_warning(tmp_path: Path) -> None:
    echo_project(tmp_path, suite="partly-cached-baseline")
    _run(tmp_path)
    suite = (tmp_path / "s.yaml").read_text(encoding="utf-8")
    two_more = "cases:\n  - {id: c, prompt: new}\n  - {id: d, prompt: more}\n"
    more = suite.replace("cases:\n", two_more)
    (tmp_path / "s4.yaml").write_text(more, encoding="utf-8")
    half = _run(tmp_path, "s4.yaml")  # 2 of its 4 answers cached: not mostly

    done = run_cli("baseline", "set", half, cwd=tmp_path, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    warned = [w for w in done.stderr.splitlines() if w.startswith("warning: ")]
    assert len(warned) == 1 and "2 of 4 answers" in warned[0] and half in warned[0], done.stderr
