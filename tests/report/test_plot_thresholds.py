"""Gate threshold lines in the per-group bar plots stay visible."""

from __future__ import annotations

from matplotlib.figure import Figure

from assurance_harness.report.plots import keep_inside


def bars(values: list[float]):
    ax = Figure().add_subplot(1, 1, 1)
    ax.barh(range(len(values)), values)
    return ax


def test_a_threshold_at_zero_is_moved_off_the_axis_edge() -> None:
    # max: 0 on a rate: the bars start at 0 exactly, so the dashed line hid under the spine.
    ax = bars([0.0, 0.0, 0.25])
    assert ax.get_xlim()[0] == 0.0
    keep_inside(ax, [0.0])
    low, high = ax.get_xlim()
    assert low < 0.0 < high and high >= 0.25


def test_a_threshold_beyond_the_bars_is_brought_into_view() -> None:
    ax = bars([0.1, 0.2])
    keep_inside(ax, [0.9])
    assert ax.get_xlim()[1] > 0.9


def test_a_threshold_well_inside_changes_nothing() -> None:
    ax = bars([0.1, 0.5])
    before = ax.get_xlim()
    keep_inside(ax, [0.3])
    assert ax.get_xlim() == before
