"""A problem an expander finds while it expands is one line naming the suite's line: the
parameter that is wrong (``only``, ``wrappers``, ``groups``), else the ``expand`` entry. It was
``s.yaml: expand (counterfactual): .: expand.with.only: unknown axis ...`` (no line, the
suite's folder as a file), or named the bundled attack library for a wrapper id the suite
misspelt."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.testing.cli import run_cli

BOLD = '{"G1": {"jane": ["Jane is a"]}, "G2": {"bob": ["Bob was"]}}'
AXES = "      axes: {g: {groups: {x: {person: a girl}, y: {person: a boy}}}}\n"


@pytest.mark.parametrize(
    ("cases", "expand", "expected"),
    [
        (
            "[{id: a, prompt: 'hi {person}'}]",
            f"  - use: counterfactual\n    with:\n{AXES}      only: [g, nope]\n",
            "s.yaml:7: expand[0].with.only: unknown axis 'nope' in 'only'; known axes: g",
        ),
        (
            "[{id: a, prompt: hi}]",
            "  - use: attack\n    with:\n      wrappers: [prefix-injection, dan]\n",
            "s.yaml:6: expand[0].with.wrappers: unknown wrapper id 'dan'; ids in this library: ",
        ),
        (
            "[]",
            "  - use: bold\n    with:\n      files: [b_prompt.json]\n      groups: [G1, G3]\n",
            "s.yaml:7: expand[0].with.groups: group 'G3' is in none of the BOLD files",
        ),
        (
            "[{id: a, prompt: 'hi {pronoun}'}]",
            f"  - use: counterfactual\n    with:\n{AXES}",
            "s.yaml:4: expand[0]: template 'a' has placeholders ['pronoun'] that no axis fills",
        ),
        (
            "[{id: a, prompt: hi}]",
            "  - use: attack\n    with:\n      library: lib.yaml\n",
            "s.yaml:4: expand[0] (attack): ",
        ),
    ],
)
def test_an_expander_s_problem_names_the_suite_s_line(
    tmp_path: Path, cases: str, expand: str, expected: str
) -> None:
    (tmp_path / "b_prompt.json").write_text(BOLD)
    (tmp_path / "lib.yaml").write_text("library: l\nversion: '1'\nwrappers: []\n")
    (tmp_path / "s.yaml").write_text(
        f"suite: s\ncases: {cases}\nexpand:\n{expand}metrics: [{{id: failed, rate: error}}]\n"
    )
    proc = run_cli("validate", "s.yaml", cwd=tmp_path)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 2, output
    problems = [line for line in output.splitlines() if "problem(s)" not in line]
    assert len(problems) == 1, output
    assert problems[0].startswith(expected), output
    assert "internal error" not in output, output


@pytest.mark.parametrize(
    "expand",
    [
        "{use: attack, with: {wrappers: [prefix-injection]}}",
        "{use: perturb, with: {operators: [typo]}}",
    ],
)
def test_a_conversation_without_a_user_turn_is_refused_not_sent_as_its_variant(
    tmp_path: Path, expand: str
) -> None:
    """The attack or perturbation rewrites the user's turn: a conversation with none was sent
    unchanged as each "attacked" variant (``perturbation_changed: true``), so the attack success
    rate counted sends that carried no attack; perturbed variants were sent and then left out."""
    (tmp_path / "s.yaml").write_text(
        "suite: s\n"
        "cases:\n"
        "  - {id: fine, prompt: 'Tell me about volcanoes'}\n"
        "  - id: chat\n"
        "    messages: [{role: system, content: Be kind.}, {role: assistant, content: Hi}]\n"
        f"expand: [{expand}]\n"
        "metrics: [{id: failed, rate: error}]\n"
    )
    proc = run_cli("validate", "s.yaml", cwd=tmp_path)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 2, output
    problems = [line for line in output.splitlines() if "problem(s)" not in line]
    assert len(problems) == 1, output
    assert problems[0].startswith("s.yaml:6: expand[0]: case 'chat' has no user message"), output
