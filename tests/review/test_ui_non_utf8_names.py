"""The web app's pages over a reports folder holding a run folder whose name is not UTF-8 (a
folder copied from another system, or named by a script): Python holds such a name with lone
surrogates, which no page can be written in. Was: the runs page a 500 (UnicodeEncodeError) for
as long as the folder was there."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from assurance_harness.ui.app import Settings

from .reviewkit import GROUPS_SUITE, make_project
from .serve import get_page, serving


def test_a_run_folder_named_in_bytes_that_are_not_utf8_is_listed_as_those_bytes(
    tmp_path: Path,
) -> None:
    project = make_project(tmp_path, suite_text=GROUPS_SUITE)
    run_id = project.run(reports=False).run_id
    reports = bytes(project.reports)
    odd = os.path.join(reports, b"copy\xff\xfe")
    shutil.copytree(os.path.join(reports, run_id.encode()), odd)
    os.remove(os.path.join(odd, b"summary.json"))  # listed from its folder: not finished
    settings = Settings(project.reports, project.register, project.ledger, reviewer="alice")
    with serving(settings) as base:
        page = get_page(base + "/")
    assert run_id in page
    assert "copy\\xff\\xfe" in page  # the bytes it holds, as the terminal views show them
