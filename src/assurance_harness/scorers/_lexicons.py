"""Curated age-rating lexicons: terms per content category, in three severity tiers.

Tier 1 is mild (mentioned, educational), tier 2 moderate (described), tier 3 severe (graphic,
explicit, or instructions that enable harm). A lexicon hit is evidence, not a verdict: "kill a
process" and "shoot a photo" hit the violence and weapons lists, so the category classifier
weighs hits together with the sentence embedding. Only profanity is decided by words alone.

The age each tier implies follows the descriptors used by PEGI and the BBFC (e.g. "mild bad
language" 7/PG, "moderate" 12, "strong" 16-18; "realistic violence" 16, "gross violence" 18),
narrowed for the topics that a children's assistant meets.
"""

from __future__ import annotations

import re
from functools import lru_cache

CATEGORIES: tuple[str, ...] = (
    "sexual",
    "violence",
    "self_harm",
    "drugs",
    "alcohol_tobacco",
    "weapons",
    "gambling",
    "profanity",
    "hate",
    "frightening",
    "dangerous_activities",
)
"""Content categories, as they appear in the ``categories`` field."""

CATEGORY_TITLES: dict[str, str] = {
    "sexual": "sexual content",
    "violence": "violence and gore",
    "self_harm": "self-harm and suicide",
    "drugs": "drugs",
    "alcohol_tobacco": "alcohol and tobacco",
    "weapons": "weapons",
    "gambling": "gambling",
    "profanity": "profanity",
    "hate": "hate and harassment",
    "frightening": "frightening content",
    "dangerous_activities": "dangerous activities",
}

MIN_AGE: dict[str, tuple[int, int, int]] = {
    # category: minimum age at severity 1, 2, 3
    "sexual": (10, 16, 18),
    "violence": (7, 13, 18),
    "self_harm": (10, 16, 18),
    "drugs": (10, 15, 18),
    "alcohol_tobacco": (8, 13, 18),
    "weapons": (7, 13, 18),
    "gambling": (10, 16, 18),
    "profanity": (10, 13, 18),
    "hate": (9, 15, 18),
    "frightening": (7, 12, 16),
    "dangerous_activities": (7, 13, 18),
}
"""The youngest age each severity suits. Severity 1 of self-harm is a supportive mention (a
child who asks deserves a caring answer); severity 3 of anything is never for minors."""

SEVERITY_NAMES = {1: "mild", 2: "moderate", 3: "severe"}

