"""Secrets libpq takes as connection parameters, other than the password, in a store URL.

The URL is printed in follow-up commands (``--store URL --resume RUN``), written to run.json
(``store``) and shown in messages, so ``PgUrl`` refuses a password in it. libpq also takes the
client key's passphrase (``sslpassword``), an OAuth client secret (``oauth_client_secret``) and
SCRAM keys (``scram_client_key``, ``scram_server_key``): each was accepted, then shown and
written wherever the URL was."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.testing.cli import one_line_refusal, run_cli

SECRET = "hunter2-x9"


@pytest.mark.parametrize(
    ("query", "name", "fix"),
    [
        (f"sslpassword={SECRET}", "sslpassword", "service"),
        (f"ssl%70assword={SECRET}", "sslpassword", "service"),  # libpq decodes a key's escapes
        (f"sslmode=require&sslpassword={SECRET}", "sslpassword", "service"),
        (f"oauth_client_secret={SECRET}", "oauth_client_secret", "service"),
        (f"scram_client_key={SECRET}", "scram_client_key", "password_env"),
        (f"scram_server_key={SECRET}", "scram_server_key", "password_env"),
    ],
)
def test_a_secret_parameter_in_the_store_url_is_refused_without_echoing_it(
    tmp_path: Path, query: str, name: str, fix: str
) -> None:
    url = f"postgresql://ann@127.0.0.1:1/db?{query}"
    line = one_line_refusal(run_cli("--store", url, "runs", "list", cwd=tmp_path))
    assert SECRET not in line, line
    assert f"({name}=)" in line and fix in line, line
    (tmp_path / "assurance.yaml").write_text(f'store: "{url}"\n', encoding="utf-8")
    line = one_line_refusal(run_cli("runs", "list", cwd=tmp_path))
    assert SECRET not in line and "assurance.yaml" in line and f"({name}=)" in line, line


def test_every_parameter_libpq_hides_as_a_secret_is_refused() -> None:
    """libpq marks the parameters that hold a secret (``dispchar`` ``*``); one a newer libpq
    adds must be refused too, not written into run.json."""
    pq = pytest.importorskip("psycopg").pq
    from assurance_harness.store.postgres import SECRET_PARAMETERS

    hidden = {o.keyword.decode() for o in pq.Conninfo.get_defaults() if o.dispchar == b"*"}
    assert "password" in hidden
    assert hidden <= set(SECRET_PARAMETERS), hidden - set(SECRET_PARAMETERS)


@pytest.mark.slow
def test_a_run_with_sslpassword_in_its_store_url_writes_it_nowhere(
    pg_url: str, tmp_path: Path
) -> None:
    """Was: the run used the store (the passphrase is ignored for a key that has none) and
    wrote the URL, passphrase and all, to run.json's ``store``."""
    from tests.testing.project import echo_project

    echo_project(tmp_path, suite="sslpassword-url")
    url = f"{pg_url}&sslpassword={SECRET}"
    done = run_cli("--store", url, "run", "s.yaml", "--target", "t.yaml", cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert SECRET not in done.stdout + done.stderr
    written = [p for p in tmp_path.rglob("*") if p.is_file() and SECRET in p.read_text("latin-1")]
    assert not written, written


@pytest.mark.parametrize(
    "store",
    [
        f"host=db.internal user=ann password={SECRET} dbname=assurance",  # libpq's key=value
        f"postgresql//ann:{SECRET}@db.internal/assurance",  # the scheme's colon left out
        f"postgresql:\\\\ann:{SECRET}@db.internal/assurance",
        f"postgresql:ann:{SECRET}@db.internal/assurance",  # no "//": libpq still reads one
    ],
)
def test_a_store_that_is_not_a_url_is_refused_without_echoing_its_password(
    tmp_path: Path, store: str
) -> None:
    """Was: ``unknown store 'host=db.internal user=ann password=hunter2-x9 ...'``: what came
    before ``://`` was echoed as the store's scheme, and a connection string without one (the
    form libpq also takes) is all of it, password included, in a CI log. And a
    ``postgresql:`` URL without its ``//`` passed the password check (Python's ``urlsplit`` finds
    no user or password in it), yet libpq read ``USER:PASSWORD@HOST`` from it: the password was
    used, shown in every message and written to run.json."""
    line = one_line_refusal(run_cli("--store", store, "runs", "list", cwd=tmp_path))
    assert SECRET not in line and "postgresql://USER@HOST/DB?password_env=VAR" in line, line
    env = {"ASSURANCE_STORE": store}
    line = one_line_refusal(run_cli("runs", "list", cwd=tmp_path, env=env))
    assert SECRET not in line and "ASSURANCE_STORE" in line, line
    (tmp_path / "assurance.yaml").write_text(f"store: '{store}'\n", encoding="utf-8")
    line = one_line_refusal(run_cli("runs", "list", cwd=tmp_path))
    assert SECRET not in line and "assurance.yaml" in line, line


@pytest.mark.parametrize(
    "password",
    ["AbCdEf1234567890GhIjKlMn", "c3f9a0b1d2e4f5a6b7c8d9e0f1a2b3c4", "sk_live_51HqLyjWDarjtT1z"],
)
def test_a_password_written_as_password_env_is_refused_without_echoing_it(
    tmp_path: Path, password: str
) -> None:
    """``password_env`` names the variable; a generated password is a valid name too, and was
    printed twice ("the store URL ...?password_env=PW reads its password from $PW, which is
    not set"), as a target's ``api_key_env`` holding its key is not."""
    url = f"postgresql://ann@127.0.0.1:1/db?password_env={password}"
    line = one_line_refusal(run_cli("--store", url, "runs", "list", cwd=tmp_path))
    assert password[:8] not in line and password[-8:] not in line, line
    assert "password_env" in line and "looks like" in line, line
