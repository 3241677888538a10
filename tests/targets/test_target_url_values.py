"""Target values that can never work are caught by ``validate`` with the file and line, not
found at run time: a base_url port outside 1-65535, a space in its host or a control character
in it, a header name or value HTTP cannot carry, credentials written into base_url (they would
be copied into manifest.json), a query or fragment in base_url (the path is appended after it),
an infinite timeout, and a request rate so low that the run never ends (1e-300 per second)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.testing.cli import invoke_in_process


@pytest.fixture(autouse=True)
def _in_tmp_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each command runs in the test's folder, as a user in their project runs it."""
    monkeypatch.chdir(tmp_path)


def run(*args: str | Path) -> tuple[int, str]:
    """``assurance ARGS...`` in this process (what is checked here is the exit code and what it
    says, not anything of a process's start): its exit code and its output, stdout and stderr
    together."""
    done = invoke_in_process([str(a) for a in args])
    return done.exit_code, done.output


@pytest.mark.parametrize(
    ("line", "expect"),
    [
        ("base_url: http://127.0.0.1:99999/v1", "port"),
        ("base_url: http://127.0.0.1:-1/v1", "port"),
        ("base_url: http://127.0.0.1:0/v1", "port must be 1 to 65535"),
        (
            "type: http\nurl: http://127.0.0.1:0/score\nresponse_path: text\n",
            "port must be 1 to 65535",
        ),
        ('base_url: "http://user:s3cretpw@127.0.0.1:8000/v1"', "password"),
        # Were valid, and each request then failed: "Name or service not known" for a space
        # in the host, a NUL sent on in the request line.
        ("base_url: http://127.0.0. 1:8000/v1", "space or control character"),
        ('base_url: "http://127.0.0.1:8000/v1\\0"', "space or control character"),
        (
            "type: http\nurl: 'http://local host:8000/x'\nresponse_path: text\n",
            "space or control character",
        ),
        # Were valid; run then failed every request (aiohttp refuses the control character,
        # the server the name) and 'targets check' ended in a traceback.
        ('base_url: http://127.0.0.1:8000/v1\nheaders: {X-Team: "a\\nb"}', "headers"),
        ('base_url: http://127.0.0.1:8000/v1\nheaders: {X-Team: "a\\0b"}', "headers"),
        ('base_url: http://127.0.0.1:8000/v1\nheaders: {"X Team": b}', "headers"),
        ('base_url: http://127.0.0.1:8000/v1\napi_key_header: ""', "api_key_header"),
        (
            "type: http\nurl: http://127.0.0.1:8000/x\nresponse_path: text\nheaders: {'': b}\n",
            "headers",
        ),
        # Were valid: /chat/completions was appended after the query or fragment, so every
        # request went to /v1 itself (a 404, or a permissive gateway's answer to the wrong path).
        ("base_url: http://127.0.0.1:8000/v1?api-version=2024-06-01", "api_version"),
        ("base_url: 'http://127.0.0.1:8000/v1?team=a'", "query"),
        # Only the http target resolves ${VAR} in its URL's query: a base_url has a path
        # appended, so a key there is still refused, with the header advice.
        ("base_url: 'http://127.0.0.1:8000/v1?key=${K}'", "header"),
        ("base_url: 'http://127.0.0.1:8000/v1#chat'", "fragment"),
        # Were valid: a ${VAR} outside a query is sent as written (%7B...%7D in the path, a
        # host no resolver knows), so every request failed or went to the wrong path.
        (
            "type: http\nurl: 'http://127.0.0.1:8000/${MODEL}/x'\nresponse_path: text\n",
            "only in the URL's query",
        ),
        ("type: http\nurl: 'http://${HOST}/x'\nresponse_path: text\n", "only in the URL's query"),
        ("base_url: 'http://127.0.0.1:8000/${MODEL}/v1'", "not resolved in a base_url"),
        ("base_url: http://127.0.0.1:8000/v1\ntimeout_s: .inf", "timeout_s"),
        ("base_url: http://127.0.0.1:8000/v1\nrequests_per_second: .nan", "requests_per_second"),
        ("base_url: http://127.0.0.1:8000/v1\nrequests_per_second: 1e-300", "0.001"),
        ("base_url: http://127.0.0.1:8000/v1\nrequests_per_second: 0", "0.001"),
    ],
)
def test_a_target_value_that_cannot_work_fails_validate(
    tmp_path: Path, line: str, expect: str
) -> None:
    target = tmp_path / "t.yaml"
    target.write_text(line if line.startswith("type:") else f"type: openai\nmodel: m\n{line}\n")
    for args in (("validate", target), ("targets", "check", target)):
        code, text = run(*args)
        assert code == 2, text
        assert "internal error" not in text and "s3cretpw" not in text
        assert "t.yaml:" in text and expect in text


@pytest.mark.parametrize(
    "generation", ["{temperature: .nan}", "{max_tokens: .inf}", "{logit_bias: {'50256': -.inf}}"]
)
@pytest.mark.parametrize("kind", ["target", "suite"])
def test_a_generation_value_json_cannot_carry_fails_validate(
    tmp_path: Path, generation: str, kind: str
) -> None:
    # NaN and infinities have no JSON spelling: endpoints were sent "temperature": NaN (a
    # strict parser refuses it, a lax one samples with it) and the run's files stopped being
    # JSON.
    if kind == "target":
        text = (
            "type: openai\nmodel: m\nbase_url: http://127.0.0.1:8000/v1\n"
            f"generation: {generation}\n"
        )
    else:
        text = (
            f"suite: s\ncases: [{{id: a, prompt: hi}}]\ngeneration: {generation}\n"
            "metrics: [{id: failed, rate: error}]\n"
        )
    (tmp_path / "f.yaml").write_text(text)
    code, output = run("validate", "f.yaml")
    assert code == 2, output
    assert "f.yaml:" in output and "generation" in output and "finite" in output, output


