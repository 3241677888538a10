"""Helpers shared by the expanders: stable seeding, prompt rewriting, file resolution.

Python's ``hash()`` is salted per process, so seeds are derived with SHA-256 instead: the same
suite seed, case id and operator give the same random stream on every machine and every run.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..model import Case


def stable_rng(*parts: object) -> random.Random:
    """A ``random.Random`` seeded from the parts, identical across processes and platforms."""
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8")).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def resolve_path(base_dir: Path, raw: str, *, what: str) -> Path:
    """Resolve a path from expander params against the suite's directory; fail with one line."""
    path = Path(raw).expanduser()
    if not path.is_absolute():
        path = base_dir / path
    if not path.exists():
        raise ConfigError.single(
            str(path),
            f"{what} not found",
            hint="paths in 'expand' params are relative to the suite file's directory",
        )
    return path


def rewrite_user_text(case: Case, rewrite: Callable[[str], str]) -> tuple[Any, Any]:
    """Apply ``rewrite`` to the text a user typed: the prompt, or the last user message.

    Returns ``(prompt, messages)`` for a copied case; earlier turns and system messages are
    left as they were, since a perturbation models what the user sends now.
    """
    if case.prompt is not None or case.messages is None:
        return rewrite(case.prompt or ""), None
    messages = [m.model_copy() for m in case.messages]
    for index in range(len(messages) - 1, -1, -1):
        if messages[index].role == "user":
            messages[index] = messages[index].model_copy(
                update={"content": rewrite(messages[index].content)}
            )
            break
    return None, messages


def derive(case: Case, *, new_id: str, prompt: Any, messages: Any, meta: dict[str, Any]) -> Case:
    """A copy of ``case`` with a new id, new user text and extra metadata."""
    metadata = {**case.metadata, **meta}
    return Case(
        id=new_id,
        prompt=prompt,
        messages=messages,
        expected=case.expected.model_copy(deep=True),
        metadata=metadata,
    )


def is_derived(case: Case) -> bool:
    """True for cases an earlier robustness expander produced (perturbed variants or originals)."""
    return "perturbation" in case.metadata
