"""Helpers shared by the expanders: stable seeding, prompt rewriting, file resolution, the
validated YAML data files, and the original/variant pairing of the robustness expanders.

Python's ``hash()`` is salted per process, so seeds are derived with SHA-256 instead: the same
suite seed, case id and operator give the same random stream on every machine and every run.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from ..datatypes import Case
from ..errors import ConfigError
from ..store.files import home_expanded

ModelT = TypeVar("ModelT", bound=BaseModel)


def stable_rng(*parts: object) -> random.Random:
    """A ``random.Random`` seeded from the parts, identical across processes and platforms."""
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8")).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def resolve_path(base_dir: Path, raw: str, *, what: str) -> Path:
    """Resolve a path from expander params against the suite's directory; fail with one line
    (a NUL in it, or ``~user`` of a user this machine does not have, too)."""
    if "\0" in raw:
        raise ConfigError.single(
            repr(raw)[1:-1], f"the path of the {what} holds a NUL character", hint="remove it"
        )
    path = home_expanded(raw)  # '~user' of a user this machine does not have: one line
    if not path.is_absolute():
        path = base_dir / path
    if not path.exists():
        raise ConfigError.single(
            str(path),
            f"{what} not found",
            hint="paths in 'expand' params are relative to the suite file's directory",
        )
    return path


def read_text(path: Path, *, what: str) -> str:
    """A data file named in expander params, as UTF-8 text (a byte-order mark dropped); one
    that cannot be read (a folder, a FIFO, no permission) or is not UTF-8 is one ConfigError
    naming it, and the line. A FIFO is refused before it is opened: opening one waits for a
    writer (for ever, if nobody writes), and /dev/zero never ends. Read bounded: a file past
    ``MAX_READ_MB`` is refused, not held whole."""
    from ..store.files import check_utf8_lines, read_bounded, unreadable_reason

    reason = unreadable_reason(path)
    if reason is not None:
        raise ConfigError.single(str(path), f"cannot read the {what}: {reason}")
    try:
        hint = f"split the {what}"
        check_utf8_lines(path, str(path), hint="re-save the file as UTF-8", line_hint=hint)
        return read_bounded(path, str(path), hint=hint).decode("utf-8-sig")
    except OSError as exc:
        raise ConfigError.single(str(path), f"cannot read the {what}: {exc.strerror}") from None


def nested_too_deep(path: Path) -> ConfigError:
    """A data file nested past the JSON or YAML reader's recursion limit."""
    return ConfigError.single(str(path), "nested too deep to read", hint="flatten it")


def rewrite_user_text(
    case: Case, rewrite: Callable[[str], str], *, base_dir: Path
) -> tuple[Any, Any]:
    """Apply ``rewrite`` to the text a user typed: the prompt, or the last user message.

    Returns ``(prompt, messages)`` for a copied case; earlier turns and system messages are
    left as they were, since a perturbation models what the user sends now. A conversation
    with no user message is refused (a ConfigError at the suite, ``base_dir``): its variant
    would be sent unchanged, an "attack" that carried none.
    """
    if case.prompt is not None or case.messages is None:
        return rewrite(case.prompt or ""), None
    messages = [m.model_copy() for m in case.messages]
    for index in range(len(messages) - 1, -1, -1):
        if messages[index].role == "user":
            messages[index] = messages[index].model_copy(
                update={"content": rewrite(messages[index].content)}
            )
            return None, messages
    raise ConfigError.single(
        str(base_dir),
        f"case '{case.id}' has no user message to rewrite (its conversation has none)",
        hint="add the user's turn, or leave the case out of this suite",
    )


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


def refuse_marked_by_data(cases: list[Case], base_dir: Path) -> None:
    """Refuse a case whose data wrote ``perturbation`` (a dataset column of that name): the
    robustness expanders read it as their mark of a variant and passed the case through, never
    perturbed or attacked. They write ``source_id`` beside it on every case they make, so a case
    with one and not the other came from the data (a ``CaseError``, at its file and line)."""
    from .base import CaseError

    for case in cases:
        if is_derived(case) and "source_id" not in case.metadata:
            raise CaseError(
                case.id,
                str(base_dir),
                f"case '{case.id}' has metadata 'perturbation' "
                f"({case.metadata['perturbation']!r}) but no 'source_id', so the robustness "
                "expanders would take it for a variant one of them made and pass it "
                "through, neither perturbed nor attacked",
                hint="rename that column (or metadata key), e.g. to perturbation_label",
            )


def load_yaml_model(path: Path, model: type[ModelT], *, what: str) -> ModelT:
    """Read a YAML data file (attack library, groups file) into ``model``; a syntax error names
    the line, a validation error the field."""
    from ..store.yaml_lines import parse_yaml_with_lines

    text = read_text(path, what=what)
    # The suites' loader: its syntax errors name the line, and nesting, aliases and the number
    # of values are bounded before anything is built.
    raw, _line_of = parse_yaml_with_lines(text, str(path))
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise ConfigError.single(
            str(path), err["msg"], field=".".join(str(p) for p in err["loc"])
        ) from None


def original_of(case: Case) -> Case:
    """The unperturbed original as a robustness case (same id, ``perturbation: none``)."""
    return case.model_copy(
        update={
            "metadata": {
                **case.metadata,
                "source_id": case.id,
                "perturbation": "none",
                "perturbation_family": "none",
                "original": True,
            }
        },
        deep=True,
    )


def expand_with_originals(
    cases: list[Case],
    variants: Callable[[Case], Iterable[Case]],
    *,
    keep_original: bool,
    base_dir: Path,
) -> list[Case]:
    """The pairing rule every robustness expander follows, so they chain (perturb then attack).

    An earlier expander's original is kept as is and expanded; an earlier expander's variant
    is kept but not expanded again; any other case is kept as an original (when
    ``keep_original``) and followed by its ``variants``. A case whose data wrote
    ``perturbation`` is refused (``refuse_marked_by_data``; ``base_dir``: the suite's folder).
    """
    refuse_marked_by_data(cases, base_dir)
    out: list[Case] = []
    for case in cases:
        if case.metadata.get("original"):
            out.append(case)  # an earlier expander's original: expand it, do not copy it
        elif is_derived(case):
            out.append(case)
            continue
        elif keep_original:
            out.append(original_of(case))
        out.extend(variants(case))
    return out


def refuse_nothing_expanded(name: str, cases: list[Case], expanded: int, base_dir: Path) -> None:
    """Refuse a robustness expander that expanded none of its cases: each is a variant an
    earlier one made, which it passes through, and that one kept no original
    (``keep_original: false``). Listed in the suite, it added nothing; its variants were
    never sent, so its figures were empty for want of originals, past a valid ``validate``."""
    if cases and not expanded:
        raise ConfigError.single(
            str(base_dir),
            f"the {name} expander has nothing to expand: each of the {len(cases)} cases is a "
            "variant an earlier robustness expander made, and it kept no original "
            "(keep_original: false), so this one would add no case",
            field="expand",
            hint="leave keep_original at true on the earlier expander, or remove this one",
        )


def count_with_originals(cases: Iterable[Case], variants: int, *, keep_original: bool) -> int:
    """How many cases ``expand_with_originals`` returns when ``variants`` makes ``variants``
    of each case it expands: the same rule, counted without making them."""
    total = 0
    for case in cases:
        if case.metadata.get("original"):
            total += 1 + variants
        elif is_derived(case):
            total += 1
        else:
            total += int(keep_original) + variants
    return total
