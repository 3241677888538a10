"""Human review: which rows a person must see, their append-only verdicts, and what the
verdicts change (review-aware gates, ``human.label`` in metrics, agreement figures).

The queue is decided when a run finishes (``summary.json`` keeps it, so the evidence ledger's
hash of the summary covers it); verdicts live in ``runs.db`` and, as review records, in the
evidence ledger.
"""
