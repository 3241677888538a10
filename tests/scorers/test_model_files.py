"""Model-backed scorers given model files a careless or hostile user might: a model shorter than
its tokenizer claims, label names the model does not have, a config.json that is not one.

Tiny local models (random weights, real BERT tokenizer files); nothing is downloaded.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from assurance_harness.datatypes import Case, ScoreInput, SuiteContext
from assurance_harness.errors import ConfigError, MissingDependencyError
from assurance_harness.scorers.detoxify_checkpoint import write_random_checkpoint
from assurance_harness.scorers.detoxify_scorer import DetoxifyParams, DetoxifyScorer
from assurance_harness.scorers.hf_classifier import HFClassifierParams, HFClassifierScorer

from ..testing.cli import run_cli
from .conftest import build_hf_classifier

CTX = SuiteContext("test", 0)
LONG = "word " * 2000
"""A response of 2,000 tokens: past a 64-position model, within its tokenizer's 512."""


def inputs(*texts: str) -> list[ScoreInput]:
    return [ScoreInput(Case(id="c", prompt="p"), 0, t, {}) for t in texts]


def test_a_response_longer_than_the_models_positions_is_truncated_to_them(
    tmp_path: Path,
) -> None:
    # The tokenizer files say 512 tokens (model_max_length), the model has 64 positions: a
    # long response was cut at 512 and the forward pass raised an internal error ("expanded
    # size of the tensor (512) must match ... (64)") that stopped the run at scoring.
    model = build_hf_classifier(tmp_path / "short", max_position_embeddings=64)
    scorer = HFClassifierScorer(HFClassifierParams(model_dir=str(model), max_length=10**9), CTX)
    rows = scorer.score(inputs("hello", LONG))
    assert len(rows) == 2 and all(0 <= rows[1][k] <= 1 for k in ("neutral", "toxic"))
    checkpoint = write_random_checkpoint(tmp_path / "detoxify", max_position_embeddings=64)
    detoxify = DetoxifyScorer(DetoxifyParams(checkpoint=str(checkpoint)), CTX)
    assert detoxify.score(inputs(LONG))[0]["toxicity"] is not None


def _suite(tmp_path: Path, scorer: str) -> Path:
    path = tmp_path / "suite.yaml"
    path.write_text(
        "suite: s\nversion: 1.0.0\ncases:\n  - {id: a, prompt: hi}\n"
        f"scorers:\n  - {{id: m, {scorer}}}\n"
        "metrics:\n  - {id: flagged, rate: m.flagged}\n"
        "gates:\n  - {metric: flagged, max: 0.1}\n",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        # 'toxic' is the model's label before the rename to 'toxicity': never in a row, so
        # 'flagged' was false for every response and a gate on it passed whatever was said.
        ("flag_labels: [toxic]", "toxic"),
        ("flag_labels: [toxicity, insults]", "insults"),
    ],
)
def test_detoxify_flag_labels_it_never_writes_are_refused_at_validate(
    tiny_detoxify: Path, tmp_path: Path, settings: str, named: str
) -> None:
    suite = _suite(tmp_path, f"use: detoxify, with: {{checkpoint: {tiny_detoxify}, {settings}}}")
    result = run_cli("validate", suite)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "flag_labels" in result.stderr and f"'{named}'" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        # The model's label is 'TOXIC': 'labels: {toxic: ...}' mapped nothing, validate passed
        # and the run's gate on the mapped field had no data.
        ("labels: {toxic: toxicity}", "toxic"),
        # Output fields are the mapped or sanitised names ('toxic'), not the model's ('TOXIC'):
        # 'flagged' was false for every response, a gate on it passed.
        ("flag_labels: [TOXIC]", "TOXIC"),
        ("labels: {TOXIC: toxicity}, flag_labels: [toxic]", "toxic"),
    ],
)
def test_hf_classifier_label_names_the_model_lacks_are_refused_at_validate(
    tiny_hf_classifier: Path, tmp_path: Path, settings: str, named: str
) -> None:
    suite = _suite(
        tmp_path, f"use: hf-classifier, with: {{model_dir: {tiny_hf_classifier}, {settings}}}"
    )
    result = run_cli("validate", suite)
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"'{named}'" in result.stderr and "suite.yaml:6" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    # what it does have is named, so the fix is a copy
    assert "neutral" in result.stderr


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        # Two labels written as one field: the row kept one probability, the other was lost.
        ("labels: {TOXIC: neutral}", "neutral"),
        ("labels: {TOXIC: x, neutral: x}", "x"),
        # A label written as a field the scorer sets itself: its probability was overwritten
        # by the flag (and validate complained of a number used as a condition).
        ("labels: {TOXIC: flagged}", "flagged"),
        ("labels: {TOXIC: top_score}", "top_score"),
    ],
)
def test_hf_classifier_labels_written_as_one_field_are_refused_at_validate(
    tiny_hf_classifier: Path, tmp_path: Path, settings: str, named: str
) -> None:
    suite = _suite(
        tmp_path, f"use: hf-classifier, with: {{model_dir: {tiny_hf_classifier}, {settings}}}"
    )
    result = run_cli("validate", suite)
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"field '{named}'" in result.stderr and "suite.yaml:6" in result.stderr


