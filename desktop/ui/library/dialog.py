"""The Model library window: models on this computer, downloads from Hugging Face, and the queue.

It is made once and kept, so downloads go on while it is closed; the window's Models menu opens it.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTabWidget, QVBoxLayout, QWidget

from desktop.models.download import download
from desktop.models.download_queue import Download
from desktop.ui.library.downloads import DownloadsPanel
from desktop.ui.library.hub_search import HubSearch
from desktop.ui.library.installed import InstalledView
from desktop.ui.library.model_library import ModelLibrary


class LibraryDialog(QDialog):
    """Two pages (On this computer, Download) over one downloads panel."""

    def __init__(
        self,
        models: ModelLibrary,
        parent: QWidget | None = None,
        root: Path | None = None,
        fetch: Download = download,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Model library")
        self.setModal(False)
        width = self.fontMetrics().averageCharWidth()
        self.resize(width * 150, self.fontMetrics().lineSpacing() * 40)
        self.models = models
        self.installed = InstalledView(models)
        self.hub = HubSearch()
        self.downloads = DownloadsPanel(root, fetch)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.installed, "On this computer")
        self.tabs.addTab(self.hub, "Download from Hugging Face")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.hide)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.downloads)
        layout.addWidget(buttons)
        self.hub.download_requested.connect(self.downloads.submit)
        self.downloads.finished.connect(self._downloaded)

    def show_page(self, page: QWidget) -> None:
        """Open (or raise) the library on `page`, and look for models again."""
        self.tabs.setCurrentWidget(page)
        self.models.refresh()
        self.show()
        self.raise_()
        self.activateWindow()

    @Slot(object)
    def _downloaded(self, path: Path) -> None:
        self.installed.pending = path
        self.models.rescan()

    def shut_down(self, wait: bool = True) -> None:
        """Cancel the downloads (their bytes stay for Resume) and stop the Hub requests."""
        self.downloads.close_queue(wait)
        self.hub.close_tasks(wait)
