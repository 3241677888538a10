"""Deprecated alias of ``assurance_harness.datatypes`` (renamed: "model" read as the LLM).

Kept for one release so that plugins importing ``assurance_harness.model`` keep working; import
from ``assurance_harness.datatypes`` (or the package root: ``assurance_harness.Case``) instead.
"""

from __future__ import annotations

import warnings

from .datatypes import (
    Case,
    ErrorInfo,
    Expectations,
    GenerationRequest,
    GenerationResponse,
    Message,
    ResponseRecord,
    ScoreInput,
    SuiteContext,
    with_system_prompt,
)

__all__ = [
    "Case",
    "ErrorInfo",
    "Expectations",
    "GenerationRequest",
    "GenerationResponse",
    "Message",
    "ResponseRecord",
    "ScoreInput",
    "SuiteContext",
    "with_system_prompt",
]

warnings.warn(
    "assurance_harness.model is renamed assurance_harness.datatypes; the old name goes in the "
    "next release",
    DeprecationWarning,
    stacklevel=2,
)
