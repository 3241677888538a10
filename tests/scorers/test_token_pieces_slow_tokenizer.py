"""A tokenizer without the fast tokenizers' overflow mapping still reads a long text in pieces.

``token_pieces`` asked the tokenizer for ``overflow_to_sample_mapping``, which only the fast
(Rust) tokenizers return: a model shipped with a Python tokenizer (its own class, as models
loaded with their code have) stopped the run with a KeyError traceback. A Python word tokenizer
over the packaged embedding model's vocabulary must cut texts whose words are all in that
vocabulary exactly as the fast BERT tokenizer of the same vocabulary does.
"""

from __future__ import annotations

from typing import Any

import pytest

from assurance_harness.errors import MissingDependencyError
from assurance_harness.scorers._batched import token_pieces

TEXTS = [
    "a short answer .",
    "the garden was quiet and the afternoon light fell across the lawn . " * 12 + "the end .",
    "",
    "x " * 62,  # exactly one 64-token piece with [CLS] and [SEP]
    "x " * 63,  # one token more: two pieces
]


def _word_tokenizer() -> Any:
    from transformers.tokenization_python import PythonBackend

    from assurance_harness.nlp.embeddings import model_dir

    class WordTokenizer(PythonBackend):  # type: ignore[misc]
        """Whitespace words looked up in a BERT vocabulary: a tokenizer with no fast version."""

        def __init__(self, vocab_file: str) -> None:
            with open(vocab_file, encoding="utf-8") as handle:
                self.vocab = {line.rstrip("\n"): i for i, line in enumerate(handle)}
            self.words = {i: w for w, i in self.vocab.items()}
            super().__init__(
                unk_token="[UNK]",
                cls_token="[CLS]",
                sep_token="[SEP]",
                pad_token="[PAD]",
                special_tokens_pattern="cls_sep",
            )

        @property
        def vocab_size(self) -> int:
            return len(self.vocab)

        def get_vocab(self) -> dict[str, int]:
            return dict(self.vocab)

        def _tokenize(self, text: str, **kwargs: Any) -> list[str]:
            return text.split()

        def _convert_token_to_id(self, token: str) -> int:
            return self.vocab.get(token, self.vocab["[UNK]"])

        def _convert_id_to_token(self, index: int) -> str:
            return self.words.get(index, "[UNK]")

    return WordTokenizer(str(model_dir() / "vocab.txt"))


def _fast_tokenizer() -> Any:
    from transformers import BertTokenizerFast

    from assurance_harness.nlp.embeddings import model_dir

    return BertTokenizerFast(str(model_dir() / "vocab.txt"))


@pytest.mark.parametrize("limit", [16, 64])
def test_a_python_tokenizer_gives_the_pieces_the_fast_one_gives(limit: int) -> None:
    slow = _word_tokenizer()
    assert not slow.is_fast
    expected = token_pieces(_fast_tokenizer(), TEXTS, limit)
    assert len(expected[0]) > len(TEXTS) + 2  # the long texts run to several pieces
    assert token_pieces(slow, TEXTS, limit) == expected


def test_a_tokenizer_that_can_do_neither_says_so_in_one_line() -> None:
    class Bare:
        """Tokenizes, but neither overflows a batch nor adds special tokens to a piece."""

        is_fast = False

        def num_special_tokens_to_add(self, pair: bool = False) -> int:
            return 2

        def __call__(self, text: str, **kwargs: Any) -> dict[str, list[int]]:
            return {"input_ids": [1] * len(text.split())}

    with pytest.raises(MissingDependencyError, match="fast tokenizer") as caught:
        token_pieces(Bare(), ["a b c"], 16)
    assert "\n" not in str(caught.value)
