"""A local model scorer is "set alike" in two runs when it loaded the same bytes, wherever they
lay (``scorers.configured``, the one rule of ``compare``, ``trend`` and the reviewed figures).

Observed: detoxify recorded its ``checkpoint`` and ``config_dir`` paths (and ``weights``, the
checkpoint's path again) and nothing of their content. The same checkpoint at another path (a
CI runner's /opt/models, a laptop's /home/alice) made every metric reading it ``untested``
("scorer set differently"), while another checkpoint copied over the same path compared as the
same scorer: evidence wrong both ways. Tiny local models (random weights); nothing is
downloaded.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from assurance_harness.compare.engine import compare_runs
from assurance_harness.compare.scorersettings import changed_scorers
from assurance_harness.datatypes import SuiteContext
from assurance_harness.report.rundata import load_run
from assurance_harness.runner.run import run_suite
from assurance_harness.scorers import detoxify_scorer, hf_classifier
from assurance_harness.scorers.detoxify_checkpoint import write_random_checkpoint
from assurance_harness.scorers.detoxify_scorer import DetoxifyParams, DetoxifyScorer
from assurance_harness.scorers.hf_classifier import HFClassifierParams, HFClassifierScorer
from assurance_harness.scorers.reviewed import scorer_identity

from .conftest import build_hf_classifier

REPO = Path(__file__).resolve().parents[2]
CTX = SuiteContext("test", 0)
METRIC = {"kind": "rate", "spec": {"id": "toxic_rate", "rate": "tox.toxicity > 0.5"}}
WEIGHTS, OTHER_WEIGHTS, CONFIG = "a" * 64, "b" * 64, "c" * 64


def _detoxify(folder: str, **content: str) -> dict[str, Any]:
    """A detoxify scorer's recorded description, loading ``folder/m.ckpt`` with its config
    files in ``folder``; ``content``: the content hashes it records (none: an older run)."""
    return {
        "name": "detoxify",
        "version": "1",
        "params": {"model": "original", "checkpoint": f"{folder}/m.ckpt", "config_dir": folder},
        "weights": f"{folder}/m.ckpt",
        "labels": ["toxicity"],
        **content,
    }


def _changes(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    figure, groups = changed_scorers(METRIC, ({"scorers": {"tox": a}}, {"scorers": {"tox": b}}))
    assert groups == []
    return figure


def _one_identity(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return scorer_identity("tox", a, None, "run-a") == scorer_identity("tox", b, None, "run-b")


def test_the_same_content_at_another_path_is_the_scorer_set_alike() -> None:
    laptop = _detoxify("/home/alice/models", weights_sha256=WEIGHTS, config_sha256=CONFIG)
    runner = _detoxify("/opt/models", weights_sha256=WEIGHTS, config_sha256=CONFIG)
    assert _changes(laptop, runner) == []
    assert _one_identity(laptop, runner)  # verdicts given on the laptop vouch on the runner


def test_other_content_at_the_same_path_is_a_change_naming_the_weights() -> None:
    before = _detoxify("/opt/models", weights_sha256=WEIGHTS, config_sha256=CONFIG)
    after = _detoxify("/opt/models", weights_sha256=OTHER_WEIGHTS, config_sha256=CONFIG)
    (line,) = _changes(before, after)
    assert line.startswith("scorer tox (detoxify): weights_sha256 "), line
    assert not _one_identity(before, after)


def test_runs_that_record_only_paths_compare_as_before() -> None:
    """An older run records no content: two such runs compare their paths as they did, and an
    older run beside a newer one claims no change of what only one of them records."""
    assert _changes(_detoxify("/a"), _detoxify("/a")) == []
    assert "with.checkpoint" in _changes(_detoxify("/a"), _detoxify("/b"))[0]
    newer = _detoxify("/b", weights_sha256=WEIGHTS, config_sha256=CONFIG)
    assert _changes(_detoxify("/a"), newer) == []
    assert _changes(newer, _detoxify("/a")) == []


def test_release_weights_keep_their_url_as_identity() -> None:
    """No checkpoint: Detoxify's release weights, named by their URL (no content recorded)."""
    url = "https://github.com/unitaryai/detoxify/releases/download/v0.1-alpha/"

    def release(name: str) -> dict[str, Any]:
        return {"name": "detoxify", "version": "1", "params": {}, "weights": url + name}

    assert _changes(release("toxic_original.ckpt"), release("toxic_original.ckpt")) == []
    (line,) = _changes(release("toxic_original.ckpt"), release("toxic_debiased.ckpt"))
    assert "weights" in line


