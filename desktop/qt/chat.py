"""The open chat: what the user does to conversations, and each reply streamed into the
conversation model and the store.

Lives on the GUI thread and is the only thing that mutates either. Replies run on the pair
session's worker; this object listens to the worker's reply signals directly and keeps only
those of the reply it started.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QObject, Signal, Slot

from desktop.engine.calibration import Drift
from desktop.engine.events import FinishReason
from desktop.qt.conversation import ConversationModel
from desktop.qt.edits import ConversationEdits
from desktop.qt.payloads import (
    BaselineDrift,
    GenerateRequest,
    ReplyFailed,
    ReplyFinished,
    ReplyStarted,
    StepReady,
)
from desktop.qt.saving import Saving
from desktop.qt.session import PairSession
from desktop.qt.state import UiState
from desktop.store.db import Store
from desktop.store.records import DONE, STOPPED, STREAMING, ChatMessage, ConversationInfo, title_from


class Chat(QObject):
    """Conversations and their replies: user actions in, model and store updates out."""

    reply_started = Signal(object)  # ReplyStarted of this chat's reply
    stats_changed = Signal(object)  # StepReady, once the step is in the conversation
    reply_finished = Signal(object)  # ReplyFinished, once the reply is finished and saved
    failed = Signal(object)  # Failure of a reply, shown in a banner
    baseline_drifted = Signal(object)  # BaselineDrift of the current reply
    conversations_changed = Signal()

    def __init__(self, store: Store, session: PairSession, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.session = session
        self.conversation = ConversationModel(self)
        self.saving = Saving(store, self)
        self.edits = ConversationEdits(self)
        self._request: GenerateRequest | None = None
        self._reply_baseline = 0.0  # the verifier-alone tokens/s when the current reply started
        self._measure_after_reply = False  # the reply showed the calibration was taken under load
        self._step_base = 0  # steps the reply already had (Continue numbers the new ones after them)
        worker = session.worker
        worker.generation_started.connect(self._on_generation_started)
        worker.step_ready.connect(self._on_step_ready)
        worker.generation_finished.connect(self._on_generation_finished)
        worker.generation_failed.connect(self._on_generation_failed)
        worker.baseline_drifted.connect(self._on_baseline_drifted)
        session.load_requested.connect(self._on_load_requested)

    @property
    def state(self) -> UiState:
        return self.session.state

    def shutdown(self) -> None:
        """Save what streamed (after the worker has ended) and mark an unfinished reply stopped."""
        self.saving.save_steps()
        if self._request is not None:  # the worker ended before its finish signal was delivered
            self.store.finish_message(self._request.reply_id, STOPPED, FinishReason.CANCELLED, None)
            self._request = None
        self.store.flush()

    def cancel(self) -> None:
        """Cancel the reply in progress, whatever the state (the window is closing)."""
        if self._request is not None:
            self._request.cancel.set()

    # -- conversations ------------------------------------------------------------------

    def conversations(self, search: str = "") -> list[ConversationInfo]:
        """The sidebar's list, newest first; `search` matches titles and message text."""
        return self.store.conversations(search)

    def new_conversation(self) -> None:
        """An empty conversation; it is stored when its first message is sent."""
        if not self.state.busy:
            self.conversation.load(None, "", [])

    def open_conversation(self, cid: int) -> None:
        if self.state.busy or cid == self.conversation.conversation_id:
            return
        info = self.store.conversation(cid)
        if info is not None:
            self.conversation.load(cid, info.title, self.store.messages(cid), info.system_prompt)

    def open_latest(self) -> None:
        """Open the most recently used conversation (the window starts where the user left)."""
        latest = self.store.conversations("")
        if latest:
            self.open_conversation(latest[0].id)

    def rename_conversation(self, cid: int, title: str) -> None:
        title = title.strip()
        if title:
            self.store.rename(cid, title)
            if cid == self.conversation.conversation_id:
                self.conversation.title = title
            self.saving.report()
        self.conversations_changed.emit()

    def delete_conversation(self, cid: int) -> ConversationInfo | None:
        """Soft delete: `undelete_conversation` can bring it back. Returns what was deleted."""
        if self.state.busy and cid == self.conversation.conversation_id:
            return None
        info = self.store.conversation(cid)
        self.store.delete(cid)
        if cid == self.conversation.conversation_id:
            self.conversation.load(None, "", [])
        self.saving.report()
        self.conversations_changed.emit()
        return info

    def undelete_conversation(self, cid: int) -> None:
        self.store.undelete(cid)
        self.saving.report()
        self.conversations_changed.emit()

    def added(self, info: ConversationInfo) -> None:
        """A conversation was added to the store from outside (an import): list and open it."""
        self.saving.report()
        self.conversations_changed.emit()
        self.open_conversation(info.id)

    # -- replies ------------------------------------------------------------------------

    def send(self, text: str) -> bool:
        """Add a user message and start the reply; False when not ready or empty."""
        text = text.strip()
        if not text or not self.state.can_send:
            return False
        cid = self.conversation.conversation_id
        if cid is None:
            info = self.store.create(title_from(text), self.conversation.system_prompt)
            cid = info.id
            self.conversation.load(cid, info.title, [], info.system_prompt)
        self.conversation.add(self.store.add_message(cid, "user", text, DONE))
        self.start_reply()
        self.conversations_changed.emit()
        return True

    def regenerate(self) -> bool:
        """Write the last reply again, keeping the earlier one as a variant."""
        return self.edits.regenerate()

    def last_user_text(self) -> str | None:
        users = [m for m in self.conversation.messages() if m.role == "user"]
        return users[-1].content if users else None

    def edit_last(self, text: str) -> bool:
        """Replace the last user message (and what followed it) with `text`, and reply again."""
        users = [m for m in self.conversation.messages() if m.role == "user"]
        return bool(users) and self.edits.edit_message(users[-1].id, text)

    def stop(self) -> None:
        """Ask the worker to stop; it finishes within one step."""
        if self._request is not None and self.state is UiState.GENERATING:
            self._request.cancel.set()
            self.session.set_state(UiState.STOPPING)

    def start_reply(self, variant_of: tuple[int, ...] = (), continuing: ChatMessage | None = None) -> None:
        """Start a reply to the conversation: a new one (a variant of `variant_of`, when given),
        or more of the last one (`continuing`)."""
        cid = self.conversation.conversation_id
        assert cid is not None
        history = self.conversation.history()
        pair = self.session.pair
        self._reply_baseline = pair.verifier_alone_tps if pair else 0.0
        self._measure_after_reply = False
        if continuing is not None:
            reply = continuing
            self._step_base = len(reply.steps)
            self.store.reopen_message(reply.id)
            self.conversation.resume()
        else:
            label = pair.label if pair else ""
            reply = self.store.add_message(cid, "assistant", "", STREAMING, label, variant_of)
            self._step_base = 0
            self.conversation.add(reply)
        config = self.session.generation
        self._request = GenerateRequest(reply.id, history, config, continuing=continuing is not None)
        self.session.generate(self._request)
        self.saving.report()

    def _end_reply(self) -> None:
        self._request = None
        if self.state.busy:  # not when a load that stopped the reply has begun
            self.session.set_state(UiState.IDLE)

    def _current(self, reply_id: int) -> bool:
        return self._request is not None and self._request.reply_id == reply_id

    @Slot(object)
    def _on_load_requested(self, _request: object) -> None:
        """Another pair is on its way: the reply on the old one stops."""
        self.cancel()

    @Slot(object)
    def _on_baseline_drifted(self, drifted: BaselineDrift) -> None:
        if not self._current(drifted.reply_id):
            return
        self._measure_after_reply = drifted.check.drift is Drift.STALE
        self.baseline_drifted.emit(drifted)

    @Slot(object)
    def _on_generation_started(self, started: ReplyStarted) -> None:
        if self._current(started.reply_id):
            self.reply_started.emit(started)

    @Slot(object)
    def _on_step_ready(self, ready: StepReady) -> None:
        if not self._current(ready.reply_id):
            return
        step = ready.step  # the engine's own event; Continue numbers it after the reply's steps
        if self._step_base:
            step = replace(step, index=step.index + self._step_base)
        self.conversation.add_step(step)
        self.saving.add_step(ready.reply_id, step)
        self.stats_changed.emit(ready)

    @Slot(object)
    def _on_generation_finished(self, finished: ReplyFinished) -> None:
        if not self._current(finished.reply_id):
            return
        self.saving.save_steps()
        status = STOPPED if finished.finish_reason is FinishReason.CANCELLED else DONE
        baseline = self._reply_baseline
        self.store.finish_message(finished.reply_id, status, finished.finish_reason, finished.stats, baseline)
        self.conversation.finish_reply(status, finished.finish_reason, finished.stats, baseline)
        self._end_reply()
        self.saving.report()
        self.reply_finished.emit(finished)
        self.conversations_changed.emit()
        if self._measure_after_reply:  # the cached baseline was taken under load: replace it
            self._measure_after_reply = False
            self.session.measure_again()

    @Slot(object)
    def _on_generation_failed(self, failed: ReplyFailed) -> None:
        if not self._current(failed.reply_id):
            return
        self.saving.save_steps()
        messages = self.conversation.messages()
        if messages and messages[-1].steps:
            self.store.finish_message(failed.reply_id, STOPPED, FinishReason.ERROR, None)
            self.conversation.finish_reply(STOPPED, FinishReason.ERROR, None)
        else:  # nothing was produced: the error is the whole story, not an empty reply
            self.edits.drop_failed_reply(messages[-1])
        self._end_reply()
        self.saving.report()
        self.failed.emit(failed.failure)
