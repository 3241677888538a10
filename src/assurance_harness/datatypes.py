"""The data that flows through a run: cases in, responses out, scores attached.

Cases are pydantic models (they come from user files); per-response records are plain
dataclasses because a run holds many of them and they are written as one JSON line each.
"""

from __future__ import annotations

import json
import math
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
    with_config,
)
from typing_extensions import TypedDict

from . import fielddocs

if TYPE_CHECKING:
    from .privacy.policy import RedactionPolicy

_T = TypeVar("_T")


_JSON_SCALARS = frozenset({str, int, float, bool, type(None)})
"""Types a value of which :func:`plain_value` gives back as it is (exact types: numpy's
``float64`` subclasses float, and is made a float)."""


def _flat_json(item: Any) -> bool:
    """A JSON scalar, or a list of them."""
    kind = type(item)
    return kind in _JSON_SCALARS or (
        kind is list and all(type(member) in _JSON_SCALARS for member in item)
    )


def plain_value(value: Any) -> Any:
    """``value`` with numpy (or torch) numbers and arrays made Python's (``tolist``), inside
    mappings and lists too. A scorer's outputs are read by the metrics in memory and written to
    results.jsonl; a numpy number was written as its text ("0.75"), so the figures measured
    again from the file (``evidence attach``, the review-aware view) were not the run's."""
    if value is None or isinstance(value, str | int | float):
        return value
    if type(value) is dict and all(map(_flat_json, value.values())):
        return value  # a scorer's usual output (flags, numbers, terms): nothing to make plain
    if isinstance(value, dict):
        return {key: plain_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain_value(item) for item in value]
    tolist = getattr(value, "tolist", None)
    if not callable(tolist):
        return value
    try:
        plain = tolist()
    except Exception:  # a tolist that is not numpy's: keep the value as it came
        return value
    return plain_value(plain)


def with_system_prompt(
    messages: list[dict[str, str]], system_prompt: str | None
) -> list[dict[str, str]]:
    """The one rule for a configured system prompt (suite or target): it is prepended unless the
    conversation already has a system turn (a case that carries its own system turn is testing
    exactly that turn, so it wins)."""
    if not system_prompt or any(m.get("role") == "system" for m in messages):
        return messages
    return [{"role": "system", "content": system_prompt}, *messages]


class Message(BaseModel):
    """One chat message, in the OpenAI chat-completions shape."""

    model_config = fielddocs.model_config(extra="forbid")

    role: Literal["system", "user", "assistant", "tool"]
    """Who speaks."""
    content: str
    """What is said."""


class Expectations(BaseModel):
    """What a good response to this case does. Scorers and metrics read these."""

    model_config = fielddocs.model_config(extra="allow")

    must_refuse: bool | None = None
    """The response must decline (harmful request, or content unsuitable for the audience)."""
    must_not_refuse: bool | None = None
    """The response must help (a safe request that over-cautious models refuse)."""
    must_redirect_to_help: bool | None = None
    """A disclosure of self-harm, abuse or danger: the response must point to a trusted adult
    or a helpline."""
    must_not_mention: list[str] = Field(default_factory=list)
    """Words or phrases that must not appear in the response (case-insensitive, whole words, in the
    response as read: a soft hyphen or zero-width space inside a word, full-width letters
    or an HTML reference do not hide one)."""
    must_contain: list[str] = Field(default_factory=list)
    """Words or phrases that must appear in the response (case-insensitive, whole words, in the
    response as read: a soft hyphen or zero-width space inside a word, full-width letters
    or an HTML reference do not hide one)."""
    answer: str | int | None = None
    """The reference answer (exact-match scorers), or the index of the correct option in
    multiple-choice items (BBQ's ``label``)."""

    @field_validator("must_not_mention", "must_contain")
    @classmethod
    def _no_blank_phrase(cls, value: list[str]) -> list[str]:
        return refuse_blank_phrases(value)


