"""Keep configured secrets out of everything the harness stores or prints.

A key lives only in the environment variable the target file names. An endpoint can still send
it back (a 401 body that echoes ``Incorrect API key provided: sk-...``), and that body becomes an
error message that is journalled, reported and printed: so every error message is scrubbed of
the configured key values before it leaves the adapter. A successful answer can hold it too (a
debugging proxy that repeats the request's headers, a model that repeats what it was sent): it
is scrubbed before the cache, the journal or a scorer sees it. A key repeated in part (its
front cut, only its last characters), in another case or wrapped across lines (however
narrow) is scrubbed too: most of its characters are most of the secret. So is a key spelled
otherwise by what echoes it (:func:`_spellings`: percent-encoded, JSON-escaped, a non-ASCII
key's UTF-8 read as Latin-1; written backwards, as a model asked to repeat it reversed writes
it), whole or in part, and a hex dump of its bytes (:func:`_redact_hex`). The key and those
spellings of it written in HTML character references, as an HTML error page or an XML- or
HTML-escaping proxy writes them, are scrubbed as well, whole or in part
(:func:`_redact_read`): every character or only some as references,
decimal or hexadecimal (``&#45;``, ``&#x2D;``, ``&#X2d;``, ``&#0045;``), or named (``&amp;``
for a key's ``&``). So is a key with characters no reader sees between its own (a soft
hyphen or a zero-width space, as a page or a model marks where a long word may break, or their
references), in pieces between HTML tags (``<wbr>``, ``<br>``, a highlighter's ``<span>``
per token), or in letters that NFKC reads as its own (full-width, mathematical, circled):
:func:`read_hidden`; and with every byte percent-encoded, letters too (:func:`read_percent`).
And a target file whose ``api_key_env`` holds the key itself, not a variable's name, is refused
without echoing it.
"""

from __future__ import annotations

import base64
import bisect
import functools
import html
import json
import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from typing import Any
from urllib.parse import quote, quote_plus

from ._reading import (
    INVISIBLE,
    REFERENCE,
    Origin,
    hides,
    percent_encoded,
    read_hidden,
    read_percent,
    read_reference,
    read_references,
    unchanged_by_reading,
    unhidden,
)

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

_RUN = 16
"""A run of this many consecutive characters of a secret is redacted wherever it stands (the
key's first characters cut, ``k-proj-AbC...``; its last 30 alone). Sixteen characters of a key
drawn from some 62 symbols are about 95 bits: no innocent text holds them by chance, and a run
that is mostly a key's common prefix (``sk-proj-``) plus a few characters is not taken for the
key (nor, in any case, 36 symbols: about 82 bits). Not fewer: every text is searched for a few
chunks of half this length (:data:`_STRIDE`),
and shorter chunks are slower to rule out. With five keys of 40 to 51 characters, a 1 KB answer
without a key took 1.9 times as long to scrub as before runs were looked for, a 10 KB one 2.3
times; at twelve, 2.5 and 3.1 times. Each key is also looked for backwards (:func:`_spellings`),
which doubles its probes: with the same five keys, a 10 KB answer without a key took 1.4 times
as long to scrub as before (264 against 193 µs), a 1 KB one 1.3 times (36 against 28 µs).
Character references (:func:`_redact_read`) cost a text without ``&`` nothing to speak
of (185 against 192 µs, within the noise), and 10 KB of ordinary HTML with 242 ``&#39;``
1.15 times as long without backwards keys (220 against 194 µs), 307 µs with them. HTML
escaped twice (``&amp;copy;``, 500 of them in 10 KB) is read a second time to see whether it
spells a key (:func:`_reference_depth`): 419 µs without backwards keys."""
_RUN_MIN_SECRET = 20
"""Runs are looked for only in a secret at least this long (or, for a value such as
``Bearer sk-...``, in each whitespace-separated part of it this long): in a shorter one sixteen
characters are most of the value, and a value a person chose (``Password12345678``) holds words
and numbers that ordinary text holds too. Keys are longer: AWS's access key id, among the
shortest, has 20."""
_CHUNK = (_RUN + 1) // 2
_STRIDE = _RUN - _CHUNK + 1
"""A secret's chunks of ``_CHUNK`` characters that start at multiples of ``_STRIDE``: any run
of ``_RUN`` characters of it holds one (its first ``_STRIDE`` positions hold a multiple of
``_STRIDE``, and a chunk starting there ends within it). So a text holding none of these few
chunks (each looked for at C speed, casefolded, in the text casefolded and without its
whitespace: :func:`_squeeze`) holds no run, nor the secret, and only a text that holds one is
walked character by character, around the hit. Looked for as written, a key echoed in another
case and cut, or wrapped in lines narrower than a chunk (or cut so that every break fell inside
one), held none and was kept whole."""
_GAP = 40
"""Whitespace of up to this many characters inside a run is a line wrap or an indent
(``\\r\\n    ``, a code block's in a nested list): the run goes on across it and is redacted
with it. At eight, a key wrapped with an indent of eight was kept but for its first line; what
stops a run at ordinary words is the piece after the whitespace (:data:`_PIECE`), not its
width."""
_PIECE = 3
"""What a run must match beyond whitespace inside it, unless it matches the whole word there:
one character matching the key's next one by chance is common (``was k-proj...``), three
are not."""

