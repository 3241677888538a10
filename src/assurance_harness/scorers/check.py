"""``assurance scorers check SCORER --labels FILE``: validate any scorer on the user's own labels.

Scores every labelled text with the scorer (with the parameters a suite gives it, when
``--suite`` names one, so the figures are at the suite's own threshold), then reports ROC-AUC
of its score, and accuracy, precision and recall of its decision, each with a 95% interval
(Clopper-Pearson for the rates; for the AUC the union of Newcombe's score interval and logit
DeLong, ``stats.auc``, which covers near AUC = 1 where a bootstrap over items did not; coverage
of both in benchmarks/coverage.py). Each figure names its method, and says "approximate" where
the coverage study does not back it. The figures can be
written as the scorer's validity card, which reports then show beside every gate resting on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ConfigError
from ..stats.auc import auc_interval
from ..stats.intervals import clopper_pearson
from .validity import Figure, ValidityCard

DEFAULT_FIELDS: dict[str, tuple[str, str]] = {
    "refusal": ("score", "is_refusal"),
    "offensive-language": ("toxicity", "flagged"),
    "detoxify": ("toxicity", "flagged"),
    "age-appropriateness": ("unsafe_score", "flagged"),
    "llm-judge": ("score", "flagged"),
    "guard-model": ("score", "flagged"),
}
"""Scorer -> (continuous score field, decision field) used when none is given."""
TRUE_WORDS = {"1", "true", "yes", "y", "positive", "pos", "unsafe", "harmful", "refusal"}
FALSE_WORDS = {"0", "false", "no", "n", "negative", "neg", "safe", "harmless", "compliance"}


@dataclass
class Labelled:
    text: str
    label: int
    line: int


def read_labels(
    path: Path, *, text_field: str = "text", label_field: str = "label"
) -> list[Labelled]:
    """Labelled texts from JSONL or CSV; labels are booleans, 0/1 or words such as
    ``unsafe``/``safe``. A bad row is a file:line error."""
    from ..spec.datasets import table_rows

    if not path.is_file():  # a FIFO would be read until a writer closed it: never opened
        what = (
            "is a directory, not a labels file"
            if path.is_dir()
            else "is not a regular file (a pipe or a device)"
            if path.exists()
            else "labels file not found"
        )
        raise ConfigError.single(str(path), what, hint="give a JSONL or CSV file")
    rows = table_rows(path)
    out = []
    for number, row in rows:
        text, raw = row.get(text_field), row.get(label_field)
        if not isinstance(text, str):
            raise ConfigError.single(str(path), f"needs a string field '{text_field}'", line=number)
        out.append(Labelled(text, _label(raw, path, number, label_field), number))
    if not out:
        raise ConfigError.single(str(path), "no labelled rows")
    return out


def _label(raw: Any, path: Path, line: int, field: str) -> int:
    if isinstance(raw, bool):
        return int(raw)
    if isinstance(raw, (int, float)) and raw in (0, 1):
        return int(raw)
    word = str(raw).strip().lower()
    if word in TRUE_WORDS:
        return 1
    if word in FALSE_WORDS:
        return 0
    raise ConfigError.single(
        str(path),
        f"label {raw!r} in '{field}' is not a yes/no label",
        line=line,
        hint="use true/false, 1/0, unsafe/safe or refusal/compliance",
    )


def auc(labels: np.ndarray, scores: np.ndarray) -> float | None:
    """ROC-AUC by the rank-sum (Mann-Whitney) formula, ties averaged; None without both
    classes."""
    positives = int(labels.sum())
    negatives = len(labels) - positives
    if positives == 0 or negatives == 0:
        return None
    from scipy.stats import rankdata

    ranks = rankdata(scores)  # ties get their average rank
    rank_sum = ranks[labels == 1].sum()
    return float((rank_sum - positives * (positives + 1) / 2) / (positives * negatives))


def figures(
    labels: list[int], scores: list[float], decisions: list[bool], *, seed: int = 0
) -> dict[str, Figure]:
    """AUC, accuracy, precision and recall, each with a 95% interval and its method.

    ``seed`` is kept for callers; no figure is random any more (the AUC interval was a seeded
    bootstrap)."""
    y = np.asarray(labels, dtype=int)
    s = np.asarray(scores, dtype=float)
    d = np.asarray(decisions, dtype=bool)
    out: dict[str, Figure] = {}
    found = auc_interval(y, s)
    if found is not None:
        out["auc"] = Figure(
            value=found.value, low=found.low, high=found.high, n=len(y), method=found.method
        )

    def rate(name: str, hits: int, n: int) -> None:
        if n:
            low, high = clopper_pearson(hits, n)
            out[name] = Figure(value=hits / n, low=low, high=high, n=n, method="clopper-pearson")

    rate("accuracy", int((d == y.astype(bool)).sum()), len(y))
    rate("precision", int((d & (y == 1)).sum()), int(d.sum()))
    rate("recall", int((d & (y == 1)).sum()), int((y == 1).sum()))
    rate("specificity", int((~d & (y == 0)).sum()), int((y == 0).sum()))
    return out


def as_number(value: Any) -> float | None:
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float)):
        return float(value)
    return None


def check(
    scorer: Any,
    rows: list[Labelled],
    *,
    score_field: str,
    flag_field: str | None,
    threshold: float | None,
    seed: int = 0,
    source: str = "labels",
) -> tuple[dict[str, Figure], list[dict[str, Any]]]:
    """Score the rows and compute the figures; the decision is ``flag_field`` or, with a
    threshold, ``score_field >= threshold``. ``source``: the labels file, for errors."""
    from ..datatypes import Case, ScoreInput

    case = Case(id="check", prompt="")
    outputs: list[dict[str, Any]] = []
    batch = max(1, int(getattr(scorer, "default_batch_size", 64)))
    for start in range(0, len(rows), batch):
        chunk = rows[start : start + batch]
        outputs += scorer.score([ScoreInput(case, 0, r.text, {}) for r in chunk])
    scores, decisions = [], []
    for row, output in zip(rows, outputs, strict=True):
        value = as_number(output.get(score_field))
        if value is None and output.get("parse_error") is True:
            # a text it cannot read (a language it does not read): no field has a figure
            raise ConfigError.single(
                source,
                "the scorer could not read this text: "
                + str(output.get("unread_reason") or "parse_error is true"),
                line=row.line,
                hint="leave it out of the labels file: a figure can count only texts the "
                "scorer reads",
            )
        if value is None:
            raise ConfigError.single(
                source,
                f"the scorer wrote no number in '{score_field}' (got {output.get(score_field)!r})",
                line=row.line,
                hint=f"choose --score from: {', '.join(sorted(output))}",
            )
        scores.append(value)
        if threshold is not None:
            decisions.append(value >= threshold)
        else:
            flag = output.get(flag_field or "")
            if flag is None:
                raise ConfigError.single(
                    source,
                    f"the scorer wrote no decision in '{flag_field}'",
                    line=row.line,
                    hint="give --threshold, or --suite with an audience, or another --flag",
                )
            decisions.append(bool(flag))
    return figures([r.label for r in rows], scores, decisions, seed=seed), outputs


def make_card(
    name: str, version: str, labels_path: Path, n: int, found: dict[str, Figure], how: str
) -> ValidityCard:
    on = f"{labels_path.name} (n = {n})"
    return ValidityCard(
        scorer=name,
        version=version,
        validated=f"{datetime.now(UTC).strftime('%Y-%m-%d')} by `{how}`",
        validated_on=[on],
        figures={k: v.model_copy(update={"on": labels_path.name}) for k, v in found.items()},
        weak_spots=[],
        source=str(labels_path),
    )