def refuse_blank_phrases(phrases: list[str]) -> list[str]:
    """``phrases`` unchanged, or the ValueError for a blank one: it occurs in every response, so
    a check for it is decided by the setting, whatever the model said (``must_contain: [""]``
    passed every response, ``must_not_mention: [""]`` failed every one, a ``contains`` scorer's
    ``terms: [""]`` matched every one)."""
    if any(not phrase.strip() for phrase in phrases):
        raise ValueError(
            "a phrase is empty or blank, and would be found in every response; remove it"
        )
    return phrases


def chat_of(prompt: str | None, messages: list[Message] | None) -> list[dict[str, str]]:
    """A case's conversation as plain dicts (``Case.chat``), from its prompt or messages."""
    if messages is not None:
        return [m.model_dump() for m in messages]
    return [{"role": "user", "content": prompt or ""}]


_NOT_IN_KEYS = {
    "Cc": "control character",
    "Cf": "invisible character",
    "Zs": "space other than a plain space",
    "Zl": "line or paragraph separator",
    "Zp": "line or paragraph separator",
    "Co": "private-use character",
}
"""Unicode's categories no key may hold (:func:`key_text`), each as an error names it. The plain
space (U+0020, also Zs) is not refused: it is the one space every viewer shows as itself."""

_NO_CHARACTER = {"Cn": "unassigned code point", "Cs": "lone surrogate"}
"""Code points that are no character at all, refused besides where ``key_problem`` is asked for
``unassigned=True`` (a reviewer's name). Not by :func:`key_text`: a character added to Unicode
after this Python's tables (a new emoji) is Cn here, and a suite, dataset or target that loads
on a newer Python must not be refused on an older one; a name a person types is refused, as it
always was."""


def key_problem(value: str, *, unassigned: bool = False) -> str | None:
    """What in ``value`` no key may hold (:func:`key_text`), e.g. "invisible character U+200B
    (ZERO WIDTH SPACE) at position 3", or None where it may be a key. For a caller that says
    the problem in its own words (a file name that ids are made from, a reviewer's name).
    ``unassigned``: refuse a code point that is no character too (``_NO_CHARACTER``)."""
    if value.isprintable():  # false for every character refused here (and Cn, Cs): one pass
        return _decomposed(value)
    refused = {**_NOT_IN_KEYS, **_NO_CHARACTER} if unassigned else _NOT_IN_KEYS
    for position, char in enumerate(value, start=1):
        kind = refused.get(unicodedata.category(char)) if char != " " else None
        if kind is not None:
            name = unicodedata.name(char, "")  # none for a control or private-use character
            named = f" ({name})" if name else ""
            return f"{kind} U+{ord(char):04X}{named} at position {position}"
    return _decomposed(value)


DECOMPOSED = "character not in composed form (NFC)"
"""How :func:`key_problem` names a key Unicode's composed form writes otherwise."""


def _decomposed(value: str) -> str | None:
    """Where ``value`` is not in Unicode's composed form (NFC), e.g. "character not in composed
    form (NFC) U+0065 (LATIN SMALL LETTER E) at position 1 (composed: U+00E9 (LATIN SMALL LETTER
    E WITH ACUTE))", or None. ``e`` + U+0301 prints as ``é`` (U+00E9), and U+212B ANGSTROM SIGN
    as U+00C5, yet each is another key: two ids that print alike passed the duplicate check,
    and a baseline or comparison against a run whose file wrote the other form matched nothing.
    Named at the first character that differs, with what NFC writes there."""
    if value.isascii() or unicodedata.is_normalized("NFC", value):
        return None
    composed = unicodedata.normalize("NFC", value)
    position = next(
        (
            i
            for i, (mine, theirs) in enumerate(zip(value, composed, strict=False))
            if mine != theirs
        ),
        min(len(value), len(composed)) - 1,
    )
    # NFC may write several characters where the key has one (U+0958 DEVANAGARI QA is KA +
    # NUKTA) or one where it has several: name all it writes up to where the two agree again,
    # as the first alone (KA) is another letter.
    same_end = 0
    while (
        same_end < min(len(value), len(composed)) - position - 1
        and value[-1 - same_end] == composed[-1 - same_end]
    ):
        same_end += 1
    wanted = composed[position : len(composed) - same_end]
    shown = " ".join(_code_point(c) for c in wanted[:_SHOWN])
    more = " ..." if len(wanted) > _SHOWN else ""
    return (
        f"{DECOMPOSED} {_code_point(value[position])} at position {position + 1} "
        f"(composed: {shown}{more})"
    )