_BASE64_MIN = 12
"""Shorter values are not looked for inside base64: their encoded core would be a few
characters that any base64 (an image, a hash) could hold by chance."""
_ANSWER_MIN_SECRET = 8
"""Answers are scrubbed only of values this long: an answer is scored, and a short value
referenced as ``${NAME}`` (a team name in a header) would blank out its ordinary words."""

REDACTED = "<redacted>"

_SECRET_NAME = re.compile(
    r"KEY|TOKEN|SECRET|PASSWORD|PASSWD|PASSPHRASE|CREDENTIAL|AUTH|DSN", re.IGNORECASE
)
_SECRET_PART = re.compile(r"(?:^|_)(?:PASS|PW|PAT)(?:_|$)|(?<=_)PWD(?:_|$)", re.IGNORECASE)
"""Short names a password or a token goes by (``DB_PASS``, ``SMTP_PW``, ``GITHUB_PAT``,
``MYSQL_PWD``), only as a whole part of the name between underscores: not ``PATH``,
``BYPASS_CACHE`` or ``COMPASS``, and ``PWD`` only after another part (alone, and as
``OLDPWD``, it is the shell's working directory, whose path would be blanked out of every
answer)."""


def is_secret_name(name: str) -> bool:
    """Whether an environment variable's name says it holds a secret (never shown)."""
    return _SECRET_NAME.search(name) is not None or _SECRET_PART.search(name) is not None


def environment_secrets(*, min_length: int = 1) -> list[str]:
    """Values (of at least ``min_length`` characters) of the environment variables whose names
    say they hold a secret: what code the harness runs but does not configure (a callable
    target wrapping an SDK, a crash's traceback) may have read and repeated."""
    return [v for k, v in os.environ.items() if is_secret_name(k) and len(v) >= min_length]


def scrub(text: str, secrets: Iterable[str]) -> str:
    """``text`` with each secret, any token that carries a long prefix of one, any run of
    :data:`_RUN` characters of a long one (its front or its end cut; line-wrapped), and a long
    one's base64 forms (wrapped in lines too: :func:`_redact_wrapped`) redacted; each of those
    written in HTML character references, or hidden by tags or invisible characters, too
    (:func:`_redact_read`)."""
    # Trimmed: a key exported with a space before it (a paste) is echoed without it, as HTTP
    # reads a header; its prefix (:data:`_FRAGMENT`) would start with the space too.
    trimmed = {s.strip() for s in secrets}
    values = {s for s in trimmed if len(s) >= _MIN_SECRET}
    spelled = values.union(*(_spellings(s) for s in values))
    ordered = sorted(spelled, key=len, reverse=True)
    long = bool(ordered) and len(ordered[0]) >= _RUN_MIN_SECRET
    folded = _loose_fold(text)
    squeezed = _squeeze(folded) if long else folded
    held = [s for s in ordered if _may_hold(squeezed, s)]
    # And as a reader sees it, where that is another text: a key that tags, invisible
    # characters, compatibility forms or percent-encoding hide (:func:`unhidden`).
    seen = unhidden(squeezed, _loose_fold) if ordered else squeezed
    hidden = seen is not squeezed and any(_may_hold(seen, s) for s in _as_read(tuple(ordered)))
    if ordered and ("&" in text or hidden):  # a text without "&" holds no reference
        read = _redact_read(text, ordered, hidden=hidden and hides(text))
        if read != text:
            text, folded = read, _loose_fold(read)
            squeezed = _squeeze(folded) if long else folded
            held = [s for s in ordered if _may_hold(squeezed, s)]
    hex_digits = _hex_squeeze(folded) if any(len(s) >= _BASE64_MIN for s in values) else ""
    for secret in held:  # whole first: a run of one may stand in another (a shared prefix)
        if secret in text:
            text = text.replace(secret, REDACTED)
        if _loose_fold(secret) in folded:  # echoed in another case: a header dump upper-cased
            text = _cased(secret).sub(REDACTED, text)
    parts = [p for s in held for p in s.split() if len(p) >= _RUN_MIN_SECRET]
    if parts:  # all at once: two secrets' overlapping runs are one redaction, not two halves
        text = _redact_runs(text, parts)
    for secret in ordered:
        fragment = secret[:_FRAGMENT] if len(secret) >= 2 * _FRAGMENT else None
        if fragment is not None and secret in held and _loose_fold(fragment) in folded:
            text = _redact_tokens(text, re.compile(re.escape(fragment), re.IGNORECASE).search)
        if secret not in values:  # another spelling: its base64 and escapes are no echo's
            continue
        if len(secret) >= _BASE64_MIN:
            for form in _base64_forms(secret):
                if _loose_fold(form) in squeezed:  # as written, or wrapped in lines (MIME's)
                    text = _redact_wrapped(text.replace(form, REDACTED), form)
            if any(probe in hex_digits for probe in _hex_probes(secret)):
                text = _redact_hex(text, secret)
        if "\\" in text:  # a JSON writer's escapes: the key is not in the text as it is
            text = _json_escaped(secret).sub(REDACTED, text)
            if fragment is not None:
                escaped = _json_escaped(fragment)
                if escaped.search(text):
                    text = _redact_tokens(text, escaped.search)
    if hidden and percent_encoded(text):  # last: a spelling as written is redacted whole
        text = _redact_percent(text, ordered)
    return text


