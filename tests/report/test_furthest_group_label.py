"""A paired delta's gate figure is its furthest group's, not a figure over every pair.

Observed (the bundled robustness-perturbation suite on the demo target): ``age_rating_delta <=
1 | fail groups: synonym | overall 1.083 | 95% [-1.546, 3.713] | 399`` then ``synonym 1.083
... 12``: "overall" beside n = 399 reads as a mean change over 399 pairs, where 1.083 is the
synonym operator's own over 12. The label says what the figure is, in the console, report.md
and report.html; a metric over every row keeps "overall".
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SUITE = """\
suite: paired
samples: 1
cases:
{cases}
expand:
  - use: perturb
    with: {{operators: [uppercase, typo]}}
scorers:
  - {{id: loud, use: regex, with: {{pattern: "SHOUT"}}}}
metrics:
  - id: loud_delta
    paired:
      {{value: loud.matched, pair_by: meta.source_id, group: meta.perturbation, reference: none}}
gates:
  - {{metric: loud_delta, max: 0.5}}
"""

BOT = """\
def reply(messages, **_):
    text = messages[-1]["content"]
    return "SHOUT" if text.isupper() else "fine"
"""


def test_a_paired_gate_names_its_furthest_group_not_overall(tmp_path: Path) -> None:
    cases = "\n".join(f"  - {{id: c{i}, prompt: please answer question {i}}}" for i in range(6))
    (tmp_path / "suite.yaml").write_text(SUITE.format(cases=cases))
    (tmp_path / "bot.py").write_text(BOT)
    (tmp_path / "bot.yaml").write_text("type: callable\nfunction: bot:reply\npython_path: ['.']\n")
    proc = subprocess.run(
        [
            *(sys.executable, "-m", "assurance_harness.cli", "run", "suite.yaml"),
            *("--target", "bot.yaml", "--reports", "reports", "--no-evidence"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    out = proc.stdout
    assert "fail groups: uppercase" in out, out
    assert "overall" not in out and "furthest (uppercase) 1 " in out, out
    run_dir = next(p for p in (tmp_path / "reports").iterdir() if p.is_dir() and "-" in p.name)
    for report in ("report.md", "report.html"):
        text = (run_dir / report).read_text()
        assert "furthest (uppercase)" in text and "overall" not in text.split("loud_delta")[1]
