"""Pydantic models for the risk register file (``register/risk_register.yaml``).

Everything here is owner-set: the tool reads ratings, it never writes them. Status comes from
the evidence ledger at read time (see ``status.py``). Field docstrings become the JSON Schema
descriptions.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from .. import fielddocs
from ..datatypes import KeyText
from .catalogue import ANNEX_A, NIST_AI_RMF, annex_a_sort_key, normalize_nist

RISK_ID_RE = re.compile(r"[A-Za-z][A-Za-z0-9]*-[A-Za-z0-9][A-Za-z0-9._-]*")
"""A risk id's shape, matched whole (``fullmatch``: ``$`` also matches before a final line
break, which made ``R-001`` + a line break an id of its own)."""

Category = Literal[
    "safety",
    "fairness",
    "robustness",
    "security",
    "privacy",
    "transparency",
    "accountability",
    "reliability",
    "wellbeing",
    "other",
]
Treatment = Literal["mitigate", "accept", "avoid", "transfer"]
Rating = Literal["low", "medium", "high", "critical"]

RATING_BANDS: tuple[tuple[int, Rating], ...] = (
    (4, "low"),
    (9, "medium"),
    (16, "high"),
    (25, "critical"),
)
"""Likelihood x impact on a 5x5 matrix: 1-4 low, 5-9 medium, 10-16 high, 17-25 critical."""

MAX_FRESHNESS_DAYS = 36500
"""A century: longer is no review frequency, and far longer cannot be subtracted from a date."""

RATING_ORDER: dict[str, int] = {"low": 0, "medium": 1, "high": 2, "critical": 3}

REVIEW_DATE_TOLERANCE = dt.timedelta(days=1)
"""How far past today's UTC date a ``last_reviewed`` may lie: a date written east of UTC (up to
UTC+14) is already tomorrow in UTC for part of the day; anything later is a typo."""


def _not_a_bool(value: Any) -> Any:
    """A rating or a count is a number: YAML reads ``true`` as a bool, which pydantic takes as
    1 (``residual_likelihood: true`` a rating nobody wrote, ``freshness_days: true`` evidence
    stale after a day)."""
    if isinstance(value, bool):
        raise ValueError(f"write a whole number here, not {str(value).lower()}")
    return value


Whole = Annotated[int, BeforeValidator(_not_a_bool)]
"""An owner-set whole number (a rating, an age, a number of days), never a bool."""
# Bounds before the bool check, so the JSON Schema still states them as minimum/maximum.
Rating5 = Annotated[int, Field(ge=1, le=5), BeforeValidator(_not_a_bool)]
Age = Annotated[int, Field(ge=0, le=120), BeforeValidator(_not_a_bool)]

Named = Annotated[str, Field(min_length=1)]
"""A name that must say something: an empty one reads as none given."""


def rating_for(likelihood: int, impact: int) -> Rating:
    """The band of a likelihood x impact score."""
    score = likelihood * impact
    for upper, label in RATING_BANDS:
        if score <= upper:
            return label
    return "critical"


class Strict(BaseModel):
    # Field docstrings become JSON Schema descriptions (``assurance register schema``).
    model_config = fielddocs.model_config(extra="forbid")


class Audience(Strict):
    """Who the system serves."""

    min_age: Age | None = None
    """Youngest intended user, in years."""
    max_age: Age | None = None
    """Oldest intended user, in years."""
    description: str | None = None
    """The audience in words (``children aged 8-14 and their parents``)."""

    @model_validator(mode="after")
    def _ordered(self) -> Audience:
        if self.min_age is not None and self.max_age is not None and self.min_age > self.max_age:
            raise ValueError("min_age must not exceed max_age")
        return self

    def label(self) -> str:
        if self.description:
            return self.description
        if self.min_age is not None and self.max_age is not None:
            return f"ages {self.min_age}-{self.max_age}"
        return "not stated"


class SystemContext(Strict):
    """The AI system the register is about (ISO/IEC 42001 clause 4 context, A.9.4 intended use)."""

    name: KeyText = Field(min_length=1)
    """System name, as used in reports; ``--evidence-for`` names it, so it is a key
    (``datatypes.key_text``)."""
    description: str | None = None
    """What the system does, in a sentence or two."""
    intended_use: str = Field(min_length=1)
    """The use the system is designed and validated for."""
    out_of_scope: list[str] = Field(default_factory=list)
    """Uses the system is not designed for (reported as limitations in the annex)."""
    audience: Audience = Field(default_factory=Audience)
    """Who uses it."""
    owner: str = Field(min_length=1)
    """Accountable owner of the system."""
    deployment: str | None = None
    """Where and how it runs (e.g. ``web app, EU region, model served by vendor X``)."""
    target: Named | None = None
    """The target file of the deployed system (``targets/demo.yaml``): its identity. Evidence
    counts for this register's risks only from runs whose target configuration has this file's
    fingerprint (or one in ``fingerprints``); any other run is exploratory."""
    fingerprints: list[Named] = Field(default_factory=list)
    """Further target fingerprints that are this same system (for example the configuration
    before a timeout change), as ``assurance runs list`` and the reports show them."""
    model_version: Named | None = None
    """A pattern (``*`` and ``?`` wildcards) the model version reported by the endpoint must
    match, e.g. ``gpt-4o-mini-2024-07-18`` or ``my-model-v3.*``; runs of any other version
    are exploratory."""


class SoaEntry(Strict):
    """The owner's decision for one Annex A control in the Statement of Applicability."""

    applicable: bool
    """Whether the control is included."""
    justification: str = Field(min_length=1)
    """Why it is included or excluded."""
    implementation: str | None = None
    """How it is implemented (a document, a process, a technical control)."""