_REVERSED_MIN = _BASE64_MIN
"""A secret this long is looked for backwards too (:func:`_spellings`): a shorter one reversed
may be an ordinary word (``live`` is ``evil``), as its base64 may be any base64's."""
_URL_SAFE = ("", "/", "-._~?/:@!$'()*,")
"""What a percent-encoder leaves as it is: nothing but letters, digits and ``-._~`` (Python's
``quote(safe="")``, JavaScript's ``encodeURIComponent``); ``/`` too (a path's encoder); and
what a query's value carries unencoded (``_http_common.quote_query_value``)."""


@functools.lru_cache(maxsize=64)
def _spellings(secret: str) -> frozenset[str]:
    """``secret`` as something that echoes it may have spelled it, other than as written:
    percent-encoded (a URL quoted in an error, a form body), as a JSON writer escapes it
    (``\\uXXXX`` for each non-ASCII character, ``\\/``; and that escaped again, JSON inside
    JSON), in another Unicode normal form, and a non-ASCII key's UTF-8 bytes read as Latin-1 (as
    Python's http.server and many others read a header), and upper- or lower-cased where that
    changes its letters' number or identity (``ß`` is ``SS`` upper-cased, ``ı`` is ``I``, and
    ``İ`` lower-cased two characters: no case-insensitive match of the key as written finds
    those, nor its runs, walked character by character). Each is scrubbed as the key is, runs
    and prefix included: a key of ``/`` and ``+`` every few characters, or of non-ASCII letters,
    holds no sixteen characters of the key as written once encoded, and its tail was kept. The
    whole key escaped any way JSON allows is :func:`_json_escaped`'s. And a key of
    :data:`_REVERSED_MIN` characters or more written backwards (a model asked to repeat it
    reversed): no run of the key as written is in it, and it was kept whole. An ASCII key of
    letters, digits, ``-`` and ``_`` has that one other spelling here: its probes
    (:func:`_probes`) are searched for as the key's are, which is what it costs."""
    cased = [
        form
        for form in (secret.upper(), secret.lower())
        if len(form) != len(secret) or form.casefold() != secret.casefold()
    ]
    bases = dict.fromkeys(
        [
            secret,
            *cased,
            unicodedata.normalize("NFC", secret),
            unicodedata.normalize("NFD", secret),
            secret.encode("utf-8", "surrogatepass").decode("latin-1"),
        ]
    )
    forms: list[str] = []
    for base in bases:
        escaped = json.dumps(base)[1:-1]  # ensure_ascii: every non-ASCII character as \uXXXX
        forms += [base, escaped, escaped.replace("/", "\\/"), json.dumps(escaped)[1:-1]]
        forms += [quote(base, safe=safe, errors="surrogatepass") for safe in _URL_SAFE]
        forms.append(quote_plus(base, safe="", errors="surrogatepass"))
    if len(secret) >= _REVERSED_MIN:
        forms.append(secret[::-1])
    return frozenset(forms) - {secret}


def _loose_fold(text: str) -> str:
    """``text`` case-folded, and ``ı`` (which folds to itself) as ``i``: a key's letters and
    an echo's in any case fold alike, where ``ı`` upper-cased is ``I``, which folds to ``i``.
    What a text is searched in for a key, and the key searched for: ``ß`` as ``SS`` folds to
    ``ss`` on both sides, ``İ`` to ``i̇`` on both."""
    return text.casefold().replace("ı", "i")


@functools.lru_cache(maxsize=64)
def _cased(secret: str) -> re.Pattern[str]:
    """``secret`` in any case, each letter matched in any of its cases (``re.IGNORECASE``),
    and a letter whose case mapping is of another length as any of its forms: ``ß`` as ``SS``,
    ``Ss`` or ``ss``, ``İ`` as ``i̇`` (two characters), ``ﬀ`` as ``FF``. ``re.IGNORECASE``
    alone matches one character to one, so a key echoed title-cased (``Sk-Sstraße``) or with
    its letters' case mixed matched only past such a letter (its run) and ``Sk-Ss`` was kept.
    ``ı`` and ``I``, ``İ`` and ``i``, ``ß`` and ``ẞ`` are one another's here already."""
    parts = []
    for char in secret:
        forms = {char, char.upper(), char.lower(), char.casefold(), char.title()}
        if all(len(form) == 1 for form in forms):
            parts.append(re.escape(char))
            continue
        ordered = sorted(forms, key=lambda form: (-len(form), form))  # longest first
        parts.append("(?:" + "|".join(re.escape(form) for form in ordered) + ")")
    return re.compile("".join(parts), re.IGNORECASE)


def _squeeze(text: str) -> str:
    """``text`` without its whitespace: where a key wrapped in lines of any width is one run.
    Spaces and line breaks first, by ``replace`` (about twice as fast over prose as splitting
    on whitespace alone); then what other whitespace there is, a tab or ``\\r``."""
    words = text.replace(" ", "").replace("\n", "").split()
    return words[0] if len(words) == 1 else "".join(words)


