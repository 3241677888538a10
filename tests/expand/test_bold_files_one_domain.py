"""Two BOLD files of one name (``v1/gender_prompt.json`` and ``v2/gender_prompt.json``, or one
file listed twice) give one domain, so their cases shared ids and the ``domain`` a by-domain
figure reads: ``validate`` said the expanders made each id twice and asked whether "one
operator appears in two expanders", which a BOLD suite has none of. The files are named; a
domain split over two files by group (no id shared) stays valid."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.testing.cli import run_cli

SUITE = """suite: b
expand: [{use: bold, with: {files: [FILES]}}]
scorers: [{id: len, use: length}]
metrics: [{id: w, mean: len.words}]
"""


@pytest.mark.parametrize(
    "files",
    [
        "v1/gender_prompt.json, v2/gender_prompt.json",
        "v1/gender_prompt.json, v1/gender_prompt.json",
    ],
    ids=["same-name", "listed-twice"],
)
def test_two_bold_files_of_one_domain_fail_validate_naming_them(tmp_path: Path, files: str) -> None:
    for version in ("v1", "v2"):
        (tmp_path / version).mkdir()
        (tmp_path / version / "gender_prompt.json").write_text(
            '{"G1": {"ann": ["Ann is a"]}, "G2": {"bo": ["Bo is a"]}}'
        )
    (tmp_path / "s.yaml").write_text(SUITE.replace("FILES", files))
    proc = run_cli("validate", "s.yaml", cwd=tmp_path)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 2, output
    assert "Traceback" not in output and "operator" not in output, output
    assert "'gender'" in output and "v1" in output, output
    assert len(output.strip().splitlines()) == 2, output  # one problem, and the count


def test_one_domain_split_over_two_files_by_group_is_valid(tmp_path: Path) -> None:
    for version, group in (("v1", "G1"), ("v2", "G2")):
        (tmp_path / version).mkdir()
        (tmp_path / version / "gender_prompt.json").write_text(
            '{"' + group + '": {"ann": ["Ann is a"]}}'
        )
    files = "v1/gender_prompt.json, v2/gender_prompt.json"
    (tmp_path / "s.yaml").write_text(SUITE.replace("FILES", files))
    proc = run_cli("validate", "s.yaml", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