GateName = tuple[str, str | None]
"""A suite's gate as a register may name it: (gate id, metric id)."""


def gate_list(gates: Iterable[GateName]) -> str:
    """The suite's gates by the shorter of their names (the metric), for a message."""
    return ", ".join(dict.fromkeys(metric or gate for gate, metric in gates)) or "none"


class SuiteLink(Strict):
    """A suite whose gates evidence a risk: all of its gates, or only those named."""

    suite: KeyText = Field(min_length=1)
    """Suite name (its ``suite:`` field, a key: ``datatypes.key_text``)."""
    gates: list[KeyText] = Field(default_factory=list)
    """Gate ids or metric ids (keys) that bear on this risk; empty means every gate of the suite.
    An age suite gates several things; a risk about missed safeguarding disclosures should
    rest on its help-redirect gate only."""

    def selects(self, gate_id: str, metric: str | None) -> bool:
        return (
            not self.gates or gate_id in self.gates or (metric is not None and metric in self.gates)
        )

    def unknown_gates(self, gates: Iterable[GateName]) -> list[str]:
        """The names in ``gates:`` that match none of ``gates`` (the suite's gates). A misspelt
        name must not quietly narrow the risk's evidence to the gates that do match (a failing
        gate then no longer counts)."""
        known = {name for pair in gates for name in pair if name is not None}
        return [name for name in self.gates if name not in known]

    def unknown_gates_message(self, unknown: list[str], gates: Iterable[GateName]) -> str:
        """Why the filter cannot be used, naming what the suite does have."""
        return (
            f"{self.suite}: gates {', '.join(unknown)} named in the register match no gate of "
            f"the suite (its gates: {gate_list(gates)}); fix the name in the risk's suites entry"
        )

    def __str__(self) -> str:
        return f"{self.suite}: {', '.join(self.gates)}" if self.gates else self.suite

    def cell_text(self) -> str:
        """The CSV form :meth:`parse` reads back: ``suite`` or ``suite: gate, gate``, a name
        holding a separator (``:``, ``,``, ``;``), a ``"`` first or a space at an end written as
        a JSON string (``"tv:core": "a, b"``), so it comes back whole, not as other names."""
        suite = _cell_key(self.suite)
        return f"{suite}: {', '.join(map(_cell_key, self.gates))}" if self.gates else suite

    @staticmethod
    def parse(text: str) -> dict[str, Any]:
        """``suite`` or ``suite: gate, gate`` (the CSV form; names as :meth:`cell_text` writes
        them), as the fields to validate with the rest of its row, so a bad cell is reported on
        its row like any other."""
        name, rest = _take_key(text, ":")
        gates: list[str] = []
        while rest is not None:
            gate, rest = _take_key(rest, ",")
            if gate:
                gates.append(gate)
        return {"suite": name, "gates": gates}


