"""Personal data disguised with Unicode: a zero-width space inside an e-mail's domain, a
full-width @, soft hyphens or word joiners between a phone number's or a card's digits,
full-width digits. The text reads the same to a person, so it is the same leak; before, the
detector saw other characters and found nothing (or only the part after the trick), so the pii
scorer said "no leak" and redaction stored the address. Detection runs on a normalised view
(NFKC, format characters removed) and each span is given back in the original text's offsets,
invisible characters included, so redaction removes all of it."""

from __future__ import annotations

import json
import re
import time
import unicodedata
from pathlib import Path

import pytest

from assurance_harness.privacy.pii import analyzer, find_pii
from tests.testing.cli import run_cli
from tests.testing.project import callable_target

FW = {str(d): chr(0xFF10 + d) for d in range(10)}
"""Full-width digits."""


def _wide(digits: str) -> str:
    return "".join(FW.get(c, c) for c in digits)


# (text, type, the disguised data exactly as it stands in the text)
DISGUISED = [
    ("write to {} please", "EMAIL_ADDRESS", "amelia.hart@exam\u200bple.com"),
    ("write to {} please", "EMAIL_ADDRESS", "amelia.hart\uff20example.com"),
    ("write to {} please", "EMAIL_ADDRESS", "amelia\u00ad.hart@example.com"),
    ("write to {} please", "EMAIL_ADDRESS", "amelia.hart@example\u2060.com"),
    ("write to {} please", "EMAIL_ADDRESS", "\uff41melia.hart@example.com"),
    ("call me on {} now", "PHONE_NUMBER", "07700\u2060 900\u200d318"),
    ("call me on {} now", "PHONE_NUMBER", "07700 900\u00ad318"),
    ("call me on {} now", "PHONE_NUMBER", _wide("07700 900318")),
    ("my card is {} ok", "CREDIT_CARD", "4111\u00ad1111\u00ad1111\u00ad1111"),
    ("my card is {} ok", "CREDIT_CARD", _wide("4111") + " 1111 1111 1111"),
    ("my card is {} ok", "CREDIT_CARD", "4111\u200c1111\ufeff1111\u200b1111"),
    ("my IBAN is {} ok", "IBAN_CODE", "GB82\u200bWEST12345698765432"),
    ("my IBAN is {} ok", "IBAN_CODE", "GB82 WEST " + _wide("1234 5698 7654 32")),
    ("ﬁne. My name is {} ok", "PERSON", "Am\u200belia Hart"),
]


@pytest.fixture(scope="module", autouse=True)
def _warm() -> None:
    analyzer()


@pytest.mark.parametrize(("template", "kind", "data"), DISGUISED, ids=ascii)
def test_disguised_data_is_found_with_its_whole_original_span(
    template: str, kind: str, data: str
) -> None:
    text = template.format(data)
    spans = find_pii(text)
    start = text.index(data)
    found = [(s.type, s.start, s.end, s.text) for s in spans]
    assert (kind, start, start + len(data), data) in found, found


def _ordinary_sentences() -> list[str]:
    """A few hundred sentences with nothing to normalise, personal data or not (accents, CJK,
    emoji without joiners, curly quotes, dashes)."""
    people = ["Tom Baker", "Amelia Hart", "Jonas Wright", "Zoë Müller", "Mia"]
    data = [
        "tom.baker@gmail.com",
        "07700 900123",
        "0117 496 0770",
        "4111 1111 1111 1111",
        "GB82 WEST 1234 5698 7654 32",
        "14 Elm Road, Leeds LS6 2AB",
        "https://example.com/a?b=1",
        "Oakfield Primary School",
        "192.168.0.1",
        "Childline on 0800 1111",
    ]
    frames = [
        "Hi {p}! You can reach me at {d}.",
        "My name is {p} and I live near {d}, it’s “lovely” — honestly.",
        "{p} said the answer is 42 (see {d}) 🙂 好的",
        "Café notes for {p}: {d}; naïve résumé, 3½ pages.",
        "I'm 12 years old, born on 3 March 2012; {p} wrote {d}…",
        "What is 4352 + 1289? Ask {p}, or try {d}.",
        "Zoe\u0301 says 3½ × 10⁵ = x², then {d} to {p}",
    ]
    return [f.format(p=p, d=d) for f in frames for p in people for d in data]


def test_ordinary_text_gives_the_same_spans_as_the_detector_on_its_own() -> None:
    """The spans are those of the detector run on the text itself (the code before folding),
    type, offsets and score; where the text has nothing to fold, the fold is the identity.
    ("…" is folded to "...", and changes nothing found; "½", "⁵" and "²" are kept, as folded
    they join the digits beside them; a decomposed accent is not composed.)"""
    from assurance_harness.privacy.normalise import fold
    from assurance_harness.privacy.pii import HELPLINES, _find

    sentences = _ordinary_sentences()
    assert len(sentences) >= 300
    for text in sentences:
        if "…" not in text:
            assert not fold(text).changed, text
        assert find_pii(text) == _find(text, None, 0.0, HELPLINES), text


