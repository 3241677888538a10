"""Detoxify scoring throughput: length-sorted batches vs ``Detoxify.predict`` on fixed chunks.

Both paths run the same bert-base-sized Detoxify-format model (random weights: timing does not
depend on the weights) on the same texts, in one process. The baseline is how Detoxify is
usually called: ``predict`` on consecutive chunks of 32 texts in their original order, each
chunk padded to its longest text. The harness sorts by token length first and closes a batch
early rather than pad it by more than 10 % (``scorers/_batched.py``), and runs under
``torch.inference_mode``. Outputs are checked to agree.

    .venv/bin/python benchmarks/detoxify_throughput.py [--texts 256] [--device cpu] [--write]

``--write`` replaces this benchmark's section in BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402

from assurance_harness.scorers._batched import MAX_PADDING, padded_batches  # noqa: E402
from assurance_harness.scorers.detoxify_checkpoint import write_random_checkpoint  # noqa: E402
from assurance_harness.scorers.detoxify_scorer import (  # noqa: E402
    DetoxifyParams,
    load_model,
    predict_sorted,
)

SEED = 7
CHUNK = 32
BEGIN = "<!-- detoxify-throughput:begin -->"
END = "<!-- detoxify-throughput:end -->"
WORDS = [
    "the",
    "a",
    "homework",
    "question",
    "answer",
    "maths",
    "science",
    "history",
    "because",
    "when",
    "school",
    "teacher",
    "friend",
    "help",
    "explain",
    "plant",
    "water",
    "light",
    "energy",
    "number",
    "fraction",
    "story",
    "write",
    "read",
    "world",
    "war",
    "king",
    "river",
    "mountain",
    "animal",
    "food",
    "healthy",
    "sleep",
    "safe",
    "adult",
    "call",
    "please",
    "thank",
    "you",
    "really",
    "very",
    "quite",
    "often",
    "never",
    "always",
    "sometimes",
    "important",
    "remember",
    "example",
    "step",
]


def make_texts(n: int, seed: int) -> list[str]:
    """Response-like texts: mostly short, a long tail of long ones (log-normal word counts)."""
    rng = random.Random(seed)
    texts = []
    for _ in range(n):
        words = max(3, min(350, int(rng.lognormvariate(3.4, 0.9))))
        texts.append(" ".join(rng.choice(WORDS) for _ in range(words)) + ".")
    return texts


def time_call(fn, repeats: int):  # type: ignore[no-untyped-def]
    """Best wall time of ``repeats`` calls, the CPU time of that call (both threads: on a
    shared machine the fairer figure) and its result (so outputs are compared without a
    second, slow, untimed pass)."""
    best, best_cpu, result = float("inf"), 0.0, None
    for _ in range(repeats):
        started, cpu = time.perf_counter(), time.process_time()
        result = fn()
        if torch.cuda.is_available():
            torch.cuda.synchronize()
        wall = time.perf_counter() - started
        if wall < best:
            best, best_cpu = wall, time.process_time() - cpu
    return best, best_cpu, result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=256)
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    parser.add_argument("--repeats", type=int, default=1, help="best of N timings per path")
    parser.add_argument("--write", action="store_true", help="update BENCHMARKS.md")
    parser.add_argument(
        "--threads",
        type=int,
        help="torch threads (default: torch's). 1 on a shared machine: busy cores make "
        "multi-threaded timings, and the CPU time of spinning threads, swing widely",
    )
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    from detoxify import Detoxify

    texts = make_texts(args.texts, SEED)
    with tempfile.TemporaryDirectory() as tmp:
        checkpoint = write_random_checkpoint(
            Path(tmp), hidden_size=768, layers=12, heads=12, intermediate_size=3072, seed=SEED
        )
        loaded = load_model(
            DetoxifyParams(checkpoint=str(checkpoint), download=False, device=args.device)
        )
    reference = Detoxify.__new__(Detoxify)
    reference.model, reference.tokenizer = loaded.model, loaded.tokenizer
    reference.class_names, reference.device = loaded.class_names, args.device

    def baseline() -> list[list[float]]:
        rows: list[list[float]] = []
        for start in range(0, len(texts), CHUNK):
            out = reference.predict(texts[start : start + CHUNK])
            rows += [list(r) for r in zip(*(out[c] for c in loaded.class_names), strict=True)]
        return rows

    def harness() -> list[list[float]]:
        return predict_sorted(loaded, texts, batch_size=CHUNK, max_length=512)

    # Warm up both paths (allocator, kernels) on a few texts.
    reference.predict(texts[:4])
    predict_sorted(loaded, texts[:4], batch_size=4, max_length=512)
    base_s, base_cpu, base_rows = time_call(baseline, args.repeats)
    ours_s, ours_cpu, ours_rows = time_call(harness, args.repeats)
    diff = float(np.max(np.abs(np.array(base_rows) - np.array(ours_rows))))
    tokens = [len(ids) for ids in loaded.tokenizer(texts, truncation=True)["input_ids"]]
    base_tokens = sum(
        max(tokens[start : start + CHUNK]) * len(tokens[start : start + CHUNK])
        for start in range(0, len(tokens), CHUNK)
    )
    order = sorted(range(len(tokens)), key=tokens.__getitem__)
    ours_tokens = sum(
        max(tokens[i] for i in batch) * len(batch) for batch in padded_batches(tokens, order, CHUNK)
    )
    n = len(texts)
    ratio = base_s / ours_s
    threads = torch.get_num_threads()
    device = torch.cuda.get_device_name(0) if args.device == "cuda" else platform.processor()
    lines = [
        BEGIN,
        "## Detoxify scoring throughput (`benchmarks/detoxify_throughput.py`)",
        "",
        f"Model: Detoxify-format BERT, bert-base size (12 layers, hidden 768, 6 labels, random "
        f"weights), on {args.device} ({device or platform.machine()}, torch "
        f"{torch.__version__}, {threads} threads). Texts: n = {n}, seeded log-normal lengths "
        f"(median {int(np.median(tokens))} tokens, max {max(tokens)}), same texts for both "
        f"paths, one process, best of {args.repeats}. Command: `.venv/bin/python "
        f"benchmarks/detoxify_throughput.py --texts {n} --repeats {args.repeats}"
        f"{f' --threads {args.threads}' if args.threads else ''}`.",
        "",
        f"Machine load (1-minute average) at the end: {os.getloadavg()[0]:.1f}.",
        "",
        "| path | seconds | CPU seconds | texts/s |",
        "|---|---|---|---|",
        f"| `Detoxify.predict` on fixed chunks of {CHUNK}, original order | {base_s:.2f} | "
        f"{base_cpu:.1f} | {n / base_s:.1f} |",
        f"| harness: sorted by token length, batches of at most {CHUNK} closed at "
        f"{MAX_PADDING:.0%} padding, inference_mode | {ours_s:.2f} | {ours_cpu:.1f} | "
        f"{n / ours_s:.1f} |",
        "",
        f"Speed-up: **{ratio:.2f}x** in wall time, {base_cpu / ours_cpu:.2f}x in CPU time "
        "(target >= 4x, issue 12). Largest difference between the "
        f"two paths' probabilities: {diff:.1e}. Padded tokens: {base_tokens:,} for fixed "
        f"chunks, {ours_tokens:,} for the harness's batches ({sum(tokens):,} real). Timings on "
        "a shared machine, so treat the ratio as approximate; it comes from padding, which "
        "grows with the spread of text lengths.",
        END,
    ]
    print("\n".join(lines))
    if args.write:
        path = ROOT / "BENCHMARKS.md"
        text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
        block = "\n".join(lines)
        if BEGIN in text and END in text:
            head, rest = text.split(BEGIN, 1)
            text = head + block + rest.split(END, 1)[1]
        else:
            text = text.rstrip("\n") + "\n\n" + block + "\n"
        path.write_text(text, encoding="utf-8")
        print(f"updated {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
