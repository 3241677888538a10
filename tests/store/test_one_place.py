"""One place each (issue 9 item 4): paths, hashes, atomic writes, keys, the system prompt rule,
and one exception hierarchy."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

import pytest

from assurance_harness.datatypes import with_system_prompt
from assurance_harness.errors import ExitCode, HarnessError
from assurance_harness.rowkeys import case_key, split_case_key
from assurance_harness.store.files import sha256_file, write_text_atomic
from assurance_harness.workspace import Workspace


def test_workspace_spells_out_every_default_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    ws = Workspace.at("out")
    assert ws.index == Path("out/runs.db") and ws.cache == Path("out/cache.sqlite")
    assert ws.ledger == Path("out/evidence/ledger.jsonl")
    assert ws.register == Path("register/risk_register.yaml")
    assert ws.register_if_present() is None  # not there: no register is implied
    Path("register").mkdir()
    Path("register/risk_register.yaml").write_text("risks: []\n")
    assert ws.register_if_present() == Path("register/risk_register.yaml")
    given = Workspace.at("out", register="r.yaml", ledger="l.jsonl")
    assert given.register_if_present() == Path("r.yaml") and given.ledger == Path("l.jsonl")


def test_every_module_uses_the_same_defaults() -> None:
    from assurance_harness.register import cli as register_cli
    from assurance_harness.register import ledger, loader

    assert Workspace().ledger == ledger.DEFAULT_LEDGER
    assert loader.DEFAULT_REGISTER == register_cli.DEFAULT_REGISTER == Workspace().register


def test_sha256_and_atomic_write(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "f.txt"
    write_text_atomic(path, "héllo\n")
    assert path.read_bytes() == "héllo\n".encode()
    assert sha256_file(path) == hashlib.sha256("héllo\n".encode()).hexdigest()
    mask = os.umask(0o022)
    os.umask(mask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~mask
    assert [p.name for p in path.parent.iterdir()] == ["f.txt"]  # no temporary left


def test_case_keys_round_trip() -> None:
    assert case_key("a#b", 3) == "a#b#3"
    assert split_case_key("a#b#3") == ("a#b", 3)


def test_one_system_prompt_rule_for_suites_and_targets() -> None:
    from assurance_harness.targets._messages import build_messages

    user = [{"role": "user", "content": "hi"}]
    own = [{"role": "user", "content": "hi"}, {"role": "system", "content": "case's own"}]
    for apply in (with_system_prompt, build_messages):
        assert apply(user, "be kind") == [{"role": "system", "content": "be kind"}, *user]
        assert apply(own, "be kind") == own  # a case's own system turn wins, wherever it is
        assert apply(user, None) == user


def test_target_errors_are_harness_errors() -> None:
    from assurance_harness.targets.base import ClientError, TargetError

    assert issubclass(TargetError, HarnessError)
    assert ClientError("x").exit_code == ExitCode.RUN_FAILED == 3