def test_exemplars_of_the_same_content_at_another_path_are_set_alike() -> None:
    """refusal, age and privacy record their exemplar file's hash beside its path."""

    def refusal(path: str, sha: str) -> dict[str, Any]:
        params = {"exemplars": path, "threshold": 0.5}
        return {"name": "refusal", "version": "3", "params": params, "exemplars_sha256": sha}

    def changes(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
        metric = {"kind": "rate", "spec": {"id": "r", "rate": "ref.is_refusal"}}
        return changed_scorers(metric, ({"scorers": {"ref": a}}, {"scorers": {"ref": b}}))[0]

    assert (
        changes(refusal("/home/alice/ex.jsonl", "a" * 64), refusal("/ci/ex.jsonl", "a" * 64)) == []
    )
    (line,) = changes(refusal("/ci/ex.jsonl", "a" * 64), refusal("/ci/ex.jsonl", "b" * 64))
    assert "exemplars_sha256" in line and "with.exemplars" not in line, line


def _copy(checkpoint: Path, folder: Path) -> Path:
    shutil.copytree(checkpoint.parent, folder)
    return folder / checkpoint.name


@pytest.fixture(scope="module")
def two_checkpoints(
    tiny_detoxify: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Path]:
    """Two tiny Detoxify checkpoints of one architecture, other random weights."""
    return tiny_detoxify, write_random_checkpoint(tmp_path_factory.mktemp("other"), seed=2)


def _described(checkpoint: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setattr(detoxify_scorer, "_loaded", {})  # another process: loaded afresh
    scorer = DetoxifyScorer(DetoxifyParams(checkpoint=str(checkpoint), download=False), CTX)
    scorer.setup()
    return json.loads(json.dumps(scorer.describe()))


def test_detoxify_records_the_content_it_loaded(
    two_checkpoints: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    one, two = two_checkpoints
    moved = _copy(one, tmp_path / "moved")
    (moved.parent / "README.md").write_text("not read by the load\n", encoding="utf-8")
    here, there = _described(one, monkeypatch), _described(moved, monkeypatch)
    for key in ("weights_sha256", "config_sha256"):
        assert len(here[key]) == 64 and here[key] == there[key], key
    assert _changes(here, there) == []
    shared = _copy(one, tmp_path / "shared")
    before = _described(shared, monkeypatch)
    shutil.copy(two, shared)  # another checkpoint copied over the same path
    after = _described(shared, monkeypatch)
    assert after["config_sha256"] == before["config_sha256"] == here["config_sha256"]
    (line,) = _changes(before, after)
    assert "weights_sha256" in line and "checkpoint" not in line, line


def test_hf_classifier_records_the_content_of_its_model_directory(
    tiny_hf_classifier: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def described(model_dir: Path) -> dict[str, Any]:
        monkeypatch.setattr(hf_classifier, "_loaded", {})  # another process: loaded afresh
        scorer = HFClassifierScorer(HFClassifierParams(model_dir=str(model_dir)), CTX)
        scorer.setup()
        return json.loads(json.dumps(scorer.describe()))

    def changes(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
        metric = {"kind": "rate", "spec": {"id": "r", "rate": "hf.flagged"}}
        return changed_scorers(metric, ({"scorers": {"hf": a}}, {"scorers": {"hf": b}}))[0]

    moved = tmp_path / "moved"
    shutil.copytree(tiny_hf_classifier, moved)
    here, there = described(tiny_hf_classifier), described(moved)
    assert len(here["model_sha256"]) == 64 and here["model_sha256"] == there["model_sha256"]
    assert changes(here, there) == []
    build_hf_classifier(moved, max_position_embeddings=64)  # another model at the same path
    (line,) = changes(there, described(moved))
    assert "model_sha256" in line and "model_dir" not in line, line


def _run(reports: Path, suite: Path, checkpoint: Path) -> Path:
    suite.write_text(
        "suite: identity\nversion: 1.0.0\ncases:\n"
        + "".join(f"  - {{id: c{i}, prompt: 'question {i}'}}\n" for i in range(6))
        + f"scorers:\n  - {{id: tox, use: detoxify, with: {{checkpoint: '{checkpoint}', "
        "download: false}}\n"
        "metrics:\n  - {id: toxic_rate, rate: tox.toxicity > 0.5}\n",
        encoding="utf-8",
    )
    outcome = run_suite(
        suite,
        REPO / "targets" / "demo.yaml",
        reports_dir=reports,
        use_cache=False,
        write_reports=False,
        attach_evidence=False,
    )
    return outcome.run_dir


def test_compare_tests_a_metric_over_one_checkpoint_on_two_machines_and_not_over_two(
    two_checkpoints: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    one, two = two_checkpoints
    reports = tmp_path / "reports"

    def run(checkpoint: Path) -> Any:
        monkeypatch.setattr(detoxify_scorer, "_loaded", {})  # each run a process of its own
        return load_run(_run(reports, tmp_path / "suite.yaml", checkpoint))

    runner_path = _copy(one, tmp_path / "runner")
    laptop, runner = run(_copy(one, tmp_path / "laptop")), run(runner_path)
    (item,) = compare_runs(laptop, runner).metrics
    assert item.verdict != "untested" and item.test is not None, item

    shutil.copy(two, runner_path)  # another checkpoint copied over the same path
    (item,) = compare_runs(runner, run(runner_path)).metrics
    assert item.verdict == "untested" and item.test is None, item
    assert item.note is not None and "weights_sha256" in item.note, item.note
