"""A callable target's cache key holds a case's metadata only where its function is given it
(a ``metadata`` or ``request`` parameter, or ``**kwargs``): a function that takes the prompt
alone answers the same whatever the metadata says.

Observed: every callable target keyed the response cache on metadata, so after a suite's
metadata was edited (a tag added for the report's groups) a function that never sees it was
sent every such case again, its cached answers missed."""

from __future__ import annotations

from pathlib import Path

import pytest

from assurance_harness.runner.run import RunOutcome, run_suite

SUITE = (
    "suite: metadata-unread\ncases:\n"
    "  - {id: a, prompt: hi, metadata: {topic: greeting}}\n"
    "  - {id: b, prompt: there, metadata: {topic: place}}\n"
    "scorers: [{id: m, use: regex, with: {pattern: echo}}]\n"
    "metrics: [{id: r, rate: m.matched}]\ngates: [{metric: r, min: 0.5}]\n"
)

SIGNATURES = {
    "messages": (False, "def reply(messages):"),
    "messages_params_seed": (False, "def reply(messages, params, *, seed, case_id):"),
    "metadata": (True, "def reply(messages, *, metadata):"),
    "request": (True, "def reply(messages, request):"),
    "kwargs": (True, "def reply(messages, **kwargs):"),
}
"""name -> (whether the function is given the metadata, its ``def`` line)."""


def _runs(root: Path, signature: str) -> tuple[RunOutcome, RunOutcome]:
    """A run of ``SUITE`` against a function with ``signature`` that echoes the prompt, then
    one with case a's metadata edited; both with the cache on."""
    module = f"unread_metadata_bot_{abs(hash(str(root)))}"
    (root / f"{module}.py").write_text(
        f"{signature}\n    return 'echo ' + messages[-1]['content']\n", encoding="utf-8"
    )
    target = root / "t.yaml"
    target.write_text(f"type: callable\nfunction: {module}:reply\npython_path: ['.']\n")
    suite = root / "s.yaml"
    suite.write_text(SUITE, encoding="utf-8")
    first = run_suite(suite, target, reports_dir=root / "reports", write_reports=False)
    suite.write_text(SUITE.replace("topic: greeting", "topic: hello"), encoding="utf-8")
    second = run_suite(suite, target, reports_dir=root / "reports", write_reports=False)
    return first, second


@pytest.mark.parametrize("name", SIGNATURES)
def test_only_a_function_given_the_metadata_misses_the_cache_when_it_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    reads, signature = SIGNATURES[name]
    monkeypatch.chdir(tmp_path)
    first, second = _runs(tmp_path, signature)
    assert first.summary["counts"]["cached"] == 0
    # Case b's metadata is unchanged: cached either way. Case a's is sent again only to a
    # function that could have answered it differently.
    assert second.summary["counts"]["cached"] == (1 if reads else 2), second.summary["counts"]
    assert second.exit_code == 0
