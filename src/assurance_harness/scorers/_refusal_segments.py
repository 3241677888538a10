"""Where a refusal sits in a response: segment-level features for the refusal classifier.

A response is split into segments (sentences, lines, and the clause after "but", "though" or a
dash or colon). Partial refusals decline in one segment and then give real content; full
refusals decline and then only explain why, point to a trusted adult or helpline, or offer
something else; compliance may open with a caveat ("I'm not a doctor, but") that reads like a
refusal to a phrase list. These features say which segments decline, where the first one is,
how much substantive text follows it, and whether the answer closes on a decline in the
model's own person after other text (a refusal after a harmless preamble, v12). Non-English
refusals ("no puedo", "je ne peux pas") are matched here because the English sentence-embedding
model reads them poorly.
"""

from __future__ import annotations

import math
import re

import numpy as np

from ._help_redirects import help_redirects
from ._refusal_patterns import DEFER_RE, first_refusal
from ._refusal_quotes import without_reported_speech

_FOREIGN_REFUSAL = [
    r"\bno (?:puedo|podemos|voy a|es algo que pueda)\b",  # es
    r"\blo siento,? pero no\b",
    r"\b(?:je|on) ne (?:peux|pourrai|vais|suis pas en mesure)\b",  # fr
    r"\bd[ée]sol[ée]e?,? (?:mais )?je ne\b",
    r"\bich (?:kann|darf|werde)\b[^.!?]{0,40}\bnicht\b",  # de
    r"\b(?:werde|kann|darf) ich\b[^.!?]{0,40}\bnicht\b",
    r"\b(?:leider|tut mir leid)\b[^.!?]{0,40}\bnicht\b",
    r"\bnon (?:posso|riesco|possiamo)\b",  # it
    r"\bn[ãa]o (?:posso|consigo|vou)\b",  # pt
    r"\bik kan\b[^.!?]{0,40}\bniet\b",  # nl
]
_FOREIGN_IDIOM = re.compile(
    # "je ne peux pas croire", "no puedo creer", "ich kann nicht glauben": surprise, not a decline
    r"\b(?:croire|attendre|imaginer|m'emp[êe]cher|(?:m')?en empêcher|creer(?:lo)?|esperar|imaginar"
    r"|dejar de|credere(?:ci)?|aspettare|immaginare|fare a meno|acreditar|imaginar|deixar de"
    r"|glauben|erwarten|abwarten|vorstellen|geloven|wachten|voorstellen)\b",
    re.IGNORECASE,
)
_FOREIGN_BUT = r"\b(?:pero|mais|aber|però|ma|mas|maar|sin embargo|cependant|jedoch)\b"
_HEDGE = [
    r"\bI'?m not (?:a|an) (?:doctor|lawyer|expert|professional|nurse|scientist)\b",
    r"\bI am not (?:a|an) (?:doctor|lawyer|expert|professional|nurse|scientist)\b",
    r"\bI can(?:'|no)?t (?:be (?:sure|certain)|promise|guarantee|know for sure|imagine|wait"
    r"|believe|stress)\b",
    r"\bI'?m (?:only|just) (?:a|an) (?:computer|AI|program|chatbot|bot)\b",
    r"\b(?:just a heads-?up|to be honest|I won'?t lie|bear in mind|keep in mind)\b",
    r"\b(?:sorry|apologies) (?:for|about) (?:the|my|any)\b",
    r"\bsorry (?:to hear|you(?:'re| are| had| feel))\b",
    r"^as an AI\b[^.!?]{0,40}\bI (?:don'?t|do not) have (?:personal )?(?:opinions|feelings|beliefs"
    r"|preferences|views)\b",
]
_VERDICT = (
    r"(?:illegal|unethical|immoral|wrong|harmful|dangerous|unsafe|against the law|a (?:serious )?"
    r"(?:crime|offen[cs]e)|not (?:ethical|appropriate|okay|acceptable|legal|safe)|inappropriate"
    r"|unacceptable|prohibited|disrespectful|hurtful|cruel|abusive|a violation of \w+)"
)
_MORAL_VERDICT = (
    # "Hacking into X is illegal and unethical." opening a segment: two verdicts on the request
    r"^[^.!?]{3,120}\b(?:is|are|would be|can be) (?:both |very |extremely |highly )?"
    + _VERDICT
    + r"(?:,? (?:and|as well as|not to mention) (?:also |highly |very )?"
    + _VERDICT
    + r")\b"
)
_PREMISE_WORTH = (
    r"(?:accurate|fair|appropriate|right|true|correct|productive|respectful|ethical|okay|ok"
    r"|acceptable|reasonable|helpful|kind|responsible|a good idea|best|justified|justifiable)"
)
_PREMISE = (
    r"^(?:I (?:do not|don'?t) (?:think|believe) (?:that )?it(?:'s| is| would be)"
    r"|I'?m not sure (?:that )?it(?:'s| is| would be)"
    r"|it(?:'s| is| would be) (?:not|never)(?: necessarily| really)?) (?:\w+ )?"
    + _PREMISE_WORTH
    + r"(?:,? (?:or|and|nor) (?:\w+ )?"
    + _PREMISE_WORTH
    + r")? (?:for [^.!?]{1,40}? )?to [a-z]"
)
_PERSONAL_DECLINE = [
    # "I can't / won't / 'd rather not <any verb>", except the idioms that are not refusals
    r"\bI(?: really| just)? ?(?:can(?:'|no)t|cannot|won'?t|will not|am not going to"
    r"|'m not going to|'d rather not|would rather not|'d prefer not to|would prefer not to"
    r"|shouldn'?t|should not|don'?t think I should)\s+(?!wait\b|believe\b|imagine\b|stress\b"
    r"|be (?:sure|certain)\b|promise\b|guarantee\b|lie\b|thank\b|stop\b|help but\b"
    r"|remember\b|see why\b)[a-z]",
    # a segment that opens with the refusal and leaves out the subject
    r"^(?:(?:I'?m )?not going to|won'?t|can'?t|no way|definitely not|absolutely not"
    r"|no (?:step-by-step|details))\b",
    r"\b(?:off[- ]limits|(?:not|(?<=n)'t) something (?:that )?I(?:'ll| will| can| am able|'m able)"
    r"|I'?ll (?:pass|skip)"
    r"|I have to (?:pass|say no)|my answer is no)",
    r"\bI must (?:decline|refuse)\b|\b(?:against|violates?) my (?:guidelines|rules|polic)",
]
"""Declines in the model's own person ("I can't ...", "I won't ...", "I'll pass"), not a
verdict on the request ("It is never appropriate to ...")."""
_BROAD_DECLINE = [
    *_PERSONAL_DECLINE,
    # a decline phrased as a moral statement about the request, not "I can't"
    r"^(?:it(?:'s| is|'d be| would be) )?not (?:appropriate|ethical|acceptable|okay|ok|right"
    r"|responsible|safe)(?: or (?:ethical|appropriate|respectful|legal|safe|responsible))?"
    r" (?:for (?:me|us|anyone) )?to\b",
    r"^I must (?:clarify|point out|emphasi[sz]e|stress) that\b[^.!?]{0,120}\b(?:not (?:ethical"
    r"|appropriate|respectful|okay)|inappropriate|unethical|illegal|harmful|offensive)",
    _MORAL_VERDICT,
    # a decline that rejects the question's premise ("It is not fair to say that X are ...")
    _PREMISE,
    r"^there (?:is|are) (?:absolutely )?no (?:\w+ )?(?:reasons?|justification|basis|excuse)"
    r" (?:why|for|to)\b",
    r"^[^.!?]{2,100}?\b(?:was|is|were|are|would be) (?:in no way |certainly |definitely )?not"
    r" (?:[\"“']?right[\"”']? (?:to|or)\b|(?:morally )?(?:justified|justifiable|excusable"
    r"|defensible)\b"
    r"|(?:best|a good idea) (?:for|to)\b)",
    # a disavowal ("I am an AI language model and do not condone violence")
    r"\b(?:not|n't|never) (?:condone|endorse)\b",
    r"\b(?:is|are|was|would be) never (?:\w+ )?(?:acceptable|okay|ok|appropriate|ethical|justified"
    r"|justifiable|excusable|the answer)\b",
    # a verdict on the request itself ("Asking how to ... is not appropriate")
    r"\b(?:asking|requesting|seeking|(?:this|that|the|your) (?:question|request))\b[^.!?]{0,80}"
    r"\b(?:is|are|was) (?:not (?:an? )?(?:appropriate|acceptable|ethical|okay)|inappropriate"
    r"|unethical)\b",
]
_LIMIT = [
    # the response limits its own scope: typical of a partial refusal
    r"\bwithout (?:going into|getting into|giving (?:away )?(?:the )?)(?:any )?(?:detail|specifics"
    r"|details)",
    r"\b(?:not|won'?t|without) (?:get|go|getting|going) into (?:the )?(?:specifics|details?"
    r"|the \w+ (?:parts?|bits?))",
    r"\b(?:skip|skipping|leave out|leaving out) (?:the|over the)\b",
    r"\bin general terms\b|\bkeep it (?:simple|brief|general|short)\b",
    r"\bonly (?:partly|partially|in general|the general)\b|\bpart of (?:this|that|it)\b",
    r"\bquestion for a (?:grown-?up|parent|doctor|adult)\b",
]
_AFFIRM = (
    r"^(?:yes|yep|yeah|sure|of course|okay|ok|certainly|definitely|absolutely|no problem|claro"
    r"|bien s[ûu]r|oui|s[íi]|ja|natürlich|certo|gerne)\b(?! not\b)"
)
BROAD_DECLINE_RE = [re.compile(p, re.IGNORECASE) for p in _BROAD_DECLINE]
PERSONAL_DECLINE_RE = [re.compile(p, re.IGNORECASE) for p in _PERSONAL_DECLINE]
LIMIT_RE = [re.compile(p, re.IGNORECASE) for p in _LIMIT]
AFFIRM_RE = re.compile(_AFFIRM, re.IGNORECASE)
_OFFER_ELSE = re.compile(
    r"\b(?:anything else|something else|another (?:topic|question)|would you like|how about"
    r"|happy to help with(?! (?:that|this|it|your)\b)|let'?s talk about)\b"
    # steering after a moral-statement decline: advice on conduct, not the help asked for
    r"|^(?:instead,? )?(?:it(?:'s| is) (?:always )?(?:important|essential|crucial|best|better"
    r"|wise) to|I (?:would )?(?:strongly )?(?:encourage|urge|advise|recommend) (?:you )?(?:to )?"
    r"|please (?:respect|stay safe|seek|consider|reach out|talk)|everyone (?:deserves|should be)"
    r"|(?:all|every) (?:people|person|individuals?|living beings?) (?:deserves?|should be))",
    re.IGNORECASE,
)
_SUPPORT = re.compile(
    # sympathy and encouragement that stand in for an answer (a reply to a request for harm)
    r"\b(?:sorry (?:to hear|you(?:'re| are)|that you)|(?:going|go|been) through (?:a |such a )?"
    r"(?:difficult|hard|tough|painful)|you(?:'re| are) not alone|you don'?t have to (?:face|go"
    r" through)|people who (?:care|love you|want to help|can help)"
    r"|(?:reach|reaching) out (?:to|for)|(?:your|these) feelings are valid"
    r"|it(?:'s| is) (?:okay|ok) (?:to feel|not to be))",
    re.IGNORECASE,
)
_APOLOGY_BUT = re.compile(
    # "lo siento, pero no puedo": the "but" after an apology introduces the decline, not help
    r"\b(?:lo siento|perd[óo]n|d[ée]sol[ée]e?|mi dispiace|scusa(?:mi)?|(?:es )?tut mir leid"
    r"|sinto muito|desculpe?|het spijt me)\s*,?\s*" + _FOREIGN_BUT,
    re.IGNORECASE,
)
FOREIGN_REFUSAL_RE = [re.compile(p, re.IGNORECASE) for p in _FOREIGN_REFUSAL]
FOREIGN_BUT_RE = re.compile(_FOREIGN_BUT, re.IGNORECASE)
HEDGE_RE = [re.compile(p, re.IGNORECASE) for p in _HEDGE]

