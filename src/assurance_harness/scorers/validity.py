"""Scorer validity cards: what a scorer was validated on, its headline figures with intervals,
and its known weak spots, shown beside every gate verdict that rests on it.

A verdict is only as good as the scorer behind it. Each built-in scorer ships a card
(``scorers/cards/<name>.json``, drawn from VALIDATION.md); ``assurance scorers check
--write-card validity/<name>.json`` writes one from a user's own labels, and a card in the
project's ``validity/`` folder takes the place of the built-in one. Reports and the register
annex look up the cards of the scorers each gated metric reads (from ``summary.json``), and a
gate may require a minimum validated figure (``min_validity: {auc: 0.85}``): the card's *lower*
interval bound must reach it, otherwise the gate fails with the reason named
(``validity_unmet``). A scorer with no card fails such a gate too: an unvalidated scorer cannot
carry a verdict that asks for validation.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    model_serializer,
)

from ..errors import ConfigError
from ..formatting import interval, num, num_beside

if TYPE_CHECKING:
    from ..spec.loader import MetricSpec, ScorerConfig
    from ..spec.suite import GateSpec
    from .reviewed import ReviewedValidity, RunFigures

CARDS_DIR = Path(__file__).with_name("cards")


class Figure(BaseModel):
    """One validated figure: point value, interval and where it was measured."""

    model_config = ConfigDict(extra="forbid")

    value: float
    low: float | None = None
    high: float | None = None
    n: int | None = None
    on: str = ""
    """The labelled set (and part of it) the figure was measured on."""
    method: str | None = None
    """How the interval was computed (``clopper-pearson``, the AUC's union interval); it
    contains "approximate: <why>" where the coverage study does not back it. Absent on cards
    written before it was recorded."""

    @model_serializer(mode="wrap")
    def _without_unrecorded_method(self, handler: SerializerFunctionWrapHandler) -> Any:
        # A figure without a method serialises as before the field existed, so cards and the
        # reports that show them keep their bytes.
        data = handler(self)
        if isinstance(data, dict) and data.get("method") is None:
            data.pop("method", None)
        return data

    @property
    def caveat(self) -> str | None:
        """Why the interval is approximate ("approximate: ..."), or None."""
        if not self.method or "approximate" not in self.method:
            return None
        return self.method[self.method.index("approximate") :]

    def text(self) -> str:
        interval = (
            f" [{self.low:.3f}, {self.high:.3f}]"
            if self.low is not None and self.high is not None
            else ""
        )
        size = f", n = {self.n}" if self.n is not None else ""
        where = f" on {self.on}" if self.on else ""
        caveat = f" ({self.caveat})" if self.caveat else ""
        return f"{self.value:.3f}{interval}{where}{size}{caveat}"


class ValidityCard(BaseModel):
    """A scorer's validity card."""

    model_config = ConfigDict(extra="forbid")

    scorer: str
    version: str | None = None
    """Scorer version the figures were measured with."""
    validated: str = ""
    """When (date) and by what (script or command)."""
    validated_on: list[str] = Field(default_factory=list)
    figures: dict[str, Figure] = Field(default_factory=dict)
    weak_spots: list[str] = Field(default_factory=list)
    source: str = ""

    def headline(self, limit: int = 3) -> str:
        """One line for a gate table: the first figures with their intervals."""
        parts = [f"{name} {fig.text()}" for name, fig in list(self.figures.items())[:limit]]
        return "; ".join(parts) if parts else "no validated figures"

    def summary(self) -> dict[str, Any]:
        """What a gate result carries (JSON-safe)."""
        return {
            "scorer": self.scorer,
            "version": self.version,
            "validated": self.validated,
            "validated_on": self.validated_on,
            "headline": self.headline(),
            # Cards without methods keep the shape reports have always read.
            "figures": {k: v.model_dump() for k, v in self.figures.items()},
            "weak_spots": self.weak_spots,
            "source": self.source,
        }


def read_card(path: Path) -> ValidityCard:
    """A card file, or a one-line error naming it."""
    try:
        return ValidityCard.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError) as exc:
        first = str(exc).splitlines()[0]
        raise ConfigError.single(
            str(path), f"not a valid validity card: {first}", hint="see docs/scorers.md"
        ) from None


