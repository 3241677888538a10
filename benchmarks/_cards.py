"""Write the built-in scorers' validity cards from a validation run's figures.

The cards (``src/assurance_harness/scorers/cards/<scorer>.json``) are what reports and the
register annex show beside every gate resting on a scorer, so they are written by the same run
that writes VALIDATION.md, from the same figures, never by hand. Weak spots are the known
failure modes named in VALIDATION.md.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from _validation import ROOT, Section

from assurance_harness.scorers.validity import Figure, ValidityCard, write_card

CARDS = ROOT / "src" / "assurance_harness" / "scorers" / "cards"

WEAK_SPOTS: dict[str, list[str]] = {
    "refusal": [
        "English-centred: refusals in other languages are matched by phrase patterns only "
        "(Spanish, French, German, Italian, Portuguese, Dutch); an answer written mostly in "
        "another script (Japanese, Chinese, Korean, Cyrillic, Arabic ...) is left unread "
        "(parse_error, unread_reason language_unsupported), as is one in a Latin-script "
        "language told by its common words (Polish, Turkish, Czech, Swedish, Indonesian, "
        "Catalan, Latvian, Estonian ...) or, on none of its word lists, by letters English "
        "does not use ('an unrecognised language'); a Latin-script language on none of its "
        "word lists written without such letters (Welsh), or an answer too short to show two "
        "of its common words, is read as if it were English",
        "a refusal that goes on to give the content is is_refusal; complied_after_refusal "
        "catches it only after an explicit turn ('However, here is how', 'Sin embargo, aquí "
        "están los pasos'), in English and the six languages whose refusals it reads",
        "long refusals that explain at length or point to a counsellor can read as partial",
        "an answer that gives real content and closes with a decline of something narrower "
        "('... I can't give medical advice, so check with a pharmacist') can read as a refusal, "
        "where XSTest's human labels call it compliance; a refusal after a harmless preamble is "
        "read as one (version 12)",
        "replies that reject a question's premise ('It is not accurate to say ...') are read as "
        "declines, which the human labels of XSTest count as compliance when the group in the "
        "question is a nonsense one (carrots, teapots)",
        "'I don't have access to X' is labelled compliance or partial by the humans depending "
        "on the question; the scorer cannot tell them apart",
        "partial refusals are few in the public set; the 3-way label is less reliable than "
        "declined-vs-complied",
    ],
    "age-appropriateness": [
        "hate without swear words and implicit stereotypes are often missed (ToxiGen, HateCheck "
        "figures below the aim)",
        "violence inside hateful comments is weakly separated (ETHOS)",
        "flags ordinary answers on alarming-looking topics (definitions of crimes, history, "
        "films and games with weapons, safe uses of 'kill' or 'hit') for ages 8-12 more often "
        "than the 0.10 aim",
        "categories other than hate and violence are validated only on hand-written held-out "
        "sets, not public data",
        "trained on a few hundred hand-written exemplars; English only: an answer, or a "
        "passage of up to 60 words, in another language is left unread (parse_error, "
        "unread_reason language_unsupported) where its common words show it, and a few "
        "foreign words inside an English sentence are read as English",
        "instructions that enable harm are recognised by rule only for explosive or "
        "incendiary devices whose steps name a listed precursor and device part",
        "instructions to poison a person or an animal, mixing bleach with ammonia, and "
        "self-harm burns whose marks can be hidden are often missed; a list of self-harm "
        "means that names only objects (a rope, pills, a window) is not recognised without "
        "the question it answers",
    ],
    "offensive-language": [
        "a word model: hate without swear words is caught only by a short list of patterns "
        "(implicit_hate)",
        "flags profanity that is not hate, reclaimed slurs and counter-speech quoting abuse "
        "(HateCheck)",
        "trained partly on the Davidson tweets, so figures on that set flatter it",
        "English only",
    ],
}


def _fig(
    value: float | None, ci: Any, n: int | None, on: str, method: str | None = None
) -> Figure | None:
    if value is None:
        return None
    low, high = (ci or [None, None])[:2]
    return Figure(value=round(value, 4), low=_r(low), high=_r(high), n=n, on=on, method=method)


def _auc(value: float | None, ci: Any, n: int | None, on: str) -> Figure | None:
    """An AUC figure, naming its interval's method (``stats.auc``, as ``validate_scorers``
    computes it) so a card says how its lower bound was drawn."""
    from assurance_harness.stats.auc import METHOD

    return _fig(value, ci, n, on, METHOD)


def _r(x: float | None) -> float | None:
    return None if x is None else round(float(x), 4)


def _find(results: list[Section], prefix: str) -> dict[str, Any]:
    return next((r.figures for r in results if r.title.startswith(prefix)), {})


def build_cards(results: list[Section]) -> list[ValidityCard]:
    """Cards for refusal, age-appropriateness and offensive-language from the sections run."""
    import assurance_harness.builtin_plugins  # noqa: F401
    from assurance_harness.scorers.base import scorers

    stamp = datetime.now(UTC).strftime("%Y-%m-%d")
    how = f"{stamp} by benchmarks/validate_scorers.py (evaluation part of the public sets)"
    xs = _find(results, "Refusal and the 8-12 flag")
    ethos = _find(results, "Violence and hate")
    toxigen = _find(results, "Implicit hate")
    hatecheck = _find(results, "Hate functional")
    v2 = _find(results, "Refusal: held-out v2")
    cards: list[ValidityCard] = []

    def card(name: str, on: list[str], figures: dict[str, Figure | None]) -> None:
        kept = {k: v for k, v in figures.items() if v is not None}
        if not kept:
            return
        cards.append(
            ValidityCard(
                scorer=name,
                version=scorers.get(name).version,
                validated=how,
                validated_on=on,
                figures=kept,
                weak_spots=WEAK_SPOTS[name],
                source="VALIDATION.md",
            )
        )

    acc = xs.get("declined_accuracy") or {}
    auc = xs.get("auc") or {}
    moral = xs.get("moral") or {}
    card(
        "refusal",
        [
            "XSTest v2 completions of five chat models with human labels (public)",
            "hand-written held-out v2 set (99 responses, five languages)",
        ],
        {
            "accuracy": _fig(
                acc.get("value"),
                acc.get("ci"),
                acc.get("n"),
                "XSTest v2 completions, declined vs complied",
            ),
            "auc": _auc(auc.get("auc"), auc.get("ci"), acc.get("n"), "XSTest v2 completions"),
            "moral_statement_recall": _fig(
                moral.get("value"),
                moral.get("ci"),
                moral.get("n"),
                "XSTest v2 completions, declines phrased as moral statements",
            ),
            "heldout_v2_accuracy": _fig(
                v2.get("binary_accuracy"),
                v2.get("binary_ci"),
                v2.get("n"),
                "held-out v2, declined vs complied",
            ),
        },
    )
    fpr = xs.get("flag_12_fpr") or {}
    hate_tg = toxigen.get("age-appropriateness P(hate)") or {}
    hate_hc = hatecheck.get("age-appropriateness P(hate)") or {}
    violence = ethos.get("violence") or {}
    card(
        "age-appropriateness",
        [
            "ETHOS comments (violence, hate), ToxiGen statements, HateCheck (public)",
            "compliant answers of five chat models to XSTest safe prompts (public)",
            "hand-written held-out set (102 responses, 11 categories)",
        ],
        {
            "auc": _auc(
                violence.get("auc"), violence.get("ci"), violence.get("n"), "ETHOS, P(violence)"
            ),
            "hate_auc": _auc(
                hate_tg.get("auc"), hate_tg.get("ci"), hate_tg.get("n"), "ToxiGen, P(hate)"
            ),
            "hatecheck_auc": _auc(
                hate_hc.get("auc"), hate_hc.get("ci"), hate_hc.get("n"), "HateCheck, P(hate)"
            ),
            "flag_12_false_positive_rate": _fig(
                fpr.get("value"),
                fpr.get("ci"),
                fpr.get("n"),
                "compliant answers to XSTest safe prompts",
            ),
        },
    )
    tox_tg = toxigen.get("offensive-language `toxicity`") or {}
    tox_hc = hatecheck.get("offensive-language") or {}
    tox_et = ethos.get("hate_offensive") or {}
    card(
        "offensive-language",
        ["ETHOS comments, ToxiGen statements, HateCheck (public)"],
        {
            "auc": _auc(tox_et.get("auc"), tox_et.get("ci"), tox_et.get("n"), "ETHOS binary, hate"),
            "implicit_hate_auc": _auc(
                tox_tg.get("auc"), tox_tg.get("ci"), tox_tg.get("n"), "ToxiGen statements"
            ),
            "hatecheck_auc": _auc(
                tox_hc.get("auc"), tox_hc.get("ci"), tox_hc.get("n"), "HateCheck"
            ),
        },
    )
    return cards


def write_cards(results: list[Section], directory: Path = CARDS) -> list[Path]:
    written = []
    for c in build_cards(results):
        path = directory / f"{c.scorer}.json"
        write_card(c, path)
        written.append(path)
    return written
