"""Whose evidence counts: the identity of the system under assessment.

A register is about one deployed system. Its ``system.target`` names the target file of that
system, and a run counts as evidence for the register's risks only when it was made against
that configuration (the target's fingerprint: endpoint, model and generation settings; not
secrets or rate limits) and, when ``system.model_version`` is set, when the model version the
endpoint reported matches it. Every other run is *exploratory*: it is reported as usual but
writes no evidence unless asked explicitly (``--evidence-for SYSTEM``), and even then it is
recorded under its own target's identity and never changes the system's status.

Without this, any run against any target (a random-weights model, a colleague's staging
endpoint) could flip a risk to VERIFIED.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError
from .model import Register

if TYPE_CHECKING:
    from ..store.yaml_lines import LineOf


def identity_label(target: dict[str, Any]) -> str:
    """How a run's target is named in views: ``name (type, config FINGERPRINT)``."""
    name = target.get("name") or "?"
    kind = target.get("type") or "?"
    return f"{name} ({kind}, config {target.get('fingerprint') or '?'})"


@dataclass(frozen=True)
class SystemIdentity:
    """The target identity a register declares (``declared`` False when it declares none)."""

    system: str
    target_path: str | None
    fingerprints: frozenset[str]
    model_version: str | None

    @property
    def declared(self) -> bool:
        return bool(self.fingerprints)

    def mismatch(self, target: dict[str, Any]) -> str | None:
        """Why a run's target is not this system (None when it is, or nothing is declared)."""
        if not self.declared:
            return None
        fingerprint = str(target.get("fingerprint") or "")
        if fingerprint not in self.fingerprints:
            where = f"the target file {self.target_path}" if self.target_path else "the register"
            return (
                f"its target {identity_label(target)} is not {self.system}'s target "
                f"(config {', '.join(sorted(self.fingerprints))}, from {where})"
            )
        version = target.get("model_version")
        if self.model_version:
            outside = _versions_outside(str(version or ""), self.model_version)
            if outside:
                which = "which" if outside == [version or "(none)"] else f"and {', '.join(outside)}"
                return (
                    f"the endpoint reported model version {version or '(none)'}, {which} does "
                    f"not match {self.system}'s system.model_version '{self.model_version}'"
                )
        return None

    def describe(self) -> str:
        if not self.declared:
            return "not declared (system.target): evidence is accepted from any target"
        parts = [f"config {', '.join(sorted(self.fingerprints))}"]
        if self.target_path:
            parts.insert(0, self.target_path)
        if self.model_version:
            parts.append(f"model version {self.model_version}")
        return ", ".join(parts)


def _versions_outside(recorded: str, pattern: str) -> list[str]:
    """The reported versions that do not match ``pattern`` (``(none)`` for none reported).

    A run whose endpoint reported several versions (a rolling update mid-run) records them
    comma-joined (``runner.record.model_version_of``); matched as one text, a ``*`` in the
    pattern spanned the join, so ``v1.*`` took ``v1.4, v2.0``, answers from a model that is
    not the system's among them. Each version must match on its own."""
    versions = [v.strip() for v in recorded.split(", ")] if recorded else [""]
    return [v or "(none)" for v in versions if not fnmatch.fnmatchcase(v, pattern)]


def _find_target_file(name: str, register_path: Path) -> Path | None:
    """``system.target`` as written (from the working directory), else beside the register or
    one folder up (``register/risk_register.yaml`` naming ``targets/demo.yaml``)."""
    candidates = [Path(name), register_path.parent / name, register_path.parent.parent / name]
    return next((p for p in candidates if p.is_file()), None)


def system_identity(
    register: Register, register_path: Path, line_of: LineOf | None = None
) -> SystemIdentity:
    """The register's declared identity, reading ``system.target`` for its fingerprint.

    Raises ConfigError when ``system.target`` names a file that cannot be found or read: a
    register whose identity cannot be established must not silently accept every run.
    ``line_of`` (the register file's) puts the line in that error. ``register validate`` asks
    this too, so what ``status`` and ``evidence attach`` refuse never passes validation."""
    system = register.system
    fingerprints = set(system.fingerprints)
    if system.target:
        from ..store.files import check_local_path

        try:
            # A name no file system holds (a NUL, a part over 255 bytes) is an OSError from
            # the lookups below, not a file that is missing.
            check_local_path(system.target)
        except ValueError as exc:
            raise ConfigError.single(
                str(register_path),
                str(exc),
                line=line_of(("system", "target")) if line_of else None,
                field="system.target",
                hint="give the deployed system's target file, relative to the project folder",
            ) from None
        found = _find_target_file(system.target, register_path)
        if found is None:
            from ..store.files import NOT_REGULAR_FILE, is_special_file

            named = Path(system.target)
            what = (
                f"'{system.target}' is a folder, not a target file"
                if named.is_dir()
                else f"'{system.target}' {NOT_REGULAR_FILE}"
                if is_special_file(named)
                else f"no file '{system.target}'"
            )
            raise ConfigError.single(
                str(register_path),
                f"{what} (looked in the working directory and beside {register_path})",
                line=line_of(("system", "target")) if line_of else None,
                field="system.target",
                hint="give the deployed system's target file, relative to the project folder",
            )
        from ..spec.targets import load_target

        fingerprints.add(load_target(found).fingerprint())
    return SystemIdentity(
        system=system.name,
        target_path=system.target,
        fingerprints=frozenset(fingerprints),
        model_version=system.model_version,
    )