def write_card(card: ValidityCard, path: Path) -> None:
    """Write ``card`` to the file given as ``--write-card``, as every user-named output is
    (``write_output``): a fault names the file, and an earlier card is never left cut off."""
    from ..store.files import write_output

    write_output(path, card.model_dump_json(indent=2) + "\n", option="--write-card")


@lru_cache(maxsize=64)
def builtin_card(scorer: str) -> ValidityCard | None:
    """The card shipped with a built-in scorer, or None."""
    path = CARDS_DIR / f"{scorer}.json"
    return read_card(path) if path.is_file() else None


def find_card(scorer: str, project: Path | None = None) -> ValidityCard | None:
    """The card for a scorer: the project's own (``validity/<scorer>.json`` in the working
    directory, as ``assurance scorers check --write-card`` writes it) before the built-in one."""
    own = (project or Path.cwd()) / "validity" / f"{scorer}.json"
    return read_card(own) if own.is_file() else builtin_card(scorer)


def scorer_ids_in(spec: Any, scorer_ids: list[str]) -> list[str]:
    """The scorer ids whose outputs a metric reads (``ref.is_refusal`` reads ``ref``), found
    anywhere in its specification (parameters, ``where``, ``by``)."""
    text = json.dumps(spec, default=str)
    return [sid for sid in scorer_ids if re.search(rf"(?<![\w.]){re.escape(sid)}\.[A-Za-z_]", text)]


def cards_for(spec: Any, scorers: dict[str, str]) -> list[tuple[str, str, ValidityCard | None]]:
    """(scorer id, scorer name, card or None) for each scorer a metric specification reads;
    ``scorers`` maps the suite's scorer ids to registry names."""
    return [
        (sid, scorers[sid], find_card(scorers[sid])) for sid in scorer_ids_in(spec, list(scorers))
    ]


