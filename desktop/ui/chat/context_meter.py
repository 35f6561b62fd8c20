"""The context meter: how many of the models' context tokens the conversation uses, and what
happens when it fills (the oldest turns are left out of the prompt)."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QProgressBar, QWidget

from desktop.engine.events import GenerationStats
from desktop.ui.elide import ElidedLabel

FULL = (
    "When it fills, the oldest turns are left out of what the models read (the system prompt "
    "and your latest message always stay); the conversation itself keeps everything."
)


class ContextMeter(QWidget):
    """A thin bar and "1,234 / 4,096 tokens"; hidden until a pair with a known context loads."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.n_ctx = 0
        self.used = 0
        self.dropped = 0
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(6)
        self.bar = QProgressBar()
        self.bar.setTextVisible(False)
        self.bar.setFixedWidth(64)
        self.bar.setFixedHeight(8)
        self.bar.setAccessibleName("Context used")
        self.label = ElidedLabel()  # elided in a narrow window; the tooltip has it all
        self.label.setObjectName("muted")
        row.addWidget(self.bar)
        row.addWidget(self.label)
        self.hide()

    def set_context(self, n_ctx: int) -> None:
        self.n_ctx = n_ctx
        self.setVisible(n_ctx > 0)
        self._show()

    def start_reply(self, prompt_tokens: int, dropped_turns: int) -> None:
        """A reply began: its prompt is what the context holds so far."""
        self.used, self.dropped = prompt_tokens, dropped_turns
        self._show()

    def show_stats(self, stats: GenerationStats | None) -> None:
        """The prompt and the reply so far (or of the conversation's last reply)."""
        self.used = stats.prompt_tokens + stats.tokens if stats else 0
        self._show()

    def clear(self) -> None:
        self.used, self.dropped = 0, 0
        self._show()

    def _show(self) -> None:
        n = max(self.n_ctx, 1)
        self.bar.setRange(0, n)
        self.bar.setValue(min(self.used, n))
        text = f"{self.used:,} / {self.n_ctx:,} tokens"
        if self.dropped:
            text += f" · {self.dropped} old message{'s' if self.dropped != 1 else ''} left out"
        self.label.setText(text)
        share = f" ({100 * self.used / n:.0f}%)" if self.used else ""
        tip = f"Context: {self.used:,} of {self.n_ctx:,} tokens used{share}.\n{FULL}"
        if self.dropped:
            tip += f"\nThe last reply did not see the {self.dropped} oldest messages."
        self.setToolTip(tip)
