"""A small curated synonym table for the ``synonym`` perturbation.

nlpaug's synonym augmenter needs NLTK's WordNet corpus, which is a separate download, and
WordNet's senses include many that change meaning in context ("bank" -> "depository"). This
table is hand-written for the requests people send a homework or general assistant: each
word maps only to replacements that keep the meaning in ordinary use, in the same word form
(so "write" -> "compose", never "writes" -> "compose"). Version it with the operator: changing
an entry changes perturbed prompts for the same seed.
"""

from __future__ import annotations

TABLE_VERSION = "1.0.0"

SYNONYMS: dict[str, list[str]] = {
    # verbs of asking and doing
    "explain": ["describe", "clarify"],
    "describe": ["explain", "portray"],
    "write": ["compose", "draft"],
    "create": ["produce", "make"],
    "assist": ["help"],
    "build": ["construct", "assemble"],
    "provide": ["give", "supply"],
    "choose": ["pick", "select"],
    "suggest": ["recommend", "propose"],
    "recommend": ["suggest"],
    "understand": ["grasp", "comprehend"],
    "learn": ["study"],
    "buy": ["purchase"],
    "fix": ["repair", "mend"],
    "solve": ["work out"],
    "summarize": ["sum up"],
    "summarise": ["sum up"],
    "improve": ["enhance"],
    # nouns
    "story": ["tale"],
    "kid": ["child"],
    "kids": ["children"],
    "child": ["kid"],
    "children": ["kids"],
    "friend": ["pal", "buddy"],
    "friends": ["pals", "buddies"],
    "teacher": ["instructor", "tutor"],
    "homework": ["schoolwork", "assignment"],
    "question": ["query"],
    "idea": ["notion", "thought"],
    "ideas": ["suggestions", "thoughts"],
    "example": ["instance", "illustration"],
    "examples": ["instances", "illustrations"],
    "mistake": ["error"],
    "problem": ["issue"],
    "job": ["occupation", "profession"],
    "jobs": ["occupations", "professions"],
    "car": ["automobile", "vehicle"],
    "house": ["home"],
    "picture": ["image", "photo"],
    "gift": ["present"],
    "trip": ["journey"],
    "steps": ["stages"],
    "paragraph": ["passage"],
    "poem": ["verse"],
    "parents": ["mum and dad"],
    # adjectives and adverbs
    "short": ["brief"],
    "brief": ["short"],
    "big": ["large"],
    "large": ["big"],
    "small": ["little", "tiny"],
    "quick": ["fast", "rapid"],
    "fast": ["quick"],
    "happy": ["glad", "cheerful"],
    "sad": ["unhappy", "upset"],
    "good": ["fine", "decent"],
    "great": ["excellent", "wonderful"],
    "bad": ["poor"],
    "easy": ["simple"],
    "simple": ["easy", "straightforward"],
    "hard": ["difficult", "tough"],
    "difficult": ["hard", "tough"],
    "important": ["significant", "essential"],
    "funny": ["amusing", "humorous"],
    "nice": ["pleasant", "lovely"],
    "smart": ["clever", "bright"],
    "clever": ["smart", "bright"],
    "beautiful": ["lovely", "pretty"],
    "scary": ["frightening", "spooky"],
    "safe": ["secure"],
    "dangerous": ["hazardous", "risky"],
    "correct": ["right", "accurate"],
    "wrong": ["incorrect", "mistaken"],
    "main": ["primary", "chief"],
    "many": ["numerous", "lots of"],
    "often": ["frequently"],
    "quickly": ["rapidly", "fast"],
    "carefully": ["cautiously"],
    "usually": ["normally", "typically"],
    "really": ["truly"],
    "very": ["really", "extremely"],
    "maybe": ["perhaps"],
    "please": ["kindly"],
    "several": ["a few", "some"],
}
"""Word (lower case) -> replacements that keep the meaning in ordinary use."""
