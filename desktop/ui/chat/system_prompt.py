"""The system prompt box above the conversation: this conversation's instructions to the model,
filled from a saved preset or typed, and saved as a preset by name."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.ui.preferences import SystemPreset


class SystemPromptBar(QFrame):
    """A one-line summary that opens into an editor; `changed` carries the text to use."""

    changed = Signal(str)
    preset_saved = Signal(object)  # SystemPreset

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("systemPrompt")
        self.presets: tuple[SystemPreset, ...] = ()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 6, 16, 6)
        outer.setSpacing(6)
        row = QHBoxLayout()
        self.toggle = QToolButton()
        self.toggle.setText("System prompt")
        self.toggle.setCheckable(True)
        self.toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.toggle.setToolTip("Instructions sent before every message of this conversation")
        self.summary = QLabel()
        self.summary.setObjectName("muted")
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.preset_box = QComboBox()
        self.preset_box.setAccessibleName("System prompt presets")
        self.preset_box.setToolTip("Fill the system prompt from a saved preset")
        row.addWidget(self.toggle)
        row.addWidget(self.summary, 1)
        row.addWidget(self.preset_box)
        outer.addLayout(row)
        self.editor = QPlainTextEdit()
        self.editor.setAccessibleName("System prompt")
        self.editor.setPlaceholderText("For example: You are a patient teacher. Explain step by step.")
        self.editor.setTabChangesFocus(True)
        self.editor.setFixedHeight(self.editor.fontMetrics().lineSpacing() * 4 + 16)
        self.save_preset = QPushButton("Save as preset…")
        self.clear = QPushButton("Clear")
        self.panel = QWidget()
        panel = QVBoxLayout(self.panel)
        panel.setContentsMargins(0, 0, 0, 0)
        panel.addWidget(self.editor)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.clear)
        buttons.addWidget(self.save_preset)
        panel.addLayout(buttons)
        outer.addWidget(self.panel)
        self.panel.hide()
        self.toggle.toggled.connect(self._expand)
        self.editor.textChanged.connect(self._on_typed)
        self.preset_box.activated.connect(self._on_preset)
        self.clear.clicked.connect(self.editor.clear)
        self.save_preset.clicked.connect(self._ask_preset_name)
        self._summarise()

    def text(self) -> str:
        return self.editor.toPlainText()

    def set_text(self, text: str) -> None:
        """Show the open conversation's prompt (not a change: nothing is emitted)."""
        self.editor.blockSignals(True)
        self.editor.setPlainText(text)
        self.editor.blockSignals(False)
        self._summarise()

    def set_presets(self, presets: tuple[SystemPreset, ...]) -> None:
        self.presets = presets
        self.preset_box.clear()
        self.preset_box.addItem("Presets…")
        for preset in presets:
            self.preset_box.addItem(preset.name)
            self.preset_box.setItemData(self.preset_box.count() - 1, preset.text, Qt.ItemDataRole.ToolTipRole)

    def use_preset(self, name: str) -> None:
        preset = next((p for p in self.presets if p.name == name), None)
        if preset is not None:
            self.editor.setPlainText(preset.text)  # textChanged commits it
            self.editor.moveCursor(self.editor.textCursor().MoveOperation.End)  # to add to it

    @Slot()
    def commit(self) -> None:
        """Send what is typed now; every edit does (a one-row update: no need to wait for a pause,
        and nothing typed can land in the next conversation opened)."""
        self.changed.emit(self.text())

    def add_preset(self, name: str) -> None:
        """Keep the current text as preset `name` (replacing one of that name)."""
        name, text = name.strip(), self.text().strip()
        if not name or not text:
            return
        preset = SystemPreset(name, text)
        self.set_presets((*(p for p in self.presets if p.name != name), preset))
        self.preset_saved.emit(preset)

    @Slot(bool)
    def _expand(self, on: bool) -> None:
        self.panel.setVisible(on)
        self.toggle.setArrowType(Qt.ArrowType.DownArrow if on else Qt.ArrowType.RightArrow)
        if on:
            self.editor.setFocus()

    @Slot()
    def _on_typed(self) -> None:
        self._summarise()
        self.commit()

    @Slot(int)
    def _on_preset(self, index: int) -> None:
        if index > 0:
            self.use_preset(self.preset_box.itemText(index))
        self.preset_box.setCurrentIndex(0)

    @Slot()
    def _ask_preset_name(self) -> None:
        name, ok = QInputDialog.getText(self, "Save as preset", "Name of this system prompt:")
        if ok:
            self.add_preset(name)

    def _summarise(self) -> None:
        first = next((ln.strip() for ln in self.text().splitlines() if ln.strip()), "")
        self.summary.setText(first or "none: the model's default behaviour")
        self.summary.setToolTip(self.text())
