"""The open conversation: a model of messages whose tokens carry their source.

Only the GUI thread mutates it; the chat view is a projection that listens to its signals
and can be rebuilt from `messages()` at any time.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QObject, Signal

from desktop.engine.chat import Message
from desktop.engine.events import FinishReason, GenerationStats, StepEvent
from desktop.store.records import STREAMING, ChatMessage, MessageStatus, reply_text


class ConversationModel(QObject):
    """Messages of one conversation plus the reply that is streaming, if any."""

    reset = Signal()  # everything changed: rebuild
    message_added = Signal(object)  # ChatMessage
    step_added = Signal(object)  # StepEvent of the live reply
    reply_finished = Signal(object)  # the finished ChatMessage

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.conversation_id: int | None = None
        self.title = ""
        self.system_prompt = ""  # sent first with every reply of this conversation
        self._messages: list[ChatMessage] = []
        self._live: list[StepEvent] | None = None  # steps of the streaming reply (last message)

    def load(
        self, conversation_id: int | None, title: str, messages: list[ChatMessage], system_prompt: str = ""
    ) -> None:
        self.conversation_id = conversation_id
        self.title = title
        self.system_prompt = system_prompt
        self._messages = list(messages)
        self._live = None
        self.reset.emit()

    def messages(self) -> tuple[ChatMessage, ...]:
        """All messages; a streaming reply appears with the steps it has so far."""
        if self._live is None or not self._messages:
            return tuple(self._messages)
        live = self._messages[-1]
        snapshot = replace(live, steps=tuple(self._live), content=reply_text(self._live))
        return (*self._messages[:-1], snapshot)

    def message(self, mid: int) -> ChatMessage | None:
        return next((m for m in self.messages() if m.id == mid), None)

    @property
    def streaming(self) -> bool:
        return self._live is not None

    def history(self) -> tuple[Message, ...]:
        """What the model is asked to continue: the system prompt, then every message except a
        streaming reply."""
        done = self._messages[:-1] if self._live is not None else self._messages
        system = (Message("system", self.system_prompt),) if self.system_prompt.strip() else ()
        return (*system, *(Message(m.role, m.content) for m in done))

    def replace(self, index: int, message: ChatMessage) -> None:
        """Show `message` in place of the one at `index` (another variant); the view rebuilds."""
        self._messages[index] = message
        self.reset.emit()

    def remove(self, index: int) -> ChatMessage:
        """Take one message out; the view rebuilds."""
        removed = self._messages.pop(index)
        self.reset.emit()
        return removed

    def resume(self) -> None:
        """Stream more steps into the last reply (Continue), after the ones it has."""
        last = self._messages[-1]
        self._messages[-1] = replace(last, status=STREAMING)
        self._live = list(last.steps)
        self.reset.emit()

    def add(self, message: ChatMessage) -> None:
        self._messages.append(message)
        if message.status == STREAMING:
            self._live = []
        self.message_added.emit(message)

    def add_step(self, step: StepEvent) -> None:
        if self._live is None:
            raise RuntimeError("no reply is streaming")
        self._live.append(step)
        self.step_added.emit(step)

    def finish_reply(
        self,
        status: MessageStatus,
        finish_reason: FinishReason | None,
        stats: GenerationStats | None,
        verifier_alone_tps: float = 0.0,
    ) -> None:
        if self._live is None:
            return
        last = self._messages[-1]
        done = replace(
            last,
            steps=tuple(self._live),
            content=reply_text(self._live),
            status=status,
            finish_reason=finish_reason,
            stats=stats,
            verifier_alone_tps=verifier_alone_tps,
        )
        self._messages[-1] = done
        self._live = None
        self.reply_finished.emit(done)

    def truncate(self, count: int) -> list[ChatMessage]:
        """Keep the first `count` messages; return the removed ones."""
        removed = self._messages[count:]
        del self._messages[count:]
        self._live = None
        self.reset.emit()
        return removed
