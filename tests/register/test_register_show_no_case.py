"""``register show`` says why a failed gate lists no worst case: none of its failing group's
rows pushed it toward failing (it failed on its interval bound alone). Text and Markdown
printed the gate's fail and no case after it, as if its evidence were missing; they now say
so, as the report and annex do (``formatting.no_case_text``)."""

from __future__ import annotations

import pytest

from assurance_harness.formatting import md_text
from tests.review.reviewkit import BOUND_ONLY_LINE, BOUND_ONLY_SUITE, Project, make_project
from tests.testing.cli import invoke_in_process

GATE = "bad_rate <= 0.2 (upper bound)"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    made = make_project(tmp_path_factory.mktemp("show-no-case"), suite_text=BOUND_ONLY_SUITE)
    made.run()
    return made


def _show(project: Project, *options: str) -> str:
    done = invoke_in_process(
        ["register", "show", "R-001", "--register", str(project.register),
         "--reports", str(project.reports), *options]
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    return " ".join(done.output.split())  # the terminal may wrap the line


def test_the_text_says_no_case_pushed_the_failing_group(project: Project) -> None:
    output = _show(project)
    assert f"worst cases for {GATE}: none: {BOUND_ONLY_LINE}" in output, output


def test_the_markdown_says_no_case_pushed_the_failing_group(project: Project) -> None:
    output = _show(project, "--format", "md")
    line = f"Worst cases for {md_text(GATE)}: none: {md_text(BOUND_ONLY_LINE)}."
    assert line in output and "\\<small> toward" in line, output