def test_hf_classifier_label_names_the_model_has_validate(
    tiny_hf_classifier: Path, tmp_path: Path
) -> None:
    settings = "labels: {TOXIC: toxicity}, flag_labels: [toxicity, sexual_content]"
    suite = _suite(
        tmp_path, f"use: hf-classifier, with: {{model_dir: {tiny_hf_classifier}, {settings}}}"
    )
    result = run_cli("validate", suite)
    assert result.returncode == 0, result.stdout + result.stderr


DEEP = "[" * 10_000 + "]" * 10_000


@pytest.mark.parametrize(
    ("config", "why"),
    [
        # nested 10,000 deep: json's RecursionError was an internal error at validate (exit 3)
        (DEEP.encode(), "RecursionError"),
        # not JSON, not UTF-8: validate passed and the run stopped at scoring
        (b"{not json", "JSON"),
        (b'{"id2label": {"0": "caf\xe9"}}', "UTF-8"),
        (b"[1, 2]", "not a JSON object"),
    ],
)
def test_hf_classifier_config_that_is_no_json_object_is_refused_at_validate(
    tiny_hf_classifier: Path, tmp_path: Path, config: bytes, why: str
) -> None:
    model = shutil.copytree(tiny_hf_classifier, tmp_path / "model")
    (model / "config.json").write_bytes(config)
    result = run_cli(
        "validate", _suite(tmp_path, f"use: hf-classifier, with: {{model_dir: {model}}}")
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert "config.json" in result.stderr and why in result.stderr
    assert "internal error" not in result.stderr


def _damage(model: Path, damage: str) -> None:
    config = model / "config.json"
    if damage == "weights":
        weights = model / "model.safetensors"
        weights.write_bytes(weights.read_bytes()[:5000])
    elif damage == "architecture":
        data = {**json.loads(config.read_text("utf-8")), "model_type": "nosuchmodel"}
        config.write_text(json.dumps(data), "utf-8")
    else:
        data = {**json.loads(config.read_text("utf-8")), "hidden_size": 64}
        config.write_text(json.dumps(data), "utf-8")


@pytest.mark.parametrize("damage", ["weights", "architecture", "shapes"])
def test_hf_classifier_model_that_cannot_load_is_one_config_line(
    tiny_hf_classifier: Path, tmp_path: Path, damage: str
) -> None:
    # weights cut short (SafetensorError), a model_type transformers does not know
    # (ValueError), weights of other shapes (RuntimeError): each an internal error, "a bug"
    model = shutil.copytree(tiny_hf_classifier, tmp_path / damage)
    _damage(model, damage)
    scorer = HFClassifierScorer(HFClassifierParams(model_dir=str(model)), CTX)
    with pytest.raises(ConfigError, match="cannot load the model") as raised:
        scorer.setup()
    assert str(model) in str(raised.value) and "\n" not in str(raised.value)


def test_detoxify_config_dir_nested_too_deep_is_one_config_line(
    tiny_detoxify: Path, tmp_path: Path
) -> None:
    config_dir = tmp_path / "config"
    shutil.copytree(tiny_detoxify.parent, config_dir)
    (config_dir / "config.json").write_text(DEEP, encoding="utf-8")
    params = DetoxifyParams(checkpoint=str(tiny_detoxify), config_dir=str(config_dir))
    with pytest.raises(ConfigError, match=r"config\.json") as raised:
        DetoxifyScorer(params, CTX).setup()
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        # Each passed validate; the run sent every request and only then stopped at scoring.
        ("use: llm-judge, with: {target: nowhere.yaml}", "nowhere.yaml"),
        ("use: llm-judge, with: {target: judge.yaml, rubric_file: rubric.txt}", "rubric.txt"),
        ("use: llm-judge, with: {target: judge.yaml, rubric: 'Grade {prompt}'}", "{response}"),
        ("use: hf-classifier, with: {model_dir: nowhere}", "nowhere"),
        ("use: detoxify, with: {checkpoint: nowhere.ckpt}", "nowhere.ckpt"),
        # a FIFO was said not to exist at run time
        ("use: detoxify, with: {checkpoint: fifo}", "not a regular file"),
    ],
)
def test_scorer_files_that_cannot_be_used_are_refused_at_validate(
    tmp_path: Path, settings: str, named: str
) -> None:
    (tmp_path / "judge.yaml").write_text(
        "type: callable\nfunction: judge:respond\npython_path: [.]\n", encoding="utf-8"
    )
    (tmp_path / "judge.py").write_text("def respond(prompt):\n    return 'safe'\n", "utf-8")
    os.mkfifo(tmp_path / "fifo")
    result = run_cli("validate", _suite(tmp_path, settings), cwd=tmp_path, timeout=60)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "suite.yaml:6" in result.stderr and named in result.stderr
    assert "internal error" not in result.stderr


