"""Validation sections on the public sets new in ``../shared/datasets`` (ToxiGen statements,
HateCheck, ETHOS, XSTest completions), each on the fixed evaluation part of its set
(``_public_sets.part_of``) unless ``split`` says otherwise.

Each section returns a :class:`Section` whose figures carry the aims of issue 11 with the
lower bound of their interval, so the summary can say "met" only when the bound meets the aim.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _public_sets import Item, Split, ethos_binary, ethos_violence, hatecheck, toxigen
from _public_sets import xstest_completions as load_xstest_completions
from _validation import Section, fmt

Scorer = Callable[[str, list[str]], list[dict[str, Any]]]
"""(scorer name, texts) -> outputs; the caller caches and batches."""

MORAL_OPENERS = (
    "is illegal",
    "is unethical",
    "is not ethical",
    "is not appropriate",
    "is inappropriate",
    "is harmful",
    "is dangerous",
    "is not okay",
    "is never okay",
    "is wrong",
    "is a serious crime",
    "is against the law",
)


def moral_statement(text: str) -> bool:
    """The opening sentence states that something is wrong rather than saying "I can't"."""
    first = text.strip().split(".")[0].lower()
    return any(p in first for p in MORAL_OPENERS) and "i can" not in first


def _skip(title: str, root: Path | None, relative: str) -> Section | None:
    if root is None:
        return Section(title, ["Skipped: the public datasets folder is absent."])
    if not (root / relative).exists():
        return Section(title, [f"Skipped: {root / relative} not found."])
    return None


def _auc_row(
    name: str,
    items: list[Item],
    scores: list[float],
    auc_with_ci: Callable[..., tuple[Any, Any, Any]],
) -> tuple[str, dict[str, Any]]:
    labels = [i.label for i in items]
    auc, low, high = auc_with_ci(labels, scores)
    row = f"| {name} | {len(items)} ({sum(labels)}) | {fmt(auc)} [{fmt(low)}, {fmt(high)}] |"
    return row, {"auc": auc, "ci": [low, high], "n": len(items), "positives": sum(labels)}


def section_toxigen(
    root: Path | None, score: Scorer, auc_with_ci: Any, seed: int, split: Split
) -> Section:
    title = "Implicit hate: ToxiGen human-written statements"
    skipped = _skip(title, root, "toxigen_statements/statements.jsonl")
    if skipped or root is None:
        return skipped or Section(title, [])
    items = toxigen(root, split)
    texts = [i.text for i in items]
    tox = [r["toxicity"] for r in score("offensive-language", texts)]
    age = score("age-appropriateness", texts)
    hate = [r["probabilities"]["hate"] for r in age]
    lines = [
        f"Source: `toxigen_statements/statements.jsonl`, {split} part: n = {len(items)} "
        "statements about 16 groups, labelled hate or neutral by the file they come from. Most "
        "hateful statements carry no swear word. Can show: whether implicit hate (stereotypes, "
        "calls for exclusion) is caught. Cannot show: anything about profanity, other "
        "categories, or model responses (these are human-written statements, and the label is "
        "the source file's, not a per-item annotation).",
        "",
        "| score | n (hate) | ROC-AUC [95% CI] |",
        "|---|---|---|",
    ]
    figures: dict[str, Any] = {}
    for name, values in (
        ("offensive-language `toxicity`", tox),
        ("age-appropriateness P(hate)", hate),
    ):
        row, fig = _auc_row(name, items, values, auc_with_ci)
        lines.append(row)
        figures[name] = fig
    figures["aim"] = {
        "aim": "implicit hate (ToxiGen) ROC-AUC >= 0.85",
        **figures["age-appropriateness P(hate)"],
    }
    return Section(title, lines, figures)


def section_hatecheck(
    root: Path | None, score: Scorer, auc_with_ci: Any, seed: int, split: Split
) -> Section:
    title = "Hate functional tests: HateCheck"
    skipped = _skip(title, root, "hatecheck/test_suite_cases.csv")
    if skipped or root is None:
        return skipped or Section(title, [])
    from assurance_harness.metrics.intervals import wilson

    items = hatecheck(root, split)
    texts = [i.text for i in items]
    tox = score("offensive-language", texts)
    age = score("age-appropriateness", texts)
    hate_p = [r["probabilities"]["hate"] for r in age]
    row_age, fig_age = _auc_row("age-appropriateness P(hate)", items, hate_p, auc_with_ci)
    row_tox, fig_tox = _auc_row(
        "offensive-language `toxicity`", items, [r["toxicity"] for r in tox], auc_with_ci
    )
    lines = [
        f"Source: `hatecheck/test_suite_cases.csv`, {split} part: n = {len(items)} templated "
        "test cases in 29 functionalities. Can show: which kinds of hate are missed (e.g. "
        "threats, dehumanisation without swear words) and which harmless texts are flagged "
        "(negated hate, counter-speech, profanity that is not hate). Cannot show: rates on "
        "real traffic (the cases are short templates in equal numbers per functionality).",
        "",
        "| score | n (hateful) | ROC-AUC [95% CI] |",
        "|---|---|---|",
        row_tox,
        row_age,
        "",
        "Share flagged per functionality (`_h`: hateful, should be flagged; `_nh`: not hateful, "
        "should not). Flag: age-appropriateness detects hate, or offensive-language `flagged`.",
        "",
        "| functionality | n | age: hate detected [95% CI] | offensive-language flagged |",
        "|---|---|---|---|",
    ]
    per: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for item, a, t in zip(items, age, tox, strict=True):
        per[item.meta["functionality"]].append(
            (int(a["categories"]["hate"] > 0), int(bool(t["flagged"])))
        )
    table: dict[str, Any] = {}
    for name in sorted(per):
        cells = per[name]
        n = len(cells)
        hits = sum(c[0] for c in cells)
        low, high = wilson(hits, n)
        table[name] = {"n": n, "age": hits / n, "offensive": sum(c[1] for c in cells) / n}
        lines.append(
            f"| {name} | {n} | {hits / n:.3f} [{fmt(low)}, {fmt(high)}] | "
            f"{sum(c[1] for c in cells) / n:.3f} |"
        )
    return Section(
        title,
        lines,
        {"age-appropriateness P(hate)": fig_age, "offensive-language": fig_tox, "per": table},
    )


def section_ethos(
    root: Path | None, score: Scorer, auc_with_ci: Any, seed: int, split: Split
) -> Section:
    title = "Violence and hate in social-media comments: ETHOS"
    skipped = _skip(title, root, "ethos/Ethos_Dataset_Multi_Label.csv")
    if skipped or root is None:
        return skipped or Section(title, [])
    violence = ethos_violence(root, split)
    binary = ethos_binary(root, split)
    age_v = score("age-appropriateness", [i.text for i in violence])
    age_b = score("age-appropriateness", [i.text for i in binary])
    tox_b = score("offensive-language", [i.text for i in binary])
    rows = [
        _auc_row(
            "violence (multi-label file): age P(violence)",
            violence,
            [r["probabilities"]["violence"] for r in age_v],
            auc_with_ci,
        ),
        _auc_row(
            "hate (binary file): age P(hate)",
            binary,
            [r["probabilities"]["hate"] for r in age_b],
            auc_with_ci,
        ),
        _auc_row(
            "hate (binary file): offensive-language `toxicity`",
            binary,
            [r["toxicity"] for r in tox_b],
            auc_with_ci,
        ),
        _auc_row(
            "hate (binary file): max(age unsafe_score, toxicity)",
            binary,
            [max(a["unsafe_score"], t["toxicity"]) for a, t in zip(age_b, tox_b, strict=True)],
            auc_with_ci,
        ),
    ]
    lines = [
        f"Source: `ethos/` ({split} part): the multi-label file ({len(violence)} comments, all "
        "hateful to some degree; positive = at least half the annotators saw violence) and the "
        f"binary file ({len(binary)} comments; positive = at least half called it hate). Can "
        "show: violence inside hateful text, and hate in real comments. Cannot show: "
        "violence outside hate speech, or responses of an assistant.",
        "",
        "| task: score | n (positive) | ROC-AUC [95% CI] |",
        "|---|---|---|",
        *[r[0] for r in rows],
    ]
    names = ("violence", "hate_age", "hate_offensive", "any_unsafe")
    return Section(title, lines, {k: r[1] for k, r in zip(names, rows, strict=True)})


def section_xstest_completions(
    root: Path | None, score: Scorer, auc_with_ci: Any, seed: int, split: Split
) -> Section:
    title = "Refusal and the 8-12 flag on real model completions: XSTest v2"
    skipped = _skip(title, root, "xstest_completions")
    if skipped or root is None:
        return skipped or Section(title, [])
    from assurance_harness.metrics.intervals import wilson

    items = load_xstest_completions(root, split)
    texts = [i.text for i in items]
    ref = score("refusal", texts)
    truth = [i.label for i in items]
    pred = [int(r["is_refusal"]) for r in ref]
    correct = sum(a == b for a, b in zip(truth, pred, strict=True))
    n = len(items)
    low, high = wilson(correct, n)
    auc, alow, ahigh = auc_with_ci(truth, [r["score"] for r in ref])
    moral = [k for k, i in enumerate(items) if i.label and moral_statement(i.text)]
    moral_hits = sum(pred[k] for k in moral)
    mlow, mhigh = wilson(moral_hits, len(moral))
    three = defaultdict(lambda: [0, 0])
    for item, p in zip(items, pred, strict=True):
        cell = three[item.meta["label"]]
        cell[0] += int(p == item.label)
        cell[1] += 1
    lines = [
        f"Source: `xstest_completions/` ({split} part): n = {n} completions of five chat "
        "models (GPT-4, two Llama-2 variants, Mistral with and without a guard prompt) to the "
        "XSTest prompts, each with a human final label (full compliance, full refusal, partial "
        "refusal). Can show: refusal detection on real model output, including refusals "
        "phrased as moral statements. Cannot show: non-English refusals or children's "
        "services; partial refusals are few.",
        "",
        "| measure | value [95% CI] |",
        "|---|---|",
        f"| declined (refusal or partial) vs complied accuracy | {correct / n:.3f} "
        f"[{fmt(low)}, {fmt(high)}] (n = {n}) |",
        f"| ROC-AUC of `score` for declined | {fmt(auc)} [{fmt(alow)}, {fmt(ahigh)}] |",
        f"| declines phrased as a moral statement, read as declined | "
        f"{moral_hits}/{len(moral)} = "
        f"{(moral_hits / len(moral)) if moral else 0:.3f} [{fmt(mlow)}, {fmt(mhigh)}] |",
    ]
    for label, (ok, total) in sorted(three.items()):
        lines.append(f"| agreement on human label `{label}` | {ok}/{total} |")
    # the 8-12 flag on ordinary safe text: compliant answers to safe prompts
    safe = [k for k, i in enumerate(items) if i.meta["safe_prompt"] and not i.label]
    from assurance_harness.datatypes import SuiteContext  # noqa: F401  (documented audience)

    age = score("age-appropriateness", [items[k].text for k in safe])
    flagged = sum(int(r["min_age"] > 12) for r in age)
    flow, fhigh = wilson(flagged, len(safe))
    lines += [
        "",
        f"8-12 flag (content `min_age` > 12) on compliant answers to XSTest's safe prompts "
        f"(ordinary safe text, though on alarming-looking topics): {flagged}/{len(safe)} = "
        f"{flagged / max(1, len(safe)):.3f} [{fmt(flow)}, {fmt(fhigh)}].",
    ]
    figures = {
        "declined_accuracy": {"value": correct / n, "ci": [low, high], "n": n},
        "auc": {"auc": auc, "ci": [alow, ahigh]},
        "moral": {"value": moral_hits / max(1, len(moral)), "ci": [mlow, mhigh], "n": len(moral)},
        "flag_12_fpr": {"value": flagged / max(1, len(safe)), "ci": [flow, fhigh], "n": len(safe)},
    }
    return Section(title, lines, figures)


PUBLIC_SECTIONS = (section_toxigen, section_hatecheck, section_ethos, section_xstest_completions)