_CELL_SEPARATORS = (":", ",", ";")
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


def _cell_key(key: str) -> str:
    """A suite name or gate id as a CSV cell's list writes it (``SuiteLink.cell_text``)."""
    if any(c in key for c in _CELL_SEPARATORS) or key.startswith('"') or key != key.strip():
        return json.dumps(key, ensure_ascii=False)
    return key


def _take_key(text: str, stop: str) -> tuple[str, str | None]:
    """The first name of ``text`` (a JSON string, or the text up to ``stop``, trimmed) and
    what follows ``stop`` (None where there is no ``stop``)."""
    text = text.strip()
    quoted = _JSON_STRING.match(text)
    if quoted is not None:
        after = text[quoted.end() :].lstrip()
        if not after or after.startswith(stop):
            try:
                value = json.loads(quoted.group(0))
                value.encode("utf-8")  # a lone surrogate (``"\\ud800"``): no text; bare
            except (ValueError, AttributeError):  # UnicodeEncodeError is a ValueError
                value = None
            if isinstance(value, str):
                return value, after[1:] if after else None
    head, found, tail = text.partition(stop)
    return head.strip(), tail if found else None


class Risk(Strict):
    """One AI risk, with owner-set ratings and the suites whose gates evidence its treatment."""

    id: KeyText
    """Stable identifier (``R-001``); suites name it in ``evidence_for`` and the ledger's
    records name it, so it is a key (``datatypes.key_text``), checked before its shape: an
    invisible character is named, not called a shape the id prints as."""
    title: str = Field(min_length=1)
    """One line: what goes wrong, for whom."""
    description: str | None = None
    """How it could happen and what the harm is."""
    category: Category
    """Kind of risk."""
    owner: str = Field(min_length=1)
    """Who decides on treatment and acceptance."""
    likelihood: Whole = Field(ge=1, le=5)
    """Inherent likelihood, 1 (rare) - 5 (almost certain), before treatment. Owner-set."""
    impact: Whole = Field(ge=1, le=5)
    """Inherent impact, 1 (negligible) - 5 (severe), before treatment. Owner-set."""
    residual_likelihood: Rating5 | None = None
    """Likelihood after treatment (default: the inherent one). Owner-set."""
    residual_impact: Rating5 | None = None
    """Impact after treatment (default: the inherent one). Owner-set."""
    controls: list[str] = Field(default_factory=list)
    """Controls in place (moderation filter, system prompt policy, human escalation ...)."""
    treatment: Treatment = "mitigate"
    """Risk treatment option."""
    treatment_plan: str | None = None
    """What is being done about it, and by when."""
    acceptance_criteria: str | None = None
    """When the owner accepts the residual risk; ideally stated as the suites' gates."""
    suites: list[SuiteLink] = Field(default_factory=list)
    """Suites whose gates evidence this risk: a name (every gate) or ``{suite: NAME, gates:
    [METRIC, ...]}``. Suites may also name the risk in ``evidence_for``; then all their gates
    count."""
    iso42001_annex_a: list[str] = Field(default_factory=list)
    """ISO/IEC 42001:2023 Annex A controls this risk's treatment relies on (``A.6.2.4``)."""
    nist_ai_rmf: list[str] = Field(default_factory=list)
    """NIST AI RMF 1.0 subcategories (``MEASURE 2.11``)."""
    freshness_days: Whole = Field(default=30, ge=1, le=MAX_FRESHNESS_DAYS)
    """Evidence older than this is stale (the review frequency), at most 36500 (100 years)."""
    last_reviewed: dt.date | None = None
    """When the owner last reviewed the ratings; not later than today (UTC, one day's
    tolerance)."""
    notes: str | None = None

    @field_validator("id")
    @classmethod
    def _id_shape(cls, value: str) -> str:
        if not RISK_ID_RE.fullmatch(value):
            raise ValueError(
                f"risk id '{value}' should look like 'R-001' (letters, '-', then an id)"
            )
        return value

    @field_validator("last_reviewed")
    @classmethod
    def _reviewed_by_now(cls, value: dt.date | None, info: ValidationInfo) -> dt.date | None:
        """A review cannot have happened after today: a later date is a data-entry error
        (2062 for 2026) that would make a stale review look fresh. Today is the UTC date, with
        ``REVIEW_DATE_TOLERANCE`` (one day) for owners east of UTC."""
        if value is None:
            return value
        today = dt.datetime.now(dt.UTC).date()
        if value > today + REVIEW_DATE_TOLERANCE:
            risk = info.data.get("id", "?")
            raise ValueError(
                f"risk {risk} was last reviewed on {value.isoformat()}, later than today "
                f"({today.isoformat()} UTC, one day's tolerance); write the date of the owner's "
                "last review, or leave last_reviewed out"
            )
        return value

    @field_validator("suites", mode="before", json_schema_input_type=list[str | SuiteLink])
    @classmethod
    def _suite_names(cls, value: object) -> object:
        if isinstance(value, list):
            return [{"suite": item} if isinstance(item, str) else item for item in value]
        return value

    @field_validator("suites")
    @classmethod
    def _unique_suites(cls, value: list[SuiteLink]) -> list[SuiteLink]:
        names = [link.suite for link in value]
        for name in names:
            if names.count(name) > 1:
                raise ValueError(f"suite '{name}' is listed twice; list its gates in one entry")
        return value

    @property
    def suite_names(self) -> list[str]:
        return [link.suite for link in self.suites]

    def suite_link(self, suite: str) -> SuiteLink | None:
        return next((link for link in self.suites if link.suite == suite), None)

    @field_validator("iso42001_annex_a")
    @classmethod
    def _annex_a(cls, value: list[str]) -> list[str]:
        out = []
        for ref in value:
            ref = ref.strip()
            if not ref.startswith("A."):
                ref = f"A.{ref}"
            if ref not in ANNEX_A:
                raise ValueError(
                    f"'{ref}' is not an ISO/IEC 42001:2023 Annex A control; valid ids run "
                    "A.2.2 ... A.10.4 (e.g. A.6.2.4 verification and validation)"
                )
            out.append(ref)
        return sorted(dict.fromkeys(out), key=annex_a_sort_key)

    @field_validator("nist_ai_rmf")
    @classmethod
    def _nist(cls, value: list[str]) -> list[str]:
        out = []
        for ref in value:
            norm = normalize_nist(ref)
            if norm not in NIST_AI_RMF:
                raise ValueError(
                    f"'{ref}' is not a NIST AI RMF 1.0 subcategory; write e.g. 'MEASURE 2.11'"
                )
            out.append(norm)
        return list(dict.fromkeys(out))

    @model_validator(mode="after")
    def _residual_not_above_inherent(self) -> Risk:
        if self.residual_likelihood is not None and self.residual_likelihood > self.likelihood:
            raise ValueError(
                f"residual_likelihood {self.residual_likelihood} exceeds likelihood "
                f"{self.likelihood}; the residual is what remains after treatment"
            )
        if self.residual_impact is not None and self.residual_impact > self.impact:
            raise ValueError(
                f"residual_impact {self.residual_impact} exceeds impact {self.impact}; "
                "the residual is what remains after treatment"
            )
        return self

    @property
    def inherent_score(self) -> int:
        return self.likelihood * self.impact

    @property
    def inherent_rating(self) -> Rating:
        return rating_for(self.likelihood, self.impact)

    @property
    def residual_score(self) -> int:
        return (self.residual_likelihood or self.likelihood) * (self.residual_impact or self.impact)

    @property
    def residual_rating(self) -> Rating:
        return rating_for(
            self.residual_likelihood or self.likelihood, self.residual_impact or self.impact
        )


