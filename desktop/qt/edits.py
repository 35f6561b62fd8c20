"""Edits of the open conversation beyond sending: its system prompt, reply variants, editing
or deleting any message, and continuing a reply cut at the token limit.

Each edit changes the conversation model and the store together, on the GUI thread, through
the chat that owns both; a new reply is started by the chat.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, cast

from desktop.engine.events import FinishReason
from desktop.store.records import DONE, STREAMING, ChatMessage

if TYPE_CHECKING:
    from desktop.qt.chat import Chat


class ConversationEdits:
    """What the message actions and the system prompt box ask of the open conversation."""

    def __init__(self, chat: Chat) -> None:
        # A weak reference: a cycle would leave the chat to the garbage collector, which
        # may run on the worker thread, and Qt objects must not be destroyed there.
        self._c = cast("Chat", weakref.proxy(chat))

    def _index(self, mid: int) -> int | None:
        messages = self._c.conversation.messages()
        return next((i for i, m in enumerate(messages) if m.id == mid), None)

    def set_system_prompt(self, text: str) -> None:
        """Use `text` for this conversation's replies from now on (saved with it)."""
        conversation = self._c.conversation
        if text == conversation.system_prompt:
            return
        conversation.system_prompt = text
        if conversation.conversation_id is not None:
            self._c.store.set_system_prompt(conversation.conversation_id, text)
            self._c.saving.report()

    def regenerate(self) -> bool:
        """Write the last reply again; the earlier one stays as a variant to flip back to."""
        c = self._c
        messages = c.conversation.messages()
        if not c.state.can_send or not messages or messages[-1].role != "assistant":
            return False
        last = messages[-1]
        c.conversation.truncate(len(messages) - 1)
        c.start_reply(variant_of=last.variants or (last.id,))
        return True

    def show_variant(self, mid: int, delta: int) -> bool:
        """Flip the reply `mid` to its previous (-1) or next (+1) variant."""
        c = self._c
        index = self._index(mid)
        if index is None or not c.state.can_send:
            return False
        current = c.conversation.messages()[index]
        target = current.variant_index + delta
        if not current.variants or not 0 <= target < len(current.variants):
            return False
        shown = c.store.message(current.variants[target])
        if shown is None:
            return False
        c.store.show_variant(current.variants[0], shown.id)
        c.conversation.replace(index, shown)  # its reset tells the window what Regenerate applies to
        c.saving.report()
        return True

    def edit_message(self, mid: int, text: str) -> bool:
        """Replace a user message with `text`, drop everything after it, and reply again."""
        c = self._c
        text = text.strip()
        index = self._index(mid)
        messages = c.conversation.messages()
        if not text or index is None or messages[index].role != "user" or not c.state.can_send:
            return False
        cid = c.conversation.conversation_id
        assert cid is not None
        self._forget(c.conversation.truncate(index))
        c.conversation.add(c.store.add_message(cid, "user", text, DONE))
        c.start_reply()
        return True

    def delete_message(self, mid: int) -> bool:
        """Delete one message (a reply with all its variants)."""
        c = self._c
        index = self._index(mid)
        if index is None or not c.state.can_send:
            return False
        self._forget([c.conversation.remove(index)])
        c.conversations_changed.emit()
        return True

    def continue_reply(self) -> bool:
        """Extend the last reply where the token limit cut it."""
        c = self._c
        messages = c.conversation.messages()
        if not c.state.can_send or not messages or not can_continue(messages[-1]):
            return False
        c.start_reply(continuing=messages[-1])
        return True

    def drop_failed_reply(self, reply: ChatMessage) -> None:
        """A reply that failed before its first step is removed; a variant it replaced returns."""
        c = self._c
        c.conversation.truncate(len(c.conversation.messages()) - 1)
        c.store.remove_messages([reply.id])
        earlier = [v for v in reply.variants if v != reply.id]
        back = c.store.message(earlier[-1]) if earlier else None
        if back is not None:
            c.store.show_variant(reply.variants[0], back.id)
            c.conversation.add(back)

    def _forget(self, removed: list[ChatMessage]) -> None:
        ids = {i for m in removed for i in (m.id, *m.variants)}
        self._c.store.remove_messages(sorted(ids))
        self._c.saving.report()


def can_continue(message: ChatMessage) -> bool:
    """A finished reply that stopped at the token limit can be continued."""
    return (
        message.role == "assistant"
        and message.status != STREAMING
        and message.finish_reason is FinishReason.LENGTH
    )
