"""Keep configured secrets out of everything the harness stores or prints.

A key lives only in the environment variable the target file names. An endpoint can still send
it back (a 401 body that echoes ``Incorrect API key provided: sk-...``), and that body becomes an
error message that is journalled, reported and printed: so every error message is scrubbed of
the configured key values before it leaves the adapter. A successful answer can hold it too (a
debugging proxy that repeats the request's headers, a model that repeats what it was sent): it
is scrubbed before the cache, the journal or a scorer sees it. And a target file whose
``api_key_env`` holds the key itself, not a variable's name, is refused without echoing it.
"""

from __future__ import annotations

import base64
import functools
import os
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_KEY_PREFIXES = (
    "sk-",
    "sk_",
    "pk-",
    "rk-",
    "hf_",
    "ghp_",
    "gho_",
    "github_pat_",
    "xox",
    "AKIA",
    "AIza",
    "eyJ",
    "glpat-",
    "Bearer ",
)
_MIN_SECRET = 4
"""Shorter values are not scrubbed: they would blank out ordinary words and numbers."""
_FRAGMENT = 8
"""An echoed prefix this long (``sk-abc123...``) is treated as the key too."""

_BASE64_MIN = 12
"""Shorter values are not looked for inside base64: their encoded core would be a few
characters that any base64 (an image, a hash) could hold by chance."""
_ANSWER_MIN_SECRET = 8
"""Answers are scrubbed only of values this long: an answer is scored, and a short value
referenced as ``${NAME}`` (a team name in a header) would blank out its ordinary words."""

REDACTED = "<redacted>"

_SECRET_NAME = re.compile(r"KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|AUTH|DSN", re.IGNORECASE)


def is_secret_name(name: str) -> bool:
    """Whether an environment variable's name says it holds a secret (never shown)."""
    return _SECRET_NAME.search(name) is not None


def environment_secrets(*, min_length: int = 1) -> list[str]:
    """Values (of at least ``min_length`` characters) of the environment variables whose names
    say they hold a secret: what code the harness runs but does not configure (a callable
    target wrapping an SDK, a crash's traceback) may have read and repeated."""
    return [v for k, v in os.environ.items() if is_secret_name(k) and len(v) >= min_length]


def scrub(text: str, secrets: Iterable[str]) -> str:
    """``text`` with each secret, any token that carries a long prefix of one, and a long one's
    base64 forms redacted."""
    folded = text.casefold()
    for secret in sorted(
        {s for s in secrets if s and len(s) >= _MIN_SECRET}, key=len, reverse=True
    ):
        if secret in text:
            text = text.replace(secret, REDACTED)
        if secret.casefold() in folded:  # echoed in another case: a header dump upper-cased
            text = re.sub(re.escape(secret), REDACTED, text, flags=re.IGNORECASE)
        fragment = secret[:_FRAGMENT] if len(secret) >= 2 * _FRAGMENT else None
        if fragment is not None and fragment.casefold() in folded:
            text = _redact_tokens(text, re.compile(re.escape(fragment), re.IGNORECASE).search)
        if len(secret) >= _BASE64_MIN:
            for form in _base64_forms(secret):
                if form in text:
                    text = text.replace(form, REDACTED)
        if "\\" in text:  # a JSON writer's escapes: the key is not in the text as it is
            text = _json_escaped(secret).sub(REDACTED, text)
            if fragment is not None:
                escaped = _json_escaped(fragment)
                if escaped.search(text):
                    text = _redact_tokens(text, escaped.search)
    return text


_TOKEN = re.compile(r"\S+")


def _redact_tokens(text: str, holds: Callable[[str], object]) -> str:
    """``text`` with each whitespace-delimited token that ``holds`` a key's prefix redacted.
    Token by token, not ``\\S*PREFIX\\S*``, which is tried from every position: a 1 MB
    answer without a space took about 18 minutes, by extrapolation (BENCHMARKS.md)."""
    return _TOKEN.sub(lambda m: REDACTED if holds(m.group()) else m.group(), text)