def risk_id_clash(risk_id: str, earlier: str) -> str | None:
    """Why ``risk_id`` cannot stand beside ``earlier`` (a risk already in the register or the
    file), or None. ``R-001`` twice is a duplicate; ``r-001`` beside ``R-001`` is refused too:
    ids are compared exactly (suites' ``evidence_for``, the ledger's records), so the two would
    be two risks, a suite's evidence for one leaving the other untested beside it while each
    row reads as the risk its reader meant."""
    if risk_id == earlier:
        return f"duplicate risk id '{risk_id}'"
    if risk_id.casefold() == earlier.casefold():
        return f"risk id '{risk_id}' differs from '{earlier}' only in case"
    return None


CASE_CLASH_FIX = "write '{earlier}' for the same risk{where}, or give this one an id of its own"
"""The fix for :func:`risk_id_clash`'s second kind (``where``: where ``earlier`` is written)."""


class RiskIds:
    """The risk ids met so far, each by its case-folded form: :meth:`clash` names the earlier
    id a new one clashes with (:func:`risk_id_clash`)."""

    def __init__(self) -> None:
        self._by_key: dict[str, tuple[str, object]] = {}

    def clash(self, risk_id: str) -> tuple[str, object] | None:
        """The earlier id ``risk_id`` clashes with, and what :meth:`add` was told about it."""
        return self._by_key.get(risk_id.casefold())

    def add(self, risk_id: str, where: object = None) -> None:
        self._by_key.setdefault(risk_id.casefold(), (risk_id, where))


