"""A run whose folder is removed while it runs (a target, a cleanup job or a person deleting
the reports folder) fails (exit 3) without saying its responses are saved: its journal went
with the folder, so the ``--resume`` it printed could only answer "not found"."""

from __future__ import annotations

from pathlib import Path

from tests.testing.cli import run_cli
from tests.testing.project import callable_target

REMOVING = (
    "import shutil\n\n"
    "def reply(messages):\n"
    "    if messages[-1]['content'] == 'remove':\n"
    "        shutil.rmtree('R')\n"
    "    return 'echo ' + messages[-1]['content']\n"
)

SUITE = (
    "suite: removed\ncases:\n  - {id: a, prompt: hi}\n  - {id: b, prompt: remove}\n"
    "scorers: [{id: m, use: regex, with: {pattern: echo}}]\n"
    "metrics: [{id: r, rate: m.matched}]\ngates: [{metric: r, min: 0.5}]\n"
)


def test_a_run_whose_folder_was_removed_does_not_claim_its_responses_are_saved(
    tmp_path: Path,
) -> None:
    """Was: 'cannot write a temporary file in R/<run>: No such file or directory; free space
    there' and 'the responses are saved in run <run>; ... finish with: ... --resume <run>',
    which then said "run '<run>' not found"."""
    target = callable_target(tmp_path, "folder_removing_target", REMOVING)
    target.write_text(target.read_text(encoding="utf-8") + "concurrency: 1\n", encoding="utf-8")
    (tmp_path / "s.yaml").write_text(SUITE, encoding="utf-8")
    proc = run_cli(
        "run", "s.yaml", "--target", "t.yaml", "--reports", "R", "--no-report", "--no-cache",
        cwd=tmp_path, timeout=60,
    )  # fmt: skip
    text = proc.stdout + proc.stderr
    assert proc.returncode == 3, text
    assert "Traceback" not in text and "internal error" not in text, text
    errors = [line for line in text.splitlines() if line.startswith("error: ")]
    assert errors, text
    assert not any("saved" in line or "--resume" in line for line in errors), text
    assert not any("free space" in line for line in errors), text
    assert any("was removed while the run went on" in line for line in errors), text
    assert not (tmp_path / "R").exists()  # nothing made the folder again behind the user
