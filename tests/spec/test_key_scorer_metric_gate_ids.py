"""A suite's scorer, metric and gate ids, and the metric a gate names, are keys too: results,
summaries, baselines, comparisons and the evidence ledger (a gate's id) are keyed on them. They
were plain text: metrics ``r`` and ``r`` + U+200B were two metrics printing as one, a scorer id
holding an ideographic space was accepted, and a gate naming ``r`` + a no-break space said
"unknown metric 'r '; did you mean 'r'?", a line that cannot be acted on. Each is now held to
what a key may hold (``datatypes.key_text``): one located line naming the code point, exit 2,
nothing sent."""

from __future__ import annotations

from pathlib import Path

import pytest

from assurance_harness.errors import ConfigError
from assurance_harness.spec.loader import load_suite

from ..testing.cli import refused_at_validate_and_run
from ..testing.project import sent_marking_project

HEAD = "suite: s\ncases: [{id: a, prompt: hi}]\nscorers:\n"
SCORER = "  - {id: m, use: contains, with: {terms: [x]}}\n"
METRIC = "metrics:\n  - {id: r, rate: m.matched}\n"

CASES = [
    # (suite after the head, the line and field named, what is named)
    (
        SCORER + METRIC + '  - {id: "r\\u200b", rate: m.matched}\n',
        7,
        "metrics[1].id",
        "invisible character U+200B (ZERO WIDTH SPACE) at position 2",
    ),
    (
        SCORER + METRIC + 'gates: [{metric: "r\\u00a0", max: 0.1}]\n',
        7,
        "gates[0].metric",
        "space other than a plain space U+00A0 (NO-BREAK SPACE) at position 2",
    ),
    (
        SCORER + METRIC + 'gates: [{id: "g\\u202e1", metric: r, max: 0.1}]\n',
        7,
        "gates[0].id",
        "invisible character U+202E (RIGHT-TO-LEFT OVERRIDE) at position 2",
    ),
    (
        '  - {id: "m\\u3000", use: contains, with: {terms: [x]}}\n',
        4,
        "scorers[0].id",
        "space other than a plain space U+3000 (IDEOGRAPHIC SPACE) at position 2",
    ),
]


@pytest.mark.parametrize(("suite", "line", "field", "named"), CASES)
def test_a_scorer_metric_or_gate_id_is_held_to_what_a_key_may_hold(
    write, suite: str, line: int, field: str, named: str
) -> None:
    path = write("s.yaml", HEAD + suite)
    with pytest.raises(ConfigError) as raised:
        load_suite(path)
    messages = [str(issue) for issue in raised.value.issues]
    assert len(messages) == 1, messages  # one line: no "unknown metric" beside it
    (message,) = messages
    assert message.startswith(f"{path}:{line}: {field}: {named}"), message
    assert "names and ids are keys" in message, message


def test_metric_ids_that_print_alike_are_refused_at_validate_and_run(tmp_path: Path) -> None:
    sent_marking_project(tmp_path, "keyids_target", HEAD + CASES[0][0])
    refused_at_validate_and_run(tmp_path, "s.yaml:7", "metrics[1].id", "U+200B (ZERO WIDTH SPACE)")


def test_plain_spaces_stay_part_of_these_ids(write) -> None:
    suite = (
        SCORER + '  - {id: "m 1", use: contains, with: {terms: [y]}}\n'
        'metrics: [{id: "r 1", rate: m.matched}]\ngates: [{id: "g 1", metric: "r 1", max: 0.1}]\n'
    )
    loaded = load_suite(write("s.yaml", HEAD + suite))
    assert [m.id for m in loaded.metrics] == ["r 1"]
    assert [s.id for s in loaded.scorers] == ["m", "m 1"]
    assert [g.label for g in loaded.suite.gates] == ["g 1"]