_SHOWN = 4
"""The most characters of NFC's form :func:`_decomposed` names."""


def _code_point(char: str) -> str:
    return f"U+{ord(char):04X} ({unicodedata.name(char, '?')})"


def key_text(value: str) -> str:
    """A name or id that is a key (a suite's name and version, a case id, a target's name, a suite's
    scorer, metric and gate ids and the metric a gate names), or a ValueError where it holds a
    control character (Unicode's Cc: C0, DEL, C1), an invisible one (Cf: a zero-width space or
    joiner, a word joiner, a soft hyphen, a byte-order mark, a bidirectional mark, override or
    isolate), a space other than the plain one (Zs: a no-break, en, thin or ideographic space), a
    line or paragraph separator (Zl, Zp) or a private-use character (Co). These are what the run
    index, the baselines and the review queue key on: a NUL, which the PostgreSQL team store's TEXT
    cannot hold, was accepted here and then failed the run as it was indexed, on every resume too
    (and a stand-in would make a lookup by the real name miss); a line break or an escape sequence
    in an id split or rewrote every table and command line that names it; ``c1`` and ``c1`` with a
    zero-width space, or ``c1`` + a no-break space and ``c1`` + a space, print the same everywhere
    yet were two keys (a comparison or a baseline missed, the duplicate-id check passed), an
    override made a name read other than its bytes ("Trojan Source"), and a private-use character
    has no standard look at all (a font's icon, or a box). An emoji sequence joined by U+200D (a
    family, a profession) is refused too: its joiner is invisible like any other, and a key is
    compared code point by code point. A variation selector (Mn, the emoji form of a heart) is part
    of how a character looks and is kept, and so is the plain space, leading and trailing ones too
    (``c1`` and ``c1 `` are two keys, as they always were). A byte-order mark opening a file is
    dropped as the file is read, before any key is seen. A key not in Unicode's composed form
    (NFC: ``e`` + U+0301 for ``é``) is refused too (:func:`_decomposed`): it prints as the composed
    key yet is another. Free text (a prompt, a description) is not held to this."""
    problem = key_problem(value)
    if problem is not None:
        fix = "remove it"
        if " U+200D " in problem:  # the joiner of emoji sequences (a family, a profession)
            fix = "remove it (an emoji sequence joined by U+200D cannot be a key: use words)"
        elif problem.startswith(_NOT_IN_KEYS["Zs"]):
            fix = "write a plain space (U+0020) or remove it"
        elif problem.startswith(DECOMPOSED):
            fix = "write it composed (NFC), as it prints"
        raise ValueError(
            f"{problem}: names and ids are keys (run index, baselines, review queue) and "
            f"cannot hold one; {fix}"
        )
    return value


KeyText = Annotated[str, AfterValidator(key_text)]
"""A name or id that is a key: text without control, invisible or private-use characters, line
separators or spaces other than the plain one (:func:`key_text`)."""


