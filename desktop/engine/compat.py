"""Can this draft serve this verifier? llama.cpp's rule, with a reason a user can act on."""

from __future__ import annotations

from dataclasses import dataclass

from desktop.engine.errors import IncompatiblePairError
from desktop.engine.model import VocabInfo

MAX_VOCAB_DIFFERENCE = 128  # llama.cpp SPEC_VOCAB_MAX_SIZE_DIFFERENCE
FIRST_CHECKED_TOKEN = 5  # llama.cpp SPEC_VOCAB_CHECK_START_TOKEN_ID
VOCAB_TYPES = {0: "none", 1: "SentencePiece", 2: "BPE", 3: "WordPiece", 4: "Unigram", 5: "RWKV", 6: "PLaMo-2"}


@dataclass(frozen=True, slots=True)
class Compatibility:
    """The verdict: `ok`, or the rule that failed and an example."""

    ok: bool
    rule: str = ""
    detail: str = ""

    def __str__(self) -> str:
        return "compatible" if self.ok else f"{self.rule}: {self.detail}"


def _type_name(t: int) -> str:
    return VOCAB_TYPES.get(t, str(t))


def check_header(verifier: VocabInfo, draft: VocabInfo) -> Compatibility:
    """The rule's parts that need no token text (type, BOS/EOS, size); `texts` may be empty."""
    if verifier.vocab_type != draft.vocab_type:
        return Compatibility(
            False,
            "same vocabulary type",
            f"the verifier uses {_type_name(verifier.vocab_type)}, the draft {_type_name(draft.vocab_type)}",
        )
    for flag, v, d in (("BOS", verifier.add_bos, draft.add_bos), ("EOS", verifier.add_eos, draft.add_eos)):
        if v != d:
            return Compatibility(
                False,
                f"same add-{flag} flag",
                f"the verifier {'adds' if v else 'does not add'} {flag}, "
                f"the draft {'adds' if d else 'does not add'} it",
            )
    if verifier.add_bos and verifier.bos != draft.bos:
        return Compatibility(
            False, "same BOS token", f"BOS is {verifier.bos} in the verifier but {draft.bos} in the draft"
        )
    if verifier.add_eos and verifier.eos != draft.eos:
        return Compatibility(
            False, "same EOS token", f"EOS is {verifier.eos} in the verifier but {draft.eos} in the draft"
        )
    diff = abs(verifier.n_vocab - draft.n_vocab)
    if diff > MAX_VOCAB_DIFFERENCE:
        return Compatibility(
            False,
            f"vocabulary sizes within {MAX_VOCAB_DIFFERENCE}",
            f"the verifier has {verifier.n_vocab:,} tokens, the draft {draft.n_vocab:,} "
            f"(a difference of {diff:,})",
        )
    return Compatibility(True)


def check(verifier: VocabInfo, draft: VocabInfo) -> Compatibility:
    """Apply llama.cpp's draft/verifier compatibility rule."""
    verdict = check_header(verifier, draft)
    if not verdict.ok:
        return verdict
    for i in range(FIRST_CHECKED_TOKEN, min(verifier.n_vocab, draft.n_vocab)):
        if verifier.texts[i] != draft.texts[i]:
            return Compatibility(
                False,
                "identical token text",
                f"token {i} is {verifier.texts[i]!r} in the verifier but {draft.texts[i]!r} in the draft",
            )
    return Compatibility(True)


def require(verifier: VocabInfo, draft: VocabInfo) -> None:
    """Raise `IncompatiblePairError` unless the pair is compatible."""
    verdict = check(verifier, draft)
    if not verdict.ok:
        raise IncompatiblePairError(verdict.rule, verdict.detail)
