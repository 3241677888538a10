"""What the team store keeps of a model's or a data set's text that holds NUL (U+0000).

PostgreSQL's TEXT cannot hold NUL: a queued row whose answer held one was refused as the run
stored its review queue, the run exited 3, and every ``--resume`` met the same refusal, so the
run could never finish. In PostgreSQL only, the columns of ``STAND_IN_COLUMNS`` keep each NUL
as ``NUL_STAND_IN`` (``␀``, U+2400, the symbol that stands for NUL): no new column, so no schema
version and no older tool refused; the embedded store keeps NUL as it is. The exact text stays
in the run folder (results.jsonl), which every hash (manifest, evidence ledger) is taken over;
what the store holds is only shown, never compared with a run's files, and a page or table that
shows a stand-in says so (``stand_in_note``).

JSON columns (scores, metadata, the ledger's lines) need none of this: JSON writes NUL as
``\\u0000``. Names that are keys (suite, target, case ids, reviewers) are not stood in for: a
lookup by the real name would then silently miss, and a name would print as another; the suite,
dataset and target files' loaders and the review commands refuse a control character in them
(``datatypes.key_text``, ``review.store.reviewer_name``). One rule for every text column: it is
in ``STAND_IN_COLUMNS`` (text a model, a data set or a person wrote, only ever shown), or a NUL
in it is refused (``nul_column``): ``store migrate`` names the row of an embedded store written
by an older tool, rather than PostgreSQL's own message.
"""

from __future__ import annotations

from typing import Any

from ..formatting.pagetext import NUL_STAND_IN
from .database import Dialect

STAND_IN_COLUMNS: dict[str, tuple[str, ...]] = {
    "review_queue": ("prompt", "response", "finish_reason"),
    "runs": ("model_version",),
    "review_verdicts": ("note",),
    "baselines": ("note",),
    "baseline_history": ("note",),
}
"""The text columns a model, a data set or a person fills and only readers that show them
read: the queued row's prompt and answer and how its endpoint said it ended, the model version
the target reported (``runs list``, the web app's runs page; never a key, never compared with
summary.json), and a reviewer's or a baseline's note. A note holding NUL reaches the store only
from a tool older than ``review.store.review_note``, or a pasted one: verdicts are append-only,
so refusing it would leave that history no way into the team store; the ledger keeps the exact
note."""


def kept_text(text: str | None, dialect: Dialect) -> str | None:
    """``text`` as the store of ``dialect`` keeps it in a ``STAND_IN_COLUMNS`` column."""
    if text is None or dialect != "postgresql" or "\x00" not in text:
        return text
    return text.replace("\x00", NUL_STAND_IN)


def kept_row(table: str, row: dict[str, Any], dialect: Dialect) -> dict[str, Any]:
    """``row`` of ``table`` as the store of ``dialect`` keeps it (``store migrate``: a row
    copied from the embedded store is compared and written as the team store holds it)."""
    columns = STAND_IN_COLUMNS.get(table, ())
    return {
        name: kept_text(value, dialect) if name in columns and isinstance(value, str) else value
        for name, value in row.items()
    }


def nul_column(table: str, row: dict[str, Any]) -> str | None:
    """The first column of ``row`` of ``table`` whose text holds a NUL the team store cannot
    keep: one not in ``STAND_IN_COLUMNS`` (a name, a key, an id, a hash, a time); else None."""
    columns = STAND_IN_COLUMNS.get(table, ())
    for name, value in row.items():
        if name not in columns and isinstance(value, str) and "\x00" in value:
            return name
    return None


PROMPTS = ("a prompt or response", "the run's results.jsonl")
"""What ``stand_in_note`` says of the texts shown by default, and where their exact text is."""
NOTES = ("a reviewer's note", "the evidence ledger")
"""The same, for a verdict's note (``review history``, the web app's review history)."""


def stand_in_note(
    dialect: Dialect | None, *texts: str | None, of: tuple[str, str] = PROMPTS
) -> str | None:
    """The line a page or table shows under ``texts`` read from a store of ``dialect``, where
    one may hold a stand-in; else None. ``of``: what the texts are, and where the exact text
    is (``PROMPTS``, ``NOTES``)."""
    if dialect != "postgresql" or not any(t and NUL_STAND_IN in t for t in texts):
        return None
    what, exact = of
    return (
        f"the team store keeps each NUL (U+0000) of {what} as {NUL_STAND_IN} "
        f"(U+2400): PostgreSQL cannot hold NUL; {exact} holds the exact text"
    )


def page_note(
    dialect: Dialect | None, *texts: str | None, of: tuple[str, str] = PROMPTS
) -> str | None:
    """The line a web page shows under ``texts`` read from a store of ``dialect`` (None: from
    a run's files): the team store's (``stand_in_note``), or, where a text holds NUL as it is
    (the embedded store, a run's files), that the page shows it as the team store keeps it
    (``formatting.pagetext``: a browser drops NUL); else None."""
    said = stand_in_note(dialect, *texts, of=of)
    if said is None and any(t and "\x00" in t for t in texts):
        what, exact = of
        said = (
            f"this page shows each NUL (U+0000) of {what} as {NUL_STAND_IN} (U+2400), as the "
            f"team store keeps it: a browser drops NUL; {exact} holds the exact text"
        )
    return said
