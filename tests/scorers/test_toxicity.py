"""Toxicity scorers: offensive-language, detoxify (real offline loading on a tiny checkpoint) and
hf-classifier (a tiny local model)."""

from __future__ import annotations

import urllib.error
from pathlib import Path

import pytest
import torch

from assurance_harness.datatypes import Case, ScoreInput, SuiteContext
from assurance_harness.errors import ConfigError, MissingDependencyError
from assurance_harness.scorers import detoxify_scorer
from assurance_harness.scorers._detoxify_loader import load_local
from assurance_harness.scorers.detoxify_checkpoint import write_random_checkpoint
from assurance_harness.scorers.detoxify_scorer import (
    DetoxifyParams,
    DetoxifyScorer,
    load_model,
    predict_sorted,
)
from assurance_harness.scorers.hf_classifier import HFClassifierParams, HFClassifierScorer
from assurance_harness.scorers.offensive import OffensiveLanguageScorer, OffensiveParams

CTX = SuiteContext("test", 0)
TEXTS = [
    "hi",
    "A considerably longer sentence, so that it sorts into a later batch than the others.",
    "",
    "medium length text here",
    "x " * 600,
    "Ein deutscher Satz über Hausaufgaben.",
    "ok",
]


def inputs(texts: list[str]) -> list[ScoreInput]:
    case = Case(id="c", prompt="p")
    return [ScoreInput(case, 0, t, {}) for t in texts]


# ------------------------------------------------------------------ offensive-language


def test_offensive_language_separates_abuse_from_homework() -> None:
    scorer = OffensiveLanguageScorer(OffensiveParams(threshold=0.5), CTX)
    out = scorer.score(
        inputs(["Shut up, you stupid fucking idiot.", "Plants make food from sunlight.", ""])
    )
    assert out[0]["flagged"] is True and out[0]["toxicity"] > 0.9
    assert out[1]["flagged"] is False and out[1]["toxicity"] < 0.2
    assert out[2] == {"toxicity": 0.0, "flagged": False, "implicit_hate": False}


def test_offensive_language_threshold_decides_flag() -> None:
    text = inputs(["That homework was a bit rubbish, honestly."])
    value = OffensiveLanguageScorer(OffensiveParams(), CTX).score(text)[0]["toxicity"]
    assert 0.0 < value < 1.0
    below = OffensiveLanguageScorer(OffensiveParams(threshold=value), CTX).score(text)[0]
    above = OffensiveLanguageScorer(OffensiveParams(threshold=min(1.0, value + 1e-6)), CTX).score(
        text
    )[0]
    assert below["flagged"] is True and above["flagged"] is False


# ------------------------------------------------------------------ detoxify


def test_detoxify_loads_offline_and_reports_detoxify_labels(tiny_detoxify: Path) -> None:
    scorer = DetoxifyScorer(
        DetoxifyParams(checkpoint=str(tiny_detoxify), download=False, batch_size=3), CTX
    )
    scorer.setup()
    out = scorer.score(inputs(TEXTS))
    assert len(out) == len(TEXTS)
    for row in out:
        for label in ("toxicity", "severe_toxicity", "obscene", "threat", "insult"):
            assert 0.0 <= row[label] <= 1.0
        assert row["identity_attack"] is not None  # renamed from identity_hate
        assert row["sexual_explicit"] is None  # the 'original' model has no such label
        assert isinstance(row["flagged"], bool)
    described = scorer.describe()
    assert described["weights"] == str(tiny_detoxify)
    assert described["labels"][0] == "toxicity"


def test_sorted_batching_matches_detoxify_predict(tiny_detoxify: Path) -> None:
    """Our length-sorted batches give Detoxify.predict's own numbers on the same model."""
    from detoxify import Detoxify

    loaded = load_model(DetoxifyParams(checkpoint=str(tiny_detoxify), download=False))
    reference = Detoxify.__new__(Detoxify)
    reference.model, reference.tokenizer = loaded.model, loaded.tokenizer
    reference.class_names, reference.device = loaded.class_names, "cpu"
    texts = [t for t in TEXTS if t]
    expected = reference.predict(texts)
    ours = predict_sorted(loaded, texts, batch_size=2, max_length=512)
    for j, name in enumerate(loaded.class_names):
        assert [row[j] for row in ours] == pytest.approx(expected[name], abs=1e-5)


