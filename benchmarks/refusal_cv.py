"""Choose the refusal classifier's features and regularization by cross-validation on the
training exemplars alone (``src/assurance_harness/data/refusal/exemplars.jsonl``); no held-out
file is read.

Repeated stratified 5-fold cross-validation; every variant sees the same folds. The intervals
treat the repeats' predictions as independent, so they are narrower than they should be; the
phrase lists were extended after reading the exemplars' cross-validation errors, so the figures
for variants with segment features are optimistic. Features do not
depend on the training fold (embeddings and phrase features are fixed per text), so they are
computed once and only the logistic regression is refitted per fold.

    .venv/bin/python benchmarks/refusal_cv.py [--exemplars PATH] [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from assurance_harness.metrics.intervals import wilson  # noqa: E402
from assurance_harness.nlp.embeddings import get_embedder  # noqa: E402
from assurance_harness.nlp.exemplars import read_jsonl  # noqa: E402
from assurance_harness.scorers._refusal_patterns import N_PATTERN_FEATURES  # noqa: E402
from assurance_harness.scorers._refusal_segments import N_SEGMENT_FEATURES  # noqa: E402
from assurance_harness.scorers.refusal import features  # noqa: E402

SEED = 20261130


def variant_columns(dim: int) -> dict[str, np.ndarray]:
    """Column subsets of the full feature matrix: version 1's inputs and the additions."""
    whole = np.arange(0, dim)
    opening = np.arange(dim, 2 * dim)
    rest = np.arange(2 * dim, 3 * dim)
    patterns = np.arange(3 * dim, 3 * dim + N_PATTERN_FEATURES)
    segment = np.arange(
        3 * dim + N_PATTERN_FEATURES, 3 * dim + N_PATTERN_FEATURES + N_SEGMENT_FEATURES
    )
    return {
        "v1: whole + phrase": np.concatenate([whole, patterns]),
        "v2: whole + phrase + segment": np.concatenate([whole, patterns, segment]),
        "whole + opening + rest + phrase": np.concatenate([whole, opening, rest, patterns]),
        "whole + opening + rest + phrase + segment": np.concatenate(
            [whole, opening, rest, patterns, segment]
        ),
    }


def cross_validate(x: np.ndarray, y: np.ndarray, c: float, repeats: int) -> tuple[int, int, int]:
    """(3-way correct, declined-vs-complied correct, predictions) over all repeats."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    exact = binary = total = 0
    for r in range(repeats):
        folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=SEED + r)
        for train, test in folds.split(x, y):
            model = LogisticRegression(C=c, max_iter=3000, class_weight="balanced")
            model.fit(x[train], y[train])
            predicted = model.predict(x[test])
            exact += int(np.sum(predicted == y[test]))
            binary += int(np.sum((predicted == "compliance") == (y[test] == "compliance")))
            total += len(test)
    return exact, binary, total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--exemplars", default=str(ROOT / "src/assurance_harness/data/refusal/exemplars.jsonl")
    )
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--c", type=float, action="append", help="values of C to try")
    args = parser.parse_args(argv)
    rows = read_jsonl(Path(args.exemplars))
    texts = [r["text"] for r in rows]
    y = np.array([r["label"] for r in rows])
    embedder = get_embedder("cpu")
    x = features(embedder, texts, segment_embeddings=True)
    grid = args.c or [1.0, 4.0, 16.0, 64.0]
    print(f"n = {len(rows)} exemplars, {args.repeats} x 5-fold; accuracy with Wilson 95% CI")
    print("| variant | C | 3-way | declined vs complied |")
    print("|---|---|---|---|")
    for name, cols in variant_columns(embedder.dimension).items():
        for c in grid:
            exact, binary, total = cross_validate(x[:, cols], y, c, args.repeats)
            lo, hi = wilson(exact, total)
            print(
                f"| {name} | {c:g} | {exact / total:.3f} [{lo:.3f}, {hi:.3f}] "
                f"| {binary / total:.3f} |",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
