"""``evidence verify`` on a ledger damaged on disk reports tampering (exit 1), never an internal
error, and never mistakes a deleted ledger for one not yet started while its anchor remains."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from assurance_harness.register.evidence_record import canonical_json, record_hash
from tests.testing.cli import run_cli

SUITE = """suite: tiny
version: 1.0.0
evidence_for: [R-001]
cases:
  - {id: a, prompt: "hello there"}
  - {id: b, prompt: "what is 2+2"}
scorers:
  - {id: len, use: length}
metrics:
  - {id: long_rate, rate: "len.words > 5"}
gates:
  - {metric: long_rate, max: 1.0}
"""


@pytest.fixture(scope="module")
def attached(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("ledger")
    examples = Path(__file__).resolve().parents[2] / "examples"
    shutil.copytree(examples, root / "examples")
    (root / "suite.yaml").write_text(SUITE)
    (root / "target.yaml").write_text(
        "type: callable\nfunction: demo_assistant:respond\npython_path: [examples]\n"
    )
    proc = run_cli("run", "suite.yaml", "--target", "target.yaml", cwd=root)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (root / "reports" / "evidence" / "ledger.jsonl").exists()
    return root


def _copy(attached: Path, tmp_path: Path) -> Path:
    shutil.copytree(attached, tmp_path / "w")
    return tmp_path / "w"


DEEP = '{"a": ' + "[" * 10_000 + "]" * 10_000 + "}\n"
"""JSON nested deeper than the parser's recursion limit."""


@pytest.mark.parametrize("where", ["ledger.jsonl", "ledger.jsonl.head"])
def test_a_ledger_file_nested_too_deep_is_tampering_not_an_internal_error(
    attached: Path, tmp_path: Path, where: str
) -> None:
    """Was: "internal error: RecursionError" (exit 3) from verify and every view of the
    ledger, for a line (or an anchor) nested 10,000 deep."""
    root = _copy(attached, tmp_path)
    path = root / "reports" / "evidence" / where
    if where == "ledger.jsonl":
        with path.open("a") as handle:
            handle.write(DEEP)
    else:
        path.write_text(DEEP)
    (root / "register.yaml").write_text(
        "register_version: 1\nsystem: {name: Demo, intended_use: tests, owner: Tester}\n"
    )
    status = ("register", "status", "--register", "register.yaml")
    for command in (("evidence", "verify"), status, ("evidence", "list")):
        proc = run_cli(*command, cwd=root)
        text = proc.stdout + proc.stderr
        assert "internal error" not in text, text
        assert proc.returncode == 1, text
        assert "tampered: " in proc.stderr, text


def test_a_ledger_line_that_is_not_utf8_is_reported_as_tampering(
    attached: Path, tmp_path: Path
) -> None:
    root = _copy(attached, tmp_path)
    with (root / "reports" / "evidence" / "ledger.jsonl").open("ab") as handle:
        handle.write(b'{"id": "\xff\xfe"}\n')
    proc = run_cli("evidence", "verify", cwd=root)
    text = proc.stdout + proc.stderr
    assert proc.returncode == 1, text
    assert "internal error" not in text and "ledger.jsonl:2" in text


def test_a_deleted_ledger_whose_anchor_remains_is_tampering_not_no_ledger_yet(
    attached: Path, tmp_path: Path
) -> None:
    root = _copy(attached, tmp_path)
    (root / "reports" / "evidence" / "ledger.jsonl").unlink()
    assert (root / "reports" / "evidence" / "ledger.jsonl.head").exists()
    proc = run_cli("evidence", "verify", cwd=root)
    text = proc.stdout + proc.stderr
    assert proc.returncode == 1, text
    assert "no ledger yet" not in text


@pytest.mark.parametrize("name", ["summary.json", "results.jsonl"])
def test_a_run_file_replaced_by_a_folder_is_tampering_not_an_internal_error(
    attached: Path, tmp_path: Path, name: str
) -> None:
    root = _copy(attached, tmp_path)
    (run_dir,) = [p for p in (root / "reports").iterdir() if (p / "manifest.json").exists()]
    (run_dir / name).unlink()
    (run_dir / name).mkdir()
    proc = run_cli("evidence", "verify", cwd=root)
    text = proc.stdout + proc.stderr
    assert "internal error" not in text, text
    assert proc.returncode == 1, text
    assert f"{run_dir.name}/{name} is not a file" in text, text


