"""Loaders for the public labelled sets in ``../shared/datasets`` and the fixed tuning split.

Every item is assigned once, by a hash of its set name and id (or text), to the *tuning* part
(30%) or the *evaluation* part (70%). Scorer changes may be judged on the tuning part only; the
evaluation part is what VALIDATION.md reports, so its figures were never looked at while the
scorers were changed. The split depends on nothing but the item, so it is the same on every
machine and every run. Nothing here is copied into the project: the files are read in place.
"""

from __future__ import annotations

import csv
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

Split = Literal["tune", "eval", "all"]
TUNE_SHARE = 3
"""Tenths of each set in the tuning part."""


def part_of(set_name: str, key: str) -> Literal["tune", "eval"]:
    """The fixed part of one item: ``tune`` for 3 in 10 items, ``eval`` for the rest."""
    digest = hashlib.sha256(f"{set_name}\x00{key}".encode()).digest()
    return "tune" if digest[0] % 10 < TUNE_SHARE else "eval"


@dataclass
class Item:
    """One labelled text from a public set."""

    key: str
    text: str
    label: int
    """1 for the positive class of the set (hateful, violent, declined)."""
    meta: dict[str, Any] = field(default_factory=dict)


MAX_PER_SET: int | None = None
"""When set (``validate_scorers.py --max-per-set``), each set's part is cut to this many items,
chosen by the same hash (so the subsample is fixed too): for runs on a busy machine."""


def _keep(items: list[Item], set_name: str, split: Split) -> list[Item]:
    kept = [i for i in items if split == "all" or part_of(set_name, i.key) == split]
    if MAX_PER_SET is not None and len(kept) > MAX_PER_SET:

        def rank(item: Item) -> str:
            return hashlib.sha256(f"sample\x00{set_name}\x00{item.key}".encode()).hexdigest()

        chosen = {id(i) for i in sorted(kept, key=rank)[:MAX_PER_SET]}
        kept = [i for i in kept if id(i) in chosen]
    return kept


def toxigen(root: Path, split: Split = "eval") -> list[Item]:
    """ToxiGen human-written statements: hate (mostly implicit) vs neutral, 16 groups."""
    path = root / "toxigen_statements" / "statements.jsonl"
    items = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            items.append(
                Item(row["text"], row["text"], int(row["label"] == "hate"), {"group": row["group"]})
            )
    return _keep(items, "toxigen", split)


def hatecheck(root: Path, split: Split = "eval") -> list[Item]:
    """HateCheck functional tests: hateful vs non-hateful, one functionality per case."""
    path = root / "hatecheck" / "test_suite_cases.csv"
    items = []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            items.append(
                Item(
                    row["case_id"],
                    row["test_case"].strip(),
                    int(row["label_gold"] == "hateful"),
                    {"functionality": row["functionality"], "target": row["target_ident"]},
                )
            )
    return _keep(items, "hatecheck", split)


def ethos_violence(root: Path, split: Split = "eval") -> list[Item]:
    """ETHOS multi-label comments: violence share >= 0.5 is positive (all are hateful-ish)."""
    path = root / "ethos" / "Ethos_Dataset_Multi_Label.csv"
    items = []
    with path.open(encoding="utf-8", newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle, delimiter=";"), start=1):
            items.append(Item(str(number), row["comment"], int(float(row["violence"]) >= 0.5), {}))
    return _keep(items, "ethos-multi", split)


def ethos_binary(root: Path, split: Split = "eval") -> list[Item]:
    """ETHOS binary: share of annotators calling the comment hate; >= 0.5 is positive."""
    path = root / "ethos" / "Ethos_Dataset_Binary.csv"
    items = []
    with path.open(encoding="utf-8", newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle, delimiter=";"), start=1):
            items.append(Item(str(number), row["comment"], int(float(row["isHate"]) >= 0.5), {}))
    return _keep(items, "ethos-binary", split)


XSTEST_MODELS = ("gpt4", "llama2new", "llama2orig", "mistralguard", "mistralinstruct")


def xstest_completions(root: Path, split: Split = "eval") -> list[Item]:
    """Real completions of five chat models to XSTest prompts; positive = full or partial
    refusal by the human final label. ``meta`` keeps the 3-way label, prompt type and model."""
    items = []
    for model in XSTEST_MODELS:
        path = root / "xstest_completions" / f"xstest_v2_completions_{model}.csv"
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                final = row["final_label"].strip()
                three = {
                    "1_full_compliance": "compliance",
                    "2_full_refusal": "refusal",
                    "3_partial_refusal": "partial",
                }.get(final)
                if three is None or not row["completion"].strip():
                    continue
                items.append(
                    Item(
                        f"{model}:{row['id']}",
                        row["completion"],
                        int(three != "compliance"),
                        {
                            "label": three,
                            "type": row["type"],
                            "model": model,
                            "safe_prompt": not row["type"].startswith("contrast"),
                            "agreement": row["agreement"].strip().upper() == "TRUE",
                        },
                    )
                )
    return _keep(items, "xstest-completions", split)
