"""The register format: the shipped example loads, and every error names file:line and field."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from assurance_harness.errors import ConfigError
from assurance_harness.register.catalogue import ANNEX_A, NIST_AI_RMF, TECHNICAL
from assurance_harness.register.loader import load_register
from assurance_harness.register.model import rating_for

from .register_testkit import EXAMPLE_REGISTER

GOOD = """\
system:
  name: helper
  intended_use: homework help
  owner: Head of Product
risks:
  - id: R-001
    title: Toxic content
    category: safety
    owner: T&S
    likelihood: 3
    impact: 5
    iso42001_annex_a: [A.6.2.4]
    nist_ai_rmf: [measure 2.6]
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "risk_register.yaml"
    path.write_text(textwrap.dedent(text))
    return path


def _errors(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_register(path)
    return [str(issue) for issue in info.value.issues]


def test_example_register_covers_the_bundled_suites() -> None:
    loaded = load_register(EXAMPLE_REGISTER)
    register = loaded.register
    assert register.system.audience.min_age == 8 and register.system.audience.max_age == 14
    suites = {s for r in register.risks for s in r.suite_names}
    assert suites == {
        "toxicity-core",
        "age-appropriateness-8-12",
        "age-appropriateness-13-17",
        "bias-counterfactual",
        "bias-bbq-style",
        "robustness-perturbation",
        "robustness-jailbreak",
        "privacy-children",
        "privacy-leakage-attacks",
    }
    assert [r.id for r in register.risks if not r.suites] == []
    assert set(register.statement_of_applicability) == set(ANNEX_A)
    text = EXAMPLE_REGISTER.read_text().splitlines()
    assert text[loaded.risk_line("R-001") - 1].strip() == "- id: R-001"


def test_catalogues() -> None:
    assert len(ANNEX_A) == 38
    assert set(ANNEX_A) >= TECHNICAL
    assert "MEASURE 2.13" in NIST_AI_RMF and "MEASURE 2.14" not in NIST_AI_RMF
    assert len(NIST_AI_RMF) == 72
    assert [rating_for(1, 4), rating_for(3, 3), rating_for(4, 4), rating_for(5, 4)] == [
        "low",
        "medium",
        "high",
        "critical",
    ]


def test_good_register_normalises_references(tmp_path: Path) -> None:
    risk = load_register(_write(tmp_path, GOOD)).register.risks[0]
    assert risk.nist_ai_rmf == ["MEASURE 2.6"]
    assert risk.residual_rating == risk.inherent_rating == "high"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "    likelihood: 3\n",
            "    likelihood: 7\n",
            "risk_register.yaml:10: risks[0].likelihood: Input should be less than or equal to 5",
        ),
        (
            "    iso42001_annex_a: [A.6.2.4]\n",
            "    iso42001_annex_a: [A.6.2.9]\n",
            "risk_register.yaml:12: risks[0].iso42001_annex_a: 'A.6.2.9' is not an ISO/IEC "
            "42001:2023 Annex A control",
        ),
        (
            "    nist_ai_rmf: [measure 2.6]\n",
            "    nist_ai_rmf: [MEASURE 2.14]\n",
            "risk_register.yaml:13: risks[0].nist_ai_rmf: 'MEASURE 2.14' is not a NIST AI RMF",
        ),
        (
            "    category: safety\n",
            "    categry: safety\n",
            "risk_register.yaml:8: risks[0].categry: unknown field; did you mean 'category'?",
        ),
        (
            "    impact: 5\n",
            "    impact: 5\n    residual_impact: 5\n    residual_likelihood: 4\n",
            "risk_register.yaml:6: risks[0]: residual_likelihood 4 exceeds likelihood 3",
        ),
        (
            "  owner: Head of Product\n",
            "",
            "risk_register.yaml:2: system.owner: required field is missing; add it",
        ),
    ],
)
def test_errors_carry_file_line_and_field(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    assert old in GOOD
    path = _write(tmp_path, GOOD.replace(old, new))
    errors = _errors(path)
    wanted = str(path.parent / expected)
    assert any(e.startswith(wanted) for e in errors), errors


def test_duplicate_risk_id_names_both_lines(tmp_path: Path) -> None:
    text = GOOD + GOOD.split("risks:\n", 1)[1]
    errors = _errors(_write(tmp_path, text))
    assert errors == [
        f"{tmp_path / 'risk_register.yaml'}:14: risks[1].id: duplicate risk id 'R-001'; "
        "first used at line 6; ids must be unique"
    ]


def test_risk_ids_that_differ_only_in_case_are_refused(tmp_path: Path) -> None:
    # Observed: R-001 and r-001 loaded as two risks, so a suite's evidence for one left the
    # other untested beside it, each row looking like the risk the reader meant.
    text = GOOD + GOOD.split("risks:\n", 1)[1].replace("R-001", "r-001")
    errors = _errors(_write(tmp_path, text))
    assert errors == [
        f"{tmp_path / 'risk_register.yaml'}:14: risks[1].id: risk id 'r-001' differs from "
        "'R-001' only in case; write 'R-001' for the same risk (first used at line 6), or give "
        "this one an id of its own"
    ]


def test_not_a_mapping_and_bad_yaml(tmp_path: Path) -> None:
    assert "must be a YAML mapping" in _errors(_write(tmp_path, "- a\n- b\n"))[0]
    assert "invalid YAML" in _errors(_write(tmp_path, "system: [\n"))[0]


@pytest.mark.parametrize("value", ["5", "1.5", "true"])
def test_risks_that_are_not_a_list_are_a_located_error(tmp_path: Path, value: str) -> None:
    # Was: "internal error: TypeError: 'int' object is not iterable" from the duplicate-id
    # check, which walked risks before pydantic said what was wrong with it.
    text = GOOD.split("risks:\n", 1)[0] + f"risks: {value}\n"
    path = _write(tmp_path, text)
    errors = _errors(path)
    assert any(e.startswith(f"{path}:") and "risks" in e for e in errors), errors
