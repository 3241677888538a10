"""A store URL that cannot even be parsed (``--store``, ASSURANCE_STORE or ``store:`` in
assurance.yaml) is one line and exit 2, like any other unusable store URL."""

from __future__ import annotations

from pathlib import Path

from tests.testing.cli import run_cli

BAD = "postgresql://u@[::1/db"  # an IPv6 host without its closing bracket


def test_a_store_url_that_does_not_parse_is_a_usage_error(tmp_path: Path) -> None:
    runs = [
        run_cli("--store", BAD, "runs", "list", cwd=tmp_path),
        run_cli("runs", "list", cwd=tmp_path, env={"ASSURANCE_STORE": BAD}),
    ]
    (tmp_path / "assurance.yaml").write_text(f'store: "{BAD}"\n')
    runs.append(run_cli("runs", "list", cwd=tmp_path))
    for proc in runs:
        text = proc.stdout + proc.stderr
        assert proc.returncode == 2, text
        assert "internal error" not in text and "Traceback" not in text, text
        assert "IPv6" in text


def test_a_sqlite_url_is_told_how_the_embedded_store_is_chosen(tmp_path: Path) -> None:
    # Observed: "unknown store 'sqlite': use sqlite (the default) or postgresql://..." -- it
    # refused the very name it recommended, and did not say where the embedded store's file is.
    proc = run_cli("--store", "sqlite:///tmp/x.db", "runs", "list", cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert "unknown store 'sqlite'" not in lines[0], lines[0]
    assert "use sqlite" in lines[0] and "--reports" in lines[0], lines[0]


def test_an_empty_store_option_is_refused_as_an_unset_variable(tmp_path: Path) -> None:
    # Observed: --store "$TEAM_STORE" with the variable unset read and wrote the embedded
    # store, exit 0, where every other option refuses an empty value.
    (tmp_path / "reports").mkdir()
    runs = [
        run_cli("--store", "", "runs", "list", "--reports", "reports", cwd=tmp_path),
        run_cli("--store", " ", "evidence", "verify", "--reports", "reports", cwd=tmp_path),
        run_cli("run", "s.yaml", "--target", "t.yaml", "--store", "", cwd=tmp_path),
    ]
    for proc in runs:
        text = proc.stdout + proc.stderr
        assert proc.returncode == 2, text
        assert "--store: empty (an unset variable?)" in text, text


def test_an_empty_store_variable_is_as_if_unset(tmp_path: Path) -> None:
    # ASSURANCE_STORE= (a CI secret not set) is no choice: the project's store: is read, not
    # silently replaced by the embedded store.
    (tmp_path / "reports").mkdir()
    empty = {"ASSURANCE_STORE": ""}
    alone = run_cli("runs", "list", "--reports", "reports", cwd=tmp_path, env=empty)
    assert alone.returncode == 0, alone.stdout + alone.stderr
    (tmp_path / "assurance.yaml").write_text(f'store: "{BAD}"\n')
    proc = run_cli("runs", "list", "--reports", "reports", cwd=tmp_path, env=empty)
    text = proc.stdout + proc.stderr
    assert proc.returncode == 2 and "assurance.yaml" in text and "IPv6" in text, text
