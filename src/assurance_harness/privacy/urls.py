"""Web addresses in a text, in time linear in its length: Presidio's URL recognizer, rewritten.

Presidio's pattern is ``[a-z0-9.-]{1,253}[.](?:com|edu|...)``: at every position of a run of
dots and letters it backtracks through up to 253 characters, trying some 400 top-level domains
at each dot, so 20,000 dots in a model's answer took two minutes; and a pattern that runs past
Presidio's regex timeout (60 s) is skipped with a log line, so the answer read as holding no
web address at all. It also took a domain from the front of a word ("ok.fine" as ``ok.fi``)
and the quotes around a quoted address into the span.

Here each run of host characters is read once: its host ends after the last dot-separated label
that is a whole top-level domain from Presidio's own list, and a path (``/...``) may follow. The
scores are Presidio's: 0.6 with a scheme, 0.5 without (its context words can raise them).
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from . import presidio

_RUN = re.compile(r"(https?://)?([a-z0-9.\-]+)", re.IGNORECASE)
_LABEL = re.compile(r"\.([a-z0-9]+)(?![a-z0-9])", re.IGNORECASE)
_PATH = re.compile(r"/[^\s()<>\"']*")
SCORE_WITH_SCHEME = 0.6
SCORE_WITHOUT = 0.5


@cache
def top_level_domains() -> frozenset[str]:
    """The top-level domains Presidio's URL pattern lists (kept in step with its version)."""
    presidio.load()
    from presidio_analyzer.predefined_recognizers import UrlRecognizer

    return frozenset(re.findall(r"\(\?:([a-z]+)\)", UrlRecognizer.BASE_URL_REGEX))


def find_urls(text: str) -> list[tuple[int, int, float]]:
    """``(start, end, score)`` of each web address in ``text``, in order, non-overlapping."""
    domains = top_level_domains()
    found: list[tuple[int, int, float]] = []
    pos = 0
    while (run := _RUN.search(text, pos)) is not None:
        host_start, run_end = run.start(2), run.end(2)
        pos = run_end
        host_end = tld_dot = None
        for label in _LABEL.finditer(text, host_start, run_end):
            if label.start() > host_start and label.group(1).lower() in domains:
                host_end, tld_dot = label.end(), label.start()
        if host_end is None or tld_dot is None:
            continue
        start = host_start
        while start < tld_dot and text[start] in ".-":  # the sentence's, not the address's
            start += 1
        if start == tld_dot:  # a domain alone ('...com'): no host named
            continue
        if run.group(1):
            start = run.start()
        end = host_end
        if host_end == run_end and (path := _PATH.match(text, host_end)) is not None:
            end = pos = path.end()
        found.append((start, end, SCORE_WITH_SCHEME if run.group(1) else SCORE_WITHOUT))
    return found


def url_recognizer() -> Any:
    """A Presidio recognizer for ``URL`` built on :func:`find_urls` (its context words kept)."""
    presidio.load()
    from presidio_analyzer.predefined_recognizers import UrlRecognizer

    return presidio.linear_recognizer(UrlRecognizer, "URL", find_urls)