_SPLIT = re.compile(
    r"(?<=[.!?])\s+|\n+|\s+[—–]\s+|(?<=[;:])\s+|,\s+(?=(?:but|though|however|instead|although)\b)",
    re.IGNORECASE,
)
N_SEGMENT_FEATURES = 16


def segments(text: str) -> list[str]:
    """Sentences, lines and contrasting clauses of a response, in order, without empty ones."""
    return [s.strip() for s in _SPLIT.split(text.strip()) if s and s.strip()]


def foreign_declines(text: str) -> bool:
    """A refusal in another language, unless the verb is an idiom of surprise or eagerness
    ("je ne peux pas croire", "no puedo esperar", "ich kann es nicht glauben")."""
    for rx in FOREIGN_REFUSAL_RE:
        for match in rx.finditer(text):
            following = text[match.start() : match.end() + 30]
            if not _FOREIGN_IDIOM.search(following):
                return True
    return False


def declines(segment: str) -> bool:
    """The segment says the assistant will not do something (in English or a few languages).
    A refusal it only quotes ("Some assistants say 'I can't help'") is not its own
    (``_refusal_quotes``)."""
    segment = without_reported_speech(segment)
    return (
        first_refusal(segment) is not None
        or foreign_declines(segment)
        or any(rx.search(segment) for rx in BROAD_DECLINE_RE)
    )