_ESCAPES_DEEP = 8
"""JSON inside JSON this many levels deep still has its escapes recognised: a bounded run of
backslashes, so a text of backslashes is searched in time proportional to its length."""
_SHORT_ESCAPES = {"/": "/", '"': '"', "\\": "\\"}
"""The characters a key may hold that JSON may also write as a backslash and themselves."""


@functools.lru_cache(maxsize=64)
def _json_escaped(secret: str) -> re.Pattern[str]:
    """``secret`` as a JSON writer may have escaped it in a raw body an error quotes: any
    character as ``\\uXXXX`` (.NET writes ``+`` as ``\\u002B``), ``/`` as ``\\/`` (PHP,
    many Java libraries), each escape's backslash escaped again for JSON inside JSON."""
    slashes = rf"\\{{1,{_ESCAPES_DEEP}}}"
    parts = []
    for char in secret:
        forms = [re.escape(char), rf"{slashes}u(?i:{ord(char):04x})"]
        if char in _SHORT_ESCAPES:
            forms.append(slashes + re.escape(_SHORT_ESCAPES[char]))
        parts.append(f"(?:{'|'.join(forms)})")
    return re.compile("".join(parts))


@functools.lru_cache(maxsize=64)
def _base64_forms(secret: str) -> frozenset[str]:
    """What ``secret`` becomes inside a longer base64 text (standard or URL-safe alphabet), at
    each of the three byte alignments: only the characters its bytes alone decide. An endpoint
    may echo the request base64-encoded (a token, a debug dump); the plain key is not in it."""
    raw = secret.encode()
    forms = set()
    for pad in range(3):
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            text = encode(b"\0" * pad + raw).decode()
            forms.add(text[-(-8 * pad // 6) : 8 * (pad + len(raw)) // 6])
    return frozenset(forms)


def scrub_answer(text: str, secrets: Iterable[str]) -> str:
    """An answer's ``text`` with each secret of at least eight characters redacted (see
    :func:`scrub`); a key is never that short, an ordinary word often is."""
    return scrub(text, [s for s in secrets if len(s) >= _ANSWER_MIN_SECRET])


def scrub_json(value: Any, secrets: Sequence[str]) -> Any:
    """A parsed JSON answer (or any of its values) with every string, keys included, scrubbed
    as an answer is (:func:`scrub_answer`). Scrubbed after parsing, not in the raw text: a
    redacted token there could take a quote or comma with it and leave JSON that no longer
    parses."""
    if isinstance(value, str):
        return scrub_answer(value, secrets)
    if isinstance(value, dict):
        return {scrub_json(k, secrets): scrub_json(v, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub_json(v, secrets) for v in value]
    return value


def has_key_prefix(word: str) -> bool:
    """Whether ``word`` starts as a known kind of key does (``sk-``, ``ghp_``, ``AKIA``...)."""
    return word.startswith(_KEY_PREFIXES)


def looks_like_key(value: str) -> bool:
    """Whether a value meant to name an environment variable looks like a credential instead:
    not a variable name, a known key prefix, or long and mixed-case with digits (variable names
    are by convention upper case: ``OPENAI_API_KEY``)."""
    if not _VARIABLE.fullmatch(value):
        return True
    if has_key_prefix(value):
        return True
    mixed = any(c.islower() for c in value) and any(c.isupper() for c in value)
    return len(value) >= 20 and mixed and any(c.isdigit() for c in value)


def check_key_variable(value: str | None) -> str | None:
    """A pydantic validator's body for a field that names the environment variable holding a
    key (a target's or a scorer's ``api_key_env``): refused when blank, or when it looks like
    the key itself, whose settings would then be copied into the manifest and every report.
    The message never repeats the value: it may be the key."""
    if value is not None and not value.strip():  # no key to hide, and none to look for
        raise ValueError(
            f"is {'empty' if not value else 'blank'}: no variable is named; write the name "
            "of the environment variable that holds the key (export ASSURANCE_API_KEY=...), "
            "or remove api_key_env for an endpoint that needs no key"
        )
    if value is not None and looks_like_key(value):
        raise ValueError(
            "this looks like an API key, not the name of an environment variable (the "
            "value is not shown); put the key in a variable (export ASSURANCE_API_KEY=...) "
            "and write that variable's name here"
        )
    return value
