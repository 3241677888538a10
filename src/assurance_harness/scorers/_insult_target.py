"""Insult words aimed at no person or group, taken out before the word model reads a sentence.

The offensive-language word model (alt-profanity-check) is a linear model over single words:
no word pairs, and "you", "he" or "they" are not among its features at all. "stupid" and
"idiot" carry two of its largest weights, so "I made a stupid mistake." scored 0.99, as high as
"You are stupid.": the model cannot see who or what the word is aimed at. This module reads
that one thing for a short list of insult words (not swear words or slurs, which the model
keeps reading as it always did) and drops an insult word from a sentence where it is aimed at
the speaker or at a thing:

- the speaker: "I was an idiot to ...", "I felt so dumb", "I am such an idiot";
- a thing: an insult adjective ("stupid", not the noun "idiot", which names a person) sits
  between a singular determiner ("a", "the", "this", "my" ...) and a singular noun that is not
  a person: "a stupid mistake", "this stupid printer";
- an event or an action: an insult adjective is what "it", "this", "that" or "which" is, was or
  sounds ("That was stupid.", "It's a bit dumb, but ...", "That was so stupid of me").

Only in a sentence with nothing a person or group could be named by: no second- or
third-person pronoun (contractions too: "you're", "they've"), no person or group noun or slur
from ``PEOPLE``, no capitalised word past the first (a name, a nationality), and no subject
that may be a person before "is / was a stupid ..." ("Sarah is a stupid cow"; "It was a dumb
question" is dropped). "The stupid teacher ...", "Those stupid immigrants ...",
"What a stupid idea you had" and "Immigrants are dumb" therefore stay as they were. Anything it
cannot place is left to the word model, so a change here can only lower a score the model gave
to a sentence without a target.
"""

from __future__ import annotations

import re


def _words(text: str) -> frozenset[str]:
    """A word list written as words parted by spaces (readable where a list literal would take
    a line per word)."""
    return frozenset(text.split())


INSULTS = _words(
    """
    stupid stupider stupidest idiot idiotic dumb dumber dumbest moron moronic imbecile fool
    foolish
    """
)
"""Insult words read for their target (the word model's weights 2.5-6.3; none is a swear
word, a slur or a threat)."""

ADJECTIVES = _words(
    """
    stupid stupider stupidest idiotic dumb dumber dumbest moronic foolish
    """
)
"""The insult words that describe (the rest, "idiot", "moron", "fool", name a person: "the idiot
next door" is aimed at one)."""

PEOPLE = _words(
    """
    you your yours yourself yourselves ya u ur he him his himself she her hers herself they
    them their theirs themselves person people man men woman women boy boys girl girls kid
    kids child children guy guys lady ladies folk folks teacher teachers student students
    parent parents mother mom mum father dad son daughter wife husband friend friends
    neighbour neighbor boss brother sister baby cousin uncle aunt grandma grandpa family
    doctor nurse driver player players fans team crowd immigrant immigrants refugee refugees
    foreigner foreigners gay gays black blacks white whites jew jews muslim muslims christian
    christians liberal liberals conservative conservatives feminist feminists animal animals
    pig pigs rat rats ape apes creature creatures savage savages beast beasts monkey monkeys
    dog dogs bitch whore hoe hoes cunt cunts spic spics slut sluts bastard bastards prick
    pricks twat stoner stoners chick chicks bro
    """
)
"""Words that name or point at a person or group: one of them anywhere in the sentence leaves
its insult words to the word model. ("we" and "our" are not on it: "our stupid mistake" is
the speakers' own.)"""

DETERMINERS = _words(
    """
    a an the this that my such what
    """
)
"""Singular determiners that put an insult word in front of a thing ("a stupid mistake");
"these" and "those" name groups and are left out on purpose."""

_SELF = re.compile(
    r"\b(?:i|i'm|im)(?:\s+(?:am|was|felt|feel|look|looked|must\s+be|must\s+have\s+been))?"
    r"(?:\s+(?:like|so|such|really|very|a|an|total|complete|bit|of|little|kind|sort))*\s+$",
    re.IGNORECASE,
)
"""What stands before an insult word aimed at the speaker: "I was an", "I felt so",
"I'm such a", "I feel like a total"."""
_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?")
_SENTENCE = re.compile(r"((?<=[.!?])\s+|\n+)")


