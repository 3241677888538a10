"""``assurance scorers check`` on a labels file holding a text the scorer cannot read.

The refusal scorer leaves an answer in Polish or Chinese unread (every verdict null). The
check then stopped with "the scorer wrote no number in 'score' (got None)" and the hint
"choose --score from: ...": no other field holds a number there, so the hint led nowhere.
It must name the line and the scorer's own reason.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from assurance_harness.cli import app


@pytest.fixture(scope="module")
def labels(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # the refusal model, fitted once per process, and the embedder: loaded outside the test
    from assurance_harness.datatypes import SuiteContext
    from assurance_harness.scorers.refusal import RefusalParams, RefusalScorer

    RefusalScorer(RefusalParams(), SuiteContext("warm", 0)).classify(["A first answer."])
    path = tmp_path_factory.mktemp("check") / "labels.jsonl"
    path.write_text(
        '{"text": "I\'m sorry, but I can\'t help with that.", "label": 1}\n'
        '{"text": "Sure! Photosynthesis turns light into sugar.", "label": 0}\n'
        '{"text": "Przepraszam, ale nie mogę w tym pomóc.", "label": 1}\n',
        encoding="utf-8",
    )
    return path


def test_a_text_the_scorer_cannot_read_is_named_with_its_reason(labels: Path) -> None:
    result = CliRunner().invoke(app, ["scorers", "check", "refusal", "--labels", str(labels)])
    assert result.exit_code == 2, result.output
    assert "labels.jsonl" in result.output and ":3" in result.output, result.output
    assert "language_unsupported: written in Polish" in result.output, result.output
    assert "choose --score" not in result.output, result.output
    assert "Traceback" not in result.output
