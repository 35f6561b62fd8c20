"""The live numbers of the current reply, and a small chart of accepted tokens per step."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QWidget

from desktop.engine.config import Mode
from desktop.engine.events import GenerationStats
from desktop.store.records import Step
from desktop.ui import speedup
from desktop.ui.theme import LIGHT, Theme

MAX_BARS = 80


class AcceptanceChart(QWidget):
    """One bar per step (the most recent ones): accepted draft tokens, out of those drafted."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.theme: Theme = LIGHT
        self._bars: list[tuple[int, int]] = []  # (accepted, drafted)
        self.setToolTip("Accepted draft tokens per step (the latest steps, newest on the right)")
        self.setAccessibleName("Accepted tokens per step")
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)

    def sizeHint(self) -> QSize:
        h = self.fontMetrics().height()
        return QSize(h * 12, int(h * 1.6))

    def set_steps(self, steps: list[Step] | tuple[Step, ...]) -> None:
        self._bars = [(s.n_accepted, len(s.drafted)) for s in steps[-MAX_BARS:]]
        self.update()

    def add(self, step: Step) -> None:
        self._bars.append((step.n_accepted, len(step.drafted)))
        del self._bars[:-MAX_BARS]
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        w, h = self.width(), self.height()
        painter.fillRect(0, 0, w, h, QColor(self.theme.base))
        top = max((d for _, d in self._bars), default=0) or 1
        slot = w / MAX_BARS
        bar = max(1.0, slot * 0.7)
        start = w - slot * len(self._bars)
        for i, (accepted, drafted) in enumerate(self._bars):
            x = start + i * slot
            if drafted:
                painter.fillRect(
                    QRectF(x, h - 2 - (h - 4) * drafted / top, bar, 1), QColor(self.theme.border)
                )
            height = (h - 4) * accepted / top
            colour = QColor(self.theme.accepted[1] if accepted else self.theme.verifier[1])
            painter.fillRect(QRectF(x, h - 2 - max(height, 1.5), bar, max(height, 1.5)), colour)
        painter.setPen(QColor(self.theme.border))
        painter.drawRect(0, 0, w - 1, h - 1)
        painter.end()


class StatsStrip(QWidget):
    """tokens/s · speed-up vs the verifier alone · acceptance · tokens per step · steps ·
    drafted/accepted, with the chart."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statsStrip")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(14, 6, 14, 6)
        layout.setSpacing(16)
        self.status = QLabel("")
        self.status.setObjectName("muted")
        layout.addWidget(self.status)
        layout.addStretch(1)
        self.theme: Theme = LIGHT
        self._shown: tuple[GenerationStats, float, Mode] = (GenerationStats(), 0.0, Mode.SPECULATIVE)
        self.numbers: dict[str, QLabel] = {}
        for key, tip in (
            ("speed", "Tokens generated per second of decoding (prompt reading not included)"),
            ("speedup", ""),  # set with the numbers: it explains them
            ("acceptance", "Share of drafted tokens that the verifier accepted"),
            ("per_step", "Tokens added per step: accepted draft tokens plus the verifier's own"),
            ("steps", "Speculative steps so far"),
            ("counts", "Draft tokens proposed and accepted"),
        ):
            label = QLabel("")
            label.setToolTip(tip)
            label.setTextFormat(Qt.TextFormat.RichText)
            self.numbers[key] = label
            layout.addWidget(label)
        self.chart = AcceptanceChart()
        layout.addWidget(self.chart)
        self.clear()

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.chart.theme = theme
        self.chart.update()
        self.show_stats(*self._shown)  # the speed-up's colours come from the theme

    def clear(self) -> None:
        self.show_stats(GenerationStats())
        self.chart.set_steps([])

    def show_stats(
        self, stats: GenerationStats, baseline_tps: float = 0.0, mode: Mode = Mode.SPECULATIVE
    ) -> None:
        """The numbers so far; with the verifier-alone speed, the speed-up against it too."""

        def n(value: str, unit: str) -> str:
            return f"<b>{value}</b> <span style='color:gray'>{unit}</span>"

        self._shown = (stats, baseline_tps, mode)
        has = stats.steps > 0
        self.numbers["speed"].setText(n(f"{stats.tokens_per_s:.1f}" if has else "–", "tok/s"))
        self._show_speedup(speedup.measure(stats, baseline_tps), mode)
        self.numbers["acceptance"].setText(n(f"{stats.acceptance:.0%}" if stats.drafted else "–", "accepted"))
        self.numbers["per_step"].setText(n(f"{stats.tokens_per_step:.2f}" if has else "–", "tokens/step"))
        self.numbers["steps"].setText(n(str(stats.steps) if has else "–", "steps"))
        self.numbers["counts"].setText(
            n(f"{stats.accepted}/{stats.drafted}" if has else "–", "accepted/drafted")
        )

    def _show_speedup(self, measured: speedup.Speedup | None, mode: Mode) -> None:
        label = self.numbers["speedup"]
        label.setVisible(measured is not None)
        if measured is None:
            label.setText("")
            label.setToolTip("")
            return
        colour = {
            speedup.Verdict.EARLY: self.theme.muted,
            speedup.Verdict.SLOWER: self.theme.rejected,
            speedup.Verdict.EVEN: self.theme.muted,
            speedup.Verdict.FASTER: self.theme.good,
        }[measured.verdict]
        label.setText(
            f"<b style='color:{colour}'>{measured.ratio:.2f}×</b> "
            f"<span style='color:gray'>vs verifier alone</span> "
            f"<span style='color:{colour}'>· {speedup.words(measured, mode)}</span>"
        )
        label.setToolTip(speedup.explain(measured, mode))

    def show_reply(
        self,
        stats: GenerationStats | None,
        steps: tuple[Step, ...],
        baseline_tps: float = 0.0,
        mode: Mode = Mode.SPECULATIVE,
    ) -> None:
        """The numbers of a finished reply (e.g. when a conversation is opened)."""
        self.show_stats(stats or GenerationStats(), baseline_tps, mode)
        self.chart.set_steps(steps)
