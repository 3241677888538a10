"""Build a Detoxify model from a checkpoint without touching a model hub.

Detoxify's own loader always asks the Hugging Face hub for the base model's config (even when
given ``huggingface_config_path``) and relies on ``from_pretrained(None, state_dict=...)``.
Here the checkpoint's recorded architecture is rebuilt from a local config/tokenizer directory
and the state dict is loaded directly, so the same Detoxify checkpoints work fully offline.
Only when no local files are configured are Detoxify's release checkpoint and the base
model's config fetched (a machine with internet).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ConfigError, MissingDependencyError
from ..store.files import home_expanded, sha256_file, working_directory_hint

MODEL_TYPES = ("original", "unbiased", "multilingual", "original-small", "unbiased-small")
BASE_MODELS = {
    "original": "bert-base-uncased",
    "unbiased": "roberta-base",
    "multilingual": "xlm-roberta-base",
    "original-small": "albert-base-v2",
    "unbiased-small": "albert-base-v2",
}
"""The Hugging Face model whose config and tokenizer each Detoxify checkpoint was trained on."""
STANDARD_LABELS = (
    "toxicity",
    "severe_toxicity",
    "obscene",
    "threat",
    "insult",
    "identity_attack",
    "sexual_explicit",
)
RENAMES = {
    "toxic": "toxicity",
    "identity_hate": "identity_attack",
    "severe_toxic": "severe_toxicity",
}
_ALLOWED_UNEXPECTED = ("position_ids",)


@dataclass
class DetoxifyModel:
    """A ready model, its tokenizer and the output names of its logits, in order."""

    model: Any
    tokenizer: Any
    class_names: list[str]
    source: str
    """Where the weights came from (checkpoint path or release URL), for provenance."""
    weights_sha256: str | None = None
    """SHA-256 of the local checkpoint file read (None for release weights: the URL names them)."""
    config_sha256: str | None = None
    """``nlp.files_sha256`` of the config and tokenizer files read from the local config folder."""


def release_url(model_type: str) -> str:
    from detoxify.detoxify import MODEL_URLS

    return str(MODEL_URLS[model_type])


def missing_weights_message(model_type: str, what: str) -> str:
    """One line: what is missing and how to provide it."""
    return (
        f"detoxify model '{model_type}': {what}. Offline use needs two things: the checkpoint "
        f"file ({release_url(model_type)}, downloaded on a machine with internet) set as "
        f"'checkpoint:', and a directory with the config.json and tokenizer files of "
        f"'{BASE_MODELS[model_type]}' set as 'config_dir:'. Without them, remove both and run "
        "where Detoxify can download its weights, or use the offline scorer 'offensive-language'"
    )


def resolve_device(device: str, *, scorer: str = "detoxify") -> str:
    """The torch device for ``device`` (``auto``: CUDA where there is one); ``scorer`` names
    whose setting it is in the error (hf-classifier's was reported as detoxify's)."""
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise ConfigError.single(
            scorer, "device 'cuda' requested but no CUDA device is available", hint="use cpu"
        )
    return device


def _read_checkpoint(path: Path, *, trusted: bool, model_type: str) -> dict[str, Any]:
    import pickle

    import torch

    try:
        loaded = torch.load(path, map_location="cpu", weights_only=not trusted)
    except pickle.UnpicklingError as exc:
        if "global" not in str(exc):  # no class it refused: bytes that are no checkpoint
            raise ConfigError.single(
                str(path),
                "not a PyTorch checkpoint (its bytes are neither torch.save's zip nor a pickle)",
                hint="set 'checkpoint:' to the Detoxify .ckpt file as downloaded",
            ) from None
        raise ConfigError.single(
            str(path),
            "checkpoint holds Python objects beyond tensors and plain data",
            hint="if you trust its source set 'trusted_checkpoint: true' (it unpickles code)",
        ) from exc
    except (OSError, RuntimeError) as exc:
        raise MissingDependencyError(
            missing_weights_message(model_type, f"checkpoint '{path}' is unreadable ({exc})")
        ) from exc
    if not isinstance(loaded, dict) or "config" not in loaded or "state_dict" not in loaded:
        raise ConfigError.single(
            str(path),
            "not a Detoxify checkpoint: it needs 'config' (with arch.args and "
            "dataset.args.classes) and 'state_dict'",
        )
    return loaded


def build(
    checkpoint: dict[str, Any], config_source: str, *, local_only: bool, source: str
) -> DetoxifyModel:
    """Instantiate the recorded architecture from ``config_source`` and load the weights."""
    import transformers

    try:
        arch = checkpoint["config"]["arch"]["args"]
        classes = list(checkpoint["config"]["dataset"]["args"]["classes"])
        model_class = getattr(transformers, arch["model_name"])
        num_classes = int(arch["num_classes"])
    except (KeyError, TypeError, AttributeError) as exc:
        raise ConfigError.single(
            source, f"Detoxify checkpoint config is incomplete or unknown ({exc})"
        ) from exc
    from ..nlp import quiet_transformers

    quiet_transformers()
    config = model_class.config_class.from_pretrained(
        config_source, num_labels=num_classes, local_files_only=local_only
    )
    model = model_class(config)
    try:
        result = model.load_state_dict(checkpoint["state_dict"], strict=False)
    except RuntimeError as exc:  # tensor shapes differ from the configured architecture
        first = str(exc).strip().splitlines()[-1].strip()
        raise ConfigError.single(
            source,
            f"checkpoint weights do not fit the configured architecture ({first})",
            hint="config_dir must hold the config of the model the checkpoint was trained from",
        ) from exc
    unexpected = [k for k in result.unexpected_keys if not k.endswith(_ALLOWED_UNEXPECTED)]
    if result.missing_keys or unexpected:
        raise ConfigError.single(
            source,
            "checkpoint weights do not fit the configured architecture "
            f"(missing {result.missing_keys[:3]}, unexpected {unexpected[:3]})",
            hint="config_dir must hold the config of the model the checkpoint was trained from",
        )
    model.eval()
    tokenizer_class = getattr(transformers, str(arch.get("tokenizer_name", "")), None)
    if tokenizer_class is None:
        tokenizer_class = transformers.AutoTokenizer
    tokenizer = tokenizer_class.from_pretrained(config_source, local_files_only=local_only)
    names = [RENAMES.get(c, c) for c in classes][:num_classes]
    return DetoxifyModel(model, tokenizer, names, source)


def check_local_files(
    checkpoint: str, config_dir: str | None, *, model_type: str, base_dir: Path | None = None
) -> None:
    """Raise the MissingDependencyError for a checkpoint that is not a readable file (a FIFO
    or a device is never opened: it was said not to exist) or a config directory without a
    config.json: what ``validate`` can know without loading anything. ``base_dir``: the
    suite's folder, named where a relative path is there and not here."""
    from ..store.files import unreadable_reason

    path = home_expanded(checkpoint)
    reason = unreadable_reason(path)
    if reason is not None:
        found = path.exists()
        what = f"checkpoint file '{path}' " + (
            f"cannot be read ({reason})" if found else "does not exist"
        )
        raise MissingDependencyError(
            _missing_file_message(model_type, what, None if found else path, base_dir)
        )
    directory = home_expanded(config_dir) if config_dir else path.parent
    if not (directory / "config.json").is_file():
        what = f"no config.json in config directory '{directory}'"
        raise MissingDependencyError(
            _missing_file_message(model_type, what, directory if config_dir else None, base_dir)
        )


