"""What a conversation is made of: messages, and each reply's steps with the source of every token.

Pure data with no Qt, so the store, the controller and the tests share one vocabulary.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields

from desktop.engine.events import GenerationStats, Origin, Source, StepEvent

# Message status: a reply is "streaming" until it ends; "stopped" when Stop, an error or a
# crash cut it short (the store turns a leftover "streaming" into "stopped" on open).
DONE = "done"
STOPPED = "stopped"
STREAMING = "streaming"


@dataclass(frozen=True, slots=True)
class Token:
    """One token's text in the reply and who decided it (accepted draft token or verifier)."""

    text: str
    source: Source


@dataclass(frozen=True, slots=True)
class Step:
    """One speculative step as the window shows and stores it (token texts, not ids)."""

    index: int
    tokens: tuple[Token, ...]
    drafted: tuple[str, ...] = ()
    rejected: tuple[str, ...] = ()
    verifier: str = ""  # the verifier's own token, even when its text is not complete yet
    probs: tuple[float, ...] = ()  # verifier probability of each drafted token, then its own
    draft_probs: tuple[float, ...] = ()  # the draft's probability of each drafted token judged
    seconds: float = 0.0
    drafter: str = ""  # who proposed `drafted`: "draft model", "n-gram" (prompt lookup), or ""
    origin: Origin | None = None  # the past reply `drafted` was followed from (history drafting)

    @property
    def text(self) -> str:
        return "".join(t.text for t in self.tokens)

    @property
    def n_accepted(self) -> int:
        return sum(1 for t in self.tokens if t.source is Source.ACCEPTED)

    def to_json(self) -> str:
        """Compact JSON for the store."""
        return json.dumps(
            {
                "i": self.index,
                "t": [[t.text, t.source.value] for t in self.tokens],
                "d": list(self.drafted),
                "r": list(self.rejected),
                "v": self.verifier,
                "p": list(self.probs),
                "s": self.seconds,
                **({"dr": self.drafter} if self.drafter else {}),
                **({"q": list(self.draft_probs)} if self.draft_probs else {}),
                **({"o": [self.origin.title, self.origin.when]} if self.origin else {}),
            },
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, text: str) -> Step:
        d = json.loads(text)
        return cls(
            index=d["i"],
            tokens=tuple(Token(t, Source(s)) for t, s in d["t"]),
            drafted=tuple(d["d"]),
            rejected=tuple(d["r"]),
            verifier=d["v"],
            probs=tuple(d["p"]),
            seconds=d["s"],
            drafter=d.get("dr", ""),
            draft_probs=tuple(d.get("q", ())),
            origin=Origin(str(d["o"][0]), float(d["o"][1])) if "o" in d else None,
        )


def step_from_event(event: StepEvent, token_text: Callable[[int], str]) -> Step:
    """The window's view of an engine step; `token_text` spells a token id for tooltips."""
    return Step(
        index=event.index,
        tokens=tuple(Token(p.text, p.source) for p in event.pieces),
        drafted=event.drafted_text,
        rejected=event.rejected_text,
        verifier=event.verifier_text or token_text(event.verifier),
        probs=event.verifier_probs,
        draft_probs=event.draft_probs,
        seconds=event.timings.total_s,
        drafter=event.drafter,
        origin=event.origin,
    )


BASELINE_KEY = "verifier_alone_tps"  # kept beside the stats: what the speed-up was measured against


def stats_to_json(stats: GenerationStats | None, verifier_alone_tps: float = 0.0) -> str | None:
    if stats is None:
        return None
    d: dict[str, float | int] = {f.name: getattr(stats, f.name) for f in fields(GenerationStats)}
    if verifier_alone_tps > 0:
        d[BASELINE_KEY] = verifier_alone_tps
    return json.dumps(d)


def baseline_from_json(text: str | None) -> float:
    """The verifier-alone tokens/s stored with a reply's stats; 0 when it was not measured."""
    if not text:
        return 0.0
    value = json.loads(text).get(BASELINE_KEY, 0.0)
    return float(value) if isinstance(value, int | float) else 0.0


def stats_from_json(text: str | None) -> GenerationStats | None:
    if not text:
        return None
    d = json.loads(text)
    return GenerationStats(**{f.name: d[f.name] for f in fields(GenerationStats) if f.name in d})


@dataclass(frozen=True, slots=True)
class ChatMessage:
    """A user or assistant message; an assistant reply carries its steps and numbers."""

    id: int
    role: str
    content: str
    steps: tuple[Step, ...] = ()
    status: str = DONE
    finish_reason: str | None = None
    stats: GenerationStats | None = None
    pair: str = ""  # which pair wrote the reply
    verifier_alone_tps: float = 0.0  # the pair's measured verifier-alone speed, for the speed-up
    variants: tuple[int, ...] = ()  # ids of every reply this one replaced or was replaced by, in order

    @property
    def variant_index(self) -> int:
        """Which variant this is (0-based); 0 when it has none."""
        return self.variants.index(self.id) if self.id in self.variants else 0


@dataclass(frozen=True, slots=True)
class ConversationInfo:
    """A conversation as the sidebar lists it."""

    id: int
    title: str
    updated: float
    system_prompt: str = ""


def title_from(text: str, limit: int = 48) -> str:
    """A conversation title from its first message: the first line, shortened."""
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "New chat")
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def reply_text(steps: Sequence[Step]) -> str:
    return "".join(s.text for s in steps)
