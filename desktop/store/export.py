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

from desktop.engine.events import GenerationStats, Source
from desktop.store.db import Store
from desktop.store.records import DONE, STREAMING, ChatMessage, ConversationInfo, Step, Token

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


def _step(s: Step) -> dict[str, Any]:
    return {
        "index": s.index,
        "drafted": list(s.drafted),
        "accepted": [t.text for t in s.tokens if t.source is Source.ACCEPTED],
        "rejected": list(s.rejected),
        "verifier": s.verifier,
        "tokens": [{"text": t.text, "source": t.source.value} for t in s.tokens],
        "verifier_probs": list(s.probs),
        "draft_probs": list(s.draft_probs),
        "seconds": s.seconds,
        "drafter": s.drafter,
    }


def _message(m: ChatMessage) -> dict[str, Any]:
    out: dict[str, Any] = {"role": m.role, "content": m.content}
    if m.role == "assistant":
        stats = {f.name: getattr(m.stats, f.name) for f in fields(GenerationStats)} if m.stats else None
        out |= {
            "status": m.status,
            "finish_reason": m.finish_reason,
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


def _read_step(d: dict[str, Any]) -> Step:
    return Step(
        index=int(d["index"]),
        tokens=tuple(Token(str(t["text"]), Source(t["source"])) for t in d["tokens"]),
        drafted=tuple(map(str, d["drafted"])),
        rejected=tuple(map(str, d["rejected"])),
        verifier=str(d["verifier"]),
        probs=tuple(map(float, d.get("verifier_probs", ()))),
        draft_probs=tuple(map(float, d.get("draft_probs", ()))),
        seconds=float(d.get("seconds", 0.0)),
        drafter=str(d.get("drafter", "")),
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
        str(d.get("status", DONE)),
        d.get("finish_reason"),
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
