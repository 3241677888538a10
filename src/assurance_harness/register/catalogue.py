"""Reference catalogues the register points into: ISO/IEC 42001:2023 Annex A controls and NIST AI
RMF 1.0 subcategories.

Only identifiers and short titles are kept (enough to validate a reference and to print a
Statement of Applicability); the standards' text is not reproduced. ``TECHNICAL`` marks the
controls that behavioural test results can evidence, so the SoA can say which gaps are expected
(organisational controls) and which are real (testable controls nobody tests).
"""

from __future__ import annotations

import re

ANNEX_A: dict[str, str] = {
    "A.2.2": "AI policy",
    "A.2.3": "Alignment with other organizational policies",
    "A.2.4": "Review of the AI policy",
    "A.3.2": "AI roles and responsibilities",
    "A.3.3": "Reporting of concerns",
    "A.4.2": "Resource documentation",
    "A.4.3": "Data resources",
    "A.4.4": "Tooling resources",
    "A.4.5": "System and computing resources",
    "A.4.6": "Human resources",
    "A.5.2": "AI system impact assessment process",
    "A.5.3": "Documentation of AI system impact assessments",
    "A.5.4": "Assessing AI system impact on individuals or groups of individuals",
    "A.5.5": "Assessing societal impacts of AI systems",
    "A.6.1.2": "Objectives for responsible development of AI system",
    "A.6.1.3": "Processes for responsible AI system design and development",
    "A.6.2.2": "AI system requirements and specification",
    "A.6.2.3": "Documentation of AI system design and development",
    "A.6.2.4": "AI system verification and validation",
    "A.6.2.5": "AI system deployment",
    "A.6.2.6": "AI system operation and monitoring",
    "A.6.2.7": "AI system technical documentation",
    "A.6.2.8": "AI system recording of event logs",
    "A.7.2": "Data for development and enhancement of AI system",
    "A.7.3": "Acquisition of data",
    "A.7.4": "Quality of data for AI systems",
    "A.7.5": "Data provenance",
    "A.7.6": "Data preparation",
    "A.8.2": "System documentation and information for users",
    "A.8.3": "External reporting",
    "A.8.4": "Communication of incidents",
    "A.8.5": "Information for interested parties",
    "A.9.2": "Processes for responsible use of AI systems",
    "A.9.3": "Objectives for responsible use of AI system",
    "A.9.4": "Intended use of the AI system",
    "A.10.2": "Allocating responsibilities",
    "A.10.3": "Suppliers",
    "A.10.4": "Customers",
}
"""The 38 controls of ISO/IEC 42001:2023 Annex A, in the standard's order."""

ANNEX_A_SECTIONS: dict[str, str] = {
    "A.2": "Policies related to AI",
    "A.3": "Internal organization",
    "A.4": "Resources for AI systems",
    "A.5": "Assessing impacts of AI systems",
    "A.6": "AI system life cycle",
    "A.7": "Data for AI systems",
    "A.8": "Information for interested parties of AI systems",
    "A.9": "Use of AI systems",
    "A.10": "Third-party and customer relationships",
}

TECHNICAL: frozenset[str] = frozenset(
    {
        # Behavioural test results are direct evidence for these: impact on individuals and
        # groups (A.5.4), verification and validation (A.6.2.4), the release decision
        # (A.6.2.5), monitoring in operation (A.6.2.6), logs of what was run (A.6.2.8), the
        # quality of the evaluation data (A.7.4) and the documented intended use (A.9.4).
        "A.5.4",
        "A.5.5",
        "A.6.2.4",
        "A.6.2.5",
        "A.6.2.6",
        "A.6.2.8",
        "A.7.4",
        "A.9.4",
    }
)

# Subcategory counts per category of NIST AI RMF 1.0 (AI 100-1), e.g. MEASURE 2 has 2.1-2.13.
_NIST_COUNTS: dict[str, dict[int, int]] = {
    "GOVERN": {1: 7, 2: 3, 3: 2, 4: 3, 5: 2, 6: 2},
    "MAP": {1: 6, 2: 3, 3: 5, 4: 2, 5: 2},
    "MEASURE": {1: 3, 2: 13, 3: 3, 4: 3},
    "MANAGE": {1: 4, 2: 4, 3: 2, 4: 3},
}

NIST_AI_RMF: frozenset[str] = frozenset(
    f"{function} {category}.{sub}"
    for function, categories in _NIST_COUNTS.items()
    for category, count in categories.items()
    for sub in range(1, count + 1)
)
"""Every NIST AI RMF 1.0 subcategory id, written ``FUNCTION C.S`` (``MEASURE 2.11``)."""

_NIST_RE = re.compile(r"^\s*(govern|map|measure|manage)\s*[- ]?\s*(\d+)\.(\d+)\s*$", re.IGNORECASE)


def normalize_nist(ref: str) -> str:
    """``measure 2.11`` / ``MEASURE-2.11`` -> ``MEASURE 2.11`` (unchanged if it does not parse)."""
    match = _NIST_RE.match(ref)
    if not match:
        return ref.strip()
    return f"{match.group(1).upper()} {int(match.group(2))}.{int(match.group(3))}"


def annex_a_sort_key(control: str) -> tuple[int, ...]:
    """Order control ids numerically (A.10.2 after A.9.4)."""
    return tuple(int(part) for part in control.removeprefix("A.").split(".") if part.isdigit())


def annex_a_section(control: str) -> str:
    """``A.6.2.4`` -> ``A.6``."""
    parts = control.split(".")
    return ".".join(parts[:2])
