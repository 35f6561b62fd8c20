"""The window's Models menu: Model library… (Ctrl+Shift+M), made on first use and kept."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QMainWindow

from desktop.ui.library.dialog import LibraryDialog
from desktop.ui.library.model_library import ModelLibrary
from desktop.ui.settings import Settings

SHORTCUT = "Ctrl+Shift+M"


class LibraryMenu(QObject):
    """Adds the Models menu to `window`; `models` is the library the pair dialog reads too."""

    def __init__(self, window: QMainWindow, settings: Settings) -> None:
        super().__init__(window)
        self.window_ = window
        self.models = ModelLibrary(settings, self)
        self.dialog: LibraryDialog | None = None
        menu = window.menuBar().addMenu("&Models")
        self.open_action = menu.addAction("Model library…")
        self.open_action.setShortcut(QKeySequence(SHORTCUT))
        self.open_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.download_action = menu.addAction("Download from Hugging Face…")
        self.open_action.triggered.connect(self.open_library)
        self.download_action.triggered.connect(self.open_download)
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shut_down)

    def library(self) -> LibraryDialog:
        """The library window, made on first use."""
        if self.dialog is None:
            self.dialog = LibraryDialog(self.models, self.window_)
        return self.dialog

    @Slot()
    def open_library(self) -> None:
        self.library().show_page(self.library().installed)

    @Slot()
    def open_download(self) -> None:
        self.library().show_page(self.library().hub)
        self.library().hub.query.setFocus()

    @Slot()
    def shut_down(self) -> None:
        """The app quits: cancel downloads without waiting (their bytes stay), stop scanning."""
        if self.dialog is not None:
            self.dialog.shut_down(wait=False)
        self.models.close()
