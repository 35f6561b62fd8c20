"""The main window: sidebar, top bar, message view, notices, stats strip and composer.

Widgets enable themselves from the controller's `UiState`; the window only wires signals,
keeps the preferences, and turns typed failures into notices.
"""

from __future__ import annotations

import html
from dataclasses import replace

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QKeySequence, QResizeEvent
from PySide6.QtWidgets import (
    QApplication,
    QMainWindow,
    QSplitter,
    QStackedWidget,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from desktop.engine.errors import TandemError
from desktop.qt.controller import ChatController
from desktop.qt.edits import can_continue
from desktop.qt.payloads import (
    MEASURING,
    BaselineDrift,
    Failure,
    FailureKind,
    FetchProgress,
    LoadProgress,
    PairInfo,
    ReplyStarted,
    StepReady,
)
from desktop.qt.state import UiState
from desktop.store.records import ChatMessage
from desktop.ui import theme as themes
from desktop.ui.chat.actions import DELETE, EDIT, NEXT, PREVIOUS
from desktop.ui.chat.system_prompt import SystemPromptBar
from desktop.ui.chat.transfer import Transfer
from desktop.ui.chat_view import ChatView
from desktop.ui.composer import Composer
from desktop.ui.first_start import FirstStart
from desktop.ui.formats import ViewOptions
from desktop.ui.library.menu import LibraryMenu
from desktop.ui.notice import Notice
from desktop.ui.pair_dialog import PairDialog
from desktop.ui.preferences import PairChoice, Preferences, with_history
from desktop.ui.preferences_dialog import PreferencesDialog
from desktop.ui.settings import Settings
from desktop.ui.sidebar import Sidebar
from desktop.ui.stats_strip import StatsStrip
from desktop.ui.topbar import TopBar

STATUS = {
    UiState.EMPTY: "No model pair loaded",
    UiState.FETCHING: "Fetching models…",
    UiState.LOADING: "Loading the models…",
    UiState.MEASURING: "Measuring this machine…",
    UiState.IDLE: "Ready",
    UiState.GENERATING: "Writing…",
    UiState.STOPPING: "Stopping after this step…",
    UiState.ERROR: "The model pair did not load",
}


SIDEBAR_FOLDS_BELOW = 760  # px wide: a narrower window gives the conversation all the room


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
        self.preferences_dialog: PreferencesDialog | None = None
        self._save_notice = False  # the notice shows a save failure
        self._folded_sidebar = 0  # the sidebar's width before a narrow window folded it
        self.loaded_choice = prefs.choice  # what was last asked to load (`--pair` may differ)
        self._editing: int | None = None  # the user message the composer is editing
        self.theme = themes.pick(prefs.theme)

        self.sidebar = Sidebar()
        self.topbar = TopBar()
        self.chat = ChatView(controller.conversation)
        self.system_prompt = SystemPromptBar()
        self.system_prompt.set_presets(settings.system_presets())
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
        parts = (
            (self.topbar, 0),
            (self.system_prompt, 0),
            (self.stack, 1),
            (composer_box, 0),
            (self.stats, 0),
        )
        for w, stretch in parts:
            column.addWidget(w, stretch)
        self.sidebar.setMinimumWidth(self.sidebar.fontMetrics().averageCharWidth() * 30)
        self.splitter = QSplitter()
        self.splitter.addWidget(self.sidebar)
        self.splitter.addWidget(main)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([250, 1000])
        self.setCentralWidget(self.splitter)
        self.transfer = Transfer(self, controller)
        self.library = LibraryMenu(self, settings)  # the Models menu; its library feeds the pair dialog
        self._wire()
        self._shortcuts()
        self.topbar.set_options(prefs.view)
        self.chat.options = prefs.view
        controller.generation = with_history(controller.generation, prefs.history_drafts)
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
        c.reply_started.connect(self._on_reply_started)
        c.conversations_changed.connect(self.refresh_conversations)
        c.fetch_progressed.connect(self._on_fetch_progress)
        c.fetch_finished.connect(self._on_fetch_finished)
        c.save_failed.connect(self._on_save_failed)
        c.saved.connect(self._on_saved)
        c.baseline_changed.connect(self._on_baseline_changed)
        c.baseline_drifted.connect(self._on_baseline_drifted)
        self.stats.measure_requested.connect(c.measure_again)
        c.conversation.reset.connect(self._on_conversation_reset)
        c.conversation.message_added.connect(self._on_message_added)
        self.sidebar.new_requested.connect(self.new_conversation)
        self.sidebar.open_requested.connect(c.open_conversation)
        self.sidebar.rename_requested.connect(c.rename_conversation)
        self.sidebar.delete_requested.connect(self.delete_conversation)
        self.sidebar.search_changed.connect(self.refresh_conversations)
        self.topbar.pair_dialog_requested.connect(self.open_pair_dialog)
        self.topbar.options_changed.connect(self._on_options)
        self.system_prompt.changed.connect(c.edits.set_system_prompt)
        self.system_prompt.preset_saved.connect(self._on_preset_saved)
        self.composer.submitted.connect(self._send)
        self.composer.edit_submitted.connect(self._send_edit)
        self.composer.stop_requested.connect(c.stop)
        self.composer.regenerate_requested.connect(c.regenerate)
        self.composer.edit_requested.connect(self._begin_edit)
        self.composer.continue_requested.connect(c.edits.continue_reply)
        self.chat.copied.connect(self._on_copied)
        self.chat.action_requested.connect(self._on_message_action)
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
        action("Conversations", "Ctrl+Shift+L", self.show_conversations)
        action("Stop", "Esc", self.controller.stop)
        action("Regenerate", "Ctrl+R", self.controller.regenerate)
        action("Edit last", "Ctrl+E", self._begin_edit)
        action("Model pair", "Ctrl+M", self.open_pair_dialog)
        action("Highlight", "Ctrl+H", self.topbar.highlight.toggle)
        action("Rejected", "Ctrl+J", self.topbar.rejected.toggle)
        action("Rename", "F2", self.sidebar.rename_current)
        action("Quit", QKeySequence.StandardKey.Quit, self.close)
        action("About Tandem", QKeySequence.StandardKey.HelpContents, self.show_about)
        preferences = self.menuBar().addMenu("&Settings").addAction("Preferences…")
        preferences.setShortcut(QKeySequence("Ctrl+,"))
        preferences.setMenuRole(QAction.MenuRole.PreferencesRole)
        preferences.triggered.connect(self.open_preferences)

    def show_about(self) -> None:
        from desktop.ui.about import show_about

        show_about(self)

    @Slot()
    def show_conversations(self) -> None:
        """Focus the conversation list, unfolding the sidebar if a narrow window folded it."""
        if self.sidebar.isHidden():
            self._unfold_sidebar()
        self.sidebar.list.setFocus()

    def _fold_below(self) -> int:
        """The width under which the sidebar folds: where the chat would get too little room."""
        main = self.splitter.widget(1)
        need = self.sidebar.minimumWidth() + (main.minimumSizeHint().width() if main else 0) + 40
        return max(SIDEBAR_FOLDS_BELOW, need)

    def _unfold_sidebar(self) -> None:
        width = self._folded_sidebar or self.sidebar.minimumWidth()
        total = sum(self.splitter.sizes())
        self.sidebar.show()
        self.splitter.setSizes([width, max(0, total - width)])
        self._folded_sidebar = 0

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Fold the sidebar in a narrow window (hidden, so it no longer holds the window wide),
        and unfold it when the window is wide again."""
        super().resizeEvent(event)
        if self.width() < self._fold_below() and not self.sidebar.isHidden():
            self._folded_sidebar = self.splitter.sizes()[0]
            self.sidebar.hide()
        elif self.width() >= self._fold_below() and self.sidebar.isHidden() and self._folded_sidebar:
            self._unfold_sidebar()

    def fit_to_screen(self) -> None:
        """Shrink and move a restored geometry onto the screen the window is on now (it may
        have been saved on a larger one, or one that is gone)."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        if screen is None:
            return
        area = screen.availableGeometry()
        frame = self.frameGeometry()
        extra_w, extra_h = frame.width() - self.width(), frame.height() - self.height()
        width = min(self.width(), area.width() - extra_w)
        height = min(self.height(), area.height() - extra_h)
        if (width, height) != (self.width(), self.height()):
            self.resize(max(width, self.minimumSizeHint().width()), max(height, 1))
        frame = self.frameGeometry()
        x = min(max(frame.x(), area.left()), area.right() + 1 - frame.width())
        y = min(max(frame.y(), area.top()), area.bottom() + 1 - frame.height())
        if (x, y) != (frame.x(), frame.y()):
            self.move(max(x, area.left()), max(y, area.top()))

    def apply_theme(self, theme: themes.Theme) -> None:
        self.theme = theme
        app = QApplication.instance()
        if isinstance(app, QApplication):
            themes.apply(app, theme, self.prefs.font_size)
        self.sidebar.setMinimumWidth(self.sidebar.fontMetrics().averageCharWidth() * 30)
        self.topbar.set_theme(theme)
        self.stats.set_theme(theme)
        self.chat.set_theme(theme)

    @Slot()
    def open_preferences(self) -> None:
        dialog = PreferencesDialog(self.prefs, self)
        self.preferences_dialog = dialog
        dialog.finished.connect(self._on_preferences_finished)
        dialog.open()

    @Slot(int)
    def _on_preferences_finished(self, code: int) -> None:
        dialog, self.preferences_dialog = self.preferences_dialog, None
        if dialog is None:
            return
        if code:
            self.apply_preferences(dialog.result_value())
        dialog.deleteLater()

    def apply_preferences(self, prefs: Preferences) -> None:
        """Theme, font size and history drafting take effect on the open window, and are saved."""
        self.prefs = prefs
        self.settings.save(prefs)
        self.controller.generation = with_history(self.controller.generation, prefs.history_drafts)
        self.apply_theme(themes.pick(prefs.theme))

    @Slot()
    def _on_system_theme(self, *_: object) -> None:
        if self.prefs.theme == "system":
            self.apply_theme(themes.pick("system"))

    # -- state --------------------------------------------------------------------------

    @Slot(object)
    def _on_state(self, state: UiState) -> None:
        messages = self.controller.conversation.messages()
        has_reply = bool(messages) and messages[-1].role == "assistant"
        more = bool(messages) and can_continue(messages[-1])
        self.composer.set_state(state, has_reply, any(m.role == "user" for m in messages), more)
        self.sidebar.setEnabled(not state.busy)
        self.topbar.pair_button.setEnabled(state.can_change_pair)
        self.first_start.set_busy(state is UiState.FETCHING)
        self.stats.set_can_measure(state.can_send)
        if state is UiState.MEASURING:
            self.topbar.show_busy(STATUS[state])
        elif state is not UiState.LOADING:
            self.topbar.show_progress("", None)
        pair = self.controller.pair
        self.stats.status.setText(STATUS[state] + (f" · {pair.label}" if pair and state.can_send else ""))
        if self.composer.waiting and not state.will_be_ready:
            self.composer.set_waiting(False)
            if state.can_send:  # the message sent while the models loaded goes now
                self._send(self.composer.edit.toPlainText())

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
        self.topbar.pair_button.setText(f"{info.label}  ·  {names}")  # elided to the room it gets
        self.topbar.pair_button.setToolTip(
            f"Verifier: {info.verifier}\nDraft: {draft}\nClick to change (Ctrl+M)"
        )
        self.composer.context.set_context(info.n_ctx)
        self.show_first_start(False)
        self.notice.dismiss()
        self._on_state(self.controller.state)

    @Slot(object)
    def _on_baseline_changed(self, info: PairInfo | None) -> None:
        self.stats.rebase(info.verifier_alone_tps if info else 0.0)

    @Slot(object)
    def _on_baseline_drifted(self, drifted: BaselineDrift) -> None:
        self.stats.set_drift(drifted.check.ratio)

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

    def show_notice(self, text: str) -> None:
        """A plain one-line message next to the composer (startup problems, reset settings)."""
        self.notice.show_message(html.escape(text))

    @Slot(str)
    def _on_save_failed(self, text: str) -> None:
        self.notice.show_message(
            f"<b>Not saved.</b> {html.escape(text)}", "Retry save", self.controller.retry_save
        )
        self._save_notice = True

    @Slot()
    def _on_saved(self) -> None:
        if self._save_notice:
            self.notice.show_message("Saved: the conversation is on disk again.", timeout_ms=5000)
        self._save_notice = False
        self.refresh_conversations()  # a chat started while nothing could be saved is listed now

    # -- conversations ------------------------------------------------------------------

    @Slot()
    def refresh_conversations(self, *_: object) -> None:
        items = self.controller.store.conversations(self.sidebar.search.text())
        self.sidebar.show_conversations(items, self.controller.conversation.conversation_id)

    def open_latest(self) -> None:
        """Open the most recently used conversation (the window starts where the user left)."""
        latest = self.controller.store.conversations("")
        if latest:
            self.controller.open_conversation(latest[0].id)
            self.refresh_conversations()

    @Slot()
    def new_conversation(self) -> None:
        QToolTip.hideText()
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
        self.system_prompt.set_text(self.controller.conversation.system_prompt)
        messages = self.controller.conversation.messages()
        last = next((m for m in reversed(messages) if m.role == "assistant"), None)
        self.composer.context.clear()
        if last is None:
            self.stats.show_reply(None, ())
        else:
            self.composer.context.show_stats(last.stats)
            mode = self.controller.generation.draft.mode
            self.stats.show_reply(last.stats, last.steps, last.verifier_alone_tps, mode)
        self._on_state(self.controller.state)

    @Slot(object)
    def _on_preset_saved(self, _preset: object) -> None:
        self.settings.save_system_presets(self.system_prompt.presets)

    @Slot(object)
    def _on_message_added(self, message: ChatMessage) -> None:
        if message.role == "assistant":
            self.stats.clear()
        self._on_state(self.controller.state)

    @Slot(object)
    def _on_reply_started(self, started: ReplyStarted) -> None:
        self.composer.context.start_reply(started.prompt_tokens, started.dropped_turns)

    @Slot(object)
    def _on_stats(self, ready: StepReady) -> None:
        self.composer.context.show_stats(ready.stats)
        pair = self.controller.pair
        baseline = pair.verifier_alone_tps if pair else 0.0
        self.stats.show_stats(ready.stats, baseline, self.controller.generation.draft.mode)
        self.stats.chart.add(ready.step)

    # -- composer -----------------------------------------------------------------------

    def _readable(self, text: str) -> str:
        """`text` with lone surrogates (half of a broken emoji) replaced by "?", said in a notice."""
        clean = text.encode("utf-8", "replace").decode("utf-8")
        if clean != text:
            self.show_notice("Some characters in your message could not be read and were replaced by “?”.")
        return clean

    @Slot(str)
    def _send(self, text: str) -> None:
        if self.controller.send(self._readable(text)):
            self.composer.edit.clear()
        elif self.controller.state.will_be_ready and text.strip():
            self.composer.set_waiting(True)

    @Slot(str)
    def _send_edit(self, text: str) -> None:
        users = [m for m in self.controller.conversation.messages() if m.role == "user"]
        mid = self._editing if self._editing is not None else (users[-1].id if users else -1)
        if self.controller.edits.edit_message(mid, self._readable(text)):
            self._editing = None
            self.composer.end_edit()
            self.composer.edit.clear()

    @Slot()
    def _begin_edit(self, mid: int | None = None) -> None:
        """Put a user message (the last one by default) in the composer to send again."""
        users = [m for m in self.controller.conversation.messages() if m.role == "user"]
        message = users[-1] if mid is None and users else next((m for m in users if m.id == mid), None)
        if message is not None and self.controller.state.can_send:
            self._editing = message.id
            self.composer.begin_edit(message.content, last=message is users[-1])

    @Slot(str, int)
    def _on_message_action(self, action: str, mid: int) -> None:
        edits = self.controller.edits
        if action == EDIT:
            self._begin_edit(mid)
        elif action == DELETE:
            edits.delete_message(mid)
        elif action in (PREVIOUS, NEXT):
            edits.show_variant(mid, -1 if action == PREVIOUS else 1)

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
        self.loaded_choice = choice
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
        # The dialog starts from what is loaded, which `--pair` may have chosen over the settings.
        choice = self.loaded_choice if self.controller.pair is not None else self.prefs.choice
        dialog = PairDialog(
            choice, self.controller.generation, pairs, self.gpu_offload, self, self.library.models
        )
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
            # Sampling and drafting apply to the next reply; only another pair needs a reload.
            reload = result.choice != self.loaded_choice or self.controller.pair is None
            self.prefs = replace(self.prefs, choice=result.choice, generation=result.generation)
            self.settings.save(self.prefs)
            self.controller.generation = with_history(result.generation, self.prefs.history_drafts)
            if reload:
                self.load(result.choice)
        dialog.deleteLater()

    @Slot()
    def bring_to_front(self) -> None:
        """Another launch of Tandem asked for this window."""
        self.setWindowState(self.windowState() & ~Qt.WindowState.WindowMinimized)
        self.show()
        self.raise_()
        self.activateWindow()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.controller.cancel_load()  # a load in progress ends now, not when its file is read
        self.controller.stop()  # the reply is saved as stopped when the app shuts the worker down
        self.settings.save_geometry(self.saveGeometry(), self.splitter.saveState())
        super().closeEvent(event)
