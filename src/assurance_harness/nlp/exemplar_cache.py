"""The embeddings of exemplar files, kept on disk between processes.

Why: the refusal, age-category and solicitation scorers fit a classifier on the sentence
embeddings of their bundled exemplars (``nlp.exemplars``) the first time a process needs it.
Embedding those 685 texts took about 8 of the 21 seconds a 41-case run of the bundled
privacy suite took, on every run, to compute the same arrays again. Here the first run on a
machine stores them and later runs read them back.

Why it cannot change a figure: the file is found by a key that holds everything the arrays
depend on, so it is only ever read where a fresh computation would give the same bytes: the
texts, in order; the model's files (their SHA-256, not only the package release, so weights
edited in place miss); torch's and numpy's releases; the device, torch's thread count and the
machine's architecture (a matrix product's rounding can depend on them); and this format's
version. A file that is cut short, altered or unreadable is computed again and rewritten,
never used: each file holds the SHA-256 of its array.

Where: ``$ASSURANCE_CACHE_DIR`` (set it empty to keep nothing), else
``$XDG_CACHE_HOME/assurance-harness``, else ``~/.cache/assurance-harness`` (with no home folder
to be found, nothing is kept). Nothing here is
evidence: a folder that cannot be written (read-only, full) only means the next run computes
the arrays again.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import platform
import tempfile
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

FORMAT = 1
"""This file format's version, part of every key."""
CACHE_ENV = "ASSURANCE_CACHE_DIR"
SUBFOLDER = "exemplar-embeddings"


def cache_folder() -> Path | None:
    """Where the arrays are kept; None when ``$ASSURANCE_CACHE_DIR`` is set empty, or where no
    home folder can be found for it (``HOME`` unset for a user the user database does not list,
    as in a container under an arbitrary uid): ``Path.home()``'s RuntimeError was an internal
    error after every case was sent, and nothing here is needed for a run."""
    chosen = os.environ.get(CACHE_ENV)
    try:
        if chosen is not None:
            return Path(chosen).expanduser() / SUBFOLDER if chosen.strip() else None
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        return Path(base).expanduser() / "assurance-harness" / SUBFOLDER
    except RuntimeError:  # no home folder, or a '~' in a setting with none to stand for
        return None


@lru_cache(maxsize=4)
def files_sha256(folder: Path) -> str:
    """One SHA-256 over a model folder's files (their relative names and bytes), once a
    process: about 0.1 s for the 91 MB of all-MiniLM-L6-v2."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def cache_key(texts: Sequence[str], computed_by: dict[str, object]) -> str:
    """The key of ``texts``' embeddings as ``computed_by`` (what else they depend on) gives
    them."""
    digest = hashlib.sha256(json.dumps({"format": FORMAT, **computed_by}, sort_keys=True).encode())
    for text in texts:
        encoded = text.encode("utf-8", "surrogatepass")
        digest.update(len(encoded).to_bytes(8, "big") + encoded)
    return digest.hexdigest()


def _read(path: Path, rows: int) -> np.ndarray | None:
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    recorded, _, payload = raw.partition(b"\n")
    if recorded.decode("ascii", "replace") != hashlib.sha256(payload).hexdigest():
        return None  # cut short or altered: computed again
    try:
        array = np.load(io.BytesIO(payload), allow_pickle=False)
    except (OSError, ValueError):
        return None
    if array.ndim != 2 or array.shape[0] != rows or array.dtype != np.float32:
        return None
    return array


def _write(path: Path, array: np.ndarray) -> None:
    """Write atomically (another process may be reading or writing the same key); a folder
    that cannot be written is left as it is."""
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    payload = buffer.getvalue()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
    except OSError:
        return
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(hashlib.sha256(payload).hexdigest().encode("ascii") + b"\n" + payload)
        os.replace(temporary, path)
    except OSError:  # full, or gone meanwhile: the arrays are computed again next time
        with contextlib.suppress(OSError):
            os.unlink(temporary)


def kept_embeddings(
    texts: Sequence[str],
    computed_by: dict[str, object],
    compute: Callable[[Sequence[str]], np.ndarray],
) -> np.ndarray:
    """``compute(texts)``, read from the cache folder when these texts were embedded there
    before under the same ``computed_by``, else computed and stored."""
    folder = cache_folder()
    if folder is None:
        return compute(texts)
    path = folder / f"{cache_key(texts, computed_by)}.npy"
    found = _read(path, len(texts))
    if found is not None:
        return found
    array = np.ascontiguousarray(compute(texts), dtype=np.float32)
    _write(path, array)
    return array


def machine() -> dict[str, object]:
    """What of this machine a product's rounding may depend on."""
    return {"machine": platform.machine(), "system": platform.system()}
