"""For the model-pair dialog: pick a verifier among the models found, then one of its drafts.

Only compatible drafts (best first, from `desktop.models.drafts`) can be chosen; every other
file is listed greyed with the reason it cannot draft, so an empty list is never unexplained.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QComboBox, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from desktop.engine.errors import TandemError
from desktop.models.drafts import DraftReport, find_drafts
from desktop.models.library import Library, LibraryModel, describe_file
from desktop.ui.library.rows import describe, megabytes, short_name

DATA = Qt.ItemDataRole.UserRole


def _same(path: str, model: LibraryModel) -> bool:
    try:
        return bool(path) and (Path(path) == model.path or Path(path).resolve() == model.target)
    except OSError:
        return False


class VerifierCombo(QComboBox):
    """The models found on this computer, biggest first; `chosen` carries the picked file's path."""

    chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Verifier from this computer")
        self.setPlaceholderText("Looking for models on this computer…")
        self.activated.connect(self._activated)

    def show_library(self, library: Library, current: str) -> None:
        """List `library`'s models and select the one at `current`, if any."""
        self.clear()
        self.setPlaceholderText("Choose a model found on this computer, or a file below")
        for m in sorted(library.models, key=lambda m: (-m.size, m.name)):
            self.addItem(f"{short_name(m)}  ({describe(m)})", m)
        self.match(current)

    def match(self, path: str) -> None:
        """Select the entry of the file at `path` (none when it is a file elsewhere)."""
        index = next((i for i in range(self.count()) if _same(path, self.itemData(i))), -1)
        self.setCurrentIndex(index)

    @Slot(int)
    def _activated(self, index: int) -> None:
        model = self.itemData(index)
        if isinstance(model, LibraryModel):
            self.chosen.emit(str(model.path))


class DraftList(QWidget):
    """The drafts of one verifier; `chosen` carries the path of the draft the user picked."""

    chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.report: DraftReport | None = None
        self._shown: tuple[str, int] | None = None  # (verifier, library) listed now
        self.list = QListWidget()
        self.list.setAccessibleName("Drafts for this verifier")
        self.list.setWordWrap(True)
        self.list.setMinimumHeight(self.fontMetrics().lineSpacing() * 16)
        self.list.setMinimumWidth(self.fontMetrics().averageCharWidth() * 100)
        self.list.setSpacing(2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list)
        self.list.itemClicked.connect(self._clicked)
        self._say("Looking for models on this computer…")

    def _say(self, text: str) -> None:
        self.list.clear()
        item = QListWidgetItem(text)
        item.setFlags(Qt.ItemFlag.NoItemFlags)
        self.list.addItem(item)

    def show_for(self, verifier: str, library: Library | None, draft: str = "") -> None:
        """List the drafts for the file at `verifier`, marking the one at `draft`."""
        if self.report is not None and self._shown == (verifier, id(library)):
            return self._mark(draft)  # the same list: only the chosen draft may have changed
        self.report, self._shown = None, (verifier, id(library))
        if library is None:
            return self._say("Looking for models on this computer…")
        if not verifier or not Path(verifier).is_file():
            return self._say("Choose a verifier to see which of your models can draft for it.")
        model = next((m for m in library.models if _same(verifier, m)), None)
        try:
            model = model or describe_file(Path(verifier))
        except TandemError as e:
            return self._say(str(e))
        self.report = find_drafts(model, library.models)
        self._fill(self.report, library, draft)

    def _fill(self, report: DraftReport, library: Library, draft: str) -> None:
        self.list.clear()
        if report.problem:
            self._add(f"✗ This verifier cannot speculate: {report.problem}. Tick “No draft”.", None)
        for d in report.drafts:
            text = f"✓ {short_name(d.model)}  ({describe(d.model)})\n      {'; '.join(d.notes)}"
            item = self._add(text, d.model)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
            item.setToolTip(f"{d.model.path}\nClick to use it as the draft")
        if not report.drafts and not report.problem:
            line = "No model on this computer can draft for this verifier."
            if (s := report.suggestion) is not None:
                size = f" ({megabytes(s.size)})" if s.size else ""
                line += f" A {s.family} draft to download{size}: {s.repo}, file {s.file} (Models ▸ Download)."
            self._add(line, None)
        for r in report.refused:
            reason = "; ".join(r.reasons)
            text = f"✗ {short_name(r.model)}  ({describe(r.model)})\n      cannot draft: {reason}"
            item = self._add(text, r.model)
            item.setToolTip(f"{r.model.name} ({describe(r.model)})\nCannot draft: {reason}\n{r.model.path}")
        for x in library.skipped:
            item = self._add(f"✗ {x.name}  ({x.source.value})\n      not usable: {x.reason}", None)
            item.setToolTip(f"{x.path}\nNot usable: {x.reason}")
        self._mark(draft)

    def _mark(self, draft: str) -> None:
        for i in range(self.list.count()):
            item = self.list.item(i)
            model = item.data(DATA)
            if item.flags() & Qt.ItemFlag.ItemIsSelectable and isinstance(model, LibraryModel):
                item.setSelected(_same(draft, model))

    def _add(self, text: str, model: LibraryModel | None) -> QListWidgetItem:
        item = QListWidgetItem(text)
        item.setData(DATA, model)
        item.setFlags(Qt.ItemFlag.NoItemFlags)  # greyed and not selectable unless a draft
        self.list.addItem(item)
        return item

    def selectable(self) -> list[LibraryModel]:
        """The drafts that can be chosen, in the order shown."""
        items = (self.list.item(i) for i in range(self.list.count()))
        return [i.data(DATA) for i in items if i.flags() & Qt.ItemFlag.ItemIsSelectable]

    @Slot(QListWidgetItem)
    def _clicked(self, item: QListWidgetItem) -> None:
        model = item.data(DATA)
        if item.flags() & Qt.ItemFlag.ItemIsSelectable and isinstance(model, LibraryModel):
            self.chosen.emit(str(model.path))