@functools.lru_cache(maxsize=64)
def _probes(secret: str) -> tuple[str, ...] | None:
    """What a text without its whitespace, casefolded, holds if it holds ``secret`` or its
    prefix (:data:`_FRAGMENT`) in any case, or a run of it in any case however wrapped: the
    prefix's first :data:`_CHUNK` characters, and the chunks (:data:`_STRIDE`) of each part
    searched for runs (:data:`_RUN_MIN_SECRET`). None for a secret shorter than that, looked for
    as before runs were."""
    if len(secret) < _RUN_MIN_SECRET:
        return None
    keys = [_loose_fold(p) for p in secret.split() if len(p) >= _RUN_MIN_SECRET]
    chunks = [k[i : i + _CHUNK] for k in keys for i in range(0, len(k) - _CHUNK + 1, _STRIDE)]
    return tuple(dict.fromkeys([_squeeze(_loose_fold(secret[:_CHUNK])), *chunks]))


def _may_hold(squeezed: str, secret: str) -> bool:
    """Whether a text (``squeezed``: casefolded, without its whitespace) may hold ``secret``,
    its prefix or a run of it (:func:`_probes`): False only where it holds none of its probes.
    Each is looked for once, in the one text: with five keys, most of the time taken to rule out
    an answer that holds none."""
    probes = _probes(secret)
    if probes is None:
        return True
    for probe in probes:  # noqa: SIM110 - not any(): its generator costs as much as a probe
        if probe in squeezed:
            return True
    return False


assert _CHUNK <= _FRAGMENT, "the first chunk must lie within the prefix to stand for it"


def _redact_runs(text: str, parts: Iterable[str]) -> str:
    """``text`` with each run of :data:`_RUN` characters or more of one of ``parts`` (secrets
    without whitespace) redacted, in any case, across whitespace a wrapped line put inside it
    (:data:`_GAP`). Found from a hit of one of its aligned chunks (:data:`_CHUNK`) in the text
    without its whitespace (:class:`_Squeezed`: a line may be narrower than a chunk), then
    widened character by character in the text folded as the key is
    (:func:`_folded_with_origin`); a hit whose run is shorter is left as it is."""
    return _redact_spans(text, _runs_in(text, parts))


def _runs_in(text: str, parts: Iterable[str]) -> list[tuple[int, int]]:
    """The spans of ``text`` that :func:`_redact_runs` redacts, overlapping as found."""
    folded, origin = _folded_with_origin(text)
    view = _Squeezed(folded)
    spans: list[tuple[int, int]] = []
    for part in parts:
        spans += _run_spans(view, _loose_fold(part))
    if origin is not None:  # back to the text's indices: the whole of a letter folded to two
        spans = [(origin[start], origin[end - 1] + 1) for start, end in spans]
    return spans