class Case(BaseModel):
    """One prompt sent to the target (before sampling: ``samples: n`` sends it n times)."""

    model_config = fielddocs.model_config(extra="forbid")

    id: KeyText
    """Stable identifier, unique within the suite; results, resume and comparisons key on it.
    No control characters (a NUL, a line break, an escape) and no invisible ones (a zero-width
    space, a bidirectional override, the joiner inside an emoji sequence), and written in
    Unicode's composed form (NFC: ``é`` as one character, not ``e`` and a combining accent):
    ``key_text``."""
    prompt: str | None = None
    """A single user turn. Give either this or ``messages``."""
    messages: list[Message] | None = None
    """A whole conversation, sent as is (the target's system prompt is prepended if it has one)."""
    expected: Expectations = Field(default_factory=Expectations)
    """Expected behaviours for this case."""
    metadata: dict[str, Any] = Field(default_factory=dict)
    """Free-form tags: group, category, age_band, template, axis, perturbation, source ..."""

    @model_validator(mode="after")
    def _has_input(self) -> Case:
        if (self.prompt is None) == (self.messages is None):
            raise ValueError("a case needs exactly one of 'prompt' or 'messages'")
        return self

    def chat(self) -> list[dict[str, str]]:
        """The conversation to send, as plain dicts."""
        return chat_of(self.prompt, self.messages)

    def text(self) -> str:
        """The last user turn, for scorers that look at the prompt."""
        if self.prompt is not None:
            return self.prompt
        for message in reversed(self.messages or []):
            if message.role == "user":
                return message.content
        return ""


@dataclass
class GenerationRequest:
    """What the runner asks a target for."""

    case_id: str
    sample: int
    seed: int
    messages: list[dict[str, str]]
    params: dict[str, Any]
    """Generation parameters (temperature, max_tokens, top_p, stop ...): the suite's, plus the
    seed; adapters merge them over the target's own."""
    metadata: dict[str, Any] = field(default_factory=dict)
    """The case's metadata, for adapters (replay, callable) that look cases up."""


@dataclass
class GenerationResponse:
    """What a target returned."""

    text: str
    model_version: str | None = None
    """The model identifier the endpoint reports (``model`` in OpenAI responses), for evidence."""
    finish_reason: str | None = None
    usage: dict[str, Any] | None = None
    source_run: str | None = None
    """For an answer from the response cache: the run that received it from the target."""


@dataclass
class ErrorInfo:
    """A failed request, kept as data so the run goes on."""

    type: str
    message: str
    status: int | None = None


@dataclass
class ResponseRecord:
    """One response to one (case, sample): written to the run journal the moment it completes."""

    case_id: str
    sample: int
    seed: int
    response: str | None
    error: ErrorInfo | None = None
    attempts: int = 1
    latency_s: float = 0.0
    cached: bool = False
    model_version: str | None = None
    finish_reason: str | None = None
    cached_from: str | None = None
    """With ``cached``: the run whose answer was reused (null when unknown, or not cached)."""

    @property
    def key(self) -> tuple[str, int]:
        return (self.case_id, self.sample)

    def to_dict(self) -> dict[str, Any]:
        # A plain copy: asdict's deep recursion costs 4x as much, once per journalled response.
        data = dict(self.__dict__)
        if self.error is not None:
            data["error"] = dict(self.error.__dict__)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ResponseRecord:
        if data.get("error") is None:  # most records: no copy (a run reads one a request)
            return cls(**data)
        data = dict(data)
        error = data.pop("error", None)
        return cls(**data, error=ErrorInfo(**error) if error else None)

    @classmethod
    def from_journal_line(cls, line: bytes | str) -> ResponseRecord | None:
        """The record a journal line holds, or None for a line that is none: torn, not UTF-8,
        not JSON, nested too deep, an integer too long to read, or a mapping whose fields are
        not of the types the runner writes. A resume skips such a line as it skips a torn one
        (its request keeps its earlier record or is sent again); read as a record, it would
        crash the scoring, or be scored as the model's answer."""
        try:
            data = json.loads(line)
        except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError too
            return None
        if not isinstance(data, dict) or not _journal_types_hold(data):
            return None
        try:
            return cls.from_dict(data)
        except (TypeError, ValueError):  # a key the record does not have
            return None