def named_scorers(summary: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """A summary's scorer entries by id, those that name their scorer."""
    scorers = summary.get("scorers")
    return {
        str(sid): info
        for sid, info in (scorers.items() if isinstance(scorers, Mapping) else ())
        if isinstance(info, Mapping) and info.get("name")
    }


def gate_validity(gate: dict[str, Any], summary: dict[str, Any]) -> list[dict[str, Any]]:
    """The validity cards behind one gate of a finished run, from its ``summary.json``: what a
    report or the register annex shows beside the verdict."""
    metric = (summary.get("metrics") or {}).get(str(gate.get("metric"))) or {}
    scorers = {sid: str(info["name"]) for sid, info in named_scorers(summary).items()}
    out: list[dict[str, Any]] = []
    for sid, name, card in cards_for(metric.get("spec") or {}, scorers):
        if card is None:
            out.append(
                {"id": sid, "scorer": name, "headline": "no validity card", "weak_spots": []}
            )
        else:
            out.append({"id": sid, **card.summary()})
    return out


def _checked_figure(
    name: str,
    card: ValidityCard | None,
    reviewed: ReviewedValidity | None,
    source: str,
) -> tuple[str | None, Figure | None]:
    """Which figure a ``min_validity`` entry is checked against, and where it came from: the
    deployment's reviewed precision/recall where ``source`` allows and verdicts counted it,
    else the card's."""
    if source != "card" and reviewed is not None:
        figure = reviewed.figure(name)
        if figure is not None:
            return "reviewed", figure
    if source == "reviewed":
        return None, None
    figure = card.figures.get(name) if card else None
    return ("card", figure) if figure is not None else (None, None)


def attach_validity(
    result: dict[str, Any],
    gate: GateSpec,
    spec: MetricSpec | None,
    scorer_configs: list[ScorerConfig],
    reviewed: RunFigures | None = None,
) -> dict[str, Any]:
    """Apply a gate's ``min_validity`` at run time: each scorer its metric reads must have a
    validated figure whose lower bound reaches the minimum, or the gate fails and
    ``validity_unmet`` says why. ``precision`` and ``recall`` come from ``reviewed`` (each
    scorer's figures, by its id in this run, against the human verdicts on this target's runs
    of the scorer configured as here, ``scorers.reviewed``) where it has them and the gate's
    ``validity_from`` allows, else from the card; where none matched, the line says why
    (verdicts given under other settings do not count); every figure checked
    is recorded in ``validity_checked`` with its source, interval and counts, never silently.
    Gates without ``min_validity`` are left exactly as they were (the run files keep their
    shape; reports look the cards up from the summary)."""
    wanted = getattr(gate, "min_validity", None)
    if not wanted or spec is None:
        return result
    source = getattr(gate, "validity_from", "auto")
    raw = [spec.raw, spec.where, spec.by]
    unmet: list[str] = []
    checked: list[dict[str, Any]] = []
    for sid, name, card in cards_for(raw, {c.id: c.cls.name for c in scorer_configs}):
        mine = reviewed.get(sid) if reviewed is not None else None
        why_none = None if reviewed is None or source == "card" else reviewed.why_none.get(sid)
        for figure_name, minimum in wanted.items():
            used, figure = _checked_figure(figure_name, card, mine, source)
            low = None if figure is None else figure.low
            entry: dict[str, Any] = {
                "id": sid,
                "scorer": name,
                "figure": figure_name,
                "minimum": minimum,
                "source": used,
                **({} if figure is None else figure.model_dump()),
            }
            if used == "reviewed" and mine is not None:
                # Recall and specificity are counted over the random QC share only.
                entry["counts"] = dict(
                    mine.counts if figure_name == "precision" else mine.sample_counts
                )
                entry["verdicts"] = mine.verdicts
            where = f"{sid} ({name})"
            if low is None:
                allowed = {"card": "its validity card", "reviewed": "human review verdicts"}
                origin = allowed.get(source, "its validity card or human review verdicts")
                reason = f"{where}: no validated '{figure_name}' with an interval from {origin}"
                if why_none and figure_name in ("precision", "recall", "specificity"):
                    reason += f"; {why_none}"
                entry["text"] = reason
                unmet.append(reason)
            else:
                what = f"{'reviewed' if used == 'reviewed' else 'validated'} {figure_name}"
                basis = (
                    f" ({mine.counts_text(figure_name)} on {mine.scope}{mine.gone_text()})"
                    if used == "reviewed" and mine is not None
                    else ""
                )
                # Three decimals, unless they put the lower bound across the minimum: 0.8496 read
                # "0.850 < 0.85", a miss that reads as a figure on it; then the digits that
                # keep it below (``num_beside``, exactly, as ``met`` is judged).
                limit = {"min": minimum}
                shown = f"{low:.3f}"
                if (float(shown) < minimum) != (low < minimum):
                    shown = num_beside(float(low), {**limit, "verdict": "fail"})
                entry["text"] = (
                    f"{where}: {what} {num(figure.value)} "
                    f"{interval(low, figure.high, beside=limit)}{basis}"
                    if figure is not None and figure.high is not None
                    else f"{where}: {what} lower bound {shown}{basis}"
                )
                if low < minimum:
                    unmet.append(f"{where}: {what} lower bound {shown} < {minimum:g}{basis}")
            entry["met"] = low is not None and low >= minimum
            checked.append(entry)
    result["validity_unmet"] = unmet
    result["validity_checked"] = checked
    if unmet and result.get("verdict") == "pass":
        result["verdict"] = "fail"
    return result
