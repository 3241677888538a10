"""Type-check a suite's metric expressions against what its rows will hold, at file:line.

The names an expression sees come from the suite itself: each configured scorer's declared
output fields, the metadata and expectation keys of its loaded (and expanded) cases, and the
row's own fields. Metadata is only checked when every case is known; a scorer that declares no
fields is not checked. See :mod:`assurance_harness.metrics.exprtypes` for the rules.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from ..datatypes import Case
from ..errors import ConfigIssue
from ..metrics.expr import ExpressionError
from ..metrics.exprtypes import BOOL, NUMBER, Kind, Type, check
from ..store.yaml_lines import LineOf
from .errors import format_path, suggest
from .pairedcases import PairedCases
from .strata import METADATA_KEY, Comparisons, one_group_everywhere

if TYPE_CHECKING:
    from ..review.policy import ReviewPolicy
    from ..scorers.base import Members
    from .loader import MetricSpec, ScorerConfig

_EXPECTATION_KINDS: dict[str, Kind] = {
    "must_refuse": "bool",
    "must_not_refuse": "bool",
    "must_redirect_to_help": "bool",
    "must_not_mention": "list",
    "must_contain": "list",
    "answer": "any",
}


def _scorer_type(config: ScorerConfig) -> Type:
    declared = config.cls.output_fields(config.params)
    kind_of = f"scorer '{config.id}' ({config.cls.name})"
    if declared is None:
        return Type("mapping", closed=False, name=config.id, kind_of=kind_of)
    flags = tuple(f"{config.id}.{f}" for f, k in declared.items() if k == "bool")
    keyed = config.cls.output_members(config.params)
    members: dict[str, Type] = {}
    for field, kind in declared.items():
        labels = config.cls.field_labels.get(field)
        if kind == "mapping" and field in keyed:
            members[field] = _members_type(f"{config.id}.{field}", keyed[field])
            continue
        members[field] = Type(
            kind,
            closed=False,
            choices=frozenset(labels) if labels else None,
            name=f"{config.id}.{field}",
            conditions=flags,
            kind_of=f"{config.id}.{field}",
        )
    closed = config.cls.open_field_type(config.params) is None
    return Type("mapping", members, closed, name=config.id, kind_of=kind_of)


def _members_type(name: str, members: Members) -> Type:
    """A mapping field whose members its scorer declares (and writes on every row): closed,
    so a member it never writes (``pii.by_type.EMAIL``) is refused with the nearest one."""
    return Type(
        "mapping",
        {m: Type(members.kind, name=f"{name}.{m}") for m in members.names},
        True,
        name=name,
        kind_of=name,
        absent="{kind_of} has no member '{key}'",
    )


class ValueKinds:
    """What the cases give one metadata key or expectation: the kinds of its non-null values
    and, while they are all text, the distinct texts (a label's choices). Kept instead of every
    case's value, so what the loader gathers of a million cases does not grow with them (only
    with the distinct labels an expression may be compared with)."""

    __slots__ = ("kinds", "labels", "nulls", "text")

    def __init__(self) -> None:
        self.kinds: set[str] = set()
        self.labels: set[str] = set()
        self.text: str | None = None
        """The first text value, to name when other values are numbers or true/false."""
        self.nulls = False
        """Some case gives the key as null: with no other value, it is null on every row."""

    def add(self, value: Any) -> None:
        if value is None:
            self.nulls = True
            return
        kind = _kind_of(value)
        if kind == "label" and self.text is None:
            self.text = value
        if kind == "label" and self.kinds <= {"label"}:
            self.labels.add(value)
        elif self.labels:
            self.labels = set()  # not all text: no choices to keep
        self.kinds.add(kind)

    def type(self, name: str) -> Type:
        """The key's type (null values aside), as from every value at once; null when every
        case that has the key gives null (its reads are then null on every row)."""
        if not self.kinds and self.nulls:
            return Type("null", name=name)
        scalars = self.kinds & {"number", "bool"}
        if "label" in self.kinds and scalars:
            others = " or ".join(sorted(_SCALAR_WORDS[k] for k in scalars))
            mixed = f"text in some cases ({self.text!r}) and {others} in others"
            return Type("any", name=name, mixed=mixed)
        if len(self.kinds) != 1:  # none, or values of several kinds
            return Type("any", name=name)
        (kind,) = self.kinds
        if kind == "label":
            return Type("label", choices=frozenset(self.labels), name=name)
        if kind == "mapping":
            return Type("mapping", closed=False, name=name, kind_of=name)
        if kind == "bool":
            return Type("bool", name=name)
        if kind == "number":
            return Type("number", name=name)
        if kind == "list":
            return Type("list", name=name)
        return Type("any", name=name)


_SCALAR_WORDS = {"bool": "true/false", "number": "a number"}


def _kind_of(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "label"
    if isinstance(value, dict):
        return "mapping"
    if isinstance(value, list):
        return "list"
    return "other"


def _keyed(seen: dict[str, ValueKinds], prefix: str) -> dict[str, Type]:
    return {k: v.type(f"{prefix}.{k}") for k, v in seen.items()}


class CaseValues:
    """What expressions can name of a suite's cases: each metadata key's and each extra
    expectation's kinds of value (``ValueKinds``), (``ids``) the case ids and (``comparisons``)
    what the metrics' comparisons hold in each stratum (``strata.Comparisons``), gathered case by
    case, so that the loader gathers them in the pass over the cases it makes anyway (a large
    dataset's cases are decoded from disk on every pass: about 0.8 s at 100k)."""

    def __init__(
        self,
        *,
        ids: bool,
        comparisons: Comparisons | None = None,
        paired: PairedCases | None = None,
    ) -> None:
        self.meta: dict[str, ValueKinds] = {}
        self.extras: dict[str, ValueKinds] = {}
        self.ids: set[str] | None = set() if ids else None
        self.comparisons = comparisons
        self.paired = paired if paired else None

    @classmethod
    def for_metrics(
        cls, metrics: list[MetricSpec], scorers: list[ScorerConfig] | None = None
    ) -> CaseValues:
        """Empty, ready to gather what ``check_metric_expressions`` reads for these metrics,
        and (``paired``) what the scorers that compare a case with another case need of the
        cases (``spec.pairedcases``)."""
        return cls(
            ids=needs_case_ids(metrics),
            comparisons=Comparisons(metrics),
            paired=PairedCases(scorers) if scorers else None,
        )

    @classmethod
    def of(
        cls, cases: Iterable[Case], *, ids: bool, comparisons: Comparisons | None = None
    ) -> CaseValues:
        values = cls(ids=ids, comparisons=comparisons)
        for case in cases:
            values.add(case)
        return values

    def add(self, case: Case) -> None:
        meta, extras = self.meta, self.extras
        for key, value in case.metadata.items():
            _seen(meta, key).add(value)
        for key, value in (case.expected.model_extra or {}).items():
            _seen(extras, key).add(value)
        if self.ids is not None:
            self.ids.add(case.id)
        if self.comparisons is not None:
            self.comparisons.add(case.metadata)
        if self.paired is not None:
            self.paired.add(case)


def _seen(by_key: dict[str, ValueKinds], key: Any) -> ValueKinds:
    name = key if isinstance(key, str) else str(key)
    seen = by_key.get(name)
    if seen is None:
        seen = by_key[name] = ValueKinds()
    return seen


def needs_case_ids(metrics: list[MetricSpec]) -> bool:
    """Whether an expression names ``case_id`` (then its type holds every id)."""
    return any("case_id" in repr(m.raw) or "case_id" in repr(m.params) for m in metrics)


def expression_names(
    scorers: list[ScorerConfig],
    cases: Sequence[Case] | CaseValues | None,
    *,
    case_ids: bool = True,
) -> dict[str, Type]:
    """What each name in an expression holds, for this suite (``cases`` None: not known).
    ``case_ids``: whether ``case_id`` needs its values (a set of every id: 90 MB at 1M cases,
    so only when an expression names it)."""
    known = cases is not None
    values = cases if isinstance(cases, CaseValues) else CaseValues.of(cases or [], ids=case_ids)
    ids = frozenset(values.ids) if known and case_ids and values.ids is not None else None
    meta_members = _keyed(values.meta, "meta")
    meta = Type(
        "mapping",
        meta_members,
        known,
        name="meta",
        kind_of="case metadata",
        absent="no case has metadata '{key}'",
    )
    expected_members = {k: Type(v, name=f"expected.{k}") for k, v in _EXPECTATION_KINDS.items()}
    expected_members.update(_keyed(values.extras, "expected"))
    expected = Type(
        "mapping",
        expected_members,
        known,
        name="expected",
        kind_of="expectations",
        absent="no case has the expectation '{key}'",
    )
    names: dict[str, Type] = {
        "response": Type("text", name="response"),
        "prompt": Type("text", name="prompt"),
        "error": Type(BOOL.kind, name="error"),
        "sample": Type(NUMBER.kind, name="sample"),
        "case_id": Type("label", choices=ids, name="case_id"),
        "meta": meta,
        # A person's verdict, joined in by review (null until reviewed).
        "human": Type(
            "mapping",
            {
                "label": Type("bool", name="human.label"),
                "reviewed": Type("bool", name="human.reviewed"),
                "reviewers": Type("list", name="human.reviewers"),
            },
            True,
            name="human",
            kind_of="a human verdict",
            absent="a human verdict has no field '{key}'",
        ),
        "metadata": replace(meta, name="metadata"),
        "expected": expected,
    }
    for config in scorers:
        names[config.id] = _scorer_type(config)
    return names


def _known_names(
    scorers: list[ScorerConfig],
    cases: Sequence[Case] | CaseValues | None,
    unresolved: Sequence[str],
    *,
    case_ids: bool,
) -> tuple[dict[str, Type], list[str]]:
    """The names an expression may read, with their types, and the scorer ids: a scorer the
    suite writes but that did not load (``unresolved``, reported elsewhere) reads as anything."""
    names = expression_names(scorers, cases, case_ids=case_ids)
    for scorer_id in unresolved:
        names.setdefault(scorer_id, Type("any", name=scorer_id))
    return names, [s.id for s in scorers] + list(unresolved)


def check_metric_expressions(
    metrics: list[MetricSpec],
    scorers: list[ScorerConfig],
    cases: Sequence[Case] | CaseValues | None,
    source: str,
    line_of: LineOf,
    *,
    unresolved: Sequence[str] = (),
) -> list[ConfigIssue]:
    """One issue per expression that cannot work as its metric uses it. ``unresolved``: ids of
    scorers the suite writes but that did not load (reported elsewhere; unchecked here).
    ``cases``: the cases, or what was gathered of them (``CaseValues``, with the ids when
    ``needs_case_ids``), or None when not all are known."""
    values = (
        cases
        if cases is None or isinstance(cases, CaseValues)
        else CaseValues.of(cases, ids=needs_case_ids(metrics), comparisons=Comparisons(metrics))
    )
    names, scorer_ids = _known_names(scorers, values, unresolved, case_ids=needs_case_ids(metrics))
    issues: list[ConfigIssue] = []
    for metric in metrics:
        before = len(issues)
        written = metric.raw.get(metric.kind)
        # (location, field as shown, expression, role, written by the user)
        checks: list[tuple[tuple[Any, ...], str, str, str, bool]] = []
        for key, role in (("where", "condition"), ("by", "group")):
            if metric.raw.get(key) is not None:
                loc: tuple[Any, ...] = ("metrics", metric.index, key)
                checks.append((loc, format_path(loc), str(metric.raw[key]), role, True))
        for param, role in metric.kind_cls.expression_roles(metric.params).items():
            text = getattr(metric.params, param, None)
            if not isinstance(text, str):
                continue
            loc = ("metrics", metric.index, metric.kind)
            if isinstance(written, dict) and param in written:
                checks.append(((*loc, param), format_path((*loc, param)), text, role, True))
            else:
                explicit = not isinstance(written, dict)  # the shorthand ``rate: "..."``
                shown = format_path(loc) if explicit else format_path((*loc, param))
                checks.append((loc, shown, text, role, explicit))
        for param in metric.kind_cls.compared_groups:
            text = getattr(metric.params, param, None)
            if not isinstance(text, str):
                continue
            one = _the_one_group(text, names)
            if one is not None:
                issues.append(
                    one_group_everywhere(metric, param, text.strip(), one, source, line_of)
                )
        for loc, shown, text, role, explicit in checks:
            issue = _check_one(text, role, explicit, names, scorer_ids)
            if issue is not None:
                message, hint = issue
                issues.append(ConfigIssue(source, line_of(loc), shown, message, hint))
        comparisons = values.comparisons if values is not None else None
        if len(issues) == before and comparisons is not None:
            # Only where the metric's expressions work: a figure-less comparison comes second.
            figureless = comparisons.issue(metric, source, line_of)
            if figureless is not None:
                issues.append(figureless)
    return issues


def _the_one_group(text: str, names: dict[str, Type]) -> str | None:
    """The one value a grouping by a metadata key (``meta.group``) takes on every case, where
    the cases are known and it is text; else None (several, or not known)."""
    match = METADATA_KEY.fullmatch(text)
    if match is None:
        return None
    mapping = names.get(match.group(1))
    member = (mapping.members or {}).get(match.group(2)) if mapping is not None else None
    if member is None or member.choices is None or len(member.choices) != 1:
        return None
    (only,) = member.choices
    return only


def _check_one(
    text: str,
    role: str,
    explicit: bool,
    names: dict[str, Type],
    scorer_ids: list[str],
    *,
    constant_ok: bool = False,
) -> tuple[str, str | None] | None:
    """(message, hint) for an expression that cannot work in its role, else None."""
    if role == "scorer":
        if text in scorer_ids:
            return None
        hint = suggest(text, scorer_ids) or f"configured scorers: {', '.join(scorer_ids) or 'none'}"
        return f"no scorer with id '{text}'", hint
    try:
        problem = check(text, names, role, constant_ok=constant_ok)  # type: ignore[arg-type]
    except ExpressionError:
        return None  # the syntax check reports it
    if problem is None:
        return None
    if not explicit:
        return f"{problem.message} (the default '{text}')", problem.hint
    return problem.message, problem.hint


HUMAN_IN_REVIEW = (
    "'{text}' reads a person's verdict (human.*), which is null until the row is reviewed: "
    "the label a reviewer confirms, and the flag that queues a row, come from the scorers"
)


def check_review_expressions(
    review: ReviewPolicy,
    scorers: list[ScorerConfig],
    cases: Sequence[Case] | CaseValues | None,
    source: str,
    line_of: LineOf,
    *,
    unresolved: Sequence[str] = (),
) -> list[ConfigIssue]:
    """One issue per review expression that cannot work, checked as a metric's are: an
    unknown scorer or field in ``label`` or ``flag`` was null on every row, so no flagged row
    was queued and a gate with ``require_reviewed`` passed unreviewed. ``human.*`` is refused:
    the verdict is what confirms the label, so read into it the label is null on every row."""
    names, scorer_ids = _known_names(scorers, cases, unresolved, case_ids=False)
    checks: list[tuple[tuple[Any, ...], str, str]] = [
        (("review", "label"), review.label, "condition")
    ]
    if review.flag is not None:
        checks.append((("review", "flag"), review.flag, "condition"))
    if review.band is not None:
        checks.append((("review", "band", "value"), review.band.value, "value"))
    issues: list[ConfigIssue] = []
    for loc, text, role in checks:
        if _reads_human(text):
            issue: tuple[str, str | None] | None = (
                HUMAN_IN_REVIEW.format(text=text.strip()),
                "name a scorer's field, e.g. 'tox.flagged'",
            )
        else:
            # flag: false (true) queues no row (every row) beside the sample: a choice
            issue = _check_one(text, role, True, names, scorer_ids, constant_ok=loc[-1] == "flag")
        if issue is not None:
            message, hint = issue
            issues.append(ConfigIssue(source, line_of(loc), format_path(loc), message, hint))
    return issues


def _reads_human(text: str) -> bool:
    """Whether the expression names ``human`` (not a text that says "human")."""
    import ast

    from ..metrics.expr import compile_expression

    try:
        tree = compile_expression(text)
    except ExpressionError:
        return False  # the syntax check reports it
    return any(isinstance(n, ast.Name) and n.id == "human" for n in ast.walk(tree))
