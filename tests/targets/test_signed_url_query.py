"""A signed URL (Azure SAS, AWS or Google presigned, an Azure Functions key) is refused as a
target URL, without its signature shown: it was accepted, and copied into manifest.json, the
run index and the reports. So is a query value that is itself shaped like a key; not an
ordinary name that mixes case and digits (``myProject2024Analysis``), nor ``code=en``."""

from __future__ import annotations

import random
import string
from pathlib import Path

import pytest

from assurance_harness.urls import _shown_url, check_url
from tests.testing.cli import run_cli

EXAMPLE = "https://models.example.org/generate"
SECRET = "Zq8R7s6WxYz9AbCdEfGh"
FUNCTION_KEY = f"{SECRET}-Xk4_Lm9Qp2Rs7Tv1Wn3Bz6Hd0Jf5Gc8Ny=="  # an Azure Functions key's shape

SIGNED = [
    f"sv=2022-11-02&ss=b&sp=r&se=2030-01-01&sig={SECRET}%2B%3D",  # Azure SAS
    f"signature={SECRET}",
    f"X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA{SECRET}&X-Amz-Signature={SECRET}",
    f"X-Amz-Security-Token={SECRET}",
    f"x-amz-signature={SECRET}",
    f"X-Goog-Algorithm=GOOG4-RSA-SHA256&X-Goog-Credential={SECRET}&X-Goog-Signature={SECRET}",
    f"client_secret={SECRET}",
    f"code={SECRET}",  # Azure Functions' function key
    f"code={FUNCTION_KEY}",
    "code=4f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c",  # a hex key, one case
    f"deployment={SECRET}&code=en",
    f"x=sk-proj-{SECRET}",  # a key, whatever the parameter's name
    f"model=m&team={SECRET}0q9",  # long, mixed case, digits: a key's shape
    f"x=ghp_{SECRET}",
]


@pytest.mark.parametrize("query", SIGNED)
@pytest.mark.parametrize("refs", [True, False])
def test_a_signed_url_is_refused_without_showing_the_signature(query: str, refs: bool) -> None:
    with pytest.raises(ValueError, match="not shown") as info:
        check_url(f"https://h.example/gen?{query}", example=EXAMPLE, query_refs=refs)
    assert SECRET not in str(info.value), info.value


@pytest.mark.parametrize(
    "query",
    [
        "api-version=2024-02-01",
        "max_tokens=9&keyword=a",
        "model=Meta-Llama-3.1-70B-Instruct",
        "deployment=gpt-4o-mini&api-version=2024-06-01",
        "lang=sk-SK",
        "sig=${SAS_SIG}&sv=2022-11-02",
        "code=${FUNCTION_KEY}",
        "X-Amz-Signature=${SIGNATURE}",
        "x=${KEY}",
        # Were refused as keys: long, mixed case, with a digit, but made of words.
        "deployment=myProject2024Analysis",
        "model=gpt4oMiniSummariser2024",
        "model=textEmbedding3Large2024&deployment=Llama32Vision11BInstruct",
        "deployment=DeepSeekR1DistillQwen32B",
        # Were refused by the name alone: ``code`` is a language's, or a country's, too.
        "code=en",
        "code=python",
        "code=summarise",
        "lang=en&code=en-GB",
        "code=summarisation-english",
    ],
)
def test_ordinary_and_referenced_query_values_pass(query: str) -> None:
    url = f"https://h.example/gen?{query}"
    assert check_url(url, example=EXAMPLE, query_refs=True) == url


def test_random_keys_of_every_length_are_refused() -> None:
    # The other side of letting names through: a generated key is not taken for words.
    rng = random.Random(20261206)
    alphabet = string.ascii_letters + string.digits
    for length in (20, 24, 32, 40, 56, 64):
        for _ in range(40):
            key = "".join(rng.choice(alphabet) for _ in range(length - 1)) + rng.choice(
                "0123456789"
            )
            with pytest.raises(ValueError, match="not shown"):
                check_url(f"https://h.example/gen?team={key}", example=EXAMPLE)


@pytest.mark.parametrize("query", SIGNED)
def test_an_error_line_masks_the_signature(query: str) -> None:
    shown = _shown_url(f"ftp://h.example/gen?{query}")
    assert SECRET not in shown, shown
    assert "=***" in shown


def test_an_error_line_keeps_ordinary_values() -> None:
    url = "ftp://h.example/gen?api-version=2024-02-01&model=Meta-Llama-3.1-70B-Instruct"
    assert _shown_url(url) == url


def test_validate_refuses_a_presigned_url_in_one_line(tmp_path: Path) -> None:
    target = tmp_path / "t.yaml"
    target.write_text(
        "type: http\n"
        f"url: 'https://b.example/gen?X-Amz-Credential=AKIA{SECRET}&X-Amz-Signature={SECRET}'\n"
        "response_path: text\n"
    )
    proc = run_cli("validate", target, cwd=tmp_path)
    text = proc.stdout + proc.stderr
    assert proc.returncode == 2, text
    assert "t.yaml:2" in text and "X-Amz-Credential=... (not shown)" in text, text
    assert SECRET not in text and "Traceback" not in text, text


def test_validate_refuses_a_function_key_as_code_and_accepts_a_language_code(
    tmp_path: Path,
) -> None:
    target = tmp_path / "t.yaml"
    url = "https://fn.example/api/gen?deployment=myProject2024Analysis&code="
    target.write_text(f"type: http\nurl: '{url}{FUNCTION_KEY}'\nresponse_path: text\n")
    proc = run_cli("validate", target, cwd=tmp_path)
    text = proc.stdout + proc.stderr
    assert proc.returncode == 2, text
    assert "t.yaml:2" in text and "code=... (not shown)" in text, text
    assert "?code=${VAR}" in text, text  # the fix: the key read from a variable
    assert SECRET not in text and "Traceback" not in text, text
    target.write_text(f"type: http\nurl: '{url}en'\nresponse_path: text\n")
    proc = run_cli("validate", target, cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
