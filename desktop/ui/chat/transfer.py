"""The Conversation menu's Export and Import: file dialogs around `desktop.store.export`."""

from __future__ import annotations

import re
from pathlib import Path
from typing import cast

from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QFileDialog, QMainWindow

from desktop.qt.chat import Chat
from desktop.store.export import NotAConversationError, from_json, import_into, to_json, to_markdown

MARKDOWN, JSON = "md", "json"


def file_name(title: str, kind: str) -> str:
    """A file name from the title: letters, digits, spaces and dashes only."""
    stem = re.sub(r"[^\w \-]+", "", title).strip() or "conversation"
    return f"{stem[:60]}.{kind}"


class Transfer(QObject):
    """Adds Export and Import to the window's Conversation menu; says what happened in `said`."""

    def __init__(self, window: QMainWindow, chat: Chat) -> None:
        super().__init__(window)  # the window is the parent: no reference to it, so no cycle
        self.chat = chat
        self.said = ""  # the last result, one line (the window shows it)
        menu = window.menuBar().addMenu("&Conversation")
        self.export_markdown = menu.addAction("Export as Markdown…")
        self.export_json = menu.addAction("Export as JSON (with steps)…")
        menu.addSeparator()
        self.import_json = menu.addAction("Import JSON…")
        self.export_markdown.triggered.connect(self._ask_markdown)
        self.export_json.triggered.connect(self._ask_json)
        self.import_json.triggered.connect(self._ask_import)
        menu.aboutToShow.connect(self._enable)

    @Slot()
    def _enable(self) -> None:
        has = bool(self.chat.conversation.messages())
        self.export_markdown.setEnabled(has)
        self.export_json.setEnabled(has)
        self.import_json.setEnabled(not self.chat.state.busy)

    def export_to(self, path: Path, kind: str) -> bool:
        """Write the open conversation to `path` as Markdown or JSON; False (said) on failure."""
        c = self.chat.conversation
        write = to_markdown if kind == MARKDOWN else to_json
        try:
            path.write_text(write(c.title, c.system_prompt, c.messages()), encoding="utf-8")
        except OSError as e:
            self.said = f"Could not export to {path}: {e.strerror or e}. Choose another folder."
            return False
        self.said = f"Exported to {path}"
        return True

    def import_from(self, path: Path) -> bool:
        """Add the conversation in a JSON file and open it; False (said) when it cannot."""
        try:
            exported = from_json(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as e:
            self.said = f"Could not read {path.name}: {e}."
            return False
        except NotAConversationError as e:
            self.said = f"Could not import {path.name}: {e}."
            return False
        info = import_into(self.chat.store, exported)
        self.chat.added(info)
        self.said = f"Imported “{info.title}”"
        return True

    def _window(self) -> QMainWindow:
        return cast(QMainWindow, self.parent())

    def _ask_export(self, kind: str, label: str) -> None:
        name = file_name(self.chat.conversation.title, kind)
        path, _ = QFileDialog.getSaveFileName(
            self._window(), "Export conversation", str(Path.home() / name), f"{label} (*.{kind})"
        )
        if path:
            self.export_to(Path(path), kind)
            self._say()

    @Slot()
    def _ask_markdown(self) -> None:
        self._ask_export(MARKDOWN, "Markdown")

    @Slot()
    def _ask_json(self) -> None:
        self._ask_export(JSON, "JSON")

    @Slot()
    def _ask_import(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self._window(), "Import conversation", str(Path.home()), "JSON (*.json)"
        )
        if path:
            self.import_from(Path(path))
            self._say()

    def _say(self) -> None:
        show = getattr(self._window(), "show_notice", None)
        if callable(show):
            show(self.said)
