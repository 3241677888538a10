"""A comparison that measured nothing is no "no regression" (issue 12, found by a hostile pass).

Observed: the nightly's latest run failed (the endpoint was down: every request an error, the
run ``run_failed``, every metric without data), and ``assurance baseline check`` printed "no
significant regression" and exited 0: a pipeline that runs the check after its run stays green
while nothing was measured. A candidate run that failed gives partial figures at best, so the
check cannot vouch for it either way: exit 3, the "run failed" code, with one line saying why.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.testing.cli import run_cli, run_id_of

SUITE = (
    "suite: nightly\ncases:\n"
    + "".join(f"  - {{id: c{i}, prompt: 'hi {i}'}}\n" for i in range(12))
    + "scorers: [{id: m, use: regex, with: {pattern: echo}}]\n"
    "metrics: [{id: r, rate: m.matched}]\ngates: [{metric: r, min: 0.5}]\n"
)

BOT = """\
from pathlib import Path

def reply(messages):
    if Path(__file__).with_name("down").exists():
        raise ConnectionError("the endpoint is down")
    return "echo " + messages[-1]["content"]
"""


def _run(project: Path, expected: int) -> str:
    done = run_cli("run", "s.yaml", "--target", "t.yaml", "--no-report", "--no-cache", cwd=project)
    assert done.returncode == expected, done.stdout + done.stderr
    return run_id_of(done)


def _project(tmp_path: Path) -> Path:
    (tmp_path / "nightly_bot.py").write_text(BOT, encoding="utf-8")
    (tmp_path / "t.yaml").write_text(
        "type: callable\nfunction: nightly_bot:reply\npython_path: [.]\nretry: {max_attempts: 1}\n",
        encoding="utf-8",
    )
    (tmp_path / "s.yaml").write_text(SUITE, encoding="utf-8")
    return tmp_path


def test_baseline_check_of_a_failed_latest_run_is_not_a_pass(tmp_path: Path) -> None:
    project = _project(tmp_path)
    accepted = _run(project, 0)
    assert run_cli("baseline", "set", accepted, cwd=project).returncode == 0
    (project / "down").touch()
    failed = _run(project, 3)

    check = run_cli("baseline", "check", cwd=project)
    assert check.returncode == 3, check.stdout + check.stderr
    assert "no significant regression" not in check.stdout + check.stderr
    line = [ln for ln in check.stderr.splitlines() if failed in ln]
    assert len(line) == 1 and "failed" in line[0], check.stderr
    assert "Traceback" not in check.stderr

    compared = run_cli("compare", accepted, failed, cwd=project)
    assert compared.returncode == 3, compared.stdout + compared.stderr
    assert "no significant regression" not in compared.stdout + compared.stderr


def test_a_comparison_where_no_metric_has_data_in_both_runs_has_no_verdict() -> None:
    from assurance_harness.compare.engine import Comparison, MetricComparison

    cmp = Comparison("a", "b", "s", "t", "t", alpha=0.05, paired=False)
    cmp.metrics = [
        MetricComparison(metric="r", kind="rate", baseline=None, candidate=None, verdict="no_data")
    ]
    cmp.metrics.append(
        MetricComparison(metric="q", kind="rate", baseline=None, candidate=None, verdict="missing")
    )
    assert cmp.exit_code == 3 and "nothing was compared" in str(cmp.unmeasured)
    cmp.metrics.append(
        MetricComparison(
            metric="m", kind="mean", baseline=None, candidate=None, verdict="unchanged"
        )
    )
    assert cmp.exit_code == 0 and cmp.unmeasured is None


HALF_DOWN_BOT = """\
from pathlib import Path

def reply(messages):
    text = messages[-1]["content"]
    if Path(__file__).with_name("down").exists() and int(text.split()[-1]) % 2:
        raise ConnectionError("the endpoint is down")
    return "echo " + text
"""


def test_trend_does_not_plot_a_failed_runs_partial_figure_as_a_measurement(
    tmp_path: Path,
) -> None:
    # Half the requests failed (run_failed), and the other half gave r = 1 with a gate
    # verdict 'pass': the trend drew it as a normal passing point, a night that measured half
    # the suite shown as the suite measured.
    project = _project(tmp_path)
    (project / "nightly_bot.py").write_text(HALF_DOWN_BOT, encoding="utf-8")
    _run(project, 0)
    (project / "down").touch()
    failed = _run(project, 3)
    shown = run_cli("trend", "nightly", "r", "--format", "json", cwd=project)
    assert shown.returncode == 0, shown.stderr
    points = {p["run_id"]: p for p in json.loads(shown.stdout)["points"]}
    assert points[failed]["value"] is None
    assert "run failed" in points[failed]["note"] and "not plotted" in points[failed]["note"]
    table = run_cli("trend", "nightly", "r", cwd=project)
    assert any(failed in ln and "run failed" in ln for ln in table.stderr.splitlines())


def test_baseline_check_compares_the_latest_full_run_not_a_smoke_test(tmp_path: Path) -> None:
    # A smoke test (run --limit N) after the nightly was taken as "the latest run": its two
    # cases compared with the baseline's twelve hid the nightly's regression (exit 0).
    project = _project(tmp_path)
    accepted = _run(project, 0)
    assert run_cli("baseline", "set", accepted, cwd=project).returncode == 0
    (project / "nightly_bot.py").write_text("def reply(messages):\n    return 'no'\n")
    nightly = _run(project, 1)
    (project / "nightly_bot.py").write_text(BOT, encoding="utf-8")
    smoke = run_cli(
        "run",
        "s.yaml",
        "--target",
        "t.yaml",
        "--no-report",
        "--no-cache",
        "--limit",
        "2",
        cwd=project,
    )
    assert smoke.returncode == 0, smoke.stderr
    check = run_cli("baseline", "check", cwd=project)
    assert check.returncode == 1, check.stdout + check.stderr
    assert nightly in check.stdout
