"""A conversation as a file: Markdown to read or share, JSON to import back with every step.

The JSON keeps each reply's step structure (what the draft proposed, what the verifier
accepted and rejected, its own token), so an imported conversation highlights as it did.
Pure functions, no Qt: the window only picks the file.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

from desktop.engine.events import GenerationStats, Piece, Source, StepEvent, StepTimings
from desktop.store.db import Store
from desktop.store.records import (
    DONE,
    STREAMING,
    UNKNOWN_TOKEN,
    ChatMessage,
    ConversationInfo,
    finish_reason_from,
    status_from,
)

FORMAT = "tandem-conversation"
VERSION = 1


class NotAConversationError(ValueError):
    """The file is not a conversation Tandem exported; the message says why, in one line."""


@dataclass(frozen=True, slots=True)
class Exported:
    """What a conversation file holds."""

    title: str
    system_prompt: str
    messages: tuple[ChatMessage, ...]


def to_markdown(title: str, system_prompt: str, messages: Sequence[ChatMessage]) -> str:
    """The conversation as Markdown: a heading per message, replies as they were written."""
    out = [f"# {title or 'Conversation'}", ""]
    if system_prompt.strip():
        out += ["**System prompt:**", "", *(f"> {line}" for line in system_prompt.splitlines()), ""]
    for m in messages:
        who = "You" if m.role == "user" else "Assistant"
        extra = f" ({m.pair})" if m.role == "assistant" and m.pair else ""
        out += [f"## {who}{extra}", "", m.content, ""]
    return "\n".join(out)


def _step(s: StepEvent) -> dict[str, Any]:
    return {
        "index": s.index,
        "drafted": list(s.drafted_text),
        "accepted": [p.text for p in s.pieces if p.source is Source.ACCEPTED],
        "rejected": list(s.rejected_text),
        "verifier": s.verifier_text,
        "tokens": [{"text": p.text, "source": p.source.value} for p in s.pieces],
        "verifier_probs": list(s.verifier_probs),
        "draft_probs": list(s.draft_probs),
        "seconds": s.timings.total_s,
        "drafter": s.drafter,
        # Token ids (meaningful with the same pair) and the time's parts; version 1 files lack them.
        "ids": {
            "tokens": [p.token for p in s.pieces],
            "drafted": list(s.drafted),
            "accepted": len(s.accepted),
            "verifier": s.verifier,
        },
        "timings": {f.name: getattr(s.timings, f.name) for f in fields(StepTimings)},
        "finish_reason": s.finish_reason.value if s.finish_reason else None,
    }


def _message(m: ChatMessage) -> dict[str, Any]:
    out: dict[str, Any] = {"role": m.role, "content": m.content}
    if m.role == "assistant":
        stats = {f.name: getattr(m.stats, f.name) for f in fields(GenerationStats)} if m.stats else None
        out |= {
            "status": m.status.value,
            "finish_reason": m.finish_reason.value if m.finish_reason else None,
            "pair": m.pair,
            "stats": stats,
            "verifier_alone_tps": m.verifier_alone_tps,
            "steps": [_step(s) for s in m.steps],
        }
    return out


def to_json(title: str, system_prompt: str, messages: Sequence[ChatMessage]) -> str:
    """The conversation with every reply's steps, for `from_json`."""
    doc = {
        "format": FORMAT,
        "version": VERSION,
        "title": title,
        "system_prompt": system_prompt,
        "messages": [_message(m) for m in messages if m.status != STREAMING],
    }
    return json.dumps(doc, ensure_ascii=False, indent=1)


def from_json(text: str) -> Exported:
    """Read a file `to_json` wrote; `NotAConversationError` says what is wrong with any other."""
    try:
        doc = json.loads(text)
    except ValueError as e:
        raise NotAConversationError(f"the file is not JSON ({e})") from e
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise NotAConversationError("the file is JSON but not a conversation Tandem exported")
    if doc.get("version", 0) > VERSION:
        raise NotAConversationError("the file comes from a newer Tandem; update Tandem to import it")
    try:
        messages = tuple(_read_message(i, m) for i, m in enumerate(doc["messages"]))
        return Exported(str(doc.get("title", "")), str(doc.get("system_prompt", "")), messages)
    except (KeyError, TypeError, ValueError) as e:
        raise NotAConversationError(f"the conversation file is damaged ({type(e).__name__}: {e})") from e


def _read_step(d: dict[str, Any]) -> StepEvent:
    drafted_text, rejected = tuple(map(str, d["drafted"])), tuple(map(str, d["rejected"]))
    texts = [(str(t["text"]), Source(t["source"])) for t in d["tokens"]]
    ids = d.get("ids") or {}
    drafted = tuple(map(int, ids.get("drafted", (UNKNOWN_TOKEN,) * len(drafted_text))))
    n_accepted = int(ids.get("accepted", len(drafted_text) - len(rejected)))
    tokens = ids.get("tokens", (UNKNOWN_TOKEN,) * len(texts))
    timings = d.get("timings")
    return StepEvent(
        index=int(d["index"]),
        drafted=drafted,
        accepted=drafted[:n_accepted],
        rejected=drafted[n_accepted:],
        verifier=int(ids.get("verifier", UNKNOWN_TOKEN)),
        pieces=tuple(Piece(int(i), t, s) for i, (t, s) in zip(tokens, texts, strict=True)),
        drafted_text=drafted_text,
        rejected_text=rejected,
        verifier_probs=tuple(map(float, d.get("verifier_probs", ()))),
        draft_probs=tuple(map(float, d.get("draft_probs", ()))),
        timings=StepTimings(**timings) if timings else StepTimings(other_s=float(d.get("seconds", 0.0))),
        finish_reason=finish_reason_from(d.get("finish_reason")),
        drafter=str(d.get("drafter", "")),
        verifier_text=str(d["verifier"]),
    )


def _read_message(i: int, d: dict[str, Any]) -> ChatMessage:
    role = d["role"]
    if role not in ("user", "assistant"):
        raise ValueError(f"message {i + 1} has the role {role!r}")
    if role == "user":
        return ChatMessage(0, role, str(d["content"]))
    stats = d.get("stats")
    return ChatMessage(
        0,
        role,
        str(d["content"]),
        tuple(_read_step(s) for s in d.get("steps", ())),
        status_from(str(d.get("status", DONE.value))),
        finish_reason_from(d.get("finish_reason")),
        GenerationStats(**stats) if stats else None,
        str(d.get("pair", "")),
        float(d.get("verifier_alone_tps", 0.0)),
    )


def import_into(store: Store, exported: Exported) -> ConversationInfo:
    """Add an exported conversation to `store` as a new conversation."""
    info = store.create(exported.title or "Imported conversation", exported.system_prompt)
    for m in exported.messages:
        if m.role == "user" or not m.steps:
            saved = store.add_message(info.id, m.role, m.content, m.status, m.pair)
        else:  # the reply's text is its steps' text
            saved = store.add_message(info.id, m.role, "", STREAMING, m.pair)
            store.append_steps(saved.id, m.steps)
        if m.role == "assistant":
            store.finish_message(saved.id, m.status, m.finish_reason, m.stats, m.verifier_alone_tps)
    return info
