"""A vocabulary's fingerprint, small enough to cache, that still answers llama.cpp's draft rule.

The rule compares token text for every id from 5 up to the smaller vocabulary, and two
vocabularies may differ in size by up to 128. So the print keeps a hash per block of
`BLOCK` tokens (starting at id 5) and the full text of the last `BLOCK + 128` tokens: for any
two sizes within 128 of each other, the shared range is whole blocks followed by a stretch both
prints hold as text.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Sequence
from dataclasses import dataclass

from desktop.engine.compat import FIRST_CHECKED_TOKEN, MAX_VOCAB_DIFFERENCE, Compatibility
from desktop.engine.model import VocabInfo

BLOCK = 512
TAIL = BLOCK + MAX_VOCAB_DIFFERENCE
TEXT_RULE = "identical token text"


@dataclass(frozen=True)
class VocabPrint:
    """What the draft rule reads from a vocabulary; `fingerprint` hashes every token's text."""

    vocab_type: int
    n_vocab: int
    add_bos: bool
    add_eos: bool
    bos: int
    eos: int
    fingerprint: str
    block_hashes: tuple[str, ...]
    tail_start: int
    tail: tuple[str, ...]

    def header_info(self) -> VocabInfo:
        """The parts compat.check_header compares (no token text)."""
        return VocabInfo(self.vocab_type, self.n_vocab, self.add_bos, self.add_eos, self.bos, self.eos, ())

    def text(self, token: int) -> str:
        """The text of `token`, which must lie in the tail."""
        if not self.tail_start <= token < self.n_vocab:
            raise IndexError(f"token {token} is not in the stored tail")
        return self.tail[token - self.tail_start]


def _block_hash(tokens: Sequence[bytes]) -> str:
    digest = hashlib.blake2b(digest_size=8)
    for t in tokens:
        digest.update(struct.pack("<I", len(t)))
        digest.update(t)
    return digest.hexdigest()


def make_print(
    tokens: Sequence[bytes], vocab_type: int, add_bos: bool, add_eos: bool, bos: int, eos: int
) -> VocabPrint:
    """The print of a vocabulary whose token texts (raw UTF-8, in id order) are `tokens`."""
    n = len(tokens)
    full = max(0, (n - FIRST_CHECKED_TOKEN) // BLOCK)
    blocks = tuple(
        _block_hash(tokens[FIRST_CHECKED_TOKEN + i * BLOCK : FIRST_CHECKED_TOKEN + (i + 1) * BLOCK])
        for i in range(full)
    )
    tail_start = max(FIRST_CHECKED_TOKEN, n - TAIL) if n > FIRST_CHECKED_TOKEN else n
    tail = tuple(t.decode("utf-8", errors="replace") for t in tokens[tail_start:])
    everything = hashlib.sha256()
    for t in tokens:
        everything.update(struct.pack("<I", len(t)) + t)
    return VocabPrint(
        vocab_type, n, add_bos, add_eos, bos, eos, everything.hexdigest()[:16], blocks, tail_start, tail
    )


def same_texts(verifier: VocabPrint, draft: VocabPrint) -> Compatibility:
    """The token-text part of the rule; call it only once the sizes are known to be within 128."""
    shared = min(verifier.n_vocab, draft.n_vocab)
    if shared <= FIRST_CHECKED_TOKEN:
        return Compatibility(True)
    full = (shared - FIRST_CHECKED_TOKEN) // BLOCK
    for i in range(full):
        if verifier.block_hashes[i] != draft.block_hashes[i]:
            lo = FIRST_CHECKED_TOKEN + i * BLOCK
            return Compatibility(
                False, TEXT_RULE, f"token texts differ between ids {lo:,} and {lo + BLOCK - 1:,}"
            )
    for token in range(FIRST_CHECKED_TOKEN + full * BLOCK, shared):
        v, d = verifier.text(token), draft.text(token)
        if v != d:
            return Compatibility(
                False, TEXT_RULE, f"token {token} is {v!r} in the verifier but {d!r} in the draft"
            )
    return Compatibility(True)
