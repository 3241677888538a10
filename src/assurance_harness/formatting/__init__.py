"""How figures and text are written for people, in every report, view and table.

One rule for the whole package: 4 significant digits, an en dash (``–``) for a missing value,
``≤``/``≥`` for thresholds, timestamps to the minute in UTC, and Markdown that renders exactly
the text it was given (model output never becomes markup). Imports nothing else of the package
but ``limits`` (on which side of a gate's limit a figure stands, which the digits must show).
"""

from __future__ import annotations

from .figures import (
    DIGITS,
    MISSING,
    bound,
    coverage_notes,
    error_rate_and_limit,
    failing_groups_text,
    figure,
    gate_level,
    gate_rule,
    group_name,
    incomplete_answer,
    incomplete_line,
    interval,
    interval_note,
    labelled_interval,
    level,
    metric_figure,
    no_case_text,
    num,
    num_beside,
    p_value,
    percent,
    percent_beside,
    recorded_level,
    row_incomplete,
    signed,
    threshold,
    when,
)
from .markdown import md_code, md_code_block, md_table, md_text
from .names import unique_name

__all__ = [
    "DIGITS",
    "MISSING",
    "bound",
    "coverage_notes",
    "error_rate_and_limit",
    "failing_groups_text",
    "figure",
    "gate_level",
    "gate_rule",
    "group_name",
    "incomplete_answer",
    "incomplete_line",
    "interval",
    "interval_note",
    "labelled_interval",
    "level",
    "md_code",
    "md_code_block",
    "md_table",
    "md_text",
    "metric_figure",
    "no_case_text",
    "num",
    "num_beside",
    "p_value",
    "percent",
    "percent_beside",
    "recorded_level",
    "row_incomplete",
    "signed",
    "threshold",
    "unique_name",
    "when",
]