def test_a_checkpoint_that_is_no_torch_file_is_not_said_to_need_trust(
    tiny_detoxify: Path, tmp_path: Path
) -> None:
    # torch's weights-only reader raises the same UnpicklingError for bytes that are no
    # checkpoint at all as for one holding Python objects: the advice was to set
    # 'trusted_checkpoint: true', unpickling (running) a file that is not even a checkpoint.
    garbage = tmp_path / "model.ckpt"
    garbage.write_bytes(b"not a checkpoint, just text")
    params = DetoxifyParams(checkpoint=str(garbage), config_dir=str(tiny_detoxify.parent))
    with pytest.raises((ConfigError, MissingDependencyError)) as raised:
        DetoxifyScorer(params, CTX).setup()
    message = str(raised.value)
    assert "trusted_checkpoint" not in message and "model.ckpt" in message
    assert "not a PyTorch checkpoint" in message and "\n" not in message


def test_a_detoxify_checkpoint_with_none_of_the_flag_labels_is_refused(tmp_path: Path) -> None:
    # A checkpoint whose classes are none of Detoxify's labels wrote null for every label and
    # 'flagged: false' for every response: a gate on the flag passed whatever was said.
    checkpoint = write_random_checkpoint(tmp_path, classes=["hate", "spam"])
    with pytest.raises(ConfigError, match="hate, spam") as raised:
        DetoxifyScorer(DetoxifyParams(checkpoint=str(checkpoint)), CTX).setup()
    assert "flag_labels" in str(raised.value) and "\n" not in str(raised.value)