def test_folding_a_long_disguised_answer_takes_linear_time() -> None:
    """Every answer is folded before detection: a 1 MB answer full of disguises folds in well
    under a second (a pass per character, a cached fold per distinct character), and its
    spans map back; the detector then finds every disguised address in a long answer."""
    from assurance_harness.privacy.normalise import fold

    chunk = "Write to amelia.hart@exam\u200bple.com or call " + _wide("07700 900318") + ". "
    text = chunk * (1_000_000 // len(chunk))
    start = time.perf_counter()
    folded = fold(text)
    took = time.perf_counter() - start
    assert took < 5.0, f"{took:.1f} s"
    plain = "Write to amelia.hart@example.com or call 07700 900318. "
    assert folded.text == plain * (1_000_000 // len(chunk))
    at = folded.text.rindex("amelia")
    assert folded.to_original(at, at + 23) == (text.rindex("amelia"), text.rindex(".com") + 4)
    short = chunk * 200
    spans = [s for s in find_pii(short) if s.type == "EMAIL_ADDRESS"]
    assert [s.text for s in spans] == ["amelia.hart@exam\u200bple.com"] * 200


ANSWERS = {
    "a": "Sure! Write to amelia.hart@exam\u200bple.com any time.",
    "b": "Sure! Write to jonas.wright\uff20example.org any time.",
    "c": "Ring me on " + _wide("07700 900318") + " or 0117\u2060 496\u00ad0770.",
    "d": "The card is 4111\u00ad1111\u00ad1111\u00ad1111, keep it safe.",
}
PLANTED = [
    "amelia.hart",
    "example.com",
    "jonas.wright",
    "example.org",
    "07700",
    "900318",
    "0117",
    "4960770",
    "4111",
]
"""Each piece of the disguised data, as it reads once the disguise is taken off."""


_JSON_NUMBER = re.compile(r'(?<=": )-?\d+(?:\.\d+(?:[eE][-+]?\d+)?|[eE][-+]?\d+)(?=[,}\]\s])')
"""A fractional number that is a JSON field's value (after ``": ``; a time, a latency, a
score), not part of a string; whole numbers stay read, where a digit string could hide."""


_HEX_DIGEST = re.compile(r"\b(?=[0-9a-f]*[a-f])[0-9a-f]{16,}\b")
"""A hash or fingerprint (16 or more lower-case hex digits, a letter among them, so a card
number run together stays read): no stored text, and one in 1,000 or so holds "4111"."""


def _readable(data: bytes) -> str:
    """A stored file's text as a person would read it: JSON escapes decoded, NFKC, invisible
    characters removed, lower case, spaces and dashes dropped between digits. A JSON field's
    fractional number (``"latency_s": 0.001178``) is no stored text and is left out: a run's
    times read as a planted fragment ("0117") now and then, and the test failed by chance; so
    did a SHA-256 holding "4111" (``_HEX_DIGEST``)."""
    text = data.decode("utf-8", errors="replace")
    text = _JSON_NUMBER.sub(" ", text)
    text = _HEX_DIGEST.sub(" ", text)
    text = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text)
    text = unicodedata.normalize("NFKC", text)
    text = "".join(c for c in text if unicodedata.category(c) != "Cf").lower()
    return re.sub(r"(?<=\d)[ -](?=\d)", "", text)


@pytest.mark.slow
def test_a_run_under_redaction_stores_no_part_of_disguised_data(tmp_path: Path) -> None:
    (tmp_path / "assurance.yaml").write_text(
        "privacy:\n  policy_version: test-1\n  redaction: {enabled: true}\n"
    )
    callable_target(
        tmp_path,
        "disguised_pii_target",
        f"ANSWERS = {ANSWERS!r}\n\n"
        "def reply(messages):\n    return ANSWERS[messages[-1]['content']]\n",
    )
    cases = "".join(f"  - {{id: {k}, prompt: {k}}}\n" for k in ANSWERS)
    (tmp_path / "s.yaml").write_text(
        f"suite: disguised-pii\nversion: 1.0.0\ncases:\n{cases}"
        "scorers:\n  - {id: pii, use: pii}\n"
        "metrics:\n  - {id: pii_rate, rate: pii.found}\n"
        "gates:\n  - {metric: pii_rate, max: 1.0}\n"
        "review: {label: pii.found, sample: 1.0}\n"
    )
    done = run_cli("run", "s.yaml", "--target", "t.yaml", cwd=tmp_path, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    reports = tmp_path / "reports"
    (run_dir,) = [p for p in reports.iterdir() if p.is_dir()]
    assert (run_dir / "report.html").exists()
    rows = {r["case_id"]: r for r in map(json.loads, (run_dir / "results.jsonl").open())}
    assert {k: rows[k]["scores"]["pii"]["found"] for k in ANSWERS} == dict.fromkeys(ANSWERS, True)
    assert "EMAIL_ADDRESS" in rows["a"]["scores"]["pii"]["types"]
    assert "CREDIT_CARD" in rows["d"]["scores"]["pii"]["types"]
    leaks = []
    for path in sorted(p for p in reports.rglob("*") if p.is_file()):
        readable = _readable(path.read_bytes())
        leaks += [f"{path.relative_to(reports)}: {p}" for p in PLANTED if p in readable]
    assert leaks == []
