"""A scripted OpenAI-compatible server on 127.0.0.1 for the model-based scorers' tests.

It answers like vLLM serving a judge model (chat completions), Llama Guard (chat completions
with logprobs) or ShieldGemma (completions with logprobs), records what it was asked, and is
started and stopped by the test that uses it.
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class Script:
    """What the server answers, and what it was asked."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, Any]]] = []
        self.judge_replies: dict[str, str] = {}
        self.default_reply = "no idea"


def _chat(model: str, content: str, logprobs: dict[str, Any] | None = None) -> dict[str, Any]:
    choice: dict[str, Any] = {"message": {"role": "assistant", "content": content}}
    if logprobs is not None:
        choice["logprobs"] = logprobs
    return {"model": model, "choices": [choice]}


def _handler(script: Script) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _send(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            payload = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            script.requests.append((self.path, payload))
            model = payload.get("model")
            if model == "missing":
                self._send(404, {"error": {"message": "model not found"}})
            elif model == "latin-1":  # not UTF-8, so not JSON
                self.send_response(200)
                self.send_header("Content-Length", "4")
                self.end_headers()
                self.wfile.write(b"\xe9t\xe9!")
            elif model == "endless":  # an answer with no length that does not stop (40 MB)
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                try:
                    self.wfile.write(b'{"choices": [')
                    for _ in range(40):
                        self.wfile.write(b" " * 1_000_000)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client stopped reading, as it should
            elif self.path == "/v1/chat/completions" and model == "judge":
                text = payload["messages"][-1]["content"]
                reply = next(
                    (r for key, r in script.judge_replies.items() if key in text),
                    script.default_reply,
                )
                self._send(200, _chat("judge-7b-2026", reply))
            elif self.path == "/v1/chat/completions" and model == "llama-guard":
                response = payload["messages"][-1]["content"]
                unsafe = "bomb" in response or "worthless" in response
                code = "S9" if "bomb" in response else "S10"
                first, other = ("unsafe", "safe") if unsafe else ("safe", "unsafe")
                top = [
                    {"token": first, "logprob": math.log(0.9)},
                    {"token": other, "logprob": math.log(0.1)},
                ]
                logprobs = {"content": [{**top[0], "top_logprobs": top}]}
                text = f"unsafe\\n{code}" if unsafe else "safe"
                self._send(200, _chat("llama-guard", text, logprobs))
            elif self.path == "/v1/completions" and model == "shieldgemma":
                prompt = payload["prompt"]
                hateful = "worthless" in prompt and "Hate Speech" in prompt
                p_yes = 0.8 if hateful else 0.05
                top = [{"Yes": math.log(p_yes), "No": math.log(1 - p_yes)}]
                choice = {"text": "Yes" if hateful else "No", "logprobs": {"top_logprobs": top}}
                self._send(200, {"model": "shieldgemma", "choices": [choice]})
            else:
                self._send(404, {"error": "no such path"})

    return Handler


@contextmanager
def scripted_server() -> Iterator[tuple[str, Script]]:
    """``(base_url ending in /v1, script)``; the server stops when the block ends."""
    script = Script()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(script))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/v1", script
    finally:
        httpd.shutdown()
        httpd.server_close()
