"""The paired kind (``metrics.paired``) from a streamed run's columns: its cells (a pair key's
values per group) and its worst cases from the value as a number (NaN: null or not a number,
as ``number`` reads it) and group codes of the pair key, the group and the stratum
(``metrics.columns.GroupColumn``: -1 for null, a table of distinct texts), not from rows.

A pair key's text is kept (its code's entry in the table), not a hash: pairs are sorted by
their text. The table grows with the distinct pairs, as the kind's own state does; a row costs
8 bytes for its value and 4 for each code. Each cell's values are meaned in row order with
``np.mean`` as ``PairedDeltaMetric`` means them, and passed to the kind alone
(``from_cells``): the mean of one float is that float, so the figures are the rows' bit for
bit (tests/metrics/test_paired_columns.py).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .paired import _DIGITS, _base

Cells = dict[str, dict[str, list[float]]]


def cells_of(
    values: np.ndarray,
    keys: np.ndarray,
    groups: np.ndarray,
    key_names: Sequence[str],
    group_names: Sequence[str],
) -> tuple[Cells, int]:
    """As ``paired._cells`` for these rows (in run order): each pair key's groups, in order of
    first appearance, with their values' mean as a one-item list; and the rows skipped (a null
    key, group or value)."""
    ok = (keys >= 0) & (groups >= 0) & ~np.isnan(values)
    skipped = int(values.size - np.count_nonzero(ok))
    k, g, v = keys[ok].astype(np.int64), groups[ok].astype(np.int64), values[ok]
    cells: Cells = {}
    if not v.size:
        return cells, skipped
    width = int(g.max()) + 1
    found, first, inverse, counts = np.unique(
        k * width + g, return_index=True, return_inverse=True, return_counts=True
    )
    if bool((counts == 1).all()):
        means = v[np.argsort(inverse.ravel(), kind="stable")].tolist()
    else:
        ordered = v[np.argsort(inverse.ravel(), kind="stable")]  # a cell's values in row order
        starts = np.concatenate(([0], np.cumsum(counts)[:-1])).tolist()
        means = [
            float(ordered[s]) if c == 1 else float(np.mean(ordered[s : s + c].tolist()))
            for s, c in zip(starts, counts.tolist(), strict=True)
        ]
    for i in np.argsort(first, kind="stable").tolist():
        key, group = divmod(int(found[i]), width)
        cells.setdefault(key_names[key], {})[group_names[group]] = [means[i]]
    return cells, skipped


def worst_rows(
    values: np.ndarray,
    keys: np.ndarray,
    groups: np.ndarray,
    strata: np.ndarray | None,
    key_names: Sequence[str],
    group_names: Sequence[str],
    reference: str | None,
    *,
    too_high: bool,
) -> np.ndarray:
    """As ``PairedDeltaMetric.worst_cases``: the indices of these rows whose delta from their
    pair's base pushes toward failing, worst first (ties: strata in order of first appearance,
    then row order). A row with a null group still has a delta (its group reads "None")."""
    if strata is None:
        parts = [np.arange(values.size)]
    else:
        present, first = np.unique(strata[strata >= 0], return_index=True)
        parts = [
            np.flatnonzero(strata == code) for code in present[np.argsort(first, kind="stable")]
        ]
    is_reference = np.zeros(values.size, dtype=bool)
    if reference is not None:
        if reference in group_names:
            is_reference |= groups == list(group_names).index(reference)
        if reference == "None":
            is_reference |= groups == -1
    code_of = {name: code for code, name in enumerate(key_names)}
    badness: list[np.ndarray] = []
    found: list[np.ndarray] = []
    for part in parts:
        v, k = values[part], keys[part]
        cells, _ = cells_of(v, k, groups[part], key_names, group_names)
        bases = np.zeros(len(key_names) + 1)  # + 1: a null key's index (0) when none has text
        has_base = np.zeros(len(key_names) + 1, dtype=bool)
        for text, cell in cells.items():
            base = _base(cell, reference)
            if base is not None:
                bases[code_of[text]], has_base[code_of[text]] = base, True
        k_safe = np.where(k >= 0, k, 0)
        mine = (k >= 0) & ~np.isnan(v) & ~is_reference[part] & has_base[k_safe]
        deltas = np.array(
            [
                round(a - b, _DIGITS)
                for a, b in zip(v[mine].tolist(), bases[k_safe[mine]].tolist(), strict=True)
            ],
            dtype=np.float64,
        )
        bad = deltas if too_high else -deltas
        keep = bad > 0
        badness.append(bad[keep])
        found.append(part[mine][keep])
    if not found:
        return np.zeros(0, dtype=np.int64)
    bad_all = np.concatenate(badness)
    rows = np.concatenate(found)
    rank = np.concatenate([np.full(b.size, i) for i, b in enumerate(badness)])
    return rows[np.lexsort((rows, rank, -bad_all))]
