"""Old names of the register's formatting, kept while ``annex.py`` still imports them; the one
implementation is :mod:`assurance_harness.formatting` (``threshold`` is ``gate_rule`` there,
``with_interval`` is ``metric_figure``)."""

from __future__ import annotations

from ..formatting import gate_rule as threshold
from ..formatting import md_code, md_code_block, md_table, md_text, num, when
from ..formatting import metric_figure as with_interval

__all__ = [
    "md_code",
    "md_code_block",
    "md_table",
    "md_text",
    "num",
    "threshold",
    "when",
    "with_interval",
]
