"""``register export`` to CSV then ``register import`` of that file gives back the register the
owner wrote. Observed: a title that began with a quote before a formula character
(``'=HYPERLINK(...)``, the way a spreadsheet user writes such text on purpose) lost its quote,
and a control written as one item holding a ``;`` ("Output filter; human review") came back as
two controls, while the import said "1 updated" for a file nobody had edited."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assurance_harness.cli import app
from assurance_harness.register.loader import load_register

REGISTER = textwrap.dedent(
    """\
    system: {name: helper, intended_use: homework help, owner: Head of Product}
    risks:
      - id: R-001
        title: {title}
        category: safety
        owner: a
        likelihood: 3
        impact: 5
        controls: {controls}
        suites: [tox]
    """
)


def _round_trip(register: Path, reports: Path, tmp_path: Path) -> tuple[str, Path]:
    """``register export`` to CSV, then ``register import`` of that file to a new register:
    the import's output and the register it wrote."""
    exported = tmp_path / "register.csv"
    runner = CliRunner()
    done = runner.invoke(
        app,
        [
            *("register", "export", "--register", str(register)),
            *("--reports", str(reports), "--out", str(exported)),
        ],
    )
    assert done.exit_code == 0, done.output
    written = tmp_path / "imported.yaml"
    done = runner.invoke(
        app,
        ["register", "import", str(exported), "--register", str(register), "--out", str(written)],
    )
    assert done.exit_code == 0, done.output
    return done.output, written


@pytest.mark.parametrize(
    ("title", "controls"),
    [
        ('"\'=HYPERLINK(\\"http://x\\",\\"y\\")"', "[filter]"),
        ('"\'+cmd"', "[filter]"),
        ("\"''quoted\"", "[filter]"),
        ("plain", "['Output filter; human review']"),
        ("plain", "['a; b', 'c']"),
        ("plain", "[\"'=x\", '=y']"),
    ],
)
def test_an_exported_csv_imports_as_the_same_register(
    tmp_path: Path, reports: Path, title: str, controls: str
) -> None:
    register = tmp_path / "register.yaml"
    register.write_text(
        REGISTER.replace("{title}", title).replace("{controls}", controls), encoding="utf-8"
    )
    output, written = _round_trip(register, reports, tmp_path)
    assert "0 added, 0 updated, 1 unchanged, 0 removed" in output
    before = load_register(register).register.risks[0]
    after = load_register(written).register.risks[0]
    assert after == before


@pytest.mark.parametrize(
    "suites",
    [
        "['tv:core']",
        "[{suite: tv, gates: ['a, b']}]",
        "[{suite: 'tv:core', gates: [x, 'y:z']}]",
        "['a;b']",
        "['\"quoted\"', 'plain']",
    ],
)
def test_a_suite_name_or_gate_id_holding_a_separator_comes_back_whole(
    tmp_path: Path, reports: Path, suites: str
) -> None:
    """Observed: a risk resting on suite ``tv:core`` came back resting on suite ``tv``, gate
    ``core`` (the cell's ``suite: gate, gate`` form split the name), and gate ``a, b`` came
    back as gates ``a`` and ``b``: the risk's evidence then came from another suite, or none."""
    register = tmp_path / "register.yaml"
    text = REGISTER.replace("{title}", "plain").replace("{controls}", "[filter]")
    register.write_text(text.replace("suites: [tox]", f"suites: {suites}"), encoding="utf-8")
    _, written = _round_trip(register, reports, tmp_path)
    before = load_register(register).register.risks[0]
    after = load_register(written).register.risks[0]
    assert after.suites == before.suites


def test_a_quoted_name_never_brings_a_lone_surrogate_into_the_register(tmp_path: Path) -> None:
    """A JSON escape in the cell's quoted form could name half a surrogate pair, which the
    UTF-8 file itself cannot hold: written to the register, it made the file unloadable."""
    from assurance_harness.register.model import SuiteLink

    assert SuiteLink.parse('"a": "\\udc00x"') == {"suite": "a", "gates": ['"\\udc00x"']}
