"""The library's first page: every model on this machine, where it came from, and what it is.

Tandem's own models can be deleted (after a confirmation); other apps' files never are, and
"Show in folder" takes the user to them instead.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Slot
from PySide6.QtGui import QBrush, QDesktopServices, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.engine.errors import TandemError
from desktop.models.app_folders import Source
from desktop.models.discover import Skipped
from desktop.models.library import Library, LibraryModel
from desktop.models.remove import remove_model
from desktop.ui.library.folders import FoldersBox
from desktop.ui.library.model_library import ModelLibrary
from desktop.ui.library.rows import COLUMNS, megabytes, model_cells, skipped_cells

ITEM = Qt.ItemDataRole.UserRole
OTHER_APPS = "Files of other apps are never deleted here; use Show in folder and remove them in that app."


def ask(parent: QWidget, title: str, text: str) -> bool:
    """A Yes/No question; No is the default."""
    answer = QMessageBox.question(
        parent, title, text, QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )  # fmt: skip
    return answer == QMessageBox.StandardButton.Yes


def reveal(folder: Path) -> None:
    """Open `folder` in the system's file manager."""
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))


class InstalledView(QWidget):
    """The models list, its buttons, and the folders searched. `said` is the last outcome."""

    def __init__(self, models: ModelLibrary, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.models = models
        self.confirm: Callable[[str, str], bool] = lambda title, text: ask(self, title, text)
        self.reveal: Callable[[Path], None] = reveal
        self.pending: Path | None = None  # a download to select once the next scan lists it
        self.said = ""  # the last delete's outcome, kept in front of the next summary
        self.status = QLabel("Looking for models…")
        self.status.setObjectName("muted")
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(list(COLUMNS))
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setAccessibleName("Models on this computer")
        self.tree.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # the quantization stays in sight
        header = self.tree.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        self.show_folder = QPushButton("Show in folder")
        self.delete = QPushButton("Delete…")
        self.rescan = QPushButton("Rescan")
        buttons = QHBoxLayout()
        for b in (self.show_folder, self.delete):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.rescan)
        self.folders = FoldersBox(models)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.tree, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.folders)
        self.tree.itemSelectionChanged.connect(self._selected)
        self.show_folder.clicked.connect(self._show_folder)
        self.delete.clicked.connect(self._delete)
        self.rescan.clicked.connect(models.rescan)
        models.changed.connect(self.show_library)
        models.failed.connect(self.status.setText)
        if models.library is not None:
            self.show_library(models.library)
        self._selected()

    @Slot(object)
    def show_library(self, library: Library) -> None:
        """Fill the list from a scan: Tandem's models, other apps' and folders', the unusable."""
        chosen = self.chosen()
        self.tree.clear()
        own = [m for m in library.models if m.source is Source.TANDEM]
        found = [m for m in library.models if m.source is not Source.TANDEM]
        self._group(f"Installed by Tandem ({len(own)})", own)
        self._group(f"Found in other apps and added folders ({len(found)}), used in place", found)
        self._group(f"Not usable ({len(library.skipped)})", list(library.skipped))
        self.tree.expandAll()
        self.tree.resizeColumnToContents(0)
        self.tree.setColumnWidth(0, min(self.tree.columnWidth(0), self.fontMetrics().averageCharWidth() * 56))
        total = sum(m.size for m in library.models)
        self.status.setText(
            (f"{self.said} " if self.said else "")
            + f"{len(library.models)} models, {megabytes(total)} in all; nothing is copied, every file is "
            "used where it lies."
        )
        if self.pending is not None and self.select(self.pending):
            self.pending = None
        elif chosen is not None:
            self.select(chosen.path)

    def _group(self, title: str, items: list[LibraryModel] | list[Skipped]) -> None:
        group = QTreeWidgetItem(self.tree, [title])
        group.setFirstColumnSpanned(True)
        group.setFlags(Qt.ItemFlag.ItemIsEnabled)
        font = group.font(0)
        font.setBold(True)
        group.setFont(0, font)
        muted = QBrush(self.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text))
        for item in items:
            cells = skipped_cells(item) if isinstance(item, Skipped) else model_cells(item)
            row = QTreeWidgetItem(group, list(cells))
            row.setData(0, ITEM, item)
            row.setTextAlignment(5, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            row.setToolTip(len(COLUMNS) - 1, cells[-1])
            row.setToolTip(0, getattr(item, "title", "") or cells[0])
            if isinstance(item, Skipped):
                for column in range(len(COLUMNS)):
                    row.setForeground(column, muted)
        if not items:
            QTreeWidgetItem(group, ["(none)"]).setFlags(Qt.ItemFlag.NoItemFlags)

    def _rows(self) -> list[QTreeWidgetItem]:
        groups = (self.tree.topLevelItem(g) for g in range(self.tree.topLevelItemCount()))
        return [
            row for group in groups if group for i in range(group.childCount()) if (row := group.child(i))
        ]

    def rows(self) -> list[LibraryModel | Skipped]:
        """Everything listed, in order (tests and screenshots read it)."""
        return [item for row in self._rows() if (item := row.data(0, ITEM)) is not None]

    def chosen(self) -> LibraryModel | Skipped | None:
        items = self.tree.selectedItems()
        return items[0].data(0, ITEM) if items else None

    def select(self, path: Path) -> bool:
        """Select the row of the file at `path`; False when it is not listed."""
        for row in self._rows():
            item = row.data(0, ITEM)
            if item is not None and item.path == path:
                self.tree.setCurrentItem(row)
                return True
        return False

    @Slot()
    def _selected(self) -> None:
        chosen = self.chosen()
        self.show_folder.setEnabled(chosen is not None)
        mine = isinstance(chosen, LibraryModel) and chosen.source is Source.TANDEM
        self.delete.setEnabled(mine)
        self.delete.setToolTip("Delete this model from Tandem's folder" if mine else OTHER_APPS)

    @Slot()
    def _show_folder(self) -> None:
        chosen = self.chosen()
        if chosen is not None:
            self.reveal(chosen.path.parent)

    @Slot()
    def _delete(self) -> None:
        chosen = self.chosen()
        if not isinstance(chosen, LibraryModel) or chosen.source is not Source.TANDEM:
            return
        question = f"Delete {chosen.name} ({megabytes(chosen.size)}) from {chosen.path.parent}?" + (
            " The pair it belongs to will need fetching again." if chosen.title else ""
        )
        if not self.confirm("Delete model", question):
            return
        try:
            remove_model(chosen.path)
        except (TandemError, OSError) as e:
            self.said = f"Could not delete {chosen.name}: {getattr(e, 'strerror', None) or e}."
            self.status.setText(self.said)
            return
        self.said = f"Deleted {chosen.name}."
        self.status.setText(self.said)
        self.models.rescan()
