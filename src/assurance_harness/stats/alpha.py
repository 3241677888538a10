"""Krippendorff's alpha for yes/no labels (the nominal metric), with a BCa bootstrap interval
over rows: the agreement figure where reviewers are not one fixed pair.

Cohen's kappa is defined for one fixed pair of raters; Fleiss' kappa for any raters with the
same number of labels on every row. Krippendorff's alpha (Krippendorff 2004, "Content
Analysis", ch. 11; Hayes and Krippendorff 2007) allows any set of raters and any number of
labels per row (rows with one label are not pairable and drop out); with the same number on
every row it differs from Fleiss' kappa only by a small-sample factor. From the coincidence
matrix: a row with m labels, y of them "yes", adds y(m - y)/(m - 1) to the yes/no
disagreement o_yn; with n labels in all, n_y "yes" and n_n "no",

    alpha = 1 - (n - 1) * o_yn / (n_y * n_n)

and it is undefined (0/0) where every label is the same one. It depends on the rows only
through how many rows have each (m, y), so the bootstrap over rows is ``cellboot.cell_bca``.

Coverage (benchmarks/alpha_coverage.py, reviewers exchangeable on a row, alpha 0.2 to 0.8,
a "yes" rate of 0.1 to 0.5, 2 to 4 labels a row, 20 to 200 rows): the interval under-covers
where the rarer label is given fewer than about 20 times, whatever the rows (0.87-0.95 at
10-19: the script's second table), and at 20 rows whatever the labels; ``alpha_no_interval``
gives no interval there (under ``MIN_LABEL`` labels or ``MIN_ROWS`` rows). Above that the cells
of a 30% or 50% "yes" rate cover 0.928-0.978 (1,000 data sets a cell, seeds 20261207 and 7);
those of a 10% rate 0.81-0.98, under 0.93 with alpha 0.2 or at 50 rows, so ``alpha_caveat``
labels an interval approximate where the rarer label is under ``RARE_SHARE`` of the labels.
That share is the observed one, so the line sits at 20%, twice the rate that under-covers: at
15% the data sets of a 10% rate that reached it by chance were shown unlabelled and covered
0.82-0.92 in a cell (50 to 200 rows). The grid's 15% and 20% rates showed that a share of 20%
is not enough where the rarer label is given few times: at 50 rows those shown unlabelled
covered 0.76-0.93 a cell (15% rate, alpha 0.2 or 0.4, 300 data sets a cell) and 0.92 at a 20%
rate with alpha 0.2, so ``alpha_caveat`` also labels an interval approximate where the rarer
label is given under ``PLAIN_LABEL`` times. With both lines, what is shown unlabelled covered
0.949-0.958 pooled by alpha (1,000 data sets a cell, rows 50 to 200, seed 20261207; seed 7:
0.950-0.956) and 0.935-0.979 in every cell where 100 or more of the 1,000 were (seed 7:
0.935-0.977); below that a rate's data sets cross both lines only by chance, and those few
cover less: 0.88 of 66 (seed 7: 0.89 of 53) at 50 rows, a 20% rate and alpha 0.2, 0.85 of 20 at
200 rows, a 15% rate and alpha 0.8, 0.90 of 80 at 100 rows, a 15% rate and alpha 0.8 (seed 7;
the script's "not approximate" column says how many). Not closed: the bootstrap itself, not
the labels, is what under-covers at a low agreement with a rare label; a bootstrap-t interval
tried covered 0.94 there but was 40% wider and failed at alpha 0.8. Nor does moving the share
line (2026-12-07: one draw of 300 data sets a cell, rows 50 to 200, "yes" rates 0.15 to 0.3,
seed 11, each data set scored against lines of 20%, 25% and 30%): the data sets shown unlabelled
covered 0.951-0.964 pooled by alpha at 20%, 0.950-0.962 at 25%, 0.943-0.964 at 30%, and those
whose true rate lies under the line covered 0.90 of 20 (alpha 0.2), 0.97 of 32 and 0.99 of 70 at
20%, 0.93-0.96 of 63-159 at 25%. The cells under 0.93 move with the line; at 20% those of a
true rate under it held 7 to 11 data sets each (0.86-0.91; two standard errors 0.13-0.17), and
the larger ones are of a rate on or over the line at 50 or 100 rows with low agreement, no
chance crossers (0.906 of 106 at 50 rows, a 25% rate, alpha 0.2; 0.921 of 228 at 50 rows, 30%,
alpha 0.4; 0.924 of 145 at 100 rows, 20%, alpha 0.2): the bootstrap's own shortfall, above.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from .cellboot import cell_bca

MIN_ROWS = 50
"""Fewer pairable rows than this: no interval (coverage study)."""
MIN_LABEL = 20
"""Fewer labels of the rarer kind than this: no interval (coverage study)."""


RARE_SHARE = 0.20
"""The rarer label under this observed share of the labels: the interval is approximate
(coverage study: down to 0.81 at a 10% "yes" rate, least with alpha 0.2 or 50 rows). Twice that
rate, not just above it: a line at 15% let through the 10%-rate data sets whose share came out
high by chance, and those covered 0.82-0.92 in a cell."""

PLAIN_LABEL = 40
"""The rarer label given fewer times than this (but at least ``MIN_LABEL``): the interval is
approximate, whatever its share (coverage study: 20% or more of the labels but given 30-39
times covered 0.92 pooled at alpha 0.2, 0.91 at 50 rows and a 20% "yes" rate; given 40 or more
times 0.949-0.958 pooled by alpha)."""

RARE_COVERED = "0.85-0.98 a cell in simulation, 0.92 pooled with low agreement"
"""What the intervals labelled approximate for a rare share covered (benchmarks/alpha_coverage.py
--datasets 1000 --rows 50 100 200, seed 20261207: the "approximate (share)" rows, 0.924 at
alpha 0.2, 0.949 at 0.4, 0.965 at 0.8; cells 0.854-0.982), as the caveat quotes it."""
FEW_COVERED = "0.928 in simulation pooled with low agreement, 0.91 at 50 rows"
"""The same for those labelled approximate for a rarer label given under ``PLAIN_LABEL`` times
(the "approximate (few)" rows: 0.928 at alpha 0.2, 0.948 at 0.4, 0.973 at 0.8; seed 7: 0.932,
0.957, 0.983; at 50 rows, a
20% "yes" rate and alpha 0.2, 0.91 of 436 in a run of the script's ``draw`` outside it, 500
data sets a cell, seeds 31 and 47)."""


def row_types(rows: Sequence[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(labels m, yes labels y, rows with that (m, y)) over the pairable rows (m >= 2) of
    ``rows``, each a row's (m, y)."""
    kinds = sorted({(m, y) for m, y in rows if m >= 2})
    index = {kind: i for i, kind in enumerate(kinds)}
    counts = np.zeros(len(kinds))
    for m, y in rows:
        if m >= 2:
            counts[index[(m, y)]] += 1
    m_of = np.array([k[0] for k in kinds], dtype=float)
    y_of = np.array([k[1] for k in kinds], dtype=float)
    return m_of, y_of, counts