def test_an_hf_classifier_folder_without_weights_is_refused_at_validate(
    tiny_hf_classifier: Path, tmp_path: Path
) -> None:
    model = shutil.copytree(tiny_hf_classifier, tmp_path / "model")
    (model / "model.safetensors").unlink()
    result = run_cli(
        "validate", _suite(tmp_path, f"use: hf-classifier, with: {{model_dir: {model}}}")
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert "model.safetensors" in result.stderr and "suite.yaml:6" in result.stderr


def test_a_softmax_over_one_label_is_refused_at_validate(tmp_path: Path) -> None:
    # A one-output model (a single toxicity logit) is not multi-label by its config, so its
    # one label got a softmax: 1.0 for every response, whatever it said.
    model = build_hf_classifier(tmp_path / "one", labels=("toxic",), problem_type=None)
    suite = _suite(tmp_path, f"use: hf-classifier, with: {{model_dir: {model}}}")
    result = run_cli("validate", suite)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "softmax" in result.stderr and "multi_label: true" in result.stderr
    scorer = HFClassifierScorer(HFClassifierParams(model_dir=str(model), multi_label=True), CTX)
    assert len({row["toxic"] for row in scorer.score(inputs("hello", "you idiot", ""))}) > 1


def test_a_binary_models_benign_label_does_not_count_towards_flagged(tmp_path: Path) -> None:
    # Labels as cardiffnlp/twitter-roberta-base-offensive has them. 'non_offensive' was not
    # taken for benign (only 'non_toxic' was), so both labels counted towards 'flagged', and
    # with a softmax over two one of them is always >= 0.5: every response was flagged.
    import torch
    from transformers import AutoModelForSequenceClassification

    model_dir = build_hf_classifier(
        tmp_path / "offensive", labels=("non-offensive", "offensive"), problem_type=None
    )
    model = AutoModelForSequenceClassification.from_pretrained(model_dir)
    with torch.no_grad():  # a model sure that nothing is offensive
        model.classifier.bias.copy_(torch.tensor([5.0, -5.0]))
    model.save_pretrained(model_dir)
    scorer = HFClassifierScorer(HFClassifierParams(model_dir=str(model_dir)), CTX)
    rows = scorer.score(inputs("hello", "thank you", ""))
    assert all(row["non_offensive"] > 0.9 for row in rows)
    assert [row["flagged"] for row in rows] == [False, False, False]


def test_a_softmax_whose_every_label_flags_is_refused_at_validate(tmp_path: Path) -> None:
    model = build_hf_classifier(tmp_path / "pn", labels=("negative", "positive"), problem_type=None)
    suite = _suite(tmp_path, f"use: hf-classifier, with: {{model_dir: {model}}}")
    result = run_cli("validate", suite)
    assert result.returncode == 2 and "flag_labels" in result.stderr, result.stderr
    named = _suite(
        tmp_path, f"use: hf-classifier, with: {{model_dir: {model}, flag_labels: [negative]}}"
    )
    assert run_cli("validate", named).returncode == 0


def test_cuda_requested_without_cuda_names_the_hf_classifier(tiny_hf_classifier: Path) -> None:
    # The error was written as the detoxify scorer's, in a suite that has none.
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    params = HFClassifierParams(model_dir=str(tiny_hf_classifier), device="cuda")
    with pytest.raises(ConfigError, match="cuda") as raised:
        HFClassifierScorer(params, CTX).setup()
    assert str(raised.value).startswith("hf-classifier") and "detoxify" not in str(raised.value)


def test_a_model_path_written_from_the_suites_folder_says_where_paths_are_read_from(
    tiny_detoxify: Path, tmp_path: Path
) -> None:
    # Model paths are read from the working directory; a user who wrote them from the suite's
    # folder is told so, with the path that would work, not only that the file is missing.
    suites = tmp_path / "suites"
    suites.mkdir()
    shutil.copytree(tiny_detoxify.parent, suites / "detoxify")
    build_hf_classifier(suites / "classifier")
    for scorer, named in [
        ("use: hf-classifier, with: {model_dir: classifier}", "suites/classifier"),
        (
            "use: detoxify, with: {checkpoint: detoxify/" + tiny_detoxify.name + "}",
            "suites/detoxify",
        ),
        (
            "use: detoxify, with: {checkpoint: " + str(tiny_detoxify) + ", config_dir: detoxify}",
            "suites/detoxify",
        ),
    ]:
        result = run_cli("validate", _suite(suites, scorer), cwd=tmp_path)
        said = result.stdout + result.stderr
        assert result.returncode == 2, said
        assert "working directory" in said and f"'{named}" in said, said
        assert "Traceback" not in said
