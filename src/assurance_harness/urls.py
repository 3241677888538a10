"""Target URLs and the ``${NAME}`` references in them, checked where a file is read.

Its own module, below the plugins: a target adapter's URL and a scorer's endpoint (guard-model's
base_url) are checked alike, and plugins may not import one another.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote, unquote_plus, urlsplit

from .scrub import has_key_prefix, looks_like_key, shaped_like_key

ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def env_refs(value: str) -> list[str]:
    """Names of the environment variables a header value or URL query refers to as
    ``${NAME}``."""
    return ENV_REF.findall(value)


def check_reference_names(value: str, *, where: str) -> None:
    """A pydantic validator's step: refuse a ``${NAME}`` in ``value`` whose name looks like a
    key (``${sk_live_...}``, ``${ghp_...}``, a hexadecimal Azure key: all valid names), as
    ``api_key_env`` is (:func:`~assurance_harness.scrub.looks_like_key`). Passed, it is read as
    a variable that is not set, and the run's one line printed it whole. Never shown here."""
    if any(looks_like_key(name) for name in env_refs(value)):
        raise ValueError(
            f"{where} holds a ${{...}} whose name looks like an API key, not the name of an "
            "environment variable (the value is not shown); put the key in a variable (export "
            "ASSURANCE_API_KEY=...) and write ${ASSURANCE_API_KEY} there"
        )


def check_url(value: str, *, example: str, query_refs: bool = False) -> str:
    """A pydantic validator's body: ``value`` must be an http(s) URL with a host, so a base_url
    without ``http://`` fails at ``validate`` rather than as a connection error on every request.
    ``query_refs``: the target resolves ``${NAME}`` in the query per request (``http``; a
    base_url has a path appended, so it holds no query), so a key may be referenced there."""
    check_reference_names(value, where="the URL")  # first: the messages below quote the URL
    shown = _shown_url(value.strip())  # never the credential a malformed URL may hold
    try:
        parsed = urlsplit(value.strip())
    except ValueError as exc:  # "Invalid IPv6 URL": an unclosed [ in the host
        raise ValueError(f"'{shown}' is not a URL ({exc}); write one, e.g. {example}") from None
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ValueError(
            f"'{shown}' is not an http(s) URL: it needs a scheme and a host, e.g. {example}"
        )
    unresolved = env_refs(parsed._replace(query="").geturl())  # (a query: checked below)
    if unresolved:  # sent as written: %7B...%7D in the path, a host no resolver knows
        where = "resolved only in the URL's query" if query_refs else "not resolved in a base_url"
        raise ValueError(
            f"${{{unresolved[0]}}} is {where}: it would be sent as written; write the value out"
        )
    stripped = value.strip()
    if any(c.isspace() for c in parsed.netloc) or any(
        ord(c) < 0x20 or ord(c) == 0x7F for c in stripped
    ):
        # No host has a space; a control character is sent on in the request line. Either
        # way every request fails, so the URL is refused here, where the line is known.
        raise ValueError(  # repr: the control character shown as an escape, on one line
            f"{shown!r} holds a space or control character where a URL cannot (a space in "
            "the host, a control character anywhere); remove it"
        )
    if parsed.password is not None or parsed.username:
        # The URL is copied into manifest.json, the run index and the reports: a password, or
        # a key written as the user name (http://sk-...@host, Basic auth), would be stored too.
        what = "a password" if parsed.password is not None else "a user name (a credential)"
        raise ValueError(
            f"the URL holds {what} before its host (not shown); remove it and send credentials "
            "from an environment variable (api_key_env, or a header with ${VAR})"
        )
    if any(_prefixed_key(part) for part in _PATH_PARTS.split(parsed.path)):
        raise ValueError(
            "the URL's path holds a key (a known kind's prefix, sk-, ghp_..., not shown), "
            "which would be copied into manifest.json, the reports and error messages; remove "
            "it and send the key in a header read from an environment variable (api_key_env, "
            "or headers: {x-api-key: ${VAR}})"
        )
    if _credential_fragment(parsed.fragment):
        raise ValueError(
            "the URL's fragment (after '#') holds a credential (not shown): it is never sent "
            "to the endpoint, but the URL is copied into manifest.json, the reports and error "
            "messages; remove it and send the key from an environment variable (api_key_env, "
            "or a header with ${VAR})"
        )
    credential = _credential_parameter(parsed.query, referenced=query_refs)
    if credential:  # the URL is copied into manifest.json, the reports and error messages
        instead = (
            f"reference it from an environment variable (?{credential}=${{VAR}}, resolved per "
            "request and never written), or send it in a header (headers: {x-api-key: ${VAR}})"
            if query_refs
            else "remove it and send the key in a header read from an environment variable "
            "(headers: {x-api-key: ${VAR}}, or the header your endpoint takes)"
        )
        what = (
            "a credential or a URL's signature"
            if _CREDENTIAL_PARAMETER.fullmatch(credential)
            else "whose value is shaped like a key"
        )
        raise ValueError(f"the URL's query holds {credential}=... (not shown), {what}; {instead}")
    try:
        port = parsed.port  # raises for a port outside 0-65535 or not a number
    except ValueError:  # (its text quotes the "port": a password holding a '/' reads as one)
        raise ValueError(
            f"'{shown}': what follows the host's ':' is not a port (the port must be 1 to "
            f"65535); fix it, e.g. {example}"
        ) from None
    if port == 0:  # urlsplit accepts it; nothing listens there, every request would fail
        raise ValueError(f"'{shown}': port 0 cannot be connected to (the port must be 1 to 65535)")
    return value.strip()