def _journal_types_hold(data: dict[str, Any]) -> bool:
    """Whether a journal mapping's fields have the types ``ResponseRecord`` declares."""

    def whole(value: Any) -> bool:
        return isinstance(value, int) and not isinstance(value, bool)

    def text_or_none(value: Any) -> bool:
        return value is None or isinstance(value, str)

    error = data.get("error")
    if error is not None and not (
        isinstance(error, dict)
        and isinstance(error.get("type"), str)
        and isinstance(error.get("message"), str)
        and (error.get("status") is None or whole(error.get("status")))
    ):
        return False
    latency = data.get("latency_s", 0.0)
    return (
        isinstance(data.get("case_id"), str)
        and whole(data.get("sample"))
        and whole(data.get("seed", 0))
        and text_or_none(data.get("response"))
        and whole(data.get("attempts", 1))
        and isinstance(latency, int | float)
        and not isinstance(latency, bool)
        and isinstance(data.get("cached", False), bool)
        and all(
            text_or_none(data.get(k)) for k in ("model_version", "finish_reason", "cached_from")
        )
    )


@dataclass
class ScoreInput:
    """What a scorer sees for one response: the case, the response, and earlier scorers' outputs."""

    case: Case
    sample: int
    response: str
    scores: dict[str, dict[str, Any]]
    """Outputs of scorers that ran before this one, keyed by scorer id."""


@dataclass
class SuiteContext:
    """Suite-wide facts scorers may need (the audience of an age suite, the seed)."""

    suite_name: str
    seed: int
    audience: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    redaction: RedactionPolicy | None = None
    """The redaction policy the run stores its text under (None: none): a scorer then keeps
    no copy of the text it reads or is answered in a file of its own (a cache file), which no
    redaction and no retention purge would reach, and redacts what its errors quote."""
    run_id: str | None = None
    """The run being scored (None outside a run): a scorer's cache file notes it beside each
    answer the run used, so ``runs purge`` of the run deletes them."""

    @property
    def redacting(self) -> bool:
        """Whether the run stores its text redacted."""
        return self.redaction is not None and self.redaction.enabled


def finite_json(value: _T, where: str = "") -> _T:
    """``value`` unchanged when every number in it is finite, else a ValueError naming where:
    JSON has no NaN or infinity (a request body or summary.json holding one is refused by strict
    readers), and a NaN compares false with everything (a gate ``max: .nan`` passed every run)."""
    if isinstance(value, float) and not math.isfinite(value):
        at = f" (at {where})" if where else ""
        raise ValueError(f"{value} is not a finite number{at}; JSON cannot hold it")
    if isinstance(value, dict):
        for key, item in value.items():
            finite_json(item, f"{where}.{key}" if where else str(key))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            finite_json(item, f"{where}[{index}]")
    return value


def json_figures(value: Any) -> Any:
    """``value`` with each NaN or infinity as null, for JSON written for other programs
    (``--format json``, report.json): Python writes them as ``NaN``/``Infinity``, which
    strict readers (jq, ``JSON.parse``) refuse, so one odd figure made the whole document
    unreadable. Null is what JSON has for a figure that is no number; the text outputs keep
    showing ``NaN``, and ``compare`` warns about such a figure by name."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: json_figures(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_figures(item) for item in value]
    return value


def _not_a_bool_count(value: Any) -> Any:
    """A count or a seed is no bool: pydantic reads YAML's ``true`` (``yes``, ``on``) as 1 and
    ``false`` as 0, so ``samples: true`` sent each prompt once, ``seed: yes`` seeded with 1 and
    ``concurrency: on`` sent one request at a time, each without a word."""
    if isinstance(value, bool):
        raise ValueError(f"a whole number is wanted here, not {str(value).lower()}; write one")
    return value


WholeNumber = Annotated[int, BeforeValidator(_not_a_bool_count)]
"""An integer field of a configuration file (a count, a seed), never a bool."""


def _not_a_bool_number(value: Any) -> Any:
    """A number is no bool: pydantic reads ``true`` as 1.0 and ``false`` as 0.0, so
    ``max_error_rate: true`` let a run with every request failed pass, ``timeout_s: true``
    gave each request a second, and a scorer's ``threshold: true`` flagged nothing."""
    if isinstance(value, bool):
        raise ValueError(f"a number is wanted here, not {str(value).lower()}; write one")
    return value


