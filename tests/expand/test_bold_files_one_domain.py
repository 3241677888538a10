"""Two BOLD files of one name (``v1/gender_prompt.json`` and ``v2/gender_prompt.json``, or one
file listed twice) give one domain, so their cases shared ids and the ``domain`` a by-domain
figure reads: ``validate`` said the expanders made each id twice and asked whether "one
operator appears in two expanders", which a BOLD suite has none of. The files are named."""

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
