"""Above the conversation: which pair is loaded (click to change), the legend, the toggles."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal, Slot
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QProgressBar, QWidget

from desktop.ui.elide import ElidedButton
from desktop.ui.formats import ViewOptions
from desktop.ui.theme import LIGHT, Theme


class TopBar(QWidget):
    """Pair button, load progress, legend, and the highlight and rejected-token toggles.

    A narrow bar elides the pair's name and drops the legend (the empty chat explains the colours).
    """

    pair_dialog_requested = Signal()
    options_changed = Signal(object)  # ViewOptions

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("topbar")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(14, 8, 14, 8)
        layout.setSpacing(12)
        self.pair_button = ElidedButton("Choose a model pair…")
        self.pair_button.setObjectName("pairButton")
        self.pair_button.setToolTip("Choose the verifier and draft models and their settings (Ctrl+M)")
        layout.addWidget(self.pair_button)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setMaximumWidth(220)
        self.progress.hide()
        layout.addWidget(self.progress)
        layout.addStretch(1)
        self.legend = QLabel()
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.legend)
        self.highlight = QCheckBox("Highlight steps")
        self.highlight.setToolTip("Colour each token by who decided it (Ctrl+H)")
        self.rejected = QCheckBox("Show rejected")
        self.rejected.setToolTip("Show the draft tokens the verifier rejected, struck through (Ctrl+J)")
        layout.addWidget(self.highlight)
        layout.addWidget(self.rejected)
        self.pair_button.clicked.connect(self.pair_dialog_requested)
        self.highlight.toggled.connect(self._changed)
        self.rejected.toggled.connect(self._changed)
        self.theme: Theme = LIGHT

    def minimumSizeHint(self) -> QSize:
        """What must stay: some of the pair's name and the two toggles."""
        layout = self.layout()
        side = layout.contentsMargins().left() + layout.contentsMargins().right() if layout else 0
        widgets = (self.pair_button, self.highlight, self.rejected)
        width = sum(w.minimumSizeHint().width() for w in widgets) + 2 * 12 + side
        return QSize(width, super().minimumSizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._legend()

    def set_options(self, options: ViewOptions) -> None:
        for box, value in ((self.highlight, options.highlight), (self.rejected, options.show_rejected)):
            box.blockSignals(True)
            box.setChecked(value)
            box.blockSignals(False)
        self._legend()

    def options(self) -> ViewOptions:
        return ViewOptions(self.highlight.isChecked(), self.rejected.isChecked())

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        self._legend()

    def show_progress(self, text: str, fraction: float | None) -> None:
        if fraction is None:
            self.progress.hide()
            self._legend()
            return
        self.progress.setRange(0, 100)
        self.progress.setFormat(text)
        self.progress.setValue(int(fraction * 100))
        self.progress.show()
        self._legend()

    def show_busy(self, text: str) -> None:
        """A stage with no fraction to report: a moving bar, and the text as its tooltip."""
        self.progress.setRange(0, 0)
        self.progress.setFormat(text)
        self.progress.setToolTip(text)
        self.progress.show()
        self._legend()

    def _legend(self) -> None:
        t = self.theme
        chip = "<span style='background:{bg}; color:{fg}'>&nbsp;{label}&nbsp;</span>"
        parts = [
            chip.format(bg=t.accepted[0], fg=t.text, label="accepted draft"),
            chip.format(bg=t.verifier[0], fg=t.text, label="verifier"),
        ]
        if self.rejected.isChecked():
            parts.append(f"<s style='color:{t.rejected}'>rejected</s>")
        self.legend.setText("&nbsp;&nbsp;".join(parts))
        name = min(self.pair_button.sizeHint().width(), self.fontMetrics().averageCharWidth() * 36)
        toggles = self.highlight.sizeHint().width() + self.rejected.sizeHint().width()
        room = self.width() - name - toggles - 5 * 12 - 28
        if self.progress.isVisible():
            room -= self.progress.sizeHint().width()
        self.legend.setVisible(self.highlight.isChecked() and self.legend.sizeHint().width() <= room)

    @Slot()
    def _changed(self) -> None:
        self._legend()
        self.options_changed.emit(self.options())
