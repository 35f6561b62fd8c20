"""The bridge between the widgets and the worker: state, conversations and their storage.

Lives on the GUI thread. It owns the worker's QThread (the worker is moved there before any
connection), turns user actions into `*_requested` signals, and applies the worker's results
to the conversation model and the store. Only this object mutates either.

A store write that fails (disk full) never stops the conversation: the store keeps it queued,
the window hears `save_failed` once, and `saved` when a later write or `retry_save` got it in.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QObject, QThread, QTimer, Signal, Slot

from desktop.engine.calibration import Drift
from desktop.engine.config import GenerationConfig
from desktop.engine.events import FinishReason, StepEvent
from desktop.qt.conversation import ConversationModel
from desktop.qt.edits import ConversationEdits
from desktop.qt.payloads import (
    BaselineDrift,
    CheckRequest,
    CheckResult,
    Failure,
    FetchProgress,
    FetchRequest,
    GenerateRequest,
    LoadProgress,
    LoadRequest,
    PairInfo,
    ReplyFailed,
    ReplyFinished,
    ReplyStarted,
    StepReady,
)
from desktop.qt.state import UiState
from desktop.qt.worker import PairWorker
from desktop.store.db import Store
from desktop.store.records import DONE, STOPPED, STREAMING, ChatMessage, title_from

SAVE_INTERVAL_MS = 500  # a crash loses at most this much of a streaming reply


class ChatController(QObject):
    """User actions in, model and store updates out; never blocks the GUI thread."""

    # In: to the worker.
    load_requested = Signal(object)
    generate_requested = Signal(object)
    check_requested = Signal(object)
    fetch_requested = Signal(object)
    unload_requested = Signal()
    measure_requested = Signal()
    # Out: to the widgets.
    state_changed = Signal(object)  # UiState
    load_progressed = Signal(object)  # LoadProgress
    pair_loaded = Signal(object)  # PairInfo
    failed = Signal(object)  # Failure, shown in a banner
    reply_started = Signal(object)  # ReplyStarted
    stats_changed = Signal(object)  # StepReady (stats and the step)
    reply_finished = Signal(object)  # ReplyFinished
    files_checked = Signal(object)  # CheckResult
    fetch_progressed = Signal(object)  # FetchProgress
    fetch_finished = Signal(str)
    conversations_changed = Signal()
    save_failed = Signal(str)  # one line: what failed and what to do
    saved = Signal()  # everything that failed to save is saved now
    baseline_changed = Signal(object)  # PairInfo with the verifier-alone speed measured again
    baseline_drifted = Signal(object)  # BaselineDrift of the current reply

    def __init__(self, store: Store, worker: PairWorker, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.conversation = ConversationModel(self)
        self.generation = GenerationConfig()
        self.pair: PairInfo | None = None
        self.state = UiState.EMPTY
        self._request: GenerateRequest | None = None
        self._load: LoadRequest | None = None
        self._fetch: FetchRequest | None = None
        self._reply_baseline = 0.0  # the verifier-alone tokens/s when the current reply started
        self._measure_after_reply = False  # the reply showed the calibration was taken under load
        self._step_base = 0  # steps the reply already had (Continue numbers the new ones after them)
        self.edits = ConversationEdits(self)
        self._unsaved: list[StepEvent] = []
        self._save_failure: str | None = None  # the failure the window was last told about
        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(SAVE_INTERVAL_MS)
        self._save_timer.timeout.connect(self._save_steps)

        self.worker_thread = QThread(self)
        self.worker_thread.setObjectName("tandem-worker")
        self.worker = worker
        worker.moveToThread(self.worker_thread)  # before any connection
        self.load_requested.connect(worker.load)
        self.generate_requested.connect(worker.generate)
        self.check_requested.connect(worker.check)
        self.fetch_requested.connect(worker.fetch)
        self.unload_requested.connect(worker.unload)
        self.measure_requested.connect(worker.remeasure)
        worker.load_progressed.connect(self._on_load_progressed)
        worker.models_loaded.connect(self._on_models_loaded)
        worker.load_failed.connect(self._on_load_failed)
        worker.load_cancelled.connect(self._on_load_cancelled)
        worker.generation_started.connect(self._on_generation_started)
        worker.step_ready.connect(self._on_step_ready)
        worker.generation_finished.connect(self._on_generation_finished)
        worker.generation_failed.connect(self._on_generation_failed)
        worker.files_checked.connect(self._on_files_checked)
        worker.fetch_progressed.connect(self._on_fetch_progressed)
        worker.fetch_finished.connect(self._on_fetch_finished)
        worker.fetch_failed.connect(self._on_fetch_failed)
        worker.baseline_measured.connect(self._on_baseline_measured)
        worker.baseline_drifted.connect(self._on_baseline_drifted)
        self.worker_thread.start()

    def shutdown(self) -> None:
        """Stop whatever runs, save what streamed, and end the worker thread."""
        self.cancel_load()
        if self._request is not None:
            self._request.cancel.set()
        if self._fetch is not None:
            self._fetch.cancel.set()
        self.worker_thread.quit()
        self.worker_thread.wait()
        self.worker.unload()  # its thread has ended, so calling it here is safe
        self._save_steps()
        if self._request is not None:  # the worker ended before its finish signal was delivered
            self.store.finish_message(self._request.reply_id, STOPPED, FinishReason.CANCELLED, None)
            self._request = None
        self.store.flush()

    def retry_save(self) -> None:
        """Try the writes that failed again (the notice's Retry save)."""
        if not self.store.flush():
            self._save_failure = None  # a retry that fails again is said again
        self.report_saving()

    def report_saving(self) -> None:
        """Tell the window when saving starts failing, or works again."""
        failure = self.store.failure
        if failure is not None and failure != self._save_failure:
            self.save_failed.emit(failure)
        elif failure is None and self._save_failure is not None:
            self.saved.emit()
        self._save_failure = failure

    def _set_state(self, state: UiState) -> None:
        if state is not self.state:
            self.state = state
            self.state_changed.emit(state)

    # -- models -------------------------------------------------------------------------

    def load_pair(self, request: LoadRequest) -> None:
        """Load a pair in the background; stops a streaming reply first."""
        if not self.state.can_change_pair:
            return
        self.stop()
        self.pair = None
        self._load = request
        self._set_state(UiState.LOADING)
        self.load_requested.emit(request)

    def cancel_load(self) -> None:
        """Abort a load in progress (the window is closing); the worker answers `load_cancelled`."""
        if self._load is not None:
            self._load.cancel.set()

    def check_files(self, verifier: str, draft: str) -> None:
        self.check_requested.emit(CheckRequest(verifier, draft))

    def fetch_pair(self, name: str) -> None:
        if not self.state.can_change_pair or self.state.busy:
            return
        self._fetch = FetchRequest(name)
        self._set_state(UiState.FETCHING)
        self.fetch_requested.emit(self._fetch)

    def measure_again(self) -> bool:
        """Time the verifier again for the speed-up's baseline; False unless idle with a pair."""
        if self.pair is None or not self.state.can_send:
            return False
        self._set_state(UiState.MEASURING)
        self.measure_requested.emit()
        return True

    @Slot(float)
    def _on_baseline_measured(self, tps: float) -> None:
        if self.pair is not None:
            self.pair = replace(self.pair, verifier_alone_tps=tps)
        self._set_state(UiState.IDLE)
        self.baseline_changed.emit(self.pair)

    @Slot(object)
    def _on_baseline_drifted(self, drifted: BaselineDrift) -> None:
        if not self._current(drifted.reply_id):
            return
        self._measure_after_reply = drifted.check.drift is Drift.STALE
        self.baseline_drifted.emit(drifted)

    @Slot(object)
    def _on_load_progressed(self, progress: LoadProgress) -> None:
        self.load_progressed.emit(progress)

    @Slot(object)
    def _on_models_loaded(self, info: PairInfo) -> None:
        self._load = None
        self.pair = info
        self._set_state(UiState.IDLE)
        self.pair_loaded.emit(info)

    @Slot(object)
    def _on_load_failed(self, failure: Failure) -> None:
        self._load = None
        self._set_state(UiState.ERROR)
        self.failed.emit(failure)

    @Slot()
    def _on_load_cancelled(self) -> None:
        """Not a failure: whoever cancelled it (closing the window) needs no banner."""
        self._load = None
        self._set_state(UiState.EMPTY)

    @Slot(object)
    def _on_files_checked(self, result: CheckResult) -> None:
        self.files_checked.emit(result)

    @Slot(object)
    def _on_fetch_progressed(self, progress: FetchProgress) -> None:
        self.fetch_progressed.emit(progress)

    @Slot(str)
    def _on_fetch_finished(self, name: str) -> None:
        self._fetch = None
        self._set_state(UiState.EMPTY)
        self.fetch_finished.emit(name)

    @Slot(object)
    def _on_fetch_failed(self, failure: Failure) -> None:
        self._fetch = None
        self._set_state(UiState.EMPTY)
        self.failed.emit(failure)

    # -- conversations ------------------------------------------------------------------

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

    def rename_conversation(self, cid: int, title: str) -> None:
        title = title.strip()
        if title:
            self.store.rename(cid, title)
            if cid == self.conversation.conversation_id:
                self.conversation.title = title
            self.report_saving()
        self.conversations_changed.emit()

    def delete_conversation(self, cid: int) -> None:
        """Soft delete: `undelete_conversation` can bring it back."""
        if self.state.busy and cid == self.conversation.conversation_id:
            return
        self.store.delete(cid)
        if cid == self.conversation.conversation_id:
            self.conversation.load(None, "", [])
        self.report_saving()
        self.conversations_changed.emit()

    def undelete_conversation(self, cid: int) -> None:
        self.store.undelete(cid)
        self.report_saving()
        self.conversations_changed.emit()

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
            self._set_state(UiState.STOPPING)

    def start_reply(self, variant_of: tuple[int, ...] = (), continuing: ChatMessage | None = None) -> None:
        """Start a reply to the conversation: a new one (a variant of `variant_of`, when given),
        or more of the last one (`continuing`)."""
        cid = self.conversation.conversation_id
        assert cid is not None
        history = self.conversation.history()
        self._reply_baseline = self.pair.verifier_alone_tps if self.pair else 0.0
        self._measure_after_reply = False
        if continuing is not None:
            reply = continuing
            self._step_base = len(reply.steps)
            self.store.reopen_message(reply.id)
            self.conversation.resume()
        else:
            label = self.pair.label if self.pair else ""
            reply = self.store.add_message(cid, "assistant", "", STREAMING, label, variant_of)
            self._step_base = 0
            self.conversation.add(reply)
        self._request = GenerateRequest(reply.id, history, self.generation, continuing=continuing is not None)
        self._set_state(UiState.GENERATING)
        self.generate_requested.emit(self._request)
        self.report_saving()

    def _current(self, reply_id: int) -> bool:
        return self._request is not None and self._request.reply_id == reply_id

    @Slot(object)
    def _on_generation_started(self, started: ReplyStarted) -> None:
        if self._current(started.reply_id):
            self.reply_started.emit(started)

    @Slot(object)
    def _on_step_ready(self, ready: StepReady) -> None:
        if not self._current(ready.reply_id):
            return
        step = ready.step  # Continue numbers its steps after the ones the reply had
        if self._step_base:
            step = replace(step, index=step.index + self._step_base)
        self.conversation.add_step(step)
        self._unsaved.append(step)
        if not self._save_timer.isActive():
            self._save_timer.start()
        self.stats_changed.emit(ready)

    @Slot()
    def _save_steps(self) -> None:
        if self._request is not None and self._unsaved:
            self.store.append_steps(self._request.reply_id, self._unsaved)
            self.report_saving()
        self._unsaved = []

    @Slot(object)
    def _on_generation_finished(self, finished: ReplyFinished) -> None:
        if not self._current(finished.reply_id):
            return
        self._save_steps()
        status = STOPPED if finished.finish_reason is FinishReason.CANCELLED else DONE
        baseline = self._reply_baseline
        self.store.finish_message(finished.reply_id, status, finished.finish_reason, finished.stats, baseline)
        self.conversation.finish_reply(status, finished.finish_reason, finished.stats, baseline)
        self._request = None
        self._set_state(UiState.IDLE)
        self.report_saving()
        self.reply_finished.emit(finished)
        self.conversations_changed.emit()
        if self._measure_after_reply:  # the cached baseline was taken under load: replace it
            self._measure_after_reply = False
            self.measure_again()

    @Slot(object)
    def _on_generation_failed(self, failed: ReplyFailed) -> None:
        if not self._current(failed.reply_id):
            return
        self._save_steps()
        messages = self.conversation.messages()
        if messages and messages[-1].steps:
            self.store.finish_message(failed.reply_id, STOPPED, FinishReason.ERROR, None)
            self.conversation.finish_reply(STOPPED, FinishReason.ERROR, None)
        else:  # nothing was produced: the error is the whole story, not an empty reply
            self.edits.drop_failed_reply(messages[-1])
        self._request = None
        self._set_state(UiState.IDLE)
        self.report_saving()
        self.failed.emit(failed.failure)