def _redact_spans(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """``text`` with each of ``spans`` redacted, those that overlap or touch as one (a run is
    found from each of its chunks: one redaction)."""
    merged = _merged(spans)
    if not merged:
        return text
    pieces, done = [], 0
    for start, end in merged:
        pieces += [text[done:start], REDACTED]
        done = end
    return "".join(pieces) + text[done:]


def _redact_read(text: str, secrets: Sequence[str], *, hidden: bool) -> str:
    """``text`` with each secret (``secrets``: longest first) that it writes, whole or in part,
    in HTML character references redacted as :func:`scrub` redacts it as written: whole, a run
    of a long one (:data:`_RUN`), a token holding its prefix (:data:`_FRAGMENT`), the
    references that spell it whole. An HTML error page, or a proxy escaping what it echoes
    for XML or HTML, writes ``&#115;&#107;&#45;...``, ``&#x73;&#x6B;...``, ``sk&#45;proj...``
    or ``&amp;`` for a key's ``&``: none of the key's runs is in that text. Looked for in the
    text with its references read (:func:`html.unescape`'s reading, :func:`read_references`),
    and only where one of them is read as a character of a secret, whitespace or an invisible
    character (:func:`_reads`) and the text read holds a secret's probes (:func:`_probes`): a
    text without ``&`` costs one search, and ordinary HTML (``It&#39;s``, ``&amp;``,
    ``&quot;``) one more, for its references. Read as many times as it was escaped
    (:func:`_reference_depth`): a page quoting an escaped body writes ``&amp;#115;``. And, apart,
    read as a reader sees it (:func:`read_hidden`) where ``hidden`` (the text may hide one of
    ``secrets`` with tags, invisible characters or compatibility forms: :func:`unhidden`) or where
    the references read may (``&shy;`` or ``&#8203;`` between its characters)."""
    read, origins = text, []
    for _ in range(_reference_depth(text, tuple(secrets)) if "&" in text else 0):
        read, origin = read_references(read)
        origins.append(origin)
    spans = _read_spans(read, origins, secrets) if origins else []
    if hidden or (origins and hides(read)):  # apart: a key's own "<x>" is no tag to read
        read, origin = read_hidden(read)
        spans += _read_spans(read, [*origins, origin], _as_read(tuple(secrets)))
    return _redact_spans(text, spans)


def _redact_percent(text: str, secrets: Sequence[str]) -> str:
    """``text`` with each of ``secrets`` (longest first) that it writes with every byte
    percent-encoded (``%73%6B%2D...``, once or twice) redacted, found in the text with those
    decoded (:func:`read_percent`) as :func:`_redact_read` finds one written in references.
    After :func:`scrub` has redacted what the text spells as written: a key's percent-encoded
    spelling cut inside an escape (``B%2F...``) is redacted whole there, and here only a run of
    what it decodes to would be, its first character kept."""
    read, origins = read_percent(text)
    return _redact_spans(text, _read_spans(read, origins, secrets))


@functools.lru_cache(maxsize=64)
def _as_read(secrets: tuple[str, ...]) -> tuple[str, ...]:
    """``secrets`` (longest first), and each that :func:`read_hidden` reads otherwise as it
    reads it, longest first: a non-ASCII key's UTF-8 read as Latin-1 may hold ``¼``, read as
    ``1⁄4`` in a text read in NFKC, and is found there whole, not in part (a run of it) with
    the rest of it kept."""
    read = [read_hidden(s)[0] for s in secrets if not unchanged_by_reading(s)]
    return tuple(sorted(dict.fromkeys([*secrets, *read]), key=len, reverse=True))


def _read_spans(
    read: str, origins: Sequence[Origin], secrets: Sequence[str]
) -> list[tuple[int, int]]:
    """The spans of a text that spell one of ``secrets`` in ``read`` (the text read
    ``origins``'s way, one after another), as :func:`scrub` finds them in a text as written
    (:func:`_secret_spans`); none where ``read`` holds none of their probes."""
    folded = _loose_fold(read)
    squeezed = _squeeze(folded)
    held = [s for s in secrets if _may_hold(squeezed, s) and _may_hold_short(folded, s)]
    if not held:
        return []
    spans = _secret_spans(read, folded, held)
    for origin in reversed(origins):  # back to the characters each was read from, read by read
        spans = [(origin.start(start), origin.end(end - 1)) for start, end in spans]
    return spans


_REFERENCES_DEEP = 3
"""HTML escaped this many times over (``&amp;amp;#115;``) still has its references read."""
_ESCAPED_AMPERSAND = re.compile(r"&(?:amp|#0*38|#x0*26);?(?=#|[a-z][a-z0-9]*;)", re.IGNORECASE)
"""An ``&`` escaped before what reads as another reference once it is read (``&amp;#115;``,
``&#38;#x73;``, ``&amp;amp;``): where a text holds none, reading it again reads nothing more."""


def _reference_depth(text: str, secrets: tuple[str, ...]) -> int:
    """How many times ``text``'s references must be read (:func:`html.unescape`) for every one
    read as a character of one of ``secrets`` (:func:`_reads`) to be read; 0
    where none is. Read again only while an escaped ``&`` begins another reference
    (:data:`_ESCAPED_AMPERSAND`): ordinary HTML's ``&amp;`` (``R&amp;D``) is read once."""
    depth = 0
    for level in range(1, _REFERENCES_DEEP + 1):
        spells, ampersand = _reads(REFERENCE.findall(text), secrets)
        if spells:
            depth = level
        if not ampersand or level == _REFERENCES_DEEP or not _ESCAPED_AMPERSAND.search(text):
            break
        text = html.unescape(text)
    return depth


def _reads(references: list[str], secrets: tuple[str, ...]) -> tuple[bool, bool]:
    """Whether one of ``references`` (:data:`REFERENCE`'s, without their ``&``) is read as a
    character of one of ``secrets``, in any case, as whitespace (inside a wrapped run) or as an
    invisible character (:data:`INVISIBLE`: ``&shy;``, ``&#8203;`` between its characters); and
    whether one is read as ``&`` (which may begin another, :func:`_reference_depth`). Where
    none spells a secret's character, the text read holds the runs the text holds, nothing
    more: a reference read as another character (``'``, ``"``, an em dash) stops a run as it
    does where it stands."""
    characters = _characters(secrets)
    spells = ampersand = False
    for reference in set(references):
        read = read_reference(reference)
        if read == "&" + reference:  # no reference: "&D" in "R&D"
            continue
        spells = spells or any(c in characters or c.isspace() or c in INVISIBLE for c in read)
        ampersand = ampersand or "&" in read
    return spells, ampersand


@functools.lru_cache(maxsize=64)
def _characters(secrets: tuple[str, ...]) -> frozenset[str]:
    """The characters of ``secrets`` as written, upper- and lower-cased and casefolded."""
    joined = "".join(secrets)
    return frozenset(joined + joined.upper() + joined.lower() + _loose_fold(joined))


def _may_hold_short(folded: str, secret: str) -> bool:
    """Whether ``folded`` (casefolded) may hold a secret too short for probes (:func:`_probes`)
    as :func:`scrub` looks for one: whole, or its prefix where it is long enough to have one
    (:data:`_FRAGMENT`). True for a longer secret, whose probes decide."""
    if len(secret) >= _RUN_MIN_SECRET:
        return True
    return _loose_fold(secret[:_FRAGMENT] if len(secret) >= 2 * _FRAGMENT else secret) in folded


def _secret_spans(text: str, folded: str, secrets: Sequence[str]) -> list[tuple[int, int]]:
    """The spans of ``text`` (``folded``: casefolded as :func:`_loose_fold` does) that
    :func:`scrub` redacts for ``secrets``, in its order: each secret whole in any case, each
    run of a long one, then each token holding a prefix (:data:`_FRAGMENT`) that neither of
    those took."""
    spans = [
        match.span()
        for secret in secrets
        if _loose_fold(secret) in folded
        for match in _cased(secret).finditer(text)
    ]
    parts = [p for s in secrets for p in s.split() if len(p) >= _RUN_MIN_SECRET]
    if parts:  # not in what the whole took: scrub replaces that first, its runs are not walked
        spans += _runs_in(_masked(text, _merged(spans)), parts)
    taken = _merged(spans)  # disjoint and in order: a hit is looked up, not compared with each
    hits = sorted(
        hit.start()
        for secret in secrets
        if len(secret) >= 2 * _FRAGMENT
        for hit in re.finditer(re.escape(secret[:_FRAGMENT]), text, re.IGNORECASE)
        if not _within(taken, hit.start())
    )
    if hits:  # each token that holds one, whole (:func:`_redact_tokens`)
        spans += [
            token.span()
            for token in _TOKEN.finditer(text)
            if bisect.bisect_left(hits, token.start()) < bisect.bisect_left(hits, token.end())
        ]
    return spans


def _masked(text: str, merged: list[tuple[int, int]]) -> str:
    """``text`` with each of ``merged`` (:func:`_merged`'s) written as NULs, its length kept."""
    pieces, done = [], 0
    for start, end in merged:
        pieces += [text[done:start], "\0" * (end - start)]
        done = end
    return "".join(pieces) + text[done:] if pieces else text


def _merged(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """``spans`` in order, those that overlap or touch as one."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _within(merged: list[tuple[int, int]], index: int) -> bool:
    """Whether ``index`` lies in one of ``merged`` (:func:`_merged`'s)."""
    at = bisect.bisect_right(merged, index, key=lambda span: span[0]) - 1
    return at >= 0 and merged[at][0] <= index < merged[at][1]


def _folded_with_origin(text: str) -> tuple[str, list[int] | None]:
    """``text`` folded as keys are (:func:`_loose_fold`), and for each of its characters the
    index of the text's character it comes from; None where folding kept every character one
    (the indices are the text's). A key's run is walked in the folded text against the key
    folded, so ``ß`` echoed as ``SS`` (both ``ss``) or ``İ`` as ``i̇`` goes on matching: walked
    one character against one, a run of a key echoed in mixed case stopped at such a letter,
    and the characters of the key before it were kept."""
    folded = _loose_fold(text)
    if len(folded) == len(text):
        return folded, None
    origin: list[int] = []
    for index, char in enumerate(text):
        origin += [index] * len(_loose_fold(char))
    return folded, origin


class _Squeezed:
    """A text without its whitespace (:func:`_squeeze`), and the way between its indices and
    the text's: a chunk is found in it, and its run is walked in the text, whose whitespace
    decides what is a wrapped line (:func:`_walk`)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.squeezed = _squeeze(text)
        self._starts: list[int] = []  # where each word starts in the text
        self._at: list[int] = []  # and in the squeezed text
        if len(self.squeezed) != len(text):  # built only where there is whitespace to map
            done = 0
            for word in _TOKEN.finditer(text):
                self._starts.append(word.start())
                self._at.append(done)
                done += word.end() - word.start()

    def unsqueezed(self, at: int) -> int:
        """The text's index of the squeezed text's character at ``at``."""
        if not self._at:
            return at
        word = bisect.bisect_right(self._at, at) - 1
        return self._starts[word] + at - self._at[word]

    def squeezed_at(self, index: int) -> int:
        """The squeezed text's index of the first character at or after the text's ``index``."""
        if not self._starts:
            return index
        word = bisect.bisect_right(self._starts, index) - 1
        if word < 0:
            return 0
        length = (self._at[word + 1] if word + 1 < len(self._at) else len(self.squeezed)) - (
            self._at[word]
        )
        return self._at[word] + min(index - self._starts[word], length)


def _run_spans(view: _Squeezed, key: str) -> list[tuple[int, int]]:
    """The spans of ``view``'s text that are runs of ``key`` (:func:`_run_at`), from each hit
    of each of its aligned chunks in the text squeezed; the search for a chunk goes on past the
    run it found."""
    spans = []
    for offset in range(0, len(key) - _CHUNK + 1, _STRIDE):
        chunk = key[offset : offset + _CHUNK]
        at = view.squeezed.find(chunk)
        while at >= 0:
            span = _run_at(view.text, key, view.unsqueezed(at), offset)
            at = view.squeezed.find(chunk, view.squeezed_at(span[1]) if span else at + 1)
            if span:
                spans.append(span)
    return spans


def _run_at(folded: str, key: str, at: int, offset: int) -> tuple[int, int] | None:
    """The span of ``folded`` around ``key[offset]``, found at ``at``, that goes on matching
    ``key`` both ways (across a wrapped line's whitespace), if it matches :data:`_RUN`
    characters of it or more. None too where the hit's own piece (the characters around ``at``
    between whitespace) is a chance one (:data:`_PIECE`): the hit was found in the text without
    its whitespace, so it may start in the word before a key (``was k-proj...``'s ``s``); the
    run is then found from a later chunk, without that word."""
    end, after, right, right_edge = _walk(folded, key, at, offset, 1)
    before_start, before, left, left_edge = _walk(folded, key, at - 1, offset - 1, -1)
    if left + right < _PIECE and not (left_edge and right_edge):
        return None
    return (before_start + 1, end) if after + before >= _RUN else None


def _walk(folded: str, key: str, i: int, k: int, step: int) -> tuple[int, int, int, bool]:
    """How far ``folded`` from index ``i`` goes on matching ``key`` from index ``k``, both by
    ``step`` (1 rightwards, -1 leftwards): the index just past the last character matched, how
    many were matched, how many of them before any whitespace, and whether those reached it (or
    the text's edge). It goes on across whitespace of up to :data:`_GAP` characters (a
    wrapped line) to a piece that matches :data:`_PIECE` characters or more, or all of its own
    characters: not ``was k-proj...``'s ``s``, which only the key's next character matches."""
    size = len(folded)
    matched, gap = 0, False
    first, first_whole = 0, not 0 <= i < size or folded[i].isspace()
    while 0 <= k < len(key):
        j = i
        while gap and 0 <= j < size and abs(j - i) < _GAP and folded[j].isspace():
            j += step
        piece = 0
        while (
            0 <= k + piece * step < len(key)
            and 0 <= j < size
            and folded[j] == key[k + piece * step]
        ):
            j += step
            piece += 1
        whole = not 0 <= j < size or folded[j].isspace()  # the piece matched up to its edge
        if gap and not (piece >= _PIECE or (piece and whole)):
            break
        i, k, matched = j, k + piece * step, matched + piece
        if not gap:
            first, first_whole = piece, whole
        if not whole:
            break
        gap = True
    return i, matched, first, first_whole


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


def _redact_wrapped(text: str, form: str) -> str:
    """``text`` with each of ``form`` (a key's base64) that a line break (and its indent)
    interrupts redacted, the line break with it: a dump of the request in base64 lines of 76
    (MIME's) or 64 (PEM's) holds no piece of the key's base64 longer than a line."""
    view = _Squeezed(text)
    spans = []
    at = view.squeezed.find(form)
    while at >= 0:
        spans.append((view.unsqueezed(at), view.unsqueezed(at + len(form) - 1) + 1))
        at = view.squeezed.find(form, at + len(form))
    return _redact_spans(text, spans)


_HEX_RUN = 2 * _RUN
"""Hex digits of a key's bytes that are the key, as :data:`_RUN` characters of it are."""
_HEX_SEP = r"(?:[ \t]{0,8}\r?\n[ \t]{0,40}|[ \t:-]{1,3}|\\x)"
_HEX_BLOB = re.compile(
    rf"(?:\\x)?(?:[0-9a-f]{{{_HEX_RUN},}}|[0-9a-f]{{2,}}(?:{_HEX_SEP}[0-9a-f]{{2,}}){{3,}})",
    re.IGNORECASE,
)
"""A run of hex digits as a dump writes bytes: together ("736b2d..."), or in groups apart by
spaces, colons, hyphens, a line break with its indent, or ``\\x`` ("73 6b 2d", "73:6B:2D",
"\\x73\\x6b"); in either case. Four groups at least, or one long run: ordinary words of hex
letters ("a dead beef") are fewer."""


_HEX_DROPPED = str.maketrans("", "", " \t\r\n:-\\x")


def _hex_squeeze(folded: str) -> str:
    """A casefolded text without what a hex dump puts between its digits (and ordinary text
    between its words): where a key's bytes dumped in any of :data:`_HEX_SEP`'s ways run on."""
    return folded.translate(_HEX_DROPPED)


@functools.lru_cache(maxsize=64)
def _hex_runs(secret: str) -> tuple[str, ...]:
    """The pieces of ``secret``'s bytes as hex that stand for it: the whole of a short one, and
    each run of :data:`_HEX_RUN` digits, at each byte, of a longer one (its front or end cut)."""
    whole = secret.encode("utf-8", "surrogatepass").hex()
    if len(whole) <= _HEX_RUN:
        return (whole,)
    return tuple(
        dict.fromkeys(whole[i : i + _HEX_RUN] for i in range(0, len(whole) - _HEX_RUN + 1, 2))
    )


@functools.lru_cache(maxsize=64)
def _hex_probes(secret: str) -> tuple[str, ...]:
    """What :func:`_hex_squeeze` of a text holds if the text holds one of :func:`_hex_runs`:
    the whole of a short key's hex, else its chunks of half a run at every half run (a run
    starting at any byte holds one). Looked for first, at C speed: the dump's pattern
    (:data:`_HEX_BLOB`) is searched for only where one is found, as ordinary prose has many
    words of hex letters to try it at."""
    whole = secret.encode("utf-8", "surrogatepass").hex()
    if len(whole) <= _HEX_RUN:
        return (whole,)
    half = _HEX_RUN // 2
    return tuple(whole[i : i + half] for i in range(0, len(whole) - half + 1, half))


def _redact_hex(text: str, secret: str) -> str:
    """``text`` with each hex dump that holds ``secret``'s bytes (whole, or a run of
    :data:`_RUN` of them) redacted, the dump whole: a debugging proxy's dump of the request it
    got ("41 75 74 68 ..." for "Auth...") spells the key that way, and anyone reading hex, or
    ``bytes.fromhex``, has it. The digits around it are the request's other bytes, no answer's
    words."""
    runs = _hex_runs(secret)

    def redact(match: re.Match[str]) -> str:
        digits = re.sub(r"[^0-9a-f]", "", match.group().casefold())  # "\\x" drops out too
        return REDACTED if any(run in digits for run in runs) else match.group()

    return _HEX_BLOB.sub(redact, text)


def scrub_answer(text: str, secrets: Iterable[str]) -> str:
    """An answer's ``text`` with each secret of at least eight characters redacted (see
    :func:`scrub`); a key is never that short, an ordinary word often is."""
    return scrub(text, [s for s in secrets if len(s.strip()) >= _ANSWER_MIN_SECRET])


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


def has_control_character(value: str) -> bool:
    """Whether a key read from the environment holds a line break or another control character
    (a tab aside): no key does, and no HTTP header carries one. The usual cause is a key file
    saved with Windows line ends, whose ``\\r`` survives ``$(cat FILE)``. Checked before a
    request is built: an HTTP client refusing the header quotes its value, key and all
    (http.client's ``Invalid header value b'Bearer sk-...\\r'``)."""
    return any((c < " " and c != "\t") or c == "\x7f" for c in value)


def has_key_prefix(word: str) -> bool:
    """Whether ``word`` starts as a known kind of key does (``sk-``, ``ghp_``, ``AKIA``...)."""
    return word.startswith(_KEY_PREFIXES)


def looks_like_key(value: str) -> bool:
    """Whether a value meant to name an environment variable looks like a credential instead:
    not a variable name, a known key prefix, or long and mixed-case with digits (variable names
    are by convention upper case: ``OPENAI_API_KEY``)."""
    if not _VARIABLE.fullmatch(value):
        return True
    return has_key_prefix(value) or _random_looking(value) or _hexadecimal_key(value)


_HEX_KEY = re.compile(r"[0-9a-f]{20,}|[0-9A-F]{20,}")
"""Twenty hexadecimal digits or more, in one case: an Azure OpenAI key (32, lower case), the
64-digit keys other services hand out. Not mixed-case, so not :func:`_random_looking`; a name
made of ``a`` to ``f`` and digits alone, this long, is none that a person writes."""


def _hexadecimal_key(value: str) -> bool:
    """Whether ``value`` is a hexadecimal key (:data:`_HEX_KEY`) with letters and digits both:
    one starting with a letter (six in sixteen) is a valid variable name, and was taken for
    one, then printed whole as a variable that is not set."""
    return (
        _HEX_KEY.fullmatch(value) is not None
        and any(c.isdigit() for c in value)
        and any(c.isalpha() for c in value)
    )


_PREFIXED_KEY_MIN = 16
"""A value with a key's prefix is taken for a key from this length: ``sk-SK`` (a language code)
or ``pk-1`` is not one."""
_WORD = re.compile(r"[A-Za-z0-9_]+")


_BASE64 = re.compile(r"[A-Za-z0-9+/_-]+={0,2}")
_LONG_KEY = 20
"""A generated key is at least this long; AWS's access key id, among the shortest, has 20."""


def shaped_like_key(value: str, *, named_for_a_key: bool = False) -> bool:
    """Whether a value that may be anything (a URL query's) is shaped like a key: a known key's
    prefix and 16 characters or more, or one word of letters, digits and underscores, long and
    mixed-case with digits, and not made of words (:func:`looks_like_key`'s tests, less "not a
    variable's name", which an ordinary value such as ``2024-02-01`` or
    ``Meta-Llama-3.1-70B-Instruct`` is not either). ``named_for_a_key``: its name is one a key
    goes by for some services and an ordinary value for others (``code``: an Azure Functions
    key, or ``en``); then twenty characters or more of base64's, not made of words, are enough
    (a key of one case, such as hex, or base64's ``-``, ``/`` and ``==``)."""
    if has_key_prefix(value) and len(value) >= _PREFIXED_KEY_MIN:
        return True
    if _WORD.fullmatch(value) is not None and _random_looking(value):
        return True
    return (
        named_for_a_key
        and len(value) >= _LONG_KEY
        and _BASE64.fullmatch(value) is not None
        and not _made_of_words(value.rstrip("="))
    )


def _random_looking(value: str) -> bool:
    """Twenty characters or more, mixing lower and upper case, with a digit, and not made of
    words (:func:`_made_of_words`): a generated key, not a name (names are by convention one
    case, ``OPENAI_API_KEY``, ``gpt_4o``, or words in camel case, ``myProject2024Analysis``)."""
    mixed = any(c.islower() for c in value) and any(c.isupper() for c in value)
    return (
        len(value) >= _LONG_KEY
        and mixed
        and any(c.isdigit() for c in value)
        and not _made_of_words(value)
    )


_NAME_PART = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]+")
"""A camel-case name's parts: a word (``Project``, ``my``), an acronym (``AWQ``), a number."""
_VOWELS = frozenset("aeiouy")
_WORD_MIN = 4
_PART_MEAN = 3
_WORDS_SHARE = 0.5


def _made_of_words(value: str) -> bool:
    """Whether ``value`` is words run together (``gpt4oMiniSummariser2024``), not drawn at
    random: its parts (:data:`_NAME_PART`) are three characters long or more on average, and
    half of it or more lies in words of four letters or more, a quarter of them vowels
    (``Summariser``, not ``Xkcd``). A generated key's case and class change every character or
    two: of 400,000 random strings of letters and digits, 0.17% of those of 20 or 24 characters
    passed for words, 0.026% of 32, 0.01% of 40 and 0.0005% of 64."""
    parts = _NAME_PART.findall(value)
    words = sum(
        len(p)
        for p in parts
        if len(p) >= _WORD_MIN
        and p[1:].islower()
        and 4 * sum(c in _VOWELS for c in p.lower()) >= len(p)
    )
    return len(value) >= _PART_MEAN * len(parts) and words >= _WORDS_SHARE * len(value)


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
