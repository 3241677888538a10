"""Load and validate a register file; every problem is reported as ``file:line: field: message``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .. import workspace
from ..errors import ConfigError, ConfigIssue
from ..spec.errors import validation_issues
from ..store.yaml_lines import LineOf, load_yaml_with_lines
from .model import CASE_CLASH_FIX, GateName, Register, RiskIds, gate_list, risk_id_clash

DEFAULT_REGISTER = workspace.DEFAULT_REGISTER


@dataclass
class LoadedRegister:
    """A validated register with where it came from (line numbers stay available for reports)."""

    register: Register
    path: Path
    line_of: LineOf

    def risk_line(self, risk_id: str) -> int | None:
        for index, risk in enumerate(self.register.risks):
            if risk.id == risk_id:
                return self.line_of(("risks", index))
        return None


def _duplicate_issues(data: dict[str, Any], source: str, line_of: LineOf) -> list[ConfigIssue]:
    """Name the line of the second occurrence (pydantic can only point at the whole list).
    Risks that are not a list are pydantic's to report: there is nothing to compare."""
    issues: list[ConfigIssue] = []
    seen = RiskIds()
    risks = data.get("risks")
    if not isinstance(risks, list):
        return issues
    for index, risk in enumerate(risks):
        if not isinstance(risk, dict) or not isinstance(risk.get("id"), str):
            continue
        rid = risk["id"]
        earlier = seen.clash(rid)
        if earlier is None:
            seen.add(rid, index)
            continue
        earlier_id, earlier_index = earlier
        first_line = line_of(("risks", earlier_index, "id"))
        hint = f"first used at line {first_line}; ids must be unique"
        if earlier_id != rid:
            hint = CASE_CLASH_FIX.format(
                earlier=earlier_id, where=f" (first used at line {first_line})"
            )
        issues.append(
            ConfigIssue(
                source,
                line_of(("risks", index, "id")),
                f"risks[{index}].id",
                str(risk_id_clash(rid, earlier_id)),
                hint,
            )
        )
    return issues


def _is_clash(message: str) -> bool:
    """Whether a pydantic issue is ``Register``'s own report of a clash that
    :func:`_duplicate_issues` located already."""
    return message.startswith("duplicate risk id") or message.endswith(" only in case")


def validate_register_data(data: Any, source: str, line_of: LineOf) -> Register:
    """Validate already-parsed data (the CSV importer reuses this with its own ``line_of``)."""
    if not isinstance(data, dict):
        raise ConfigError.single(
            source, "a register file must be a YAML mapping", line=1, hint="start with 'system:'"
        )
    issues = _duplicate_issues(data, source, line_of)
    try:
        register = Register.model_validate(data)
    except ValidationError as exc:
        found = validation_issues(exc, source, line_of, Register)
        if issues:
            found = [i for i in found if not _is_clash(i.message)]
        raise ConfigError(issues + found) from None
    if issues:
        raise ConfigError(issues)
    return register


def load_register(path: str | Path = DEFAULT_REGISTER) -> LoadedRegister:
    """Read, parse and validate a register file; raise ConfigError naming every problem."""
    source = str(path)
    data, line_of = load_yaml_with_lines(path)
    register = validate_register_data(data, source, line_of)
    return LoadedRegister(register=register, path=Path(path), line_of=line_of)


def validate_register(path: str | Path = DEFAULT_REGISTER) -> LoadedRegister:
    """``load_register`` and what the evidence commands check of the file besides: the
    system's identity (``system.target`` names a target file that loads). What ``validate``
    passes, ``register status`` and ``evidence attach`` must not then refuse."""
    from .identity import system_identity

    loaded = load_register(path)
    system_identity(loaded.register, loaded.path, loaded.line_of)
    return loaded


def gate_filter_issues(
    loaded: LoadedRegister, suite_gates: Mapping[str, list[GateName]]
) -> list[ConfigIssue]:
    """A problem per name in a risk's ``{suite: NAME, gates: [...]}`` that matches no gate of
    that suite, for the suites at hand (``suite_gates``: suite name -> (gate id, metric) of each
    gate; ``validate`` passes the suite files validated with the register). Accepted, a
    misspelt name narrowed the risk's evidence to the gates that matched, and a failing gate
    no longer counted (``register status`` says the same of the runs in the ledger)."""
    issues: list[ConfigIssue] = []
    for i, risk in enumerate(loaded.register.risks):
        for j, link in enumerate(risk.suites):
            gates = suite_gates.get(link.suite)
            if gates is None:
                continue
            unknown = set(link.unknown_gates(gates))
            for k, name in enumerate(link.gates):
                if name not in unknown:
                    continue
                issues.append(
                    ConfigIssue(
                        str(loaded.path),
                        loaded.line_of(("risks", i, "suites", j, "gates", k)),
                        f"risks[{i}].suites[{j}].gates[{k}]",
                        f"gate '{name}' matches no gate of suite '{link.suite}' "
                        f"(its gates: {gate_list(gates)})",
                        "name a gate by its metric or its id, as the suite file does",
                    )
                )
    return issues