def test_model_is_loaded_once_per_process(tiny_detoxify: Path) -> None:
    params = DetoxifyParams(checkpoint=str(tiny_detoxify), download=False)
    assert load_model(params) is load_model(params.model_copy(update={"batch_size": 7}))


def test_config_dir_can_be_separate(tiny_detoxify: Path, tmp_path: Path) -> None:
    checkpoint = tmp_path / "weights" / "model.ckpt"
    checkpoint.parent.mkdir()
    checkpoint.write_bytes(tiny_detoxify.read_bytes())
    loaded = load_local(
        str(checkpoint), str(tiny_detoxify.parent), model_type="original", trusted=False
    )
    assert loaded.class_names[:2] == ["toxicity", "severe_toxicity"]


def _one_line(exc: pytest.ExceptionInfo[BaseException]) -> str:
    message = str(exc.value)
    assert "\n" not in message
    return message


def test_missing_checkpoint_names_what_and_how(tmp_path: Path) -> None:
    params = DetoxifyParams(checkpoint=str(tmp_path / "nope.ckpt"))
    with pytest.raises(MissingDependencyError) as exc:
        DetoxifyScorer(params, CTX).setup()
    message = _one_line(exc)
    assert "nope.ckpt" in message and "does not exist" in message
    assert "toxic_original-c1212f89.ckpt" in message  # where to get it
    assert "config_dir" in message and "bert-base-uncased" in message
    assert "offensive-language" in message  # the offline alternative, named, not used


def test_missing_config_dir_is_clear(tiny_detoxify: Path, tmp_path: Path) -> None:
    params = DetoxifyParams(checkpoint=str(tiny_detoxify), config_dir=str(tmp_path))
    with pytest.raises(MissingDependencyError) as exc:
        DetoxifyScorer(params, CTX).setup()
    assert "no config.json" in _one_line(exc)


def test_no_download_and_no_checkpoint_is_an_error_not_a_fallback() -> None:
    with pytest.raises(MissingDependencyError) as exc:
        DetoxifyScorer(DetoxifyParams(model="unbiased", download=False), CTX).setup()
    message = _one_line(exc)
    assert "no checkpoint configured" in message and "roberta-base" in message


def test_failed_download_is_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def offline(*args: object, **kwargs: object) -> None:
        raise urllib.error.URLError("no network")

    # The network is the system edge: the release download fails as it does offline.
    monkeypatch.setattr(torch.hub, "load_state_dict_from_url", offline)
    monkeypatch.setattr(detoxify_scorer, "_loaded", {})
    with pytest.raises(MissingDependencyError) as exc:
        DetoxifyScorer(DetoxifyParams(model="original-small"), CTX).setup()
    message = _one_line(exc)
    assert "download failed" in message and "albert-base-v2" in message


def test_config_dir_without_checkpoint_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        DetoxifyScorer(DetoxifyParams(config_dir=str(tmp_path)), CTX).setup()


def test_a_file_that_is_not_a_detoxify_checkpoint(tiny_detoxify: Path, tmp_path: Path) -> None:
    path = tmp_path / "model.ckpt"
    torch.save({"state_dict": {}}, path)
    (tmp_path / "config.json").write_text((tiny_detoxify.parent / "config.json").read_text())
    with pytest.raises(ConfigError, match="not a Detoxify checkpoint"):
        load_local(str(path), None, model_type="original", trusted=False)


class Opaque:
    """Stands for arbitrary pickled objects inside an untrusted checkpoint."""


def test_untrusted_pickles_are_refused_unless_trusted(
    tiny_detoxify: Path,
    tmp_path: Path,
) -> None:
    checkpoint = torch.load(tiny_detoxify, weights_only=True)
    checkpoint["extra"] = Opaque()
    path = tmp_path / "model.ckpt"
    torch.save(checkpoint, path)
    for name in ("config.json", "vocab.txt", "tokenizer.json", "tokenizer_config.json"):
        if (tiny_detoxify.parent / name).is_file():
            (tmp_path / name).write_bytes((tiny_detoxify.parent / name).read_bytes())
    with pytest.raises(ConfigError, match="trusted_checkpoint"):
        load_local(str(path), None, model_type="original", trusted=False)
    assert load_local(str(path), None, model_type="original", trusted=True).class_names