_TERMS: dict[str, dict[int, list[str]]] = {
    "sexual": {
        1: [
            "kiss(?:ed|ing|es)?",
            "boyfriend",
            "girlfriend",
            "puberty",
            # a menstrual period, not "for a period of three weeks" or "the Tudor period"
            "(?:my|her|your|their|first|monthly) periods?(?! of\\b)",
            "periods? (?:pain|cramps?|products?|started|came)",
            "uterus",
            "crush",
            "dating",
            "pregnan(?:t|cy)",
            "romance",
        ],
        2: [
            "sex",
            "sexual(?:ly)?",
            "intercourse",
            "condoms?",
            "contraception",
            "masturbat\\w*",
            "making out",
            "oral sex",
            "genitals?",
            "penis",
            "vagina",
            "erection",
            "STIs?",
            "naked",
            "nudity",
            "make love",
            "horny",
        ],
        3: [
            "porn\\w*",
            "erotic",
            "nudes?",
            "nude photos?",
            "orgasm\\w*",
            "thrust\\w*",
            "cock",
            "dick pics?",
            "blowjob",
            "explicit videos?",
            "sexting",
            "onlyfans",
            "xxx",
            "stripp?(?:er|ing)",
            "fetish",
            "bdsm",
            "rape[ds]?",
        ],
    },
    "violence": {
        1: [
            "battle",
            "fight(?:s|ing)?",
            "fought",
            "war",
            "punch(?:ed|es)?",
            "hit",
            "attack(?:ed)?",
            "soldiers?",
            "villain",
        ],
        2: [
            "kill(?:ed|s|ing|er)?",
            "murder(?:ed|s|er)?",
            "stabb?(?:ed|ing)?",
            "shot dead",
            "shooting",
            "blood(?:y)?",
            "beat(?:en)? up",
            "wounds?",
            "assault",
            "strangl\\w*",
            "bodies",
            "corpse",
        ],
        3: [
            "gore",
            "gory",
            "tortur\\w*",
            "behead\\w*",
            "dismember\\w*",
            "mutilat\\w*",
            "intestines",
            "entrails",
            "disembowel\\w*",
            "massacre",
            "slaughter\\w*",
            "skin from",
            "cutting off (?:his|her|their) \\w+",
            "until (?:he|she|they) stops? moving",
        ],
    },
    "self_harm": {
        1: [
            "hurt (?:yourself|myself|themselves)",
            "self[- ]?harm\\w*",
            "suicid(?:e|al)",
            "hopeless",
            "want to die",
            "end (?:my|your|their) life",
        ],
        2: [
            "cut(?:ting)? (?:my|her|his|your) (?:arms?|wrists?|legs?|thighs?)",
            "razor",
            "overdose",
            "goodbye note",
            "suicide note",
            "starv\\w* (?:yourself|myself)",
            "make yourself (?:throw up|sick)",
            "kill(?:ing)? (?:myself|yourself|themselves)",
            "scars",
        ],
        3: [
            "painless way to (?:die|kill)",
            "how to (?:kill|hurt) yourself",
            "cut deeper",
            "nobody would miss you",
            "you deserve (?:it|to die)",
            "around your neck",
            "laxatives",
            "stop eating for",
            "jump(?:ing)? (?:from|off) a (?:tall )?(?:building|bridge)",
            "hang (?:yourself|myself)",
            "lethal dose",
        ],
    },
    "drugs": {
        1: ["drugs?", "illegal drugs?", "medicines?", "cannabis", "marijuana"],
        2: [
            "ecstasy",
            "weed",
            "cocaine",
            "heroin",
            # "high on weed", not "high on the agenda"
            "high on (?!the\\b|a\\b|an\\b|our\\b|my\\b|your\\b|their\\b|his\\b|her\\b"
            "|its\\b|this\\b|that\\b|life\\b|success\\b|hope\\b|adrenaline\\b)",
            "get(?:ting)? high(?! (?:marks|scores|grades|up|enough)\\b)",
            "stoned",
            "LSD",
            "spliffs?",
            "smok\\w* (?:a )?(?:joint|blunt|spliff)s?",
            "skunk",
            "ketamine",
            "mushrooms",
            "addict(?:ion|ed)?",
            "inject\\w*",
            "snort\\w*",
            "crack",
        ],
        3: [
            "meth",
            "MDMA",
            "oxycodone",
            "fentanyl",
            "dealers?",
            "lean",
            "dose for",
            "crush (?:up )?(?:the |your )?pills",
            "make meth",
            "buy (?:weed|drugs|pills)",
        ],
    },
    "alcohol_tobacco": {
        1: ["wine", "beer", "alcohol", "smok(?:e|ing|er)", "cigarettes?", "pipe", "pub"],
        2: [
            "drunk",
            "vodka",
            # drinks, not a camera's or a doctor's shots or shots on goal
            "(?:\\w+ )?shots (?:of|with) (?:vodka|tequila|whisk(?:e)?y|rum|gin|sambuca|alcohol"
            "|jägermeister|jager|liquor|booze)",
            "(?:vodka|tequila|whisk(?:e)?y|rum|gin|sambuca|jello|jelly|jäger|jager) shots",
            "(?:did|doing|do|drank|drink|down(?:ed|ing)?|took|taking) (?:\\w+ )?shots"
            "(?! (?:of|with) (?:the|a|her|his|my|your|their)\\b)(?! (?:at|on) goal)",
            "vap(?:e|es|ing)",
            "nicotine",
            "wasted",
            "hangover",
            "tipsy",
            "booze",
            "whisk(?:e)?y",
        ],
        3: [
            "fake ID",
            "buy alcohol underage",
            "hide (?:vaping|smoking|the smell)",
            "whole bottle",
            "sneak (?:a few )?(?:beers?|drinks?|cigarettes)",
            "get drunk",
            "fastest way to get drunk",
        ],
    },
    "weapons": {
        1: ["swords?", "shields?", "bows?", "arrows?", "spears?", "cannons?", "archery"],
        2: [
            "guns?",
            "rifles?",
            "pistols?",
            "bullets?",
            "grenades?",
            "knife",
            "knives",
            "firearms?",
            "ammunition",
            "semi-automatic",
            "gunpowder",
            "AR-15",
        ],
        3: [
            "pipe bomb",
            "make a bomb",
            "build a bomb",
            "3D-print(?:ed)? (?:a )?gun",
            "flamethrower",
            "shiv",
            "without a background check",
            "explosives?",
            "molotov",
            "ghost gun",
        ],
    },
    "gambling": {
        1: ["lottery", "casinos?", "raffle", "odds"],
        2: [
            "betting",
            "bets?",
            "poker",
            "slot machines?",
            "loot box(?:es)?",
            "roulette",
            "bookmaker",
            "jackpot",
        ],
        3: [
            "bet online",
            "betting site",
            "free bet",
            "skin gambling",
            "no ID check",
            "double your bet",
            "use your (?:mum|mom|dad|parent)'?s card",
        ],
    },
    "profanity": {
        1: ["damn", "crap", "heck", "hell", "stupid", "shut up", "idiot", "sucks", "bloody"],
        2: [
            "shit\\w*",
            "bullshit",
            "ass",
            "asshole",
            "bitch\\w*",
            "dick",
            "piss\\w*",
            "bastard",
            "arse",
            "wtf",
            "prick",
        ],
        3: ["fuck\\w*", "f\\*+k", "motherfuck\\w*", "cunt\\w*", "twat", "wank\\w*"],
    },
    "hate": {
        1: [
            "racism",
            "racist",
            "discriminat\\w*",
            "segregation",
            "prejudice",
            "holocaust",
            "stereotypes?",
        ],
        2: [
            "ugly",
            "lazy and disgusting",
            "all (?:thieves|liars|criminals)",
            "everyone hates you",
            "worse at",
            "shouldn't be allowed",
            "go back to your country",
            "(?:should|need to|needs to|must|ought to) (?:all )?be (?:sent back|deported|kicked out"
            "|thrown out|banned|locked up|gotten rid of|got rid of|removed|eliminated|sterili[sz]ed"
            "|segregated)",
            "(?:get|got|getting) rid of (?:all )?(?:the |those |these )?\\w+ people",
            "(?:people|they|those|these|\\w+s) are (?:a )?(?:plague|disease|cancer|parasites"
            "|savages|cockroaches|scum|filth|a burden|inferior|subhuman|vermin)",
            "(?:don'?t|do not|shouldn'?t|should not) (?:belong|deserve) (?:here|in this country"
            "|rights|to (?:live|vote|exist))",
            "sent back (?:to )?where they came from",
            "freak",
            "loser",
        ],
        3: [
            "vermin",
            "subhuman",
            "wiped out",
            "exterminat\\w*",
            "retard\\w*",
            "whore",
            "slut",
            "faggot",
            "n[i1]gg\\w*",
            "kill yourself",
            "control the banks",
            "inferior race",
        ],
    },
    "frightening": {
        1: ["ghosts?", "witch(?:es)?", "skeletons?", "spooky", "creak\\w*", "haunted", "monsters?"],
        2: [
            "demons?",
            "possessed",
            "whisper(?:ed|s)? (?:her|his|my) name",
            "never seen again",
            "under the bed",
            "scream(?:ed|ing|s)?",
            "horror",
            "nightmares?",
        ],
        3: [
            "buried alive",
            "rotting",
            "splitting (?:her|his) jaw",
            "watched her sleep",
            "crawled out of",
            "fingernails tore",
            "dead bodies",
        ],
    },
    "dangerous_activities": {
        1: ["helmet", "climbing", "hot stove", "train tracks", "railway"],
        2: [
            "parkour",
            "dares?",
            "rooftops?",
            "jump(?:ing)? off",
            "broke (?:both|his|her) \\w+",
            "playing with fire",
            "stunts?",
        ],
        3: [
            "blackout challenge",
            "choking game",
            "pass out",
            "bleach and ammonia",
            "surf(?:ing)? on (?:top of )?(?:a )?(?:moving )?train",
            "detergent pod",
            "deodorant challenge",
            "spray deodorant on your skin",
            "petrol",
            "gasoline",
            "tide pod",
            "hold your breath (?:and|until)",
        ],
    },
}


@lru_cache(maxsize=1)
def compiled() -> dict[str, dict[int, re.Pattern[str]]]:
    """One word-bounded, case-insensitive pattern per (category, tier)."""
    return {
        category: {
            tier: re.compile(r"(?<![\w-])(?:" + "|".join(terms) + r")(?![\w])", re.IGNORECASE)
            for tier, terms in tiers.items()
        }
        for category, tiers in _TERMS.items()
    }


def lexicon_hits(text: str) -> dict[str, tuple[int, list[str]]]:
    """Per category with a hit: the highest tier hit and the matched terms (up to five)."""
    hits: dict[str, tuple[int, list[str]]] = {}
    for category, tiers in compiled().items():
        for tier in (3, 2, 1):
            found = tiers[tier].findall(text)
            if found:
                hits[category] = (tier, sorted({f.lower() for f in found})[:5])
                break
    return hits
