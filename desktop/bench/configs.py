"""The drafting configurations a bench compares, each against the verifier alone."""

from __future__ import annotations

from dataclasses import dataclass

from desktop.engine.config import DraftConfig, DraftPolicy, Mode

PLAIN = "verifier alone"
FIXED_LENGTHS = (1, 2, 4, 8)
ADAPTIVE = "adaptive"
NGRAM = "n-gram"
SUFFIX = "suffix"
FASTEST = "fastest"


def fixed_name(k: int) -> str:
    return f"draft k={k}"


@dataclass(frozen=True, slots=True)
class BenchConfig:
    """A named drafting setup; `fixed_k` is its draft length when that is fixed (0 = plain)."""

    name: str
    draft: DraftConfig
    fixed_k: int | None = None
    needs_draft_model: bool = False


def configurations(has_draft: bool = True) -> list[BenchConfig]:
    """Verifier alone; fixed draft lengths 1, 2, 4, 8; adaptive; n-gram alone; suffix alone; fastest.

    Without a draft model only the configurations that need none remain.
    """
    out = [BenchConfig(PLAIN, DraftConfig(draft_max=0), fixed_k=0)]
    out += [
        BenchConfig(fixed_name(k), DraftConfig(draft_max=k), fixed_k=k, needs_draft_model=True)
        for k in FIXED_LENGTHS
    ]
    out += [
        BenchConfig(ADAPTIVE, DraftConfig(draft_max=4, policy=DraftPolicy.ADAPTIVE), needs_draft_model=True),
        BenchConfig(NGRAM, DraftConfig(draft_max=4, ngram=True, model=False)),
        BenchConfig(SUFFIX, DraftConfig(draft_max=8, suffix=True, model=False)),
        # Suffix drafting covers what prompt lookup finds, judged by its own record at no cost.
        BenchConfig(FASTEST, DraftConfig(draft_max=8, mode=Mode.FASTEST, suffix=True, model=True)),
    ]
    return [c for c in out if has_draft or not c.needs_draft_model]


def model_free(c: BenchConfig) -> bool:
    """Drafts without any model (prompt lookup, suffix): the rivals of llama.cpp's n-gram types."""
    return c.fixed_k != 0 and not c.draft.model and (c.draft.ngram or c.draft.suffix)


def rotated(items: list[str], i: int) -> list[str]:
    """`items` started at position i (mod len): each prompt runs the contestants in a new order,
    so slow drift on a busy machine does not always hit the same one."""
    if not items:
        return []
    s = i % len(items)
    return items[s:] + items[:s]