def test_a_ledger_path_that_is_a_folder_is_one_line(attached: Path, tmp_path: Path) -> None:
    root = _copy(attached, tmp_path)
    (run_dir,) = [p for p in (root / "reports").iterdir() if (p / "manifest.json").exists()]
    (root / "folder").mkdir()
    for args in (
        ["evidence", "verify"],
        ["evidence", "list"],
        ["evidence", "attach", run_dir.name],
    ):
        proc = run_cli(*args, "--ledger", "folder", cwd=root)
        text = proc.stdout + proc.stderr
        assert "internal error" not in text, (args, text)
        assert proc.returncode == 2, (args, text)
        assert "error: folder: is a directory, not an evidence ledger" in text, (args, text)


@pytest.mark.parametrize("limit", ["0", "-1"])
def test_a_list_limit_below_one_is_refused_not_read_as_all(
    attached: Path, tmp_path: Path, limit: str
) -> None:
    """records[-limit:] gave every record for 0, and all but the first for -1."""
    proc = run_cli("evidence", "list", f"--limit={limit}", cwd=attached)
    text = proc.stdout + proc.stderr
    assert proc.returncode == 2, text
    assert "--limit" in text and "EV-000001" not in text, text


def _rechain_first(root: Path, part: str, field: str, value: object) -> None:
    """Edit the first record and recompute its hash, as a tool or a person could (the anchor,
    which would still catch it, removed)."""
    ledger = root / "reports" / "evidence" / "ledger.jsonl"
    first = json.loads(ledger.read_text().splitlines()[0])
    first[part] = {**(first[part] or {}), field: value}
    del first["hash"]
    first["hash"] = record_hash(first)
    ledger.write_text(canonical_json(first) + "\n")  # the bytes the ledger writes
    (root / "reports" / "evidence" / "ledger.jsonl.head").unlink()


def test_a_rechained_record_whose_run_files_are_not_a_mapping_is_tampering(
    attached: Path, tmp_path: Path
) -> None:
    """It kept the top-level types, so it parsed, and then ended verify in an internal
    error; no writer gives run.files another shape."""
    root = _copy(attached, tmp_path)
    _rechain_first(root, "run", "files", ["results.jsonl"])
    proc = run_cli("evidence", "verify", cwd=root)
    text = proc.stdout + proc.stderr
    assert "internal error" not in text, text
    assert proc.returncode == 1, text
    assert "ledger.jsonl:1" in text, text


@pytest.mark.parametrize(
    ("part", "field", "value"), [("metric", "ci_low", [0]), ("gate", "max", "x")]
)
def test_a_record_with_a_figure_that_is_not_a_number_exports(
    attached: Path, tmp_path: Path, part: str, field: str, value: object
) -> None:
    """A metric plugin may write such a figure, and attach records it as it is: the XLSX export
    ended in an internal error (openpyxl: 'Cannot convert [0] to Excel')."""
    root = _copy(attached, tmp_path)
    _rechain_first(root, part, field, value)
    (root / "register.yaml").write_text(
        "register_version: 1\nsystem: {name: Demo, intended_use: tests, owner: Tester}\n"
    )
    verified = run_cli("evidence", "verify", cwd=root)  # a record the tool can write is valid
    assert verified.returncode == 0, verified.stdout + verified.stderr
    proc = run_cli("register", "export", "--register", "register.yaml", "-o", "r.xlsx", cwd=root)
    text = proc.stdout + proc.stderr
    assert "internal error" not in text, text
    assert proc.returncode == 0, text


def test_list_says_which_lines_it_could_not_read(attached: Path, tmp_path: Path) -> None:
    """Was: ``evidence list`` left an unreadable line out without a word, exit 0: the listing
    looked complete while a record was missing from it. A line that is not a record fails
    verification: exit 1, as 'evidence verify' and 'register status'."""
    root = _copy(attached, tmp_path)
    with (root / "reports" / "evidence" / "ledger.jsonl").open("a") as handle:
        handle.write("garbage {\n")
    proc = run_cli("evidence", "list", cwd=root)
    assert proc.returncode == 1, proc.stderr
    assert "EV-000001" in proc.stdout
    warning, *tampered = proc.stderr.strip().splitlines()
    assert warning.startswith("warning: ") and "ledger.jsonl:2" in warning, proc.stderr
    assert "assurance evidence verify" in warning, proc.stderr
    assert tampered and all(line.startswith("tampered: ") for line in tampered), proc.stderr


