"""Under a redaction policy, a stored error still names the endpoint the target file names.

The line a broken target stops the run with keeps the target's URL and host as written (an IP
address is personal data to the redactor, but the user must check it), while the same errors
stored in a finished run's results.jsonl and journal, and so in its reports, read
``http://<IP_ADDRESS>:PORT``: which endpoint failed could not be told from the run. Personal
data in the same message is still redacted. The real ``assurance`` command; a real server on
127.0.0.1.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from aiohttp import web

from ..testing.cli import run_cli
from ..testing.openai_stub import ThreadedServer, completion, json_response

PLANTED = "zelda.quux@example.org"


async def _one_hangs(request: web.Request) -> web.Response:
    """Case c0 gets no answer within the target's timeout; the error names the URL."""
    body = await request.json()
    if "(0)" in body["messages"][-1]["content"]:
        await asyncio.sleep(1.5)  # past timeout_s 0.5
    return json_response(completion(f"a helpful answer; write to {PLANTED} or ask 127.0.0.1"))


def test_a_stored_error_keeps_the_target_files_url_and_host(tmp_path: Path) -> None:
    (tmp_path / "assurance.yaml").write_text(
        "privacy:\n  policy_version: t-1\n  redaction: {enabled: true}\n"
    )
    (tmp_path / "suite.yaml").write_text(
        "suite: stored\ncases:\n"
        + "".join(f"  - {{id: c{i}, prompt: 'write to {PLANTED} ({i})'}}\n" for i in range(6))
        + "scorers: [{id: len, use: length}]\n"
        "metrics: [{id: long, rate: 'len.words > 1'}]\n"
        "gates: [{metric: long, min: 0.0}]\n"
        "max_error_rate: 0.5\n"
    )
    with ThreadedServer(_one_hangs) as server:
        (tmp_path / "target.yaml").write_text(
            f"type: openai\nbase_url: {server.base_url}\nmodel: m\nretry: {{max_attempts: 1}}\n"
            "timeout_s: 0.5\n"
        )
        done = run_cli(
            "run", "suite.yaml", "--target", "target.yaml", "--reports", "reports", cwd=tmp_path
        )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    (run_dir,) = [p for p in (tmp_path / "reports").iterdir() if p.is_dir()]
    host = server.base_url.split("//")[1].split("/")[0]  # 127.0.0.1:PORT
    for name in ("results.jsonl", "responses.jsonl"):
        rows = [json.loads(line) for line in (run_dir / name).read_text().splitlines()]
        (error,) = [row["error"] for row in rows if row["error"] is not None]
        assert host in error["message"], (name, error)
        assert PLANTED not in (run_dir / name).read_text()
        # Kept in the error only: an answer naming the same address is redacted as before.
        answers = [row["response"] for row in rows if row["error"] is None]
        assert answers and all("127.0.0.1" not in a and "<IP_ADDRESS>" in a for a in answers)
    assert PLANTED not in (run_dir / "report.md").read_text()