@pytest.mark.parametrize(
    "query", ["key=AIzaSyD-l1teral-k3y", "api_key=l1teral-k3y&x=1", "x=1&access_token=l1teral-k3y"]
)
def test_a_key_written_into_the_url_query_is_refused_without_showing_it(
    tmp_path: Path, query: str
) -> None:
    # Gemini-style ?key=..., written into the http target's url: it was copied into
    # manifest.json, the reports and every error message naming the URL.
    target = tmp_path / "t.yaml"
    target.write_text(f"type: http\nurl: 'https://g.example/v1/gen?{query}'\nresponse_path: text\n")
    code, text = run("validate", target)
    assert code == 2, text
    assert "t.yaml:2" in text and "header" in text, text
    name = next(p.split("=")[0] for p in query.split("&") if p.split("=")[0] != "x")
    assert f"?{name}=${{VAR}}" in text, text
    assert "l1teral-k3y" not in text, text


@pytest.mark.parametrize(
    "query", ["key=${GEMINI_KEY}", "alt=json&api_key=${GEMINI_KEY}", "access_token=${A}${B}"]
)
def test_a_key_referenced_from_the_environment_in_the_url_query_is_accepted(
    tmp_path: Path, query: str
) -> None:
    # Gemini takes its key only as ?key=...: a ${VAR} reference is a name, not the secret, so
    # it may stand in the URL (resolved when each request is sent, as a header's is).
    target = tmp_path / "t.yaml"
    target.write_text(f"type: http\nurl: 'https://g.example/v1/gen?{query}'\nresponse_path: text\n")
    code, text = run("validate", target)
    assert code == 0, text


def test_a_literal_beside_a_reference_in_a_url_query_key_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "t.yaml"
    target.write_text(
        "type: http\nurl: 'https://g.example/gen?key=l1teral-k3y${GEMINI_KEY}'\n"
        "response_path: text\n"
    )
    code, text = run("validate", target)
    assert code == 2, text
    assert "l1teral-k3y" not in text, text


def test_an_ordinary_query_in_the_http_url_is_kept(tmp_path: Path) -> None:
    target = tmp_path / "t.yaml"
    target.write_text(
        "type: http\nurl: 'https://g.example/gen?max_tokens=9&keyword=a'\nresponse_path: text\n"
    )
    code, text = run("validate", target)
    assert code == 0, text


@pytest.mark.parametrize(
    "target",
    [
        "type: openai\nmodel: m\nbase_url: 'http://sk-l1teral-k3y@127.0.0.1:8000/v1'\n",
        "type: openai\nmodel: m\nbase_url: 'https://user:l1teral-k3y@models.example/v1'\n",
        "type: http\nurl: 'http://sk-l1teral-k3y@127.0.0.1:8000/x'\nresponse_path: text\n",
        "type: http\nurl: 'http://user:l1teral-k3y@127.0.0.1:8000/x'\nresponse_path: text\n",
    ],
)
def test_credentials_in_the_url_userinfo_are_refused_without_showing_them(
    tmp_path: Path, target: str
) -> None:
    # A key written as the URL's user name (http://sk-...@host, as some gateways take it for
    # Basic auth) passed validate: the URL, key included, was copied into manifest.json, the
    # run index and the reports. Only a password was refused.
    (tmp_path / "t.yaml").write_text(target)
    code, text = run("validate", tmp_path / "t.yaml")
    assert code == 2, text
    assert "t.yaml:" in text and "environment variable" in text, text
    assert "l1teral-k3y" not in text, text


@pytest.mark.parametrize(
    "url",
    [
        "http://user:hunter2secret@[bad",
        "http://[user:hunter2secret@host/v1",
        "user:hunter2secret@127.0.0.1/v1",
        "ftp://user:hunter2secret@127.0.0.1/v1",
        "http://user:hunter2secret@127.0.0.1 /v1",
        "http://user:hunter2/secret@127.0.0.1/v1",
        "ftp://127.0.0.1/v1?key=hunter2secret",
    ],
)
@pytest.mark.parametrize("field", ["base_url", "url"])
def test_a_malformed_url_holding_a_credential_is_refused_without_showing_it(
    tmp_path: Path, url: str, field: str
) -> None:
    # A URL malformed elsewhere (no scheme, another scheme, a bracket, a space, a '/' in the
    # password) was quoted whole in the error line, password and all, to the terminal and CI log.
    target = (
        f"type: openai\nmodel: m\nbase_url: '{url}'\n"
        if field == "base_url"
        else f"type: http\nurl: '{url}'\nresponse_path: text\n"
    )
    (tmp_path / "t.yaml").write_text(target)
    for args in (("validate", "t.yaml"), ("targets", "check", "t.yaml")):
        code, text = run(*args)
        assert code == 2, text
        assert "Traceback" not in text and "hunter2" not in text, text
        assert f"t.yaml:{3 if field == 'base_url' else 2}: {field}:" in text, text
        assert "e.g. http" in text or "remove it" in text, text
