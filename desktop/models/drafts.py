"""Which models can draft for a verifier, best first, and why each of the others cannot.

A file can draft when it passes llama.cpp's vocabulary rule (`desktop.engine.compat`, applied to
the header-read vocabulary prints), belongs to the verifier's architecture family, keeps no
recurrent state (Tandem rewinds the cache after a rejected draft), and is smaller on disk than
the verifier (a token costs about as much as reading the weights once).

Ranking, best first:
1. the same architecture before a relative from the family (qwen3 before qwen3 for qwen3moe);
2. much smaller (at most half the verifier's bytes) before barely smaller, since a draft that
   costs nearly a verifier token cannot pay;
3. quantizations of 4 bits and up before lower ones: acceptance falls with the bits (measured
   here on SmolLM2-135M: Q4_1 0.97, Q3_K 0.68, Q2_K 0.36);
4. then the smaller file (cheaper drafting), then the name.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from desktop.engine.compat import MAX_VOCAB_DIFFERENCE, check_header
from desktop.models.library import LibraryModel
from desktop.models.vocab_print import same_texts
from desktop.resources import resource

# llama.cpp's recurrent and hybrid architectures (llm_arch_is_recurrent / llm_arch_is_hybrid).
RECURRENT = frozenset(
    {
        "mamba", "mamba2", "rwkv6", "rwkv6qwen2", "rwkv7", "arwkv7", "jamba", "falcon-h1", "plamo2",
        "granitehybrid", "lfm2", "lfm2moe", "nemotron_h", "nemotron_h_moe", "qwen3next", "kimi-linear",
        "bailingmoe3", "kimi-k3", "glm5-next", "qwen35", "qwen35moe", "qwen4exp", "deepseek4",
        "minimax-01",
    }
)  # fmt: skip
NOT_LANGUAGE_MODELS = frozenset({"clip", "bert", "nomic-bert", "t5encoder"})
MUCH_SMALLER = 0.5
LOW_BIT_PREFIXES = ("Q1", "Q2", "Q3", "IQ1", "IQ2", "IQ3", "TQ")


@dataclass(frozen=True)
class Draft:
    """A compatible draft and the notes that explain its place in the ranking."""

    model: LibraryModel
    notes: tuple[str, ...]


@dataclass(frozen=True)
class Refusal:
    """A model that cannot draft for the verifier, with every reason that applies."""

    model: LibraryModel
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Suggestion:
    """A draft to download from the Hugging Face Hub when nothing local fits."""

    family: str
    repo: str
    file: str
    size: int | None


@dataclass(frozen=True)
class DraftReport:
    """The answer for one verifier; `problem` is set when the verifier cannot speculate at all."""

    verifier: LibraryModel
    drafts: tuple[Draft, ...]
    refused: tuple[Refusal, ...]
    suggestion: Suggestion | None
    problem: str = ""


def family(architecture: str) -> str:
    """The family an architecture belongs to: a mixture-of-experts variant joins its dense one."""
    return architecture.removesuffix("moe")


def _low_bit(quant: str) -> bool:
    return quant.upper().startswith(LOW_BIT_PREFIXES)


def _arch_problem(arch: str, role: str) -> str:
    if arch in RECURRENT:
        return f"{arch} keeps a recurrent state that Tandem cannot rewind after a rejected draft"
    if arch in NOT_LANGUAGE_MODELS or not arch:
        return f"not a language model ({arch or 'no architecture'}) and cannot be the {role}"
    return ""


def reasons(verifier: LibraryModel, draft: LibraryModel) -> tuple[str, ...]:
    """Why `draft` cannot draft for `verifier` (empty when it can)."""
    if draft.target == verifier.target:
        return ("it is the verifier itself",)
    v, d = verifier.info, draft.info
    found = [r for r in (_arch_problem(d.architecture, "draft"),) if r]
    if not found and family(v.architecture) != family(d.architecture):
        found.append(
            f"a different architecture: the verifier is {v.architecture}, this file {d.architecture}"
        )
    if d.vocab is None or v.vocab is None:
        found.append("it has no vocabulary" if d.vocab is None else "the verifier has no vocabulary")
    else:
        verdict = check_header(v.vocab.header_info(), d.vocab.header_info())
        if verdict.ok:
            verdict = same_texts(v.vocab, d.vocab)
        if not verdict.ok:
            found.append(str(verdict))
    if draft.size >= verifier.size:
        found.append(f"not smaller than the verifier ({_mb(draft.size)} vs {_mb(verifier.size)})")
    return tuple(found)


def _mb(size: int) -> str:
    return f"{size / 1e6:,.0f} MB" if size >= 10e6 else f"{size / 1e6:,.1f} MB"


def _rank(verifier: LibraryModel, draft: LibraryModel) -> tuple[tuple[object, ...], tuple[str, ...]]:
    v, d = verifier.info, draft.info
    same_arch = v.architecture == d.architecture
    ratio = verifier.size / max(draft.size, 1)
    low = _low_bit(d.quantization)
    notes = (
        f"same architecture ({d.architecture})"
        if same_arch
        else f"same family ({d.architecture} for {v.architecture})",
        f"{ratio:.1f}× smaller"
        if ratio >= 1 / MUCH_SMALLER
        else f"only {ratio:.2f}× smaller: drafting may not pay",
        f"{d.quantization} lowers acceptance" if low else f"{d.quantization or 'unknown'} quantization",
    )
    key = (not same_arch, ratio < 1 / MUCH_SMALLER, low, draft.size, draft.name)
    return key, notes


@dataclass(frozen=True)
class KnownDraft:
    """A row of the suggestion table: the verifiers it fits and the draft to download."""

    architectures: tuple[str, ...]
    vocab_sizes: tuple[int, ...]
    draft: Suggestion

    def fits(self, verifier: LibraryModel) -> bool:
        """Whether the verifier is of this family (architecture, and vocabulary within 128)."""
        vocab = verifier.info.vocab
        return (
            vocab is not None
            and verifier.info.architecture in self.architectures
            and any(abs(vocab.n_vocab - n) <= MAX_VOCAB_DIFFERENCE for n in self.vocab_sizes)
        )


def load_suggestions(path: Path | None = None) -> tuple[KnownDraft, ...]:
    """The table of known drafts per family (resources/models/draft_suggestions.json)."""
    rows = json.loads((path or resource("models", "draft_suggestions.json")).read_text(encoding="utf-8"))
    return tuple(
        KnownDraft(
            tuple(row["architectures"]),
            tuple(int(n) for n in row["vocab_sizes"]),
            Suggestion(row["family"], row["draft"]["repo"], row["draft"]["file"], row["draft"]["size"]),
        )
        for row in rows["families"]
    )


def suggest(verifier: LibraryModel, table: tuple[KnownDraft, ...]) -> Suggestion | None:
    """A known draft for the verifier's family that is smaller than it, if the table has one."""
    for row in table:
        if row.fits(verifier):
            draft = row.draft
            too_big = draft.size is not None and draft.size >= verifier.size
            return None if too_big or verifier.target.name == draft.file else draft
    return None


def find_drafts(
    verifier: LibraryModel, models: tuple[LibraryModel, ...], table: tuple[KnownDraft, ...] | None = None
) -> DraftReport:
    """Rank every other model in `models` as a draft for `verifier`, or say why it cannot be one."""
    problem = _arch_problem(verifier.info.architecture, "verifier")
    ranked, refused = [], []
    for model in models:
        if model.target == verifier.target:
            continue  # the verifier is not a candidate for itself
        why = reasons(verifier, model)
        if problem and not why:
            why = (problem,)
        if why:
            refused.append(Refusal(model, why))
        else:
            key, notes = _rank(verifier, model)
            ranked.append((key, Draft(model, notes)))
    ranked.sort(key=lambda kd: kd[0])
    suggestion = None
    if not ranked and not problem:
        suggestion = suggest(verifier, load_suggestions() if table is None else table)
    return DraftReport(verifier, tuple(d for _, d in ranked), tuple(refused), suggestion, problem)
