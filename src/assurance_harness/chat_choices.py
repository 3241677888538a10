"""Which of a chat-completions answer's ``choices`` is the answer: the one with index 0.

Both readers of chat-completions answers (the ``openai`` target and the ``guard-model``
scorer) take it from here, so a proxy that reorders or merges choices is read the same way by
each: the second choice scored as the answer, or a guard's verdict read from it, would look
exactly like the first.
"""

from __future__ import annotations

import json
from typing import Any


class ChoicesUnclear(ValueError):
    """The choices' indexes do not name one answer; the message says why, for the caller's
    own error (a failed case's ``bad_response``, the guard's one line)."""


def answer_choice(data: Any) -> Any:
    """The choice whose ``index`` is 0, wherever the server put it in ``choices``; where no
    choice carries an index, the first (servers that leave it out). None where there are no
    choices (the caller names what is missing). Indexes that do not name one answer (none is 0,
    one repeats, one is missing beside others or is not a number) raise ``ChoicesUnclear``:
    which text is the answer cannot be told."""
    choices = data.get("choices") if isinstance(data, dict) else None
    if not isinstance(choices, list) or not choices:
        return None
    if not any(isinstance(each, dict) and "index" in each for each in choices):
        return choices[0]
    by_index: dict[int, Any] = {}
    for position, each in enumerate(choices):
        index = each.get("index") if isinstance(each, dict) else None
        if index is None:
            why = f"choices[{position}] has no index, though others have"
        elif isinstance(index, bool) or not isinstance(index, int):
            why = f"choices[{position}] has index {json.dumps(index)[:40]}, not a number"
        elif index in by_index:
            why = f"the choices hold index {index} twice"
        else:
            by_index[index] = each
            continue
        raise ChoicesUnclear(why)
    if 0 not in by_index:
        shown = ", ".join(str(i) for i in sorted(by_index)[:5])
        raise ChoicesUnclear(f"none has index 0 (they have {shown})")
    return by_index[0]
