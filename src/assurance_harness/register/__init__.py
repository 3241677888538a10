"""The AI risk register and its evidence: a validated register file, an append-only hash-chained
evidence ledger fed by runs, risk status computed from the ledger, views (Markdown, HTML, CSV,
XLSX, Statement of Applicability) and the impact-assessment annex.

Names are imported lazily: the runner imports ``register.ledger`` after every run and should not
pay for jinja2, openpyxl or matplotlib.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "Register": "model",
    "Risk": "model",
    "SuiteLink": "model",
    "SystemContext": "model",
    "load_register": "loader",
    "LoadedRegister": "loader",
    "EvidenceRecord": "ledger",
    "attach_run": "ledger",
    "read_ledger": "ledger",
    "verify_ledger": "ledger",
    "VerifyReport": "ledger",
    "build_status": "status",
    "RegisterStatus": "status",
    "RiskStatus": "status",
    "build_soa": "soa",
    "build_annex": "annex",
    "write_annex": "annex",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
