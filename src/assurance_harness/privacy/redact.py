"""Replace personal data with typed placeholders (``<EMAIL_ADDRESS>``, ``<PERSON>``) in what the
tool stores: prompts, conversations, responses, error messages, expectations, metadata and any
text a scorer wrote.

Scoring happens before this, on the original text in memory; only the stored copy is redacted,
and the hashes in the manifest and the evidence ledger are of the redacted files, so evidence
stays verifiable. Ids, seeds, counts and other non-text fields are never touched.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from .normalise import fold
from .policy import RedactionPolicy

RULES_VERSION = "4"
"""Version of the detector rules and placeholder format; recorded with every redacted run.
3: spelt-out, HTML-encoded or emphasised e-mail addresses and phone numbers, ISO dates of
birth, phone numbers from 0.4 under any min_score, no phone number in a decimal fraction, no
NHS number inside an international phone number. 4: numbers as a person reads them
(``reading.read``), e-mail addresses with spaces around the "@", an IBAN in any case; no
version number as an IP address, no order or reference number as a phone or NHS number, no
code decorator as a handle, no month alone as a date of birth, no prose as a spoken e-mail
address (pii version 5)."""

KEEP_KEYS = frozenset(
    {
        "case_id",
        "sample",
        "seed",
        "latency_s",
        "attempts",
        "cached",
        "model_version",
        "finish_reason",
        "id",
        "source_id",
        "perturbation",
        "type",
        "status",
        "start",
        "end",
        "score",
    }
)
"""Keys whose values are identifiers or numbers, never free text about a person."""
MIN_LENGTH = 4
NAME_TYPES = frozenset({"PERSON", "SCHOOL"})
"""Types whose single words are also redacted where they recur in the same record."""


def placeholder(entity: str) -> str:
    return f"<{entity}>"


@lru_cache(maxsize=8192)
def _spans_cached(
    text: str, entities: tuple[str, ...], min_score: float
) -> tuple[tuple[str, int, int], ...]:
    # The detector (about 20 regexes compiled at import) loads only where something is redacted:
    # every run imports this module for its row stream, most runs redact nothing.
    from .pii import HELPLINES, find_pii

    spans = find_pii(text, entities=list(entities), min_score=min_score, allow=HELPLINES)
    return tuple((s.type, s.start, s.end) for s in spans)


def _known_pattern(known: dict[str, str]) -> re.Pattern[str] | None:
    """Whole-word, case-insensitive matcher for personal data already found elsewhere in the
    same row (a name the child gave, echoed back in lower case)."""
    if not known:
        return None
    words = sorted(known, key=len, reverse=True)
    return re.compile(
        r"(?<!\w)(" + "|".join(re.escape(w) for w in words) + r")(?!\w)", re.IGNORECASE
    )


def endpoint_kept(url: str | None) -> tuple[str, ...]:
    """What stays as written wherever text is redacted: the endpoint a target file names, and
    its host. A message must show it to be acted on ("is the host in the target file right?"),
    and it is configuration the manifest records, though an IP address is personal data to the
    detector. Longest first, so the URL is kept whole before its host is looked for."""
    if not url:
        return ()
    kept = {url, urlsplit(url).hostname or ""}
    return tuple(sorted((k for k in kept if k), key=len, reverse=True))


def redact_text(
    text: str,
    policy: RedactionPolicy,
    counts: Counter[str] | None = None,
    known: dict[str, str] | None = None,
    keep: tuple[str, ...] = (),
) -> str:
    """``text`` with each personal-data span replaced by its placeholder; ``counts`` (if given)
    gains one per replaced span, by type. ``known`` maps text found elsewhere in the same
    record (lower-cased) to its type, so it is redacted here too. ``keep``: texts left as
    written (:func:`endpoint_kept`), the text between them redacted."""
    if len(text) < MIN_LENGTH or not policy.enabled:
        return text
    present = tuple(k for k in keep if k in text)
    if present:
        pieces = _kept_pattern(present).split(text)
        # re.split with one group: the text between matches at even indexes, the matches at odd.
        return "".join(
            p if i % 2 else redact_text(p, policy, counts, known) for i, p in enumerate(pieces)
        )
    spans = list(_spans_cached(text, tuple(policy.entities), policy.min_score))
    pattern = _known_pattern(known or {})
    if pattern is not None:
        for match in pattern.finditer(text):
            if all(match.end() <= s or match.start() >= e for _, s, e in spans):
                spans.append(((known or {})[match.group(1).lower()], match.start(), match.end()))
    spans.sort(key=lambda item: item[1])
    out = []
    last = 0
    for kind, start, end in spans:
        out.append(text[last:start])
        out.append(placeholder(kind))
        if counts is not None:
            counts[kind] += 1
        last = end
    out.append(text[last:])
    return "".join(out)


@lru_cache(maxsize=64)
def _kept_pattern(kept: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(f"({'|'.join(re.escape(k) for k in kept)})")


def redact_message(text: str, policy: RedactionPolicy, *, url: str | None) -> str:
    """An error message's ``text`` redacted (:func:`redact_text`; an error body may repeat the
    request) except for ``url`` and its host (:func:`endpoint_kept`)."""
    return redact_text(text, policy, keep=endpoint_kept(url))


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    if isinstance(value, dict):
        return [s for k, v in value.items() if k not in KEEP_KEYS for s in _strings(v)]
    return []


def known_in(value: Any, policy: RedactionPolicy) -> dict[str, str]:
    """Personal data found anywhere in a record, and each word of the names in it (3+ letters),
    lower-cased -> type."""
    known: dict[str, str] = {}
    for text in _strings(value):
        if len(text) < MIN_LENGTH:
            continue
        for kind, start, end in _spans_cached(text, tuple(policy.entities), policy.min_score):
            found = text[start:end].strip()
            known.setdefault(found.lower(), kind)
            # as read, so a name disguised here ("Am\u200belia") is known where it recurs plainly
            found = fold(found).text
            known.setdefault(found.lower(), kind)
            if kind in NAME_TYPES:
                for word in re.findall(r"[^\W\d_]{3,}", found):
                    known.setdefault(word.lower(), kind)
    return known


def redact_value(
    value: Any,
    policy: RedactionPolicy,
    counts: Counter[str],
    known: dict[str, str] | None = None,
    keep: tuple[str, ...] = (),
) -> Any:
    """Strings inside dicts and lists redacted, keys in :data:`KEEP_KEYS` left as they are;
    ``keep`` as :func:`redact_text` takes it."""
    if isinstance(value, str):
        return redact_text(value, policy, counts, known, keep)
    if isinstance(value, list):
        return [redact_value(v, policy, counts, known, keep) for v in value]
    if isinstance(value, dict):
        return {
            k: v if k in KEEP_KEYS else redact_value(v, policy, counts, known, keep)
            for k, v in value.items()
        }
    return value


def redact_row(
    row: dict[str, Any],
    policy: RedactionPolicy,
    counts: Counter[str],
    known: dict[str, str] | None = None,
    keep: tuple[str, ...] = (),
) -> dict[str, Any]:
    """A result, journal or case row redacted (:func:`redact_value`), ``keep`` applied to its
    ``error`` only, whose message names the endpoint: in other text a kept host could split a
    span the detector finds whole (an e-mail address at that host)."""
    return {
        k: v
        if k in KEEP_KEYS
        else redact_value(v, policy, counts, known, keep if k == "error" else ())
        for k, v in row.items()
    }


def redact_rows(
    rows: list[dict[str, Any]], policy: RedactionPolicy, keep: tuple[str, ...] = ()
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Redacted copies of result/journal/case rows and the number of spans replaced by type;
    ``keep`` as :func:`redact_text` takes it."""
    counts: Counter[str] = Counter()
    if not policy.enabled:
        return rows, {}
    stored = [redact_row(row, policy, counts, known_in(row, policy), keep) for row in rows]
    return stored, dict(sorted(counts.items()))
