"""`assurance run DIR`: every suite of one folder run has a name of its own.

A suite's name keys its baseline, its trend, its latest run for `baseline check` and its
JUnit class: two files with one name in one nightly would have `baseline check` compare
whichever ran last with a baseline the other set, and their gates share one class in the CI
test view. Refused before anything is sent (exit 2), naming both files.
"""

from __future__ import annotations

from pathlib import Path

from ..testing.cli import run_cli as cli

SUITE = """\
suite: {name}
version: 1.0.0
cases:
  - {{id: a, prompt: "hello"}}
scorers:
  - {{id: has, use: contains, with: {{terms: ["hello"]}}}}
metrics:
  - {{id: hit, rate: has.matched}}
gates:
  - {{metric: hit, max: {max}}}
"""


def _project(tmp: Path, names: list[str]) -> tuple[Path, Path]:
    suites = tmp / "suites"
    suites.mkdir()
    for number, name in enumerate(names):
        (suites / f"s{number}.yaml").write_text(SUITE.format(name=name, max=number))
    (tmp / "bot.py").write_text("def reply(messages, params=None, **_):\n    return 'hello'\n")
    target = tmp / "bot.yaml"
    target.write_text("type: callable\nfunction: bot:reply\npython_path: ['.']\n")
    return suites, target


def test_two_suites_with_one_name_in_a_folder_run_are_refused(tmp_path: Path) -> None:
    suites, target = _project(tmp_path, ["nightly", "other", "nightly"])
    reports = tmp_path / "reports"
    proc = cli("run", str(suites), "--target", str(target), "--reports", str(reports))
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if "nightly" in line]
    assert len(lines) == 1, proc.stderr
    assert f"{suites / 's2.yaml'}:1: suite:" in lines[0]
    assert str(suites / "s0.yaml") in lines[0]
    assert not reports.exists() or not any(p.is_dir() for p in reports.iterdir())


def test_distinct_names_run(tmp_path: Path) -> None:
    suites, target = _project(tmp_path, ["nightly", "other"])
    reports = tmp_path / "reports"
    proc = cli("run", str(suites), "--target", str(target), "--reports", str(reports))
    # s0 gates hit <= 0 (fails: every response matches), s1 hit <= 1 (passes).
    assert proc.returncode == 1, proc.stdout + proc.stderr


def test_a_folder_run_ends_with_one_line_counting_its_suites(tmp_path: Path) -> None:
    # A nightly log of several suites ended with the last suite's own lines: which of the others
    # failed was scrolled far above. Suite s0's gate (max 0) fails; s1's (max 1) passes.
    suites, target = _project(tmp_path, ["first", "second"])
    done = cli("run", suites, "--target", target, "--no-report", "--no-evidence", cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    last = done.stdout.strip().splitlines()[-1]
    assert last == "2 suites: 1 passed, 1 with a failed gate (first); exit 1", last
