"""How many cases a paired test left out, per run, because that run answered them but they
gave the metric no value.

A paired test compares only the cases with a value in both runs (``engine._paired_test``). A
case can lack one in a run for three reasons: that run did not ask it (the shared-cases
warning counts those), its request errored (``errored``), or it was answered and still gave
no value: a scorer that could not score it (a null field), or a ``where:`` that reads the
answer and left the row out. The last were said only as "N with a value in one run only left
out", so a candidate whose scorer gave up on 20 hard answers read as compared over 80 cases
with no word of which run lacked them or why. Runs of other cases (tested unpaired) count
each run's answered cases without a value, where the metric has no ``where:``: with one,
a population it leaves out by design (``where: meta.lang == 'en'``) cannot be told from
answers it dropped. Counted here from what the streamed pass
already keeps (each run's valued cases, its asked cases, its errored cases), with no more
work per row.
"""

from __future__ import annotations

from collections.abc import Collection

from .errored import ROLES


def answered_without_value(
    valued: set[str], other_valued: set[str], asked: Collection[str], failed: set[str]
) -> set[str]:
    """The cases with a value in the other run (``other_valued``) but none in this one
    (``valued``) that this run asked (``asked``) and whose request did not error
    (``failed``): answered, and left out of the paired test for want of a value."""
    return {case for case in other_valued - valued if case in asked and case not in failed}


def no_value_note(
    left_out: dict[str, dict[str, int]], *, where: bool, paired: bool = True
) -> str | None:
    """The metric's note for ``left_out`` (per role, ``{"cases", "of_cases"}``), or None where
    neither run left out an answered case; ``where``: the metric has a ``where:`` (which may
    have left the rows out, as a null value may: the two are not told apart here);
    ``paired``: the cases lack a value the other run has, else (runs of other cases) they are
    simply left out of the run's figure."""
    parts = [
        f"{counts['cases']} of {counts['of_cases']} cases in the {role} run"
        for role in ROLES
        if (counts := left_out.get(role)) and counts["cases"]
    ]
    if not parts:
        return None
    why = (
        "a null value or its where: left the row out"
        if where
        else "a null value, as from a scorer that could not score the answer"
    )
    if not paired:
        return (
            f"answered but gave no value ({why}), so these are left out of the test: "
            f"{'; '.join(parts)}"
        )
    return (
        f"answered but gave no value ({why}), so these are left out of the paired test, the "
        f"other run's value having nothing to pair with: {'; '.join(parts)}"
    )
