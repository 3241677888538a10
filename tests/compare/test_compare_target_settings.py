"""A comparison says when the two runs' targets differ: another target, or the same target
configured otherwise.

Observed: suite ``settings`` run against target ``bot`` at temperature 0, then against the
same target file with ``generation: {temperature: 0.7}``; ``assurance compare`` printed its
table and verdict with no word of the change (the manifests record both configurations), so
a difference the setting made read as the model's. Runs against two targets of other names
were compared alike, the terminal's table naming neither."""

from __future__ import annotations

import json
from pathlib import Path

from tests.testing.cli import invoke_in_process

SUITE = (
    "suite: settings\ncases:\n"
    + "".join(f"  - {{id: c{i}, prompt: 'q{i}'}}\n" for i in range(4))
    + "scorers: [{id: m, use: regex, with: {pattern: echo}}]\n"
    "metrics: [{id: r, rate: m.matched}]\ngates: [{metric: r, min: 0.5}]\n"
)


def _run(root: Path, target: str) -> str:
    reports = root / "reports"
    before = {p.name for p in reports.iterdir()} if reports.exists() else set()
    done = invoke_in_process(
        ["run", str(root / "s.yaml"), "--target", str(root / target), "--reports",
         str(reports), "--no-cache", "--no-evidence", "--no-report"]
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    (new,) = {p.name for p in reports.iterdir() if p.is_dir()} - before
    return new


def _warnings(root: Path, base: str, cand: str) -> list[str]:
    shown = invoke_in_process(
        ["compare", base, cand, "--reports", str(root / "reports"), "-f", "json"]
    )
    return list(json.loads(shown.output)["warnings"])


def test_another_target_or_setting_is_said(tmp_path: Path) -> None:
    (tmp_path / "settings_bot.py").write_text(
        "def reply(messages):\n    return 'echo ' + messages[-1]['content']\n", encoding="utf-8"
    )
    target = "type: callable\nname: {name}\nfunction: settings_bot:reply\npython_path: [.]\n"
    (tmp_path / "t.yaml").write_text(target.format(name="bot"), encoding="utf-8")
    (tmp_path / "hot.yaml").write_text(
        target.format(name="bot") + "generation: {temperature: 0.7}\n", encoding="utf-8"
    )
    (tmp_path / "other.yaml").write_text(target.format(name="other"), encoding="utf-8")
    (tmp_path / "s.yaml").write_text(SUITE, encoding="utf-8")
    cold, hot, other = (_run(tmp_path, t) for t in ("t.yaml", "hot.yaml", "other.yaml"))

    (said,) = [w for w in _warnings(tmp_path, cold, hot) if "configured otherwise" in w]
    assert "generation.temperature" in said and "0.7" in said, said
    (said,) = [w for w in _warnings(tmp_path, cold, other) if "different targets" in w]
    assert "'bot'" in said and "'other'" in said, said
