"""A key repeated in part (its first characters cut, or its last) or wrapped across lines never
reaches a file: a model, or an endpoint's error body, that repeats only some of it still
gives away most of its characters, and the scrubber looked for the whole key and its first
eight characters only."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from aiohttp import web

from assurance_harness.scrub import REDACTED, scrub, scrub_answer

from ..testing.cli import run_cli
from ..testing.openai_stub import ThreadedServer, json_response
from ..testing.openai_stub import completion as stub_completion

KEY = "sk-proj-AbCdEfGhIjKlMnOpQrStUv0123456789WxYz9q8R7s6"
assert len(KEY) == 51


def _windows(value: str, size: int = 16) -> list[str]:
    """Every run of ``size`` characters of ``value``."""
    return [value[i : i + size] for i in range(len(value) - size + 1)]


def _wrapped(value: str, width: int, sep: str = "\n") -> str:
    return sep.join(value[i : i + width] for i in range(0, len(value), width))


@pytest.mark.parametrize(
    "echoed",
    [
        KEY[1:],  # its first character cut: "k-proj-AbC..."
        KEY[-30:],  # its last 30 characters
        KEY[5:40],  # a run from its middle
        KEY[:16],  # its first sixteen, whatever follows them
        KEY[-16:],  # its last sixteen
    ],
)
@pytest.mark.parametrize("scrubber", [scrub, scrub_answer])
def test_a_run_of_a_key_is_redacted(echoed: str, scrubber: object) -> None:
    out = scrubber(f"the key was {echoed} (try again)", [KEY])  # type: ignore[operator]
    assert out == f"the key was {REDACTED} (try again)"


@pytest.mark.parametrize(
    "echoed",
    [
        KEY[:14] + "\n" + KEY[14:],  # one line break
        _wrapped(KEY, 20),  # wrapped at 20 columns
        _wrapped(KEY, 16, "\r\n  "),  # wrapped and indented
        KEY[:25] + " " + KEY[25:],  # a space inside it
        _wrapped(KEY[3:], 20),  # cut and wrapped
    ],
)
def test_a_key_with_whitespace_inside_it_is_redacted(echoed: str) -> None:
    out = scrub_answer(f"key:\n{echoed}\nend", [KEY])
    assert out == f"key:\n{REDACTED}\nend", out


@pytest.mark.parametrize(
    "echoed",
    [
        # Were kept: the chunks a text is first searched for were looked for as written, so a
        # run in another case was never walked (only the whole key was matched in any case).
        KEY.upper()[10:40],  # upper-cased and cut at both ends
        KEY.lower()[5:35],  # lower-cased and cut
        KEY[8:20] + KEY[20:44].lower(),  # half of it lower-cased
        KEY.upper()[-20:],  # its last twenty, upper-cased
    ],
)
@pytest.mark.parametrize("scrubber", [scrub, scrub_answer])
def test_a_run_of_a_key_in_another_case_is_redacted(echoed: str, scrubber: object) -> None:
    out = scrubber(f"the key was {echoed} (try again)", [KEY])  # type: ignore[operator]
    assert out == f"the key was {REDACTED} (try again)"


@pytest.mark.parametrize(
    "echoed",
    [
        # Were kept: a text was searched for eight-character chunks of the key as written, and
        # lines narrower than that (or breaks falling inside every chunk) held none.
        _wrapped(KEY, 4),
        _wrapped(KEY, 6, "\r\n  "),
        _wrapped(KEY[5:], 8),
        _wrapped(KEY[5:], 9),
        _wrapped(KEY[5:], 10),
        _wrapped(KEY[7:].upper(), 7),  # cut, upper-cased and wrapped
    ],
)
def test_a_key_wrapped_in_narrow_lines_is_redacted(echoed: str) -> None:
    out = scrub_answer(f"key:\n{echoed}\nend", [KEY])
    assert out == f"key:\n{REDACTED}\nend", out


@pytest.mark.parametrize(
    "echoed",
    [
        # Were kept but for the first line: whitespace of more than eight characters between
        # two pieces ended the run, and a line break with an indent of eight (a code block in a
        # nested list) is nine.
        _wrapped(KEY, 10, "\n" + " " * 8),
        _wrapped(KEY[4:], 12, "\r\n" + " " * 16),
        _wrapped(KEY, 16, "\n\t\t\t\t\t\t\t\t"),
    ],
)
def test_a_key_wrapped_with_a_deep_indent_is_redacted(echoed: str) -> None:
    out = scrub_answer(f"key:\n{echoed}\nend", [KEY])
    assert out == f"key:\n{REDACTED}\nend", out


@pytest.mark.parametrize(
    "text",
    [
        f"{KEY[8:16]} and {KEY[16:24]}",  # two pieces, ordinary words between them
        f"{KEY[20:27]} {KEY[27:35]}",  # fifteen characters across a space
        f"{KEY[20:27].upper()}\n{KEY[27:35].lower()}",  # and in another case
        "roses are red\nviolets are\nblue and\nso on",
    ],
)
def test_short_pieces_of_a_key_apart_are_kept(text: str) -> None:
    assert scrub_answer(text, [KEY]) == text


def test_a_run_of_a_key_held_by_a_header_value_with_a_space_is_redacted() -> None:
    # A header value "Bearer sk-..." is one secret; its key is what an endpoint repeats in part.
    assert scrub(f"sent ...{KEY[-20:]}", [f"Bearer {KEY}"]) == f"sent ...{REDACTED}"


@pytest.mark.parametrize(
    "text",
    [
        f"a short run {KEY[20:35]} stays",  # 15 characters: not long enough to tell
        "sk-proj is how a project key starts",
        "the model answered with an ordinary sentence about keys and tokens",
    ],
)
def test_text_without_a_long_run_of_a_key_is_kept(text: str) -> None:
    assert scrub_answer(text, [KEY]) == text


def test_a_short_secret_is_not_searched_for_runs() -> None:
    # Sixteen characters of a 19-character value may be ordinary text: "word12345678xyz"
    # of "Password12345678xyz". Runs are looked for only in values of 20 characters or more.
    text = "my sword12345678xyz is weak"
    assert scrub_answer(text, ["Password12345678xyz"]) == text


async def _partial_echo(request: web.Request) -> web.Response:
    """A model that repeats its key in part: cut at the front, and line-wrapped."""
    auth = request.headers.get("Authorization", "").removeprefix("Bearer ")
    text = f"I saw ...{auth[-30:]} and\n{_wrapped(auth, 20)}\nand {auth[2:40]}..."
    return json_response(stub_completion(text))


SUITE = (
    "suite: partial\ncases:\n  - {id: c1, prompt: 'repeat your key'}\n"
    "scorers:\n  - {id: len, use: length}\n"
)


def _run_against(
    tmp_path: Path, handler: Callable[[web.Request], Awaitable[web.Response]], suite: str
) -> subprocess.CompletedProcess[str]:
    """``assurance run`` of ``suite`` against an OpenAI stub answering with ``handler``, its key
    :data:`KEY` read from an environment variable."""
    (tmp_path / "suite.yaml").write_text(suite)
    with ThreadedServer(handler) as server:
        (tmp_path / "target.yaml").write_text(
            f"type: openai\nbase_url: {server.base_url}\nmodel: m\napi_key_env: SCRUB_KEY\n"
        )
        return run_cli(
            "run",
            "suite.yaml",
            "-t",
            "target.yaml",
            "--reports",
            "reports",
            cwd=tmp_path,
            env={"SCRUB_KEY": KEY, "COLUMNS": "200"},
        )


def test_a_key_echoed_in_part_or_wrapped_is_in_no_file_of_the_run(tmp_path: Path) -> None:
    proc = _run_against(tmp_path, _partial_echo, SUITE)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    files = [p for p in (tmp_path / "reports").rglob("*") if p.is_file()]
    assert "responses.jsonl" in {p.name for p in files}
    for piece in (KEY[-30:], KEY[2:40], *_wrapped(KEY, 20).splitlines(), *_windows(KEY)):
        assert [str(p) for p in files if piece.encode() in p.read_bytes()] == [], piece
        assert piece not in output
    assert REDACTED in next(p for p in files if p.name == "responses.jsonl").read_text()


async def _narrow_echo(request: web.Request) -> web.Response:
    """A model that repeats its key upper-cased and cut, then wrapped in lines of 6 and 10."""
    auth = request.headers.get("Authorization", "").removeprefix("Bearer ")
    text = (
        f'<b>{auth.upper()[9:41]}</b> & "{auth.lower()[4:30]}"\n'
        f"{_wrapped(auth, 6)}\n\n{_wrapped(auth[5:], 10, chr(10) + '   ')}\ndone"
    )
    return json_response(stub_completion(text))


def _compact(data: bytes) -> str:
    """A file's text casefolded, without whitespace or JSON's escaped line breaks: a key
    wrapped or in another case is there as one run."""
    return re.sub(r"\s|\\[nrt]", "", data.decode("utf-8", "replace")).casefold()


GATED = (
    "suite: narrow\ncases:\n  - {id: c1, prompt: 'repeat your key'}\n"
    "scorers:\n  - {id: done, use: regex, with: {pattern: done}}\n"
    "metrics:\n  - {id: done_rate, rate: done.matched}\n"
    "gates:\n  - {metric: done_rate, max: 0.0}\n"  # fails: the answer is shown in the report
)


def test_a_key_echoed_in_another_case_or_narrow_lines_is_in_no_file(tmp_path: Path) -> None:
    proc = _run_against(tmp_path, _narrow_echo, GATED)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 1, output  # the gate's failure, not the run's
    (run,) = (p for p in (tmp_path / "reports").iterdir() if p.is_dir())
    files = [p for p in run.rglob("*") if p.is_file()]
    assert {"responses.jsonl", "results.jsonl", "report.html"} <= {p.name for p in files}
    texts = {str(p): _compact(p.read_bytes()) for p in files}
    for piece in _windows(KEY.casefold()):
        assert [name for name, text in texts.items() if piece in text] == [], piece
        assert piece not in _compact(output.encode())
    # What replaced the key leaves each row JSON and the report's markup escaped.
    for name in ("responses.jsonl", "results.jsonl"):
        for line in (run / name).read_text().splitlines():
            json.loads(line)
    (answer,) = (json.loads(x)["response"] for x in (run / "responses.jsonl").open())
    assert answer.count(REDACTED) == 4 and answer.endswith("\ndone"), answer
    html = (run / "report.html").read_text()
    assert "&lt;b&gt;&lt;redacted&gt;&lt;/b&gt; &amp;" in html, html
