"""The main window: sidebar, top bar, message view, notices, stats strip and composer.

Widgets enable themselves from the controller's `UiState`; the window only wires signals,
keeps the preferences, and turns typed failures into notices.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QApplication, QMainWindow, QSplitter, QStackedWidget, QVBoxLayout, QWidget

from desktop.engine.errors import TandemError
from desktop.qt.controller import ChatController
from desktop.qt.payloads import (
    MEASURING,
    Failure,
    FailureKind,
    FetchProgress,
    LoadProgress,
    PairInfo,
    StepReady,
)
from desktop.qt.state import UiState
from desktop.store.records import ChatMessage
from desktop.ui import theme as themes
from desktop.ui.chat_view import ChatView
from desktop.ui.composer import Composer
from desktop.ui.first_start import FirstStart
from desktop.ui.formats import ViewOptions
from desktop.ui.notice import Notice
from desktop.ui.pair_dialog import PairDialog
from desktop.ui.preferences import PairChoice, Preferences
from desktop.ui.settings import Settings
from desktop.ui.sidebar import Sidebar
from desktop.ui.stats_strip import StatsStrip
from desktop.ui.topbar import TopBar

STATUS = {
    UiState.EMPTY: "No model pair loaded",
    UiState.FETCHING: "Fetching models…",
    UiState.LOADING: "Loading the models…",
    UiState.IDLE: "Ready",
    UiState.GENERATING: "Writing…",
    UiState.STOPPING: "Stopping after this step…",
    UiState.ERROR: "The model pair did not load",
}


class MainWindow(QMainWindow):
    """Tandem's window; everything it changes goes through the controller."""

    def __init__(
        self, controller: ChatController, settings: Settings, prefs: Preferences, gpu_offload: bool
    ) -> None:
        super().__init__()
        self.setWindowTitle("Tandem")
        self.controller = controller
        self.settings = settings
        self.prefs = prefs
        self.gpu_offload = gpu_offload
        self.dialog: PairDialog | None = None
        self.theme = themes.pick(prefs.theme)

        self.sidebar = Sidebar()
        self.topbar = TopBar()
        self.chat = ChatView(controller.conversation)
        self.notice = Notice()
        self.stats = StatsStrip()
        self.composer = Composer()
        self.first_start = FirstStart()
        self.stack = QStackedWidget()
        self.stack.addWidget(self.chat)
        self.stack.addWidget(self.first_start)
        composer_box = QWidget()
        box = QVBoxLayout(composer_box)
        box.setContentsMargins(16, 8, 16, 12)
        box.addWidget(self.notice)
        box.addWidget(self.composer)
        main = QWidget()
        column = QVBoxLayout(main)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        for w, stretch in ((self.topbar, 0), (self.stack, 1), (composer_box, 0), (self.stats, 0)):
            column.addWidget(w, stretch)
        self.sidebar.setMinimumWidth(self.sidebar.fontMetrics().averageCharWidth() * 30)
        self.splitter = QSplitter()
        self.splitter.addWidget(self.sidebar)
        self.splitter.addWidget(main)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([250, 1000])
        self.setCentralWidget(self.splitter)
        self._wire()
        self._shortcuts()
        self.topbar.set_options(prefs.view)
        self.chat.options = prefs.view
        self.apply_theme(self.theme)
        self._on_state(controller.state)
        self.refresh_conversations()
        self.composer.edit.setFocus()

    def _wire(self) -> None:
        c = self.controller
        c.state_changed.connect(self._on_state)
        c.load_progressed.connect(self._on_load_progress)
        c.pair_loaded.connect(self._on_pair_loaded)
        c.failed.connect(self.show_failure)
        c.stats_changed.connect(self._on_stats)
        c.conversations_changed.connect(self.refresh_conversations)
        c.fetch_progressed.connect(self._on_fetch_progress)
        c.fetch_finished.connect(self._on_fetch_finished)
        c.conversation.reset.connect(self._on_conversation_reset)
        c.conversation.message_added.connect(self._on_message_added)
        self.sidebar.new_requested.connect(self.new_conversation)
        self.sidebar.open_requested.connect(c.open_conversation)
        self.sidebar.rename_requested.connect(c.rename_conversation)
        self.sidebar.delete_requested.connect(self.delete_conversation)
        self.sidebar.search_changed.connect(self.refresh_conversations)
        self.topbar.pair_dialog_requested.connect(self.open_pair_dialog)
        self.topbar.options_changed.connect(self._on_options)
        self.composer.submitted.connect(self._send)
        self.composer.edit_submitted.connect(self._send_edit)
        self.composer.stop_requested.connect(c.stop)
        self.composer.regenerate_requested.connect(c.regenerate)
        self.composer.edit_requested.connect(self._begin_edit)
        self.chat.copied.connect(self._on_copied)
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._on_system_theme)
        self.first_start.fetch_requested.connect(c.fetch_pair)
        self.first_start.choose_files_requested.connect(self.open_pair_dialog)

    def _shortcuts(self) -> None:
        def action(text: str, keys: str | QKeySequence | QKeySequence.StandardKey, slot: object) -> None:
            a = QAction(text, self)
            a.setShortcut(QKeySequence(keys))
            a.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            a.triggered.connect(slot)
            self.addAction(a)

        action("New chat", QKeySequence.StandardKey.New, self.new_conversation)
        action("Search", QKeySequence.StandardKey.Find, self.sidebar.search.setFocus)
        action("Focus composer", "Ctrl+L", self.composer.edit.setFocus)
        action("Conversations", "Ctrl+Shift+L", self.sidebar.list.setFocus)
        action("Stop", "Esc", self.controller.stop)
        action("Regenerate", "Ctrl+R", self.controller.regenerate)
        action("Edit last", "Ctrl+E", self._begin_edit)
        action("Model pair", "Ctrl+M", self.open_pair_dialog)
        action("Highlight", "Ctrl+H", self.topbar.highlight.toggle)
        action("Rejected", "Ctrl+J", self.topbar.rejected.toggle)
        action("Rename", "F2", self.sidebar.rename_current)
        action("Quit", QKeySequence.StandardKey.Quit, self.close)
        action("About Tandem", QKeySequence.StandardKey.HelpContents, self.show_about)

    def show_about(self) -> None:
        from desktop.ui.about import show_about

        show_about(self)

    def apply_theme(self, theme: themes.Theme) -> None:
        self.theme = theme
        app = QApplication.instance()
        if isinstance(app, QApplication):
            themes.apply(app, theme)
        self.topbar.set_theme(theme)
        self.stats.set_theme(theme)
        self.chat.set_theme(theme)

    @Slot()
    def _on_system_theme(self, *_: object) -> None:
        if self.prefs.theme == "system":
            self.apply_theme(themes.pick("system"))

    # -- state --------------------------------------------------------------------------

    @Slot(object)
    def _on_state(self, state: UiState) -> None:
        messages = self.controller.conversation.messages()
        has_reply = bool(messages) and messages[-1].role == "assistant"
        self.composer.set_state(state, has_reply, any(m.role == "user" for m in messages))
        self.sidebar.setEnabled(not state.busy)
        self.topbar.pair_button.setEnabled(state.can_change_pair)
        self.first_start.set_busy(state is UiState.FETCHING)
        if state is not UiState.LOADING:
            self.topbar.show_progress("", None)
        pair = self.controller.pair
        self.stats.status.setText(STATUS[state] + (f" · {pair.label}" if pair and state.can_send else ""))

    def show_first_start(self, show: bool) -> None:
        self.stack.setCurrentWidget(self.first_start if show else self.chat)

    @Slot(object)
    def _on_load_progress(self, progress: LoadProgress) -> None:
        if progress.which == MEASURING:
            self.topbar.show_busy("Measuring this machine…")
            self.stats.status.setText("Measuring this machine (a few seconds, the first time only)…")
            return
        self.topbar.show_progress(f"Loading the {progress.which}… %p%", progress.fraction)

    @Slot(object)
    def _on_pair_loaded(self, info: PairInfo) -> None:
        draft = info.draft or "no draft"
        names = f"{info.verifier.removesuffix('.gguf')} + {draft.removesuffix('.gguf')}"
        metrics = self.topbar.pair_button.fontMetrics()
        shown = metrics.elidedText(names, Qt.TextElideMode.ElideMiddle, metrics.averageCharWidth() * 56)
        self.topbar.pair_button.setText(f"{info.label}  ·  {shown}")
        self.topbar.pair_button.setToolTip(
            f"Verifier: {info.verifier}\nDraft: {draft}\nClick to change (Ctrl+M)"
        )
        self.show_first_start(False)
        self.notice.dismiss()
        self._on_state(self.controller.state)

    @Slot(object)
    def show_failure(self, failure: Failure) -> None:
        """A typed error, said in words next to the composer (never inside a reply)."""
        if failure.kind is FailureKind.FETCH and self.stack.currentWidget() is self.first_start:
            self.first_start.show_error(failure.message)
            return
        titles = {
            FailureKind.INCOMPATIBLE: "The draft cannot serve this verifier",
            FailureKind.LOAD: "The models did not load",
            FailureKind.PROMPT_TOO_LONG: "The conversation does not fit",
            FailureKind.GENERATION: "The reply failed",
            FailureKind.FETCH: "The download failed",
            FailureKind.INTERNAL: "Something went wrong",
        }
        self.notice.show_message(f"<b>{titles[failure.kind]}.</b> {failure.message}")

    # -- conversations ------------------------------------------------------------------

    @Slot()
    def refresh_conversations(self, *_: object) -> None:
        items = self.controller.store.conversations(self.sidebar.search.text())
        self.sidebar.show_conversations(items, self.controller.conversation.conversation_id)

    @Slot()
    def new_conversation(self) -> None:
        self.controller.new_conversation()
        self.sidebar.list.clearSelection()
        self.sidebar.list.setCurrentItem(None)  # type: ignore[call-overload]
        self.composer.edit.setFocus()

    @Slot(int)
    def delete_conversation(self, cid: int) -> None:
        info = self.controller.store.conversation(cid)
        self.controller.delete_conversation(cid)
        title = info.title if info else "conversation"
        self.notice.show_message(
            f"Deleted “{title}”.",
            "Undo",
            lambda: self.controller.undelete_conversation(cid),
            timeout_ms=15000,
        )

    @Slot()
    def _on_conversation_reset(self) -> None:
        messages = self.controller.conversation.messages()
        last = next((m for m in reversed(messages) if m.role == "assistant"), None)
        if last is None:
            self.stats.show_reply(None, ())
        else:
            mode = self.controller.generation.draft.mode
            self.stats.show_reply(last.stats, last.steps, last.verifier_alone_tps, mode)
        self._on_state(self.controller.state)

    @Slot(object)
    def _on_message_added(self, message: ChatMessage) -> None:
        if message.role == "assistant":
            self.stats.clear()
        self._on_state(self.controller.state)

    @Slot(object)
    def _on_stats(self, ready: StepReady) -> None:
        pair = self.controller.pair
        baseline = pair.verifier_alone_tps if pair else 0.0
        self.stats.show_stats(ready.stats, baseline, self.controller.generation.draft.mode)
        self.stats.chart.add(ready.step)

    # -- composer -----------------------------------------------------------------------

    @Slot(str)
    def _send(self, text: str) -> None:
        if self.controller.send(text):
            self.composer.edit.clear()

    @Slot(str)
    def _send_edit(self, text: str) -> None:
        if self.controller.edit_last(text):
            self.composer.end_edit()
            self.composer.edit.clear()

    @Slot()
    def _begin_edit(self) -> None:
        text = self.controller.last_user_text()
        if text is not None and self.controller.state.can_send:
            self.composer.begin_edit(text)

    @Slot(str)
    def _on_copied(self, what: str) -> None:
        self.stats.status.setText(f"Copied the {what} to the clipboard")

    @Slot(object)
    def _on_options(self, options: ViewOptions) -> None:
        self.prefs = replace(self.prefs, view=options)
        self.settings.save(self.prefs)
        self.chat.set_options(options)

    # -- models -------------------------------------------------------------------------

    def load(self, choice: PairChoice) -> bool:
        """Start loading `choice`; False (with a notice) when its files are not there."""
        try:
            request = choice.request()
        except TandemError as e:
            self.show_failure(Failure(FailureKind.LOAD, str(e)))
            return False
        self.controller.load_pair(request)
        return True

    @Slot(object)
    def _on_fetch_progress(self, progress: FetchProgress) -> None:
        self.first_start.show_progress(progress)

    @Slot(str)
    def _on_fetch_finished(self, name: str) -> None:
        choice = replace(self.prefs.choice, pair=name)
        self.prefs = replace(self.prefs, choice=choice)
        self.settings.save(self.prefs)
        self.load(choice)

    @Slot()
    def open_pair_dialog(self) -> None:
        if not self.controller.state.can_change_pair:
            return
        from desktop.models.listing import list_pairs

        pairs = [(p.name, p.title, p.installed) for p in list_pairs()]
        dialog = PairDialog(self.prefs.choice, self.controller.generation, pairs, self.gpu_offload, self)
        dialog.check_requested.connect(self.controller.check_files)
        self.controller.files_checked.connect(dialog.show_verdict)
        self.dialog = dialog
        dialog.finished.connect(self._on_dialog_finished)
        dialog.open()

    @Slot(int)
    def _on_dialog_finished(self, code: int) -> None:
        dialog, self.dialog = self.dialog, None
        if dialog is None:
            return
        self.controller.files_checked.disconnect(dialog.show_verdict)
        if code:
            result = dialog.result_value()
            reload = result.choice != self.prefs.choice or self.controller.pair is None
            self.prefs = replace(self.prefs, choice=result.choice, generation=result.generation)
            self.settings.save(self.prefs)
            self.controller.generation = result.generation
            if reload:
                self.load(result.choice)
        dialog.deleteLater()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.controller.cancel_load()  # a load in progress ends now, not when its file is read
        self.settings.save_geometry(self.saveGeometry(), self.splitter.saveState())
        super().closeEvent(event)