def _missing_file_message(
    model_type: str, what: str, named: Path | None, base_dir: Path | None
) -> str:
    """The one line for a missing model file: where the path the suite ``named`` is in the
    suite's folder (``base_dir``) and not here, that it is read from the working directory;
    else how to provide the files."""
    hint = working_directory_hint(named, base_dir) if named is not None else None
    if hint is None:
        return missing_weights_message(model_type, what)
    return f"detoxify model '{model_type}': {what}; {hint}"


def load_local(
    checkpoint: str, config_dir: str | None, *, model_type: str, trusted: bool
) -> DetoxifyModel:
    """From a checkpoint file and a local config/tokenizer directory, with no network."""
    check_local_files(checkpoint, config_dir, model_type=model_type)
    path = home_expanded(checkpoint)
    directory = home_expanded(config_dir) if config_dir else path.parent
    loaded = _read_checkpoint(path, trusted=trusted, model_type=model_type)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from ..nlp import config_files, files_sha256, model_load_fault, model_load_faults

    try:
        model = build(loaded, str(directory), local_only=True, source=str(path))
    except model_load_faults() as exc:  # the folder's files: config.json nested too deep ...
        raise ConfigError.single(
            str(directory),
            f"cannot load config.json or the tokenizer files in it: {model_load_fault(exc)}",
            hint=f"config_dir must hold the config and tokenizer of '{BASE_MODELS[model_type]}'",
        ) from None
    # The content is the identity a run records, not the paths (``scorers.configured``): hashed
    # once here, beside the loaded model.
    model.weights_sha256 = sha256_file(path)
    model.config_sha256 = files_sha256(directory, config_files(model.tokenizer))
    return model


def load_release(model_type: str) -> DetoxifyModel:
    """Detoxify's release checkpoint and the base model's config, downloaded (and cached).

    The release files are unpickled exactly as Detoxify itself does (``weights_only=False``):
    they come from Detoxify's own release URL, which a user chose by naming the model type.
    """
    import torch

    url = release_url(model_type)
    try:
        loaded = torch.hub.load_state_dict_from_url(
            url, map_location="cpu", weights_only=False, progress=False
        )
        return build(loaded, BASE_MODELS[model_type], local_only=False, source=url)
    except (OSError, ValueError, RuntimeError) as exc:
        raise MissingDependencyError(
            missing_weights_message(model_type, f"the download failed ({type(exc).__name__})")
        ) from exc
