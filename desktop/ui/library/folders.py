"""The folders the user added to the library: listed (a missing one says so), added, removed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.models.app_folders import Source
from desktop.models.library import Library
from desktop.ui.library.model_library import ModelLibrary

PATH = Qt.ItemDataRole.UserRole
NOTE = "Tandem also looks where LM Studio, Ollama, Jan, GPT4All, llama.cpp and Hugging Face keep models."


def pick_folder(parent: QWidget) -> Path | None:
    """Ask for a folder; None when the user cancels."""
    chosen = QFileDialog.getExistingDirectory(parent, "Add a folder of GGUF models")
    return Path(chosen) if chosen else None


class FoldersBox(QGroupBox):
    """Add folder… / Remove over the list of added folders; other apps' folders are named below."""

    def __init__(self, models: ModelLibrary, parent: QWidget | None = None) -> None:
        super().__init__("Your folders (searched up to 4 levels deep)", parent)
        self.models = models
        self.pick: Callable[[], Path | None] = lambda: pick_folder(self)
        self.list = QListWidget()
        self.list.setAccessibleName("Added folders")
        self.list.setMaximumHeight(self.fontMetrics().lineSpacing() * 4 + 8)
        self.add = QPushButton("Add folder…")
        self.remove = QPushButton("Remove")
        self.searched = QLabel(NOTE)
        self.searched.setObjectName("muted")
        self.searched.setWordWrap(True)
        buttons = QVBoxLayout()
        buttons.addWidget(self.add)
        buttons.addWidget(self.remove)
        buttons.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(self.list, 1)
        row.addLayout(buttons)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.searched)
        self.add.clicked.connect(self._add)
        self.remove.clicked.connect(self._remove)
        self.list.itemSelectionChanged.connect(self._selected)
        models.changed.connect(self._on_scanned)
        self.refresh()

    def refresh(self) -> None:
        """List the added folders; a folder that does not exist now is kept and marked."""
        self.list.clear()
        for folder in self.models.folders():
            missing = not folder.is_dir()
            item = QListWidgetItem(f"{folder}   (not found: kept in the list)" if missing else str(folder))
            item.setData(PATH, folder)
            if missing:
                item.setToolTip(
                    "This folder does not exist now (an unplugged disk?); it is searched again once it does"
                )
            self.list.addItem(item)
        if not self.models.folders():
            placeholder = QListWidgetItem(
                "No folders added: Add folder… searches one more place for GGUF files"
            )
            placeholder.setFlags(Qt.ItemFlag.NoItemFlags)
            self.list.addItem(placeholder)
        self._selected()

    @Slot(object)
    def _on_scanned(self, library: Library) -> None:
        self.refresh()
        present = {loc.source for loc in library.searched if loc.root.is_dir()}
        apps = sorted(s.value for s in present - {Source.TANDEM, Source.FOLDER})
        found = f" Found on this computer: {', '.join(apps)}." if apps else ""
        self.searched.setText(NOTE + found)

    @Slot()
    def _selected(self) -> None:
        self.remove.setEnabled(any(i.data(PATH) for i in self.list.selectedItems()))

    @Slot()
    def _add(self) -> None:
        folder = self.pick()
        if folder is not None:
            self.models.add_folder(folder)
            self.refresh()

    @Slot()
    def _remove(self) -> None:
        for item in self.list.selectedItems():
            if item.data(PATH):
                self.models.remove_folder(item.data(PATH))
        self.refresh()