def without_untargeted_insults(text: str) -> str:
    """``text`` with each insult word aimed at the speaker or at a thing taken out (in a
    sentence naming no person or group); every other character as it was."""
    if not any(w.lower() in INSULTS for w in _WORD.findall(text)):
        return text
    parts = _SENTENCE.split(text)  # sentences at even places, what parts them at odd ones
    return "".join(_sentence(p) if i % 2 == 0 else p for i, p in enumerate(parts))


def _sentence(sentence: str) -> str:
    words = list(_WORD.finditer(sentence))
    lowered = [w.group().lower() for w in words]
    # "you're", "they've", "he's": the word before the apostrophe names the target
    if not any(w in INSULTS for w in lowered) or any(w.split("'")[0] in PEOPLE for w in lowered):
        return sentence
    if any(w.group()[0].isupper() and w.group().split("'")[0] != "I" for w in words[1:]):
        return sentence  # a name or a nationality past the first word
    drop = [
        w
        for i, w in enumerate(words)
        if lowered[i] in INSULTS
        and (
            _SELF.search(sentence[: w.start()])
            or (_before_a_thing(lowered, i) and not _said_of_someone(lowered, i))
            or _said_of_a_thing(lowered, i)
        )
    ]
    for w in reversed(drop):
        sentence = sentence[: w.start()] + sentence[w.end() :]
    return sentence


def _before_a_thing(lowered: list[str], i: int) -> bool:
    """Whether insult word ``i`` is an adjective between a singular determiner and a singular
    noun that is not a person ("my stupid phone"; not "the stupid immigrants")."""
    if lowered[i] not in ADJECTIVES or i == 0 or i + 1 >= len(lowered):
        return False
    if lowered[i - 1] not in DETERMINERS:
        return False
    noun = lowered[i + 1]
    plural = noun.endswith("s") and not noun.endswith(("ss", "us", "is"))
    return not plural and noun not in INSULTS and noun not in _NOT_NOUNS


_NOT_NOUNS = _words(
    """
    and or but as to of in on at for if enough that like because
    """
)

_COPULAS = _words("is was are were be been being")
_THING_SUBJECTS = _words("it this that what there which i")


def _said_of_someone(lowered: list[str], i: int) -> bool:
    """Whether the phrase holding insult word ``i`` is said of a subject that may be a person:
    "Sarah is a stupid cow" (a name opening the sentence looks like any first word), not "It
    was a dumb question" or "I made a stupid mistake"."""
    before = lowered[: i - 1]  # the words before the determiner
    for k in range(len(before) - 1, 0, -1):
        if before[k] in _COPULAS:
            return before[k - 1] not in _THING_SUBJECTS
    return False


_LINKS = _COPULAS | _words("seems seemed sounds sounded looks looked feels felt")
_DEGREE = _words(
    """
    so really very pretty quite a bit little kind sort of totally just too rather somewhat
    kinda sorta such plain downright bloody
    """
)
_AFTER_PREDICATE = _words("of to but and or though honestly really anyway in")


def _said_of_a_thing(lowered: list[str], i: int) -> bool:
    """Whether insult adjective ``i`` is what a thing pronoun is, was or sounds: "That was
    (so) stupid (of me).", "It's dumb, but ...". The subject must be the pronoun itself, so
    "Bob is stupid" and "The driver was stupid" stay with the word model (the sentence holds no
    word from ``PEOPLE``: ``_sentence`` checked that first)."""
    if lowered[i] not in ADJECTIVES:
        return False
    k = i - 1
    while k >= 0 and lowered[k] in _DEGREE:
        k -= 1
    if k < 0:
        return False
    link = lowered[k]
    if "'" in link:  # "that's", "it's"
        if not link.endswith("'s"):
            return False
        k_subject = k
    elif link in _LINKS and k > 0:
        k_subject = k - 1
    else:
        return False
    subject = lowered[k_subject].split("'")[0]
    if subject not in ("it", "this", "that"):
        return False
    # only a pronoun opening its clause is the subject: after a noun "that" is a relative
    # pronoun ("Anyone that is stupid ..."), after a verb the pronoun is its object and the
    # subject is a person ("Whoever wrote this is stupid.")
    if k_subject > 0 and lowered[k_subject - 1] not in _OPENERS:
        return False
    return i + 1 >= len(lowered) or lowered[i + 1] in _AFTER_PREDICATE


_OPENERS = _words(
    """
    and but so honestly well yeah yes ok okay oh think thought guess know agree admit because
    maybe sure still then now
    """
)