@pytest.mark.parametrize("under", [False, True])
def test_a_ledger_path_in_a_symlink_loop_is_a_usage_error_naming_it(
    attached: Path, tmp_path: Path, under: bool
) -> None:
    # 'evidence attach --ledger' through a symlink loop failed as the ledger was opened for the
    # append: a storage fault, exit 3, as if the disk had failed, for a path the user gave.
    root = _copy(attached, tmp_path)
    (root / "loop-a").symlink_to("loop-b")
    (root / "loop-b").symlink_to("loop-a")
    ledger = "loop-a/ledger.jsonl" if under else "loop-a"
    run_id = next(p.name for p in (root / "reports").iterdir() if (p / "run.json").exists())
    proc = run_cli("evidence", "attach", run_id, "--ledger", ledger, cwd=root)
    text = proc.stdout + proc.stderr
    assert proc.returncode == 2, text
    assert f"error: {ledger}: is in a symlink loop, not an evidence ledger" in text, text
    assert len(text.strip().splitlines()) == 1, text


def test_reading_a_ledger_through_a_symlink_loop_is_a_usage_error_not_no_ledger(
    attached: Path, tmp_path: Path
) -> None:
    # 'evidence verify' said "no ledger yet" and 'register status' showed every risk untested
    # (exit 0): a loop read as a ledger not made yet.
    from tests.register.register_testkit import EXAMPLE_REGISTER

    root = _copy(attached, tmp_path)
    (root / "loop-a").symlink_to("loop-b")
    (root / "loop-b").symlink_to("loop-a")
    (root / "register.yaml").write_text(EXAMPLE_REGISTER.read_text())
    (root / "targets").mkdir()
    shutil.copy(root / "target.yaml", root / "targets" / "demo.yaml")  # the system's target
    for args in (
        ["evidence", "verify"],
        ["register", "status", "--register", "register.yaml"],
    ):
        proc = run_cli(*args, "--ledger", "loop-a", cwd=root)
        text = proc.stdout + proc.stderr
        assert proc.returncode == 2, (args, text)
        assert "loop-a: is in a symlink loop, not an evidence ledger" in text, (args, text)


def test_a_run_with_a_ledger_in_a_symlink_loop_is_refused_before_it_sends(
    attached: Path, tmp_path: Path
) -> None:
    # The whole run was sent and scored, then its evidence failed to attach (exit 3 and a
    # repair command): a --ledger no ledger can be at is known before the first request.
    root = _copy(attached, tmp_path)
    (root / "loop-a").symlink_to("loop-b")
    (root / "loop-b").symlink_to("loop-a")
    before = {p.name for p in (root / "reports").iterdir()}
    proc = run_cli("run", "suite.yaml", "--target", "target.yaml", "--ledger", "loop-a", cwd=root)
    text = proc.stdout + proc.stderr
    assert proc.returncode == 2, text
    assert "loop-a: is in a symlink loop, not an evidence ledger" in text, text
    assert {p.name for p in (root / "reports").iterdir()} == before, "a run folder was made"


def test_an_anchor_that_is_a_pipe_is_unreadable_tampering_not_a_hang(
    attached: Path, tmp_path: Path
) -> None:
    """``evidence verify`` read the ``.head`` anchor with read_text: a FIFO in its place was
    waited on for ever (the append side already passed over one)."""
    root = _copy(attached, tmp_path)
    anchor = root / "reports" / "evidence" / "ledger.jsonl.head"
    anchor.unlink()
    os.mkfifo(anchor)
    proc = run_cli("evidence", "verify", cwd=root, timeout=60)
    text = proc.stdout + proc.stderr
    assert proc.returncode == 1, text
    assert "unreadable anchor file" in text, text


def test_printing_an_anchor_that_is_a_pipe_is_one_line_not_a_hang(
    attached: Path, tmp_path: Path
) -> None:
    root = _copy(attached, tmp_path)
    anchor = root / "reports" / "evidence" / "ledger.jsonl.head"
    anchor.unlink()
    os.mkfifo(anchor)
    proc = run_cli("evidence", "head", cwd=root, timeout=60)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "ledger.jsonl.head" in proc.stderr and "not a regular file" in proc.stderr, proc.stderr


