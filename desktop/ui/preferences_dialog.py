"""Preferences (Ctrl+,): theme, font size, and whether drafting may read past replies.

Everything here applies to the open window as soon as the dialog is accepted, and is saved.
"""

from __future__ import annotations

import os
from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop.ui.preferences import Preferences
from desktop.ui.settings import MIN_FONT_SIZE

THEME_NAMES = (("system", "Same as the system"), ("light", "Light"), ("dark", "Dark"))
SYSTEM_SIZE = MIN_FONT_SIZE - 1  # the spin box's lowest step stands for "the system's size"
MAX_FONT_SIZE = 32
HISTORY_LABEL = "Draft from my past replies"
HISTORY_NOTE = (
    "Reads your saved conversations on this computer: suffix drafting then also proposes what "
    "followed the same words in your earlier replies. Nothing leaves this computer, and the "
    "verifier still decides every token, so replies are the same with or without it."
)


def _note(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("muted")
    label.setWordWrap(True)
    return label


class PreferencesDialog(QDialog):
    """Edits the appearance and history-drafting parts of `Preferences`."""

    def __init__(self, prefs: Preferences, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Preferences")
        self.ensurePolished()  # the style sheet's font size, so the width below is in its characters
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 70)
        self._prefs = prefs
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.theme = QComboBox()
        for key, name in THEME_NAMES:
            self.theme.addItem(name, key)
        self.theme.setCurrentIndex(max(0, self.theme.findData(prefs.theme)))
        form.addRow("&Theme", self.theme)
        override = os.environ.get("TANDEM_THEME")
        if override:
            form.addRow("", _note(f"TANDEM_THEME={override} is set, so the window stays {override}."))
        self.font_size = QSpinBox()
        self.font_size.setRange(SYSTEM_SIZE, MAX_FONT_SIZE)
        self.font_size.setSpecialValueText("Same as the system")
        self.font_size.setSuffix(" pt")
        self.font_size.setValue(prefs.font_size or SYSTEM_SIZE)
        form.addRow("&Font size", self.font_size)
        self.history = QCheckBox(HISTORY_LABEL)
        self.history.setChecked(prefs.history_drafts)
        self.history.setToolTip(HISTORY_NOTE)
        form.addRow("Drafting", self.history)
        ok, cancel = QDialogButtonBox.StandardButton.Ok, QDialogButtonBox.StandardButton.Cancel
        buttons = QDialogButtonBox(ok | cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        column = QVBoxLayout(self)
        column.setContentsMargins(18, 16, 18, 14)
        column.addLayout(form)
        # Below the form, not in it: a form row cuts a wrapped label's last lines.
        column.addWidget(_note(HISTORY_NOTE))
        column.addStretch(1)
        column.addWidget(buttons, 0, Qt.AlignmentFlag.AlignRight)

    def result_value(self) -> Preferences:
        """The preferences this dialog started from, with its choices applied."""
        size = self.font_size.value()
        return replace(
            self._prefs,
            theme=str(self.theme.currentData()),
            font_size=0 if size == SYSTEM_SIZE else size,
            history_drafts=self.history.isChecked(),
        )
