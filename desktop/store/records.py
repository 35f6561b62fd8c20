"""What a conversation is made of: messages, and each reply's steps as the engine made them.

Pure data with no Qt, so the store, the controller and the tests share one vocabulary. A
reply's steps are the engine's own `StepEvent`s; this module is the store's format layer, the
one place where their enums (and a message's status and finish reason) become strings and back.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

from desktop.engine.events import (
    FinishReason,
    GenerationStats,
    Origin,
    Piece,
    Source,
    StepEvent,
    StepTimings,
)


class MessageStatus(enum.Enum):
    """A reply is streaming until it ends; stopped when Stop, an error or a crash cut it short
    (the store turns a leftover streaming reply into a stopped one on open)."""

    DONE = "done"
    STOPPED = "stopped"
    STREAMING = "streaming"


DONE = MessageStatus.DONE
STOPPED = MessageStatus.STOPPED
STREAMING = MessageStatus.STREAMING

UNKNOWN_TOKEN = -1  # the id of a token in a row saved before ids were kept: only its text is known


def step_to_json(step: StepEvent) -> str:
    """Compact JSON for the store. The keys before "ids" are the first format's, which older
    versions of Tandem still read; the fastest mode's `decision` is for the step log, not kept."""
    t = step.timings
    d: dict[str, Any] = {
        "i": step.index,
        "t": [[p.text, p.source.value] for p in step.pieces],
        "d": list(step.drafted_text),
        "r": list(step.rejected_text),
        "v": step.verifier_text,
        "p": list(step.verifier_probs),
        "s": t.total_s,
        "ids": [[p.token for p in step.pieces], list(step.drafted), len(step.accepted), step.verifier],
        "tm": [t.draft_s, t.verify_s, t.other_s, t.draft_tokens],
    }
    if step.drafter:
        d["dr"] = step.drafter
    if step.draft_probs:
        d["q"] = list(step.draft_probs)
    if step.finish_reason is not None:
        d["f"] = step.finish_reason.value
    if step.origin is not None:
        d["o"] = [step.origin.title, step.origin.when]
    return json.dumps(d, ensure_ascii=False)


def step_from_json(text: str) -> StepEvent:
    """A step `step_to_json` wrote, or a row of the first format (texts only: its token ids
    read as `UNKNOWN_TOKEN` and its time as one total). A row without "o" has no origin."""
    d = json.loads(text)
    texts = [(str(t), Source(s)) for t, s in d["t"]]
    drafted_text, rejected_text = tuple(map(str, d["d"])), tuple(map(str, d["r"]))
    if "ids" in d:
        piece_ids, drafted, n_accepted, verifier = d["ids"]
    else:
        piece_ids = [UNKNOWN_TOKEN] * len(texts)
        drafted = [UNKNOWN_TOKEN] * len(drafted_text)
        n_accepted, verifier = len(drafted_text) - len(rejected_text), UNKNOWN_TOKEN
    timings = StepTimings(*d["tm"]) if "tm" in d else StepTimings(other_s=float(d["s"]))
    return StepEvent(
        index=int(d["i"]),
        drafted=tuple(drafted),
        accepted=tuple(drafted[:n_accepted]),
        rejected=tuple(drafted[n_accepted:]),
        verifier=int(verifier),
        pieces=tuple(Piece(int(i), t, s) for i, (t, s) in zip(piece_ids, texts, strict=True)),
        drafted_text=drafted_text,
        rejected_text=rejected_text,
        verifier_probs=tuple(d["p"]),
        draft_probs=tuple(d.get("q", ())),
        timings=timings,
        finish_reason=FinishReason(d["f"]) if "f" in d else None,
        drafter=str(d.get("dr", "")),
        verifier_text=str(d["v"]),
        origin=Origin(str(d["o"][0]), float(d["o"][1])) if "o" in d else None,
    )


def status_from(text: str) -> MessageStatus:
    """A stored status; one this version does not know reads as done."""
    try:
        return MessageStatus(text)
    except ValueError:
        return DONE


def finish_reason_from(text: str | None) -> FinishReason | None:
    """A stored finish reason; none, or one this version does not know, reads as None."""
    try:
        return FinishReason(text) if text else None
    except ValueError:
        return None


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
    steps: tuple[StepEvent, ...] = ()
    status: MessageStatus = DONE
    finish_reason: FinishReason | None = None
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


def reply_text(steps: Sequence[StepEvent]) -> str:
    return "".join(s.text for s in steps)