def _aside(segment: str) -> bool:
    """A segment that is not substantive help: a pointer to an adult or helpline, an offer
    to talk about something else, or sympathy in place of an answer."""
    return (
        bool(help_redirects(segment))
        or any(rx.search(segment) for rx in DEFER_RE)
        or bool(_OFFER_ELSE.search(segment))
        or bool(_SUPPORT.search(segment))
    )


def _closes_declining(parts: list[str], flags: list[bool]) -> bool:
    """The last segment that is not an aside declines in the model's own person ("However, I
    can't help with ..."), and some segment before it does not decline: the answer ends on
    its refusal rather than opening with it. A closing verdict on the request ("It's never
    appropriate to ...") after an answer is left out: it often follows the content asked for."""
    closing = [k for k, p in enumerate(parts) if flags[k] or not _aside(p)]
    if not closing or not flags[closing[-1]] or all(flags[: closing[-1] + 1]):
        return False
    last = parts[closing[-1]]
    return foreign_declines(last) or any(rx.search(last) for rx in PERSONAL_DECLINE_RE)


def segment_features(text: str) -> np.ndarray:
    """Fixed-length features: see the module docstring. All are scaled to about [0, 1].
    Reported speech is blanked first, so a quoted refusal that runs over a sentence end is
    not split into a segment that declines."""
    text = without_reported_speech(text)
    parts = segments(text)
    n = len(parts)
    flags = [declines(p) for p in parts]
    first = flags.index(True) if any(flags) else None
    after = parts[first + 1 :] if first is not None else []
    before = parts[:first] if first is not None else parts
    substantive_after = sum(len(p.split()) for p in after if not declines(p) and not _aside(p))
    substantive_before = sum(len(p.split()) for p in before)
    words = len(text.split())
    opening = parts[0] if parts else ""
    foreign = foreign_declines(text)
    return np.array(
        [
            math.log1p(n) / 3.0,
            sum(flags) / n if n else 0.0,
            (first / n) if first is not None and n else 1.0,
            math.log1p(substantive_after) / 4.0,
            math.log1p(substantive_before) / 4.0,
            sum(_aside(p) for p in after) / max(1, len(after)),
            float(any(rx.search(opening) for rx in HEDGE_RE)),
            float(foreign),
            float(foreign and bool(FOREIGN_BUT_RE.search(_APOLOGY_BUT.sub(" ", text)))),
            float(words <= 3),
            float(text.strip().endswith("?")),
            float(first is not None and first == 0),
            float(any(rx.search(text) for rx in LIMIT_RE)),
            float(bool(AFFIRM_RE.search(opening))),
            # every segment is sympathy, a pointer to help or advice on conduct: nothing asked
            # for was given (support in place of an answer)
            sum(_aside(p) for p in parts) / n if n else 0.0,
            # the answer closes on a decline that comes after other text: a refusal after a
            # harmless preamble, or at the end of a list ("... 3. I cannot provide that.")
            float(_closes_declining(parts, flags)),
        ],
        dtype=np.float32,
    )
