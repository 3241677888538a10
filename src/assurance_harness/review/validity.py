"""A scorer's figures against this deployment's human verdicts, beside its validity card.

They live in ``scorers.reviewed`` (below the views) so the run report and ``min_validity`` can
read them too; this name stays for the review command and older imports.
"""

from __future__ import annotations

from ..scorers.reviewed import ReviewedValidity, reviewed_validity

__all__ = ["ReviewedValidity", "reviewed_validity"]