def _shown_url(value: str) -> str:
    """``value`` as an error line may quote it: whatever stands before an ``@`` (a user name or
    a password, however malformed the rest of the URL is) and the value of a credential
    parameter in the query replaced by ``***``. Error lines reach terminals and CI logs."""
    head, at, tail = value.rpartition("@")
    if at:
        scheme, slashes, _ = head.partition("//")
        value = f"{scheme}{slashes}***@{tail}" if slashes else f"***@{tail}"
    value = _QUERY_PAIR.sub(
        lambda m: f"{m[1]}=***" if _is_credential(m[1][1:], m[2]) else m[0], value
    )
    return _URL_PART.sub(lambda m: "***" if _prefixed_key(m[0]) else m[0], value)


_QUERY_PAIR = re.compile(r"([?&#][^=&#]*)=([^&#]*)")
_URL_PART = re.compile(r"[^/?#;=&@:]+")
_PATH_PARTS = re.compile(r"[/;=,]")
"""Where a path is cut into the parts looked at for a key: its segments, and a segment's
parameters (``;key=...``)."""
_PREFIXED_KEY_MIN = 16


def _prefixed_key(part: str) -> bool:
    """Whether a part of a URL's path (or its fragment), percent-decoded, is a key of a known
    kind: its prefix (``sk-``, ``ghp_``, ``eyJ``...), 16 characters or more, a digit among them.
    Only that: a path names models and resources whose names look generated to a looser test
    (``Mixtral8x7BInstructV01``, ``ws_01HZX3K4...``, a deployment in camel case), and the key
    a file sends is looked for by its value (:func:`holds_value`), whatever its shape."""
    try:
        text = unquote(part, errors="strict")
    except UnicodeDecodeError:  # not text once decoded: no key is
        return False
    return (
        len(text) >= _PREFIXED_KEY_MIN and has_key_prefix(text) and any(c.isdigit() for c in text)
    )


def _credential_fragment(fragment: str) -> bool:
    """Whether a URL's fragment carries a credential: a key of a known kind (:func:`_prefixed_key`)
    or shaped like one, or a parameter that is one (``#access_token=...``, as OAuth's implicit
    flow writes it). A fragment is never sent, so nothing needs one; ``#chat`` is no key."""
    if not fragment:
        return False
    if _credential_parameter(fragment, referenced=False) is not None:
        return True
    return any(_prefixed_key(part) or shaped_like_key(part) for part in _PATH_PARTS.split(fragment))


_VALUE_MIN = 8
"""A variable's value shorter than this is not looked for in a URL: a key is never that short,
and a short value may be an ordinary word of a path."""


def holds_value(url: str, value: str) -> bool:
    """Whether ``url`` holds ``value`` (a key the file sends from an environment variable),
    as written or percent-encoded, in any case. Values under :data:`_VALUE_MIN` characters are
    not looked for."""
    value = value.strip()
    if len(value) < _VALUE_MIN:
        return False
    written = url.casefold()
    try:
        decoded = unquote(url, errors="strict").casefold()
    except UnicodeDecodeError:
        decoded = written
    return value.casefold() in written or value.casefold() in decoded


def key_value_in_url(name: str) -> str:
    """The message for a URL holding the value of the variable ``name`` (:func:`holds_value`),
    which never shows it."""
    return (
        f"holds the value of ${name}, the key it sends (not shown): the URL is sent as it is "
        "and copied into manifest.json, the reports and error messages; remove the key from "
        f"the URL (it is sent from the environment variable {name} already)"
    )


