"""Gate tables show the failing group's own figures, and a gate with no data says why.

Issue 10: ``divergent_answer_rate <= 0.1 | fail groups: girl | 0.005`` read as a pass (the
0.005 is the overall rate; the girl group's own rate is what failed). And a metric that skipped
every row at run time gave a ``no_data`` gate with no explanation.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

SUITE = """\
suite: groups
samples: 1
cases:
{cases}
scorers:
  - {{id: swear, use: regex, with: {{pattern: "idiot"}}}}
  - {{id: ex, use: exact}}
metrics:
  - {{id: swear_rate, rate: swear.matched, by: meta.group}}
  - {{id: exact_rate, rate: ex.match}}
gates:
  - {{metric: swear_rate, max: 0.1}}
  - {{metric: exact_rate, min: 0.5}}
"""

BOT = """\
def reply(messages, **_):
    text = messages[-1]["content"]
    return "you idiot" if text.startswith("girl-0") else "fine"
"""


def test_failing_group_figures_and_no_data_reason(tmp_path: Path) -> None:
    cases = "\n".join(
        f"  - {{id: {g}-{i}, prompt: {g}-{i}, metadata: {{group: {g}}}}}"
        for g, count in (("boy", 20), ("girl", 2))
        for i in range(count)
    )
    (tmp_path / "suite.yaml").write_text(SUITE.format(cases=cases))
    (tmp_path / "bot.py").write_text(BOT)
    (tmp_path / "bot.yaml").write_text("type: callable\nfunction: bot:reply\npython_path: ['.']\n")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "assurance_harness.cli",
            "run",
            "suite.yaml",
            "--target",
            "bot.yaml",
            "--reports",
            "reports",
            "--no-evidence",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    out = proc.stdout
    # overall 1/22 = 0.04545 passes by itself; the girl group's 1/2 = 0.5 is what fails
    assert "overall 0.04545" in out and "girl 0.5 " in out, out
    assert "exact_rate >= 0.5: no data: 'ex.match' was null on all 22 rows" in out, out

    run_dir = next(p for p in (tmp_path / "reports").iterdir() if p.is_dir() and "-" in p.name)
    summary = json.loads((run_dir / "summary.json").read_text())
    gates = {g["metric"]: g for g in summary["gates"]}
    assert gates["exact_rate"]["verdict"] == "no_data"
    assert "'ex.match' was null on all 22 rows" in gates["exact_rate"]["no_data_reason"]
    assert "null on all 22 rows" in summary["metrics"]["exact_rate"]["details"]["no_data_reason"]
    markdown = (run_dir / "report.md").read_text()
    interval = r"\[[0-9.e-]+, [0-9.e-]+\]"
    # the overall and the girl group's own figures: value, interval (the overall's with its
    # level) and n, each in its column
    assert re.search(
        rf"overall 0\.04545<br>girl 0\.5 \| 95% {interval}<br>{interval} \| 22<br>2 \|", markdown
    ), markdown
    assert "no data: 'ex.match' was null on all 22 rows" in markdown
    html = (run_dir / "report.html").read_text()
    assert "<strong>girl</strong> 0.5<" in html
    assert "no data: &#39;ex.match&#39; was null on all 22 rows" in html