def test_thousands_of_damaged_ledger_lines_are_listed_up_to_the_cap(
    attached: Path, tmp_path: Path
) -> None:
    # Every problem was printed, one line each: 3,000 lines of terminal output that hid the
    # first (the one to look at) and the verdict. Configuration errors list at most 20.
    root = _copy(attached, tmp_path)
    with (root / "reports" / "evidence" / "ledger.jsonl").open("ab") as handle:
        handle.write(b"not json\n" * 3000)
    proc = run_cli("evidence", "verify", "--no-files", cwd=root)
    text = proc.stdout + proc.stderr
    assert proc.returncode == 1, text
    tampered = [line for line in text.splitlines() if line.startswith("tampered: ")]
    assert len(tampered) == 20, text[:2000]
    assert tampered[0].startswith("tampered: ") and "ledger.jsonl:2" in tampered[0], text[:2000]
    assert "... and 2,98" in text and "more problems in" in text, text[-2000:]
    assert "FAILED (" in text, text[-2000:]


def test_head_of_a_ledger_whose_anchor_file_is_gone_does_not_say_attach_a_run_first(
    attached: Path, tmp_path: Path
) -> None:
    """With records in the ledger and its anchor file deleted, 'evidence head' said "no anchor
    yet; attach a run first", as for a new ledger: the anchor was lost, and what verify
    advises (check the chain, then --repair-anchor) is the way back."""
    root = _copy(attached, tmp_path)
    (root / "reports" / "evidence" / "ledger.jsonl.head").unlink()
    proc = run_cli("evidence", "head", cwd=root, timeout=60)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "attach a run first" not in proc.stderr, proc.stderr
    assert "records" in proc.stderr and "--repair-anchor" in proc.stderr, proc.stderr


@pytest.mark.parametrize(
    "anchor",
    [
        b'{"seq": ',
        b"[]",
        b"",
        bytes(range(256)),
        b'{"hash":"00","id":"EV-000099","seq":99,"updated_at":"2026-12-06T00:02:20+00:00"}\n',
    ],
    ids=["torn", "list", "empty", "binary", "not-the-last-record"],
)
def test_head_does_not_print_an_anchor_that_is_not_the_ledgers(
    attached: Path, tmp_path: Path, anchor: bytes
) -> None:
    """'evidence head' printed whatever the ``.head`` file held, exit 0: a torn or binary file
    as it was, or an anchor naming a record the ledger does not end with, for the user to keep
    as the copy 'evidence verify --anchor' later checks against (which then refused it, or
    called the ledger rewritten). Now one line naming the anchor and 'evidence verify'."""
    root = _copy(attached, tmp_path)
    (root / "reports" / "evidence" / "ledger.jsonl.head").write_bytes(anchor)
    proc = run_cli("evidence", "head", cwd=root, timeout=60)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stdout == "", proc.stdout
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, proc.stderr
    assert "ledger.jsonl.head" in errors[0] and "evidence verify" in errors[0], errors


def test_head_prints_the_anchor_of_an_intact_ledger(attached: Path, tmp_path: Path) -> None:
    root = _copy(attached, tmp_path)
    anchor = (root / "reports" / "evidence" / "ledger.jsonl.head").read_text()
    proc = run_cli("evidence", "head", cwd=root, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == anchor


def test_head_does_not_print_the_anchor_of_a_ledger_whose_chain_is_broken(
    attached: Path, tmp_path: Path
) -> None:
    """A record edited in place (its figure changed, its hash and the anchor left as they
    were): 'evidence head' checked only that the anchor names the last record, and printed it
    for the user to keep as the copy of a ledger 'evidence verify' calls tampered with. Now the
    chain is checked first (records only, not the run files: that is verify's)."""
    root = _copy(attached, tmp_path)
    ledger = root / "reports" / "evidence" / "ledger.jsonl"
    text = ledger.read_text(encoding="utf-8")
    assert '"checked":1.0' in text
    ledger.write_text(text.replace('"checked":1.0', '"checked":0.5', 1), encoding="utf-8")
    proc = run_cli("evidence", "head", cwd=root, timeout=60)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert proc.stdout == "", proc.stdout
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert "ledger.jsonl" in errors[0] and "chain does not verify" in errors[0], errors
    assert "assurance evidence verify" in errors[0], errors
