"""The ``transformers`` target: a local model directory run through a transformers
text-generation pipeline, for models evaluated before they are deployed behind an endpoint.

Nothing is downloaded (``local_files_only``). Generation runs in a worker thread under a lock:
one model on one device serves one request at a time, and the event loop stays free for the
journal and progress. With sampling on, ``torch.manual_seed(request.seed)`` makes each
(case, sample) reproducible.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import threading
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import Field, field_validator

from ..datatypes import GenerationParams, GenerationRequest, GenerationResponse, WholeNumber
from ..errors import ConfigError, MissingDependencyError
from ..store.files import check_local_path
from ._messages import build_messages
from .base import ClientError, Target, TargetSpec, describe, register_target

# Generation parameter names as suites write them (OpenAI style) -> transformers' names.
_RENAME = {"max_tokens": "max_new_tokens", "stop": "stop_strings"}
_PROBE = "Hello, world."
"""Text any usable tokenizer turns into at least one token."""
_PASSED = {
    "max_new_tokens",
    "temperature",
    "top_p",
    "top_k",
    "repetition_penalty",
    "do_sample",
    "stop_strings",
    "num_beams",
    "min_new_tokens",
}
SAMPLING_AT_ZERO_FIX = (
    "set temperature above 0 (e.g. 0.7) to sample, or do_sample: false (or leave it out) for "
    "greedy decoding"
)


def sampling_at_zero(params: Mapping[str, Any]) -> bool:
    """Whether these generation parameters ask transformers to sample at temperature 0, which it
    refuses on every request ("temperature has to be a strictly positive float"): a run of
    failed requests (exit 3) where the file could have been refused with its line. ``do_sample``
    is read as ``generation_kwargs`` passes it (any true value samples); a temperature that is
    not a number is ``GenerationParams``' to refuse."""
    temperature = params.get("temperature")
    if not params.get("do_sample") or isinstance(temperature, bool):
        return False
    return isinstance(temperature, int | float) and temperature <= 0


class TransformersSpec(TargetSpec):
    """A causal language model in a local directory."""

    type: str = "transformers"
    """Adapter name: ``transformers``."""
    model: str
    """The model directory (config, weights, tokenizer), relative to the target file."""

    @field_validator("model")
    @classmethod
    def _usable_path(cls, value: str) -> str:
        return check_local_path(value)

    device: str = "cpu"
    """Torch device: ``cpu``, ``cuda``, ``cuda:1``, ``mps``."""
    dtype: Literal["auto", "float32", "float16", "bfloat16"] = "auto"
    """Weights dtype; ``auto`` keeps what the checkpoint says."""
    local_files_only: bool = True
    """Never reach a model hub; leave on."""
    system_prompt: str | None = None
    """Prepended as a system turn unless the conversation already starts with one."""
    use_chat_template: bool | None = None
    """Format with the tokenizer's chat template; ``null`` uses it when the tokenizer has one,
    else turns are joined as ``role: content`` lines ending with ``assistant:``."""
    concurrency: WholeNumber = Field(default=1, ge=1, le=4096)
    """One generation at a time per model (requests queue behind a lock anyway)."""

    @field_validator("generation")
    @classmethod
    def _samples_above_zero(cls, value: GenerationParams) -> GenerationParams:
        if sampling_at_zero(value):
            raise ValueError(
                "do_sample: true with temperature: 0 fails every request (transformers samples "
                f"only at a temperature above 0); {SAMPLING_AT_ZERO_FIX}"
            )
        return value


