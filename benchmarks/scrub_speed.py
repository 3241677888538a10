"""What scrubbing a configured key out of each answer costs, per answer.

    python benchmarks/scrub_speed.py [--answers 5000] [--repeat 5]

``scrub_answer`` runs on every answer of a run whose target configures a key (a run without
one never reads an answer for it). Measured on ordinary prose and on short HTML answers (tags,
entities, a link), neither holding the key, and on prose holding it: the best of ``--repeat``
passes over ``--answers`` answers, in microseconds an answer. Compare two source trees by
running it with ``PYTHONPATH=OTHER/src`` beside this tree's, alternating.
"""

from __future__ import annotations

import argparse
import time

from assurance_harness.scrub import scrub_answer

KEY = "sk-proj-Ab3dEf9hIjKlMnOpQrStUvWx12"
PROSE = (
    "Sure! Here is a short answer about photosynthesis number {i}. Plants use light, water "
    "and carbon dioxide to make sugar; oxygen is released. "
) * 4
HTML = (
    "<p>Hello <b>world</b> {i}, see <a href='https://example.com/x?a=1'>this link</a> and "
    "<br> more&nbsp;text.</p>"
) * 5
HOLDING = PROSE + "The key you sent was " + KEY + ", please rotate it."


def per_answer(texts: list[str], repeat: int) -> float:
    """Microseconds an answer, the best of ``repeat`` passes."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for text in texts:
            scrub_answer(text, [KEY])
        best = min(best, time.perf_counter() - start)
    return best / len(texts) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print("| answers | characters | us an answer |")
    print("|---|---|---|")
    for name, template in (("prose", PROSE), ("HTML", HTML), ("prose holding the key", HOLDING)):
        texts = [template.format(i=i) for i in range(args.answers)]
        cost = per_answer(texts, args.repeat)
        print(f"| {name} | {len(texts[0])} | {cost:.1f} |")


if __name__ == "__main__":
    main()