def alpha_from_counts(m: np.ndarray, y: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Alpha over the last axis of ``counts`` (rows of each kind (m, y)); NaN where undefined
    (no label of one kind, or fewer than two pairable rows' labels)."""
    c = np.asarray(counts, dtype=float)
    n = (c * m).sum(axis=-1)
    yes = (c * y).sum(axis=-1)
    disagree = (c * (y * (m - y) / (m - 1))).sum(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = 1 - (n - 1) * disagree / (yes * (n - yes))
    return np.where(yes * (n - yes) > 0, alpha, np.nan)


def krippendorff_alpha(rows: Sequence[tuple[int, int]]) -> float | None:
    """Alpha over rows given as (labels, "yes" labels); None where undefined."""
    m, y, counts = row_types(rows)
    if not counts.size:
        return None
    value = float(alpha_from_counts(m, y, counts))
    return None if np.isnan(value) else value


def alpha_bca(
    rows: Sequence[tuple[int, int]],
    *,
    seed: int = 0,
    resamples: int = 2000,
    confidence: float = 0.95,
) -> tuple[float | None, float | None]:
    """BCa bootstrap interval over the pairable rows (``cellboot.cell_bca``)."""
    m, y, counts = row_types(rows)
    if not counts.size:
        return None, None
    return cell_bca(
        counts, lambda c: alpha_from_counts(m, y, c), seed=seed, resamples=resamples,
        confidence=confidence,
    )  # fmt: skip


def alpha_no_interval(rows: Sequence[tuple[int, int]]) -> str | None:
    """Why no alpha interval is given (too few rows or labels for one that covers), or None
    (see MIN_ROWS, MIN_LABEL)."""
    m, y, counts = row_types(rows)
    n_rows = int(counts.sum())
    yes = int((counts * y).sum())
    rarer = min(yes, int((counts * m).sum()) - yes)
    if n_rows < MIN_ROWS or rarer < MIN_LABEL:
        return (
            f"no interval: {n_rows} rows with two or more reviewers, rarer label given {rarer} "
            f"times; the bootstrap interval covers as claimed only from {MIN_ROWS} rows and "
            f"{MIN_LABEL} of each label (benchmarks/alpha_coverage.py)"
        )
    return None


def caveat_kind(rows: Sequence[tuple[int, int]]) -> str | None:
    """Which rule makes a given interval approximate: "share" (the rarer label under
    ``RARE_SHARE`` of the labels), "few" (given under ``PLAIN_LABEL`` times), or None. The
    coverage study tallies its data sets by this, so the caveat quotes what it measured."""
    m, y, counts = row_types(rows)
    labels = int((counts * m).sum())
    yes = int((counts * y).sum())
    rarer = min(yes, labels - yes)
    if not labels or rarer / labels < RARE_SHARE:
        return "share"
    return "few" if rarer < PLAIN_LABEL else None


def _under_line(share: float) -> str:
    """``share`` (under ``RARE_SHARE``) as a percentage that reads as under it: a whole one, or
    cut to one decimal where rounding would reach the line (19.9% printed "20% ... (under
    20%)")."""
    if round(share * 100) < round(RARE_SHARE * 100):
        return f"{share:.0%}"
    return f"{math.floor(share * 1000) / 10:.1f}%"


def alpha_caveat(rows: Sequence[tuple[int, int]]) -> str | None:
    """Why a given alpha interval is approximate (``caveat_kind``), or None."""
    kind = caveat_kind(rows)
    if kind is None:
        return None
    m, y, counts = row_types(rows)
    labels = int((counts * m).sum())
    yes = int((counts * y).sum())
    rarer = min(yes, labels - yes)
    if kind == "share":
        share = rarer / labels if labels else 0.0
        return (
            f"approximate: the rarer label is {_under_line(share)} of the {labels} labels (under "
            f"{RARE_SHARE:.0%}; where one label is that rare the interval covered "
            f"{RARE_COVERED}; benchmarks/alpha_coverage.py)"
        )
    return (
        f"approximate: the rarer label is given {rarer} times (under {PLAIN_LABEL}; with so "
        f"few the interval covered {FEW_COVERED}; benchmarks/alpha_coverage.py)"
    )