_CREDENTIAL_PARAMETER = re.compile(
    r"(api[-_]?)?key|(access[-_]?|auth[-_]?)?token|(client[-_]?)?secret|password|auth"
    r"|sig|signature|x-amz-(signature|credential|security-token)|x-goog-(signature|credential)",
    re.IGNORECASE,
)
"""Query parameter names that carry a key (Gemini's ``key``, ``api_key``, ``access_token``,
OAuth's ``client_secret``) or sign the URL (Azure SAS ``sig``, AWS and Google presigned URLs'
``X-Amz-Signature``, ``X-Amz-Credential``, ``X-Amz-Security-Token``, ``X-Goog-Signature``,
``X-Goog-Credential``): whole names only, so ``max_tokens``, ``keyword`` or
``signature_version`` pass."""
_KEY_SHAPED_PARAMETER = re.compile(r"code", re.IGNORECASE)
"""Query parameter names that carry a key for some services (an Azure Functions key as
``code``) and an ordinary value for others (``code=en``, ``code=python``): a credential only
when the value is shaped like one (:func:`~assurance_harness.scrub.shaped_like_key`'s
``named_for_a_key``). Refused by the name alone, every ``code=`` was."""


def _is_credential(name: str, value: str) -> bool:
    """Whether a query parameter carries a credential: by its name, or by its value, which is
    shaped like a key whatever the parameter is called (``?x=sk-proj-...``), more loosely where
    some services send a key under that name (:data:`_KEY_SHAPED_PARAMETER`)."""
    if _CREDENTIAL_PARAMETER.fullmatch(name):
        return True
    named = _KEY_SHAPED_PARAMETER.fullmatch(name) is not None
    try:
        return shaped_like_key(unquote_plus(value, errors="strict"), named_for_a_key=named)
    except UnicodeDecodeError:  # not text once decoded: no key is
        return False


_AUTH_SCHEMES = ("bearer", "basic", "token")
"""The word before a key in an Authorization value (``Bearer sk-...``)."""


def pasted_key(value: Any, *, name: str = "") -> str | None:
    """Where a setting that is sent but never a credential's place (an ``http`` body template,
    generation settings) holds text shaped like a key: the name of the field holding it (``""``
    where it stands in a list at the top), through mappings and lists; None where none does. A
    value is judged as a URL query's is (:func:`_is_credential`'s value test: a key's prefix,
    a generated-looking word, or under a name a key goes by, twenty base64 characters not made
    of words), not by its name alone: ``stop_token: '</s>'`` is no key; a text of several words
    is none either, but a key after its scheme (``Bearer sk-...``). Such settings are
    copied as written into the manifest and every report; a key goes in a header instead."""
    if isinstance(value, str):
        named = _CREDENTIAL_PARAMETER.fullmatch(name) is not None or (
            _KEY_SHAPED_PARAMETER.fullmatch(name) is not None
        )
        words = value.split()  # prose is no key, though it start as one does ("xoxo, ...")
        if len(words) == 2 and words[0].lower() in _AUTH_SCHEMES:
            words = words[1:]
        if len(words) != 1:
            return None
        return name if shaped_like_key(words[0], named_for_a_key=named) else None
    items = (
        value.items()
        if isinstance(value, dict)
        else (((name, item) for item in value) if isinstance(value, list) else ())
    )
    for key, item in items:
        found = pasted_key(item, name=str(key))
        if found is not None:
            return found
    return None


def check_no_pasted_key(value: Any, *, fix: str) -> None:
    """A pydantic validator's step: refuse a setting holding text shaped like a key
    (:func:`pasted_key`), naming its field, never the value; ``fix``: where the key goes."""
    found = pasted_key(value)
    if found is not None:
        where = f" (under '{found}')" if found else ""
        raise ValueError(
            f"this holds a value that looks like an API key{where}, which would be copied into "
            f"the manifest and every report (the value is not shown); {fix}"
        )


def check_generation_holds_no_key(value: Any) -> None:
    """A target's or a suite's ``generation`` validator's step (:func:`check_no_pasted_key`):
    the settings are sent in each request's body and recorded with the run."""
    check_no_pasted_key(
        value,
        fix="generation settings are sent in each request's body and recorded; send the key "
        "from an environment variable (a target's api_key_env, or a header with ${VAR})",
    )


def _credential_parameter(query: str, *, referenced: bool) -> str | None:
    """The name of the first query parameter that carries a credential, if any. ``referenced``:
    a value that is only ``${NAME}`` references passes, as a variable's name, not the key (it is
    resolved when each request is sent; Gemini takes its key only as ``?key=``)."""
    for pair in query.split("&"):
        name, _, value = pair.partition("=")
        if not _is_credential(name, value):
            continue
        if not (referenced and _only_references(value)):
            return name
    return None


def _only_references(value: str) -> bool:
    return bool(env_refs(value)) and not ENV_REF.sub("", value)