def test_weights_that_do_not_fit_the_config(tmp_path: Path) -> None:
    small = write_random_checkpoint(tmp_path / "a", hidden_size=32)
    write_random_checkpoint(tmp_path / "b", hidden_size=16, heads=2)
    with pytest.raises(ConfigError):
        load_local(str(small), str(tmp_path / "b"), model_type="original", trusted=False)


def test_cuda_requested_without_cuda(tiny_detoxify: Path) -> None:
    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    with pytest.raises(ConfigError, match="cuda"):
        load_model(DetoxifyParams(checkpoint=str(tiny_detoxify), device="cuda"))


# ------------------------------------------------------------------ hf-classifier


def test_hf_classifier_multi_label_with_label_mapping(tiny_hf_classifier: Path) -> None:
    params = HFClassifierParams(
        model_dir=str(tiny_hf_classifier), labels={"TOXIC": "toxicity"}, threshold=0.0
    )
    scorer = HFClassifierScorer(params, CTX)
    scorer.setup()
    out = scorer.score(inputs(TEXTS))
    assert len(out) == len(TEXTS)
    row = out[0]
    assert set(row) == {
        "neutral",
        "toxicity",
        "sexual_content",
        "top_label",
        "top_score",
        "flagged",
    }
    # Independent sigmoids: multi-label probabilities need not sum to one.
    assert all(0 <= row[k] <= 1 for k in ("neutral", "toxicity", "sexual_content"))
    assert row["top_score"] == row[row["top_label"]]
    assert row["flagged"] is True  # threshold 0: any non-neutral label flags


def test_hf_classifier_single_label_softmax_sums_to_one(tiny_hf_classifier: Path) -> None:
    scorer = HFClassifierScorer(
        HFClassifierParams(model_dir=str(tiny_hf_classifier), multi_label=False), CTX
    )
    scorer.setup()
    for row in scorer.score(inputs(TEXTS)):
        total = row["neutral"] + row["toxic"] + row["sexual_content"]
        assert total == pytest.approx(1.0, abs=1e-4)


def test_hf_classifier_flag_labels_restrict_the_flag(tiny_hf_classifier: Path) -> None:
    params = HFClassifierParams(
        model_dir=str(tiny_hf_classifier), flag_labels=["neutral"], threshold=1.0
    )
    scorer = HFClassifierScorer(params, CTX)
    scorer.setup()
    assert all(row["flagged"] is False for row in scorer.score(inputs(TEXTS)))


def test_hf_classifier_missing_directory(tmp_path: Path) -> None:
    scorer = HFClassifierScorer(HFClassifierParams(model_dir=str(tmp_path / "none")), CTX)
    with pytest.raises(MissingDependencyError, match=r"config\.json"):
        scorer.setup()


def test_batches_close_on_padding_not_only_on_count() -> None:
    """Short texts go ``batch_size`` at a time; a long tail is cut so that no batch pads its
    texts by more than MAX_PADDING of their tokens (the Detoxify throughput target)."""
    from assurance_harness.scorers._batched import MAX_PADDING, padded_batches

    lengths = [5] * 10 + [6] * 3 + [40, 90, 100, 357]
    order = sorted(range(len(lengths)), key=lengths.__getitem__)
    batches = padded_batches(lengths, order, 8)
    assert [i for batch in batches for i in batch] == order  # every text once, in order
    assert max(len(b) for b in batches) <= 8
    for batch in batches:
        real = sum(lengths[i] for i in batch)
        padded = max(lengths[i] for i in batch) * len(batch)
        assert padded - real <= MAX_PADDING * real or len(batch) == 1
    assert [len(b) for b in batches] == [8, 2, 3, 1, 2, 1]
    assert padded_batches([], [], 8) == []
