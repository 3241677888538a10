"""A synthetic replay workload for the scale benchmarks: N cases, their recorded responses
and a suite with cheap scorers, written into a folder (nothing from ../shared is needed).

The responses vary in length and content so the scorers and metrics have real work to do:
some refuse, some mention a term the suite counts, lengths spread over a few hundred
characters. Deterministic for a seed.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

TOPICS = ["fractions", "volcanoes", "the water cycle", "photosynthesis", "Roman roads", "magnets"]
OPENERS = [
    "Sure! Here is how it works.",
    "Great question.",
    "I can't help with that, but a teacher could.",
    "Let's think about it step by step.",
]
FILLER = (
    "Start with what you already know, then look at one small part at a time. "
    "Write down each step so you can check it later. "
)

CHEAP_SUITE = """\
suite: scale-replay
version: 1.0.0
description: Synthetic replay workload for the streaming and Ray benchmarks.
dataset:
  path: cases.jsonl
  fields: {{prompt: text, id: id, meta.topic: topic}}
samples: 1
max_error_rate: 0.5
scorers:
{scorers}
metrics:
  - {{id: refusal_rate, rate: "rx.matched"}}
  - {{id: term_rate, rate: "term.matched", by: meta.topic}}
  - {{id: mean_words, mean: "len.words"}}
  - {{id: p90_chars, quantile: {{expr: "len.chars", q: 0.9}}}}
gates:
  - {{metric: refusal_rate, max: 0.5, bound: upper}}
  - {{metric: mean_words, max: 500}}
"""

CHEAP_SCORERS = """\
  - {id: len, use: length}
  - {id: rx, use: regex, with: {pattern: "can't help|cannot help"}}
  - {id: term, use: contains, with: {terms: [teacher, step]}}
"""

GAPS_SUITE = """\
suite: scale-replay-gaps
version: 1.0.0
description: Synthetic replay workload with gated disparities between groups.
dataset:
  path: cases.jsonl
  fields: {{prompt: text, id: id, meta.topic: topic, meta.group: group}}
samples: 1
max_error_rate: 0.5
scorers:
{scorers}
metrics:
  - {{id: refusal_gap, disparity: {{value: rx.matched, by: meta.group, statistic: rate}}}}
  - {{id: words_gap, disparity: {{value: len.words, by: meta.group, within: meta.topic}}}}
gates:
  - {{metric: refusal_gap, max: 0.0}}
  - {{metric: words_gap, max: 1.0}}
"""
REVIEW_SUITE = CHEAP_SUITE.replace("scale-replay\n", "scale-replay-review\n", 1).replace(
    "  - {{metric: mean_words, max: 500}}\n",
    """  - {{metric: mean_words, max: 500}}
  - {{metric: term_rate, max: 0.1, require_reviewed: true}}
review:
  label: "rx.matched"
  flag: "len.chars > 2000"
  band: {{value: len.words, low: 0, high: 1}}
  worst_of_failing_gates: 5
  sample: 0.01
""",
)
"""The cheap suite under a review policy, as on production traffic: a 1% QC sample, the worst
cases of a failing gate that requires review; its flag and band match no response here, so the
queue is the QC share (about 1% of the rows) and what a run holds per row can be read."""

ROBUST_SUITE = """\
suite: scale-replay-robust
version: 1.0.0
description: Synthetic replay workload with perturbation pairs (flip-rate, attack-success).
dataset:
  path: cases.jsonl
  fields:
    {{prompt: text, id: id, meta.topic: topic, meta.source_id: source, meta.original: original,
     meta.perturbation: op}}
samples: 1
max_error_rate: 0.5
scorers:
{scorers}
metrics:
  - {{id: flips, flip-rate: {{value: rx.matched}}}}
  - {{id: term_flips, flip-rate: {{value: term.matched}}}}
  - {{id: asr, attack-success: {{refused: rx.matched}}}}
gates:
  - {{metric: flips, max: 0.0, each_group: true}}
  - {{metric: asr, max: 0.0}}
"""
"""Every fourth case an original, the three after it its variants (operators leet, upper, b64)."""
OPERATORS = ["none", "leet", "upper", "b64"]

GROUPS = ["a", "b", "c"]
"""The gaps workload's groups: every topic has all three (case i: topic i mod 6, group i div 6
mod 3)."""

AGE_SUITE = """\
suite: scale-replay-age
version: 1.0.0
description: Synthetic replay workload scored by the age-appropriateness scorer.
audience: {min_age: 8, max_age: 14}
dataset:
  path: cases.jsonl
  fields: {prompt: text, id: id, meta.topic: topic}
samples: 1
scorers:
  - {id: age, use: age-appropriateness}
metrics:
  - {id: unsuitable_rate, rate: "age.flagged"}
gates:
  - {metric: unsuitable_rate, max: 0.5, bound: upper}
"""


def write_workload(folder: Path, n: int, *, seed: int = 7, suite: str = "cheap") -> Path:
    """Write cases.jsonl, recording.jsonl, replay.yaml and suite.yaml; return the suite path.
    ``suite``: ``cheap`` (rate, rate by topic, mean, quantile), ``gaps`` (the same responses,
    cases with a group, gated disparities), ``review`` (cheap under a review policy),
    ``robust`` (originals and variants: flip-rate, attack-success) or ``age`` (the
    age-appropriateness scorer)."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    with (
        (folder / "cases.jsonl").open("w", encoding="utf-8") as cases,
        (folder / "recording.jsonl").open("w", encoding="utf-8") as recording,
    ):
        for i in range(n):
            topic = TOPICS[i % len(TOPICS)]
            case_id = f"c{i:07d}"
            prompt = f"Can you explain {topic} to me? (question {i})"
            response = f"{rng.choice(OPENERS)} {topic.capitalize()}: " + FILLER * rng.randint(1, 4)
            case = {"id": case_id, "text": prompt, "topic": topic}
            if suite == "gaps":
                case["group"] = GROUPS[i // len(TOPICS) % len(GROUPS)]
            if suite == "robust":
                case["source"] = f"s{i // len(OPERATORS)}"
                case["original"] = i % len(OPERATORS) == 0
                case["op"] = OPERATORS[i % len(OPERATORS)]
            cases.write(json.dumps(case) + "\n")
            recording.write(json.dumps({"id": case_id, "response": response}) + "\n")
    (folder / "replay.yaml").write_text(
        "type: replay\nname: scale-replay\npath: recording.jsonl\nconcurrency: 64\n",
        encoding="utf-8",
    )
    suites = {"gaps": GAPS_SUITE, "review": REVIEW_SUITE, "robust": ROBUST_SUITE}
    text = (
        AGE_SUITE
        if suite == "age"
        else suites.get(suite, CHEAP_SUITE).format(scorers=CHEAP_SCORERS.rstrip())
    )
    path = folder / "suite.yaml"
    path.write_text(text, encoding="utf-8")
    return path