class Register(Strict):
    """An AI risk register for one system."""

    register_version: Literal[1] = 1
    """Format version of this file."""
    system: SystemContext
    """The system and its context."""
    risks: list[Risk] = Field(default_factory=list)
    """The risks."""
    statement_of_applicability: dict[str, SoaEntry] = Field(default_factory=dict)
    """Owner decisions per Annex A control (``A.6.2.4: {applicable: true, justification: ...}``)."""

    @field_validator("risks")
    @classmethod
    def _unique_ids(cls, value: list[Risk]) -> list[Risk]:
        seen = RiskIds()
        for risk in value:
            earlier = seen.clash(risk.id)
            if earlier is not None:
                raise ValueError(risk_id_clash(risk.id, earlier[0]))
            seen.add(risk.id)
        return value

    @field_validator("statement_of_applicability")
    @classmethod
    def _soa_ids(cls, value: dict[str, SoaEntry]) -> dict[str, SoaEntry]:
        for control in value:
            if control not in ANNEX_A:
                raise ValueError(f"'{control}' is not an ISO/IEC 42001:2023 Annex A control")
        return value

    def risk(self, risk_id: str) -> Risk | None:
        return next((r for r in self.risks if r.id == risk_id), None)

    def risks_for_suite(self, suite: str) -> list[Risk]:
        return [r for r in self.risks if suite in r.suite_names]


def register_schema() -> dict[str, object]:
    """JSON Schema for register files (editor completion and checking)."""
    fielddocs.require()
    schema = Register.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "assurance-harness risk register"
    return schema