@register_target
class TransformersTarget(Target):
    """A local model directory through a transformers text-generation pipeline (offline)."""

    reads_metadata: ClassVar[bool] = False  # generates from the conversation and parameters only
    reads_case_id: ClassVar[bool] = False  # likewise

    type: ClassVar[str] = "transformers"
    Spec = TransformersSpec

    def __init__(self, spec: TargetSpec, *, base_dir: str = ".") -> None:
        super().__init__(spec, base_dir=base_dir)
        assert isinstance(spec, TransformersSpec)
        self.s: TransformersSpec = spec
        self._pipe: Any = None
        self._version: str | None = None
        self._cache_identity: str | None = None  # ``_cache_identity``, as loaded
        self._lock = threading.Lock()
        self._chat = False

    @property
    def model_path(self) -> Path:
        return (Path(self.base_dir) / self.s.model).resolve()

    def public_config(self) -> dict[str, Any]:
        """Adds a digest of the model directory's file names, sizes and config, so a different
        checkpoint at the same path is a different target (hashing the weights themselves
        would cost seconds per GB at every start)."""
        data = super().public_config()
        data["model_digest"] = _dir_digest(self.model_path)
        return data

    def cache_fingerprint(self) -> str:
        """The fingerprint with a digest of the model files' contents in it (``_content_digest``,
        the one the model version reads; ``_cache_identity`` adds the times of files read
        only in pieces): weights saved again at the same path (fine-tuned,
        retrained) keep the sizes and config.json the fingerprint's digest reads, so the
        response cache served the previous weights' answers as the new model's. Keyed on the
        files' modification times instead, weights replaced by others of the same size with the
        old time kept (``cp -p``, ``rsync -a``, ``tar x``, a restored backup) were still served
        the old answers under the old model version, and a ``touch`` of unchanged weights threw
        a valid cache away. A loaded target keys on the files as it loaded them (the weights
        answering), read once at load; one not loaded reads them now. The fingerprint itself is
        left as it was (a run started before resumes, baselines still match)."""
        identity = self._cache_identity if self._pipe is not None else None
        blob = json.dumps(
            {
                "fingerprint": self.fingerprint(),
                "files": identity
                or _cache_identity(self.model_path, _content_digest(self.model_path)),
                # Cached answers carry their model version: those cached while the key read
                # every file's modification time are generated again once, not mixed in.
                "model_version": "content",
                # Answers cached while a templated prompt had special tokens added again.
                "template_tokens": "as written",
            },
            sort_keys=True,
        )
        return hashlib.sha256(blob.encode()).hexdigest()[:16]

    def model_version(self) -> str:
        """What the answers report as the model's version: the folder's name and a digest of
        its files' names, sizes and bytes (``lm@3f2a9c0b17d4``, ``_content_digest``), as they
        were when the model was loaded. Weights retrained in place keep the folder, the config
        and the fingerprint (evidence recorded before keeps its identity), so the name alone
        showed a retrained model's runs as the same model's history in run records, compare,
        trend and the register. No modification time is in it: a checkpoint copied or fetched
        again is the same model, not a change flagged at every run."""
        return _version_of(self.model_path, _content_digest(self.model_path))

    async def start(self) -> None:
        if self._pipe is None:
            await asyncio.to_thread(self._load)

    def check(self) -> None:
        """The model directory exists and holds a ``config.json`` that is a JSON object and a
        weights file: what can be known without importing torch. A folder without them was
        passed here, and the run then failed inside transformers (an internal error, or its
        OSError read as the run folder's storage fault; without weights, once it started)."""
        if not self.model_path.is_dir():
            raise self._bad_model(f"model directory {self.model_path} does not exist")
        config = self.model_path / "config.json"
        from ..store.files import unreadable_reason

        reason = unreadable_reason(config)
        if reason is not None:
            raise self._bad_model(
                f"model directory {self.model_path} has no config.json ({reason})"
            )
        try:
            data = json.loads(config.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
            raise self._bad_model(f"{config} cannot be read as JSON: {describe(exc)}") from None
        if not isinstance(data, dict):
            raise self._bad_model(f"{config} is not a JSON object (a model's configuration)")
        from ..nlp import missing_weights

        weightless = missing_weights(self.model_path)
        if weightless is not None:
            raise self._bad_model(weightless, hint="save the model with save_pretrained(path)")

    def check_params(self, names: Collection[str]) -> None:
        """Refuse the suite's generation parameters meeting the target's into sampling at
        temperature 0 (``sampling_at_zero``): a suite's ``temperature: 0`` under a target's
        ``do_sample: true``, or the other way round, failed every request. Only where the
        suite's values are given (``run``); ``validate`` gives their names, and the target's
        own pair is refused as its file loads."""
        if not isinstance(names, Mapping):
            return
        merged = {**self.s.generation, **names}
        if not sampling_at_zero(merged):
            return
        said = ", ".join(
            f"{key}: {json.dumps(merged[key])} from the {'suite' if key in names else 'target'}"
            for key in ("do_sample", "temperature")
        )
        source, line = self.located("generation")
        raise ConfigError.single(
            source,
            f"asks to sample at temperature 0 ({said}), which fails every request "
            "(transformers samples only at a temperature above 0)",
            line=line,
            field="generation",
            hint=SAMPLING_AT_ZERO_FIX + " in the suite's or the target's generation",
        )

    def _bad_model(
        self,
        message: str,
        *,
        field: str = "model",
        hint: str = "point model at a local directory with config.json, weights and tokenizer",
    ) -> ConfigError:
        return ConfigError.single(
            f"target {self.s.name or self.type}", message, field=field, hint=hint
        )

    def _load(self) -> None:
        self.check()
        if self.s.local_files_only:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
        try:
            import torch
            from transformers import AutoModelForCausalLM, AutoTokenizer, pipeline
        except ImportError as exc:
            raise MissingDependencyError(
                f"the transformers target needs torch and transformers ({exc.name} is missing): "
                "pip install torch transformers"
            ) from None
        path = str(self.model_path)
        # The files as they are read, not as a later answer's: its version and cache key.
        digest = _content_digest(self.model_path)
        identity = _cache_identity(self.model_path, digest)
        from ..nlp import model_load_fault, model_load_faults, quiet_transformers

        quiet_transformers()
        dtype = "auto" if self.s.dtype == "auto" else getattr(torch, self.s.dtype)
        try:  # the folder's files decide what fails here: a configuration error, not our bug
            tokenizer = AutoTokenizer.from_pretrained(
                path, local_files_only=self.s.local_files_only
            )
            model = AutoModelForCausalLM.from_pretrained(
                path, local_files_only=self.s.local_files_only, dtype=dtype
            )
        except model_load_faults() as exc:
            raise self._bad_model(
                f"cannot load the model in {path}: {model_load_fault(exc)}"
            ) from None
        self._check_tokenizer(tokenizer, path)
        try:
            model.to(self.s.device)  # type: ignore[arg-type]  # transformers stubs: to() is wrapped
        except (RuntimeError, AssertionError, ValueError) as exc:  # torch asserts CUDA support
            raise self._bad_model(
                f"cannot use device '{self.s.device}': {_first_line(exc)}",
                field="device",
                hint="set device to cpu, or to a device this machine's torch has (cuda, mps)",
            ) from None
        model.eval()
        if tokenizer.pad_token_id is None and tokenizer.eos_token_id is not None:
            tokenizer.pad_token = tokenizer.eos_token
        chat = bool(getattr(tokenizer, "chat_template", None))
        if self.s.use_chat_template and not chat:
            # Else every request failed on it, each as an 'exception' (a failed run, exit 3).
            raise self._bad_model(
                f"use_chat_template is true, but the tokenizer in {path} has no chat template",
                field="use_chat_template",
                hint="save the tokenizer with its chat template, or set use_chat_template to "
                "false (turns joined as 'role: content' lines)",
            )
        self._chat = chat if self.s.use_chat_template is None else self.s.use_chat_template
        self._pipe = pipeline(
            "text-generation", model=model, tokenizer=tokenizer, device=self.s.device
        )
        self._torch = torch
        self._version = _version_of(self.model_path, digest)
        self._cache_identity = identity

    def _check_tokenizer(self, tokenizer: Any, path: str) -> None:
        """Refuse a tokenizer that reads text as no tokens: transformers loads a folder without
        tokenizer files as an empty one (a vocabulary of one), and the model then answered ""
        to every prompt, a run that passed every gate a silent model meets."""
        try:
            ids = tokenizer(_PROBE, add_special_tokens=False)["input_ids"]
        except Exception as exc:  # a tokenizer that cannot even read the probe
            raise self._bad_model(
                f"the tokenizer in {path} cannot read text: {_first_line(exc)}"
            ) from None
        if len(ids) == 0 or len(tokenizer) < 2:
            raise self._bad_model(
                f"the tokenizer in {path} reads text as no tokens (its files are missing)",
                hint="save the tokenizer beside the model (tokenizer.save_pretrained(path))",
            )

    async def close(self) -> None:
        self._pipe = None

    def prompt_text(self, messages: list[dict[str, str]]) -> str:
        """The prompt string: chat template when the tokenizer has one, else plain turns."""
        tokenizer = self._pipe.tokenizer
        if self._chat:
            return str(
                tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
            )
        lines = [f"{m['role']}: {m['content']}" for m in messages]
        return "\n".join([*lines, "assistant:"])

    def generation_kwargs(self, params: dict[str, Any]) -> dict[str, Any]:
        kwargs: dict[str, Any] = {}
        for name, value in params.items():
            name = _RENAME.get(name, name)
            if name in _PASSED and value is not None:
                kwargs[name] = value
        for knob in ("temperature", "top_p", "repetition_penalty"):  # `2` in YAML is an int,
            if knob in kwargs:  # and transformers takes only a float ("strictly positive float")
                kwargs[knob] = float(kwargs[knob])
        if isinstance(kwargs.get("stop_strings"), str):
            kwargs["stop_strings"] = [kwargs["stop_strings"]]
        if "do_sample" not in kwargs:
            kwargs["do_sample"] = float(kwargs.get("temperature", 0.0) or 0.0) > 0.0
        if not kwargs["do_sample"]:
            # Greedy: sampling knobs would only trigger transformers' warnings.
            for knob in ("temperature", "top_p", "top_k"):
                kwargs.pop(knob, None)
        kwargs.setdefault("max_new_tokens", 256)
        return kwargs

    def _generate_sync(self, request: GenerationRequest) -> GenerationResponse:
        messages = build_messages(request.messages, self.s.system_prompt)
        params = {**self.s.generation, **request.params}
        kwargs = self.generation_kwargs(params)
        asked = any(params.get(name) is not None for name in ("max_tokens", "max_new_tokens"))
        with self._lock:
            prompt = self.prompt_text(messages)
            if kwargs["do_sample"]:
                self._torch.manual_seed(request.seed)
            if "stop_strings" in kwargs:
                kwargs["tokenizer"] = self._pipe.tokenizer
            tokenizer = self._pipe.tokenizer
            # A chat template writes the special tokens it wants (a start token); the
            # tokenizer's added to its text again were read twice. Plain turns get them.
            special = not self._chat
            # As the pipeline feeds it: its prefix (a model's config may set one) too
            prefix = getattr(self._pipe, "_preprocess_params", {}).get("prefix") or ""
            fed = [
                int(t) for t in tokenizer(prefix + prompt, add_special_tokens=special)["input_ids"]
            ]
            read = len(fed)
            kwargs["max_new_tokens"] = self._within_positions(
                read, kwargs["max_new_tokens"], asked=asked
            )
            out = self._pipe(prompt, return_tensors=True, add_special_tokens=special, **kwargs)
            sequence = [int(t) for t in out[0]["generated_token_ids"]]
            if sequence[:read] != fed:  # else the answer's tokens and counts are not its own
                raise RuntimeError(
                    "the transformers pipeline returned a sequence that does not start with the "
                    "prompt as the adapter tokenized it; its answer cannot be told from it"
                )
            generated = sequence[read:]
            text = self._decoded(generated)
        completion_tokens, prompt_tokens = len(generated), read  # the tokens the model read
        text, stopped = _before_stop(text, kwargs.get("stop_strings") or [])
        cut = (
            completion_tokens >= kwargs["max_new_tokens"]
            and not self._ended(generated[-1] if generated else None)
            and not stopped  # its stop string came on its last token
        )
        finish = "length" if cut else "stop"
        return GenerationResponse(
            text=text,
            model_version=self._version,
            finish_reason=finish,
            usage={
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        )

    def _decoded(self, generated: list[int]) -> str:
        """The answer's text from its tokens, as the pipeline decodes its own text. The tokens
        of the sequence the pipeline returns are the answer's: counting the tokens another way
        was wrong. The decoded text tokenized again joins word pieces and drops special tokens
        (an answer of 5 tokens cut at max_tokens read as 0 tokens that stopped); beam search's
        steps outnumber the tokens of a best beam that ended before the search did (an answer
        of one token was recorded as 2)."""
        tokenizer = self._pipe.tokenizer
        return str(
            tokenizer.decode(
                generated,
                # the pipeline keeps them for a tokenizer with a response template
                skip_special_tokens=not getattr(tokenizer, "response_template", None),
            )
        )

    def _ended(self, token: int | None) -> bool:
        """Whether ``token`` is one that ends an answer (the generation config's end-of-sequence
        tokens, the tokenizer's): an answer whose last allowed token ended it stopped."""
        ends = getattr(self._pipe.model.generation_config, "eos_token_id", None)
        ids = set(ends if isinstance(ends, list) else [ends])
        ids.add(self._pipe.tokenizer.eos_token_id)
        return token is not None and token in ids

    def _within_positions(self, prompt_tokens: int, max_new_tokens: int, *, asked: bool) -> int:
        """``max_new_tokens`` for a request the model has positions for; the default (256, when
        the suite sets no max_tokens) is cut to the positions left, as an endpoint's is. A
        request past them is refused, as an endpoint would (vLLM: "maximum context length"):
        generating past them failed inside torch as "IndexError: index out of range in self",
        which says neither why nor what to change. A max_tokens the suite sets is not cut: the
        run would then measure other settings than the suite says."""
        found = model_positions(self._pipe.model.config)
        if found is None or prompt_tokens + max_new_tokens <= found[1]:
            return max_new_tokens
        (key, positions), config = found, self.model_path / "config.json"
        if prompt_tokens >= positions:
            raise ClientError(
                f"the prompt is {prompt_tokens} tokens, the model reads at most {positions} "
                f"({key} in {config}); shorten the prompt"
            )
        if not asked:
            return positions - prompt_tokens
        raise ClientError(
            f"the prompt ({prompt_tokens} tokens) and max_tokens ({max_new_tokens}) need more "
            f"than the model's {positions} positions ({key} in {config}); "
            f"set max_tokens to at most {positions - prompt_tokens}"
        )

    async def generate(self, request: GenerationRequest) -> GenerationResponse:
        if self._pipe is None:
            await self.start()
        return await asyncio.to_thread(self._generate_sync, request)


_POSITION_KEYS = ("max_position_embeddings", "max_seq_len")
"""What configurations call the number of positions a model reads (``max_seq_len``: MPT's;
GPT-2's ``n_positions`` is read as ``max_position_embeddings`` by transformers itself)."""


def model_positions(config: Any) -> tuple[str, int] | None:
    """Where the model configuration ``config`` keeps the number of positions the model reads,
    and that number; None where it has none (ALiBi and state-space models: no fixed limit).
    A multimodal configuration (Gemma 3, Llama 4, Qwen 3.5) keeps it in its ``text_config``;
    read only at the top, such a model's prompts were never checked."""
    sources = [("", config)]
    text = getattr(config, "text_config", None)
    if text is not None and text is not config:
        sources.append(("text_config.", text))
    for prefix, source in sources:
        for key in _POSITION_KEYS:
            value = getattr(source, key, None)
            if isinstance(value, int) and not isinstance(value, bool) and value > 0:
                return prefix + key, value
    return None


def _before_stop(text: str, stops: list[str]) -> tuple[str, bool]:
    """The answer up to the earliest stop string in it, and whether one was there. transformers
    ends generation on a stop string but keeps it in the text; an OpenAI-style endpoint (and
    vLLM, TGI) returns what comes before it, so scorers read the answer the model's API would
    give, not one with the stop string at its end."""
    found = [i for i in (text.find(stop) for stop in stops if stop) if i >= 0]
    return (text[: min(found)], True) if found else (text, False)


def _first_line(exc: BaseException) -> str:
    """An exception from torch or transformers in one line (theirs run to paragraphs)."""
    lines = describe(exc).splitlines()
    return lines[0][:300] if lines else type(exc).__name__


def _dir_digest(path: Path) -> str | None:
    if not path.is_dir():
        return None
    digest = hashlib.sha256()
    for item in sorted(path.iterdir()):
        if item.is_file():
            digest.update(f"{item.name}:{item.stat().st_size}\n".encode())
            if item.suffix == ".json":
                digest.update(item.read_bytes())
    return digest.hexdigest()[:16]


WHOLE_FILE_BYTES = 32 * 2**20
"""Files up to this size (configs, tokenizers, small models) are read whole for the model
version; a larger one at :data:`SAMPLES` places spread over it."""
SAMPLES = 256
SAMPLE_BYTES = 16 * 2**10


def _content_stamp(path: Path) -> list[tuple[str, int, str]] | None:
    """Each file of the model directory as (name, size, digest of its bytes): the whole of a
    file up to :data:`WHOLE_FILE_BYTES`, else :data:`SAMPLES` pieces of :data:`SAMPLE_BYTES`
    spread evenly over it (4 MiB of a 5 GB shard, read in well under a second; the whole
    would take seconds per GB at each start). Training again changes a checkpoint's bytes
    throughout, and any change of size is seen; a change confined to less than 1/256 of a
    large file, between the pieces read, can go unseen (said in docs/FORMATS.md)."""
    if not path.is_dir():
        return None
    stamps = []
    for item in sorted(path.iterdir()):
        if not item.is_file():
            continue
        size = item.stat().st_size
        digest = hashlib.sha256()
        with item.open("rb") as data:
            if size <= WHOLE_FILE_BYTES:
                digest.update(data.read())
            else:
                step = (size - SAMPLE_BYTES) // (SAMPLES - 1)
                for i in range(SAMPLES):
                    data.seek(i * step)
                    digest.update(data.read(SAMPLE_BYTES))
        stamps.append((item.name, size, digest.hexdigest()))
    return stamps


def _content_digest(path: Path) -> str:
    """One digest of the model directory's files as ``_content_stamp`` reads them: what the
    model version and the response cache key both name the checkpoint by."""
    return hashlib.sha256(json.dumps(_content_stamp(path)).encode()).hexdigest()


def _cache_identity(path: Path, digest: str) -> str:
    """What the response cache keys a model directory's answers on: its content ``digest`` and,
    for each file read only in pieces (over :data:`WHOLE_FILE_BYTES`), its modification time.
    A change between the pieces (one small tensor of a large shard trained again) keeps the
    digest, so the time written with it is what tells it apart; files read whole are known
    by their bytes alone, and a copy that does not keep times (or a ``touch``) of the small
    files keeps the cache. The model version stays content only (a checkpoint copied again is
    the same model)."""
    sampled = []
    if path.is_dir():
        for item in sorted(path.iterdir()):
            if item.is_file() and (info := item.stat()).st_size > WHOLE_FILE_BYTES:
                sampled.append((item.name, info.st_mtime_ns))
    return json.dumps([digest, sampled])


def _version_of(path: Path, digest: str) -> str:
    """The model version of the directory at ``path`` whose content digest is ``digest``."""
    return f"{path.name}@{digest[:12]}"
