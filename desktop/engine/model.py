"""The small protocol the engine needs from a language model, and what a vocabulary is."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

Logits = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class VocabInfo:
    """What llama.cpp's draft-compatibility rule compares between two models."""

    vocab_type: int
    n_vocab: int
    add_bos: bool
    add_eos: bool
    bos: int
    eos: int
    texts: Sequence[str]  # token text for every id


class Model(Protocol):
    """A causal language model with a KV cache of one sequence.

    `decode` appends `tokens` at cache position `start` (everything at or after `start`
    must already be gone) and returns the logits rows of the last `n_logits` tokens,
    valid until the next call.
    """

    @property
    def n_vocab(self) -> int: ...

    @property
    def n_ctx(self) -> int: ...

    def tokenize(self, text: str, *, add_special: bool, parse_special: bool) -> list[int]: ...

    def token_bytes(self, token: int) -> bytes: ...

    def is_eog(self, token: int) -> bool: ...

    def decode(self, tokens: Sequence[int], start: int, n_logits: int) -> Logits: ...

    def truncate(self, n: int) -> None: ...

    def vocab(self) -> VocabInfo: ...

    def metadata(self, key: str) -> str | None: ...
