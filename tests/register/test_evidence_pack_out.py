"""``evidence pack -o DIR`` is a folder the pack fills, and first empties of an earlier pack's
files (those its SHA256SUMS lists). Observed on real runs:

* ``-o reports/<run>/annex`` was written: a folder of another kind among the run's evidence,
  its annex.html and copied summary.json read as the run's own (``run``, ``compare -o`` and
  ``trend -o`` refuse a file in a run folder; the pack did not, nor below one);
* packing a run copied into an earlier pack (``pack PACK/runs/<id> -o PACK``, re-packing an
  annex received) deleted that run's files, the input, as the earlier pack's, then failed with
  "cannot write ...: No such file or directory; free space there", exit 3, the run lost.

Both are refused before anything is written or deleted: exit 2, one line naming the folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.testing.cli import one_line_refusal, run_cli
from tests.testing.project import echo_runs
from tests.testing.tmpfs import fill, tmpfs


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_a_pack_in_a_run_folder_is_refused(tmp_path: Path) -> None:
    (run,) = echo_runs(tmp_path, "pack-in-run")
    before = _files(run)
    for out in (run / "annex", run / "deeper" / "annex"):
        line = one_line_refusal(run_cli("evidence", "pack", run.name, "-o", out, cwd=tmp_path))
        assert line.startswith(f"error: --out {out}: is in the folder of run {run.name}"), line
        assert "give a folder outside it" in line, line
        assert _files(run) == before  # nothing added among the run's files


def test_a_pack_over_a_run_it_packs_is_refused_and_the_run_kept(tmp_path: Path) -> None:
    (run,) = echo_runs(tmp_path, "pack-over-input")
    pack = tmp_path / "annex"
    first = run_cli("evidence", "pack", run.name, "-o", pack, cwd=tmp_path)
    assert first.returncode == 0, first.stdout + first.stderr
    copied = pack / "runs" / run.name
    before = _files(pack)

    again = run_cli("evidence", "pack", copied, "-o", pack, cwd=tmp_path)
    line = one_line_refusal(again)
    assert line.startswith(f"error: --out {pack}: holds run {run.name}"), line
    assert str(copied) in line and "give another folder" in line, line
    assert _files(pack) == before  # the run read, and the earlier pack, as they were

    elsewhere = run_cli("evidence", "pack", copied, "-o", tmp_path / "second", cwd=tmp_path)
    assert elsewhere.returncode == 0, elsewhere.stdout + elsewhere.stderr


def test_the_same_pack_may_be_written_again_over_itself(tmp_path: Path) -> None:
    """An earlier pack's folder is still the place to write it again (its files replaced)."""
    (run,) = echo_runs(tmp_path, "pack-again")
    pack = tmp_path / "annex"
    for _ in range(2):
        done = run_cli("evidence", "pack", run.name, "-o", pack, cwd=tmp_path)
        assert done.returncode == 0, done.stdout + done.stderr
    assert (pack / "SHA256SUMS").is_file()


@pytest.mark.parametrize("before", ["an earlier pack", "no folder"])
def test_a_pack_the_disk_cannot_hold_leaves_what_was_there(tmp_path: Path, before: str) -> None:
    """Was: the earlier pack's files deleted first, then the new one written file by file in
    their place: a disk that could not hold the new pack was left with a partial one (here an
    empty plots/run-1.png in a new folder) and the earlier pack gone. Staged beside first, the
    new pack needs room beside the old one until it replaces it."""
    (run,) = echo_runs(tmp_path, "pack-full")
    with tmpfs(tmp_path / "m", size="200k") as disk:
        pack = disk / "annex"
        if before == "an earlier pack":
            first = run_cli("evidence", "pack", run.name, "-o", pack, cwd=tmp_path)
            assert first.returncode == 0, first.stdout + first.stderr
        earlier = _files(disk)
        fill(disk)

        again = run_cli("evidence", "pack", run.name, "-o", pack, cwd=tmp_path)
        text = again.stdout + again.stderr
        assert again.returncode == 3 and "Traceback" not in text, text
        (line,) = [line for line in again.stderr.splitlines() if line.startswith("error:")]
        assert line.startswith("error: cannot write ") and str(pack) in line, line
        (disk / "fill").unlink()
        assert _files(disk) == earlier  # the earlier pack whole; nothing new, nothing staged
        assert sorted(p.name for p in disk.iterdir()) == sorted(
            {Path(name).parts[0] for name in earlier}
        )


@pytest.mark.parametrize(
    ("name", "options"),
    [("cases.jsonl", []), ("responses.jsonl", ["--include-transcripts"])],
    ids=["cases", "responses"],
)
def test_a_run_file_linking_outside_the_reports_folder_is_not_packed(
    tmp_path: Path, name: str, options: list[str]
) -> None:
    """Observed: a run file that is a symlink to a file elsewhere on the machine (a run folder
    unpacked from someone else's archive, a link planted in the reports folder) was copied
    into the pack, whatever it was (here a key file), shown only as "DIFFERS from manifest":
    the pack travels to auditors. The web app refuses such a link for report.html; the pack
    refuses it the same way, before anything is written."""
    (run,) = echo_runs(tmp_path, "pack-link-out")
    secret = tmp_path / "home" / "id_key"
    secret.parent.mkdir()
    secret.write_text("PRIVATE KEY 0123456789\n")
    (run / name).unlink()
    (run / name).symlink_to(secret)
    pack = tmp_path / "annex"
    done = run_cli("evidence", "pack", run.name, "-o", pack, *options, cwd=tmp_path)
    line = one_line_refusal(done)
    assert line.startswith(f"error: {Path('reports') / run.name / name}: links to a file "), line
    assert "outside the reports folder" in line and "not packed" in line, line
    assert not pack.exists()


def test_a_run_file_linking_inside_the_run_folder_is_packed(tmp_path: Path) -> None:
    """A link that stays in the reports folder (a run's own file under another name) is the
    project's own file: packed, as the web app serves such a report.html."""
    (run,) = echo_runs(tmp_path, "pack-link-in")
    (run / "cases.jsonl").rename(run / "cases.kept.jsonl")
    (run / "cases.jsonl").symlink_to("cases.kept.jsonl")
    pack = tmp_path / "annex"
    done = run_cli("evidence", "pack", run.name, "-o", pack, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    packed = pack / "runs" / run.name / "cases.jsonl"
    assert packed.read_bytes() == (run / "cases.kept.jsonl").read_bytes()
