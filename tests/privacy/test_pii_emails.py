"""The linear-time e-mail recognizer (``privacy.emails``) finds what Presidio's e-mail pattern
finds, with its suffix check, at the same score: it replaces Presidio's in the engine (whose
pattern takes super-linear time on runs of dots before an "@"), so it must miss nothing that one
found and find nothing it did not."""

from __future__ import annotations

import random
import time
from typing import Any

import pytest

from assurance_harness.privacy import presidio
from assurance_harness.privacy.emails import email_recognizer, find_emails, suffix_of
from assurance_harness.privacy.pii import analyzer, find_pii

ORDINARY = [
    "write to tom.baker@gmail.com today",
    "a+b@x.co.uk, c_d@y.org.",
    "mail: 'tom@x.org' or (amy@school.sch.uk)",
    "me@localhost and x@y.notasuffix are no addresses",
    "Tom.@ex.com .tom@ex.com tom..b@ex.com",
    "ü.ß@bücher.de",
    "a@b-c.com- and a@b--c.io",
    "a@b.c.d@e.com then t@a.com+x@b.com",
    "x@co.uk",
    "tom@xn--80ak6aa92e.com",
    "#!@x.com and {tom}@x.com",
    "tom@@x.org tom@x@y.org",
    "my email is TOM.BAKER@GMAIL.COM",
    "1@2.3 __@__.com",
    "lines\ntom@x.org\nend",
]


@pytest.fixture(scope="module")
def presidios() -> Any:
    """Presidio's own e-mail recognizer, its suffix check offline as ours is."""
    presidio.load()
    from presidio_analyzer.predefined_recognizers import EmailRecognizer

    class OfflineEmailRecognizer(EmailRecognizer):  # type: ignore[misc]
        def validate_result(self, pattern_text: str) -> bool:
            return bool(suffix_of(pattern_text))

    return OfflineEmailRecognizer()


def _spans(recognizer: Any, text: str) -> list[tuple[int, int, float]]:
    found = recognizer.analyze(text, ["EMAIL_ADDRESS"])
    return sorted((r.start, r.end, r.score) for r in found)


@pytest.mark.parametrize("text", ORDINARY)
def test_the_same_addresses_as_presidios_pattern(presidios: Any, text: str) -> None:
    assert _spans(email_recognizer(), text) == _spans(presidios, text)


def test_the_same_addresses_as_presidios_pattern_on_random_texts(presidios: Any) -> None:
    """Short texts of address pieces, dots, "@"s, symbols a name may hold and word characters
    of other scripts, where a boundary or a suffix decides."""
    pieces = [*"ab1.@-+ _!#/={~`'\n", "é", "ß", "\u0301", "\u200d", "\u212a", "\u0660"]
    pieces += ["com", "co.uk", ".org", "tom", "..", "@x.com", "\u2013"]
    rng = random.Random(7)
    ours = email_recognizer()
    for _ in range(3_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 14)))
        assert _spans(ours, text) == _spans(presidios, text), repr(text)


def test_the_engine_runs_the_linear_recognizer_alone() -> None:
    """Presidio's pattern is out of the registry: one e-mail recognizer, ours."""
    from presidio_analyzer.predefined_recognizers import EmailRecognizer

    found = analyzer().registry.get_recognizers(language="en", entities=["EMAIL_ADDRESS"])
    presidios = [r for r in found if isinstance(r, EmailRecognizer)]
    assert [type(r).__name__ for r in presidios] == ["LinearEmailRecognizer"]
    assert find_emails("x." * 10_000 + "x@example.com") == [(0, 20_013)]


def test_find_pii_reports_an_address_at_presidios_score() -> None:
    spans = find_pii("my email is tom.baker@gmail.com")
    assert [(s.type, s.text, s.score) for s in spans] == [
        ("EMAIL_ADDRESS", "tom.baker@gmail.com", 1.0)
    ]


def test_redaction_reads_a_dotted_run_before_an_at_in_linear_time() -> None:
    """Redaction finds personal data with the same engine: a stored answer with a long dotted run
    before an "@" took as long to redact as to score (about 10 s here), and past Presidio's
    regex timeout the address after it was kept as written."""
    from assurance_harness.privacy.policy import RedactionPolicy
    from assurance_harness.privacy.redact import redact_text

    analyzer()  # built once per process (about a second), not timed
    text = "x." * 5_000 + "@ then write to tom@example.com"
    start = time.perf_counter()
    redacted = redact_text(text, RedactionPolicy(enabled=True))
    took = time.perf_counter() - start
    assert took < 1.0, f"{took:.1f} s"
    assert redacted.endswith("write to <EMAIL_ADDRESS>"), redacted[-40:]
