"""``review add-reviewer --token-env`` given the token itself does not print it.

The variable's name was echoed in "--token-env NAME: the variable is not set": given the token
instead of its variable's name (a slip a CI script makes with ``--token-env $TOKEN``), the token
went to the terminal and the CI log. A target's ``api_key_env`` that looks like a key is
refused without being shown; this is too.
"""

from __future__ import annotations

from pathlib import Path

from ..testing.cli import run_cli

TOKEN = "rvw-Tok3nCanary-8f7e6d5c4b3a"


def test_a_token_given_as_its_variables_name_is_refused_without_printing_it(
    tmp_path: Path,
) -> None:
    done = run_cli(
        "review",
        "add-reviewer",
        "alice",
        "--token-env",
        TOKEN,
        "--reports",
        "reports",
        cwd=tmp_path,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 2, output
    assert "--token-env" in output and "not shown" in output
    assert TOKEN[:10] not in output


def test_an_unset_variable_is_still_named(tmp_path: Path) -> None:
    done = run_cli(
        "review",
        "add-reviewer",
        "alice",
        "--token-env",
        "ALICE_TOKEN_UNSET",
        "--reports",
        "reports",
        cwd=tmp_path,
    )
    assert done.returncode == 2
    assert "--token-env ALICE_TOKEN_UNSET: the variable is not set" in done.stderr
