"""The work behind ``assurance scorers check``: build the scorer as a suite would, score the
labels, print the figures and optionally write the validity card."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from ..errors import ConfigError, UsageError
from ..scorers.check import DEFAULT_FIELDS, check, make_card, read_labels
from ..scorers.validity import write_card as save_card
from ..store.files import check_output_file


def _build(scorer: str, suite: Path | None) -> tuple[Any, str]:
    """The scorer instance (with the suite's parameters when a suite is given) and how it was
    configured, for the printout."""
    from .. import builtin_plugins  # noqa: F401
    from ..datatypes import SuiteContext
    from ..scorers.base import scorers

    if suite is not None:
        from ..spec.loader import load_suite

        loaded = load_suite(suite, expand=False)
        for config in loaded.scorers:
            if scorer in (config.id, config.cls.name):
                instance = config.cls(config.params, loaded.context())
                return instance, f"as configured in {suite} (id '{config.id}')"
        names = ", ".join(f"{c.id} ({c.cls.name})" for c in loaded.scorers) or "none"
        raise ConfigError.single(
            str(suite), f"no scorer '{scorer}' in this suite", hint=f"its scorers: {names}"
        )
    from pydantic import ValidationError

    from ..registry import UnknownPluginError

    try:
        cls = scorers.get(scorer)
    except UnknownPluginError as exc:
        raise UsageError(f"{exc} (a scorer id needs --suite: the suite that sets it up)") from None
    try:
        params = cls.parse_params({})
    except ValidationError as exc:
        needed = ", ".join(sorted({str(e["loc"][0]) for e in exc.errors() if e["loc"]})) or "some"
        raise UsageError(
            f"scorer '{scorer}' needs parameters ({needed}); give --suite with a suite that "
            "sets them"
        ) from None
    return cls(params, SuiteContext("scorers-check", 0)), "default parameters"


def run_check(
    scorer: str,
    labels: Path,
    *,
    suite: Path | None,
    score: str | None,
    flag: str | None,
    threshold: float | None,
    text_field: str,
    label_field: str,
    write_card: Path | None,
) -> list[str]:
    if threshold is not None and not math.isfinite(threshold):
        raise UsageError(f"--threshold must be a finite number, not {threshold}")
    if write_card is not None:  # before the scorer loads: a refusal costs nothing
        # Never over a run's evidence (its summary.json, its manifest) or the labels read.
        check_output_file(
            write_card,
            suffixes=(".json",),
            writes="a validity card is JSON",
            reads={"--labels": labels, "--suite": suite},
            option="--write-card",
        )
    rows = read_labels(labels, text_field=text_field, label_field=label_field)
    instance, how = _build(scorer, suite)
    instance.check_requirements()
    instance.setup()
    name = instance.name
    default_score, default_flag = DEFAULT_FIELDS.get(name, ("score", "flagged"))
    score_field = score or default_score
    flag_field = flag or default_flag
    found, _ = check(
        instance,
        rows,
        score_field=score_field,
        flag_field=flag_field,
        threshold=threshold,
        source=str(labels),
    )
    decision = f"{score_field} >= {threshold:g}" if threshold is not None else flag_field
    positives = sum(r.label for r in rows)
    lines = [
        f"{name} v{instance.version} ({how}) on {labels}: n = {len(rows)}, {positives} positive",
        f"score: {score_field}; decision: {decision}",
        "",
        f"{'figure':12} {'value':>7}  95% interval      n",
    ]
    for key, fig in found.items():
        interval = (
            f"[{fig.low:.3f}, {fig.high:.3f}]"
            if fig.low is not None and fig.high is not None
            else "n/a"
        )
        lines.append(f"{key:12} {fig.value:7.3f}  {interval:16} {fig.n}")
    if "auc" not in found:
        lines.append("auc          n/a      (the labels need both classes)")
    methods = {key: fig.method for key, fig in found.items() if fig.method}
    if methods:
        lines += ["", "intervals: " + "; ".join(f"{k}: {m}" for k, m in methods.items())]
    for key, fig in found.items():
        if fig.caveat:
            lines.append(f"{key}: the interval is {fig.caveat}")
    if write_card is not None:
        command = f"assurance scorers check {scorer} --labels {labels}"
        if suite is not None:
            command += f" --suite {suite}"
        card = make_card(name, instance.version, labels, len(rows), found, command)
        save_card(card, write_card)
        lines += ["", f"wrote the validity card {write_card}"]
    return lines
