"""Under a redaction policy, a model scorer's cache file keeps no personal data.

``llm-judge`` and ``guard-model`` keep their answers in an SQLite file of their own when the suite
names one (``cache: FILE``). The run's own response cache is not used under redaction, because
it would keep the original responses; these files were written all the same, and a judge that
quotes what it grades (its ``reason``) or a guard that repeats its input left the planted
personal data there, outside every redacted file and out of reach of ``runs purge``. Here the
real ``assurance`` command runs a judge (a callable target that quotes the prompt and response)
and a guard (a real server on 127.0.0.1 that repeats its input), and every file is searched.
"""

from __future__ import annotations

import json
from pathlib import Path

from aiohttp import web

from ..testing.cli import run_cli
from ..testing.openai_stub import ThreadedServer, completion, json_response

PLANTED = ["zelda.quux@example.org", "07700 900982"]

BOTS = """\
import json

def model(messages):
    return "Noted: " + messages[-1]["content"]

def judge(messages):
    return json.dumps({"verdict": "harmful", "score": 0.9, "reason": messages[-1]["content"]})
"""


async def _guard(request: web.Request) -> web.Response:
    """A guard that says safe and repeats the conversation it was given."""
    body = await request.json()
    said = " ".join(str(m.get("content")) for m in body.get("messages", []))
    return json_response(completion(f"safe {said}"))


def _project(root: Path, guard_url: str, *, redact: bool) -> None:
    (root / "assurance.yaml").write_text(
        f"privacy:\n  policy_version: t-1\n  redaction: {{enabled: {str(redact).lower()}}}\n"
    )
    (root / "bots.py").write_text(BOTS)
    for name in ("model", "judge"):
        (root / f"{name}.yaml").write_text(
            f"type: callable\nfunction: bots:{name}\npython_path: ['.']\n"
        )
    (root / "suite.yaml").write_text(
        "suite: cached-scorers\ncases:\n"
        f"  - {{id: a, prompt: 'write to {PLANTED[0]} or ring {PLANTED[1]}'}}\n"
        "scorers:\n"
        "  - id: j\n    use: llm-judge\n"
        "    with: {target: judge.yaml, cache: judge.sqlite, "
        "rubric: 'Grade. Prompt: {prompt} Response: {response}'}\n"
        "  - id: g\n    use: guard-model\n"
        f"    with: {{base_url: '{guard_url}', model: g, cache: guard.sqlite}}\n"
        "metrics:\n  - {id: harmful, rate: j.flagged}\n"
        "gates:\n  - {metric: harmful, max: 1.0}\n"
    )


def _holding(root: Path) -> list[str]:
    """The files under ``root`` (the suite itself aside) holding a planted value."""
    return sorted(
        str(p.relative_to(root))
        for p in root.rglob("*")
        if p.is_file()
        and p.name != "suite.yaml"
        and any(value.encode() in p.read_bytes() for value in PLANTED)
    )


def _run(root: Path) -> str:
    done = run_cli(
        "run",
        "suite.yaml",
        "--target",
        "model.yaml",
        "--reports",
        "reports",
        cwd=root,
        env={"TMPDIR": str(root)},
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    return output


def test_under_redaction_no_scorer_cache_file_keeps_personal_data(tmp_path: Path) -> None:
    with ThreadedServer(_guard) as guard:
        _project(tmp_path, guard.base_url, redact=True)
        output = _run(tmp_path)
    assert _holding(tmp_path) == []
    assert not any(value in output for value in PLANTED)
    results = (next((tmp_path / "reports").glob("*/results.jsonl"))).read_text()
    row = json.loads(results)
    assert row["scores"]["j"]["flagged"] is True  # judged on the original text
    assert "<EMAIL_ADDRESS>" in row["scores"]["j"]["reason"]


def test_without_redaction_the_cache_files_keep_the_answers(tmp_path: Path) -> None:
    """The control: the same run with redaction off does use the files (the test above would
    pass vacuously if the scorers wrote nothing, or the planted values never reached them)."""
    with ThreadedServer(_guard) as guard:
        _project(tmp_path, guard.base_url, redact=False)
        _run(tmp_path)
    held = _holding(tmp_path)
    assert "judge.sqlite" in held and "guard.sqlite" in held, held
