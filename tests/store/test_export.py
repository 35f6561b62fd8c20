"""Export a conversation as Markdown and JSON, and import the JSON back."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from desktop.engine.events import FinishReason, GenerationStats, StepEvent
from desktop.store.db import Store
from desktop.store.export import NotAConversationError, from_json, import_into, to_json, to_markdown
from desktop.store.records import DONE, STREAMING, ChatMessage
from tests.steps import text_step


def step(i: int, accepted: str, verifier: str, rejected: tuple[str, ...] = ()) -> StepEvent:
    probs = (0.9,) * (len(accepted) + len(rejected)) + (0.4,)
    return text_step(i, tuple(accepted), verifier, rejected, verifier_probs=probs, seconds=0.02)


def a_conversation(store: Store) -> int:
    cid = store.create("Greetings", "Be *kind*.\nAnd brief.").id
    store.add_message(cid, "user", "say hi ✓", DONE)
    reply = store.add_message(cid, "assistant", "", STREAMING, pair="tiny")
    store.append_steps(reply.id, [step(0, "He", "l", ("x", "y")), step(1, "lo", "\n"), step(2, "", "```")])
    stats = GenerationStats(steps=3, drafted=6, accepted=4, tokens=7, prompt_tokens=12)
    store.finish_message(reply.id, DONE, FinishReason.LENGTH, stats, verifier_alone_tps=31.5)
    return cid


def test_json_round_trip_keeps_messages_and_steps(tmp_path: Path) -> None:
    store = Store(tmp_path / "c.sqlite3")
    cid = a_conversation(store)
    original = store.messages(cid)
    text = to_json("Greetings", "Be *kind*.\nAnd brief.", original)
    doc = json.loads(text)
    first = doc["messages"][1]["steps"][0]
    assert (first["drafted"], first["accepted"], first["rejected"], first["verifier"]) == (
        ["H", "e", "x", "y"],
        ["H", "e"],
        ["x", "y"],
        "l",
    )

    other = Store(tmp_path / "other.sqlite3")
    info = import_into(other, from_json(text))
    assert info.title == "Greetings" and info.system_prompt == "Be *kind*.\nAnd brief."
    imported = other.messages(info.id)
    assert [replace(m, id=0) for m in imported] == [replace(m, id=0) for m in original]
    assert imported[1].steps == original[1].steps and imported[1].stats == original[1].stats


def test_markdown_has_the_title_system_prompt_and_each_message(tmp_path: Path) -> None:
    store = Store(tmp_path / "c.sqlite3")
    cid = a_conversation(store)
    md = to_markdown("Greetings", "Be *kind*.\nAnd brief.", store.messages(cid))
    assert md.startswith("# Greetings\n")
    assert "> Be *kind*.\n> And brief." in md
    assert "## You\n\nsay hi ✓\n" in md
    assert "## Assistant (tiny)\n\nHello\n```\n" in md


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("not json", "not JSON"),
        ('{"a": 1}', "not a conversation"),
        ('{"format": "tandem-conversation", "version": 99, "messages": []}', "newer Tandem"),
        ('{"format": "tandem-conversation", "messages": [{"role": "robot", "content": ""}]}', "damaged"),
        ('{"format": "tandem-conversation", "messages": [{"role": "assistant"}]}', "damaged"),
    ],
)
def test_a_file_that_is_not_a_conversation_is_refused_in_one_line(text: str, says: str) -> None:
    with pytest.raises(NotAConversationError) as e:
        from_json(text)
    assert says in str(e.value) and "\n" not in str(e.value)


def test_a_streaming_reply_is_not_exported() -> None:
    messages = [ChatMessage(1, "user", "hi"), ChatMessage(2, "assistant", "par", status=STREAMING)]
    assert [m["role"] for m in json.loads(to_json("t", "", messages))["messages"]] == ["user"]
