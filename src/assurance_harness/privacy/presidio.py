"""Presidio and spaCy, imported without the torch and transformers they would take along.

spaCy's thinc imports torch where it is installed (for pipelines this redactor never runs: it
uses a blank tokenizer), and Presidio imports transformers for its Hugging Face recognizers
(this one runs rules): about 3 s and 300 MB of a 6 s, 500 MB redacted run, and torch is
installed wherever detoxify is. Both imports are optional to them (``try: import torch``), so
while they are imported here a finder says those two are not installed, to this thread alone
and only where nothing imported them already: a scorer that needs torch, on another thread or
later, imports it as usual.
"""

from __future__ import annotations

import importlib
import importlib.abc
import sys
import threading
from collections.abc import Callable, Iterable, Sequence
from importlib.machinery import ModuleSpec
from types import ModuleType
from typing import Any

LEFT_OUT = ("torch", "transformers")
"""What Presidio and spaCy import only if it is there, and the redactor never uses."""

_LOADING = threading.Lock()
_loaded = False


class _LeftOut(importlib.abc.MetaPathFinder):
    """``LEFT_OUT`` as not installed, to the thread that imports Presidio, while it does."""

    def __init__(self) -> None:
        self.thread = threading.get_ident()
        self.absent = tuple(name for name in LEFT_OUT if name not in sys.modules)

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None = None,
        target: ModuleType | None = None,
    ) -> ModuleSpec | None:
        if threading.get_ident() == self.thread and fullname.split(".")[0] in self.absent:
            raise ModuleNotFoundError(f"No module named {fullname!r}", name=fullname)
        return None


def load() -> None:
    """Import Presidio's analyzer and spaCy (once) without ``LEFT_OUT``; call before any
    ``from presidio_analyzer import ...``. An import error is Presidio's own, as it would be."""
    global _loaded
    with _LOADING:
        if _loaded:
            return
        finder = _LeftOut()
        sys.meta_path.insert(0, finder)
        try:
            importlib.import_module("spacy")
            importlib.import_module("presidio_analyzer")
        finally:
            sys.meta_path.remove(finder)
        _loaded = True


def linear_recognizer(
    base: type, entity: str, find: Callable[[str], Iterable[tuple[int, int, float]]]
) -> Any:
    """An instance of Presidio's recognizer ``base`` (its name, id and context words kept)
    whose matches are ``find``'s ``(start, end, score)`` spans, as ``entity``: where Presidio's
    own pattern takes time that grows faster than the text (``urls.py``, ``emails.py``)."""
    from presidio_analyzer import RecognizerResult

    class LinearRecognizer(base):
        def analyze(
            self, text: str, entities: list[str], nlp_artifacts: Any = None, regex_flags: Any = None
        ) -> list[Any]:
            this: Any = self  # Presidio's attributes, untyped
            metadata = {
                RecognizerResult.RECOGNIZER_NAME_KEY: this.name,
                RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: this.id,
            }
            return [
                RecognizerResult(entity, start, end, score, recognition_metadata=dict(metadata))
                for start, end, score in find(text)
            ]

    LinearRecognizer.__name__ = LinearRecognizer.__qualname__ = f"Linear{base.__name__}"
    return LinearRecognizer()
