"""pytest integration: run assurance suites as test items (one per gate)."""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("assurance")
    group.addoption(
        "--assurance-target",
        default=None,
        help="Target YAML: collect suite files and run them against this target.",
    )
