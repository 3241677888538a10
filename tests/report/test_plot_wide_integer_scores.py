"""A score field of whole numbers with few distinct values but a wide span (one runaway
response's ``len.chars`` among short ones) is drawn with a bounded number of bins: one bin per
integer across the span made a 100,000-character answer a 100,000-bin histogram (154 s and
1.2 GB to write a two-row run's report; a 20 MB answer took the run 8 minutes)."""

from __future__ import annotations

from typing import Any

import pytest
from matplotlib.axes import Axes

from assurance_harness.report.plots import score_distributions

MOST_BINS = 200
"""Far more than a histogram a few inches wide can show; far fewer than the span."""


def _rows(chars: list[int]) -> list[dict[str, Any]]:
    return [
        {"case_id": f"c{i}", "sample": 0, "scores": {"len": {"chars": n, "words": 1 + i % 3}}}
        for i, n in enumerate(chars)
    ]


@pytest.fixture
def bins_drawn(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The number of bins of each histogram drawn (the real drawing, refused past MOST_BINS
    before matplotlib spends minutes on it)."""
    counts: list[int] = []
    real = Axes.hist

    def hist(self: Axes, x: Any, bins: Any = None, **kwargs: Any) -> Any:
        count = bins if isinstance(bins, int) else len(bins) - 1
        counts.append(count)
        assert count <= MOST_BINS, f"{count} bins for {len(x)} values"
        return real(self, x, bins=bins, **kwargs)

    monkeypatch.setattr(Axes, "hist", hist)
    return counts


def test_a_runaway_length_is_drawn_in_few_bins(bins_drawn: list[int]) -> None:
    plot = score_distributions(_rows([4, 12, 100_000, 7]))
    assert plot is not None and plot.png.startswith(b"\x89PNG")
    assert len(bins_drawn) == 2  # len.chars and len.words


def test_small_whole_numbers_keep_one_bin_per_value(bins_drawn: list[int]) -> None:
    """The reason for unit bins stays: counts 0..5 are drawn one bar per count."""
    plot = score_distributions(_rows([0, 1, 2, 5, 3]))
    assert plot is not None
    assert sorted(bins_drawn) == [3, 6]  # words 1..3, chars 0..5
