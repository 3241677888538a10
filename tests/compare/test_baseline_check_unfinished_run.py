"""``baseline check`` after a nightly run that did not finish. Observed: the run after the
baseline stopped part-way (Ctrl-C, a CI timeout's SIGTERM, the machine down), and the check
said "no run newer than its baseline to compare", exit 0: untrue (a newer run is there, to be
completed with --resume) and a green nightly over a night that measured nothing. Now the
latest run since the baseline being unfinished is no verdict (exit 3), with one line naming it
and the command that completes it; once completed, it is compared.

With ``-f json`` that no verdict printed no JSON at all (only the line on stderr): a machine
reader of the nightly got an empty stdout. It is now an object shaped as the check's other
no-verdict outcomes (a compared run failed, or answered from the cache): the comparison's keys,
``exit_code`` 3 and the reason in ``unmeasured``, with no metric and no regression."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.testing.cli import run_cli, run_id_of
from tests.testing.project import STOPS_ONCE, SUITE, callable_target


def test_an_unfinished_run_since_the_baseline_is_no_verdict(tmp_path: Path) -> None:
    callable_target(tmp_path, "unfinished_nightly_bot", STOPS_ONCE)
    (tmp_path / "s.yaml").write_text(SUITE.format(name="unfinished-nightly"), encoding="utf-8")
    (tmp_path / "STOPPED").touch()  # the target answers: the baseline run finishes
    run = ("run", "s.yaml", "--target", "t.yaml", "--no-report", "--no-cache")
    done = run_cli(*run, cwd=tmp_path, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    base = run_id_of(done)
    assert run_cli("baseline", "set", base, cwd=tmp_path).returncode == 0
    (tmp_path / "STOPPED").unlink()
    stopped = run_cli(*run, cwd=tmp_path, timeout=60, ctrl_c=True)  # the nightly, cut short
    assert stopped.returncode == 130, stopped.stdout + stopped.stderr
    nightly = re.search(r"--resume (\S+)", stopped.stderr).group(1)  # type: ignore[union-attr]

    checked = run_cli("baseline", "check", cwd=tmp_path, timeout=60)
    text = checked.stdout + checked.stderr
    assert checked.returncode == 3, text
    assert "no run newer" not in text, text
    errors = [line for line in checked.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and nightly in errors[0] and "--resume" in errors[0], text

    as_json = run_cli("baseline", "check", "-f", "json", cwd=tmp_path, timeout=60)
    assert as_json.returncode == 3, as_json.stdout + as_json.stderr
    payload = json.loads(as_json.stdout)
    assert payload["baseline_run"] == base and payload["candidate_run"] == nightly, payload
    assert payload["suite"] == "unfinished-nightly" and payload["exit_code"] == 3, payload
    assert payload["regressed"] == [] and payload["metrics"] == [], payload
    assert nightly in payload["unmeasured"] and "--resume" in payload["unmeasured"], payload
    assert as_json.stderr.count("error: ") == 1, as_json.stderr  # the line, as without -f json

    resumed = run_cli(*run, "--resume", nightly, cwd=tmp_path, timeout=60)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    checked = run_cli("baseline", "check", cwd=tmp_path, timeout=60)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert f"{base} → {nightly}" in checked.stdout, checked.stdout
    compared = run_cli("baseline", "check", "-f", "json", cwd=tmp_path, timeout=60)
    assert set(json.loads(compared.stdout)) == set(payload), compared.stdout  # the same keys
