"""The immutable events the engine yields: one `StepEvent` per speculative step."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Source(enum.Enum):
    """Who decided a piece of the reply."""

    ACCEPTED = "accepted"  # proposed by the draft, accepted by the verifier
    VERIFIER = "verifier"  # produced by the verifier itself (correction or bonus)


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a drafted run came from when it was not this conversation: a past reply."""

    title: str  # the conversation's title
    when: float  # when the reply was written, seconds since the epoch


@dataclass(frozen=True, slots=True)
class Piece:
    """Text credited to one token; `text` may be empty while a character is incomplete."""

    token: int
    text: str
    source: Source


@dataclass(frozen=True, slots=True)
class StepTimings:
    """Wall-clock seconds of one step: inside the draft model's decode calls, inside the
    verifier's, and everything else (Python: drafting logic, accept rule, text)."""

    draft_s: float = 0.0
    verify_s: float = 0.0
    other_s: float = 0.0
    draft_tokens: int = 0  # tokens the draft model evaluated (its catch-up included)

    @property
    def total_s(self) -> float:
        return self.draft_s + self.verify_s + self.other_s


class DecisionKind(enum.Enum):
    """Why the fastest mode drafted what it did in a step."""

    PLAIN = "plain"  # no drafter was predicted to pay
    EXPLOIT = "exploit"  # predicted to pay at the estimated acceptance
    PROBE = "probe"  # tried to learn a drafter's acceptance: the expected gain pays for it


@dataclass(frozen=True, slots=True)
class Decision:
    """Why a step drafted what it did (the fastest mode's prediction), for the step log.

    Seconds are the schedule's predictions, scaled to the machine's current speed.
    """

    kind: DecisionKind
    drafter: str = ""
    k: int = 0
    alpha: float = 0.0  # the acceptance the prediction assumed
    predicted_s: float = 0.0  # predicted wall time of the step, catch-up included
    predicted_tokens: float = 1.0
    plain_s: float = 0.0  # predicted seconds of one plain token
    catch_up: int = 0  # tokens the drafter had to read first (its lazy prefill)
    verify_scale: float = 1.0
    draft_scale: float = 1.0

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind.value,
            "drafter": self.drafter,
            "k": self.k,
            "alpha": round(self.alpha, 4),
            "predicted_s": round(self.predicted_s, 6),
            "predicted_tokens": round(self.predicted_tokens, 4),
            "plain_s": round(self.plain_s, 6),
            "catch_up": self.catch_up,
            "verify_scale": round(self.verify_scale, 4),
            "draft_scale": round(self.draft_scale, 4),
        }


@dataclass(frozen=True, slots=True)
class StepEvent:
    """One speculative step: the accepted draft prefix plus exactly one verifier token.

    `drafted` is everything the draft proposed, `accepted` its prefix the verifier kept,
    `rejected` the rest. `verifier` is the token the verifier produced at the first
    rejected position, or the bonus token after a fully accepted draft. Plain decoding
    yields the same event with nothing drafted.
    """

    index: int
    drafted: tuple[int, ...]
    accepted: tuple[int, ...]
    rejected: tuple[int, ...]
    verifier: int
    pieces: tuple[Piece, ...]
    drafted_text: tuple[str, ...] = ()
    rejected_text: tuple[str, ...] = ()
    # Probability the verifier gave each drafted token and its own token (sampling only).
    verifier_probs: tuple[float, ...] = ()
    # Probability the draft gave each drafted token the accept rule looked at (sampling only).
    draft_probs: tuple[float, ...] = ()
    timings: StepTimings = field(default_factory=StepTimings)
    finish_reason: str | None = None  # "stop", "length", "context", "cancelled" on the last step
    drafter: str = ""  # who proposed the drafts: "draft model", "n-gram", or "" (none)
    verifier_text: str = ""  # the verifier token's own text (pieces credit text per character)
    decision: Decision | None = None  # the fastest mode's prediction for this step
    origin: Origin | None = None  # the past reply the drafts were followed from (history drafting)

    @property
    def text(self) -> str:
        return "".join(p.text for p in self.pieces)

    @property
    def n_tokens(self) -> int:
        return len(self.accepted) + 1


@dataclass(frozen=True, slots=True)
class GenerationStats:
    """Running totals over the steps of one reply."""

    steps: int = 0
    drafted: int = 0
    accepted: int = 0
    tokens: int = 0
    prompt_tokens: int = 0
    prefilled_tokens: int = 0  # prompt tokens that were not already in the caches
    prefill_s: float = 0.0
    draft_s: float = 0.0
    verify_s: float = 0.0
    other_s: float = 0.0

    @property
    def acceptance(self) -> float:
        return self.accepted / self.drafted if self.drafted else 0.0

    @property
    def tokens_per_step(self) -> float:
        return self.tokens / self.steps if self.steps else 0.0

    @property
    def generation_s(self) -> float:
        return self.draft_s + self.verify_s + self.other_s

    @property
    def tokens_per_s(self) -> float:
        return self.tokens / self.generation_s if self.generation_s > 0 else 0.0

    def add(self, step: StepEvent) -> GenerationStats:
        """Return new totals that include `step`."""
        t = step.timings
        return GenerationStats(
            steps=self.steps + 1,
            drafted=self.drafted + len(step.drafted),
            accepted=self.accepted + len(step.accepted),
            tokens=self.tokens + step.n_tokens,
            prompt_tokens=self.prompt_tokens,
            prefilled_tokens=self.prefilled_tokens,
            prefill_s=self.prefill_s,
            draft_s=self.draft_s + t.draft_s,
            verify_s=self.verify_s + t.verify_s,
            other_s=self.other_s + t.other_s,
        )

    def as_dict(self) -> dict[str, float | int]:
        """Plain numbers for JSON output."""
        return {
            "steps": self.steps,
            "drafted": self.drafted,
            "accepted": self.accepted,
            "tokens": self.tokens,
            "acceptance": round(self.acceptance, 4),
            "tokens_per_step": round(self.tokens_per_step, 4),
            "tokens_per_s": round(self.tokens_per_s, 3),
            "prompt_tokens": self.prompt_tokens,
            "prefilled_tokens": self.prefilled_tokens,
            "prefill_s": round(self.prefill_s, 4),
            "draft_s": round(self.draft_s, 4),
            "verify_s": round(self.verify_s, 4),
            "other_s": round(self.other_s, 4),
        }