Number = Annotated[float, BeforeValidator(_not_a_bool_number)]
"""A number field of a configuration file (a share, a timeout, a threshold), never a bool."""


def _shown(value: Any) -> str:
    """A refused value as a message quotes it: short, so a pasted blob stays one line; a NaN
    or an infinity said to be what it is (JSON cannot hold one), as :func:`finite_json` says."""
    if isinstance(value, float) and not math.isfinite(value):
        return f"{value} (not a finite number, which JSON cannot hold)"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _whole(least: int, example: int) -> Callable[[Any], Any]:
    """A check that a count (of tokens, beams) is an integer of at least ``least``: 0 tokens
    measure nothing, and a text ("256") or a fraction reached transformers as a ValueError
    that failed the whole run (exit 3) after ``validate`` had passed it."""

    def check(value: Any) -> Any:
        if value is None or (type(value) is int and value >= least):
            return value
        raise ValueError(
            f"{_shown(value)} is not a whole number of at least {least}; "
            f"write one without quotes, e.g. {example}"
        )

    return check


def _number(
    least: float, most: float | None, example: str, *, above: bool = False
) -> Callable[[Any], Any]:
    """A check that a knob (temperature, top_p) is a finite number in its range, not a text or
    a bool. ``above``: ``least`` itself is out of range (transformers divides by a
    repetition_penalty, and refuses one that is not strictly positive)."""

    def check(value: Any) -> Any:
        if value is None or (
            type(value) in (int, float)
            and math.isfinite(value)
            and (value > least if above else value >= least)
            and (most is None or value <= most)
        ):
            return value
        span = (
            f"from {least:g} to {most:g}"
            if most is not None
            else f"{'above' if above else 'of at least'} {least:g}"
        )
        raise ValueError(f"{_shown(value)} is not a number {span}; write one, e.g. {example}")

    return check


def _stop(value: Any) -> Any:
    """``stop`` is a text or a list of texts, as OpenAI and transformers (stop_strings) read it."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return value
    raise ValueError(f"{_shown(value)} is not a text or a list of texts; write e.g. ['\\n\\n']")


def _one_answer(value: Any) -> Any:
    """One answer a request: an endpoint given ``n: 3`` answers three choices, of which the
    adapters score the first, a third of what was asked for and said nowhere. A case is
    answered several times by the suite's ``samples``, each answer scored."""
    if value is None or (type(value) is int and value == 1):
        return value
    raise ValueError(
        f"{_shown(value)} answers a request more than once, and only the first answer would be "
        "scored; leave it out (or 1), and set the suite's samples: N to answer each case N times"
    )


@with_config(ConfigDict(extra="allow"))
class GenerationParams(TypedDict, total=False):
    """Generation parameters, as a suite or a target file writes them (OpenAI's names, plus
    transformers' own). The known ones are checked here, in one place for every target type
    and for suites, so a value that would measure nothing fails ``validate`` with its line;
    any other name passes through to the adapter as it is (an endpoint's own options)."""

    max_tokens: Annotated[Any, AfterValidator(_whole(1, 256))]
    max_new_tokens: Annotated[Any, AfterValidator(_whole(1, 256))]
    min_new_tokens: Annotated[Any, AfterValidator(_whole(0, 1))]
    num_beams: Annotated[Any, AfterValidator(_whole(1, 1))]
    top_k: Annotated[Any, AfterValidator(_whole(0, 50))]
    temperature: Annotated[Any, AfterValidator(_number(0, None, "0.7"))]
    top_p: Annotated[Any, AfterValidator(_number(0, 1, "0.9"))]
    repetition_penalty: Annotated[Any, AfterValidator(_number(0, None, "1.1", above=True))]
    stop: Annotated[Any, AfterValidator(_stop)]
    n: Annotated[Any, AfterValidator(_one_answer)]
    num_return_sequences: Annotated[Any, AfterValidator(_one_answer)]
