"""``clustered_two_proportion`` over fewer than two cases in a run. A case's samples show how
that prompt's answers vary, not how prompts do, and the cluster-robust variance needs two
clusters to exist at all: with one, the function counted the samples' total as the effective
n (as if independent). Observed: one prompt answered 0/4 against another 4/4 read p = 0.0047,
and one outcome in the baseline against three cases of 4/4 p = 0.042 (a "regression" from a
single answer). No test is made; from two cases a run it still is."""

from __future__ import annotations

import numpy as np
import pytest

from assurance_harness.stats.twosample import clustered_two_proportion


def _case(*pairs: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    return np.array([float(h) for h, _ in pairs]), np.array([float(n) for _, n in pairs])


@pytest.mark.parametrize(
    ("base", "cand"),
    [
        (_case((0, 4)), _case((4, 4))),  # one case of four samples a run: was p 0.0047
        (_case((0, 1)), _case((4, 4), (4, 4), (4, 4))),  # one outcome against three cases
        (_case((0, 4), (0, 4), (0, 4)), _case((10, 10))),  # the candidate's one case
    ],
)
def test_no_test_over_fewer_than_two_cases_a_run(
    base: tuple[np.ndarray, np.ndarray], cand: tuple[np.ndarray, np.ndarray]
) -> None:
    with pytest.raises(ValueError, match="at least two cases"):
        clustered_two_proportion(*base, *cand)


def test_two_cases_a_run_are_still_tested() -> None:
    result = clustered_two_proportion(*_case((0, 4), (1, 4)), *_case((4, 4), (3, 4)))
    assert result.p_value is not None and 0 < result.p_value <= 1
    assert "over 2 and 2 cases" in result.method
